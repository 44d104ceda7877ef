"""The floor of issue 9: a hand-written Starlette + asyncpg endpoint answering the portal's page.

It answers `POST /powers` with exactly the `data` that `qingquan serve` answers for the query of
`tests/test_query_count.py` (PAGE: a page of powers with unit and parent, rules, bases → article →
document → versions, flow chart → steps → position → unit, edges, disclosure and operation
records), for a viewer who sees everything (ADMIN, REVIEWER, INSPECTOR): no GraphQL, no ORM, eight
SQL statements on one pooled connection (the token, the page with its total, bases with their
articles and documents, the documents' versions, charts with their steps and positions, edges,
disclosure records, operation records), and the loaders' orders. The request body is the GraphQL
request (only `variables.first` is read); the token is checked in the database on every request,
as the app does. It is a yardstick, not a second implementation: PUBLIC viewers, other queries and
every other rule of the app are out of its scope.

    python bench/floor_app.py serve --dsn postgres://postgres@127.0.0.1:5432/qq_bench --port 8001
    python bench/floor_app.py check --graphql http://127.0.0.1:8000/graphql \\
        --floor http://127.0.0.1:8001/powers --token qq_...

`check` asserts that the GraphQL answer's `data` equals the floor's body (parsed JSON) for several
page sizes. bench/api_load.py starts both servers and runs the check before measuring.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

REPO = Path(__file__).resolve().parent.parent
MAX_PAGE_SIZE = 100  # QINGQUAN_MAX_PAGE_SIZE's default
DEFAULT_PAGE_SIZE = 20
SEE_ALL_ROLES = ("ADMIN", "REVIEWER", "INSPECTOR")
POOL_SIZE = 5  # tortoise's default pool (maxsize 5) for asyncpg: the same for both servers

Json = dict[str, Any]

TOKEN_SQL = "SELECT role FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL"
PAGE_SQL = """
SELECT p.id, p.code, p.name, p.time_limit, u.name AS unit_name, pu.name AS parent_name,
       (SELECT count(*) FROM power) AS total
FROM power p
JOIN unit u ON u.id = p.unit_id
LEFT JOIN unit pu ON pu.id = u.parent_id
ORDER BY p.code, p.id
LIMIT $1
"""
COUNT_SQL = "SELECT count(*) FROM power"
BASES_SQL = """
SELECT b.power_id, b.note, a.label, a.text, d.title, d.level, d.status, d.work_id
FROM power_basis b
JOIN legal_article a ON a.id = b.article_id
JOIN legal_document d ON d.id = a.document_id
WHERE b.power_id = ANY($1::int[])
ORDER BY b.power_id, b.ordinal, b.id
"""
VERSIONS_SQL = """
SELECT work_id, version_date FROM legal_document WHERE work_id = ANY($1::int[]) ORDER BY version_date, id
"""
CHARTS_SQL = """
SELECT c.power_id, c.title, s.id AS step_id, s.name AS step_name, pos.id AS position_id,
       pos.name AS position_name, pu.name AS position_unit_name
FROM flow_chart c
LEFT JOIN flow_step s ON s.chart_id = c.id
LEFT JOIN position pos ON pos.id = s.position_id
LEFT JOIN unit pu ON pu.id = pos.unit_id
WHERE c.power_id = ANY($1::int[])
ORDER BY c.id, s.ordinal, s.id
"""
EDGES_SQL = """
SELECT c.power_id, e.label FROM flow_edge e JOIN flow_chart c ON c.id = e.chart_id
WHERE c.power_id = ANY($1::int[])
ORDER BY e.id
"""
DISCLOSURES_SQL = """
SELECT power_id, channel FROM disclosure_record WHERE power_id = ANY($1::int[]) ORDER BY disclosed_on DESC, id DESC
"""
OPERATIONS_SQL = "SELECT power_id, network, stage FROM operation_record WHERE power_id = ANY($1::int[]) ORDER BY id DESC"

#: SQL statements per request (the token included); the page alone is one fewer.
STATEMENTS = 8


async def powers_page(conn: asyncpg.Connection, first: int) -> Json:
    """`data` of PAGE for a viewer who sees every power, in the app's order (code, id)."""
    rows = await conn.fetch(PAGE_SQL, first) if first else []
    total = rows[0]["total"] if rows else await conn.fetchval(COUNT_SQL)
    ids = [r["id"] for r in rows]

    bases: dict[int, list[Json]] = defaultdict(list)
    versions_of: dict[int, list[Json]] = {}
    charts: dict[int, Json] = {}
    edges: dict[int, list[Json]] = defaultdict(list)
    disclosures: dict[int, list[Json]] = defaultdict(list)
    operations: dict[int, list[Json]] = defaultdict(list)
    if ids:
        basis_rows = await conn.fetch(BASES_SQL, ids)
        work_ids = sorted({b["work_id"] for b in basis_rows})
        for v in await conn.fetch(VERSIONS_SQL, work_ids) if work_ids else []:
            date = v["version_date"]
            versions_of.setdefault(v["work_id"], []).append({"versionDate": date.isoformat() if date else None})
        for b in basis_rows:
            document = {
                "title": b["title"],
                "level": b["level"],
                "status": b["status"],
                "versions": versions_of.get(b["work_id"], []),
            }
            bases[b["power_id"]].append(
                {"note": b["note"], "article": {"label": b["label"], "text": b["text"], "document": document}}
            )
        for c in await conn.fetch(CHARTS_SQL, ids):
            chart = charts.setdefault(c["power_id"], {"title": c["title"], "steps": [], "edges": []})
            if c["step_id"] is None:
                continue
            position = None
            if c["position_id"] is not None:
                position = {"name": c["position_name"], "unit": {"name": c["position_unit_name"]}}
            chart["steps"].append({"name": c["step_name"], "position": position})
        for e in await conn.fetch(EDGES_SQL, ids):
            edges[e["power_id"]].append({"label": e["label"]})
        for d in await conn.fetch(DISCLOSURES_SQL, ids):
            disclosures[d["power_id"]].append({"channel": d["channel"]})
        for o in await conn.fetch(OPERATIONS_SQL, ids):
            operations[o["power_id"]].append({"network": o["network"], "stage": o["stage"]})

    nodes = []
    for r in rows:
        pid = r["id"]
        chart = charts.get(pid)
        if chart is not None:
            chart["edges"] = edges.get(pid, [])
        parent = {"name": r["parent_name"]} if r["parent_name"] is not None else None
        nodes.append({"node": {
            "code": r["code"],
            "name": r["name"],
            "unit": {"name": r["unit_name"], "parent": parent},
            "rules": {"timeLimit": r["time_limit"]},
            "bases": bases.get(pid, []),
            "flowChart": chart,
            "disclosureRecords": disclosures.get(pid, []),
            "operationRecords": operations.get(pid, []),
        }})
    return {"powers": {"totalCount": total, "edges": nodes}}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


def create_app(dsn: str, pool_size: int = POOL_SIZE) -> Starlette:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size)
        try:
            yield
        finally:
            await pool.close()

    async def powers(request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "the floor answers only a Bearer token of a role that sees everything")
        try:
            body = json.loads(await request.body())
            first = (body.get("variables") or {}).get("first", DEFAULT_PAGE_SIZE)
        except (ValueError, AttributeError):
            return _error(400, "a GraphQL request body (JSON) is expected")
        if not isinstance(first, int) or not 0 <= first <= MAX_PAGE_SIZE:
            return _error(400, f"first must be 0..{MAX_PAGE_SIZE}")
        assert pool is not None
        async with pool.acquire() as conn:
            role = await conn.fetchval(TOKEN_SQL, hashlib.sha256(token.strip().encode()).hexdigest())
            if role is None:
                return _error(401, "unknown or revoked token")
            if role not in SEE_ALL_ROLES:
                return _error(403, "the floor serves only roles that see everything")
            data = await powers_page(conn, first)
        # Starlette's JSONResponse: compact, UTF-8 (ensure_ascii=False), stdlib json
        return JSONResponse(data)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/powers", powers, methods=["POST"]), Route("/healthz", healthz)], lifespan=lifespan)


def app_from_env() -> Starlette:
    """For uvicorn's workers, which import the app by name: `QQ_FLOOR_DSN`, `QQ_FLOOR_POOL_SIZE`."""
    return create_app(os.environ["QQ_FLOOR_DSN"], int(os.environ.get("QQ_FLOOR_POOL_SIZE", POOL_SIZE)))


def check_same_json(graphql_url: str, floor_url: str, token: str, sizes: tuple[int, ...] = (20, 0, 5, 100)) -> list[str]:
    """Assert that GraphQL's `data` equals the floor's body for PAGE at each page size (20 first);
    return one line per size with both response sizes in bytes."""
    import httpx

    sys.path.insert(0, str(REPO))
    from tests.test_query_count import PAGE

    lines = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=120) as client:
        for first in sizes:
            body = {"query": PAGE, "variables": {"first": first}}
            g = client.post(graphql_url, json=body, headers=headers)
            f = client.post(floor_url, json=body, headers=headers)
            assert g.status_code == 200 and f.status_code == 200, (g.status_code, f.status_code, g.text[:300], f.text[:300])
            answer = g.json()
            assert "errors" not in answer, answer["errors"]
            expected, got = answer["data"], f.json()
            if expected != got:
                raise AssertionError(f"first={first}: the floor differs from GraphQL: {first_difference(expected, got)}")
            lines.append(f"first={first}: equal ({len(expected['powers']['edges'])} powers; GraphQL {len(g.content)} bytes, floor {len(f.content)} bytes)")
    return lines


def first_difference(a: Any, b: Any, path: str = "data") -> str:
    if type(a) is not type(b):
        return f"{path}: {a!r:.200} != {b!r:.200}"
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for key in a:
            if a[key] != b[key]:
                return first_difference(a[key], b[key], f"{path}.{key}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return f"{path}: {a!r:.200} != {b!r:.200}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve POST /powers with uvicorn")
    serve.add_argument("--dsn", required=True, help="postgres://user@host:port/db (the app's database)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--pool-size", type=int, default=POOL_SIZE)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    serve.add_argument("--log-level", default="warning")
    check = sub.add_parser("check", help="assert that GraphQL's data equals the floor's body")
    check.add_argument("--graphql", required=True, help="e.g. http://127.0.0.1:8000/graphql")
    check.add_argument("--floor", required=True, help="e.g. http://127.0.0.1:8001/powers")
    check.add_argument("--token", required=True, help="a token of a role that sees everything (ADMIN)")
    args = parser.parse_args()
    if args.command == "serve":
        import uvicorn

        if args.workers == 1:
            uvicorn.run(create_app(args.dsn, args.pool_size), host=args.host, port=args.port, log_level=args.log_level)
        else:
            os.environ["QQ_FLOOR_DSN"], os.environ["QQ_FLOOR_POOL_SIZE"] = args.dsn, str(args.pool_size)
            uvicorn.run(
                "floor_app:app_from_env", factory=True, app_dir=str(Path(__file__).resolve().parent),
                host=args.host, port=args.port, log_level=args.log_level, workers=args.workers,
            )
    else:
        for line in check_same_json(args.graphql, args.floor, args.token):
            print(line)


if __name__ == "__main__":
    main()
