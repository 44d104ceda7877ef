"""A small in-process rate limiter (sliding window per key), for anonymous writes such as fileComplaint.

It lives in one app process: behind a load balancer each process counts on its own (N processes let
N × the limit through), and the key is the client address the ASGI server reports — run uvicorn with
--proxy-headers (and --forwarded-allow-ips) behind a proxy so that it is the client's, not the proxy's.
A shared store (Redis, or the proxy's own limit) is the step up when that is not enough.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class RateLimiter:
    """At most `limit` hits per `window` seconds per key; `max_keys` bounds the memory it takes."""

    limit: int
    window: float
    max_keys: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _hits: OrderedDict[str, deque[float]] = field(default_factory=OrderedDict, init=False, repr=False)

    def hit(self, key: str) -> float | None:
        """Count a hit of `key`: None if allowed, else the seconds until the next one would be."""
        now = self.clock()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        self._hits[key] = hits  # most recently used last
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        if len(hits) >= self.limit:
            return max(hits[0] + self.window - now, 0.0)
        hits.append(now)
        return None
