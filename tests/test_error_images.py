"""Errors an `<img>` can show: drawn as an image of the requested size and format, the
status kept, the message in `X-Imagegen-Error` (imagegen/error_images.py)."""

import asyncio
import io
import json
import threading
from xml.etree import ElementTree

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from imagegen.app import create_app
from imagegen.error_images import (
    BACKGROUND,
    BORDER,
    MAX_ERROR_PIXELS,
    MAX_HEADER_CHARS,
    MAX_WAITING_DRAWINGS,
    Canvas,
    ErrorDrawer,
    error_format,
    header_text,
    names_json,
    pixel_size,
    prefers_image,
)
from imagegen.fonts import FontLibrary
from imagegen.formats import AVIF, GIF, JPEG, PNG, SVG, WEBP, ImageFormat
from imagegen.settings import Settings

BROWSER = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
JSON = "application/json"
BAD_CONFIG = "{type:'nope',data:{datasets:[{data:[1]}]}}"
FUNCTION = (
    "{type:'bar',data:{datasets:[{data:[1]}]},"
    "options:{scales:{yAxes:[{ticks:{callback:function(v){return v}}}]}}}"
)


@pytest.fixture(scope="module")
def browser() -> TestClient:
    """A client whose every request has a browser's `<img>` Accept header."""
    return TestClient(create_app(Settings(render_processes=0)), headers={"accept": BROWSER})


@pytest.fixture(scope="module")
def native() -> TestClient:
    settings = Settings(render_processes=0, error_images="on")
    return TestClient(create_app(settings), headers={"accept": BROWSER})


@pytest.fixture(scope="module")
def drawer() -> ErrorDrawer:
    return ErrorDrawer(FontLibrary(Settings.defaults().fonts_dir))


def decoded(content: bytes, fmt: ImageFormat) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    assert image.format == {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", GIF: "GIF", AVIF: "AVIF"}[fmt]
    return image.convert("RGB")


def near(pixel: tuple[int, ...], colour: tuple[int, ...], tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour[:3], strict=False))


def text_pixels(image: Image.Image) -> int:
    """Pixels inside the border, well away from it, that are not background: text."""
    width, height = image.size
    inset = max(2, min(width, height) // 30)
    inner = image.crop((inset, inset, width - inset, height - inset))
    return sum(1 for pixel in inner.get_flattened_data() if not near(pixel, BACKGROUND, 60))


def assert_error_image(
    response, status: int, size: tuple[int, int], fmt: ImageFormat, text: bool = True
) -> Image.Image:
    """The response is `status` with the error drawn as `fmt` at `size`: border at the
    corners, text inside, and the headers the issue asks for."""
    assert response.status_code == status, response.headers
    assert response.headers["content-type"] == fmt.media_type
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.headers["cache-control"] == "no-store"
    assert "Accept" in response.headers["vary"]
    message = response.headers["x-imagegen-error"]
    assert_header_safe(message)
    image = decoded(response.content, fmt)
    assert image.size == size
    width, height = size
    for corner in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)):
        assert near(image.getpixel(corner), BORDER, 40 if fmt is JPEG else 24), corner
    if text:
        assert text_pixels(image) > 20
    return image


def assert_header_safe(value: str) -> None:
    assert value and len(value) <= MAX_HEADER_CHARS
    assert all(32 <= ord(c) < 127 or 160 <= ord(c) <= 255 for c in value), value


def json_body(client: TestClient, url: str) -> dict:
    response = client.get(url, headers={"accept": JSON})
    assert response.headers["content-type"] == JSON
    return response.json()


# Pure functions


def test_header_text_is_one_latin_1_line_within_its_length() -> None:
    assert header_text("a\r\nb\tc\x00d\x85e") == "a b c d e"
    assert header_text("é ü ß") == "é ü ß"
    assert header_text("データ 😀 – ok") == "??? ? ? ok"
    long = header_text("x" * 2000)
    assert len(long) == MAX_HEADER_CHARS and long.endswith("...")


@pytest.mark.parametrize(
    ("accept", "errors", "image"),
    [
        (BROWSER, None, True),
        (None, None, True),
        ("", None, True),
        ("*/*", None, True),
        ("image/png", None, True),
        ("application/*", None, True),
        (JSON, None, False),
        ("*/*, application/json;q=0.1", None, False),
        ("application/problem+json", None, False),
        ("application/json;q=0", None, True),
        (JSON, "image", True),
        (BROWSER, "json", False),
        (BROWSER, "IMAGE", True),
        (JSON, "nonsense", False),
    ],
)
def test_which_requests_prefer_an_image(accept: str | None, errors: str | None, image: bool):
    assert prefers_image(accept, errors) is image
    if errors is None:
        assert names_json(accept) is not image


def test_pixel_size_applies_the_ratio_and_the_limits() -> None:
    limits = Settings.defaults()
    assert pixel_size(Canvas(500, 300, 2), limits, vector=False) == (1000, 600)
    assert pixel_size(Canvas(500, 300, 2), limits, vector=True) == (500, 300)
    assert pixel_size(Canvas(300, 200, 1.5), limits, vector=False) == (450, 300)
    assert pixel_size(Canvas(None, 300), limits, vector=False) == (600, 400)
    assert pixel_size(Canvas(0, -3), limits, vector=False) == (600, 400)
    assert pixel_size(Canvas(float("nan"), 3), limits, vector=False) == (600, 400)
    width, height = pixel_size(Canvas(99999, 100, 99), limits, vector=False)
    assert width * height <= MAX_ERROR_PIXELS and width / height == pytest.approx(40, rel=0.01)
    width, height = pixel_size(Canvas(4000, 4000, 4), limits, vector=False)
    assert width * height <= MAX_ERROR_PIXELS and width == height


def test_error_format_explicit_then_accept_then_png() -> None:
    assert error_format("jpg", BROWSER) is JPEG
    assert error_format("avif", None) is AVIF
    assert error_format("svg", None) is SVG
    assert error_format("pdf", "image/png") is PNG
    assert error_format("pdf", BROWSER) is PNG
    assert error_format(None, "image/webp,image/png;q=0") is WEBP
    assert error_format(None, "image/gif") is GIF
    assert error_format(None, "text/html") is PNG
    assert error_format("nonsense", None) is PNG


# Drawing


@pytest.mark.parametrize(
    ("size", "text"),
    [
        ((500, 300), True),
        ((120, 60), True),
        ((40, 40), True),
        ((2000, 200), True),
        ((1, 1), False),
        ((3, 700), False),
        ((9, 9), False),
    ],
)
@pytest.mark.parametrize("fmt", [PNG, JPEG, WEBP, GIF])
def test_drawn_at_every_size(drawer, size: tuple[int, int], text: bool, fmt) -> None:
    content = drawer.draw(422, "chart.type: 'nope' charts are not drawn here", size, fmt)
    image = decoded(content, fmt)
    assert image.size == size
    if min(size) >= 8 or fmt is not JPEG:  # JPEG blurs the colour of a 3-pixel strip
        assert near(image.getpixel((0, 0)), BORDER, 40)
    if text:
        assert text_pixels(image) > 20


def test_small_images_show_only_the_status(drawer) -> None:
    small = drawer.layout(422, "a long message " * 10, 40, 40)
    assert small is not None and [line.text for line in small.lines] == ["422"]
    large = drawer.layout(422, "a long message", 500, 300)
    assert large is not None and large.lines[0].text == "Error 422"
    assert "a long message" in " ".join(line.text for line in large.lines)


def test_long_messages_are_cut_to_fit(drawer) -> None:
    layout = drawer.layout(422, "word " * 400, 300, 150)
    assert layout is not None and layout.shortened
    assert layout.height <= 150


def test_svg_error_image_is_well_formed(drawer) -> None:
    content = drawer.draw(404, 'no <such> & "thing"', (500, 300), SVG)
    root = ElementTree.fromstring(content)
    assert (root.get("width"), root.get("height")) == ("500", "300")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "Error 404" and "<such>" in " ".join(texts)


# The compatibility routes


def test_quickchart_error_is_drawn_at_the_chart_size(browser) -> None:
    url = f"/chart?c={FUNCTION}"
    response = browser.get(url)
    # 500×300 at ratio 2, in QuickChart's default format.
    image = assert_error_image(response, 422, (1000, 600), PNG)
    assert response.headers["x-imagegen-error"] == json_body(browser, url)["message"]
    assert "functions are not run" in response.headers["x-imagegen-error"]
    # The status line is drawn in the border's colour, the message in the text's.
    reds = sum(1 for p in image.get_flattened_data() if near(p, BORDER, 30))
    assert reds > 4 * (1000 + 600)


@pytest.mark.parametrize(
    ("query", "size", "fmt"),
    [
        ("w=300&h=100&devicePixelRatio=1&f=png", (300, 100), PNG),
        ("width=200&height=150&devicePixelRatio=1.5&format=jpg", (300, 225), JPEG),
        ("w=400&h=100&f=webp", (800, 200), WEBP),
        ("w=99999&h=100&devicePixelRatio=1&f=png", None, PNG),  # over the limit: clamped
        ("w=abc&h=100&f=png", (1000, 200), PNG),  # unreadable: QuickChart's default
        ("f=pdf", (1000, 600), PNG),  # not raster: negotiated with the browser's Accept
    ],
)
def test_quickchart_size_and_format(browser, query: str, size, fmt) -> None:
    response = browser.get(f"/chart?c={BAD_CONFIG}&{query}")
    if size is None:
        size = decoded(response.content, fmt).size
        assert size[0] <= 4000 and size[0] * size[1] <= MAX_ERROR_PIXELS
    assert_error_image(response, 422, size, fmt)


def test_quickchart_svg_error(browser) -> None:
    response = browser.get(f"/chart?c={BAD_CONFIG}&w=320&h=200&f=svg")
    assert response.status_code == 422
    assert response.headers["content-type"] == SVG.media_type
    root = ElementTree.fromstring(response.content)
    assert (root.get("width"), root.get("height")) == ("320", "200")


def test_json_clients_keep_the_json_body(browser) -> None:
    url = f"/chart?c={BAD_CONFIG}"
    as_json = browser.get(url, headers={"accept": JSON})
    forced = browser.get(url + "&errors=json")
    assert as_json.status_code == forced.status_code == 422
    assert as_json.headers["content-type"] == forced.headers["content-type"] == JSON
    assert as_json.content == forced.content
    assert as_json.json()["parameters"][0]["parameter"] == "chart.type"
    assert "x-imagegen-error" not in as_json.headers
    assert as_json.headers["vary"] == "Accept"  # the same URL answers an <img> otherwise


def test_errors_image_overrides_a_json_accept(browser) -> None:
    response = browser.get(f"/chart?c={BAD_CONFIG}&errors=image&f=png", headers={"accept": JSON})
    assert_error_image(response, 422, (1000, 600), PNG)


def test_errors_must_be_image_or_json(browser) -> None:
    response = browser.get(f"/chart?c={BAD_CONFIG}&errors=maybe", headers={"accept": JSON})
    assert response.json()["parameters"][0]["parameter"] == "errors"


def test_a_data_uri_request_keeps_json_errors(browser) -> None:
    response = browser.get(f"/chart?c={BAD_CONFIG}&f=base64")
    assert response.status_code == 422
    assert response.headers["content-type"] == JSON


def test_a_good_request_is_untouched(browser) -> None:
    response = browser.get("/chart?c={type:'bar',data:{datasets:[{data:[1,2]}]}}&f=png")
    assert response.status_code == 200
    assert "x-imagegen-error" not in response.headers
    assert response.headers["cache-control"] != "no-store"


def test_quickchart_post_and_image_charts_path(browser) -> None:
    body = {"chart": BAD_CONFIG, "width": 200, "height": 100, "devicePixelRatio": 1}
    assert_error_image(browser.post("/chart", json=body), 422, (200, 100), PNG)
    body |= {"format": "jpg"}
    assert_error_image(browser.post("/chart", json=body), 422, (200, 100), JPEG)
    response = browser.get(f"/chart.js/9?c={BAD_CONFIG}&w=300&h=200&f=png")
    assert_error_image(response, 422, (600, 400), PNG)


@pytest.mark.parametrize(
    ("url", "size", "fmt"),
    [
        ("/chart?cht=zz&chs=320x120&chof=gif", (320, 120), GIF),
        ("/chart?cht=bvg&chs=320x120&chd=t:1&icretina=1&chof=png&chx=1", (640, 240), PNG),
        ("/chart?cht=qr&chs=220x150&chl=x&chld=Z", (150, 150), PNG),
        ("/chart?cht=bvg&chs=huge&chd=t:1", (500, 300), PNG),
        ("/qr?text=hi&size=120&ecLevel=Z", (120, 120), PNG),
        ("/qr?text=hi&ecLevel=Z", (150, 150), PNG),
        ("/v1/create-qr-code/?data=x&size=150x150&format=jpg&ecc=Z", (150, 150), JPEG),
        ("/v1/create-qr-code/?data=x&format=eps", (200, 200), PNG),
        ("/v1/create-qr-code/?data=x&ecc=Z", (200, 200), PNG),
        ("/300x200@2x/zzzzzzz/fff.png", (600, 400), PNG),
        ("/300x200/zzzzzzz/fff/gif?retina", (600, 400), GIF),
        ("/medrect/zzzzzzz", (300, 250), PNG),
        ("/300x4:0", (600, 400), PNG),  # no size to read: the default
    ],
)
def test_every_grammar_draws_its_errors(browser, url: str, size, fmt) -> None:
    assert_error_image(browser.get(url), 422, size, fmt)


def test_quickchart_qr_svg_and_base64(browser) -> None:
    response = browser.get("/qr?text=hi&size=120&ecLevel=Z&format=svg")
    assert response.headers["content-type"] == SVG.media_type
    assert ElementTree.fromstring(response.content).get("width") == "120"
    response = browser.get("/qr?text=hi&ecLevel=Z&format=base64")
    assert response.headers["content-type"] == JSON


def test_head_answers_get_headers(browser) -> None:
    url = f"/chart?c={BAD_CONFIG}&f=png"
    get, head = browser.get(url), browser.head(url)
    assert head.status_code == 422
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == "image/png"


# Refusals before the route


def test_refusals_before_the_route_are_drawn_too() -> None:
    limits = Settings(render_processes=0, max_query_bytes=600, max_body_bytes=400)
    client = TestClient(create_app(limits), headers={"accept": BROWSER})
    response = client.get(
        f"/chart?c={BAD_CONFIG}&w=300&h=100&devicePixelRatio=1&f=png&x={'a' * 700}"
    )
    assert_error_image(response, 414, (300, 100), PNG)
    body = {"chart": BAD_CONFIG, "width": 300, "height": 100, "devicePixelRatio": 1, "x": "a" * 500}
    response = client.post("/chart?f=png", content=json.dumps(body))
    assert_error_image(response, 413, (1000, 600), PNG)  # the body was not read: defaults


def test_rate_limited_img_requests_get_an_image_with_retry_after() -> None:
    limits = Settings(render_processes=0, rate_limit=0.001, rate_limit_burst=1)
    client = TestClient(create_app(limits), headers={"accept": BROWSER})
    url = f"/chart?c={BAD_CONFIG}&w=300&h=100&devicePixelRatio=1&f=png"
    client.get(url)
    response = client.get(url)
    assert_error_image(response, 429, (300, 100), PNG)
    assert int(response.headers["retry-after"]) >= 1
    assert "Too many requests" in response.headers["x-imagegen-error"]


def test_signature_refusals_and_cors_headers() -> None:
    limits = Settings(render_processes=0, signing_key="k" * 32, cors_origins=("*",))
    client = TestClient(create_app(limits), headers={"accept": BROWSER})
    response = client.get(
        "/qr?text=hi&size=120&format=png", headers={"origin": "https://example.com"}
    )
    assert_error_image(response, 403, (120, 120), PNG)
    assert response.headers["access-control-allow-origin"] == "*"
    assert "X-Imagegen-Error" in response.headers["access-control-expose-headers"]


# Our own routes, behind the setting


def test_native_routes_answer_json_unless_the_setting_is_on(browser, native) -> None:
    url = "/placeholder/300x100.png?background=zz"
    off = browser.get(url)
    assert off.status_code == 422 and off.headers["content-type"] == JSON
    assert "vary" not in off.headers
    assert_error_image(native.get(url), 422, (300, 100), PNG)
    assert native.get(url, headers={"accept": JSON}).headers["content-type"] == JSON
    assert native.get(url + "&errors=json").headers["content-type"] == JSON


@pytest.mark.parametrize(
    ("url", "status", "size", "fmt"),
    [
        ("/placeholder/300x100?background=zz&scale=2", 422, (600, 200), PNG),
        ("/placeholder/300x100.jpg?font=nope", 422, (300, 100), JPEG),
        ("/qr?data=", 422, (300, 300), PNG),
        ("/qr.png?data=x&size=100&scale=2&ecc=Z", 422, (200, 200), PNG),
        ("/chart.png?type=nope&width=320&height=200", 422, (320, 200), PNG),
        ("/chart?type=nope&format=gif", 422, (600, 400), GIF),
    ],
)
def test_native_routes_with_the_setting(native, url: str, status: int, size, fmt) -> None:
    assert_error_image(native.get(url), status, size, fmt)


def test_native_406_and_post(native) -> None:
    response = native.get("/placeholder/300x100", headers={"accept": "text/html"})
    assert_error_image(response, 406, (300, 100), PNG)
    response = native.post(
        "/chart.webp", json={"type": "bar", "width": 320, "height": 200, "datasets": "x"}
    )
    assert_error_image(response, 422, (320, 200), WEBP)
    # A POST body in our grammar on the path QuickChart's grammar shares.
    response = native.post("/chart", json={"type": "bar", "width": 320, "height": 200, "x": 1})
    assert_error_image(response, 422, (320, 200), PNG)


def test_native_errors_parameter_is_checked(native) -> None:
    response = native.get(
        "/placeholder/300x100?errors=sometimes", headers={"accept": JSON + ",*/*"}
    )
    assert response.json()["parameters"][0]["parameter"] == "errors"
    good = native.get("/placeholder/300x100.png?errors=image")
    assert good.status_code == 200


def test_the_spec_mentions_error_images_only_with_the_setting(browser, native) -> None:
    spec = browser.get("/openapi.json", headers={"accept": JSON}).json()
    assert "X-Imagegen-Error" not in json.dumps(spec)
    spec = native.get("/openapi.json", headers={"accept": JSON}).json()
    operation = spec["paths"]["/qr"]["get"]
    assert "errors" in [parameter["name"] for parameter in operation["parameters"]]
    assert "X-Imagegen-Error" in operation["responses"]["422"]["headers"]


# Fuzz: never a 500, always a decodable image of a bounded size or JSON


_sizes = st.one_of(
    st.integers(-5, 5000).map(str),
    st.sampled_from(["", "abc", "1e309", "nan", "-0", "0x10", "٣", "1.5", "9" * 30]),
)
_formats = st.sampled_from(["png", "jpg", "webp", "svg", "pdf", "gif", "avif", "base64", "", "x"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    w=_sizes,
    h=_sizes,
    dpr=_sizes,
    fmt=_formats,
    chs=st.text(max_size=12),
    accept=st.sampled_from([BROWSER, "*/*", "text/html", "image/gif", "image/svg+xml", ""]),
)
def test_fuzzed_sizes_and_formats_never_fail(browser, w, h, dpr, fmt, chs, accept) -> None:
    for url, params in [
        ("/chart", {"c": BAD_CONFIG, "w": w, "h": h, "devicePixelRatio": dpr, "f": fmt}),
        ("/chart", {"cht": "zz", "chs": chs, "chof": fmt}),
        ("/qr", {"text": "x", "size": w, "ecLevel": "Z", "format": fmt}),
        (f"/{w}x{h}/zzzzzzz.{fmt}", {}),
    ]:
        response = browser.get(url, params=params, headers={"accept": accept})
        assert 400 <= response.status_code < 500 or response.status_code == 200, url
        kind = response.headers["content-type"]
        if response.status_code == 200 or kind.startswith(("application/json", "text/plain")):
            continue
        assert_header_safe(response.headers["x-imagegen-error"])
        if kind == SVG.media_type:
            ElementTree.fromstring(response.content)
            continue
        image = Image.open(io.BytesIO(response.content))
        image.load()
        assert image.width * image.height <= MAX_ERROR_PIXELS


def test_a_flood_of_errors_waits_for_no_drawing_past_its_bound(monkeypatch) -> None:
    """While one error is being drawn and MAX_WAITING_DRAWINGS wait for the drawing
    thread, the next refusal is its JSON body at once, not another wait."""
    release = threading.Event()
    drawn = ErrorDrawer.draw

    def slow_draw(self: ErrorDrawer, *args: object) -> bytes:
        release.wait(30)  # holds the one drawing thread, as a long draw would
        return drawn(self, *args)

    monkeypatch.setattr(ErrorDrawer, "draw", slow_draw)
    app = create_app(Settings(render_processes=0))

    async def flood() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:

            async def get(width: int) -> httpx.Response:
                url = f"/chart?c={FUNCTION}&w={width}&h=100"  # distinct: none remembered
                return await client.get(url, headers={"accept": BROWSER})

            count = MAX_WAITING_DRAWINGS + 1  # one drawing, the rest waiting for it
            waiting = [asyncio.ensure_future(get(100 + i)) for i in range(count)]
            await asyncio.sleep(1)  # each has reached the drawing thread's queue
            assert not any(task.done() for task in waiting)
            extra = await asyncio.wait_for(get(99), 10)
            release.set()
            return [extra, *await asyncio.gather(*waiting)]

    extra, *drawn_ones = asyncio.run(flood())
    assert extra.status_code == 422
    assert extra.headers["content-type"] == "application/json"
    assert "functions are not run" in extra.json()["message"]
    assert {r.headers["content-type"] for r in drawn_ones} == {"image/png"}
