"""Findings of the hostile review of a default server (issue 14), one test each."""

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from xml.etree import ElementTree

import pytest
import uvicorn
from fastapi.testclient import TestClient

import imagegen.encoding
import imagegen.rendering
import imagegen.routes
from imagegen.app import create_app
from imagegen.cache import ALIAS_SHARE, IMAGE_OVERHEAD, CachedImage, RenderCache
from imagegen.errors import ApiError
from imagegen.fonts import FONT_CACHE_BYTES
from imagegen.jsonbody import MAX_DEPTH, MAX_NUMBER_DIGITS
from imagegen.output import choose_output
from imagegen.rendering import create_generators, render, validate_params
from imagegen.settings import Settings
from tests.conftest import decode


@pytest.fixture
def fresh_client():
    return TestClient(create_app(Settings.defaults()))


# 1. Cache poisoning through a duplicate Accept header.


def test_duplicate_accept_headers_cannot_poison_the_cache(fresh_client):
    url = "/placeholder/60x40?text=Logo&background=transparent"
    poison = fresh_client.get(url, headers=[("accept", "image/jpeg"), ("accept", "*/*")])
    # Both fields are one list (RFC 9110 §5.3): JPEG is named outright, so it wins.
    assert poison.headers["content-type"] == "image/jpeg"
    victim = fresh_client.get(url, headers={"accept": "*/*"})
    assert victim.headers["content-type"] == "image/png"
    assert decode(victim.content).mode in ("P", "RGBA", "PA")
    again = fresh_client.get(url, headers={"accept": "*/*"})
    assert again.headers["content-type"] == "image/png"


def test_duplicate_accept_cannot_poison_the_cache_of_a_real_server(live_server):
    """The same finding over a real socket: uvicorn's header list, repeats kept in order."""
    url = "/placeholder/63x40?text=Poison&background=transparent"
    for accepts in (["image/jpeg", "*/*"], ["*/*"]):
        connection = http.client.HTTPConnection(*live_server, timeout=30)
        connection.putrequest("GET", url)
        for accept in accepts:
            connection.putheader("Accept", accept)
        connection.endheaders()
        response = connection.getresponse()
        content = response.read()
        connection.close()
    assert response.getheader("content-type") == "image/png"
    assert decode(content).convert("RGBA").getpixel((0, 0))[3] == 0


def test_duplicate_accept_negotiates_as_one_list(fresh_client):
    response = fresh_client.get(
        "/placeholder/8x8", headers=[("accept", "image/webp;q=0.1"), ("accept", "image/png")]
    )
    assert response.headers["content-type"] == "image/png"
    assert response.headers["vary"] == "Accept"


def test_if_none_match_in_several_fields_is_one_list(fresh_client):
    etag = fresh_client.get("/placeholder/8x8.png").headers["etag"]
    for _ in range(2):  # the route, then the cache front
        response = fresh_client.get(
            "/placeholder/8x8.png", headers=[("if-none-match", '"x"'), ("if-none-match", etag)]
        )
        assert response.status_code == 304


# 4. Five 500s.


@pytest.mark.parametrize("quality", ["%C2%B2", "1" * 4301, "٣٠"])
def test_quality_that_is_not_ascii_digits_is_a_422(fresh_client, quality):
    response = fresh_client.get(f"/placeholder/8x8.jpg?quality={quality}")
    assert response.status_code == 422
    assert response.json()["parameters"][0] == {
        "parameter": "quality",
        "message": "must be a whole number from 1 to 100",
        "limit": 100,
    }


def test_deeply_nested_json_is_a_422_naming_the_limit(fresh_client):
    body = '{"data": ' + "[" * 600 + "]" * 600 + "}"
    response = fresh_client.post(
        "/chart", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    problem = response.json()["parameters"][0]
    assert problem["limit"] == MAX_DEPTH and problem["parameter"].startswith("data.0.0")


def test_a_body_of_brackets_is_refused(fresh_client):
    response = fresh_client.post(
        "/qr", content="[" * 100_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["parameters"][0]["limit"] == MAX_DEPTH


def test_non_utf8_if_none_match_on_a_cached_url(fresh_client):
    url = "/placeholder/8x8.png"
    etag = fresh_client.get(url).headers["etag"]
    for _ in range(2):  # the route, then the cache front
        response = fresh_client.get(url, headers={"if-none-match": b"\xff\xfe"})
        assert response.status_code == 200
    assert fresh_client.get(url, headers={"if-none-match": etag}).status_code == 304


# 8. SVG is always well-formed: drawn text refuses what XML cannot hold.


@pytest.mark.parametrize(
    "query",
    [
        "title=a%01b",
        "labels=a,b%1Fc&data=1,2",
        "series=x%0Cy&data=1|2",
        "x_title=%EF%BF%BE",
        "y_title=a%00",
    ],
)
def test_chart_text_with_control_characters_is_a_422(fresh_client, query):
    response = fresh_client.get(f"/chart.svg?data=1&{query}")
    assert response.status_code == 422
    problem = response.json()["parameters"][0]
    assert problem["message"] == (
        "must not contain control characters other than tab and line breaks"
    )
    assert problem["limit"].startswith("^[^\\x00")


def test_placeholder_text_with_control_characters_is_a_422(fresh_client):
    response = fresh_client.get("/placeholder/80x40?text=a%07b")
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "text"


def test_json_dataset_label_with_control_characters_is_a_422(fresh_client):
    body = {"datasets": [{"data": [1, 2], "label": "a\u0002"}]}
    response = fresh_client.post("/chart.svg", json=body)
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "datasets.0.label"


def test_json_title_with_a_lone_surrogate_is_a_422(fresh_client):
    body = json.dumps({"data": [[1, 2]], "title": "a\ud800b"})  # escaped: valid JSON text
    response = fresh_client.post(
        "/chart.svg", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "title"


def test_tabs_and_line_breaks_still_draw_and_svg_parses(fresh_client):
    response = fresh_client.get("/chart.svg?data=1,2&title=a%09b&labels=x%0Ay,z%0D%0Aw")
    assert response.status_code == 200
    ElementTree.fromstring(response.content)


# 10. Strict JSON.


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_literals_are_refused(fresh_client, literal):
    body = '{"data": [[1, ' + literal + "]]}"
    response = fresh_client.post(
        "/chart", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_json"
    assert literal.lstrip("-") in response.json()["message"]


def test_huge_json_integer_is_a_422_naming_the_field(fresh_client):
    body = '{"data": "x", "size": ' + "9" * 5000 + "}"
    response = fresh_client.post("/qr", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["parameters"] == [
        {
            "parameter": "size",
            "message": f"numbers have at most {MAX_NUMBER_DIGITS} digits",
            "limit": MAX_NUMBER_DIGITS,
        }
    ]
    assert "sys." not in response.text and "int_max_str_digits" not in response.text


def test_format_in_a_post_body_is_refused(fresh_client):
    response = fresh_client.post("/qr", json={"data": "x", "format": "svg"})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "format"


def test_generator_parameters_in_a_post_query_are_refused(fresh_client):
    response = fresh_client.post("/qr?size=300", json={"data": "x"})
    assert response.status_code == 422
    assert response.json()["parameters"][0]["parameter"] == "size"
    # The output options do belong in the query.
    ok = fresh_client.post("/qr?format=webp&lossless=true", json={"data": "x"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/webp"


# 3. Validation that can take long never runs on the event loop: JSON bodies and query
# strings over INLINE_VALIDATION_BYTES go to the validation thread; short queries, which
# validate in less time than the hop to that thread takes, are validated in place.


def test_long_validation_runs_in_a_worker_thread(fresh_client, monkeypatch):
    threads = []
    real = imagegen.routes.validate_params

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(imagegen.routes, "validate_params", recording)
    assert fresh_client.get("/qr?data=hello").status_code == 200
    assert fresh_client.post("/qr", json={"data": "x" * 2000, "ecc": "L"}).status_code == 200
    assert fresh_client.get("/qr?data=" + "1" * 7089 + "&size=30").status_code == 422
    assert len(threads) == 3
    short, body, long = threads
    assert not short.name.startswith(("AnyIO worker", "ThreadPoolExecutor"))
    loop_thread = threading.main_thread()  # TestClient's portal runs the loop elsewhere,
    assert body is not loop_thread and long is not loop_thread  # so also check the name:
    assert body.name.startswith(("AnyIO worker", "ThreadPoolExecutor"))
    assert long.name.startswith(("AnyIO worker", "ThreadPoolExecutor"))
    assert len(b"data=" + b"1" * 7089 + b"&size=30") > imagegen.routes.INLINE_VALIDATION_BYTES


# 5. The cache is bounded by everything it holds.


def test_cache_charges_aliases_and_overhead_to_its_budget():
    budget = 4 * 2**20
    cache = RenderCache(budget)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        image = CachedImage.build(b"x" * 1000, "image/png", {"etag": '"e"'})
        cache.put('"e"', image)
        # 100,000 URLs differing only in an ignored parameter, each near the 4 KB limit.
        for i in range(100_000):
            cache.alias(b"/placeholder/8x8\0utm=%06d" % i + b"x" * 4000 + b"\0*/*", '"e"', [])
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert cache.size <= budget and cache.alias_size <= budget * ALIAS_SHARE
    assert held <= budget * 1.1
    assert cache.get('"e"') is image  # aliases never push the images out


def test_cache_counts_image_overhead(fresh_client):
    cache = RenderCache(10 * (1000 + IMAGE_OVERHEAD))
    for i in range(30):
        cache.put(f'"{i}"', CachedImage.build(b"x" * 1000, "image/png", {"etag": f'"{i}"'}))
    assert cache.size <= cache.max_bytes
    assert cache.get('"29"') is not None and cache.get('"0"') is None


# 6. Memory comes back after big renders.

_RSS = """
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
"""


def _run(script: str) -> list[int]:
    """Run `script` in a fresh interpreter; the numbers it prints, one per line."""
    done = subprocess.run(
        [sys.executable, "-c", _RSS + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [int(line) for line in done.stdout.split()]


def test_memory_returns_after_big_chart_renders():
    base, *after = _run(
        """
        from imagegen.rendering import create_generators, render
        chart = create_generators()["chart"]
        render(chart, {"type": "bar", "data": "1,2,3", "width": "600", "height": "400"}, "png")
        print(rss())
        for i in range(3):  # 16 megapixels each: 64 MB of Agg buffer
            query = {"type": "bar", "data": f"1,2,{i}", "width": "4000", "height": "4000"}
            render(chart, query, "png")
            print(rss())
        """
    )
    # Before the fix every render left its 64 MB buffer for the next full collection.
    assert max(after[1:]) - base < 48 * 2**20, [(a - base) // 2**20 for a in after]


def test_font_cache_is_bounded_by_bytes():
    base, grown = _run(
        """
        from imagegen.fonts import FontLibrary
        from imagegen.settings import Settings
        library = FontLibrary(Settings.defaults().fonts_dir)
        family = library.families["droid-sans-fallback"]
        print(rss())
        for size in range(10, 1210):
            library.sized(family, size).getbbox("Hello")
        print(rss())
        """
    )
    assert grown - base < FONT_CACHE_BYTES + 32 * 2**20, (grown - base) // 2**20


# 2. The cost model refuses what cannot render well inside the budget, before any work.

DENSE = "|".join(",".join(str((i * 7 + j) % 10) for i in range(800)) for j in range(20))


def test_the_issues_costly_chart_is_a_422_before_any_work(fresh_client, monkeypatch):
    renders = []
    monkeypatch.setattr(imagegen.routes, "render_image", lambda *args: renders.append(args))
    query = f"type=area&width=4000&height=4000&lossless=true&data={DENSE}"
    response = fresh_client.get(f"/chart.webp?{query}")
    assert response.status_code == 422
    problems = response.json()["parameters"]
    assert [p["parameter"] for p in problems] == ["width", "height", "scale", "data"]
    assert all(p["limit"] == Settings.defaults().max_render_cost for p in problems)
    assert renders == []
    body = {"type": "line", "width": 4000, "height": 4000}
    body["datasets"] = [{"data": [i % 9 for i in range(800)]} for _ in range(20)]
    response = fresh_client.post("/chart.png", json=body)
    assert response.status_code == 422
    assert response.json()["parameters"][-1]["parameter"] == "datasets"


def test_box_plots_and_violins_cost_their_boxes_and_samples(fresh_client, monkeypatch):
    """20 × 1,000 violins at 2000² took 13 s of CPU, bars of that shape 2.7 s: the
    estimate counts each box and sample, so the violins are a 422 before any work."""
    renders = []
    monkeypatch.setattr(imagegen.routes, "render_image", lambda *args: renders.append(args))
    shape = {"width": 2000, "height": 2000}
    violins = {**shape, "type": "violin", "datasets": [{"data": [[1, 2, 3, 4, 5, 6]] * 1000}] * 20}
    response = fresh_client.post("/chart.png", json=violins)
    assert response.status_code == 422, response.text
    assert response.json()["parameters"][-1]["parameter"] == "datasets"
    assert renders == []
    chart = create_generators()["chart"]
    bars = {**shape, "type": "bar", "datasets": [{"data": [3] * 1000}] * 20}
    png = choose_output({"format": "png"}, None, None, chart.formats, 9)

    def cost(body: dict) -> float:
        params = validate_params(chart, body)
        return chart.render_cost(params, png.format, png.options)

    assert cost(bars) < Settings.defaults().max_render_cost < cost(violins)
    assert cost({**violins, "type": "box_plot"}) > 2 * cost(bars)


def test_big_simple_charts_and_small_dense_ones_still_render(fresh_client):
    assert fresh_client.get("/chart?data=1,2,3&width=4000&height=4000").status_code == 200
    small_dense = fresh_client.get(f"/chart.webp?type=area&lossless=true&data={DENSE}")
    assert small_dense.status_code == 200
    # Vector formats do not rasterise: the same dense chart at the largest size is cheap.
    svg = fresh_client.get(f"/chart.svg?type=area&width=4000&height=4000&data={DENSE}")
    assert svg.status_code == 200


def test_the_cost_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_MAX_RENDER_COST", "100000")
    chart = create_generators()["chart"]
    query = {"type": "bar", "data": "1,2", "width": "4000", "height": "4000"}
    monkeypatch.setenv("IMAGEGEN_MAX_RENDER_COST", "100")
    with pytest.raises(ApiError) as refused:
        render(create_generators()["chart"], query, "png")
    assert refused.value.body.parameters[0].limit == 100
    assert chart.context.settings.max_render_cost == 100000


# 2. Admission control: a bounded render queue, dropped abandoned renders, deadlines.


@contextlib.contextmanager
def serving(**settings):
    """A real uvicorn in a thread serving an app with `settings`: its (host, port)."""
    app = create_app(Settings.defaults().model_copy(update=settings))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield sock.getsockname()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def gated_renders(monkeypatch):
    """Renders of placeholder text `slow…` wait for `gate`; every render is recorded."""
    gate, rendered = threading.Event(), []
    real = imagegen.routes.render_image

    def gated(generator, params, output, *rest):
        rendered.append(params.text)
        if (params.text or "").startswith("slow"):
            assert gate.wait(timeout=30)
        return real(generator, params, output, *rest)

    monkeypatch.setattr(imagegen.routes, "render_image", gated)
    yield gate, rendered
    gate.set()


def get_in_background(address, path):
    result = {}

    def run():
        connection = http.client.HTTPConnection(*address, timeout=60)
        connection.request("GET", path)
        response = connection.getresponse()
        result["status"], result["body"] = response.status, response.read()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_full_render_queue_answers_503_at_once(gated_renders):
    gate, rendered = gated_renders
    with serving(render_threads=1, max_renders=2) as address:
        running, _ = get_in_background(address, "/placeholder/20x20?text=slow1")
        wait_until(lambda: rendered == ["slow1"])
        queued, queued_result = get_in_background(address, "/placeholder/20x20?text=queued")
        time.sleep(0.2)
        connection = http.client.HTTPConnection(*address, timeout=10)
        start = time.monotonic()
        connection.request("GET", "/placeholder/20x20?text=third")
        response = connection.getresponse()
        body = json.loads(response.read())
        assert time.monotonic() - start < 2  # not after the queue drained
        assert response.status == 503 and body["error"] == "busy"
        assert response.getheader("Retry-After") == "5"
        gate.set()
        running.join(10)
        queued.join(10)
        assert queued_result["status"] == 200
        assert "third" not in rendered


def test_a_queued_render_whose_client_left_is_dropped(gated_renders):
    gate, rendered = gated_renders
    with serving(render_threads=1) as address:
        running, _ = get_in_background(address, "/placeholder/20x20?text=slow2")
        wait_until(lambda: rendered == ["slow2"])
        with socket.create_connection(address) as sock:  # queued behind it, then gone
            sock.sendall(b"GET /placeholder/20x20?text=abandoned HTTP/1.1\r\nHost: t\r\n\r\n")
            time.sleep(0.3)
        time.sleep(0.3)
        gate.set()
        running.join(10)
        after = http.client.HTTPConnection(*address, timeout=10)
        after.request("GET", "/placeholder/20x20?text=after")
        assert after.getresponse().status == 200
        assert rendered == ["slow2", "after"]  # "abandoned" was never drawn


def test_a_render_past_its_deadline_is_not_encoded(monkeypatch):
    encoded = []
    real_encode = imagegen.rendering.encode
    monkeypatch.setattr(
        imagegen.rendering, "encode", lambda *args: encoded.append(1) or real_encode(*args)
    )
    placeholder = type(create_generators()["placeholder"])
    real_render = placeholder.render

    def slow_render(self, params, fmt):
        if params.text == "late":
            time.sleep(0.8)
        return real_render(self, params, fmt)

    monkeypatch.setattr(placeholder, "render", slow_render)
    with serving(render_timeout=0.3) as address:
        connection = http.client.HTTPConnection(*address, timeout=10)
        start = time.monotonic()
        connection.request("GET", "/placeholder/20x20?text=late")
        response = connection.getresponse()
        assert response.status == 503 and json.loads(response.read())["error"] == "render_timeout"
        assert time.monotonic() - start < 0.8
        time.sleep(1)  # the drawing finishes, past the deadline: it is not encoded
        assert encoded == []
        connection.request("GET", "/placeholder/20x20?text=on-time")
        assert connection.getresponse().status == 200 and encoded == [1]


# 12. The slow PNG levels are capped by image size.


def test_slow_png_levels_apply_only_to_small_images(monkeypatch):
    levels = []
    real = imagegen.encoding.write_indexed_png
    monkeypatch.setattr(
        imagegen.encoding,
        "write_indexed_png",
        lambda *args, level: levels.append(level) or real(*args, level=level),
    )
    monkeypatch.setenv("IMAGEGEN_PNG_COMPRESSION", "12")
    placeholder = create_generators()["placeholder"]
    render(placeholder, {"width": "1000", "height": "1000"}, "png")
    render(placeholder, {"width": "4000", "height": "1001"}, "png")
    assert levels == [12, 9]
