"""Rate limits of anonymous writes such as fileComplaint, counted in the database (domain.ratelimit).

Every app process counts against the same table, so N processes behind a load balancer still let
only `limit` hits per client address and window through. The key is the connecting address, or the
one forwarded by a proxy named in QINGQUAN_TRUSTED_PROXIES (qingquan/app.py): behind a proxy, name it
so that the key is the client's, not the proxy's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from domain import ratelimit


@dataclass(frozen=True)
class RateLimiter:
    """At most `limit` hits per client address in each fixed window of `window` seconds."""

    limit: int
    window: int
    scope: str = "complaint"
    clock: Callable[[], float] = time.time

    async def hit(self, key: str) -> float | None:
        """Count a hit of `key`: None if allowed, else the seconds until the next one would be."""
        return await ratelimit.hit(self.scope, key, limit=self.limit, window=self.window, now=self.clock())
