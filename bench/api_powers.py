"""Latency of the GraphQL API on the demo county: a page of powers with everything nested.

Usage: PYTHONPATH=. QINGQUAN_DATABASE_URL=sqlite://./data/bench.sqlite3 python bench/api_powers.py [--rounds 50]
(seeds the demo county first if the database is empty). Prints p50/p95 per page size and the
number of SQL statements per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import httpx

from domain import db
from domain.enums import Role
from domain.models import Power
from domain.tokens import create_token
from qingquan.app import create_app
from qingquan.settings import get_settings
from tests.helpers import count_queries
from tests.test_query_count import PAGE


async def main(rounds: int) -> None:
    settings = get_settings()
    async with db.database(settings.database_url):
        if not await Power.exists():
            from domain.demo.seed import seed_demo

            await seed_demo()
        _, token = await create_token(Role.ADMIN, name="bench")
        app = create_app(settings, manage_db=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            headers = {"Authorization": f"Bearer {token}"}
            print(f"database: {settings.database_url}")
            for first in (5, 20, 50, 100):
                timings = []
                with count_queries() as counter:
                    await client.post("/graphql", json={"query": PAGE, "variables": {"first": first}}, headers=headers)
                for _ in range(rounds):
                    start = time.perf_counter()
                    r = await client.post("/graphql", json={"query": PAGE, "variables": {"first": first}}, headers=headers)
                    timings.append((time.perf_counter() - start) * 1000)
                    assert r.status_code == 200 and "errors" not in r.json()
                timings.sort()
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(f"first={first:3d}: p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  {counter.count} SQL statements")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    asyncio.run(main(parser.parse_args().rounds))
