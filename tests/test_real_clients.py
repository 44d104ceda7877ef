"""The API driven by the real clients front-end teams use (issue 25): Relay's compiler compiles the console's
operations against schema.graphql — a @connection paged both ways, a @refetchable fragment, a mutation with
@deleteRecord — and Relay's store runs them against a served app (pages merged by its ConnectionHandler, no
record changing its __typename after deletePower); Apollo Client 4 sends the portal's query as an automatic
persisted query over GET (a miss, the document once, hits, a 304 for a browser's cached answer) and merges
`fetchMore` pages both ways. One server for the module; the npm clients run by node (tests/graphql-ws-client)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain import access
from domain import models as m
from domain.cases import ApplicationData, file_application
from domain.enums import PowerCategory, Role
from schema.relay import encode_id
from tests.alarm_factories import posted_power, posts
from tests.conftest import REPO
from tests.factories import make_power, make_unit, power_name, unique
from tests.helpers import token_for
from tests.live_clients import CLIENT, install_clients, served

pytestmark = pytest.mark.usefixtures("demo")

POWERS = """query ($unit: ID!) { powers(filter: { unitId: $unit }, first: 100) { edges { node { code } } } }"""
CASES = """query ($unit: ID!) { cases(filter: { unitId: $unit }, first: 100) { edges { node { request } } } }"""


@pytest.fixture(scope="module")
async def base(database: str) -> AsyncIterator[str]:
    if not install_clients():
        pytest.skip("node and npm are needed for Relay and Apollo Client")
    async with served() as (url, _app):
        yield url


async def node(script: str, *args: str) -> dict[str, Any]:
    proc = await asyncio.create_subprocess_exec(
        "node", str(CLIENT / script), *args, cwd=CLIENT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(f"{script} did not finish: {out.decode()} {err.decode()}") from None
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


async def listed(base: str, query: str, unit: str, token: str | None = None) -> list[str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=10) as client:
        body = (await client.post(f"{base}/graphql", json={"query": query, "variables": {"unit": unit}}, headers=headers)).json()
    (connection,) = body["data"].values()
    return [next(iter(e["node"].values())) for e in connection["edges"]]


def compile_relay(into: Path) -> Path:
    """relay-compiler on the console's operations and today's schema.graphql: the artifacts' directory."""
    (into / "src").mkdir()
    (into / "__generated__").mkdir()
    shutil.copy(CLIENT / "relay" / "operations.js", into / "src")
    config = {"src": "./src", "schema": str(REPO / "schema.graphql"), "language": "javascript",
              "artifactDirectory": "./__generated__", "eagerEsModules": True}  # fmt: skip
    (into / "relay.config.json").write_text(json.dumps(config))
    compiler = CLIENT / "node_modules" / ".bin" / "relay-compiler"
    done = subprocess.run([str(compiler), "relay.config.json"], cwd=into, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ERROR" not in done.stdout + done.stderr and "WARN" not in done.stdout + done.stderr, done.stdout + done.stderr
    return into / "__generated__"


async def test_relay_compiles_the_console_and_its_store_pages_and_deletes(base: str, tmp_path: Path) -> None:
    artifacts = await asyncio.to_thread(compile_relay, tmp_path)
    unit = await make_unit(name="Relay测试局")
    tag = unique("")
    for n in (3, 1, 5, 2, 4):
        await make_power(unit, name=f"Relay分页{tag}-{n}")
    doomed = await make_power(unit, name=f"Relay删除{tag}")
    staff = await posts(await make_unit(name="Relay办件局"))
    power = await posted_power(staff, name=power_name("Relay办件的行政许可"), category=PowerCategory.LICENSING)
    for n, day in enumerate((2, 3, 3, 5, 9)):
        await file_application(access.PUBLIC, ApplicationData(power.id, f"Relay申请{n}", "卫申请", "1"), max_bytes=1024, on=date(2026, 6, day))
    admin = await token_for(Role.ADMIN)
    unit_id, cases_unit = encode_id("Unit", unit.id), encode_id("Unit", staff.unit.id)
    expected = await listed(base, POWERS, unit_id, admin)
    cases = await listed(base, CASES, cases_unit, admin)

    seen = await node("relay/relay.mjs", str(artifacts), f"{base}/graphql", admin, unit.code, cases_unit, encode_id("Power", doomed.id))
    assert seen["warnings"] == []  # Relay warns of a record whose __typename changes, and of malformed connections
    assert seen["unitId"] == unit_id
    assert len(expected) == 6 and seen["forward"] == expected and seen["backward"] == expected
    assert len(cases) == 5 and seen["cases_forward"] == cases and seen["cases_backward"] == cases
    deleted = seen["deleted"]
    assert deleted["typenameBefore"] == "Power" and deleted["status"] == "NONEXISTENT"
    assert deleted["result"]["__typename"] == deleted["resultTypename"] == "Deleted"
    assert deleted["result"]["deletedId"] == encode_id("Power", doomed.id) != deleted["result"]["id"]
    assert deleted["edgesAfter"] == [None if code == doomed.code else code for code in expected]
    assert not await m.Power.filter(id=doomed.id).exists()


async def test_apollo_persists_the_portals_query_over_get_and_merges_pages(base: str) -> None:
    units = await m.Unit.all().order_by("id")
    counts = {u.id: await m.Power.filter(access.power_q(access.PUBLIC), unit_id=u.id).count() for u in units[:40]}
    unit = encode_id("Unit", max(counts, key=lambda k: counts[k]))
    expected = await listed(base, POWERS, unit)
    assert len(expected) >= 5

    seen = await node("apollo/apollo.mjs", f"{base}/graphql", unit)
    # the hash alone by GET, unknown; the document once by POST; from then on the hash alone, by GET
    miss, register, *_ = seen["requests"]
    assert (miss["method"], miss["withDocument"], miss["notFound"]) == ("GET", False, True)
    assert (register["method"], register["withDocument"], register["status"]) == ("POST", True, 200)
    later = seen["requests"][2:]
    assert later and all(r["method"] == "GET" and not r["withDocument"] and not r.get("notFound") for r in later), later
    assert all(r["etag"] for r in later if r["status"] == 200)
    # fetchMore pages merged by relayStylePagination, forward and backward
    for way in ("forward", "backward"):
        assert seen[way]["codes"] == expected and seen[way]["totalCount"] == len(expected), way
        assert len(seen[way]["steps"]) == -(-len(expected) // 2) - 1
    # the page opened again: by the hash alone, then the browser's cached answer revalidated (a 304)
    assert [[(r["method"], r["status"]) for r in a["requests"]] for a in seen["again"]] == [[("GET", 200)], [("GET", 304)]]
    assert [a["codes"] for a in seen["again"]] == [expected[:2], expected[:2]]
