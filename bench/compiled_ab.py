"""CPU per request of the page of nested powers: compiled plans off, plans that make an object per row,
plans that complete the rows (schema/compiled.py, `_row_completer`), side by side in one process.

    QINGQUAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h1_peers python bench/compiled_ab.py [rounds]

The sides are switched between rounds (off, objects, rows, off, ...), the plans made again at each switch
(plans without ROW_RELATIONS and SAME_ROW make the objects, as before). The answers of the three are checked
byte-equal first. Measures the process's CPU time per request through the ASGI app (no network), ADMIN token
(no response cache), `first: 20`. The database must hold the demo county.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

# bench/docgen.py must not shadow the docgen package: the repository, not this folder, comes first
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

import schema.compiled as compiled  # noqa: E402
from domain import db  # noqa: E402
from domain.enums import Role  # noqa: E402
from domain.tokens import create_token  # noqa: E402
from qingquan.app import create_app  # noqa: E402
from qingquan.settings import get_settings  # noqa: E402
from tests.test_query_count import PAGE  # noqa: E402

RR, SR = compiled.ROW_RELATIONS, compiled.SAME_ROW


def switch(schema, side):
    c = schema.compiled
    c._plans.clear()
    c.enabled = side != "off"
    compiled.ROW_RELATIONS = RR if side == "rows" else frozenset()
    compiled.SAME_ROW = SR if side == "rows" else frozenset()


async def main(requests=20, rounds=int(sys.argv[1]) if len(sys.argv) > 1 else 6):
    settings = get_settings()
    async with db.database(settings.database_url):
        _, token = await create_token(Role.ADMIN, name="bench")
        app = create_app(settings, manage_db=False)
        schema = next(r.endpoint.schema for r in app.routes if getattr(r, "path", None) == "/graphql")
        headers = {"Authorization": f"Bearer {token}"}
        body = {"query": PAGE, "variables": {"first": 20}}
        sides = ("off", "objects", "rows")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            answers = {}
            for side in sides:
                switch(schema, side)
                for _ in range(3):
                    answers[side] = (await client.post("/graphql", json=body, headers=headers)).content
            assert answers["off"] == answers["objects"] == answers["rows"], "answers differ"
            print(
                "rows completed without objects so far:",
                schema.compiled.rows,
                "answered",
                schema.compiled.answered,
            )
            cpu = {s: [] for s in sides}
            for _ in range(rounds):
                for side in sides:
                    switch(schema, side)
                    await client.post("/graphql", json=body, headers=headers)  # plan made
                    for _ in range(requests):
                        start = time.process_time()
                        await client.post("/graphql", json=body, headers=headers)
                        cpu[side].append((time.process_time() - start) * 1000)
    for side, t in cpu.items():
        print(f"{side:8s} CPU/request p50 {statistics.median(t):6.2f} ms mean {statistics.mean(t):6.2f} ms")
    m = {s: statistics.median(t) for s, t in cpu.items()}
    print(
        f"rows/objects {m['rows'] / m['objects']:.3f}  objects/off {m['objects'] / m['off']:.3f}  rows/off {m['rows'] / m['off']:.3f}"
    )


asyncio.run(main())
