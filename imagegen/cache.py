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
"""

import asyncio
import hashlib
import json
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers as StarletteHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from imagegen import __version__

# Raw requests longer than this are not remembered: they would crowd out the rest.
_MAX_ALIAS_KEY = 4096


def compute_etag(generator: str, params: dict[str, Any], fmt: str, options: dict[str, Any]) -> str:
    """A strong ETag for one rendering: quoted, 32 hex digits of SHA-256."""
    canonical = json.dumps(
        [__version__, generator, params, fmt, options],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def combined_header(headers: StarletteHeaders, name: str) -> str | None:
    """All lines of header `name` joined by commas (RFC 9110 §5.3), or None if absent."""
    values = headers.getlist(name)
    return ", ".join(values) if values else None


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


class RenderCache:
    """ETag -> finished image, bounded by the total bytes of the images (LRU).

    Used only from the event loop thread, so it needs no lock.
    """

    def __init__(self, max_bytes: int, max_aliases: int = 100_000) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._images: OrderedDict[str, CachedImage] = OrderedDict()
        self._aliases: OrderedDict[bytes, tuple[str, Headers]] = OrderedDict()
        self._max_aliases = max_aliases
        self._pending: dict[str, asyncio.Future[CachedImage]] = {}

    def get(self, etag: str) -> CachedImage | None:
        """The cached image for `etag`, marked as recently used."""
        image = self._images.get(etag)
        if image is not None:
            self._images.move_to_end(etag)
        return image

    def put(self, etag: str, image: CachedImage) -> None:
        """Keep `image`, evicting the least recently used ones to stay within bounds."""
        if len(image.content) > self.max_bytes or etag in self._images:
            return
        self._images[etag] = image
        self.size += len(image.content)
        while self.size > self.max_bytes:
            _, evicted = self._images.popitem(last=False)
            self.size -= len(evicted.content)

    async def get_or_create(
        self, etag: str, create: Callable[[], Awaitable[CachedImage]]
    ) -> CachedImage:
        """The cached image for `etag`, or `create()`'s, stored. Concurrent requests for
        one ETag share a single render instead of each rendering it."""
        cached = self.get(etag)
        if cached is not None:
            return cached
        pending = self._pending.get(etag)
        if pending is None:
            pending = asyncio.ensure_future(self._create_and_keep(etag, create))
            self._pending[etag] = pending
            pending.add_done_callback(lambda _: self._pending.pop(etag, None))
        # Shielded: a request that stops waiting (timeout, disconnect) leaves the render
        # to finish and be cached for the next one.
        return await asyncio.shield(pending)

    async def _create_and_keep(
        self, etag: str, create: Callable[[], Awaitable[CachedImage]]
    ) -> CachedImage:
        image = await create()
        self.put(etag, image)
        return image

    def alias(self, raw_key: bytes, etag: str, vary: Headers) -> None:
        """Remember that the raw request `raw_key` produced `etag`, with these Vary
        headers (none when the request named its format)."""
        if len(raw_key) > _MAX_ALIAS_KEY or self.max_bytes == 0:
            return
        self._aliases[raw_key] = (etag, vary)
        self._aliases.move_to_end(raw_key)
        if len(self._aliases) > self._max_aliases:
            self._aliases.popitem(last=False)

    def lookup(self, raw_key: bytes) -> tuple[CachedImage, Headers] | None:
        """The cached image a raw request produced before, if it is still cached, and
        the Vary headers its response carried."""
        alias = self._aliases.get(raw_key)
        if alias is None:
            return None
        image = self.get(alias[0])
        return None if image is None else (image, alias[1])


def _request_key(scope: Scope) -> tuple[bytes, str | None]:
    """(path, query string and Accept: what decides the image; If-None-Match).

    A header sent several times counts as its lines joined by commas (RFC 9110 §5.3),
    exactly as the route reads it (`combined_header`): keying on one line while the
    negotiation read another would let one client choose what the next one is served."""
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
    """Answers repeated GET/HEAD image requests from `RenderCache` without routing."""

    def __init__(self, app: ASGIApp, cache: RenderCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        raw_key, if_none_match = _request_key(scope)
        found = self.cache.lookup(raw_key)
        if found is None:
            await self.app(scope, receive, self._remember(send, raw_key))
            return
        image, vary = found
        if if_none_match is not None and etag_matches(if_none_match, image.etag):
            status, headers, body = 304, image.not_modified_headers + vary, b""
        else:
            status, headers, body = 200, image.headers + vary, image.content
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

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
