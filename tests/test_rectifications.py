"""整改 to the end and 责任追究 (issue 24, item 2), from outside as the roles concerned: 监察局 (INSPECTOR) or 县公开办
sets a requirement with a deadline in working days on an inspection's finding, the unit replies with evidence
files, 县公开办 accepts or returns it, 监察局 closes it; late ones are on the overdue list. The unit sees its own,
oversight roles all, nobody else anything; 责任追究 is for oversight roles only. A refused request writes nothing."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from domain import inspections
from domain.access import Viewer
from domain.enums import InspectionKind, ReviewSeat, Role
from domain.models import AuditEvent, StoredFile, Unit
from domain.oversight_models import Accountability, Rectification, RectificationEvidence
from domain.tokens import create_token
from domain.workdays import WorkCalendar, today
from qingquan import evidence
from qingquan.settings import get_settings
from resolvers.ids import decode_id
from schema.relay import encode_id
from tests.factories import make_unit, staff_of
from tests.helpers import app_client, gql, gql_data, token_for
from tests.oversight_factories import ERRORS
from tests.workflow_factories import seat_holder

INSPECTOR = Viewer(role=Role.INSPECTOR, name="县监察局检查组")
FIELDS = "id status finding requirement workdays issuedOn dueOn overdue round reply reviewOpinion closedOn"
REQUIRE = f"""mutation ($input: RequireRectificationInput!) {{ requireRectification(input: $input) {{
  ... on Rectification {{ {FIELDS} unit {{ code }} }} {ERRORS} }} }}"""
REPLY = f"""mutation ($id: ID!, $reply: String!, $evidence: [Upload!]) {{ replyToRectification(id: $id, reply: $reply, evidence: $evidence) {{
  ... on Rectification {{ {FIELDS} evidence {{ round filename contentType size download {{ url }} }} }} {ERRORS} }} }}"""
ACCEPT = f"""mutation ($id: ID!) {{ acceptRectification(id: $id, opinion: "整改到位，同意验收。") {{
  ... on Rectification {{ {FIELDS} }} {ERRORS} }} }}"""
RETURN = f"""mutation ($id: ID!, $days: Int!) {{ returnRectification(id: $id, opinion: "佐证材料不全，请补充。", workdays: $days) {{
  ... on Rectification {{ {FIELDS} }} {ERRORS} }} }}"""
CLOSE = f"""mutation ($id: ID!) {{ closeRectification(id: $id) {{ ... on Rectification {{ {FIELDS} }} {ERRORS} }} }}"""
LIST = """query ($filter: RectificationFilter) { rectifications(first: 50, filter: $filter) { totalCount nodes { id overdue } } }"""
NODE = "query ($id: ID!) { node(id: $id) { id } }"
INSPECTION_RECTIFICATIONS = """query ($unit: ID) { inspections(first: 5, unitId: $unit) { nodes { rectifications { id status } } } }"""
ACCOUNT = f"""mutation ($input: RecordAccountabilityInput!) {{ recordAccountability(input: $input) {{
  ... on Accountability {{ id person sanction basis unit {{ code }} rectification {{ id }} }} {ERRORS} }} }}"""
ACCOUNTS = """query ($unit: ID) { accountabilities(first: 20, unitId: $unit) { totalCount nodes { id person } } }"""

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


class Case:
    unit: Unit
    office: Unit
    inspection_id: int
    tokens: dict[str, str | None]


@pytest.fixture(scope="module")
async def case(client: httpx.AsyncClient) -> Case:
    c = Case()
    c.unit = await make_unit(name="整改测试局")
    c.office = await make_unit(c.unit)
    data = inspections.InspectionData(c.office.id, InspectionKind.ACCEPTANCE, date(2026, 11, 2), "流程图缺少监督制约环节。", 76)
    c.inspection_id = (await inspections.record_inspection(INSPECTOR, data)).id
    await seat_holder(ReviewSeat.OPENNESS_OFFICE)
    await seat_holder(ReviewSeat.LEGAL_AFFAIRS)
    c.tokens = {
        "public": None,
        "staff": await token_for(Role.UNIT_STAFF, c.office),
        "lead_above": await token_for(Role.UNIT_LEAD, c.unit),
        "other": await token_for(Role.UNIT_STAFF, await make_unit()),
        "inspector": await token_for(Role.INSPECTOR),
        "openness": (await create_token(Role.REVIEWER, seat=ReviewSeat.OPENNESS_OFFICE))[1],
        "legal": (await create_token(Role.REVIEWER, seat=ReviewSeat.LEGAL_AFFAIRS))[1],
        "admin": await token_for(Role.ADMIN),
    }
    return c


def _input(case: Case, **over: Any) -> dict[str, Any]:
    return {"inspectionId": encode_id("Inspection", case.inspection_id), "finding": "两项处罚职权的流程图缺少监督制约环节",
            "requirement": "补充监督制约环节并书面报告。", "workdays": 5, "issuedOn": "2026-11-03", **over}  # fmt: skip


async def require(client: httpx.AsyncClient, case: Case, token: str | None = None, **over: Any) -> dict[str, Any]:
    body = await gql_data(client, REQUIRE, {"input": _input(case, **over)}, token or case.tokens["inspector"])
    return body["requireRectification"]


async def reply(
    client: httpx.AsyncClient, rid: str, token: str | None, files: list[tuple[str, bytes]], text: str = "已补充流程图监督制约环节。",
) -> dict[str, Any]:  # fmt: skip
    """replyToRectification as a GraphQL multipart request, one part per file (without files, plain JSON)."""
    if not files:
        return await call(client, REPLY, {"id": rid, "reply": text, "evidence": []}, token)
    operations = {"query": REPLY, "variables": {"id": rid, "reply": text, "evidence": [None] * len(files)}}
    mapping = {str(i): [f"variables.evidence.{i}"] for i in range(len(files))}
    response = await client.post(
        "/graphql", data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
        files={str(i): (name, data, "application/octet-stream") for i, (name, data) in enumerate(files)},
        headers={"Authorization": f"Bearer {token}"} if token else {},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body["errors"]
    return body["data"]["replyToRectification"]


def _pk(global_id: str) -> int:
    return decode_id(global_id, "Rectification")


async def call(client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
    return next(iter((await gql_data(client, query, variables, token)).values()))


async def test_a_rectification_runs_from_requirement_to_closure(client: httpx.AsyncClient, case: Case) -> None:
    made = await require(client, case)
    calendar = await WorkCalendar.load()
    assert (made["status"], made["dueOn"]) == ("OPEN", calendar.deadline(date(2026, 11, 3), 5).day.isoformat())
    assert made["overdue"] == (date.fromisoformat(made["dueOn"]) < today()) and made["unit"]["code"] == case.office.code
    overdue = (await gql_data(client, LIST, {"filter": {"overdue": True, "unitId": encode_id("Unit", case.unit.id)}}, case.tokens["staff"]))
    assert made["id"] in [n["id"] for n in overdue["rectifications"]["nodes"]]
    first = await reply(client, made["id"], case.tokens["staff"], [("流程图.pdf", PDF), ("公开栏照片.png", PNG)])
    assert (first["status"], first["round"], [e["contentType"] for e in first["evidence"]]) == ("REPLIED", 1, ["application/pdf", "image/png"])
    downloaded = await client.get(first["evidence"][0]["download"]["url"])
    assert downloaded.status_code == 200 and downloaded.content == PDF
    returned = await call(client, RETURN, {"id": made["id"], "days": 3}, case.tokens["openness"])
    assert (returned["status"], returned["workdays"], returned["dueOn"]) == ("RETURNED", 3, calendar.deadline(today(), 3).day.isoformat())
    second = await reply(client, made["id"], case.tokens["staff"], [], "已补充佐证材料。")
    assert (second["status"], second["round"], len(second["evidence"])) == ("REPLIED", 2, 2)
    assert (await call(client, ACCEPT, {"id": made["id"]}, case.tokens["openness"]))["status"] == "ACCEPTED"
    closed = await call(client, CLOSE, {"id": made["id"]}, case.tokens["inspector"])
    assert (closed["status"], closed["closedOn"], closed["overdue"]) == ("CLOSED", today().isoformat(), False)
    actions = await AuditEvent.filter(entity_type="rectification", entity_id=str(_pk(made["id"]))).values_list("action", flat=True)
    assert sorted(actions) == sorted(["rectification.require", "rectification.reply", "rectification.return", "rectification.reply",
                                      "rectification.accept", "rectification.close"])  # fmt: skip
    nested = await gql_data(client, INSPECTION_RECTIFICATIONS, {"unit": encode_id("Unit", case.office.id)}, case.tokens["staff"])
    assert {"id": made["id"], "status": "CLOSED"} in nested["inspections"]["nodes"][0]["rectifications"]


@pytest.mark.parametrize("who", ["public", "staff", "legal", "admin"])
async def test_only_the_inspectors_and_the_openness_office_require(client: httpx.AsyncClient, case: Case, who: str) -> None:
    before = await Rectification.all().count()
    body = await gql_data(client, REQUIRE, {"input": _input(case)}, case.tokens[who])
    assert body["requireRectification"]["__typename"] == "PermissionDeniedError"
    assert await Rectification.all().count() == before
    assert (await require(client, case, case.tokens["openness"]))["status"] == "OPEN"


async def test_each_step_is_its_roles_and_its_statuss(client: httpx.AsyncClient, case: Case) -> None:
    rid = (await require(client, case))["id"]
    for query, variables, who in ((ACCEPT, {"id": rid}, "inspector"), (CLOSE, {"id": rid}, "staff"), (RETURN, {"id": rid, "days": 3}, "legal")):
        assert (await call(client, query, variables, case.tokens[who]))["__typename"] == "PermissionDeniedError"
    assert (await call(client, CLOSE, {"id": rid}, case.tokens["inspector"]))["currentStatus"] == "OPEN"
    assert (await call(client, ACCEPT, {"id": rid}, case.tokens["openness"]))["currentStatus"] == "OPEN"
    assert (await reply(client, rid, case.tokens["openness"], []))["__typename"] == "PermissionDeniedError"
    for who in ("other", "public"):
        assert (await reply(client, rid, case.tokens[who], []))["__typename"] == "NotFoundError"
    row = await Rectification.get(id=_pk(rid))
    assert (row.status.value, row.round, row.reply) == ("OPEN", 0, "")


async def test_bad_requirements_are_refused_and_nothing_is_written(client: httpx.AsyncClient, case: Case) -> None:
    before = await Rectification.all().count()
    cases = [
        ({"workdays": 0, "requirement": " "}, {("workdays", "out_of_range"), ("requirement", "required")}),
        ({"workdays": 121}, {("workdays", "out_of_range")}),
        ({"issuedOn": "2099-01-01"}, {("issuedOn", "future")}),
        ({"issuedOn": "2026-10-01"}, {("issuedOn", "before_inspection")}),
        ({"inspectionId": encode_id("Inspection", 987654321)}, {("inspectionId", "not_found")}),
    ]
    for over, expected in cases:
        body = await gql_data(client, REQUIRE, {"input": _input(case, **over)}, case.tokens["inspector"])
        assert {(e["field"], e["code"]) for e in body["requireRectification"]["errors"]} == expected
    assert await Rectification.all().count() == before


async def test_evidence_is_checked_and_a_refused_reply_writes_nothing(client: httpx.AsyncClient, case: Case) -> None:
    rid = (await require(client, case))["id"]
    files = await StoredFile.all().count()
    refusals = [
        ([("程序.exe", b"MZ\x90\x00" + b"\x00" * 64)], "unsupported"),
        ([("照片.png", PDF)], "unsupported"),  # a PDF named .png
        ([("说明.docx", b"PK\x03\x04 not a zip at all")], "unsupported"),
        ([("空.pdf", b"")], "empty"),
    ]
    for upload, code in refusals:
        body = await reply(client, rid, case.tokens["staff"], upload)
        assert body["__typename"] == "ValidationErrors" and body["errors"][0]["code"] == code, body
    eleven = {str(n): (f"{n}.pdf", PDF, "application/pdf") for n in range(11)}  # the server reads at most 10 files
    operations = {"query": REPLY, "variables": {"id": rid, "reply": "见附件", "evidence": [None] * 11}}
    response = await client.post(
        "/graphql", data={"operations": json.dumps(operations), "map": json.dumps({n: [f"variables.evidence.{n}"] for n in eleven})},
        files=eleven, headers={"Authorization": f"Bearer {case.tokens['staff']}"},
    )  # fmt: skip
    assert response.status_code == 400
    async with app_client(max_upload_bytes=64) as small:
        body = await reply(small, rid, case.tokens["staff"], [("大.pdf", PDF + b"0" * 64)])
        assert body["errors"] == [{"field": "evidence.0", "code": "too_large"}]
    body = await reply(client, rid, case.tokens["staff"], [("流程图.pdf", PDF)], text=" ")
    assert body["errors"] == [{"field": "reply", "code": "required"}]
    row = await Rectification.get(id=_pk(rid))
    assert (row.status.value, row.round) == ("OPEN", 0) and await StoredFile.all().count() == files
    assert not await RectificationEvidence.filter(rectification_id=row.id).exists()


async def test_a_unit_sees_its_own_oversight_all_nobody_else_anything(client: httpx.AsyncClient, case: Case) -> None:
    rid = (await require(client, case))["id"]
    shown = (await reply(client, rid, case.tokens["staff"], [("流程图.pdf", PDF)]))["evidence"][0]
    for who in ("staff", "lead_above", "inspector", "openness", "legal", "admin"):
        assert (await gql_data(client, NODE, {"id": rid}, case.tokens[who]))["node"] == {"id": rid}
        assert rid in [n["id"] for n in (await gql_data(client, LIST, {}, case.tokens[who]))["rectifications"]["nodes"]]
    for who in ("public", "other"):
        assert (await gql_data(client, NODE, {"id": rid}, case.tokens[who]))["node"] is None
        assert (await gql_data(client, LIST, {}, case.tokens[who]))["rectifications"] == {"totalCount": 0, "nodes": []}
    evidence_id = (await RectificationEvidence.filter(rectification_id=_pk(rid)).first()).id  # type: ignore[union-attr]
    file_node = encode_id("RectificationEvidence", evidence_id)  # the evidence, by node, as its rectification
    for who in ("staff", "inspector", "public", "other"):
        found = (await gql_data(client, NODE, {"id": file_node}, case.tokens[who]))["node"]
        assert found == ({"id": file_node} if who in ("staff", "inspector") else None), who
    outsider = await staff_of(await make_unit())
    token, _ = evidence.sign(get_settings(), outsider, evidence_id)  # a link made by someone who cannot see it
    assert (await client.get(f"/evidence/{token}")).status_code == 404
    assert (await client.get(shown["download"]["url"] + "x")).status_code == 404  # forged


async def test_accountability_is_recorded_by_inspectors_and_read_by_oversight_only(client: httpx.AsyncClient, case: Case) -> None:
    rid = (await require(client, case))["id"]
    given = {"unitId": encode_id("Unit", case.office.id), "person": "王某某", "post": "科员", "violation": "整改逾期未报告。",
             "sanction": "CIRCULATED_CRITICISM", "basis": "《行政机关公务员处分条例》第二十条", "decidedOn": "2026-11-20",
             "rectificationId": rid}  # fmt: skip
    before = await Accountability.all().count()
    for who in ("openness", "admin", "staff", "public"):
        assert (await call(client, ACCOUNT, {"input": given}, case.tokens[who]))["__typename"] == "PermissionDeniedError"
    bad = {**given, "person": " ", "sanction": "OTHER", "decidedOn": "2099-01-01", "rectificationId": None,
           "inspectionId": encode_id("Inspection", 987654321)}  # fmt: skip
    errors = (await call(client, ACCOUNT, {"input": bad}, case.tokens["inspector"]))["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {("person", "required"), ("sanctionDetail", "required"),
                                                         ("decidedOn", "future"), ("inspectionId", "not_found")}  # fmt: skip
    assert await Accountability.all().count() == before
    made = await call(client, ACCOUNT, {"input": given}, case.tokens["inspector"])
    assert (made["person"], made["sanction"], made["rectification"]) == ("王某某", "CIRCULATED_CRITICISM", {"id": rid})
    trail = await AuditEvent.filter(action="accountability.create").order_by("-id").first()
    assert trail is not None and "王某某" not in json.dumps(trail.detail, ensure_ascii=False)
    for who in ("inspector", "openness", "legal", "admin"):
        listed = (await gql_data(client, ACCOUNTS, {"unit": encode_id("Unit", case.unit.id)}, case.tokens[who]))["accountabilities"]
        assert made["id"] in [n["id"] for n in listed["nodes"]]
    for who in ("staff", "lead_above", "other", "public"):
        body = await gql(client, ACCOUNTS, {}, case.tokens[who])
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"
        assert "王某某" not in json.dumps(body, ensure_ascii=False)
        assert (await gql_data(client, NODE, {"id": made["id"]}, case.tokens[who]))["node"] is None


async def test_a_deadline_in_a_year_without_a_table_is_redated_when_one_is_loaded(case: Case) -> None:
    from domain import rectifications
    from domain.workdays import load_holiday_year, parse_holiday_table
    from domain.workflow_models import HolidayYear
    from tests.factories import ADMIN

    data = rectifications.RectificationData(case.inspection_id, "年底的问题", "年后整改到位。", 20, date(2026, 12, 29))
    made = await rectifications.require_rectification(INSPECTOR, data, on=date(2026, 12, 29))
    assert made.due_provisional and made.due_on == WorkCalendar().deadline(date(2026, 12, 29), 20).day
    await load_holiday_year(ADMIN, 2027, parse_holiday_table("2027-01-01..2027-01-03,holiday,元旦"))
    try:
        await made.refresh_from_db()
        assert not made.due_provisional and made.due_on == (await WorkCalendar.load()).deadline(date(2026, 12, 29), 20).day
        event = await AuditEvent.filter(action="holidays.load").order_by("-id").first()
        assert event is not None and event.detail["rectifications_redated"] >= 1
    finally:
        await HolidayYear.filter(year=2027).delete()  # other tests count 2027 on weekends alone
