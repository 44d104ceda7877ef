"""Bookkeeping tables the services keep for themselves: power-code serial counters and rate-limit hits.

Both are written with one atomic statement (INSERT … ON CONFLICT DO UPDATE … RETURNING) by the
services that own them (domain.codes, domain.ratelimit); nothing else reads or writes them.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PowerCodeSerial(Model):
    """The last serial handed out (or taken by an explicit code) for one code prefix: unit + category."""

    prefix = fields.CharField(max_length=40, primary_key=True, description="e.g. 36072308CF-")
    last_serial = fields.IntField(description="the highest serial used or handed out (the next is one more)")

    class Meta:
        table = "power_code_serial"


class RateLimitHit(Model):
    """The hits of one client address in one fixed window of a rate limit (e.g. anonymous complaints)."""

    id = fields.BigIntField(primary_key=True)
    scope = fields.CharField(max_length=32, description="what is limited, e.g. `complaint`")
    client = fields.CharField(max_length=64, description="the client address the ASGI server reports")
    window_start = fields.BigIntField(description="start of the window, in seconds since the epoch")
    window_end = fields.BigIntField(description="end of the window: the row is pruned after it")
    hits = fields.IntField(default=1)

    class Meta:
        table = "rate_limit_hit"
        unique_together = (("scope", "client", "window_start"),)
        indexes = (("window_end",),)
