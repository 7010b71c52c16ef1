"""Hostile requests are refused quickly, without allocating what they ask for."""

import socket
import time

from fastapi.testclient import TestClient

from imagegen.app import create_app
from imagegen.settings import Settings
from tests.conftest import decode, rss_bytes


def raw_exchange(live_server, head: bytes, body_part: bytes = b"") -> tuple[int, bytes, float]:
    """Send a request head (and part of a body) on a socket; (status, response, seconds)."""
    start = time.monotonic()
    with socket.create_connection(live_server, timeout=10) as sock:
        sock.sendall(head + body_part)
        response = b""
        while b"\r\n\r\n" not in response or not response.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            response += chunk
    status = int(response.split(b" ", 2)[1])
    return status, response, time.monotonic() - start


def test_huge_placeholder_is_refused_quickly_without_allocating(live_server):
    before = rss_bytes()
    head = b"GET /placeholder/99999x99999 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    status, response, seconds = raw_exchange(live_server, head)
    assert status == 422 and b'"parameter":"width"' in response
    assert seconds < 1
    assert rss_bytes() - before < 20 * 2**20  # 99999² RGBA would be 40 GB


def long_query_head(size: int) -> bytes:
    query = b"text=" + b"x" * size
    return b"GET /placeholder/10x10?" + query + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"


def test_query_over_the_limit_gets_a_json_414(live_server):
    status, response, seconds = raw_exchange(live_server, long_query_head(40_000))
    assert status == 414 and b'"error":"query_too_long"' in response
    assert seconds < 2


def test_megabyte_query_string_is_refused_quickly(live_server):
    # Past 64 KiB uvicorn's HTTP parser refuses the request line itself (a plain-text
    # 400) before the application sees it; either way nothing is allocated for it.
    before = rss_bytes()
    status, _, seconds = raw_exchange(live_server, long_query_head(1_000_000))
    assert status in (400, 414)
    assert seconds < 2
    assert rss_bytes() - before < 20 * 2**20


def test_hundred_megabyte_body_is_refused_before_it_is_read(live_server):
    before = rss_bytes()
    head = (
        b"POST /qr HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000000\r\nConnection: close\r\n\r\n"
    )
    status, response, seconds = raw_exchange(live_server, head, b'{"data": "' + b"x" * 65536)
    assert status == 413 and b"body_too_large" in response
    assert seconds < 2
    assert rss_bytes() - before < 20 * 2**20


def test_slow_render_gets_503_and_the_server_keeps_serving(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_RENDER_TIMEOUT", "0.001")
    with TestClient(create_app()) as client:  # one event loop for all requests, as a server
        response = client.get("/placeholder/4000x4000?text=slow")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["error"] == "render_timeout"
        assert client.get("/placeholder/20x20").status_code in (200, 503)
    # With a budget it fits in, the same image is served.
    monkeypatch.setenv("IMAGEGEN_RENDER_TIMEOUT", "30")
    with TestClient(create_app()) as client:
        response = client.get("/placeholder/4000x4000?text=slow")
        assert decode(response.content).size == (4000, 4000)


def test_query_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv("IMAGEGEN_MAX_QUERY_BYTES", "10")
    client = TestClient(create_app())
    assert client.get("/placeholder/10x10?text=abc").status_code == 200
    assert client.get("/placeholder/10x10?text=abcdefgh").status_code == 414


def test_default_settings_bound_every_size():
    settings = Settings.defaults()
    assert settings.max_pixels * 4 <= 64 * 2**20
    assert settings.max_body_bytes <= 2**20 and settings.max_query_bytes <= 2**16
