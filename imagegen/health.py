"""`/healthz`, `/readyz` and `/metrics`, and readiness that turns off first on SIGTERM.

The three routes are answered before every other layer (only the render cache's lookup
comes first, when it is in front, and it never holds them): no signature, rate limit,
CORS or access-log line applies to them, and they are not in the OpenAPI spec (they are
for the machines that run imagegen, not for its API's clients).

- `/healthz`: 200 while the process can answer at all (liveness).
- `/readyz`: 200 when this worker should get traffic: its fonts and generators are
  loaded, and it is not shutting down; 503 from the moment it receives SIGTERM. It also
  says whether the shared cache (Redis) answers, but stays 200 when it does not: the
  server renders without it, and taking every instance out of a balancer because a cache
  is down would turn a slower service into none.
- `/metrics`: Prometheus' text format (see `metrics.py`).
"""

import asyncio
import json
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from imagegen.errors import error_response
from imagegen.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from imagegen.observe import Observer

HEALTH_PATHS = ("/healthz", "/readyz", "/metrics")


class Pingable(Protocol):
    async def ping(self) -> bool:
        """Whether the service answers, within its timeout."""
        ...


class Health:
    """Whether this worker process is ready for traffic."""

    def __init__(self, fonts: int, generators: int, shared_cache: Pingable | None) -> None:
        self.fonts = fonts
        self.generators = generators
        self.shared_cache = shared_cache
        self.draining = False

    async def readiness(self) -> tuple[int, dict[str, Any]]:
        """(status code, body) of `/readyz`."""
        checks: dict[str, Any] = {
            "fonts": self.fonts,
            "generators": self.generators,
            "shutting_down": self.draining,
        }
        if self.shared_cache is not None:
            checks["shared_cache"] = "ok" if await self.shared_cache.ping() else "unreachable"
        ready = self.fonts > 0 and self.generators > 0 and not self.draining
        return (200 if ready else 503), {"status": "ready" if ready else "not_ready"} | checks


async def _send(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HealthMiddleware:
    """Answers `/healthz`, `/readyz` and `/metrics` before any other layer."""

    def __init__(self, app: ASGIApp, health: Health, observer: Observer) -> None:
        self.app = app
        self.health = health
        self.observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path")
        if scope["type"] != "http" or path not in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            response = error_response(
                405, "method_not_allowed", "Method Not Allowed", {"allow": "GET, HEAD"}
            )
            await response(scope, receive, send)
            return
        if path == "/healthz":
            await _send(send, 200, b'{"status":"ok"}', b"application/json")
        elif path == "/readyz":
            status, body = await self.health.readiness()
            await _send(send, status, json.dumps(body).encode(), b"application/json")
        else:
            self.observer.flush()  # this worker's latest counts
            body = await asyncio.to_thread(self.observer.metrics.exposition)
            await _send(send, 200, body, METRICS_CONTENT_TYPE.encode())


def drain_on_sigterm(health: Health, seconds: float) -> Callable[[], None] | None:
    """Make SIGTERM turn readiness off at once and reach the server (uvicorn, which
    then stops listening and waits for requests in flight) `seconds` later. Returns what
    undoes it, or None when there is no server's handler to chain to (not the main
    thread, as in tests, or a server that does not catch SIGTERM). A second SIGTERM
    goes through at once."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.getsignal(signal.SIGTERM)
    if not callable(previous):
        return None
    loop = asyncio.get_running_loop()

    def on_sigterm(sig: int, frame: FrameType | None) -> None:
        if health.draining or seconds == 0:
            health.draining = True
            previous(sig, frame)
            return
        health.draining = True
        loop.call_soon_threadsafe(loop.call_later, seconds, previous, sig, None)

    signal.signal(signal.SIGTERM, on_sigterm)
    return lambda: signal.signal(signal.SIGTERM, previous)
