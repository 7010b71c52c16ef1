"""Strong ETags from canonical parameters, and a bounded in-memory render cache.

Rendering is deterministic, so an image is named by what produced it: the generator,
its validated parameters in canonical form (`fff` and `#FFFFFF` validate to the same
colour), the format, the encoder options and the project version. That name is both
the ETag and the cache key.

Two layers make repeats nearly free:
- `RenderCache` maps an ETag to the finished response (body and headers), bounded by
  total bytes, least recently used first out. The route handler fills it.
- `CacheMiddleware` remembers which ETag each raw request (method aside: path, query
  string and Accept) produced, and answers a repeat of that raw request straight from
  the cache at the ASGI level, before routing, validation or negotiation run.

Behind them, optionally, a `SecondLevel` cache shared by many processes (Redis, in
`shared_cache.py`) is asked before rendering. The cache reports what it does (hits,
evictions, its size, renders under way) to `CacheEvents`, for metrics and access logs.
"""

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagegen import __version__

# Raw requests longer than this are not remembered: they would crowd out the rest.
_MAX_ALIAS_KEY = 4096
# What an entry costs beyond its bytes (Python objects, the table's node), measured with
# tracemalloc over 20,000 entries: about 850 bytes an image with its headers, 220 an
# alias plus its key. Rounded up, so that the budget holds for what the process holds.
IMAGE_OVERHEAD = 1024
ALIAS_OVERHEAD = 256
# Aliases may take at most this share of the budget: a flood of distinct URLs for one
# image (an ignored parameter that changes) must not push every image out.
ALIAS_SHARE = 0.25


def compute_etag(generator: str, params: dict[str, Any], fmt: str, options: dict[str, Any]) -> str:
    """A strong ETag for one rendering: quoted, 32 hex digits of SHA-256."""
    canonical = json.dumps(
        [__version__, generator, params, fmt, options],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an `If-None-Match` header matches `etag` (weak comparison, RFC 9110 §13.1.2)."""
    if if_none_match.strip() == "*":
        return True
    candidates = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in candidates


Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class CachedImage:
    """A finished image response, with its headers ready to send as ASGI raw headers."""

    content: bytes
    etag: str
    headers: Headers  # of the 200, Content-Length included
    not_modified_headers: Headers  # of a 304: the same less the content ones (RFC 9110)

    @classmethod
    def build(cls, content: bytes, media_type: str, headers: dict[str, str]) -> "CachedImage":
        """`headers` are the representation's own, which both a 200 and a 304 carry:
        ETag and Cache-Control. Not Vary: one image is served both to requests that
        named its format and to requests whose Accept chose it."""
        common = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        full = [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(content)).encode()),
            *common,
        ]
        return cls(content, headers["etag"], full, common)


class CacheEvents:
    """What the cache reports, for metrics and access logs; this one ignores it all."""

    def found(self, result: str) -> None:
        """A request's image was found without a render of its own: `hit` (in this
        cache), `joined` (a render under way for another request), `shared` (in the
        second level)."""

    def evicted(self) -> None:
        """An image was dropped to stay within the cache's bytes."""

    def resized(self, size: int) -> None:
        """The cache now holds `size` bytes."""

    def renders_changed(self, under_way: int) -> None:
        """`under_way` renders are now running or queued."""

    def answered(self, scope: Scope, status: int, headers: Headers, body_bytes: int) -> None:
        """A request was answered from the cache by a `CacheMiddleware` in front of every
        other layer: the whole request, as access logs and request counts see it."""


class RenderQueueFull(Exception):
    """As many renders as allowed are under way: refuse another before any work."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"{limit} renders are under way")
        self.limit = limit


class Render:
    """One render under way, shared by the requests waiting for it.

    `started` is set (from the worker thread) when drawing begins; until then the render
    is only queued, and dropped when its last waiter leaves. `deadline` is when a running
    render stops being worth finishing: the renderer checks it between drawing and
    encoding (`past_deadline`), so a render stops within one phase of its budget."""

    def __init__(self) -> None:
        self.task: asyncio.Future[CachedImage]
        self.waiters = 0
        self.started = False
        self.dropped = False  # every waiter left before it started
        self.started_at = 0.0
        self.deadline = float("inf")

    def start(self, budget: float) -> bool:
        """Mark the render as drawing, with `budget` seconds from now (worker thread);
        False, and do not draw, if it was dropped while the thread got ready."""
        if self.dropped:
            return False
        self.started = True
        self.started_at = time.monotonic()
        self.deadline = self.started_at + budget
        return True

    def past_deadline(self) -> bool:
        return time.monotonic() > self.deadline


class SecondLevel(Protocol):
    """A cache shared by many processes, asked when this process's cache misses."""

    async def get_or_create(
        self, etag: str, create: Callable[[Render], Awaitable[CachedImage]], render: Render
    ) -> CachedImage:
        """The image for `etag` from the shared cache, or `create(render)`'s, shared."""
        ...


def _image_cost(image: CachedImage) -> int:
    return len(image.content) + IMAGE_OVERHEAD


def _alias_cost(raw_key: bytes, vary: Headers) -> int:
    return len(raw_key) + sum(len(name) + len(value) for name, value in vary) + ALIAS_OVERHEAD


class RenderCache:
    """ETag -> finished image, and raw request -> ETag, both least recently used first
    out, together bounded by `max_bytes`: images by their bytes, aliases by their keys,
    each with its measured overhead. Aliases take at most `ALIAS_SHARE` of it.

    Used only from the event loop thread, so it needs no lock.
    """

    def __init__(
        self,
        max_bytes: int,
        max_renders: int = 16,
        events: CacheEvents | None = None,
        second_level: SecondLevel | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_renders = max_renders
        self.events = events or CacheEvents()
        self.second_level = second_level
        self.size = 0  # what images and aliases cost together
        self.alias_size = 0
        self._images: OrderedDict[str, CachedImage] = OrderedDict()
        self._aliases: OrderedDict[bytes, tuple[str, Headers]] = OrderedDict()
        self._pending: dict[str, Render] = {}

    def get(self, etag: str) -> CachedImage | None:
        """The cached image for `etag`, marked as recently used."""
        image = self._images.get(etag)
        if image is not None:
            self._images.move_to_end(etag)
        return image

    def put(self, etag: str, image: CachedImage) -> None:
        """Keep `image`, evicting the least recently used ones to stay within bounds."""
        if _image_cost(image) > self.max_bytes or etag in self._images:
            return
        self._images[etag] = image
        self.size += _image_cost(image)
        self._shrink()

    def _shrink(self) -> None:
        while self.alias_size > self.max_bytes * ALIAS_SHARE:
            self._evict_alias()
        while self.size > self.max_bytes:
            if self._images:
                _, evicted = self._images.popitem(last=False)
                self.size -= _image_cost(evicted)
                self.events.evicted()
            else:
                self._evict_alias()
        self.events.resized(self.size)

    def _evict_alias(self) -> None:
        self._forget_alias(next(iter(self._aliases)))

    def _forget_alias(self, raw_key: bytes) -> None:
        _, vary = self._aliases.pop(raw_key)
        cost = _alias_cost(raw_key, vary)
        self.alias_size -= cost
        self.size -= cost

    async def get_or_create(
        self, etag: str, create: Callable[["Render"], Awaitable[CachedImage]]
    ) -> CachedImage:
        """The cached image for `etag`, or `create(render)`'s, stored. Concurrent requests
        for one ETag share a single render instead of each rendering it.

        At most `max_renders` renders are under way (queued for a thread or running):
        past that, `RenderQueueFull` at once, before any work. A render that every
        waiting request has left (client gone, or timed out) before it started is
        dropped; one already running goes on, and is cached, unless it passes its
        deadline (see `Render`)."""
        cached = self.get(etag)
        if cached is not None:
            self.events.found("hit")
            return cached
        render = self._pending.get(etag)
        if render is None:
            if len(self._pending) >= self.max_renders:
                raise RenderQueueFull(self.max_renders)
            render = Render()
            render.task = asyncio.ensure_future(self._create_and_keep(etag, create, render))
            self._pending[etag] = render
            self.events.renders_changed(len(self._pending))
            render.task.add_done_callback(lambda task: self._finished(etag, task))
        else:
            self.events.found("joined")
        render.waiters += 1
        try:
            # Shielded: one request that stops waiting does not stop the others' render.
            return await asyncio.shield(render.task)
        finally:
            render.waiters -= 1
            if render.waiters == 0 and not render.started and not render.task.done():
                render.dropped = True
                render.task.cancel()

    def _finished(self, etag: str, task: "asyncio.Future[CachedImage]") -> None:
        self._pending.pop(etag, None)
        self.events.renders_changed(len(self._pending))
        if not task.cancelled():
            task.exception()  # retrieved: a render whose waiters all left may have failed

    async def _create_and_keep(
        self, etag: str, create: Callable[["Render"], Awaitable[CachedImage]], render: "Render"
    ) -> CachedImage:
        if self.second_level is None:
            image = await create(render)
        else:
            image = await self.second_level.get_or_create(etag, create, render)
        self.put(etag, image)
        return image

    def alias(self, raw_key: bytes, etag: str, vary: Headers) -> None:
        """Remember that the raw request `raw_key` produced `etag`, with these Vary
        headers (none when the request named its format)."""
        if len(raw_key) > _MAX_ALIAS_KEY or self.max_bytes == 0:
            return
        if raw_key in self._aliases:
            self._forget_alias(raw_key)
        self._aliases[raw_key] = (etag, vary)
        cost = _alias_cost(raw_key, vary)
        self.alias_size += cost
        self.size += cost
        self._shrink()

    def lookup(self, raw_key: bytes) -> tuple[CachedImage, Headers] | None:
        """The cached image a raw request produced before, if it is still cached, and
        the Vary headers its response carried."""
        alias = self._aliases.get(raw_key)
        if alias is None:
            return None
        image = self.get(alias[0])
        return None if image is None else (image, alias[1])


def _read_request(scope: Scope) -> tuple[bytes, str | None]:
    """The request's key, path, query string and Accept (what decides the image), and
    its If-None-Match, in one pass over its headers. Each header is read as the routes
    read it (`headers.list_header`: every field, joined), or a request with two Accept
    fields could be cached under one and negotiated by the other."""
    accept: list[bytes] = []
    if_none_match: list[bytes] = []
    for name, value in scope["headers"]:
        if name == b"accept":
            accept.append(value)
        elif name == b"if-none-match":
            if_none_match.append(value)
    key = b"\0".join((scope["path"].encode(), scope["query_string"], b", ".join(accept)))
    return key, b", ".join(if_none_match).decode("latin-1") if if_none_match else None


class CacheMiddleware:
    """Answers repeated GET/HEAD image requests from `RenderCache` without routing.

    With `in_front`, it is the app's first layer: nothing else runs for a hit (no
    access-log or metrics layer: the hit is reported to the cache's events, `answered`),
    which is what makes a cached image nearly as cheap as a bare app sending bytes.
    That is only right where no layer must see every request: behind the rate limit,
    the signature check and CORS when those are on."""

    def __init__(self, app: ASGIApp, cache: RenderCache, in_front: bool = False) -> None:
        self.app = app
        self.cache = cache
        self.in_front = in_front

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        raw_key, if_none_match = _read_request(scope)
        found = self._response(raw_key, if_none_match)
        if found is None:
            await self.app(scope, receive, self._remember(send, raw_key))
            return
        status, headers, body = found
        if not self.in_front:
            self.cache.events.found("hit")
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if self.in_front:
            self.answered(scope, status, headers, body)

    def answer(self, scope: Scope) -> tuple[int, Headers, bytes] | None:
        """The whole response (status, headers, body) to an HTTP request this cache,
        in front, holds the image for; None for any other. For a server that sends it
        without the ASGI app (`server.GuardedHttpProtocol`), then calls `answered`."""
        if not self.in_front or scope["method"] not in ("GET", "HEAD"):
            return None
        return self._response(*_read_request(scope))

    def answered(self, scope: Scope, status: int, headers: Headers, body: bytes) -> None:
        """Report a response from the cache, sent in front of every other layer."""
        sent = len(body) if scope["method"] != "HEAD" else 0
        self.cache.events.answered(scope, status, headers, sent)

    def _response(
        self, raw_key: bytes, if_none_match: str | None
    ) -> tuple[int, Headers, bytes] | None:
        found = self.cache.lookup(raw_key)
        if found is None:
            return None
        image, vary = found
        if if_none_match is not None and etag_matches(if_none_match, image.etag):
            status, headers, body = 304, image.not_modified_headers, b""
        else:
            status, headers, body = 200, image.headers, image.content
        return status, headers + vary if vary else headers, body

    def _remember(self, send: Send, raw_key: bytes) -> Send:
        async def remembering_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = message.get("headers", [])
                etag = next((v for k, v in headers if k == b"etag"), None)
                if etag is not None:
                    vary = [(k, v) for k, v in headers if k == b"vary"]
                    self.cache.alias(raw_key, etag.decode("latin-1"), vary)
            await send(message)

        return remembering_send
