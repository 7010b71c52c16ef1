"""An opt-in rate limit per client address: a token bucket, 429 with Retry-After.

Each client address has a bucket of `burst` tokens, refilled at `rate` a second; a
request takes one, and finds none: 429. The buckets are per worker process (a client's
keep-alive connection stays on one worker), and at most `max_clients` are remembered,
least recently seen forgotten first: a forgotten client comes back with a full bucket,
which errs on the side of serving it. The client address is the peer's, or, from a
trusted proxy, the one it forwarded (`observe.client_address`).
"""

import math
import time
from collections import OrderedDict
from ipaddress import IPv4Network, IPv6Network

from starlette.types import ASGIApp, Receive, Scope, Send

from imagegen.errors import error_response
from imagegen.observe import client_address


class TokenBuckets:
    """One token bucket per key, `rate` tokens a second up to `burst`, for at most
    `max_keys` keys."""

    def __init__(self, rate: float, burst: int, max_keys: int) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    def take(self, key: str, now: float) -> float:
        """Take a token for `key` at time `now` (seconds): 0 if there was one, else the
        seconds until there will be."""
        tokens, then = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


class RateLimitMiddleware:
    """Answers 429 with Retry-After to a client over its rate, before any other work."""

    def __init__(
        self,
        app: ASGIApp,
        buckets: TokenBuckets,
        trusted_proxies: tuple[IPv4Network | IPv6Network, ...],
    ) -> None:
        self.app = app
        self.buckets = buckets
        self.trusted_proxies = trusted_proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = client_address(scope, self.trusted_proxies)
        wait = self.buckets.take(client, time.monotonic())
        if wait == 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        response = error_response(
            429,
            "rate_limited",
            f"Too many requests from this address (at most {self.buckets.rate:g} a second, "
            f"{self.buckets.burst} at once): retry in {retry_after} s.",
            {"retry-after": str(retry_after)},
        )
        await response(scope, receive, send)
