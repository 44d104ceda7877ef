"""CPU per request of the page of nested powers, with issue 9's in-process levers and without them.

    QINGQUAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/qq_bench \
        python bench/execution_ab.py [--lever both|execution|rows] [--first 20] [--requests 20] [--rounds 8]

The levers: `execution`, schema/execution.py's completion of plain fields (against graphql-core's own
execution context); `rows`, domain.rows.Rows building the loaders' objects from rows (against
tortoise's querysets awaited as they are); `both` (the default), the two together against neither.

One process, one app: the lever is switched between rounds (A, B, A, B …), so the machine's noise falls
on both. The answers of both are checked equal first. Measures the process's CPU time
(`time.process_time`) per request through the ASGI app (no network), with an ADMIN token (no response
cache). Seeds the demo county if the database is empty.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

# bench/docgen.py must not shadow the docgen package: the repository, not this folder, comes first
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext  # noqa: E402

from domain import db  # noqa: E402
from domain.enums import Role  # noqa: E402
from domain.models import Power  # noqa: E402
from domain.rows import Rows  # noqa: E402
from domain.tokens import create_token  # noqa: E402
from qingquan.app import create_app  # noqa: E402
from qingquan.settings import get_settings  # noqa: E402
from schema import QingquanSchema  # noqa: E402
from schema.execution import FastExecutionContext  # noqa: E402
from tests.test_query_count import PAGE  # noqa: E402


def the_schema(app: Starlette) -> QingquanSchema:
    """The strawberry schema behind the app's /graphql route."""
    return next(route.endpoint.schema for route in app.routes if getattr(route, "path", None) == "/graphql")


ROWS = Rows.__await__


def tortoise_await(self: Rows) -> object:
    """Rows awaited as the plain queryset (`.only()` for a partial one): tortoise builds the objects."""
    queryset = self.queryset.only(*self.fields) if self.fields else self.queryset
    return queryset.__await__()


def switch(schema: QingquanSchema, lever: str, on: bool) -> None:
    if lever in ("execution", "both"):
        schema.execution_context_class = FastExecutionContext if on else StrawberryGraphQLCoreExecutionContext
    if lever in ("rows", "both"):
        Rows.__await__ = ROWS if on else tortoise_await  # type: ignore[method-assign]


async def main(lever: str, first: int, requests: int, rounds: int) -> None:
    settings = get_settings()
    async with db.database(settings.database_url):
        if not await Power.exists():
            from domain.demo.seed import seed_demo

            await seed_demo()
        _, token = await create_token(Role.ADMIN, name="bench")
        app = create_app(settings, manage_db=False)
        schema = the_schema(app)
        sides = {"with": True, "without": False}
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": PAGE, "variables": {"first": first}}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            answers = {}
            for name, on in sides.items():
                switch(schema, lever, on)
                for _ in range(3):  # warm the document cache and the loaders' code paths
                    answers[name] = (await client.post("/graphql", json=body, headers=headers)).json()
            assert answers["with"] == answers["without"] and "errors" not in answers["with"]
            cpu: dict[str, list[float]] = {name: [] for name in sides}
            for _ in range(rounds):
                for name, on in sides.items():
                    switch(schema, lever, on)
                    for _ in range(requests):
                        start = time.process_time()
                        await client.post("/graphql", json=body, headers=headers)
                        cpu[name].append((time.process_time() - start) * 1000)
            switch(schema, lever, True)
    print(f"database: {settings.database_url}; lever: {lever}; first: {first}; {rounds} rounds × {requests} requests each")
    for name, times in cpu.items():
        print(f"{name:8s} CPU per request: p50 {statistics.median(times):6.2f} ms, mean {statistics.mean(times):6.2f} ms")
    ratio = statistics.median(cpu["with"]) / statistics.median(cpu["without"])
    print(f"with ÷ without (p50): {ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lever", choices=("both", "execution", "rows"), default="both")
    parser.add_argument("--first", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(main(args.lever, args.first, args.requests, args.rounds))
