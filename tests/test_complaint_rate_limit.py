"""The complaint rate limit lives in the database: every app process counts against one table, so N
processes behind a load balancer still let only the limit through; only anonymous callers are limited."""

from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
from starlette.applications import Starlette

from domain.enums import Role
from domain.service_models import RateLimitHit
from qingquan.app import create_app
from qingquan.ratelimit import RateLimiter
from qingquan.settings import Settings
from schema.relay import encode_id
from tests.factories import make_unit
from tests.helpers import caller, gql_data, token_for

FILE = """
mutation ($input: FileComplaintInput!) {
  fileComplaint(input: $input) {
    __typename
    ... on ComplaintReceipt { id: complaintId }
    ... on RateLimitedError { message retryAfterSeconds }
  }
}"""
LIMIT, WINDOW = 3, 3600
_hosts = itertools.count(1)


def limited_app() -> Starlette:
    return create_app(Settings(complaint_rate_limit=LIMIT, complaint_rate_window=WINDOW), manage_db=False)


def new_host() -> str:
    return f"192.0.2.{next(_hosts)}"


async def file(c: httpx.AsyncClient, unit_id: str, token: str | None = None) -> dict:
    variables = {"input": {"subject": "办事拖延", "content": "超过承诺时限未办结。", "unitId": unit_id}}
    return (await gql_data(c, FILE, variables, token))["fileComplaint"]


async def test_anonymous_over_the_limit_is_refused_with_retry_after(database: str) -> None:
    unit, host = encode_id("Unit", (await make_unit()).id), new_host()
    async with caller(limited_app(), host) as anon:
        assert [(await file(anon, unit))["__typename"] for _ in range(LIMIT)] == ["ComplaintReceipt"] * LIMIT
        refused = await file(anon, unit)
    assert refused["__typename"] == "RateLimitedError"
    assert 0 < refused["retryAfterSeconds"] <= WINDOW and "too many" in refused["message"]


async def test_signed_in_staff_are_not_limited(database: str) -> None:
    unit = await make_unit()
    token, host = await token_for(Role.UNIT_STAFF, unit), new_host()
    async with caller(limited_app(), host) as staff:
        results = [(await file(staff, encode_id("Unit", unit.id), token))["__typename"] for _ in range(LIMIT + 3)]
    assert results == ["ComplaintReceipt"] * (LIMIT + 3)
    # and the staff member's filings did not use up the anonymous allowance of their address
    async with caller(limited_app(), host) as anon:
        assert (await file(anon, encode_id("Unit", unit.id)))["__typename"] == "ComplaintReceipt"


async def test_two_app_processes_share_one_count(database: str) -> None:
    unit, host = encode_id("Unit", (await make_unit()).id), new_host()
    first, second = limited_app(), limited_app()  # two processes behind a load balancer
    async with caller(first, host) as a, caller(second, host) as b:
        got = [(await file(c, unit))["__typename"] for c in (a, b, a)]
        assert got == ["ComplaintReceipt"] * LIMIT
        assert (await file(b, unit))["__typename"] == "RateLimitedError"
        assert (await file(a, unit))["__typename"] == "RateLimitedError"
    async with caller(second, new_host()) as elsewhere:  # another address has its own allowance
        assert (await file(elsewhere, unit))["__typename"] == "ComplaintReceipt"


async def test_a_new_window_starts_afresh_and_old_windows_are_pruned(database: str) -> None:
    now = [1_000_000.0]
    limiter = RateLimiter(limit=2, window=60, clock=lambda: now[0], scope="test-window")
    assert await limiter.hit("a") is None and await limiter.hit("a") is None
    assert await limiter.hit("a") == 1_000_020 - 1_000_000  # the window is [999 960, 1 000 020)
    assert await limiter.hit("b") is None
    now[0] += 60
    assert await limiter.hit("a") is None
    windows = await RateLimitHit.filter(scope="test-window").values_list("client", "window_start")
    assert sorted(windows) == [("a", 1_000_020)], "the rows of the past window are pruned"


async def test_concurrent_hits_never_pass_the_limit(database: str) -> None:
    limiters = [RateLimiter(limit=5, window=3600, scope="test-race") for _ in range(4)]  # four "processes"
    results = await asyncio.gather(*(limiters[i % 4].hit("198.18.0.1") for i in range(40)))
    assert sum(r is None for r in results) == 5
    assert all(0 < r <= 3600 for r in results if r is not None)


def app_trusting(proxies: str) -> Starlette:
    return create_app(Settings(complaint_rate_limit=LIMIT, complaint_rate_window=WINDOW, trusted_proxies=proxies), manage_db=False)


async def file_via(c: httpx.AsyncClient, unit_id: str, forwarded_for: str) -> str:
    variables = {"input": {"subject": "办事拖延", "content": "超过承诺时限未办结。", "unitId": unit_id}}
    response = await c.post("/graphql", json={"query": FILE, "variables": variables}, headers={"X-Forwarded-For": forwarded_for})
    return response.json()["data"]["fileComplaint"]["__typename"]


async def test_a_forwarded_address_does_not_reset_the_limit_by_default(database: str) -> None:
    """Anyone may send X-Forwarded-For: unless it comes from a proxy the operator named, the limit keys on
    the connecting address (the default of uvicorn, 127.0.0.1 trusted, let every new header pass)."""
    unit, host = encode_id("Unit", (await make_unit()).id), new_host()
    async with caller(limited_app(), host) as anon:
        got = [await file_via(anon, unit, f"198.51.100.{n}") for n in range(LIMIT + 1)]
    assert got == ["ComplaintReceipt"] * LIMIT + ["RateLimitedError"]
    assert await RateLimitHit.filter(scope="complaint", client__startswith="198.51.100.").count() == 0


async def test_a_trusted_proxy_forwards_the_client_address(database: str) -> None:
    unit, proxy = encode_id("Unit", (await make_unit()).id), new_host()
    app = app_trusting(f"10.9.8.7, {proxy}")
    clients = [new_host() for _ in range(LIMIT + 1)]
    async with caller(app, proxy) as through_proxy:
        # every client behind the proxy has its own allowance …
        assert [await file_via(through_proxy, unit, client) for client in clients] == ["ComplaintReceipt"] * (LIMIT + 1)
        # … and one client is limited, whatever it puts in front of what the proxy appended
        chains = [f"203.0.113.{n}, {clients[0]}" for n in range(LIMIT)]
        assert [await file_via(through_proxy, unit, chain) for chain in chains] == ["ComplaintReceipt"] * (LIMIT - 1) + ["RateLimitedError"]
    # a client that is not the proxy still cannot name an address
    async with caller(app, new_host()) as direct:
        got = [await file_via(direct, unit, f"198.51.100.{n}") for n in range(LIMIT + 1)]
    assert got[-1] == "RateLimitedError"


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert Settings(trusted_proxies=" 10.0.0.5, 10.1.0.0/16 ,::1").proxy_list == ["10.0.0.5", "10.1.0.0/16", "::1"]
    assert Settings(trusted_proxies="").proxy_list == []
    with pytest.raises(ValueError, match="nginx.internal") as refused:
        Settings(trusted_proxies="10.0.0.5,nginx.internal")
    assert "不是 IP 地址或网段" in str(refused.value)
