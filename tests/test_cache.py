"""ETag, 304, Cache-Control, HEAD and the render cache."""

import asyncio
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient

import imagegen.routes
from imagegen.app import create_app
from imagegen.cache import IMAGE_OVERHEAD, CachedImage, RenderCache, etag_matches
from imagegen.settings import Settings
from tests.conftest import decode


@pytest.fixture
def render_count(monkeypatch):
    """Counts real renders (cache misses) in apps created by the test."""
    calls = []
    real = imagegen.routes.render_image

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(imagegen.routes, "render_image", counting)
    return calls


@pytest.fixture
def fresh_client():
    return TestClient(create_app(Settings.defaults()))


def test_etag_is_strong_and_canonical(client):
    a = client.get("/placeholder/64x64?background=fff&color=000&text=A")
    b = client.get("/placeholder/64x64?text=A&color=%23000000&background=%23FFFFFF")
    c = client.get("/placeholder/64x64?background=white&color=black&text=A&utm_source=x")
    assert a.headers["etag"].startswith('"') and not a.headers["etag"].startswith("W/")
    assert a.headers["etag"] == b.headers["etag"] == c.headers["etag"]
    assert a.content == b.content == c.content
    webp = client.get("/placeholder/64x64.webp?background=fff&color=000&text=A")
    other = client.get("/placeholder/64x64?background=fff&color=000&text=B")
    assert len({a.headers["etag"], webp.headers["etag"], other.headers["etag"]}) == 3


def test_cache_control_is_long_lived_and_immutable(client):
    response = client.get("/placeholder/10x10")
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_cache_control_is_configurable(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_CACHE_CONTROL", "public, max-age=60")
    assert TestClient(create_app()).get("/placeholder/10x10").headers["cache-control"] == (
        "public, max-age=60"
    )
    monkeypatch.setenv("IMAGEGEN_CACHE_CONTROL", "")
    assert "cache-control" not in TestClient(create_app()).get("/placeholder/10x10").headers


@pytest.mark.parametrize("warm", [False, True])
def test_if_none_match_answers_304_without_rendering(render_count, warm):
    client = TestClient(create_app(Settings.defaults()))
    etag = client.get("/placeholder/30x30?text=x").headers["etag"]
    client_under_test = client if warm else TestClient(create_app(Settings.defaults()))
    renders_before = len(render_count)
    for header in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        response = client_under_test.get(
            "/placeholder/30x30?text=x", headers={"If-None-Match": header}
        )
        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"].startswith("public")
        assert response.headers["vary"] == "Accept"
        assert "content-type" not in response.headers
    assert len(render_count) == renders_before
    stale = client_under_test.get("/placeholder/30x30?text=x", headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200 and decode(stale.content).size == (30, 30)


def test_repeats_and_equivalent_spellings_render_once(render_count, fresh_client):
    first = fresh_client.get("/placeholder/40x40?background=fff")
    for url in ("/placeholder/40x40?background=fff", "/placeholder/40x40?background=%23ffffff"):
        repeat = fresh_client.get(url)
        assert repeat.content == first.content
        assert repeat.headers["content-length"] == str(len(first.content))
        assert repeat.headers["etag"] == first.headers["etag"]
        assert repeat.headers["vary"] == "Accept"
    assert len(render_count) == 1
    fresh_client.get("/placeholder/40x40?background=fff", headers={"Accept": "image/webp"})
    assert len(render_count) == 2  # another format is another image


def test_concurrent_identical_requests_share_one_render(render_count):
    app = create_app(Settings.defaults())

    async def burst():
        transport = httpx2.ASGITransport(app=app)
        async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(
                *(client.get("/placeholder/800x600?text=same") for _ in range(20))
            )

    responses = asyncio.run(burst())
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert len(render_count) == 1


def test_cache_off_renders_every_time(render_count, monkeypatch):
    monkeypatch.setenv("IMAGEGEN_CACHE_MAX_BYTES", "0")
    client = TestClient(create_app())
    one, two = client.get("/placeholder/20x20"), client.get("/placeholder/20x20")
    assert one.content == two.content
    assert len(render_count) == 2


def test_render_cache_is_bounded_by_bytes_lru():
    cache = RenderCache(max_bytes=100 + 2 * IMAGE_OVERHEAD)
    image = lambda n: CachedImage.build(b"x" * n, "image/png", {"etag": '"e"'})  # noqa: E731
    cache.put("a", image(40))
    cache.put("b", image(40))
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", image(40))
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.size == 80 + 2 * IMAGE_OVERHEAD
    cache.put("huge", image(101 + 2 * IMAGE_OVERHEAD))
    assert cache.get("huge") is None and cache.size == 80 + 2 * IMAGE_OVERHEAD


def test_etag_matching_rules():
    assert etag_matches('"a"', '"a"')
    assert etag_matches('W/"a"', '"a"')
    assert etag_matches('"b", "a"', '"a"')
    assert etag_matches("*", '"a"')
    assert not etag_matches('"b"', '"a"')
    assert not etag_matches("", '"a"')


def raw_request(live_server, method, path):
    host, port = live_server
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request(method, path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.parametrize("path", ["/placeholder/321x123", "/placeholder/321x123.jpg?q=1"])
def test_head_has_the_headers_and_length_of_get_and_no_body(live_server, path):
    for _ in range(2):  # first a miss, then a cache hit
        head, head_body = raw_request(live_server, "HEAD", path)
        get, get_body = raw_request(live_server, "GET", path)
        assert head.status == get.status == 200
        assert head_body == b""
        for name in ("Content-Type", "Content-Length", "ETag", "Cache-Control", "Vary"):
            assert head.getheader(name) == get.getheader(name)
        assert int(head.getheader("Content-Length")) == len(get_body)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_with_several_workers(tmp_path):
    port = free_port()
    command = [sys.executable, "-m", "imagegen.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--log-level", "warning"],
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx2.get(f"http://127.0.0.1:{port}/placeholder/50x50", timeout=5)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert decode(response.content).size == (50, 50)
        workers = [pid for pid in children(server.pid) if pid != server.pid]
        # uvicorn's supervisor starts one process per worker (plus, on some
        # platforms, a resource tracker), so at least two serve requests.
        assert len(workers) >= 2
        for _ in range(10):
            assert httpx2.get(f"http://127.0.0.1:{port}/placeholder/60x60").status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_vary_follows_each_request_not_the_cached_image(render_count, fresh_client):
    explicit = fresh_client.get("/placeholder/44x44.png")
    assert "vary" not in explicit.headers
    for _ in range(2):  # a render-cache hit, then an ASGI fast-path hit
        negotiated = fresh_client.get("/placeholder/44x44", headers={"Accept": "*/*"})
        assert negotiated.headers["vary"] == "Accept"
        assert negotiated.headers["etag"] == explicit.headers["etag"]
        assert negotiated.content == explicit.content
    assert "vary" not in fresh_client.get("/placeholder/44x44.png").headers
    assert len(render_count) == 1
