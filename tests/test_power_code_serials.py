"""职权编码 under load: a generated code's serial comes from a counter row (one per unit prefix and
category) updated in the transaction that writes the power, so concurrent `createPower` calls without
a code all succeed with distinct, gap-free codes on SQLite and PostgreSQL, and no serial a power
already holds is handed out again — whether that power was given its code explicitly, changed it
later, or was written before the counter existed (the migration seeds it from the codes in use)."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import textwrap

import httpx

from domain.change_feed import enqueue
from domain.enums import PowerCategory, Role, SearchEntity
from domain.models import Power, Unit
from domain.services.powers import PowerData, create_power
from schema.relay import encode_id
from tests.conftest import REPO
from tests.factories import ADMIN, make_unit, power_name
from tests.helpers import gql_data, token_for

CREATE = """
mutation ($input: CreatePowerInput!) {
  createPower(input: $input) {
    __typename
    ... on Power { id code }
    ... on ValidationErrors { errors { field code message } }
  }
}"""
UPDATE = """
mutation ($id: ID!, $input: UpdatePowerInput!) {
  updatePower(id: $id, input: $input) { __typename ... on Power { code } ... on ValidationErrors { errors { field message } } }
}"""
CONCURRENT = 60
_units = itertools.count(1)


async def numeric_unit() -> Unit:
    """A unit with a standard numeric code (10 digits), so that power codes can be generated for it."""
    return await make_unit(code=f"9{os.getpid() % 10000:04d}{next(_units):05d}")


def power_input(unit: Unit, **extra: object) -> dict[str, object]:
    return {
        "unitId": encode_id("Unit", unit.id), "name": power_name("对违反编码测试规定行为的处罚"),
        "category": "PENALTY", "exerciseMode": "EXCLUSIVE", "disclosureScope": "PUBLIC",
        "disclosureTiming": "LONG_TERM", **extra,
    }  # fmt: skip


async def create(client: httpx.AsyncClient, token: str, unit: Unit, **extra: object) -> dict:
    data = await gql_data(client, CREATE, {"input": power_input(unit, **extra)}, token)
    return data["createPower"]


async def test_concurrent_creates_without_a_code_all_get_distinct_serials(client: httpx.AsyncClient) -> None:
    token, unit = await token_for(Role.ADMIN), await numeric_unit()
    results = await asyncio.gather(*(create(client, token, unit) for _ in range(CONCURRENT)))
    failures = [r for r in results if r["__typename"] != "Power"]
    assert not failures, failures[:3]
    codes = sorted(r["code"] for r in results)
    assert codes == [f"{unit.code}CF-{n:04d}" for n in range(1, CONCURRENT + 1)]


async def test_concurrent_service_calls_each_in_its_own_transaction() -> None:
    unit = await numeric_unit()
    data = [PowerData(unit_id=unit.id, name=power_name("对违反编码测试规定行为的处罚"), category=PowerCategory.INSPECTION)
            for _ in range(CONCURRENT)]  # fmt: skip
    powers = await asyncio.gather(*(create_power(ADMIN, d) for d in data))
    assert sorted(p.code for p in powers) == [f"{unit.code}JC-{n:04d}" for n in range(1, CONCURRENT + 1)]


async def test_concurrent_creates_in_several_units_and_categories(client: httpx.AsyncClient) -> None:
    token = await token_for(Role.ADMIN)
    units = [await numeric_unit() for _ in range(3)]
    calls = [
        create(client, token, unit, category=category)
        for unit in units
        for category in ("PENALTY", "LICENSING")
        for _ in range(10)
    ]
    results = await asyncio.gather(*calls)
    assert all(r["__typename"] == "Power" for r in results), [r for r in results if r["__typename"] != "Power"][:3]
    codes = [r["code"] for r in results]
    assert len(set(codes)) == len(codes) == 60
    for unit in units:
        for letters in ("CF", "XK"):
            mine = sorted(c for c in codes if c.startswith(f"{unit.code}{letters}-"))
            assert mine == [f"{unit.code}{letters}-{n:04d}" for n in range(1, 11)]


async def test_an_explicit_or_changed_code_is_never_handed_out_again(client: httpx.AsyncClient) -> None:
    token, unit = await token_for(Role.ADMIN), await numeric_unit()
    first = await create(client, token, unit)
    assert first["code"] == f"{unit.code}CF-0001"
    explicit = await create(client, token, unit, code=f"{unit.code}CF-0040")
    assert explicit["code"] == f"{unit.code}CF-0040"
    assert (await create(client, token, unit))["code"] == f"{unit.code}CF-0041"
    changed = await gql_data(client, UPDATE, {"id": first["id"], "input": {"code": f"{unit.code}CF-0090"}}, token)
    assert changed["updatePower"]["code"] == f"{unit.code}CF-0090"
    assert (await create(client, token, unit))["code"] == f"{unit.code}CF-0091"
    # a lower explicit serial is fine, and does not move the counter back
    assert (await create(client, token, unit, code=f"{unit.code}CF-0005"))["__typename"] == "Power"
    assert (await create(client, token, unit))["code"] == f"{unit.code}CF-0092"


async def test_a_power_written_around_the_counter_is_not_collided_with(client: httpx.AsyncClient) -> None:
    """Codes written without the service (an import, the demo's bulk insert) on a prefix the counter
    has not seen: the first generated code continues after the highest serial in use."""
    token, unit = await token_for(Role.ADMIN), await numeric_unit()
    power = await Power.create(unit=unit, code=f"{unit.code}JL-0007", name=power_name("奖励"), category=PowerCategory.REWARD)
    await enqueue(SearchEntity.POWER, [power.id])  # as an import does: the search index follows
    assert (await create(client, token, unit, category="REWARD"))["code"] == f"{unit.code}JL-0008"


async def test_a_duplicate_code_names_the_code(client: httpx.AsyncClient) -> None:
    token, unit = await token_for(Role.ADMIN), await numeric_unit()
    code = f"{unit.code}CF-0003"
    assert (await create(client, token, unit, code=code))["__typename"] == "Power"
    results = await asyncio.gather(*(create(client, token, unit, code=f"{unit.code}CF-0004") for _ in range(4)))
    refused = [r for r in results if r["__typename"] == "ValidationErrors"]
    assert len(refused) == 3 and sum(r["__typename"] == "Power" for r in results) == 1
    assert all(f"{unit.code}CF-0004 已被使用" in r["errors"][0]["message"] for r in refused), refused


MIGRATE_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from tortoise import connections
    from domain import db

    async def main(url):
        await db.migrate(url)  # everything up to and including 0007 happens in the step before
        await db.close()
        await db.init(url)
        rows = await connections.get("default").execute_query_dict(
            "SELECT prefix, last_serial FROM power_code_serial ORDER BY prefix")
        await db.close()
        print(json.dumps({r["prefix"]: r["last_serial"] for r in rows}))

    asyncio.run(main(sys.argv[1]))
    """
)
BEFORE_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from tortoise.migrations.api.migrate import migrate
    from domain import db
    from domain.enums import PowerCategory, UnitKind
    from domain.models import Power, Unit
    from tests.legacy_rows import newer_columns

    async def main(url):
        await migrate(config=db.tortoise_config(url), target="qingquan.0007_complaint_receipt")
        await db.close()
        await db.init(url)
        async with newer_columns(Unit, Power):
            await old_rows()
        await db.close()

    async def old_rows():
        unit = await Unit.create(code="36072377", name="旧单位", kind=UnitKind.DEPARTMENT, region_code="360723")
        for code, category in [("36072377CF-0003", "PENALTY"), ("36072377CF-0012", "PENALTY"),
                               ("36072377XK-0002", "LICENSING"), ("CUSTOM-1", "OTHER")]:
            await Power.create(unit=unit, code=code, name=code, category=PowerCategory[category])

    asyncio.run(main(sys.argv[1]))
    """
)


def _python(script: str, url: str) -> str:
    proc = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


async def test_the_migration_seeds_the_counters_from_the_codes_in_use(fresh_db_url: str) -> None:
    _python(BEFORE_SCRIPT, fresh_db_url)
    counters = json.loads(_python(MIGRATE_SCRIPT, fresh_db_url).strip().splitlines()[-1])
    assert counters == {"36072377CF-": 12, "36072377XK-": 2}
