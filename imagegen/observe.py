"""What each request did, for the access log and the metrics, at a cost a cached image
can afford.

`ObserveMiddleware` wraps the whole app: it gives each request a `RequestRecord`, which
inner layers fill through `Observer` (the cache says hit or miss, the route how long the
render took), and when the response is sent, the record becomes one access-log line and
a count. Lines and counts are batched and written out every `FLUSH_SECONDS` (and before
a scrape of `/metrics`, and at shutdown): one write and a few counter updates per batch
instead of per request. uvicorn's own access log, formatted and written request by
request, halved cached throughput; this costs a few percent.
"""

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import Iterable
from contextvars import ContextVar
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagegen.cache import CacheEvents, Headers
from imagegen.formats import ALL_FORMATS
from imagegen.metrics import Metrics
from imagegen.signing import split_signature

# Lines and counts wait at most this long before they are written: long enough to batch
# hundreds of requests at full load, short enough to read a log as it happens.
FLUSH_SECONDS = 0.25
# A batch is written at once past this many lines, which bounds its memory.
MAX_BATCH_LINES = 2000
# Paths with their queries are logged up to this many characters (a query may be 32 KB).
MAX_LOGGED_TARGET = 2000
# One write of at most this many bytes to a pipe is never interleaved with another
# process's (POSIX PIPE_BUF): workers sharing standard output keep their lines whole.
_ATOMIC_WRITE = 4096
_SIGNATURE_MARK = b"signature="
# Paths whose route label is remembered (a dict of strings, about 100 bytes each);
# forgotten all at once past this many, so that random paths cannot grow it.
_MAX_REMEMBERED_PATHS = 4096
# Cached answers whose line and count are remembered, forgotten all at once past this
# many: each at most about 7 KB (a cached request's key is at most 4 KB, and its line's
# part at most MAX_LOGGED_TARGET characters and its fields), 3.5 MB in all.
_MAX_REMEMBERED_ANSWERS = 512

_current: ContextVar["RequestRecord | None"] = ContextVar("imagegen_request", default=None)


class RequestRecord:
    """What one request did, filled in as it goes through the layers."""

    __slots__ = ("bytes", "cache", "headers", "render_ms", "status")

    def __init__(self) -> None:
        self.status = 500  # what the server answers when the app sends nothing
        self.headers: Iterable[tuple[bytes, bytes]] = ()
        self.bytes = 0
        self.cache = ""  # hit, shared, joined or miss, for image requests
        self.render_ms: float | None = None


def client_address(scope: Scope, trusted: tuple[IPv4Network | IPv6Network, ...]) -> str:
    """The client's address: the peer's, unless the peer is one of the `trusted`
    proxies, in which case the rightmost address of `X-Forwarded-For` that is not itself
    a trusted proxy (the leftmost ones are whatever the client chose to send)."""
    peer = scope.get("client")
    address = peer[0] if peer else ""
    if not trusted or not _is_trusted(address, trusted):
        return address or "-"
    forwarded = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
    for hop in reversed(forwarded.decode("latin-1").split(",")):
        hop = hop.strip()
        if not hop:
            continue
        address = hop
        if not _is_trusted(hop, trusted):
            break
    return address or "-"


def _is_trusted(address: str, trusted: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


class AccessLog:
    """Access-log lines, batched: `text` (space-separated fields) or `json` (JSON lines)
    to `stream`. Text lines read:

        2026-12-03T08:01:33Z 127.0.0.1 "GET /qr.png?data=hi" 200 424 png miss 3.1

    time (UTC, to the second), client, method and path with its query (less any
    `signature`), status, body bytes, format, cache (`hit`, `shared`, `joined`, `miss`;
    `-` when no image was asked for) and render milliseconds (`-` when none)."""

    def __init__(self, style: str, stream: TextIO) -> None:
        self.json = style == "json"
        self.stream = stream
        self.lines: list[str] = []
        self._stamp = ""
        self._stamp_until = 0.0  # time.monotonic() when `_stamp` turns stale

    def request_part(self, method: str, target: str, record: RequestRecord, fmt: str) -> str:
        """What a request's line says after its time and client."""
        if self.json:
            fields = {
                "method": method,
                "path": target,
                "status": record.status,
                "bytes": record.bytes,
                "format": fmt,
                "cache": record.cache or None,
                "render_ms": record.render_ms,
            }
            return json.dumps(fields, ensure_ascii=False)[1:]  # to follow time and client
        if not target.isprintable() or '"' in target:
            target = json.dumps(target)[1:-1]  # escaped: one request, one line
        render = "-" if record.render_ms is None else f"{record.render_ms:.1f}"
        return (
            f'"{method} {target}" {record.status} {record.bytes} {fmt} '
            f"{record.cache or '-'} {render}"
        )

    def add(self, now: float, client: str, part: str) -> None:
        """One request's line, from its `request_part`; `now` is `time.monotonic()`."""
        if now >= self._stamp_until:  # the time is formatted once a second, not per line
            wall = time.time()
            self._stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(wall))
            self._stamp_until = now + 1 - wall % 1
        if self.json:
            client = json.dumps(client, ensure_ascii=False)
            self.lines.append(f'{{"time": "{self._stamp}", "client": {client}, {part}')
        else:
            self.lines.append(f"{self._stamp} {client} {part}")

    def flush(self) -> None:
        """Write the lines batched so far."""
        if not self.lines:
            return
        lines, self.lines = self.lines, []
        try:
            fd = self.stream.fileno()
        except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
            self.stream.write("\n".join(lines) + "\n")
            self.stream.flush()
            return
        self.stream.flush()
        for chunk in _chunks(lines):
            with contextlib.suppress(BlockingIOError):
                os.write(fd, chunk)


def _chunks(lines: list[str]) -> Iterable[memoryview]:
    """The lines as bytes in writes of at most `_ATOMIC_WRITE` bytes, each of whole lines
    (a longer line alone): encoded at once and cut at the last line end that fits."""
    data = memoryview(("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))
    raw = data.obj
    assert isinstance(raw, bytes)
    start, size = 0, len(data)
    while start < size:
        end = start + _ATOMIC_WRITE
        cut = size - 1 if end >= size else raw.rfind(b"\n", start, end)
        if cut < start:  # a line longer than a write: alone, whole
            cut = raw.find(b"\n", start)
        yield data[start : cut + 1]
        start = cut + 1


class Observer(CacheEvents):
    """Request records turned into access-log lines and metrics, and the cache's and
    renders' events turned into metrics."""

    def __init__(
        self,
        metrics: Metrics,
        access_log: AccessLog | None,
        route_labels: dict[str, str],
        trusted_proxies: tuple[IPv4Network | IPv6Network, ...],
    ) -> None:
        self.metrics = metrics
        self.access_log = access_log
        self.route_labels = route_labels
        self.trusted_proxies = trusted_proxies
        self._formats = {fmt.media_type.encode(): fmt.name for fmt in ALL_FORMATS} | {
            b"application/json": "json",
            b"text/html": "html",
            b"text/html; charset=utf-8": "html",
            b"text/plain; charset=utf-8": "text",
            b"text/css; charset=utf-8": "css",
            b"text/javascript; charset=utf-8": "js",
        }
        self._counts: dict[tuple[str, int, str, str], int] = {}
        self._label_of_path: dict[str, str] = {}
        self._children: dict[tuple[str, int, str, str], Any] = {}
        # Requests answered from the cache -> their count's key and their line's part.
        self._answers: dict[tuple[Any, ...], tuple[tuple[str, int, str, str], str]] = {}
        # The loop in which a flush is scheduled: none, or a loop that is closed (tests
        # run each request in a loop of its own), means a flush is to be scheduled.
        self._flush_loop: asyncio.AbstractEventLoop | None = None

    # --- requests ------------------------------------------------------------------

    def route_label(self, path: str) -> str:
        """The route a path belongs to, by its first segment (`/qr` for `/qr.png`),
        `other` for unknown paths: a label of bounded cardinality."""
        label = self._label_of_path.get(path)
        if label is not None:
            return label
        segment = path[1:].partition("/")[0]
        label = self.route_labels.get(segment)
        if label is None:
            label = self.route_labels.get(segment.partition(".")[0], "other")
        if len(self._label_of_path) >= _MAX_REMEMBERED_PATHS:
            self._label_of_path.clear()
        self._label_of_path[path] = label
        return label

    def format_label(self, headers: Iterable[tuple[bytes, bytes]]) -> str:
        for name, value in headers:
            if name == b"content-type":
                return self._formats.get(value) or self._formats.get(
                    value.partition(b";")[0].strip(), "other"
                )
        return "-"

    def finished(self, scope: Scope, record: RequestRecord) -> None:
        """Count and log one request whose response has been sent."""
        fmt = self.format_label(record.headers)
        self._count((self.route_label(scope["path"]), record.status, fmt, record.cache))
        self._log(scope, self._request_part(scope, record, fmt))

    def answered(self, scope: Scope, status: int, headers: Headers, body_bytes: int) -> None:
        """A request answered from the cache in front of `ObserveMiddleware`: counted and
        logged as `finished` does, with what its line and count share with the last
        answer to the same request remembered (a cached image is asked for again and
        again; this is most of what it costs)."""
        path = scope["path"]
        method, query = scope["method"], scope["query_string"]
        answer = (scope.get("raw_path"), path, query, method, status, body_bytes)
        known = self._answers.get(answer)
        if known is None:
            record = RequestRecord()
            record.status, record.headers, record.bytes = status, headers, body_bytes
            record.cache = "hit"
            fmt = self.format_label(headers)
            if len(self._answers) >= _MAX_REMEMBERED_ANSWERS:
                self._answers.clear()
            known = (
                (self.route_label(path), status, fmt, "hit"),
                self._request_part(scope, record, fmt),
            )
            self._answers[answer] = known
        self._count(known[0])
        self._log(scope, known[1])

    def _count(self, key: tuple[str, int, str, str]) -> None:
        counts = self._counts
        counts[key] = counts.get(key, 0) + 1

    def _request_part(self, scope: Scope, record: RequestRecord, fmt: str) -> str:
        """The request's access-log line after time and client ("" with no log)."""
        if self.access_log is None:
            return ""
        query = scope["query_string"]
        target = scope.get("raw_path") or scope["path"].encode()
        if query:
            if _SIGNATURE_MARK in query:
                query, _ = split_signature(query)
            target += b"?" + query
        if len(target) > MAX_LOGGED_TARGET:
            target = target[:MAX_LOGGED_TARGET] + b"..."
        return self.access_log.request_part(scope["method"], target.decode("latin-1"), record, fmt)

    def _log(self, scope: Scope, part: str) -> None:
        log = self.access_log
        if log is not None:
            log.add(time.monotonic(), self._client(scope), part)
            if len(log.lines) >= MAX_BATCH_LINES:
                self.flush()
        self._flush_soon()

    def _client(self, scope: Scope) -> str:
        if self.trusted_proxies:
            return client_address(scope, self.trusted_proxies)
        peer = scope.get("client")
        return peer[0] if peer else "-"

    def _flush_soon(self) -> None:
        """Make sure a flush is scheduled. Not with asyncio.get_running_loop() on every
        request: on Python 3.11 it makes a system call (getpid), which under load cost
        more than the rest of a cached image's logging."""
        loop = self._flush_loop
        if loop is None or loop.is_closed():
            self._flush_loop = loop = asyncio.get_running_loop()
            loop.call_later(FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        """Write the batched lines and add the batched counts to the metrics."""
        self._flush_loop = None
        if self.access_log is not None:
            self.access_log.flush()
        counts, self._counts = self._counts, {}
        metrics = self.metrics
        for key, count in counts.items():
            route, status, fmt, cache = key
            child = self._children.get(key)
            if child is None:
                child = self._children[key] = metrics.requests.labels(route, str(status), fmt)
            child.inc(count)
            if cache:
                metrics.cache_requests.labels(cache).inc(count)
            if status == 304:
                metrics.not_modified.inc(count)
            elif status == 503:
                metrics.unavailable.inc(count)
            elif status == 429:
                metrics.rate_limited.inc(count)

    # --- the cache's and the renders' events -----------------------------------------

    def found(self, result: str) -> None:
        record = _current.get()
        if record is not None:
            record.cache = result

    def rendered(self, generator: str, fmt: str, seconds: float) -> None:
        """A render for the current request took `seconds`."""
        self.metrics.render_seconds.labels(generator, fmt).observe(seconds)
        record = _current.get()
        if record is not None:
            record.cache = "miss"
            record.render_ms = seconds * 1000

    def evicted(self) -> None:
        self.metrics.cache_evictions.inc()

    def resized(self, size: int) -> None:
        self.metrics.cache_bytes.set(size)

    def renders_changed(self, under_way: int) -> None:
        self.metrics.renders_under_way.set(under_way)

    def redis_failed(self, operation: str) -> None:
        self.metrics.redis_errors.labels(operation).inc()


class ObserveMiddleware:
    """Records each HTTP request's status, bytes and format as its response goes out,
    and hands the record to the `Observer` when it is done."""

    def __init__(self, app: ASGIApp, observer: Observer) -> None:
        self.app = app
        self.observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        record = RequestRecord()
        count_body = scope["method"] != "HEAD"  # the server sends no body for HEAD

        async def observing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
                record.headers = message.get("headers", ())
            elif count_body:
                record.bytes += len(message.get("body", b""))
            await send(message)

        token = _current.set(record)
        try:
            await self.app(scope, receive, observing_send)
        finally:
            _current.reset(token)
            self.observer.finished(scope, record)


def default_stream() -> TextIO:
    """Where access-log lines go: standard output."""
    return sys.stdout
