"""依申请公开 (issue 14, item 1), from the outside: real HTTP requests on the app, a real database.

Anyone files a request without a token (validated, rate-limited per client address) about a unit or a
public power — a hidden power answers exactly as one that does not exist — and follows it with its
查询码; the unit registers, extends once and answers it within 20 working days; overdue requests show in
the oversight list; the requester's name, ID and contact reach only the unit and oversight roles, and
another unit's staff sees nothing: not a field, not a node, not a total, not a message."""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from domain import information_requests as rules
from domain.access import Viewer
from domain.enums import DisclosureScope, InformationRequestStatus, Role
from domain.models import AuditEvent, Power
from domain.workdays import WorkCalendar
from domain.workflow_models import InformationRequest
from qingquan.app import create_app
from qingquan.settings import Settings
from schema.relay import encode_id, parse_id
from tests.factories import make_power, make_unit, staff_of
from tests.helpers import caller, gql, gql_data, token_for
from tests.oversight_factories import ERRORS, D
from tests.workflow_factories import published_power

FILE = """
mutation ($input: FileInformationRequestInput!) {
  fileInformationRequest(input: $input) {
    __typename
    ... on InformationRequestReceipt { id: requestId receivedOn answerDueOn dueProvisional receiptCode }
    ... on ValidationErrors { message errors { field code message } }
    ... on RateLimitedError { message retryAfterSeconds }
  }
}"""
REQUEST = """... on InformationRequest { id status dueOn overdue registeredOn extendedOn extensionReason answeredOn
  outcome withholdingGround answer requesterName requesterIdNumber requesterContact }"""
STEP = {
    "register": f"mutation ($id: ID!) {{ registerInformationRequest(id: $id) {{ {REQUEST} {ERRORS} }} }}",
    "extend": f"mutation ($id: ID!, $reason: String!) {{ extendInformationRequest(id: $id, reason: $reason) {{ {REQUEST} {ERRORS} }} }}",
    "answer": f"""mutation ($id: ID!, $input: AnswerInformationRequestInput!) {{
      answerInformationRequest(id: $id, input: $input) {{ {REQUEST} {ERRORS} }} }}""",
}
LIST = """
query ($filter: InformationRequestFilter) {
  informationRequests(first: 50, filter: $filter) {
    totalCount edges { node { id status subject overdue requesterName requesterContact unit { code } power { code } } }
  }
}"""
NODE = """query ($id: ID!) { node(id: $id) { __typename ... on InformationRequest { id subject requesterName
  requesterIdNumber requesterContact } } }"""
FOLLOW = """
query ($id: ID!, $code: String!) {
  informationRequestByReceipt(id: $id, code: $code) {
    status subject dueOn registeredOn extendedOn extensionReason answeredOn outcome withholdingGround answer unit { code }
  }
}"""
PERSON = {
    "requesterName": "刘建国",
    "requesterContact": "13912345678",
    "requesterIdNumber": "36072319800101123X",
}
_ips = itertools.count(1)


@pytest.fixture(scope="module")
async def app(client: httpx.AsyncClient):  # noqa: ANN201  (the session database is open)
    """The app, allowing a test's worth of anonymous filings per address (counted in the database)."""
    return create_app(Settings(complaint_rate_limit=30, complaint_rate_window=3600), manage_db=False)


@pytest.fixture
async def anon(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """A client without a token, from an address of its own (a fresh allowance)."""
    async with caller(app, f"198.51.100.{next(_ips) + 100}") as c:
        yield c


async def _file(c: httpx.AsyncClient, token: str | None = None, **input_: object) -> dict:
    values = {
        "subject": "2025年度行政许可实施情况统计",
        "description": "含受理、办结件数",
        **PERSON,
        **input_,
    }
    return (await gql_data(c, FILE, {"input": values}, token))["fileInformationRequest"]


async def _step(
    c: httpx.AsyncClient, action: str, request_id: str, token: str | None, **variables: object
) -> dict:
    body = await gql_data(c, STEP[action], {"id": request_id, **variables}, token)
    return body[f"{action}InformationRequest"]


def _pk(global_id: str) -> int:
    parsed = parse_id(global_id)
    assert parsed is not None and parsed[0] == "InformationRequest"
    return parsed[1]


async def _footprint() -> tuple[int, int]:
    """What a refused write must leave unchanged: requests and audit events."""
    return await InformationRequest.all().count(), await AuditEvent.filter(
        entity_type="information_request"
    ).count()


async def test_anyone_files_a_request_about_a_public_power_and_gets_a_receipt(
    anon: httpx.AsyncClient,
) -> None:
    power = await published_power()
    receipt = await _file(anon, powerId=encode_id("Power", power.id), delivery="PAPER")
    assert receipt["__typename"] == "InformationRequestReceipt"
    received = datetime.date.fromisoformat(receipt["receivedOn"])
    assert receipt["answerDueOn"] == WorkCalendar().add_workdays(received, 20).day.isoformat()
    stored = await InformationRequest.get(id=_pk(receipt["id"]))
    assert (stored.unit_id, stored.power_id, stored.status) == (
        power.unit_id,
        power.id,
        InformationRequestStatus.RECEIVED,
    )
    assert stored.delivery.value == "PAPER" and stored.requester_name == "刘建国"
    # the 查询码 is kept only as its SHA-256
    assert receipt["receiptCode"] not in stored.receipt_hash and len(stored.receipt_hash) == 64
    event = await AuditEvent.get(action="information_request.file", entity_id=str(stored.id))
    assert event.role == Role.PUBLIC
    for personal in PERSON.values():
        assert personal not in json.dumps(event.detail, ensure_ascii=False)


async def test_a_hidden_power_answers_exactly_as_one_that_does_not_exist(
    anon: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    unit = await make_unit()
    draft = await make_power(unit, name="对涉密测试事项的行政检查")
    internal = await published_power(unit, disclosure_scope=DisclosureScope.INTERNAL)
    secret = await published_power(unit)
    await Power.filter(id=secret.id).update(
        confidential=True, confidentiality_reason="涉密", confidentiality_basis="保密法"
    )
    missing_id = (await Power.all().order_by("-id").first()).id + 1000  # type: ignore[union-attr]
    before = await _footprint()
    answers = []
    for power_id in (missing_id, draft.id, internal.id, secret.id):
        body = await _file(anon, powerId=encode_id("Power", power_id))
        answers.append(body)
        assert body["__typename"] == "ValidationErrors"
    assert all(a == answers[0] for a in answers), answers  # same message, same field, same code
    assert answers[0]["errors"] == [
        {"field": "powerId", "code": "not_found", "message": "职权不存在 (power not found)"}
    ]
    # naming the unit as well does not tell either (no "belongs to another unit")
    assert (
        await _file(anon, powerId=encode_id("Power", secret.id), unitId=encode_id("Unit", unit.id))
    ) == answers[0]
    # the unit's own staff cannot ask about its hidden powers either: a request is about public information
    staff = await token_for(Role.UNIT_STAFF, unit)
    assert (await _file(client, staff, powerId=encode_id("Power", internal.id))) == answers[0]
    assert await _footprint() == before


async def test_every_bad_input_is_a_typed_error_and_changes_nothing(anon: httpx.AsyncClient) -> None:
    unit, other = await make_unit(), await published_power()
    before = await _footprint()
    body = await _file(
        anon, subject=" ", requesterName="", requesterContact="\u3000", requesterIdNumber="身份证"
    )
    assert body["__typename"] == "ValidationErrors"
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("subject", "required"), ("requesterName", "required"), ("requesterContact", "required"),
        ("requesterIdNumber", "invalid"), ("powerId", "required"),
    }  # fmt: skip
    body = await _file(anon, unitId=encode_id("Unit", unit.id), subject="长" * 201, requesterName="名" * 101,
                       requesterContact="1" * 101, requesterIdNumber="1" * 31)  # fmt: skip
    assert {(e["field"], e["code"]) for e in body["errors"]} == {
        ("subject", "too_long"), ("requesterName", "too_long"), ("requesterContact", "too_long"),
        ("requesterIdNumber", "invalid"),
    }  # fmt: skip
    body = await _file(anon, powerId=encode_id("Power", other.id), unitId=encode_id("Unit", unit.id))
    assert body["errors"] == [
        {
            "field": "unitId",
            "code": "mismatch",
            "message": "该职权不属于所指单位 (the power belongs to another unit)",
        }
    ]
    body = await _file(anon, unitId=encode_id("Power", other.id))
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("unitId", "invalid_id")]
    body = await _file(anon, unitId=encode_id("Unit", unit.id + 100_000))
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("unitId", "not_found")]
    # an unknown enum value is a GraphQL error of the request, not a 500
    response = await anon.post("/graphql", json={"query": FILE, "variables": {"input": {
        "subject": "x", **PERSON, "unitId": encode_id("Unit", unit.id), "delivery": "FAX"}}})  # fmt: skip
    assert (
        response.status_code in (200, 400) and response.json()["errors"] and not response.json().get("data")
    )
    assert await _footprint() == before


async def test_filing_is_rate_limited_per_address_apart_from_complaints(database: str) -> None:
    app = create_app(Settings(complaint_rate_limit=3, complaint_rate_window=3600), manage_db=False)
    async with caller(app, "203.0.113.98") as anon:
        await _rate_limited(app, anon)


async def _rate_limited(app, anon: httpx.AsyncClient) -> None:  # noqa: ANN001
    unit = encode_id("Unit", (await make_unit()).id)
    complaint = """mutation ($u: ID!) { fileComplaint(input: {subject: "s", content: "c", unitId: $u}) { __typename } }"""
    # complaints from the same address do not use up its allowance of requests
    assert [
        (await gql_data(anon, complaint, {"u": unit}))["fileComplaint"]["__typename"] for _ in range(3)
    ] == ["ComplaintReceipt"] * 3
    assert [(await _file(anon, unitId=unit))["__typename"] for _ in range(3)] == [
        "InformationRequestReceipt"
    ] * 3
    before = await _footprint()
    limited = await _file(anon, unitId=unit)
    assert limited["__typename"] == "RateLimitedError" and 0 < limited["retryAfterSeconds"] <= 3600
    assert "too many" in limited["message"] and await _footprint() == before
    async with caller(app, "203.0.113.99") as elsewhere:
        assert (await _file(elsewhere, unitId=unit))["__typename"] == "InformationRequestReceipt"


async def test_the_unit_registers_extends_once_and_answers(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    parent = await make_unit()
    office = await make_unit(parent)
    receipt = await _file(anon, unitId=encode_id("Unit", office.id))
    rid = receipt["id"]
    staff = await token_for(Role.UNIT_STAFF, parent)  # staff of the unit above the office asked
    registered = await _step(client, "register", rid, staff)
    assert (registered["status"], registered["dueOn"]) == ("REGISTERED", receipt["answerDueOn"])
    received = datetime.date.fromisoformat(receipt["receivedOn"])
    assert (await _step(client, "extend", rid, staff, reason=" "))["errors"] == [
        {"field": "reason", "code": "required"}
    ]
    extended = await _step(client, "extend", rid, staff, reason="需要征求第三方意见")
    assert extended["dueOn"] == WorkCalendar().add_workdays(received, 40).day.isoformat()
    assert (
        extended["extensionReason"] == "需要征求第三方意见"
        and extended["extendedOn"] == registered["registeredOn"]
    )
    again = await _step(client, "extend", rid, staff, reason="再延长")
    assert again == {
        "__typename": "IllegalTransitionError",
        "action": "extend",
        "currentStatus": "REGISTERED",
    }

    before = await _footprint()
    no_ground = {"outcome": "WITHHELD", "answer": "该信息不予公开。"}
    assert (await _step(client, "answer", rid, staff, input=no_ground))["errors"] == [
        {"field": "ground", "code": "required"}
    ]
    stray = {"outcome": "NOT_EXIST", "answer": "经检索，该信息不存在。", "ground": "STATE_SECRET"}
    assert (await _step(client, "answer", rid, staff, input=stray))["errors"] == [
        {"field": "ground", "code": "not_allowed"}
    ]
    assert (await _step(client, "answer", rid, staff, input={"outcome": "DISCLOSED", "answer": ""}))[
        "errors"
    ] == [{"field": "answer", "code": "required"}]
    assert await _footprint() == before
    assert (await InformationRequest.get(id=_pk(rid))).status == InformationRequestStatus.REGISTERED

    given = {
        "outcome": "PARTIALLY_DISCLOSED",
        "answer": "统计表附后，涉及申请人个人信息的部分不予公开。",
        "ground": "PERSONAL_PRIVACY",
    }
    answered = await _step(client, "answer", rid, staff, input=given)
    assert (answered["status"], answered["outcome"], answered["withholdingGround"]) == (
        "ANSWERED",
        "PARTIALLY_DISCLOSED",
        "PERSONAL_PRIVACY",
    )
    assert (answered["dueOn"], answered["overdue"]) == (None, False)
    assert (await _step(client, "answer", rid, staff, input=given))["currentStatus"] == "ANSWERED"
    events = await AuditEvent.filter(entity_type="information_request", entity_id=str(_pk(rid))).order_by(
        "id"
    )
    assert [e.action for e in events] == [
        "information_request.file", "information_request.register", "information_request.extend", "information_request.answer",
    ]  # fmt: skip
    assert (
        events[-1].detail["outcome"] == "PARTIALLY_DISCLOSED"
        and events[-1].detail["ground"] == "PERSONAL_PRIVACY"
    )
    assert "刘建国" not in json.dumps([e.detail for e in events], ensure_ascii=False)

    # the requester follows it with the 查询码: the answer, no personal data
    mine = {"id": rid, "code": receipt["receiptCode"]}
    progress = (await gql_data(anon, FOLLOW, mine))["informationRequestByReceipt"]
    assert progress == {
        "status": "ANSWERED", "subject": "2025年度行政许可实施情况统计", "dueOn": None,
        "registeredOn": registered["registeredOn"], "extendedOn": extended["extendedOn"],
        "extensionReason": "需要征求第三方意见", "answeredOn": answered["answeredOn"], "outcome": "PARTIALLY_DISCLOSED",
        "withholdingGround": "PERSONAL_PRIVACY", "answer": given["answer"], "unit": {"code": office.code},
    }  # fmt: skip


async def test_only_the_units_staff_handle_a_request(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    unit = await make_unit()
    rid = (await _file(anon, unitId=encode_id("Unit", unit.id)))["id"]
    staff, inspector = await token_for(Role.UNIT_STAFF, unit), await token_for(Role.INSPECTOR)
    other = await token_for(Role.UNIT_STAFF, await make_unit())
    answer = {"input": {"outcome": "DISCLOSED", "answer": "已主动公开，见政府网站。"}}
    before = await _footprint()
    for action, variables in (("register", {}), ("extend", {"reason": "理由"}), ("answer", answer)):
        assert (await _step(client, action, rid, None, **variables))["__typename"] == "NotFoundError", action
        assert (await _step(client, action, rid, other, **variables))["__typename"] == "NotFoundError", action
        assert (await _step(client, action, rid, inspector, **variables))[
            "__typename"
        ] == "PermissionDeniedError", action
    # out of order: extend or answer before registering
    assert (await _step(client, "answer", rid, staff, **answer))["currentStatus"] == "RECEIVED"
    assert (await _step(client, "extend", rid, staff, reason="理由"))["currentStatus"] == "RECEIVED"
    assert await _footprint() == before
    other_message = (await _step(client, "register", rid, other))["message"]
    missing = encode_id("InformationRequest", _pk(rid) + 100_000)
    assert (await _step(client, "register", missing, other))[
        "message"
    ] == other_message  # exists or not: one answer
    bad = await _step(client, "register", encode_id("Unit", unit.id), staff)
    assert bad["errors"] == [{"field": "id", "code": "invalid_id"}]


async def test_requests_and_requester_data_reach_only_the_unit_and_oversight(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    parent = await make_unit()
    unit = await make_unit(parent)
    power = await published_power(unit)
    receipt = await _file(anon, powerId=encode_id("Power", power.id))
    tokens = {
        "public": None, "unit": await token_for(Role.UNIT_STAFF, unit), "parent": await token_for(Role.UNIT_LEAD, parent),
        "other unit": await token_for(Role.UNIT_STAFF, await make_unit()), "inspector": await token_for(Role.INSPECTOR),
        "reviewer": await token_for(Role.REVIEWER),
    }  # fmt: skip
    personal = (PERSON["requesterName"], PERSON["requesterIdNumber"], PERSON["requesterContact"])
    seen, totals = {}, {}
    for who, token in tokens.items():
        node = (await gql_data(client, NODE, {"id": receipt["id"]}, token))["node"]
        seen[who] = node and (node["requesterName"], node["requesterIdNumber"], node["requesterContact"])
        mine = {"filter": {"unitId": encode_id("Unit", unit.id)}}
        listed = (await gql_data(client, LIST, mine, token))["informationRequests"]
        totals[who] = listed["totalCount"]
        assert len(listed["edges"]) == listed["totalCount"]
        body = json.dumps(listed, ensure_ascii=False)
        assert (PERSON["requesterName"] in body) == (who not in ("public", "other unit")), who
    assert seen == {
        "public": None, "unit": personal, "parent": personal, "other unit": None, "inspector": personal, "reviewer": personal,
    }  # fmt: skip
    assert totals == {"public": 0, "unit": 1, "parent": 1, "other unit": 0, "inspector": 1, "reviewer": 1}
    # the unfiltered list of someone outside holds none either
    for who in ("public", "other unit"):
        assert (await gql_data(client, LIST, {}, tokens[who]))["informationRequests"]["totalCount"] == 0, who
    # the receipt's view has no personal field at all, and a follow-up by GET works the same (POST is advised)
    fields = await gql_data(client, '{ __type(name: "InformationRequestProgress") { fields { name } } }')
    names = {f["name"] for f in fields["__type"]["fields"]}
    assert not {n for n in names if n.startswith("requester")}


async def test_a_wrong_code_or_number_answers_as_not_found(anon: httpx.AsyncClient) -> None:
    unit = await make_unit()
    mine = await _file(anon, unitId=encode_id("Unit", unit.id))
    other = await _file(anon, unitId=encode_id("Unit", unit.id))
    ok = (await gql_data(anon, FOLLOW, {"id": mine["id"], "code": mine["receiptCode"]}))[
        "informationRequestByReceipt"
    ]
    assert (ok["status"], ok["dueOn"]) == ("RECEIVED", mine["answerDueOn"])
    for variables in (
        {"id": mine["id"], "code": "guess"},
        {"id": mine["id"], "code": ""},
        {"id": mine["id"], "code": "x" * 10_000},
        {"id": other["id"], "code": mine["receiptCode"]},
        {"id": encode_id("Complaint", _pk(mine["id"])), "code": mine["receiptCode"]},
        {"id": "not an id", "code": mine["receiptCode"]},
    ):
        assert (await gql_data(anon, FOLLOW, variables))["informationRequestByReceipt"] is None


async def test_overdue_requests_show_in_the_oversight_list(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    data = rules.InformationRequestData("久拖不答的申请", "王某", "0797-8721234", unit_id=unit.id)
    old = await rules.file_request(Viewer(), data, D(2026, 9, 1))
    # 20 working days after Tue 9/1, the 国庆 holidays not counted: long past
    assert old.due_on == WorkCalendar().add_workdays(D(2026, 9, 1), 20).day
    await rules.file_request(
        Viewer(), rules.InformationRequestData("今天的申请", "王某", "电话", unit_id=unit.id)
    )
    staff, inspector = await token_for(Role.UNIT_STAFF, unit), await token_for(Role.INSPECTOR)
    variables = {"filter": {"unitId": encode_id("Unit", unit.id), "overdue": True}}
    for token in (staff, inspector):
        rows = (await gql_data(client, LIST, variables, token))["informationRequests"]["edges"]
        assert [(r["node"]["subject"], r["node"]["overdue"]) for r in rows] == [("久拖不答的申请", True)]
    rid = encode_id("InformationRequest", old.id)
    await _step(client, "register", rid, staff)
    # the deadline has passed: no extension any more, and the answer is recorded as late
    late = await _step(client, "extend", rid, staff, reason="来不及了")
    assert late["__typename"] == "IllegalTransitionError"
    answered = await _step(
        client,
        "answer",
        rid,
        staff,
        input={"outcome": "NOT_THIS_AGENCY", "answer": "请向县统计局申请，电话 8720000。"},
    )
    assert answered["status"] == "ANSWERED"
    assert (await AuditEvent.filter(action="information_request.answer", entity_id=str(old.id)).get()).detail[
        "late"
    ] is True
    assert (await gql_data(client, LIST, variables, staff))["informationRequests"]["edges"] == []
    statuses = {"filter": {"unitId": encode_id("Unit", unit.id), "statuses": ["RECEIVED"]}}
    assert [
        r["node"]["subject"]
        for r in (await gql_data(client, LIST, statuses, staff))["informationRequests"]["edges"]
    ] == ["今天的申请"]


async def test_domain_steps_refuse_the_wrong_viewer(database: str) -> None:
    unit = await make_unit()
    request = await rules.file_request(
        Viewer(), rules.InformationRequestData("某信息", "王某", "电话", unit_id=unit.id)
    )
    with pytest.raises(rules.NotFound):
        await rules.register(await staff_of(await make_unit()), request.id)
    registered = await rules.register(await staff_of(unit), request.id)
    assert registered.status == InformationRequestStatus.REGISTERED


async def test_a_bad_filter_id_is_an_error_not_a_500(client: httpx.AsyncClient) -> None:
    inspector = await token_for(Role.INSPECTOR)
    body = await gql(client, LIST, {"filter": {"unitId": "nonsense"}}, inspector)
    assert body["errors"] and body["errors"][0]["extensions"]["code"] == "invalid"


async def test_a_deadline_in_a_year_without_a_table_is_redated_when_one_is_loaded(database: str) -> None:
    from domain.workdays import load_holiday_year, parse_holiday_table
    from domain.workflow_models import HolidayYear
    from tests.factories import ADMIN

    unit = await make_unit()
    data = rules.InformationRequestData("年底的申请", "王某", "电话", unit_id=unit.id)
    request = await rules.file_request(Viewer(), data, D(2026, 12, 29))
    assert request.due_provisional and request.due_on == WorkCalendar().add_workdays(D(2026, 12, 29), 20).day
    await load_holiday_year(ADMIN, 2027, parse_holiday_table("2027-01-01..2027-01-03,holiday,元旦"))
    try:
        await request.refresh_from_db()
        assert (
            not request.due_provisional
            and request.due_on == (await WorkCalendar.load()).add_workdays(D(2026, 12, 29), 20).day
        )
        event = await AuditEvent.filter(action="holidays.load").order_by("-id").first()
        assert event is not None and event.detail["information_requests_redated"] >= 1
    finally:
        await HolidayYear.filter(year=2027).delete()  # other tests count 2027 on weekends alone


def test_every_receipt_lookup_is_a_root_field_of_the_schema() -> None:
    """The HTTP layer refuses these names over GET: a field renamed must not slip out of the list."""
    from qingquan.graphql_http import RECEIPT_LOOKUPS
    from schema import build_schema

    query_type = build_schema()._schema.query_type
    assert query_type is not None and RECEIPT_LOOKUPS <= set(query_type.fields)
    assert all("code" in query_type.fields[name].args for name in RECEIPT_LOOKUPS)


async def test_a_receipt_lookup_is_refused_over_get_and_never_cached(
    anon: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    """A 查询码 in a GET address would stay in histories, proxies and access logs: a receipt lookup is
    refused over GET (however it is spelled: an alias, a fragment, beside another field, a complaint's
    too), answers over POST with `no-store` and no ETag (no shared cache keeps one person's case), and a
    step moves it on at once."""
    unit = await make_unit()
    receipt = await _file(anon, unitId=encode_id("Unit", unit.id))
    variables = {"id": receipt["id"], "code": receipt["receiptCode"]}
    spelled = (
        FOLLOW,
        "query F($id: ID!, $code: String!) { mine: informationRequestByReceipt(id: $id, code: $code) { status } }",
        "query ($id: ID!, $code: String!) { ...F } fragment F on Query { informationRequestByReceipt(id: $id, code: $code) { status } }",
        "query ($id: ID!, $code: String!) { __typename complaintByReceipt(id: $id, code: $code) { status } }",
    )
    for query in spelled:
        refused = await anon.get("/graphql", params={"query": query, "variables": json.dumps(variables)})
        assert refused.status_code == 405 and refused.headers["allow"] == "POST", query
        assert "POST" in refused.json()["errors"][0]["message"] and "RECEIVED" not in refused.text
    # the same document without the lookup, and a lookup named only in a string, still answer over GET
    assert (await anon.get("/graphql", params={"query": '{ __typename }'})).status_code == 200
    named = await anon.get("/graphql", params={"query": '{ units(first: 1, filter: { nameContains: "complaintByReceipt" }) { totalCount } }'})
    assert named.status_code == 200 and "errors" not in named.json()
    for _ in range(2):
        answered = await anon.post("/graphql", json={"query": FOLLOW, "variables": variables})
        assert answered.json()["data"]["informationRequestByReceipt"]["status"] == "RECEIVED"
        assert answered.headers["cache-control"] == "no-store" and "etag" not in answered.headers
    await _step(client, "register", receipt["id"], await token_for(Role.UNIT_STAFF, unit))
    moved = await anon.post("/graphql", json={"query": FOLLOW, "variables": variables})
    assert moved.json()["data"]["informationRequestByReceipt"]["status"] == "REGISTERED"
