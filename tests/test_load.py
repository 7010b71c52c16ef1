"""Load and soak: concurrency against a real server, and memory over many renders.

The soak test is marked slow (minutes); run it with `pytest -m slow`.
"""

import http.client
import os
from concurrent.futures import ThreadPoolExecutor
from xml.etree import ElementTree

import pytest

from imagegen.encoding import EncodeOptions
from imagegen.fonts import FontLibrary
from imagegen.formats import PNG
from imagegen.output import OutputChoice
from imagegen.plugin import GeneratorContext
from imagegen.registry import discover_generators
from imagegen.rendering import render_image
from imagegen.settings import Settings
from tests.conftest import decode, rss_bytes

MIXED = [
    ("GET", "/placeholder/640x360?text=Load%5Cntest&background=1e293b&color=f8fafc", None),
    ("GET", "/placeholder/300x250.webp?scale=2", None),
    ("GET", "/placeholder/120x120.jpg?font=roboto&text=%E4%BD%A0%E5%A5%BD", None),
    ("GET", "/qr.png?data=https%3A%2F%2Fexample.com%2Fticket%2F1&size=240", None),
    ("GET", "/qr.svg?data=load&ecc=H", None),
    ("POST", "/qr.webp", b'{"data": "posted payload", "size": 200, "ecc": "Q"}'),
    ("GET", "/chart?type=bar&data=1,2,3|3,1,2&labels=a,b,c&width=320&height=200", None),
    ("GET", "/chart.svg?type=line&data=5,3,8,1&title=Load", None),
    ("POST", "/chart.png", b'{"type": "pie", "data": [[3, 2, 1]], "width": 240, "height": 240}'),
]


def request(live_server, method, path, body, index):
    connection = http.client.HTTPConnection(*live_server, timeout=60)
    # A distinct, ignored parameter per GET so that the cache front does not answer most
    # of them (a POST takes only the output options in its query).
    if method == "GET":
        path += f"{'&' if '?' in path else '?'}n={index % 7}"
    headers = {"Content-Type": "application/json"} if body else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), content


def test_hundred_concurrent_mixed_requests_all_succeed(live_server):
    jobs = [MIXED[i % len(MIXED)] + (i,) for i in range(100)]
    with ThreadPoolExecutor(max_workers=100) as pool:
        results = list(pool.map(lambda job: request(live_server, *job), jobs))
    assert [status for status, _, _ in results] == [200] * 100
    for (_, media_type, content), (method, path, _, _) in zip(results, jobs, strict=True):
        if media_type == "image/svg+xml":
            assert ElementTree.fromstring(content).tag.endswith("svg"), path
        else:
            assert decode(content).format.lower() in media_type, (method, path)


# Parameters of the i-th soak render of each generator: every render a different image.
SOAK_PARAMS = {
    "placeholder": lambda i: {"width": str(200 + i % 400), "height": "150", "text": f"#{i}"},
    "qr": lambda i: {"data": f"https://example.com/tickets/{i}", "size": "240"},
    "chart": lambda i: {
        "type": ("line", "bar", "pie", "area", "scatter", "sparkline")[i % 6],
        "data": f"{i % 97},{i % 13},7,{i % 5}|3,{i % 7},1,4",
        "title": f"Soak {i}",
        "width": "320",
        "height": "200",
    },
}
SOAK_RENDERS = int(os.environ.get("SOAK_RENDERS", "20000"))  # fewer for a quick look


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SOAK_PARAMS))
def test_soak_renders_do_not_grow_memory(name):
    """20,000 different renders in one process: after warm-up, RSS grows by under 5%,
    so nothing per render (figures, fonts, buffers) leaks."""
    context = GeneratorContext(Settings.defaults(), FontLibrary(Settings.defaults().fonts_dir))
    generator = next(cls(context) for cls in discover_generators() if cls.name == name)
    output = OutputChoice(PNG, negotiated=False, options=EncodeOptions())
    warm_up = min(2000, SOAK_RENDERS // 2)  # allocator pools and caches fill first
    for i in range(SOAK_RENDERS):
        if i == warm_up:
            baseline = rss_bytes()
        params = generator.params.model_validate(SOAK_PARAMS[name](i))
        assert render_image(generator, params, output)[:4] == b"\x89PNG"
    growth = rss_bytes() / baseline - 1
    assert growth < 0.05, f"RSS grew {growth:.1%} over {SOAK_RENDERS - warm_up} renders"
