"""`imagegen serve`'s HTTP protocol sends a response's head and body in one write
(`server.CoalescingTransport`), and every kind of response still arrives whole: GET,
HEAD, 304, pipelined requests, a POST that expects 100-continue, a large image. It
answers cached images itself, without the ASGI app, as the app would have."""

import asyncio
import io
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from imagegen.app import create_app
from imagegen.observe import FLUSH_SECONDS
from imagegen.server import GuardedHttpProtocol
from imagegen.settings import Settings
from tests.conftest import decode

WRITES: list[bytes] = []


class _RecordingTransport:
    """The real transport, each write also recorded (with the bytes it carried)."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        WRITES.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> object:
        return getattr(self._transport, name)


class RecordingProtocol(GuardedHttpProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_RecordingTransport(transport))  # type: ignore[arg-type]


APP = create_app(Settings.defaults().model_copy(update={"render_processes": 0}))


@pytest.fixture(scope="module")
def served() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = APP
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        http=RecordingProtocol,
        proxy_headers=False,  # as `imagegen serve` runs it
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(timeout=5)


def exchange(port: int, data: bytes, responses: int = 1, expect: bytes = b"") -> list[bytes]:
    """Send `data` on one connection and read `responses` whole responses (by their
    Content-Length; none after a HEAD or a 304)."""
    WRITES.clear()
    out = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        if expect:  # wait for the interim answer before the body
            head, _, body = data.partition(b"\r\n\r\n")
            sock.sendall(head + b"\r\n\r\n")
            interim = b""
            while b"\r\n\r\n" not in interim:
                interim += sock.recv(65536)
            assert interim.startswith(expect), interim
            sock.sendall(body)
        else:
            sock.sendall(data)
        buffer = b""
        head_only = data.startswith(b"HEAD ")
        while len(out) < responses:
            while b"\r\n\r\n" not in buffer:
                buffer += sock.recv(65536)
            head, _, rest = buffer.partition(b"\r\n\r\n")
            length = 0
            if not head_only and b" 304 " not in head.split(b"\r\n")[0]:
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
            while len(rest) < length:
                rest += sock.recv(65536)
            out.append(head + b"\r\n\r\n" + rest[:length])
            buffer = rest[length:]
    return out


def get(path: str, extra: str = "", method: str = "GET") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: t\r\n{extra}\r\n".encode()


def body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]


def test_an_image_is_one_write_cold_and_cached(served):
    for _ in range(2):  # rendered, then from the cache
        (response,) = exchange(served, get("/placeholder/300x200.png"))
        assert response.startswith(b"HTTP/1.1 200 ")
        assert decode(body_of(response)).size == (300, 200)
        assert len(WRITES) == 1 and WRITES[0] == response


def test_head_sends_the_head_alone(served):
    (response,) = exchange(served, get("/placeholder/300x200.png", method="HEAD"))
    assert response.startswith(b"HTTP/1.1 200 ")
    assert b"content-length: " in response.lower()
    assert len(WRITES) == 1 and WRITES[0] == response


def test_not_modified_is_one_write(served):
    (first,) = exchange(served, get("/placeholder/301x200.png"))
    etag = next(
        line.split(b": ", 1)[1].decode()
        for line in first.split(b"\r\n")
        if line.lower().startswith(b"etag:")
    )
    (response,) = exchange(served, get("/placeholder/301x200.png", f"If-None-Match: {etag}\r\n"))
    assert response.startswith(b"HTTP/1.1 304 ")
    assert len(WRITES) == 1 and WRITES[0] == response


def test_pipelined_requests_are_answered_in_order(served):
    requests = get("/placeholder/302x200.png") + get("/fonts") + get("/placeholder/40x30.png")
    image, fonts, small = exchange(served, requests, responses=3)
    assert decode(body_of(image)).size == (302, 200)
    assert any(font["name"] == "lato" for font in json.loads(body_of(fonts)))
    assert decode(body_of(small)).size == (40, 30)
    assert b"".join(WRITES) == image + fonts + small


def test_a_post_that_expects_100_continue(served):
    body = json.dumps({"data": "hello", "size": 120}).encode()
    request = (
        b"POST /qr.png HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )
    (response,) = exchange(served, request, expect=b"HTTP/1.1 100 Continue")
    assert response.startswith(b"HTTP/1.1 200 ")
    assert decode(body_of(response)).size == (120, 120)


def test_a_large_image_arrives_whole(served):
    (response,) = exchange(served, get("/placeholder/4000x4000.jpg?quality=100"))
    assert response.startswith(b"HTTP/1.1 200 ")
    assert len(body_of(response)) > 64 * 1024  # sent behind its head, not copied into it
    assert decode(body_of(response)).size == (4000, 4000)
    assert b"".join(WRITES) == response
    assert len(WRITES) == 2


@pytest.fixture
def app_tasks(monkeypatch) -> list[str]:
    """The paths of the requests handed to the ASGI app, from now on."""
    started: list[str] = []
    start = HttpToolsProtocol._start_asgi_task

    def counting(self, cycle, app) -> None:
        started.append(cycle.scope["path"])
        start(self, cycle, app)

    monkeypatch.setattr(HttpToolsProtocol, "_start_asgi_task", counting)
    return started


def log_stream() -> io.StringIO:
    """Where the access log writes from now on (lines already batched go there too)."""
    stream = io.StringIO()
    APP.observer.access_log.stream = stream
    return stream


def written(stream: io.StringIO) -> list[str]:
    """The lines in `stream` once the server's next batch is out (it writes them from
    its own thread: this one only waits)."""
    time.sleep(FLUSH_SECONDS + 0.3)
    return stream.getvalue().splitlines()


def test_cached_images_are_answered_without_the_app(served, app_tasks):
    path = "/placeholder/303x200.png"
    (cold,) = exchange(served, get(path))
    assert app_tasks == [path]
    written(log_stream())  # the cold request's line is out
    stream = log_stream()
    # Thousands of cached requests pipelined in one write: answered in order, whole,
    # each as the app answers a cached image (no task, no recursion).
    answers = exchange(served, get(path) * 3000, responses=3000)
    assert app_tasks == [path]
    heads = {answer.partition(b"\r\n\r\n")[0].split(b"\r\n")[0] for answer in answers}
    assert heads == {b"HTTP/1.1 200 OK"}
    assert {body_of(answer) for answer in answers} == {body_of(cold)}
    names = [
        line.split(b":")[0] for line in answers[0].partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]
    ]
    assert names == [b"date", b"content-type", b"content-length", b"etag", b"cache-control"]
    lines = written(stream)
    assert len(lines) == 3000 and all(
        line.endswith(f'"GET {path}" 200 {len(body_of(cold))} png hit -') for line in lines
    )


def test_a_cached_answer_honours_connection_close(served, app_tasks):
    path = "/placeholder/304x200.png"
    exchange(served, get(path))
    for request in (get(path, "Connection: close\r\n"), f"GET {path} HTTP/1.0\r\n\r\n".encode()):
        with socket.create_connection(("127.0.0.1", served), timeout=10) as sock:
            sock.sendall(request)
            received = b""
            while chunk := sock.recv(65536):  # until the server closes the connection
                received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200 ") and b"\r\nconnection: close" in head
        assert decode(body).size == (304, 200)
    assert app_tasks == [path]
