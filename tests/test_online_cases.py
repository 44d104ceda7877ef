"""网上审批 (issue 23, items 1, 2 and 5's API): a resident applies online for a demo county's power without a
token, the case moves along the power's chart by the posts' staff (an off-chart move refused), is suspended
for 补正 and resumed, closed with its result, followed by its 查询码 and read in the 附7 filing. Bad input
writes nothing; the applicant never reaches the public nor another unit's staff."""

from __future__ import annotations

import datetime
import itertools
import json
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain import cases as rules
from domain import revisions
from domain.access import PUBLIC, unit_subtree_ids
from domain.case_models import ApplicationCase, CaseAttachment, CaseSuspension, CaseTransition
from domain.enums import DisclosureScope, PowerCategory, ReviewDecision, Role
from domain.errors import IllegalTransition
from domain.models import AuditEvent, DisclosureRecord, FlowStep, OperationRecord, Power, Unit
from domain.workdays import WorkCalendar
from domain.workflow_models import OperationStep, PowerVersion
from qingquan.app import create_app
from qingquan.settings import Settings
from schema.relay import parse_id
from tests.docx_checks import all_text, open_docx
from tests.factories import make_unit, staff_of
from tests.helpers import caller, gql, gql_data, token_for
from tests.oversight_factories import ERRORS
from tests.workflow_factories import keeper_of, published_power, revise

pytestmark = pytest.mark.usefixtures("demo")

APPLICANT = "欧阳娜娜"
CONTACT = "13907970001"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ATTACHMENT_LIMIT = 2048
RATE_LIMIT = 10
APPLY = """
mutation ($input: ApplyInput!, $files: [Upload!]) {
  applyOnline(input: $input, attachments: $files) {
    __typename
    ... on CaseReceipt { id: caseId receiptId: id receivedOn currentStep receiptCode }
    ... on ValidationErrors { errors { field code message } }
    ... on RateLimitedError { retryAfterSeconds }
  }
}"""
CASE = """... on Case { id status currentStep applicantName applicantContact request
  nextSteps { target label } chart { steps { key name current visited } }
  moves { fromName toName condition opinion actor day } suspensions { reason suspendedOn resumedOn }
  attachments { filename contentType size downloadUrl } outcome reasons legalBasis closedOn workdaysTaken suspendedWorkdays
  operation { id stage applicant decision result } }"""
MOVE = f"mutation ($id: ID!, $to: Int!, $o: String!) {{ moveCase(id: $id, toStep: $to, opinion: $o) {{ {CASE} {ERRORS} }} }}"
SUSPEND = f'mutation ($id: ID!) {{ suspendCase(id: $id, reason: "缺少{APPLICANT}的身份证复印件") {{ {CASE} {ERRORS} }} }}'
RESUME = f"mutation ($id: ID!) {{ resumeCase(id: $id) {{ {CASE} {ERRORS} }} }}"
CLOSE = f"mutation ($id: ID!, $input: CloseCaseInput!) {{ closeCase(id: $id, input: $input) {{ {CASE} {ERRORS} }} }}"
NODE = f"query ($id: ID!) {{ node(id: $id) {{ {CASE} }} }}"
PROGRESS = """
query ($id: ID!, $code: String!) {
  caseByReceipt(id: $id, code: $code) {
    status currentStep receivedOn outcome reasons legalBasis closedOn workdaysTaken
    chart { steps { key name current visited } edges { source target label } }
    moves { toName condition opinion actor } suspensions { reason resumedOn } power { code name }
  }
}"""
LIST = "query { cases(first: 50) { totalCount nodes { id applicantName } } }"
_ips = itertools.count(1)


@pytest.fixture(scope="module")
async def app(client: httpx.AsyncClient):  # noqa: ANN201  (the session database is open)
    return create_app(
        Settings(
            complaint_rate_limit=RATE_LIMIT, complaint_rate_window=3600, attachment_max_bytes=ATTACHMENT_LIMIT
        ),
        manage_db=False,
    )


@pytest.fixture
async def anon(app) -> AsyncIterator[httpx.AsyncClient]:  # noqa: ANN001
    """A client without a token from an address of its own (each test starts with a fresh allowance)."""
    async with caller(app, f"203.0.113.{next(_ips)}") as c:
        yield c


async def demo_power() -> Power:
    """A demo county licence whose chart is held by posts of more than one unit (the bureau and an office)."""
    for power in await Power.filter(rules.appliable_q(), category=PowerCategory.LICENSING).order_by("id"):
        chart = await rules._chart_copy(power)
        if chart and len({s["unit_id"] for s in chart["steps"]}) > 1:
            return power
    raise AssertionError("the demo county has no licence handled by two units")


async def apply(
    anon: httpx.AsyncClient, files: list[tuple[str, bytes]] = (), **input_: Any
) -> dict[str, Any]:
    """applyOnline as a GraphQL multipart request (attachments as files)."""
    variables = {"input": {"request": "申请办理年产5万吨节能改造项目的节能审查", "applicantName": APPLICANT,
                           "applicantContact": CONTACT, **input_}, "files": [None] * len(files)}  # fmt: skip
    if not files:
        variables.pop("files")
        return (await gql_data(anon, APPLY, variables))["applyOnline"]
    operations = json.dumps({"query": APPLY, "variables": variables})
    mapping = json.dumps({str(i): [f"variables.files.{i}"] for i in range(len(files))})
    response = await anon.post(
        "/graphql",
        data={"operations": operations, "map": mapping},
        files={str(i): (name, data, "application/octet-stream") for i, (name, data) in enumerate(files)},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]["applyOnline"]


def path_to_end(chart: dict[str, Any], start: int) -> list[int]:
    """The keys of a shortest path along the chart's edges from `start` to a final step."""
    seen, queue = {start: [start]}, deque([start])
    while queue:
        key = queue.popleft()
        if rules.is_final(chart, key):
            return seen[key]
        for step, _ in rules.next_steps(chart, key):
            if step["key"] not in seen:
                seen[step["key"]] = [*seen[key], step["key"]]
                queue.append(step["key"])
    raise AssertionError("no final step")


async def case_rows() -> tuple[int, ...]:
    return (
        await ApplicationCase.all().count(), await CaseTransition.all().count(), await CaseAttachment.all().count(),
        await OperationRecord.all().count(), await OperationStep.all().count(),
    )  # fmt: skip


async def test_a_resident_applies_and_the_case_follows_the_chart_to_its_result(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    power = await demo_power()
    receipt = await apply(anon, [("营业执照.pdf", PDF)], powerId=_gid("Power", power.id))
    assert receipt["__typename"] == "CaseReceipt", receipt
    case_id, code = receipt["id"], receipt["receiptCode"]
    case = await ApplicationCase.get(id=parse_id(case_id)[1])
    chart = case.chart
    assert receipt["currentStep"] == rules.first_step(chart)["name"]

    tokens: dict[int, str] = {}

    async def staff(unit_id: int) -> str:
        if unit_id not in tokens:
            tokens[unit_id] = await token_for(Role.UNIT_STAFF, await Unit.get(id=unit_id))
        return tokens[unit_id]

    # the unit's staff see the applicant and the attachment
    own = await staff(power.unit_id)
    seen = (await gql_data(client, NODE, {"id": case_id}, own))["node"]
    assert (seen["applicantName"], seen["applicantContact"]) == (APPLICANT, CONTACT)
    (attached,) = seen["attachments"]
    assert (attached["filename"], attached["contentType"], attached["size"]) == ("营业执照.pdf", "application/pdf", len(PDF))
    download = await client.get(attached["downloadUrl"])
    assert download.status_code == 200 and download.content == PDF
    assert (await client.get(attached["downloadUrl"] + "x")).status_code == 404

    route = path_to_end(chart, case.current_step)
    # a move off the chart (skipping the next step) is refused, and writes nothing
    off = next(
        k
        for k in range(len(chart["steps"]))
        if k not in {s["key"] for s, _ in rules.next_steps(chart, route[0])}
    )
    before = await case_rows()
    refused = (
        await gql_data(
            client,
            MOVE,
            {"id": case_id, "to": off, "o": "跳过"},
            await staff(chart["steps"][route[0]]["unit_id"]),
        )
    )["moveCase"]
    assert refused["__typename"] == "IllegalTransitionError", refused
    assert await case_rows() == before

    for i, (here, there) in enumerate(itertools.pairwise(route)):
        holder = chart["steps"][here]["unit_id"]
        units = {s["unit_id"] for s in chart["steps"]} | {power.unit_id}
        others = [u for u in sorted(units) if holder not in await unit_subtree_ids(u)]
        if others:  # staff of a unit that does not hold this step's post (nor is above it) cannot move it
            wrong = (
                await gql_data(
                    client, MOVE, {"id": case_id, "to": there, "o": "越权"}, await staff(others[0])
                )
            )["moveCase"]
            assert wrong["__typename"] in ("PermissionDeniedError", "NotFoundError"), wrong
        if i == 1:  # 补正 at the second step: suspended, a move refused, resumed
            s = (await gql_data(client, SUSPEND, {"id": case_id}, await staff(holder)))["suspendCase"]
            assert s["status"] == "SUSPENDED", s
            blocked = (
                await gql_data(client, MOVE, {"id": case_id, "to": there, "o": "继续"}, await staff(holder))
            )["moveCase"]
            assert blocked["__typename"] == "IllegalTransitionError"
            r = (await gql_data(client, RESUME, {"id": case_id}, await staff(holder)))["resumeCase"]
            assert r["status"] == "OPEN" and r["suspensions"][0]["resumedOn"], r
        moved = (
            await gql_data(
                client,
                MOVE,
                {"id": case_id, "to": there, "o": f"{APPLICANT}的材料齐全，同意"},
                await staff(holder),
            )
        )["moveCase"]
        assert moved["__typename"] == "Case", moved
        assert moved["currentStep"] == chart["steps"][there]["name"]

    early = route[-1]
    closing = {
        "outcome": "GRANTED",
        "reasons": "符合节能审查条件",
        "legalBasis": "《固定资产投资项目节能审查办法》第十五条",
    }
    closed = (
        await gql_data(
            client, CLOSE, {"id": case_id, "input": closing}, await staff(chart["steps"][early]["unit_id"])
        )
    )["closeCase"]
    assert closed["status"] == "CLOSED" and closed["outcome"] == "GRANTED", closed
    assert closed["currentStep"] is None
    assert [m["toName"] for m in closed["moves"]] == [chart["steps"][k]["name"] for k in route]
    assert all(m["actor"] for m in closed["moves"])
    conditions = {(e["source"], e["target"]): e["label"] for e in chart["edges"]}
    assert [m["condition"] for m in closed["moves"][1:]] == [conditions[p] for p in itertools.pairwise(route)]
    assert closed["operation"]["stage"] == "RESULT" and "准予" in closed["operation"]["result"]
    assert await OperationStep.filter(operation_id=case.operation_id).count() == len(route)
    assert not await OperationStep.filter(operation_id=case.operation_id, finished_on__isnull=True).exists()

    # the applicant follows it by the 查询码, over POST only, without personal data
    progress = (await gql_data(anon, PROGRESS, {"id": case_id, "code": code}))["caseByReceipt"]
    assert (
        progress["status"] == "CLOSED"
        and progress["outcome"] == "GRANTED"
        and progress["currentStep"] is None
    )
    assert [s["visited"] for s in progress["chart"]["steps"]] == [s["key"] in route for s in chart["steps"]]
    assert progress["power"]["code"] == power.code
    assert all(m["actor"] is None for m in progress["moves"])
    shown = json.dumps(progress, ensure_ascii=False)
    assert (
        APPLICANT not in shown and CONTACT not in shown and "欧阳某的材料齐全" in shown
    )  # masked in the opinions
    assert (await gql_data(anon, PROGRESS, {"id": receipt["receiptId"], "code": code}))["caseByReceipt"] == progress
    assert (await gql_data(anon, PROGRESS, {"id": case_id, "code": code + "x"}))["caseByReceipt"] is None
    got = await anon.get(
        "/graphql", params={"query": PROGRESS, "variables": json.dumps({"id": case_id, "code": code})}
    )
    assert got.status_code >= 400 and APPLICANT not in got.text and "GRANTED" not in got.text

    # 附7: the unit's filing names the applicant; the public's does not, and the result is disclosed
    keeper = await staff_of(await Unit.get(id=power.unit_id))
    unit_text = all_text(open_docx(await build_filing(keeper, power.unit_id, FilingForm.OPERATION_RECORDS)))
    assert APPLICANT in unit_text and "符合节能审查条件" in unit_text
    public_text = all_text(open_docx(await build_filing(PUBLIC, power.unit_id, FilingForm.OPERATION_RECORDS)))
    assert "符合节能审查条件" in public_text and APPLICANT not in public_text and CONTACT not in public_text
    assert await DisclosureRecord.exists(operation_id=case.operation_id)


def _gid(type_name: str, pk: int) -> str:
    from schema.relay import encode_id

    return encode_id(type_name, pk)


async def test_bad_input_is_refused_and_writes_nothing(anon: httpx.AsyncClient) -> None:
    power = await demo_power()
    unit = await Unit.get(id=power.unit_id)
    hidden = [
        await published_power(unit, category=PowerCategory.LICENSING, confidential=True, confidentiality_reason="涉密",
                              confidentiality_basis="《保守国家秘密法》第九条"),
        await published_power(unit, category=PowerCategory.LICENSING, disclosure_scope=DisclosureScope.INTERNAL),
    ]  # fmt: skip
    penalty = await published_power(unit, category=PowerCategory.PENALTY)
    before = await case_rows()
    missing = await apply(anon, powerId=_gid("Power", 999_999_999))
    assert missing["errors"][0]["code"] == "not_found"
    for p in hidden:  # refused exactly as a missing power
        assert (await apply(anon, powerId=_gid("Power", p.id)))["errors"] == missing["errors"]
    assert (await apply(anon, powerId=_gid("Power", penalty.id)))["errors"][0]["code"] == "not_appliable"
    gid = _gid("Power", power.id)
    big = await apply(anon, [("申请书.pdf", PDF + b"0" * ATTACHMENT_LIMIT)], powerId=gid)
    assert [e["code"] for e in big["errors"]] == ["too_large"]
    for name, data in [
        ("run.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html>"),
        ("a.docx", b"PK\x03\x04not a zip"),
    ]:
        bad = await apply(anon, [(name, data)], powerId=gid)
        assert [e["code"] for e in bad["errors"]] == ["forbidden_type"], (name, bad)
    blank = await apply(anon, powerId=gid, applicantName=" ", request="")
    assert {e["field"] for e in blank["errors"]} == {"applicantName", "request"}
    assert await case_rows() == before


async def test_the_applicant_never_reaches_the_public_nor_another_unit(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    power = await demo_power()
    receipt = await apply(anon, powerId=_gid("Power", power.id))
    case_id = receipt["id"]
    case = await ApplicationCase.get(id=parse_id(case_id)[1])
    other = await token_for(Role.UNIT_STAFF, await make_unit())
    for token in (None, other):
        assert (await gql_data(client, NODE, {"id": case_id}, token))["node"] is None
        listed = await gql(client, LIST, token=token)
        assert (
            listed.get("data") is None
            or listed["data"]["cases"]["totalCount"] == 0
            or all(n["id"] != case_id for n in listed["data"]["cases"]["nodes"])
        )
        op = await gql_data(
            client, "query ($id: ID!) { node(id: $id) { ... on OperationRecord { applicant subject steps { note } } } }",
            {"id": _gid("OperationRecord", case.operation_id)}, token,
        )  # fmt: skip
        assert op["node"] is None or (
            op["node"]["applicant"] is None and APPLICANT not in json.dumps(op, ensure_ascii=False)
        )
    # inspectors (监察局) see it all
    inspector = await token_for(Role.INSPECTOR)
    assert (await gql_data(client, NODE, {"id": case_id}, inspector))["node"]["applicantName"] == APPLICANT
    # the audit trail keeps no personal data
    events = await AuditEvent.filter(entity_type="application_case", entity_id=str(case.id)).values_list(
        "detail", flat=True
    )
    assert (
        events
        and APPLICANT not in json.dumps(events, ensure_ascii=False)
        and CONTACT not in json.dumps(events)
    )


async def test_filing_is_rate_limited_per_client_address(anon: httpx.AsyncClient) -> None:
    gid = _gid("Power", (await demo_power()).id)
    kinds = [(await apply(anon, powerId=gid, applicantName=""))["__typename"] for _ in range(RATE_LIMIT + 1)]
    assert kinds == ["ValidationErrors"] * RATE_LIMIT + ["RateLimitedError"]


async def test_the_clock_stops_while_suspended_and_a_power_with_open_cases_cannot_be_withdrawn() -> None:
    unit = await make_unit()
    power = await published_power(
        unit, (("受理", 2), ("审查", 5), ("办结", None)), category=PowerCategory.LICENSING
    )
    staff = await staff_of(unit)
    D = datetime.date
    data = rules.ApplicationData(power.id, "申请", APPLICANT, CONTACT)
    case = await rules.file_application(
        PUBLIC, data, max_bytes=ATTACHMENT_LIMIT, on=D(2026, 3, 2)
    )  # a Monday
    await rules.move_case(staff, case.id, 1, "受理", on=D(2026, 3, 3))
    await rules.suspend_case(staff, case.id, "补正材料", on=D(2026, 3, 4))
    await rules.resume_case(staff, case.id, on=D(2026, 3, 11))  # a week later: 5 working days stood still
    calendar = await WorkCalendar.load()
    intervals = await rules.case_suspensions(case.operation_id)
    assert intervals == [(D(2026, 3, 4), D(2026, 3, 11))]
    assert rules.suspended_workdays(calendar, intervals, D(2026, 3, 2), D(2026, 3, 13)) == 5
    assert rules.suspended_workdays(calendar, [(D(2026, 3, 4), None)], D(2026, 3, 2), D(2026, 3, 6)) == 2
    clock = rules.case_clock(calendar, await ApplicationCase.get(id=case.id), intervals, D(2026, 3, 13))
    assert (clock.workdays, clock.suspended) == (
        calendar.workdays_between(D(2026, 3, 2), D(2026, 3, 13)) - 5,
        5,
    )
    assert await CaseSuspension.filter(case_id=case.id).count() == 1
    # a dated move before the last step is refused
    with pytest.raises(Exception, match="before_previous|早于"):
        await rules.move_case(staff, case.id, 2, "审查", on=D(2026, 3, 10))
    # withdrawal waits for a decision on the open case
    with pytest.raises(IllegalTransition, match="open cases"):
        await revisions.open_revision(await keeper_of(power), power.id, "不再需要", ReviewDecision.ABOLISH)


async def test_a_case_keeps_the_chart_of_the_version_it_started_under() -> None:
    unit = await make_unit()
    power = await published_power(unit, (("受理", 2), ("审查", 5), ("办结", None)), category=PowerCategory.BENEFIT)
    staff = await staff_of(unit)
    case = await rules.file_application(
        PUBLIC, rules.ApplicationData(power.id, "申请", APPLICANT, CONTACT), max_bytes=ATTACHMENT_LIMIT
    )
    started = case.version_id
    assert started is not None

    async def rename(draft: Power) -> None:
        await FlowStep.filter(chart__power_id=draft.id, name="审查").update(name="实质审查", time_limit_days=9)

    await revise(power, rename)
    assert await FlowStep.exists(chart__power_id=power.id, name="实质审查")
    stored = await ApplicationCase.get(id=case.id)
    assert stored.version_id == started and await PowerVersion.filter(power_id=power.id).count() == 2
    moved = await rules.move_case(staff, case.id, 1, "予以受理")  # 受理 → 审查, as the chart stood at filing
    assert rules.step_of(moved.chart, moved.current_step)["name"] == "审查"
    step = await OperationStep.filter(operation_id=case.operation_id, finished_on__isnull=True).get()
    assert (step.step_name, step.time_limit_days) == ("审查", 5)


async def test_counter_applications_are_registered_by_the_units_staff(client: httpx.AsyncClient) -> None:
    power = await demo_power()
    query = """mutation ($input: ApplyInput!) { registerCounterApplication(input: $input) {
      __typename ... on CaseReceipt { id } ... on PermissionDeniedError { message } } }"""
    variables = {"input": {"powerId": _gid("Power", power.id), "request": "窗口申请", "applicantName": "张三",
                           "applicantContact": "0797-8888888"}}  # fmt: skip
    own = await token_for(Role.UNIT_STAFF, await Unit.get(id=power.unit_id))
    stranger = await token_for(Role.UNIT_STAFF, await make_unit())
    before = await case_rows()
    for token in (None, stranger):
        refused = (await gql_data(client, query, variables, token))["registerCounterApplication"]
        assert refused["__typename"] == "PermissionDeniedError", refused
    assert await case_rows() == before
    done = (await gql_data(client, query, variables, own))["registerCounterApplication"]
    assert done["__typename"] == "CaseReceipt"
    assert (await ApplicationCase.get(id=parse_id(done["id"])[1])).channel.value == "COUNTER"


CASE_ALARMS = """query ($filter: AlarmFilter) { alarms(filter: $filter, first: 50) {
  edges { node { kind level dueOn operation { id } } } } }"""


async def test_an_applied_case_running_late_raises_alarms_and_补正_delays_them(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    """The done-test's 电子监察 half on applied cases: a case filed online is due its power's limit (of the
    version it started under) in working days after its receipt; on that day 监察局 and the unit see a
    YELLOW alarm and a webhook carries it; a case suspended for 补正 is due later by the days it stood."""
    from domain.access import CLI
    from domain.alarms import raise_alarms
    from domain.catalog.models import WebhookDelivery
    from domain.catalog.webhooks import WebhookData, register_webhook, remove_webhook

    power = await demo_power()
    unit = await Unit.get(id=power.unit_id)
    received = datetime.date(2026, 11, 2)  # a Monday
    ids = []
    for _ in range(2):
        receipt = await apply(anon, powerId=_gid("Power", power.id))
        case = await ApplicationCase.get(id=parse_id(receipt["id"])[1])
        await ApplicationCase.filter(id=case.id).update(received_on=received)
        await OperationStep.filter(operation_id=case.operation_id).update(started_on=received)
        ids.append((receipt["id"], case))
    (plain_id, plain), (stopped_id, stopped) = ids
    limit = plain.chart["time_limit_days"]
    assert limit, "the demo licence promises a limit"
    calendar = await WorkCalendar.load()
    due = calendar.add_workdays(received, limit).day
    # 补正 from the receipt's next working day for five working days
    suspended_on = calendar.add_workdays(received, 1).day
    resumed_on = calendar.add_workdays(suspended_on, 5).day
    await CaseSuspension.create(case=stopped, reason="补正身份证明", suspended_on=suspended_on, suspended_by="test",
                                resumed_on=resumed_on, resumed_by="test")  # fmt: skip
    later = calendar.add_workdays(received, limit + 5).day

    hook = await register_webhook(
        CLI, WebhookData("alarm-inspector", "http://127.0.0.1:9/cases", Role.INSPECTOR, None, ("case.alarm",)), allow_private=True
    )
    try:
        inspector, own, other = await token_for(Role.INSPECTOR), await token_for(Role.UNIT_STAFF, unit), await token_for(Role.UNIT_STAFF, await make_unit())

        async def case_levels(token: str) -> dict[str, tuple[str, str]]:
            body = await gql_data(client, CASE_ALARMS, {"filter": {"unitId": _gid("Unit", unit.id)}}, token)
            ops = {_gid("OperationRecord", plain.operation_id): "plain", _gid("OperationRecord", stopped.operation_id): "stopped"}
            return {ops[e["node"]["operation"]["id"]]: (e["node"]["level"], e["node"]["dueOn"])
                    for e in body["alarms"]["edges"] if e["node"]["kind"] == "CASE" and e["node"]["operation"]["id"] in ops}  # fmt: skip

        await raise_alarms(due - datetime.timedelta(days=1))
        assert await case_levels(inspector) == {}
        await raise_alarms(due)
        assert await case_levels(inspector) == await case_levels(own) == {"plain": ("YELLOW", due.isoformat())}
        assert (await gql_data(client, CASE_ALARMS, {"filter": {}}, other))["alarms"]["edges"] == []
        sent = [d.payload for d in await WebhookDelivery.filter(webhook_id=hook.id, event="case.alarm")]
        mine = {_gid("OperationRecord", c.operation_id) for c in (plain, stopped)}
        alarms = [(p["operation"]["id"], p["alarm"]["kind"], p["alarm"]["level"]) for p in sent if p["operation"]["id"] in mine]
        assert [a for a in alarms if a[1] == "CASE"] == [(_gid("OperationRecord", plain.operation_id), "CASE", "YELLOW")]
        assert APPLICANT not in json.dumps(sent, ensure_ascii=False)
        await raise_alarms(later)
        levels = await case_levels(inspector)
        assert levels["plain"][0] == "RED" and levels["stopped"] == ("YELLOW", later.isoformat())
    finally:
        await remove_webhook(CLI, hook.id)
