"""Shared fixtures: the app with default settings, a test client, a live uvicorn server."""

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from imagegen.app import create_app
from imagegen.formats import PDF, SVG, ImageFormat
from imagegen.settings import Settings

# Tests that need something a plain `pip install` does not bring skip with a reason that
# starts with this, naming how to install it; the run then ends with a loud summary of
# them. In CI (CI set), where .ci/run installs everything, they run, and fail if it is
# missing, instead of skipping.
NOT_TESTED = "NOT TESTED: "
NEEDS_CHROMIUM = (
    NOT_TESTED + "browser tests need Debian's chromium (/usr/bin/chromium): "
    "sudo apt-get install chromium  (or run: bash .ci/run)"
)


def loud_skip_unless_ci(missing: bool, reason: str) -> pytest.MarkDecorator:
    """Skip, loudly, when `missing` on a developer's machine; never in CI."""
    return pytest.mark.skipif(missing and not os.environ.get("CI"), reason=reason)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly what was not tested, and the one command that makes it testable: a
    quiet "7 skipped" would let a reader believe the browser tests passed."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        if NOT_TESTED in reason:
            reason = reason[reason.index(NOT_TESTED) + len(NOT_TESTED) :]
            reasons[reason] = reasons.get(reason, 0) + 1
    if reasons:
        terminalreporter.section("NOT TESTED", sep="!", red=True, bold=True)
        for reason, count in reasons.items():
            terminalreporter.write_line(f"{count} tests did not run: {reason}", red=True, bold=True)


@pytest.fixture(scope="session")
def app() -> FastAPI:
    return create_app(Settings.defaults())


# What the test client sends as `Accept`: anything, and JSON for errors, as an API client
# would. Without JSON named, the compatibility routes draw their errors as images (for
# `<img>`); tests/test_error_images.py checks those with a browser's Accept.
API_ACCEPT = "*/*, application/json;q=0.1"


def api_client(app: FastAPI, **kwargs: object) -> TestClient:
    """A test client that names JSON in its Accept header, as an API client would."""
    return TestClient(app, headers={"accept": API_ACCEPT}, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def client(app: FastAPI) -> TestClient:
    return api_client(app)


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


def assert_format(content: bytes, fmt: ImageFormat) -> Image.Image | None:
    """Fail unless `content` is a whole file of `fmt`. Raster formats are decoded by
    Pillow, and the image is returned; SVG must parse as XML, PDF have its header and end."""
    if fmt == SVG:
        assert ElementTree.fromstring(content).tag == "{http://www.w3.org/2000/svg}svg"
        return None
    if fmt == PDF:
        assert content.startswith(b"%PDF-")
        assert b"%%EOF" in content[-64:]
        return None
    image = decode(content)
    assert Image.MIME[image.format] == fmt.media_type
    return image


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
