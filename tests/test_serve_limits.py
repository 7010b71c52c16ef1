"""`imagegen serve` as shipped, on a free loopback port: the limits that keep slow or
oversized clients from taking it over (issue 14, item 7)."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.test_cache import free_port

HEAD_TIMEOUT = 1.0


def rss_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[tuple[int, int, Path]]:
    """(port, pid, file of its standard output) of `imagegen serve` with a short head
    timeout."""
    port = free_port()
    out = tmp_path_factory.mktemp("serve") / "served.out"
    env = os.environ | {
        "IMAGEGEN_HEAD_TIMEOUT": str(HEAD_TIMEOUT),
        "IMAGEGEN_KEEP_ALIVE_TIMEOUT": "1",
        "IMAGEGEN_MAX_CONNECTIONS": "100",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "imagegen.cli", "serve", "--port", str(port)],
        env=env,
        stdout=out.open("w"),
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(f"http://127.0.0.1:{port}/placeholder/8x8", timeout=5)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield port, server.pid, out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def exchange(port: int, data: bytes) -> bytes:
    """Send `data` and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)  # may be refused before it is all sent: read the answer
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    return response


def json_body(response: bytes) -> dict:
    return json.loads(response.split(b"\r\n\r\n", 1)[1])


def test_megabyte_header_is_a_json_431_before_it_is_read(served):
    port, pid, _ = served
    before = rss_of(pid)
    head = b"GET /placeholder/8x8 HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    response = exchange(port, head)
    assert response.startswith(b"HTTP/1.1 431 ")
    assert json_body(response)["error"] == "headers_too_large"
    assert rss_of(pid) - before < 8 * 2**20


def test_long_request_line_is_a_json_414(served):
    port, _, _ = served
    response = exchange(port, b"GET /placeholder/8x8?text=" + b"x" * 200_000 + b" HTTP/1.1\r\n")
    assert response.startswith(b"HTTP/1.1 414 ")
    assert json_body(response)["error"] == "uri_too_long"


def test_slow_clients_are_closed_and_others_served(served):
    port, pid, _ = served
    slow = []
    for _ in range(50):  # half-open requests, trickling their heads
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"GET /placeholder/8x8 HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        slow.append(sock)
    try:
        # Normal requests are served meanwhile.
        response = httpx2.get(f"http://127.0.0.1:{port}/placeholder/20x10", timeout=5)
        assert response.status_code == 200
        time.sleep(HEAD_TIMEOUT + 1)
        for sock in slow:  # the server has closed every one of them
            sock.settimeout(5)
            assert sock.recv(1024) == b""
    finally:
        for sock in slow:
            sock.close()
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    assert fds < 40


def test_idle_keep_alive_connections_are_closed(served):
    port, _, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /placeholder/8x8 HTTP/1.1\r\nHost: t\r\n\r\n")
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200 ")
        start = time.monotonic()
        while sock.recv(65536):
            pass
        assert time.monotonic() - start < 5


def test_a_slow_render_is_not_cut_by_the_head_timeout(served):
    port, _, _ = served
    # A keep-alive connection whose second request renders longer than the head timeout.
    with httpx2.Client(timeout=30) as client:
        base = f"http://127.0.0.1:{port}"
        assert client.get(base + "/placeholder/8x8").status_code == 200
        big = client.get(
            base + "/chart?type=line&data=" + ",".join(["1", "2"] * 400) + "&width=3000&height=3000"
        )
        assert big.status_code == 200


def test_serve_prints_where_to_go_and_the_limits(served):
    port, _, output = served
    lines = output.read_text().splitlines()
    assert lines[0] == f"imagegen on http://127.0.0.1:{port}  (1 worker)"
    text = "\n".join(lines[:8])
    assert f"playground  http://127.0.0.1:{port}/" in text
    assert f"API docs    http://127.0.0.1:{port}/docs" in text
    assert "at most 4000×4000 px" in text and "head ≤ 49,152 B in 1 s" in text
    assert "connections ≤ 100 per worker" in text
