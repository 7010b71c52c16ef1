"""Shared fixtures: the app with default settings, a test client, a live uvicorn server."""

import io
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from imagegen.app import create_app
from imagegen.settings import Settings


@pytest.fixture(scope="session")
def app() -> FastAPI:
    return create_app(Settings.defaults())


@pytest.fixture(scope="session")
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


def decode(content: bytes) -> Image.Image:
    """Decode response bytes with Pillow, failing the test if they are not an image."""
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def rss_bytes() -> int:
    """Resident memory of this process (which also runs `live_server`'s thread)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@pytest.fixture(scope="session")
def live_server(app: FastAPI) -> Iterator[tuple[str, int]]:
    """A real uvicorn serving `app` on a free loopback port: (host, port)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    yield host, port
    server.should_exit = True
    thread.join(timeout=5)
