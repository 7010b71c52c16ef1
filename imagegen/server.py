"""`imagegen serve`: uvicorn with limits that make it safe on a public port.

uvicorn bounds neither the size of a request head nor the time a client may take to send
it: with httptools a 1 MB header is read whole, and a client that sends a byte a minute
holds its socket (and a file descriptor) forever, so a thousand of them lock everyone
out. `GuardedHttpProtocol` adds both bounds; the rest are uvicorn's own options.

It also sends each response's head and its body in one write: uvicorn writes them
separately, two system calls and two TCP segments for every image, when most of them,
cached ones above all, are a few kilobytes sent at once (`CoalescingTransport`). And it
answers a cached image without the ASGI app when the app's cache is its first layer
(`GuardedHttpProtocol._start_asgi_task`).
"""

import asyncio
import json
import os
import resource
import shutil
import sys
import tempfile
from functools import cache
from typing import Any

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import (
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from imagegen.errors import ErrorBody
from imagegen.settings import Settings


@cache
def _settings() -> Settings:
    """The server's settings, read once per worker process from `IMAGEGEN_*`."""
    return Settings()


def _error_bytes(status: int, reason: str, error: str, message: str) -> bytes:
    body = json.dumps(ErrorBody(status=status, error=error, message=message).model_dump())
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return (head + body).encode()


# Bodies up to this size are copied behind their head and sent with it in one write.
_COALESCE_BYTES = 64 * 1024


class CoalescingTransport:
    """A connection's transport as uvicorn's request cycles see it: a response's head
    (status line and headers) is held until the first write of its body, then both go
    out in one write. Every other write, and closing, goes through at once (after what
    is held), so bytes leave in the order they were written."""

    __slots__ = ("_held", "_transport", "cycle", "head_next")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: bytes | None = None
        self.cycle: RequestResponseCycle | None = None
        self.head_next = False  # the cycle's next write, once its response started, is its head

    def attach(self, cycle: RequestResponseCycle) -> None:
        """Serve `cycle`'s writes from now on."""
        self.cycle = cycle
        self.head_next = True
        cycle.transport = self  # type: ignore[assignment]

    def write(self, data: bytes) -> None:
        cycle = self.cycle
        if self.head_next and cycle is not None and cycle.response_started:
            self.head_next = False
            if self._held is None:
                self._held = data
                return
        held = self._held
        if held is None:
            self._transport.write(data)
            return
        self._held = None
        if len(data) <= _COALESCE_BYTES:
            self._transport.write(held + data)
        else:  # not worth copying a large body for: two writes
            self._transport.write(held)
            self._transport.write(data)

    def flush(self) -> None:
        """Write what is held."""
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a bound on each request head's bytes
    (`max_head_bytes`: a JSON 414 for a long request line, 431 for long headers) and
    on the time to receive it (`head_timeout`: the connection is closed).

    It also answers cached images itself. When the app's render cache is its first
    layer (`ImagegenApp.front_cache`), a request the cache can answer gets its response
    written at once, in one write, with no ASGI task, scope messages or header checks
    (the cached headers were checked when first sent): what the app would have sent,
    counted and logged the same way. That makes a cached image cheaper than a bare ASGI
    app's fixed bytes. Requests are still answered in order: uvicorn starts a
    pipelined request only when the one before it has been answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = _settings()
        self._max_head = settings.max_head_bytes
        self._head_timeout = settings.head_timeout
        self._reading_head = True
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._discarding = False
        self._writes: CoalescingTransport | None = None
        self._heads = 0  # request heads completed on this connection
        self._answering = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._writes = CoalescingTransport(transport)
        self._arm_head_timer()

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self._head_timeout, self._head_timed_out)

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        idle = self.cycle is None or self.cycle.response_complete  # not mid-render
        if self._reading_head and idle and not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._discarding:
            return
        reading, heads = self._reading_head, self._heads
        super().data_received(data)
        done = heads != self._heads or not self._reading_head  # a head completed
        if not reading or done or self.transport.is_closing():
            return
        # Part of a head arrived and the rest has not: its time starts now (a head that
        # arrives whole, as nearly all do, costs no timer; between requests uvicorn's
        # keep-alive timeout bounds the wait).
        self._arm_head_timer()
        self._head_bytes += len(data)
        if self._head_bytes > self._max_head:
            self._refuse_head()

    def _refuse_head(self) -> None:
        limit = self._max_head
        if len(getattr(self, "url", b"")) >= limit or not self.headers:
            response = _error_bytes(
                414,
                "URI Too Long",
                "uri_too_long",
                f"The request line must be under {limit} bytes.",
            )
        else:
            response = _error_bytes(
                431,
                "Request Header Fields Too Large",
                "headers_too_large",
                f"The request line and headers must be at most {limit} bytes in all.",
            )
        self._disarm_head_timer()
        self.transport.write(response)
        # Close gently: closing with the rest of the head unread would send a reset, and
        # the client would lose the answer. Stop writing, discard what still arrives, and
        # close once the client does, or after a second.
        self._discarding = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(1.0, self.transport.close)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._heads += 1
        self._disarm_head_timer()
        cycle = self.cycle
        super().on_headers_complete()
        new = self.cycle
        if new is not cycle and new is not None and not new.response_complete and self._writes:
            self._writes.attach(new)

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: ASGIApp) -> None:  # type: ignore[override]
        # Not while answering one already: a client that pipelines thousands of cached
        # requests would otherwise recurse once per request (each answer starts the next).
        # Nor while the client is not reading: the app's path waits for it to drain.
        if app is self.app and not self._answering and not self.flow.write_paused:
            cache = getattr(app, "front_cache", None)
            found = None if cache is None else cache.answer(cycle.scope)
            if found is not None:
                self._answering = True
                try:
                    self._answer(cycle, *found)
                    cache.answered(cycle.scope, *found)
                    cycle.on_response()
                finally:
                    self._answering = False
                return
        super()._start_asgi_task(cycle, app)

    def _answer(
        self,
        cycle: RequestResponseCycle,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        """Write a whole response as uvicorn's cycle would (its default headers, such as
        Date, first; `connection: close` when the connection will not be kept)."""
        head = [STATUS_LINE[status]]
        for name, value in (*self.server_state.default_headers, *headers):
            head += (name, b": ", value, b"\r\n")
        if not cycle.keep_alive:
            head.append(b"connection: close\r\n")
        head.append(b"\r\n")
        if cycle.scope["method"] == "HEAD":
            body = b""
        cycle.response_started = cycle.response_complete = True
        if len(body) <= _COALESCE_BYTES:
            self.transport.write(b"".join(head) + body)
        else:
            self.transport.write(b"".join(head))
            self.transport.write(body)
        if not cycle.keep_alive:
            self.transport.close()

    def on_response_complete(self) -> None:
        self._reading_head, self._head_bytes = True, 0
        if self._writes is not None:
            self._writes.flush()  # a HEAD response's head: no body write follows it
        super().on_response_complete()  # arms uvicorn's keep-alive timeout

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)


# Seconds uvicorn's supervisor waits for a worker to answer its health check before it
# kills and replaces it (uvicorn's default: 5). A worker that is starting imports the
# app, loads fonts and starts its render processes: with several workers starting at
# once on a small or busy machine that took longer than 5 s, and every worker was
# killed and restarted in a loop (4 workers on 2 busy cores never came up).
WORKER_HEALTHCHECK_SECONDS = 60


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (each connection
    is one); the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def banner(settings: Settings, workers: int, open_files: int) -> str:
    """What `imagegen serve` prints on start: where to go, and the limits in force."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    base = f"http://{host}:{settings.port}"
    cache = f"{settings.cache_max_bytes / 2**20:g} MiB" if settings.cache_max_bytes else "off"
    signing = "on (signed URLs only)" if settings.signing_key else "off"
    return "\n".join(
        (
            f"imagegen on {base}  ({workers} worker{'s' if workers > 1 else ''})",
            f"  playground  {base}/",
            f"  API docs    {base}/docs   (spec: {base}/openapi.json)",
            f"  images      at most {settings.max_width}×{settings.max_height} px, "
            f"{settings.max_pixels:,} px with scale, scale ≤ {settings.max_scale}; "
            f"text ≤ {settings.max_text_length} chars",
            f"  requests    query ≤ {settings.max_query_bytes:,} B, body ≤ "
            f"{settings.max_body_bytes:,} B, head ≤ {settings.max_head_bytes:,} B in "
            f"{settings.head_timeout:g} s",
            f"  renders     {settings.render_threads} threads and {settings.render_processes} "
            f"render processes, {settings.max_renders} under "
            f"way, {settings.render_timeout:g} s budget, cost ≤ "
            f"{settings.max_render_cost / 1000:g} s; cache {cache} per worker",
            f"  connections ≤ {settings.max_connections:,} per worker (open files "
            f"{open_files:,}); URL signing {signing}",
            f"  operations  {base}/healthz, /readyz, /metrics; access log "
            f"{settings.access_log}; shared cache {'Redis' if settings.redis_url else 'off'}",
            '  (limits are IMAGEGEN_* environment variables: see README, "Errors and limits")',
        )
    )


def prepare_multiprocess_dir() -> str | None:
    """Point prometheus_client's multiprocess mode (see `metrics.py`) at a fresh
    temporary folder, unless `PROMETHEUS_MULTIPROC_DIR` is set already (that one is used
    as it is); the folder made, or None. Before prometheus_client is imported: it
    chooses its mode then."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    path = tempfile.mkdtemp(prefix="imagegen-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
    return path


def serve(settings: Settings, workers: int, log_level: str) -> None:
    """Run the app with uvicorn on `settings.host`/`settings.port` and their limits.

    The workers share one folder of metrics (removed at exit). imagegen writes the
    access log (`access_log`), uvicorn's is off: it formats and writes each request as
    it goes, which halved cached throughput. `X-Forwarded-For` is not uvicorn's to
    apply: only the `trusted_proxies` setting decides whom to believe. On SIGTERM a
    worker reports not ready, serves on for `shutdown_drain` seconds, stops listening,
    and gives requests in flight their render budget to finish."""
    metrics_dir = prepare_multiprocess_dir()
    try:
        _run(settings, workers, log_level)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


def _run(settings: Settings, workers: int, log_level: str) -> None:
    print(banner(settings, workers, raise_open_file_limit()), flush=True)
    # Render threads hold the GIL for Python's default 5 ms slices; the event loop, which
    # answers cached images in well under a millisecond, waits for one. Shorter slices
    # let it in more often (bench/loop.py: cached throughput under 8 chart renders 2,545
    # -> 4,562 req/s, p99 under costly 422s 45 -> 35 ms at 1 ms).
    sys.setswitchinterval(settings.gil_switch_interval)
    uvicorn.run(
        "imagegen.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=log_level,
        http=GuardedHttpProtocol,
        limit_concurrency=settings.max_connections,
        timeout_keep_alive=settings.keep_alive_timeout,
        timeout_graceful_shutdown=int(settings.render_timeout) + 2,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        access_log=False,
        proxy_headers=False,
        # No `server: uvicorn` on every response: it names the software to anyone who
        # asks, and it is one more header to validate and send per image.
        server_header=False,
    )
