"""A second-level render cache in Redis (or Valkey), shared by every worker and machine.

Asked after a process's own cache misses (`RenderCache.second_level`): an image found
there is not rendered again, and one rendered here is stored there for the others, for
`ttl` seconds, when it is at most `max_image_bytes`. Concurrent misses for one image on
several instances render it once where practical: the first takes a short lock
(`SET NX PX`), the others wait for its result (polling, at most `lock_seconds`, less if
the lock is released without one), then render it themselves.

Redis is a cache, never a dependency: every command has `timeout` seconds, and a failure
or timeout means rendering without Redis, counted (`imagegen_redis_errors_total`) and
logged once per outage; Redis is then left alone for `RETRY_SECONDS` so that requests do
not each wait out a timeout.
"""

import asyncio
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import redis.asyncio as redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from imagegen.cache import CachedImage, Render

logger = logging.getLogger("imagegen")

# After a failure Redis is skipped this long: one request pays a timeout, not each one.
RETRY_SECONDS = 1.0
# Polling for another instance's render: first after this long, then twice as long each
# time, up to the cap.
_POLL_FIRST, _POLL_CAP = 0.01, 0.1
_KEY, _LOCK = "imagegen:image:", "imagegen:lock:"
_FAILED: Any = object()
# Deletes the lock only if it is still ours (it may have expired and been taken since).
_UNLOCK = """
if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end
return 0
"""


class SharedCacheEvents(Protocol):
    def found(self, result: str) -> None: ...

    def redis_failed(self, operation: str) -> None: ...


def encode_image(image: CachedImage) -> bytes:
    """An image as stored: a JSON line of its media type and headers, then its bytes."""
    media_type = next(v for k, v in image.headers if k == b"content-type").decode()
    headers = {k.decode(): v.decode() for k, v in image.not_modified_headers}
    return json.dumps({"type": media_type, "headers": headers}).encode() + b"\n" + image.content


def decode_image(data: bytes, etag: str) -> CachedImage | None:
    """The image stored as `data`, or None if it is not one with this `etag`."""
    head, _, content = data.partition(b"\n")
    try:
        meta = json.loads(head)
        image = CachedImage.build(content, meta["type"], meta["headers"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return image if image.etag == etag else None


class RedisCache:
    """The `SecondLevel` of `RenderCache`, in Redis at `url`."""

    def __init__(
        self,
        url: str,
        events: SharedCacheEvents,
        ttl: int,
        max_image_bytes: int,
        timeout: float,
        lock_seconds: float,
    ) -> None:
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        self.events = events
        self.ttl = ttl
        self.max_image_bytes = max_image_bytes
        self.timeout = timeout
        self.lock_seconds = lock_seconds
        self._unlock = self.client.register_script(_UNLOCK)
        self._skip_until = 0.0
        self._down = False

    async def _command(self, operation: str, command: Awaitable[Any]) -> Any:
        """`command`'s result, or `_FAILED` (counted, logged once, Redis skipped for a
        while) if it fails or takes longer than the timeout."""
        try:
            async with asyncio.timeout(self.timeout):
                result = await command
        except (RedisError, OSError, TimeoutError) as exc:
            self.events.redis_failed(operation)
            self._skip_until = time.monotonic() + RETRY_SECONDS
            if not self._down:
                self._down = True
                logger.warning(
                    "Redis failed (%s: %s): rendering without the shared cache",
                    operation,
                    exc or type(exc).__name__,
                )
            return _FAILED
        if self._down:
            self._down = False
            logger.warning("Redis answers again: the shared cache is back")
        return result

    def _usable(self) -> bool:
        return time.monotonic() >= self._skip_until

    async def get_or_create(
        self, etag: str, create: Callable[[Render], Awaitable[CachedImage]], render: Render
    ) -> CachedImage:
        """The image for `etag` from Redis, or `create(render)`'s, stored in Redis."""
        if not self._usable():
            return await create(render)
        key, lock = _KEY + etag.strip('"'), _LOCK + etag.strip('"')
        found = await self._get(key, etag)
        if found is not None:
            return found
        token = secrets.token_hex(8)
        locked = await self._command(
            "lock", self.client.set(lock, token, nx=True, px=int(self.lock_seconds * 1000))
        )
        if locked is None:  # another instance is rendering it
            found = await self._wait_for(key, lock, etag)
            if found is not None:
                return found
        try:
            image = await create(render)
            if len(image.content) <= self.max_image_bytes and self._usable():
                await self._command("set", self.client.set(key, encode_image(image), ex=self.ttl))
            return image
        finally:
            if locked is True and self._usable():
                await self._command("unlock", self._unlock(keys=[lock], args=[token]))

    async def _get(self, key: str, etag: str) -> CachedImage | None:
        data = await self._command("get", self.client.get(key))
        return self._found(data, etag)

    def _found(self, data: Any, etag: str) -> CachedImage | None:
        if data is None or data is _FAILED:
            return None
        image = decode_image(data, etag)
        if image is None:
            self.events.redis_failed("decode")
            return None
        self.events.found("shared")
        return image

    async def _wait_for(self, key: str, lock: str, etag: str) -> CachedImage | None:
        """The image another instance is rendering under `lock`, once it is stored; None
        if the lock goes (or expires) without it, or Redis fails."""
        deadline = time.monotonic() + self.lock_seconds
        pause = _POLL_FIRST
        while time.monotonic() < deadline:
            await asyncio.sleep(pause)
            pause = min(pause * 2, _POLL_CAP)
            # The lock first: its holder stores the image before releasing it, so a lock
            # found gone means the GET after it sees the image if there is one.
            pipeline = self.client.pipeline(transaction=False).exists(lock).get(key)
            result = await self._command("wait", pipeline.execute())
            if result is _FAILED:
                return None
            locked, data = result
            if data is not None:
                return self._found(data, etag)
            if not locked:
                return None
        return None

    async def ping(self) -> bool:
        """Whether Redis answers within the timeout (for `/readyz`)."""
        try:
            async with asyncio.timeout(self.timeout):
                return bool(await self.client.ping())
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self.client.aclose()
