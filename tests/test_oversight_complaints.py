"""投诉受理: anyone files a complaint without a token (validated, rate-limited per client address);
inspectors accept or reject it, the unit handles it, inspectors answer it — each with a deadline in
working days; the complainant's contact data reaches only the unit and oversight roles."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import AsyncIterator

import httpx
import pytest

from domain import complaints
from domain.access import Viewer
from domain.enums import ComplaintStatus, DisclosureScope, Role
from domain.models import AuditEvent, Unit
from domain.workdays import WorkCalendar, load_holiday_year, parse_holiday_table
from domain.workflow_models import Complaint, HolidayYear
from qingquan.app import create_app
from qingquan.settings import Settings
from schema.relay import encode_id, parse_id
from tests.factories import ADMIN, make_power, make_unit
from tests.helpers import caller, gql_data, token_for
from tests.oversight_factories import ERRORS, D
from tests.workflow_factories import published_power

FILE = """
mutation ($input: FileComplaintInput!) {
  fileComplaint(input: $input) {
    __typename
    ... on ComplaintReceipt { id: complaintId receivedOn acceptDueOn dueProvisional receiptCode }
    ... on ValidationErrors { errors { field code } }
    ... on RateLimitedError { retryAfterSeconds }
  }
}"""
COMPLAINT = """... on Complaint { id status dueOn overdue acceptedOn rejectionReason handling answer
  complainantName complainantPhone }"""
STEP = {
    "accept": f"mutation ($id: ID!) {{ acceptComplaint(id: $id) {{ {COMPLAINT} {ERRORS} }} }}",
    "reject": f"mutation ($id: ID!, $text: String!) {{ rejectComplaint(id: $id, reason: $text) {{ {COMPLAINT} {ERRORS} }} }}",
    "handle": f"mutation ($id: ID!, $text: String!) {{ handleComplaint(id: $id, handling: $text) {{ {COMPLAINT} {ERRORS} }} }}",
    "answer": f"mutation ($id: ID!, $text: String!) {{ answerComplaint(id: $id, answer: $text) {{ {COMPLAINT} {ERRORS} }} }}",
}
LIST = """
query ($filter: ComplaintFilter) {
  complaints(first: 50, filter: $filter) {
    totalCount nodes { id status subject overdue complainantName complainantPhone unit { code } power { code } }
  }
}"""
NODE = "query ($id: ID!) { node(id: $id) { ... on Complaint { id subject complainantName complainantPhone } } }"
_ips = itertools.count(1)


@pytest.fixture(scope="module")
async def app(client: httpx.AsyncClient):  # noqa: ANN201  (the session database is open)
    """An app with a small limit (the count is per client address, in the database)."""
    return create_app(Settings(complaint_rate_limit=3, complaint_rate_window=3600), manage_db=False)


@pytest.fixture
async def anon(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """A client from an address of its own (each test starts with a fresh allowance)."""
    async with caller(app, f"198.51.100.{next(_ips)}") as c:
        yield c


async def _file(anon: httpx.AsyncClient, **input_: object) -> dict:
    values = {"subject": "办事拖延", "content": "窗口人员推诿，超过承诺时限未办结。", **input_}
    return (await gql_data(anon, FILE, {"input": values}))["fileComplaint"]


async def _step(client: httpx.AsyncClient, action: str, complaint_id: str, token: str, text: str = "说明") -> dict:
    variables = {"id": complaint_id} if action == "accept" else {"id": complaint_id, "text": text}
    return (await gql_data(client, STEP[action], variables, token))[f"{action}Complaint"]


def _pk(global_id: str) -> int:
    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_anyone_files_a_complaint_about_a_public_power_without_a_token(anon: httpx.AsyncClient) -> None:
    power = await published_power()
    receipt = await _file(anon, powerId=encode_id("Power", power.id), complainantName="王某", complainantPhone="0797-8721234")
    assert receipt["__typename"] == "ComplaintReceipt"
    received = datetime.date.fromisoformat(receipt["receivedOn"])
    assert receipt["acceptDueOn"] == WorkCalendar().add_workdays(received, complaints.ACCEPT_WORKDAYS).day.isoformat()
    complaint = await Complaint.get(id=_pk(receipt["id"]))
    assert complaint.unit_id == power.unit_id and complaint.status == ComplaintStatus.RECEIVED
    event = await AuditEvent.get(action="complaint.file", entity_id=str(complaint.id))
    assert event.role == Role.PUBLIC and "王某" not in str(event.detail) and "8721234" not in str(event.detail)


async def test_a_complaint_is_validated(anon: httpx.AsyncClient) -> None:
    unit = await make_unit()
    hidden = await make_power(unit)  # a draft: the public cannot see it, so cannot name it
    body = await _file(anon, subject=" ", content="", powerId=encode_id("Power", hidden.id), complainantPhone="call me")
    assert body["__typename"] == "ValidationErrors"
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("subject", "required"), ("content", "required"), ("powerId", "not_found"), ("complainantPhone", "invalid"),
    }  # fmt: skip
    body = await _file(anon)
    assert body["errors"] == [{"field": "powerId", "code": "required"}]
    other = await published_power()
    body = await _file(anon, powerId=encode_id("Power", other.id), unitId=encode_id("Unit", unit.id))
    assert body["errors"] == [{"field": "unitId", "code": "mismatch"}]


async def test_filing_is_rate_limited_per_client_address(app, anon: httpx.AsyncClient) -> None:  # noqa: ANN001
    unit = encode_id("Unit", (await make_unit()).id)
    assert [(await _file(anon, unitId=unit))["__typename"] for _ in range(3)] == ["ComplaintReceipt"] * 3
    limited = await _file(anon, unitId=unit)
    assert limited["__typename"] == "RateLimitedError" and 0 < limited["retryAfterSeconds"] <= 3600
    async with caller(app, "203.0.113.77") as elsewhere:
        assert (await _file(elsewhere, unitId=unit))["__typename"] == "ComplaintReceipt"


async def test_a_complaint_is_accepted_handled_and_answered(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    unit = await make_unit()
    receipt = await _file(anon, unitId=encode_id("Unit", unit.id), complainantName="李某")
    inspector, staff = await token_for(Role.INSPECTOR), await token_for(Role.UNIT_STAFF, unit)
    accepted = await _step(client, "accept", receipt["id"], inspector)
    today = datetime.date.fromisoformat(accepted["acceptedOn"])
    assert accepted["status"] == "ACCEPTED"
    assert accepted["dueOn"] == WorkCalendar().add_workdays(today, complaints.HANDLE_WORKDAYS).day.isoformat()
    handled = await _step(client, "handle", receipt["id"], staff, "已约谈窗口负责人，限期整改。")
    assert handled["status"] == "HANDLED" and handled["handling"] == "已约谈窗口负责人，限期整改。"
    assert handled["dueOn"] == WorkCalendar().add_workdays(today, complaints.ANSWER_WORKDAYS).day.isoformat()
    answered = await _step(client, "answer", receipt["id"], inspector, "经查属实，已责令整改。")
    assert (answered["status"], answered["dueOn"], answered["overdue"]) == ("ANSWERED", None, False)
    actions = [e.action for e in await AuditEvent.filter(entity_type="complaint", entity_id=str(_pk(receipt["id"])))]
    assert actions == ["complaint.file", "complaint.accept", "complaint.handle", "complaint.answer"]


async def test_steps_out_of_order_and_by_the_wrong_role_are_refused(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    unit = await make_unit()
    receipt = await _file(anon, unitId=encode_id("Unit", unit.id))
    inspector, staff = await token_for(Role.INSPECTOR), await token_for(Role.UNIT_STAFF, unit)
    assert (await _step(client, "answer", receipt["id"], inspector)) == {
        "__typename": "IllegalTransitionError", "action": "answer", "currentStatus": "RECEIVED",
    }  # fmt: skip
    assert (await _step(client, "accept", receipt["id"], staff))["__typename"] == "PermissionDeniedError"
    other_staff = await token_for(Role.UNIT_STAFF, await make_unit())
    assert (await _step(client, "accept", receipt["id"], other_staff))["__typename"] == "NotFoundError"
    body = await _step(client, "reject", receipt["id"], inspector, " ")
    assert body["errors"] == [{"field": "reason", "code": "required"}]
    rejected = await _step(client, "reject", receipt["id"], inspector, "不属于本机关受理范围，已告知向县信访局反映。")
    assert (rejected["status"], rejected["rejectionReason"][:3]) == ("REJECTED", "不属于")
    assert (await _step(client, "handle", receipt["id"], staff))["currentStatus"] == "REJECTED"


async def test_contact_data_reaches_only_the_unit_and_oversight(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    unit = await make_unit()
    receipt = await _file(anon, unitId=encode_id("Unit", unit.id), complainantName="赵某", complainantPhone="13800000000")
    seen = {}
    for who, token in {
        "public": None, "unit": await token_for(Role.UNIT_STAFF, unit),
        "other unit": await token_for(Role.UNIT_STAFF, await make_unit()), "inspector": await token_for(Role.INSPECTOR),
    }.items():  # fmt: skip
        node = (await gql_data(client, NODE, {"id": receipt["id"]}, token))["node"]
        seen[who] = node and (node["complainantName"], node["complainantPhone"])
    assert seen == {"public": None, "unit": ("赵某", "13800000000"), "other unit": None, "inspector": ("赵某", "13800000000")}
    assert (await gql_data(client, LIST, {}))["complaints"]["totalCount"] == 0


async def test_overdue_complaints_are_listed(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    public = Viewer()
    old = await complaints.file_complaint(public, complaints.ComplaintData("久拖不办", "内容", unit_id=unit.id), D(2026, 9, 24))
    await complaints.file_complaint(public, complaints.ComplaintData("今天的", "内容", unit_id=unit.id))
    # 5 working days after Thu 9/24: (中秋 9/25) 9/28, 9/29, 9/30, (国庆 10/1–10/7) 10/8, 10/9
    assert old.due_on == D(2026, 10, 9)
    staff = await token_for(Role.UNIT_STAFF, unit)
    variables = {"filter": {"unitId": encode_id("Unit", unit.id), "overdue": True}}
    rows = (await gql_data(client, LIST, variables, staff))["complaints"]["nodes"]
    assert [(r["subject"], r["overdue"], r["unit"]["code"]) for r in rows] == [("久拖不办", True, unit.code)]
    await complaints.accept(Viewer(role=Role.INSPECTOR, name="inspector"), old.id)
    assert (await gql_data(client, LIST, variables, staff))["complaints"]["nodes"] == []


async def test_a_deadline_in_a_year_without_a_table_is_provisional_until_one_is_loaded(database: str) -> None:
    unit = await make_unit()
    data = complaints.ComplaintData("年底的投诉", "内容", unit_id=unit.id)
    complaint = await complaints.file_complaint(Viewer(), data, D(2026, 12, 29))
    assert complaint.due_provisional and complaint.due_on == D(2027, 1, 5)  # weekends only, 1/1 counted
    await load_holiday_year(ADMIN, 2027, parse_holiday_table("2027-01-01..2027-01-03,holiday,元旦"))
    try:
        await complaint.refresh_from_db()
        assert not complaint.due_provisional and complaint.due_on == D(2027, 1, 6)
    finally:
        await HolidayYear.filter(year=2027).delete()  # other tests count 2027 on weekends alone


async def test_a_complaint_may_name_a_power_the_public_cannot_see_only_if_the_filer_can(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    internal = await published_power(unit, disclosure_scope=DisclosureScope.INTERNAL)
    staff = await token_for(Role.UNIT_STAFF, unit)
    body = await gql_data(client, FILE, {"input": {"subject": "内部投诉", "content": "内容", "powerId": encode_id("Power", internal.id)}}, staff)
    assert body["fileComplaint"]["__typename"] == "ComplaintReceipt"
    assert (await Unit.get(id=unit.id)).id == (await Complaint.get(id=_pk(body["fileComplaint"]["id"]))).unit_id


BY_RECEIPT = """
query ($id: ID!, $code: String!) {
  complaintByReceipt(id: $id, code: $code) { status subject dueOn acceptedOn answeredOn answer rejectionReason }
}"""


async def test_an_anonymous_complainant_follows_the_complaint_with_its_receipt(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    unit = await make_unit()
    receipt = await _file(anon, unitId=encode_id("Unit", unit.id), complainantPhone="13800000000")
    mine = {"id": receipt["id"], "code": receipt["receiptCode"]}
    first = (await gql_data(anon, BY_RECEIPT, mine))["complaintByReceipt"]
    assert (first["status"], first["subject"], first["answer"]) == ("RECEIVED", "办事拖延", "")
    assert "complainantPhone" not in first  # the type has no contact data at all
    inspector = await token_for(Role.INSPECTOR)
    await _step(client, "accept", receipt["id"], inspector)
    await _step(client, "handle", receipt["id"], inspector, "已处理。")
    await _step(client, "answer", receipt["id"], inspector, "经查属实，已责令整改。")
    answered = (await gql_data(anon, BY_RECEIPT, mine))["complaintByReceipt"]
    assert (answered["status"], answered["answer"]) == ("ANSWERED", "经查属实，已责令整改。")
    # a wrong code, another complaint's number or a number of another type answers as not found
    other = await _file(anon, unitId=encode_id("Unit", unit.id))
    for variables in (
        {"id": receipt["id"], "code": "guess"},
        {"id": other["id"], "code": receipt["receiptCode"]},
        {"id": encode_id("Unit", unit.id), "code": receipt["receiptCode"]},
    ):
        assert (await gql_data(anon, BY_RECEIPT, variables))["complaintByReceipt"] is None
    stored = await Complaint.get(id=_pk(receipt["id"]))
    assert receipt["receiptCode"] not in stored.receipt_hash and len(stored.receipt_hash) == 64
