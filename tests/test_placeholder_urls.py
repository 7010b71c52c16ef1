"""Placeholder URLs at the root: placehold.co's, dummyimage.com's and fakeimg.pl's, read
by `imagegen.compat.placeholder_urls` and drawn by `/placeholder`; and every route that
was there before still answers as it did."""

import re
from functools import cache
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops
from starlette.routing import Mount

from imagegen.app import create_app
from imagegen.compat.placeholder_urls import SIZE_KEYWORDS
from imagegen.settings import Settings
from imagegen.signing import sign_url
from tests.conftest import api_client, decode

SERVICES = ("placehold.co", "dummyimage.com", "fakeimg.pl")
SVG_NS = "{http://www.w3.org/2000/svg}"


@cache
def client_for(service: str) -> TestClient:
    return api_client(create_app(Settings(root_placeholders=service)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def client() -> TestClient:
    return client_for("placehold.co")


def colors(image: Image.Image) -> set[tuple[int, ...]]:
    rgba = image.convert("RGBA")
    return {color for _, color in rgba.getcolors(rgba.width * rgba.height) or []}


def ink(image: Image.Image, background: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """Bounding box of the pixels unlike the background: where text was drawn."""
    rgba = image.convert("RGBA")
    plain = Image.new("RGBA", rgba.size, background)
    return ImageChops.difference(rgba, plain).getbbox(alpha_only=False)


def near(color: tuple[int, ...], colors_seen: set[tuple[int, ...]], slack: int = 8) -> bool:
    """Whether a colour close to `color` is among `colors_seen` (JPEG moves colours)."""
    return any(
        all(abs(a - b) <= slack for a, b in zip(color, seen, strict=False)) for seen in colors_seen
    )


# Golden URLs from each service's documentation (its home page's examples), with the
# size, format, background and text colour they must come out in. `None` for a colour:
# the service's default, checked separately.
GOLDEN = [
    # placehold.co
    ("placehold.co", "/600x400", (600, 400), "SVG", (221, 221, 221, 255), (153, 153, 153, 255)),
    ("placehold.co", "/400", (400, 400), "SVG", (221, 221, 221, 255), (153, 153, 153, 255)),
    ("placehold.co", "/600x400/png", (600, 400), "PNG", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400.png", (600, 400), "PNG", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400/jpeg", (600, 400), "JPEG", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400/webp", (600, 400), "WEBP", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400/000000/FFFFFF", (600, 400), "SVG", (0, 0, 0, 255), (255,) * 4),
    ("placehold.co", "/600x400/000000/FFF/png", (600, 400), "PNG", (0, 0, 0, 255), (255,) * 4),
    ("placehold.co", "/600x400/000000/FFFFFF.png", (600, 400), "PNG", (0, 0, 0, 255), None),
    ("placehold.co", "/600x400/orange/white", (600, 400), "SVG", (255, 165, 0, 255), None),
    ("placehold.co", "/600x400/transparent/F00", (600, 400), "SVG", (0, 0, 0, 0), None),
    ("placehold.co", "/600x400?text=Hello+World", (600, 400), "SVG", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400?text=Hello\\nWorld", (600, 400), "SVG", (221,) * 3 + (255,), None),
    ("placehold.co", "/600x400?font=roboto", (600, 400), "SVG", (221, 221, 221, 255), None),
    ("placehold.co", "/800?text=Hello+World&font=roboto", (800, 800), "SVG", None, None),
    ("placehold.co", "/600x400/gif", (600, 400), "GIF", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400.avif", (600, 400), "AVIF", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400/000/FFF.gif", (600, 400), "GIF", (0, 0, 0, 255), (255,) * 4),
    ("placehold.co", "/600x400/png", (600, 400), "PNG", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400.svg", (600, 400), "SVG", (221, 221, 221, 255), (153,) * 3 + (255,)),
    ("placehold.co", "/600x400@2x.png", (1200, 800), "PNG", (221, 221, 221, 255), None),
    ("placehold.co", "/800@3x.png", (2400, 2400), "PNG", (221, 221, 221, 255), None),
    ("placehold.co", "/600x400@2x/F8F8F8/CCC?text=Your%20image", (600, 400), "SVG", None, None),
    # dummyimage.com
    ("dummyimage.com", "/600x400/000/fff", (600, 400), "PNG", (0, 0, 0, 255), (255,) * 4),
    ("dummyimage.com", "/300", (300, 300), "PNG", (204, 204, 204, 255), (0, 0, 0, 255)),
    ("dummyimage.com", "/640x4:3", (640, 480), "PNG", None, None),
    ("dummyimage.com", "/16:9x1080", (1920, 1080), "PNG", None, None),
    ("dummyimage.com", "/641x4:3/ef/f", (641, 480), "PNG", (239, 239, 239, 255), (255,) * 4),
    ("dummyimage.com", "/16:9x1001", (1779, 1001), "PNG", None, None),
    ("dummyimage.com", "/250/ffffff/000000", (250, 250), "PNG", (255,) * 4, (0, 0, 0, 255)),
    ("dummyimage.com", "/qvga", (320, 240), "PNG", (204, 204, 204, 255), None),
    ("dummyimage.com", "/skyscraper/f0f/f", (120, 600), "PNG", (255, 0, 255, 255), (255,) * 4),
    ("dummyimage.com", "/300.png/09f/fff", (300, 300), "PNG", (0, 153, 255, 255), (255,) * 4),
    ("dummyimage.com", "/300/09f.png/fff", (300, 300), "PNG", (0, 153, 255, 255), (255,) * 4),
    ("dummyimage.com", "/300/09f/fff.png", (300, 300), "PNG", (0, 153, 255, 255), (255,) * 4),
    ("dummyimage.com", "/300/09f/fff.jpg", (300, 300), "JPEG", (0, 153, 255, 255), None),
    ("dummyimage.com", "/200x300&text=dummyimage.com+rocks!", (200, 300), "PNG", None, None),
    ("dummyimage.com", "/480&text=Plus+Sign=0x2B", (480, 480), "PNG", None, None),
    ("dummyimage.com", "/600x400/000/fff.png&text=Hello+World", (600, 400), "PNG", None, None),
    # fakeimg.pl
    ("fakeimg.pl", "/300/", (300, 300), "PNG", (204, 204, 204, 255), (144, 144, 144, 255)),
    ("fakeimg.pl", "/250x100/", (250, 100), "PNG", (204, 204, 204, 255), (144, 144, 144, 255)),
    ("fakeimg.pl", "/250x100/ff0000/", (250, 100), "PNG", (255, 0, 0, 255), (144,) * 3 + (255,)),
    ("fakeimg.pl", "/350x200/ff0000/000", (350, 200), "PNG", (255, 0, 0, 255), (0, 0, 0, 255)),
    ("fakeimg.pl", "/350x200/ff0000,128/000,255", (350, 200), "PNG", (255, 0, 0, 128), None),
    ("fakeimg.pl", "/350x200/?text=Hello", (350, 200), "PNG", (204, 204, 204, 255), None),
    ("fakeimg.pl", "/200x100/?retina=1&text=こんにちは&font=noto", (400, 200), "PNG", None, None),
    ("fakeimg.pl", "/350x200/?text=World&font=lobster", (350, 200), "PNG", None, None),
    ("fakeimg.pl", "/440x320/282828/eae0d0/?retina=1", (880, 640), "PNG", (40, 40, 40, 255), None),
    ("fakeimg.pl", "/300/ff0000/image.webp", (300, 300), "WEBP", (255, 0, 0, 255), None),
]


@pytest.mark.parametrize(("service", "url", "size", "fmt", "background", "text"), GOLDEN)
def test_golden_urls_render_with_the_right_size_format_and_colours(
    service: str,
    url: str,
    size: tuple[int, int],
    fmt: str,
    background: tuple[int, ...] | None,
    text: tuple[int, ...] | None,
) -> None:
    response = client_for(service).get(url)
    assert response.status_code == 200, response.text
    assert "vary" not in response.headers  # each service's format is explicit
    if fmt == "SVG":
        assert response.headers["content-type"] == "image/svg+xml"
        root = ElementTree.fromstring(response.content)
        assert (root.get("width"), root.get("height")) == tuple(map(str, size))
        drawn = {fill for fill in re.findall(r'fill="#([0-9a-f]{6})"', response.text)}
        for color in (background, text):
            if color is not None and color[3] == 255:
                assert "{:02x}{:02x}{:02x}".format(*color[:3]) in drawn, (color, drawn)
        assert root.find(f"{SVG_NS}g/{SVG_NS}text") is not None  # the text is drawn
        return
    assert response.headers["content-type"] == f"image/{fmt.lower()}"
    image = decode(response.content)
    assert (image.format, image.size) == (fmt, size)
    corner = image.convert("RGBA").getpixel((0, 0))
    if background is not None:
        assert near(background, {corner}), corner
    box = ink(image, corner)
    assert box is not None, "text must be drawn"
    left, top, right, bottom = box
    width, height = size
    assert left > width * 0.05 and right < width * 0.95  # in the middle
    assert abs((top + bottom) / 2 - height / 2) < height * 0.1
    if text is not None:
        assert near(text, colors(image))


def test_fakeimg_corner_radius() -> None:
    fakeimg = client_for("fakeimg.pl")
    uniform = decode(fakeimg.get("/300x200/ff0000/?radius=40").content).convert("RGBA")
    assert uniform.getpixel((0, 0))[3] == 0 and uniform.getpixel((299, 199))[3] == 0
    assert uniform.getpixel((40, 40)) == (255, 0, 0, 255)
    one = decode(fakeimg.get("/300x200/ff0000/?radius_tl=50").content).convert("RGBA")
    assert one.getpixel((0, 0))[3] == 0  # rounded
    assert one.getpixel((299, 0)) == one.getpixel((0, 199)) == (255, 0, 0, 255)  # square
    # A corner not given takes `radius`: /placeholder's radius in CSS order.
    mixed = fakeimg.get("/300x200/ff0000/?radius=10&radius_br=60")
    ours = fakeimg.get(
        "/placeholder/300x200.png?background=ff0000&color=909090&font=yanone-kaffeesatz"
        "&text=300%20x%20200&radius=10,10,60,10"
    )
    assert mixed.content == ours.content


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_its_own_defaults(service: str) -> None:
    expected = {
        # background, text colour, font, text
        "placehold.co": ("dddddd", "999999", "lato", None),
        "dummyimage.com": ("cccccc", "000000", "noto-sans", "600 × 400"),
        "fakeimg.pl": ("cccccc", "909090", "yanone-kaffeesatz", "600 x 400"),
    }[service]
    background, color, font, text = expected
    theirs = client_for(service).get("/600x400")
    query = f"background={background}&color={color}&font={font}"
    if text is not None:
        query += f"&text={text}"
    extension = "svg" if service == "placehold.co" else "png"
    ours = client_for(service).get(f"/placeholder/600x400.{extension}?{query}")
    assert theirs.status_code == ours.status_code == 200
    assert theirs.content == ours.content
    assert theirs.headers["etag"] == ours.headers["etag"]  # one image, one cache entry


def test_placehold_co_fonts_are_all_bundled(client: TestClient) -> None:
    names = [
        *("lato", "lora", "montserrat", "noto-sans", "open-sans", "oswald"),
        *("playfair-display", "poppins", "pt-sans", "raleway", "roboto", "source-sans-pro"),
    ]
    bundled = {font["name"]: font for font in client.get("/fonts").json()}
    drawn = set()
    for name in names:
        assert bundled[name]["license"] in ("SIL Open Font License 1.1", "Apache License 2.0")
        response = client.get(f"/300x100?font={name}&text=Hamburgefonstiv")
        assert response.status_code == 200, name
        drawn.add(response.content)
    assert len(drawn) == len(names)  # twelve fonts, twelve different images


@pytest.mark.parametrize(("keyword", "size"), sorted(SIZE_KEYWORDS.items()))
def test_size_keywords(client: TestClient, keyword: str, size: tuple[int, int]) -> None:
    response = client.get(f"/{keyword}.png")
    assert response.status_code == 200
    assert decode(response.content).size == size
    assert client.get(f"/{keyword.upper()}.webp").headers["content-type"] == "image/webp"


def test_documented_size_keywords() -> None:
    """dummyimage's documented keywords, with the shortcuts it lists."""
    assert SIZE_KEYWORDS["medrect"] == SIZE_KEYWORDS["mediumrectangle"] == (300, 250)
    assert SIZE_KEYWORDS["leaderboard"] == SIZE_KEYWORDS["leadbrd"] == (728, 90)
    assert SIZE_KEYWORDS["skyscraper"] == (120, 600)
    assert SIZE_KEYWORDS["wideskyscraper"] == (160, 600)
    assert SIZE_KEYWORDS["vga"] == (640, 480) and SIZE_KEYWORDS["qvga"] == (320, 240)
    assert SIZE_KEYWORDS["720p"] == SIZE_KEYWORDS["hd720"] == (1280, 720)
    assert SIZE_KEYWORDS["1080p"] == SIZE_KEYWORDS["hd1080"] == (1920, 1080)
    assert SIZE_KEYWORDS["4k"] == (3840, 2160)


def test_text_in_the_path_and_line_breaks() -> None:
    dummy = client_for("dummyimage.com")
    one_line = decode(dummy.get("/300x200/fff/000&text=AAA+BBB").content)
    two_lines = decode(dummy.get("/300x200/fff/000&text=AAA|BBB").content)
    as_query = decode(dummy.get("/300x200/fff/000?text=AAA|BBB").content)
    placehold_co = client_for("placehold.co")
    placehold = decode(placehold_co.get("/300x200/fff/000/png?text=AAA\\nBBB").content)
    white = (255, 255, 255, 255)
    flat, tall = ink(one_line, white), ink(two_lines, white)
    assert flat is not None and tall is not None
    assert tall[3] - tall[1] > 1.6 * (flat[3] - flat[1])  # two lines are taller
    assert ink(as_query, white) == tall  # dummyimage reads | in ?text= too
    assert ink(placehold, white) is not None
    # 0x2B is a plus sign: the same image as a real one, sent percent-encoded.
    escaped = dummy.get("/300x200&text=1+0x2B+1")
    plus = dummy.get(
        "/placeholder/300x200.png?background=ccc&color=000&font=noto-sans&text=1%20%2B%201"
    )
    assert escaped.content == plus.content


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/4:3", "size"),
        ("/4:3x16:9", "size"),
        ("/600y400", "size"),
        ("/600x400x300", "size"),
        ("/0x0:1", "size"),
        ("/1234567x1", "size"),
        ("/99999x10", "width"),
        ("/10x99999", "height"),
        ("/0x10", "width"),
        ("/600x99999:1", "size"),
        ("/600x400/nocolour", "background"),
        ("/600x400/000/nocolour", "text_color"),
        ("/600x400/ff0000,256", "background"),
        ("/600x400/000/fff/000", "path"),
        ("/600x400/000/fff/png/png", "path"),
        ("/600x400.png/000/fff.jpg", "format"),
        ("/600x400.tiff", "size"),
        ("/600x400?radius=-1", "radius"),
        ("/600x400?radius=99999", "radius"),
        ("/600x400?radius_tl=x", "radius_tl"),
        ("/600x400?radius=4&radius_br=1.5", "radius_br"),
        ("/600x400/bmp", "background"),
        ("/600x400@9x", "size"),
        ("/600x400@2x?retina=1", "retina"),
        ("/600x400?font=comic-sans", "font"),
        ("/600x400?font_size=0", "font_size"),
        ("/600x400?font_size=big", "font_size"),
        ("/600x400?text=" + "a" * 201, "text"),
        ("/4000x4000@4x", "size"),
    ],
)
def test_bad_input_is_a_422_naming_the_parameter_as_the_service_spells_it(
    client: TestClient, url: str, parameter: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422, response.text
    names = [problem["parameter"] for problem in response.json()["parameters"]]
    assert parameter in names, names


def test_signed_servers_sign_root_placeholders_too() -> None:
    key = "k" * 32
    signed = api_client(create_app(Settings(signing_key=key)))
    assert signed.get("/600x400").status_code == 403
    response = signed.get(sign_url("/600x400/000/fff.png", key.encode()))
    assert response.status_code == 200
    assert decode(response.content).size == (600, 400)
    assert signed.get("/fonts").status_code == 200  # still not signed


def test_only_digits_and_whole_keywords_are_claimed(client: TestClient) -> None:
    assert client.get("/vga-page").status_code == 404
    assert client.get("/recent").status_code == 404
    assert client.get("/popular/items").status_code == 404
    assert client.get("/VGA&TEXT=hi").status_code == 200  # dummyimage reads any case
    assert client.get("/300.jpg/09f/fff.jpeg").headers["content-type"] == "image/jpeg"


def test_off_leaves_the_root_alone() -> None:
    off = client_for("off")
    assert off.get("/600x400").status_code == 404
    assert off.get("/vga").status_code == 404


def test_head_answers_with_the_headers_of_get(client: TestClient) -> None:
    get, head = client.get("/300x200"), client.head("/300x200")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == get.headers["content-length"]


def test_a_route_added_at_a_keyword_is_not_shadowed() -> None:
    """Routes that plugins (or anyone) add where the grammar could claim win."""
    app = create_app(Settings())
    app.get("/vga")(lambda: {"route": "vga"})
    app.get("/720p/{name}")(lambda name: {"route": name})
    client = api_client(app)
    assert client.get("/vga").json() == {"route": "vga"}
    assert client.get("/720p/x").json() == {"route": "x"}
    assert decode(client.get("/720p.png").content).size == (1280, 720)
    assert decode(client.get("/svga.webp").content).size == (1024, 600)


# Every route of the app, with a request for it: the test fails when a route is added
# without one here, so that no route goes unchecked.
def _requests(app: FastAPI) -> dict[str, list[str]]:
    paths: dict[str, list[str]] = {}
    for route in app.routes:
        path = getattr(route, "path", None)
        if path is None or type(route).__name__ == "GrammarRoute":
            continue
        if isinstance(route, Mount):
            name = "swagger-ui.css" if path == "/static/vendor" else "favicon.svg"
            paths[path] = [f"{path}/{name}", f"{path}/missing.css"]
            continue
        filled = (
            path.replace("{width}", "600")
            .replace("{height}", "400")
            .replace("{format}", "png")
            .replace("{name}", "lato")
        )
        query = "?data=hi" if filled.startswith("/qr") else ""
        # A chart's 422 proves the route as well as its image, without a render that a
        # loaded machine could time out in one app and not the other.
        query = "?data=1,2,3&type=nope" if filled.startswith("/chart") else query
        paths[path] = [filled + query, filled + "/" + query, filled + ".txt"]
    return paths


ROOT_PATHS = ["/", "/healthz", "/readyz", "/metrics", "/favicon.ico", "/robots.txt", "/foo"]


def test_every_existing_route_answers_as_before() -> None:
    on = client_for("placehold.co")
    off = client_for("off")
    requests = _requests(on.app)  # type: ignore[arg-type]
    assert set(requests) == set(_requests(off.app))  # type: ignore[arg-type]
    expected = {
        "/",
        "/docs",
        "/redoc",
        "/openapi.json",
        "/fonts",
        "/fonts/{name}/license",
        "/generators",
        "/static",
        "/static/vendor",
        "/placeholder/{width}x{height}",
        "/placeholder/{width}x{height}.{format}",
        "/qr",
        "/qr.{format}",
        "/chart",
        "/chart.{format}",
    }
    assert expected <= set(requests), expected - set(requests)
    urls = [url for urls in requests.values() for url in urls] + ROOT_PATHS
    for url in urls:
        for method in ("GET", "HEAD", "POST"):
            before = off.request(method, url, follow_redirects=False)
            after = on.request(method, url, follow_redirects=False)
            assert after.status_code == before.status_code, (method, url)
            assert after.headers.get("content-type") == before.headers.get("content-type")
            assert after.headers.get("location") == before.headers.get("location")
            assert after.headers.get("allow") == before.headers.get("allow")
            if url not in ("/metrics", "/readyz", "/healthz") and method != "POST":
                assert after.content == before.content, (method, url)


# Fuzzing: paths made of the grammar's own pieces, well formed or not, plus junk.
_piece = st.one_of(
    st.sampled_from(sorted(SIZE_KEYWORDS)),
    st.from_regex(r"[0-9]{1,5}(x[0-9]{1,5})?(@[0-9]x)?", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}(\.[0-9])?:[0-9]{1,2}x[0-9]{1,4}", fullmatch=True),
    st.from_regex(r"[0-9]{1,4}x[0-9]{1,2}:[0-9]{1,2}", fullmatch=True),
    st.from_regex(r"[0-9a-fA-F]{1,8}(,[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["png", "jpg", "webp", "gif", "svg", "avif", "teal", "transparent", ""]),
    st.from_regex(r"[a-z]{1,6}\.(png|webp|jpg)", fullmatch=True),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)
_path = st.builds(
    lambda first, rest, text: "/" + "/".join([first, *rest]) + text,
    st.one_of(
        st.from_regex(
            r"[1-9][0-9]{0,2}(x[0-9]{1,3})?(@[0-9]x)?(\.(png|jpg|webp|gif))?", fullmatch=True
        ),
        st.sampled_from(sorted(SIZE_KEYWORDS)),
        st.from_regex(r"[0-9][^/?#]{0,10}", fullmatch=True),
    ),
    st.lists(_piece, max_size=5),
    st.one_of(st.just(""), st.builds(lambda t: "&text=" + t, st.text(max_size=20))),
)
_query = st.dictionaries(
    st.sampled_from(["text", "font", "font_size", "retina", "radius", "radius_tl", "x"]),
    st.one_of(st.text(max_size=20), st.sampled_from(["roboto", "lobster", "0", "-1", "12"])),
    max_size=4,
)
_ALLOWED_NAMES = {"size", "width", "height", "background", "text_color", "format", "path"}
_ALLOWED_NAMES |= {"text", "font", "font_size", "retina", "radius", "radius_tl"}


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(service=st.sampled_from(SERVICES), path=_path, query=_query)
def test_fuzzed_root_urls_never_fail_with_a_500(
    service: str, path: str, query: dict[str, str]
) -> None:
    response = client_for(service).get(quote(path, safe="/&:@,.=+"), params=query)
    assert response.status_code < 500, (path, query, response.text)
    if response.status_code == 200 and response.headers["content-type"] == "image/svg+xml":
        assert ElementTree.fromstring(response.content).tag.endswith("svg")
    elif response.status_code == 200:
        image = decode(response.content)
        assert image.width >= 1 and image.height >= 1
    elif response.status_code == 422:
        names = {problem["parameter"] for problem in response.json()["parameters"]}
        assert names <= _ALLOWED_NAMES, (path, query, names)
    else:
        assert response.status_code in (404, 405), (path, query, response.status_code)
        assert response.headers["content-type"] == "application/json"
