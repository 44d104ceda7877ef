"""职权编码 as data, not as a path, and not as a probe (issue 21, items 3 and 8).

A code is exactly its unit's code, its category's letters, `-` and a 4-digit serial: anything else is
refused on create and update with a field error and nothing written, and the import does not keep it.
Every file name made from a code (the 一盘's members, filings, downloads) is one safe path component.
Only an admin chooses a code: for a unit's staff a code held by a power they may not see answers as
exactly as a free one does, on createPower, updatePower and the catalogue import."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import unicodedata
import zipfile
from collections.abc import AsyncIterator
from urllib.parse import quote

import httpx
import pytest

from docgen.forms import FilingForm
from domain.enums import DisclosureScope, PowerCategory, Role
from domain.filenames import safe_filename
from domain.models import Power, Unit
from resolvers.ids import encode_id
from tests.catalog_sheets import numbered_unit, tag, upload_sheet
from tests.factories import ADMIN, make_power, power_name, row_counts
from tests.helpers import gql_data, token_for
from tests.test_power_code_serials import _python
from tests.workflow_factories import charted

pytestmark = pytest.mark.usefixtures("demo")  # the demo's 国土资源局 (36072308) and its LEADERSHIP power

POWER = """__typename ... on Power { id code category }
  ... on ValidationErrors { message errors { field code message } }
  ... on NotFoundError { message } ... on PermissionDeniedError { message }"""
CREATE = f"mutation ($input: CreatePowerInput!) {{ createPower(input: $input) {{ {POWER} }} }}"
UPDATE = (
    f"mutation ($id: ID!, $input: UpdatePowerInput!) {{ updatePower(id: $id, input: $input) {{ {POWER} }} }}"
)
DELETE = "mutation ($id: ID!) { deletePower(id: $id) { __typename } }"
IMPORT = """
mutation ($unit: ID!, $file: Upload!) {
  importCatalog(unitId: $unit, file: $file, dryRun: true) {
    __typename ... on CatalogImportReport { created matched refused rows { row fate name code reasons } }
  }
}"""
PACKAGE = (
    "mutation ($unit: ID!) { generatePackage(unitId: $unit) { __typename ... on DownloadLink { url } } }"
)
FILING = """mutation ($unit: ID!, $form: FilingForm!, $power: ID) {
  generateFiling(unitId: $unit, form: $form, powerId: $power) { __typename ... on FilingLink { url filename } } }"""

#: hostile or merely wrong codes for a power of category OTHER (QT) of `{u}`; each must be refused
HOSTILE = [
    "{u}QT-/../../../tmp/x", "{u}QT-0001\\..\\..\\x", "{u}QT-%2e%2e%2fx", "{u}QT-%2e", "{u}QT-\u202e1000",
    "{u}QT-0001\u202egpj.exe", "{u}QT-00\x0001", "{u}QT-" + "0" * 40, "{u}QT-00001", "{u}qt-0001",
    "{u}QT-０００１", "{u}QT-٠٠٠١", "{u}QT-0000", "{u}XK-0001", "36072399QT-0001", "{u}QT-0001.R1", "QT-0001",
    "{u}QT 0001",
]  # fmt: skip
#: one path component of a zip member or download: what safe_filename leaves, and nothing to climb with
SAFE_PART = re.compile(r"^[^\W_](?:[\w()+、-]|\.(?=[^\W_]))*\Z")


@pytest.fixture
async def bureau() -> tuple[Unit, Power, str]:
    """The office of 国土资源局 that holds the demo's LEADERSHIP power, the power, and a token of the
    bureau's staff (who see the office's other powers, not that one)."""
    hidden = await Power.filter(
        unit__code__startswith="36072308", disclosure_scope=DisclosureScope.LEADERSHIP
    ).first()
    assert hidden is not None
    office = await Unit.get(id=hidden.unit_id)
    return office, hidden, await token_for(Role.UNIT_STAFF, await Unit.get(code="36072308"))


def new_power(unit: Unit, **fields: object) -> dict[str, object]:
    return {
        "unitId": encode_id("Unit", unit.id),
        "name": power_name("对违反编码规定行为的处理"),
        "category": "OTHER",
        **fields,
    }


def free_code(hidden: Power) -> str:
    """A code of the hidden power's range that nobody holds."""
    return f"{hidden.code[:-4]}9999"


async def refusal(client: httpx.AsyncClient, query: str, variables: dict, token: str) -> list[tuple[str, str]]:
    """The (field, code) of each error a refused mutation answers, each message checked for both languages
    and for not repeating the code. NUL is refused for every text before GraphQL runs: a 400 `invalid_text`."""
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    body = response.json()
    if response.status_code == 400:
        errors = [{"field": "", "code": e["extensions"]["code"], "message": e["message"]} for e in body["errors"]]
    else:
        assert response.status_code == 200 and not body.get("errors"), body
        result = next(iter(body["data"].values()))
        assert result["__typename"] == "ValidationErrors", result
        errors = result["errors"]
    code = variables["input"]["code"]
    for error in errors:
        assert re.search(r"[\u4e00-\u9fff]", error["message"]) and "(" in error["message"], error
        assert re.fullmatch(r"[0-9A-Za-z-]+", code) or code not in error["message"], error  # never echoed
    return [(e["field"], e["code"]) for e in errors]


REFUSED = ([("code", "invalid")], [("code", "too_long")], [("", "invalid_text")])


async def test_hostile_codes_are_refused_with_a_field_error_and_nothing_written(
    client: httpx.AsyncClient, bureau: tuple[Unit, Power, str]
) -> None:
    office, _, staff = bureau
    admin = await token_for(Role.ADMIN)
    before = await row_counts()
    for template in HOSTILE:
        for token in (staff, admin):
            variables = {"input": new_power(office, code=template.format(u=office.code))}
            assert await refusal(client, CREATE, variables, token) in REFUSED, template
    assert await row_counts() == before


async def test_an_update_to_a_hostile_code_is_refused(client: httpx.AsyncClient) -> None:
    unit = await numbered_unit()
    power = await make_power(unit, category=PowerCategory.OTHER)
    admin, gid = await token_for(Role.ADMIN), encode_id("Power", power.id)
    before = await row_counts()
    for template in HOSTILE:
        variables = {"id": gid, "input": {"code": template.format(u=unit.code)}}
        assert await refusal(client, UPDATE, variables, admin) in REFUSED, template
    assert await row_counts() == before and (await Power.get(id=power.id)).code == power.code
    good = f"{unit.code}QT-0042"
    changed = await gql_data(client, UPDATE, {"id": gid, "input": {"code": good}}, admin)
    assert changed["updatePower"]["code"] == good


async def test_a_code_held_by_a_hidden_power_answers_as_a_free_one(
    client: httpx.AsyncClient, bureau: tuple[Unit, Power, str]
) -> None:
    office, hidden, staff = bureau
    assert await Power.exists(code=hidden.code) and not await Power.exists(code=free_code(hidden))
    hidden_category = hidden.category.value
    before = await row_counts()
    answers = [
        (
            await gql_data(
                client, CREATE, {"input": new_power(office, code=code, category=hidden_category)}, staff
            )
        )["createPower"]
        for code in (hidden.code, free_code(hidden))
    ]
    assert answers[0] == answers[1], answers
    assert answers[0]["__typename"] == "ValidationErrors" and answers[0]["errors"][0]["code"] == "forbidden"
    assert await row_counts() == before
    # the same for a code changed on the staff's own draft, which otherwise they may edit
    draft = (await gql_data(client, CREATE, {"input": new_power(office, category=hidden_category)}, staff))[
        "createPower"
    ]
    assert draft["__typename"] == "Power" and draft["code"].startswith(hidden.code[:-4]), draft
    try:
        before = await row_counts()
        changed = [
            (await gql_data(client, UPDATE, {"id": draft["id"], "input": {"code": code}}, staff))[
                "updatePower"
            ]
            for code in (hidden.code, free_code(hidden))
        ]
        assert changed[0] == changed[1] and changed[0]["errors"][0]["code"] == "forbidden", changed
        assert await row_counts() == before
    finally:
        assert (await gql_data(client, DELETE, {"id": draft["id"]}, staff))["deletePower"][
            "__typename"
        ] == "Deleted"


def sheet(rows: list[tuple[str, str, str]]) -> tuple[str, bytes]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["编号", "权力名称", "权力类别"])
    writer.writerows(rows)
    return "codes.csv", out.getvalue().encode("utf-8")


async def test_the_import_answers_a_hidden_powers_code_and_name_as_free_ones(
    client: httpx.AsyncClient, bureau: tuple[Unit, Power, str]
) -> None:
    office, hidden, staff = bureau
    label = hidden.category.label
    rows = [(hidden.code, power_name("导入甲"), label), (free_code(hidden), power_name("导入乙"), label),
            ("", hidden.name, label), ("", power_name("导入丙"), label)]  # fmt: skip
    before = await row_counts()
    report = (await upload_sheet(client, IMPORT, {"unit": encode_id("Unit", office.id)}, sheet(rows), staff))[
        "importCatalog"
    ]
    assert await row_counts() == before
    assert [r["fate"] for r in report["rows"]] == ["CREATED"] * 4, report
    assert all(r["code"] != hidden.code for r in report["rows"])

    def shape(row: dict) -> dict:
        return {k: v for k, v in row.items() if k not in ("row", "name", "code")}

    taken, free, named, plain = report["rows"]
    assert shape(taken) == shape(free) and taken["reasons"] and shape(named) == shape(plain), report["rows"]


async def test_an_admins_import_keeps_a_standard_code_only(database: str) -> None:
    from domain.catalog.importer import CODE_NOT_KEPT, import_into_unit

    unit, mark = await numbered_unit(), tag()
    rows = [(f"{unit.code}XK-0007", f"甲许可{mark}", "行政许可"), (f"{unit.code}XK-/../x", f"乙许可{mark}", "行政许可"),
            (f"{unit.code}CF-0008", f"丙许可{mark}", "行政许可")]  # fmt: skip
    name, data = sheet(rows)
    result = await import_into_unit(ADMIN, unit.code, name, data)
    codes = [r.code for r in result.rows]
    assert codes == [f"{unit.code}XK-0007", f"{unit.code}XK-0008", f"{unit.code}XK-0009"]
    assert [CODE_NOT_KEPT in r.reasons for r in result.rows] == [False, True, True]


async def test_a_category_change_gives_a_code_of_the_new_category(client: httpx.AsyncClient) -> None:
    unit = await numbered_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    draft = (await gql_data(client, CREATE, {"input": new_power(unit, category="PENALTY")}, staff))[
        "createPower"
    ]
    assert draft["code"] == f"{unit.code}CF-0001"
    moved = (await gql_data(client, UPDATE, {"id": draft["id"], "input": {"category": "LICENSING"}}, staff))[
        "updatePower"
    ]
    assert (moved["code"], moved["category"]) == (f"{unit.code}XK-0001", "LICENSING")


@pytest.fixture
async def legacy_power() -> AsyncIterator[tuple[Unit, Power]]:
    """A charted draft whose code was stored before codes were checked (as 0021 finds such rows), put back after."""
    unit = await numbered_unit()
    power = await charted(await make_power(unit, category=PowerCategory.OTHER, name=power_name("旧编码")))
    hostile = f"{unit.code}QT-/../../../tmp/x\u202egpj"
    await Power.filter(id=power.id).update(code=hostile)
    yield unit, await Power.get(id=power.id)
    await Power.filter(id=power.id).update(code=power.code)


def safe_path(name: str) -> bool:
    return all(
        SAFE_PART.match(part) and unicodedata.normalize("NFKC", part) == part for part in name.split("/")
    )


async def test_every_name_in_the_package_and_downloads_is_safe(
    client: httpx.AsyncClient, legacy_power: tuple[Unit, Power]
) -> None:
    unit, power = legacy_power
    staff = await token_for(Role.UNIT_STAFF, unit)
    link = (await gql_data(client, PACKAGE, {"unit": encode_id("Unit", unit.id)}, staff))["generatePackage"]
    response = await client.get(link["url"])
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert any(n.startswith("charts/") for n in names), names
    assert all(safe_path(n) for n in names), names
    manifest = json.loads(archive.read("manifest.json"))
    assert all(safe_path(f["path"]) for f in manifest["files"])
    assert "../" not in response.headers["content-disposition"]
    variables = {
        "unit": encode_id("Unit", unit.id),
        "form": FilingForm.FLOW_CHARTS.value,
        "power": encode_id("Power", power.id),
    }
    filing = (await gql_data(client, FILING, variables, staff))["generateFiling"]
    assert safe_path(filing["filename"]) and filing["filename"] == safe_filename(filing["filename"]), filing
    download = await client.get(filing["url"])
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert filing["filename"] == safe_filename(f"{unit.name}行政权力运行流程图（{power.code}）.docx")
    assert (
        f"filename*=UTF-8''{quote(filing['filename'], safe='')}" in disposition  # RFC 5987: the Chinese name
        and "%2F" not in disposition
        and "%E2%80%AE" not in disposition
    )


def test_safe_filename_keeps_good_names_and_defuses_the_rest() -> None:
    assert safe_filename("36072308XK-0001.R2-FLOW_CHARTS.docx") == "36072308XK-0001.R2-FLOW_CHARTS.docx"
    assert safe_filename("36072308-一盘-UNIT_STAFF.zip") == "36072308-一盘-UNIT_STAFF.zip"
    for hostile in (
        "../../etc/passwd",
        "..\\..\\x.svg",
        "%2e%2e%2f",
        "x\u202egpj.exe",
        "a\x00b",
        "．．／x",
        "NUL.txt",
        "",
        "长" * 500,
    ):
        made = safe_filename(hostile)
        assert SAFE_PART.match(made) and len(made.encode()) <= 200, (hostile, made)


# ---------------------------------------------------------------- the migration (0021)

BEFORE = textwrap.dedent(
    """
    import asyncio, sys
    from tortoise import connections
    from tortoise.migrations.api.migrate import migrate
    from domain import db
    from domain.enums import PowerCategory, UnitKind
    from domain.models import Power, Unit
    from tests.legacy_rows import newer_columns

    async def main(url):
        await migrate(config=db.tortoise_config(url), target="qingquan.0020_version_scope")
        await db.close()
        await db.init(url)
        async with newer_columns(Unit, Power):
            await old_rows()
        await db.close()

    async def old_rows():
        unit = await Unit.create(code="36072377", name="旧单位", kind=UnitKind.DEPARTMENT, region_code="360723")
        odd = await Unit.create(code="OLD-7", name="旧编码单位", kind=UnitKind.DEPARTMENT, region_code="360723")
        for owner, code, category in [
            (unit, "36072377CF-0003", "PENALTY"), (unit, "36072377CF-0012", "PENALTY"), (unit, "DQ-001", "LICENSING"),
            (unit, "36072377QT-/../../../tmp/x", "OTHER"), (unit, "36072377QT-/../../../tmp/x.R1", "OTHER"),
            (unit, "36072377CF-0004\\\\..\\\\evil", "PENALTY"), (unit, "36072377XK-%2e%2e", "LICENSING"),
            (unit, "36072377XK-0001\\u202egpj", "LICENSING"), (unit, "36072377CF-0003.R2", "PENALTY"),
            (odd, "OLD 7 / 1", "OTHER"),
        ]:
            await Power.create(unit=owner, code=code, name=code, category=PowerCategory[category])
        conn = connections.get("default")
        await conn.execute_query("INSERT INTO power_code_serial (prefix, last_serial) VALUES ('36072377CF-', 20)")

    asyncio.run(main(sys.argv[1]))
    """
)
AFTER = textwrap.dedent(
    """
    import asyncio, json, sys
    from tortoise import connections
    from domain import db

    async def main(url):
        await db.migrate(url)
        await db.migrate(url)  # twice: the second finds nothing to do
        await db.close()
        await db.init(url)
        conn = connections.get("default")
        powers = await conn.execute_query_dict("SELECT id, name, code FROM power ORDER BY id")
        audit = await conn.execute_query_dict(
            "SELECT actor, role, action, entity_id, detail FROM audit_event WHERE action = 'power.update' ORDER BY id")
        counters = await conn.execute_query_dict("SELECT prefix, last_serial FROM power_code_serial ORDER BY prefix")
        await db.close()
        print(json.dumps({"powers": powers, "audit": audit, "counters": counters}, default=str))

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_the_migration_rewrites_unsafe_codes_and_keeps_the_rest(fresh_db_url: str) -> None:
    _python(BEFORE, fresh_db_url)
    out = json.loads(_python(AFTER, fresh_db_url).strip().splitlines()[-1])
    codes = {p["name"]: p["code"] for p in out["powers"]}
    ids = {p["name"]: str(p["id"]) for p in out["powers"]}
    odd_id = ids["OLD 7 / 1"]
    assert codes == {
        "36072377CF-0003": "36072377CF-0003", "36072377CF-0012": "36072377CF-0012", "DQ-001": "DQ-001",
        "36072377CF-0003.R2": "36072377CF-0003.R2",  # safe: kept, as are standard and old systems' codes
        "36072377QT-/../../../tmp/x": "36072377QT-0001", "36072377QT-/../../../tmp/x.R1": "36072377QT-0001.R1",
        "36072377CF-0004\\..\\evil": "36072377CF-0021",  # past the counter (20), not only past the codes (12)
        "36072377XK-%2e%2e": "36072377XK-0001", "36072377XK-0001\u202egpj": "36072377XK-0002",
        "OLD 7 / 1": f"OLD-7-1-{odd_id}",  # a unit without a standard code: its letters and digits and the id
    }  # fmt: skip
    assert all(SAFE_PART.match(code) for code in codes.values())
    audit = [(a["actor"], a["role"], a["entity_id"], a["detail"]) for a in out["audit"]]
    assert len(audit) == 6 and all(
        actor.startswith("migration 0021") and role == "ADMIN" for actor, role, _, _ in audit
    )
    recorded = {}
    for _, _, entity_id, detail in audit:
        detail = json.loads(detail) if isinstance(detail, str) else detail
        recorded[entity_id] = tuple(detail["changes"]["code"])
        assert "file name" in detail["reason"]
    assert recorded == {ids[old]: (old, new) for old, new in codes.items() if old != new}
    counters = {c["prefix"]: c["last_serial"] for c in out["counters"]}
    assert counters == {"36072377CF-": 21, "36072377QT-": 1, "36072377XK-": 2}
    # The changes 0021 queued for the search went with the outbox: 0022 replaced it with the change feed
    # and makes every index rebuild from the database (tests/test_change_feed.py), the new codes included.
