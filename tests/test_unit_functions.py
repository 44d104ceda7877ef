"""三定 functions and 四个对应 (issue 24, item 1), from outside through the API: a unit's staff enter or import its
functions and link its powers to them; the report (query, dashboard, Word table) says which functions no power
carries out, which powers carry out none, whose basis is not in force and who else claims the same power —
to the unit and oversight roles only, never naming a power the caller may not see."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import httpx
import pytest
from openpyxl import Workbook

from domain.enums import DisclosureScope, LegalStatus, Role
from domain.models import AuditEvent, LegalArticle, Power, PowerBasis, Unit
from domain.oversight_models import PowerFunction, UnitFunction
from schema.relay import encode_id
from tests.docx_checks import all_text, open_docx
from tests.factories import make_document, make_unit, power_name
from tests.helpers import gql, gql_data, token_for
from tests.workflow_factories import based_power

ERRORS = """
  __typename
  ... on ValidationErrors { errors { field code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
"""
CREATE = f"""mutation ($input: CreateUnitFunctionInput!) {{ createUnitFunction(input: $input) {{
  ... on UnitFunction {{ id ordinal title source unit {{ code }} }} {ERRORS} }} }}"""
UPDATE = f"""mutation ($id: ID!, $input: UpdateUnitFunctionInput!) {{ updateUnitFunction(id: $id, input: $input) {{
  ... on UnitFunction {{ id ordinal title }} {ERRORS} }} }}"""
DELETE = f"""mutation ($id: ID!) {{ deleteUnitFunction(id: $id) {{ ... on Deleted {{ deletedId }} {ERRORS} }} }}"""
LINK = f"""mutation ($power: ID!, $functions: [ID!]!) {{ setPowerFunctions(powerId: $power, functionIds: $functions) {{
  ... on Power {{ code functions {{ title }} }} {ERRORS} }} }}"""
LIST = "query ($unit: ID!) { unitFunctions(unitId: $unit) { id ordinal title powers { code } } }"
POWER_FUNCTIONS = "query ($id: ID!) { node(id: $id) { ... on Power { functions { title } } } }"
REPORT = """query ($unit: ID!) { fourCorrespondences(unitId: $unit) {
  complete functions { title }
  functionsWithoutPower { title }
  powersWithoutFunction { code name }
  powersWithBasisNotInForce { power { code } findings }
  rows { power { code name } bases basisInForce subjectClear corresponds findings functions { title } }
} }"""
PROGRESS = """query ($units: [ID!]) { unitProgress(unitIds: $units) {
  unit { code } total functions functionsWithoutPower powersWithoutFunction } }"""
FILING = f"""mutation ($unit: ID!) {{ generateFiling(unitId: $unit, form: FUNCTIONS) {{
  ... on FilingLink {{ url filename }} {ERRORS} }} }}"""
IMPORT = f"""mutation ($unit: ID!, $file: Upload!, $replace: Boolean!, $dry: Boolean!) {{
  importUnitFunctions(unitId: $unit, file: $file, replace: $replace, dryRun: $dry) {{
    ... on UnitFunctionImport {{ created replaced dryRun functions {{ ordinal title description }} }} {ERRORS} }} }}"""


def uid(unit: Unit) -> str:
    return encode_id("Unit", unit.id)


async def add_function(client: httpx.AsyncClient, unit: Unit, token: str, title: str, **more: Any) -> dict[str, Any]:
    body = await gql_data(client, CREATE, {"input": {"unitId": uid(unit), "title": title, **more}}, token)
    return body["createUnitFunction"]


async def link(client: httpx.AsyncClient, power: Power, functions: list[str], token: str) -> dict[str, Any]:
    body = await gql_data(client, LINK, {"power": encode_id("Power", power.id), "functions": functions}, token)
    return body["setPowerFunctions"]


async def test_staff_enter_number_change_and_remove_functions(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    first = await add_function(client, unit, staff, " 负责全县土地利用总体规划 ", source="余编发〔2010〕12号")
    second = await add_function(client, unit, staff, "负责耕地保护")
    assert (first["ordinal"], first["title"], first["source"], second["ordinal"]) == (1, "负责全县土地利用总体规划", "余编发〔2010〕12号", 2)
    changed = (await gql_data(client, UPDATE, {"id": second["id"], "input": {"ordinal": 5, "title": "负责耕地保护和复垦"}}, staff))
    assert changed["updateUnitFunction"] == {"__typename": "UnitFunction", "id": second["id"], "ordinal": 5, "title": "负责耕地保护和复垦"}
    assert (await gql_data(client, DELETE, {"id": first["id"]}, staff))["deleteUnitFunction"]["deletedId"] == first["id"]
    listed = (await gql_data(client, LIST, {"unit": uid(unit)}, staff))["unitFunctions"]
    assert [(f["ordinal"], f["title"]) for f in listed] == [(5, "负责耕地保护和复垦")]
    assert await AuditEvent.filter(entity_type="unit_function").count() >= 4


async def test_bad_functions_are_refused_and_nothing_is_written(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    taken = await add_function(client, unit, staff, "负责政府采购监督管理", ordinal=3)
    body = await gql_data(client, CREATE, {"input": {"unitId": uid(unit), "title": " ", "ordinal": 0}}, staff)
    assert {(e["field"], e["code"]) for e in body["createUnitFunction"]["errors"]} == {("title", "required"), ("ordinal", "out_of_range")}
    body = await gql_data(client, CREATE, {"input": {"unitId": uid(unit), "title": "另一项", "ordinal": 3}}, staff)
    assert body["createUnitFunction"]["errors"] == [{"field": "ordinal", "code": "duplicate"}]
    body = await gql_data(client, CREATE, {"input": {"unitId": uid(unit), "title": "长" * 501}}, staff)
    assert body["createUnitFunction"]["errors"] == [{"field": "title", "code": "too_long"}]
    body = await gql_data(client, CREATE, {"input": {"unitId": "VW5pdDo5OTk5OTk5", "title": "x"}}, staff)
    assert body["createUnitFunction"]["__typename"] in ("ValidationErrors", "PermissionDeniedError")
    assert [f.title for f in await UnitFunction.filter(unit_id=unit.id)] == [taken["title"]]


@pytest.mark.parametrize("role", [None, "other_staff", Role.REVIEWER, Role.INSPECTOR])
async def test_only_the_unit_and_admins_keep_functions(client: httpx.AsyncClient, role: object) -> None:
    unit, other = await make_unit(), await make_unit()
    token = None if role is None else await token_for(Role.UNIT_STAFF, other) if role == "other_staff" else await token_for(role)  # type: ignore[arg-type]
    body = await gql_data(client, CREATE, {"input": {"unitId": uid(unit), "title": "负责某项职能"}}, token)
    assert body["createUnitFunction"]["__typename"] == "PermissionDeniedError"
    assert not await UnitFunction.exists(unit_id=unit.id)
    admin = await add_function(client, unit, await token_for(Role.ADMIN), "负责某项职能")
    for query, variables in ((UPDATE, {"id": admin["id"], "input": {"title": "改"}}), (DELETE, {"id": admin["id"]})):
        body = await gql_data(client, query, variables, token)
        assert next(iter(body.values()))["__typename"] in ("NotFoundError", "PermissionDeniedError")
    assert (await UnitFunction.get(unit_id=unit.id)).title == "负责某项职能"


async def test_functions_are_read_by_the_unit_above_and_oversight_only(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    office, other = await make_unit(unit), await make_unit()
    made = await add_function(client, office, await token_for(Role.UNIT_STAFF, office), "负责窗口受理")
    for token in (await token_for(Role.UNIT_LEAD, unit), await token_for(Role.INSPECTOR), await token_for(Role.REVIEWER)):
        assert [f["title"] for f in (await gql_data(client, LIST, {"unit": uid(office)}, token))["unitFunctions"]] == ["负责窗口受理"]
    for token in (None, await token_for(Role.UNIT_STAFF, other)):
        body = await gql(client, LIST, {"unit": uid(office)}, token)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"
        node = await gql_data(client, "query ($id: ID!) { node(id: $id) { id } }", {"id": made["id"]}, token)
        assert node["node"] is None


async def test_a_power_names_its_units_or_its_parents_functions_only(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    office, other = await make_unit(unit), await make_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    own = await add_function(client, unit, staff, "负责执法监察")
    foreign = await add_function(client, other, await token_for(Role.UNIT_STAFF, other), "负责别的事")
    power = await based_power(office)
    done = await link(client, power, [own["id"], own["id"]], await token_for(Role.UNIT_STAFF, office))
    assert done["functions"] == [{"title": "负责执法监察"}]
    refused = await link(client, power, [foreign["id"]], await token_for(Role.ADMIN))
    assert refused["errors"] == [{"field": "functionIds.0", "code": "other_unit"}]
    for token in (staff, await token_for(Role.UNIT_STAFF, office)):  # another unit's function is not even named
        hidden = await link(client, power, [foreign["id"]], token)
        assert hidden["errors"] == [{"field": "functionIds.0", "code": "not_found"}]
    outsider = await link(client, power, [], await token_for(Role.UNIT_STAFF, other))
    assert outsider["__typename"] in ("NotFoundError", "PermissionDeniedError")
    assert await PowerFunction.filter(power_id=power.id).values_list("function__title", flat=True) == ["负责执法监察"]
    public = await gql_data(client, POWER_FUNCTIONS, {"id": encode_id("Power", power.id)}, await token_for(Role.UNIT_STAFF, other))
    assert public["node"] is None  # a draft: hidden altogether from another unit


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, unit: Unit, name: str, data: bytes, token: str | None, *, replace: bool = False, dry: bool = False) -> dict[str, Any]:
    operations = {"query": IMPORT, "variables": {"unit": uid(unit), "file": None, "replace": replace, "dry": dry}}
    response = await client.post(
        "/graphql", data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, data, "application/octet-stream")}, headers={"Authorization": f"Bearer {token}"} if token else {},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["data"]["importUnitFunctions"]


SHEET = [["大余县国土资源局主要职责（三定方案）"], ["序号", "主要职责", "具体内容"],
         ["1", "负责建设用地审核报批", "含临时用地"], ["2", "负责耕地保护", ""], ["3", "负责地质灾害防治", ""]]  # fmt: skip


async def test_functions_are_imported_from_a_sheet_all_or_nothing(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    dry = await upload(client, unit, "三定.xlsx", _xlsx(SHEET), staff, dry=True)
    assert (dry["created"], dry["dryRun"], dry["functions"]) == (3, True, [])
    done = await upload(client, unit, "三定.xlsx", _xlsx(SHEET), staff)
    assert [(f["ordinal"], f["title"], f["description"]) for f in done["functions"]] == [
        (1, "负责建设用地审核报批", "含临时用地"), (2, "负责耕地保护", ""), (3, "负责地质灾害防治", "")]  # fmt: skip
    again = await upload(client, unit, "三定.csv", _csv(SHEET[1:]), staff)  # the same numbers again
    assert {(e["field"], e["code"]) for e in again["errors"]} == {(f"rows.{n}.ordinal", "duplicate") for n in (2, 3, 4)}
    bad = await upload(client, unit, "三定.csv", _csv([["职能"], ["负责甲"], [""], ["  "], ["负责乙"]]), staff, replace=True)
    assert bad["created"] == 2 and bad["replaced"] == 3
    assert await UnitFunction.filter(unit_id=unit.id).order_by("ordinal").values_list("ordinal", "title") == [(1, "负责甲"), (2, "负责乙")]
    for name, data in (("x.csv", _csv([["名称", "说明"], ["a", "b"]])), ("x.xlsx", b"PK\x03\x04broken"), ("x.csv", b"\xff\xfe\x00bad")):
        refused = await upload(client, unit, name, data, staff, replace=True)
        assert refused["__typename"] == "ValidationErrors" and refused["errors"][0]["field"] == "file"
    other = await upload(client, unit, "三定.xlsx", _xlsx(SHEET), await token_for(Role.UNIT_STAFF, await make_unit()), replace=True)
    assert other["__typename"] == "PermissionDeniedError"
    assert await UnitFunction.filter(unit_id=unit.id).count() == 2


class County:
    """A unit with an office, three functions and powers covering each case of the report alone."""

    unit: Unit
    functions: dict[str, str]
    powers: dict[str, Power]


@pytest.fixture(scope="module")
async def county(client: httpx.AsyncClient) -> County:
    c = County()
    c.unit = await make_unit(name="四个对应测试局")
    office = await make_unit(c.unit)
    admin = await token_for(Role.ADMIN)
    c.functions = {key: (await add_function(client, c.unit, admin, title))["id"]
                   for key, title in (("permit", "负责许可审批"), ("penalty", "负责执法处罚"), ("idle", "负责无人承接的职能"))}  # fmt: skip
    repealed = await make_document(status=LegalStatus.REPEALED, repeal_date=date(2020, 1, 1))
    c.powers = {
        "ok": await based_power(c.unit, name=power_name("对应齐全的审批")),
        "unlinked": await based_power(office, name=power_name("未对应职能的检查")),
        "ended": await based_power(c.unit, name=power_name("依据已废止的处罚")),
        "leadership": await based_power(c.unit, name=power_name("领导班子内公开的职权"), disclosure_scope=DisclosureScope.LEADERSHIP),
        "secret": await based_power(c.unit, name=power_name("涉密的职权"), confidential=True, confidentiality_reason="涉及国家秘密",
                                    confidentiality_basis="《中华人民共和国保守国家秘密法》第九条"),
    }  # fmt: skip
    ended = await LegalArticle.get(document_id=repealed.id, ordinal=1)
    await PowerBasis.filter(power_id=c.powers["ended"].id).update(article_id=ended.id)
    for key, functions in (("ok", ["permit"]), ("ended", ["penalty"]), ("leadership", ["penalty"]), ("secret", ["permit"])):
        await link(client, c.powers[key], [c.functions[f] for f in functions], admin)
    return c


def _codes(rows: list[dict[str, Any]]) -> set[str]:
    return {r["code"] if "code" in r else r["power"]["code"] for r in rows}


async def test_the_report_finds_each_gap(client: httpx.AsyncClient, county: County) -> None:
    report = (await gql_data(client, REPORT, {"unit": uid(county.unit)}, await token_for(Role.INSPECTOR)))["fourCorrespondences"]
    p = county.powers
    assert [f["title"] for f in report["functionsWithoutPower"]] == ["负责无人承接的职能"]
    assert _codes(report["powersWithoutFunction"]) == {p["unlinked"].code}
    assert _codes(report["powersWithBasisNotInForce"]) == {p["ended"].code}
    rows = {r["power"]["code"]: r for r in report["rows"]}
    assert set(rows) == {power.code for power in p.values()}
    assert rows[p["ok"].code]["corresponds"] and rows[p["ok"].code]["functions"] == [{"title": "负责许可审批"}]
    assert not rows[p["ended"].code]["basisInForce"]
    assert any("已失去法律效力" in finding for finding in rows[p["ended"].code]["findings"])
    assert not rows[p["unlinked"].code]["corresponds"] and not report["complete"]


async def test_a_units_staff_report_leaves_out_what_they_may_not_see(client: httpx.AsyncClient, county: County) -> None:
    staff = await token_for(Role.UNIT_STAFF, county.unit)
    report = (await gql_data(client, REPORT, {"unit": uid(county.unit)}, staff))["fourCorrespondences"]
    text = json.dumps(report, ensure_ascii=False)
    hidden = county.powers["leadership"]
    assert hidden.code not in text and hidden.name not in text
    assert county.powers["secret"].code in text  # the unit's own confidential power: its staff see it
    lead = (await gql_data(client, REPORT, {"unit": uid(county.unit)}, await token_for(Role.UNIT_LEAD, county.unit)))
    assert hidden.code in json.dumps(lead, ensure_ascii=False)


@pytest.mark.parametrize("who", ["public", "other_staff"])
async def test_the_report_and_its_word_table_are_refused_outside_the_unit(client: httpx.AsyncClient, county: County, who: str) -> None:
    token = None if who == "public" else await token_for(Role.UNIT_STAFF, await make_unit())
    body = await gql(client, REPORT, {"unit": uid(county.unit)}, token)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"
    assert county.powers["secret"].name not in json.dumps(body, ensure_ascii=False)
    assert (await gql_data(client, FILING, {"unit": uid(county.unit)}, token))["generateFiling"]["__typename"] == "PermissionDeniedError"
    progress = (await gql_data(client, PROGRESS, {"units": [uid(county.unit)]}, token))["unitProgress"]
    assert all(row["functions"] is None and row["powersWithoutFunction"] is None for row in progress)


async def test_another_units_confidential_power_of_the_same_name_is_not_told(client: httpx.AsyncClient, county: County) -> None:
    """职权—主体: a power claimed by another unit too is 职责不清 — but one the caller may not see that is
    confidential is not even mentioned (domain.rules), in the report nor in the Word table."""
    twin_unit = await make_unit(name="另一个实施主体局")
    twin = await based_power(twin_unit, name=county.powers["ok"].name, confidential=True, confidentiality_reason="涉密",
                             confidentiality_basis="《中华人民共和国保守国家秘密法》第九条")  # fmt: skip
    staff = await token_for(Role.UNIT_STAFF, county.unit)
    mine = {r["power"]["code"]: r for r in (await gql_data(client, REPORT, {"unit": uid(county.unit)}, staff))["fourCorrespondences"]["rows"]}
    assert mine[county.powers["ok"].code]["subjectClear"] and mine[county.powers["ok"].code]["findings"] == []
    inspector = await token_for(Role.INSPECTOR)
    seen = {r["power"]["code"]: r for r in (await gql_data(client, REPORT, {"unit": uid(county.unit)}, inspector))["fourCorrespondences"]["rows"]}
    assert not seen[county.powers["ok"].code]["subjectClear"]
    link_ = (await gql_data(client, FILING, {"unit": uid(county.unit)}, staff))["generateFiling"]
    text = all_text(open_docx((await client.get(link_["url"])).content))
    assert twin.code not in text, text
    assert twin_unit.name not in text and "职责不清" not in text
    assert county.powers["leadership"].name not in text  # a LEADERSHIP power: not for the unit's staff
    await Power.filter(id=twin.id).delete()


async def test_the_word_table_lists_every_row_and_gap(client: httpx.AsyncClient, county: County) -> None:
    link_ = (await gql_data(client, FILING, {"unit": uid(county.unit)}, await token_for(Role.INSPECTOR)))["generateFiling"]
    assert link_["filename"] == f"{county.unit.name}职权与依据、主体、职能对应情况审查表.docx"
    text = all_text(open_docx((await client.get(link_["url"])).content))
    assert "职权与依据、主体、职能对应情况审查表" in text and "无对应职权的三定职能（1项）" in text
    for power in county.powers.values():
        assert power.code in text
    assert "负责无人承接的职能" in text and "未对应三定职能" in text and "依据" in text


async def test_the_dashboard_counts_the_gaps_for_the_unit(client: httpx.AsyncClient, county: County) -> None:
    progress = (await gql_data(client, PROGRESS, {"units": [uid(county.unit)]}, await token_for(Role.UNIT_LEAD, county.unit)))
    (row,) = progress["unitProgress"]
    # the unit's own row: its three functions, one carried by none; its own powers all name one (the office's does not)
    assert (row["functions"], row["functionsWithoutPower"], row["powersWithoutFunction"]) == (3, 1, 0)


async def test_a_functions_powers_are_those_the_caller_may_see(client: httpx.AsyncClient, county: County) -> None:
    def carriers(body: dict[str, Any]) -> dict[str, set[str]]:
        return {f["title"]: {p["code"] for p in f["powers"]} for f in body["unitFunctions"]}

    p = county.powers
    staff = carriers(await gql_data(client, LIST, {"unit": uid(county.unit)}, await token_for(Role.UNIT_STAFF, county.unit)))
    assert staff == {"负责许可审批": {p["ok"].code, p["secret"].code}, "负责执法处罚": {p["ended"].code}, "负责无人承接的职能": set()}
    lead = carriers(await gql_data(client, LIST, {"unit": uid(county.unit)}, await token_for(Role.UNIT_LEAD, county.unit)))
    assert lead["负责执法处罚"] == {p["ended"].code, p["leadership"].code}
