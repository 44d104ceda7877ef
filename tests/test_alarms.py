"""电子监察: alarms raised by the server as the clock moves (a `today` passed, never a sleep), stored, idempotent,
escalated once, cleared when done; listed for the unit and 监察局 with filters, counted per unit and post,
sent as `case.alarm` webhook events — and hidden on every path from the public and other units' staff, for
a confidential power and a LEADERSHIP record each on its own."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain import operations
from domain.access import CLI
from domain.alarm_models import Alarm
from domain.alarms import alarm_level, raise_alarms
from domain.catalog.models import WebhookDelivery
from domain.catalog.webhooks import WebhookData, register_webhook, remove_webhook
from domain.enums import AlarmLevel, DisclosureScope, Role
from domain.models import AuditEvent, Unit
from domain.workdays import WorkCalendar
from schema.relay import encode_id
from tests.alarm_factories import D, posted_power, posts, started
from tests.docx_checks import all_text, data_rows, open_docx
from tests.factories import ADMIN, PUBLIC, make_unit, power_name
from tests.helpers import gql, gql_data, token_for
from tests.oversight_factories import exercise
from tests.workflow_factories import keeper_of

ALARM = """id kind level limitDays dueOn raisedOn escalatedAt clearedOn open
  unit { code } position { name } step { stepName } operation { id applicant } power { code }"""
ALARMS = f"""query ($filter: AlarmFilter) {{
  alarms(filter: $filter, first: 50) {{ totalCount edges {{ node {{ {ALARM} }} }} }}
}}"""
COUNTS = """query ($filter: AlarmFilter) { alarmCounts(filter: $filter) {
  total { yellow red total } byUnit { unit { code } count { yellow red } } byPosition { position { name } count { yellow red } }
} }"""
pytestmark = pytest.mark.usefixtures("database")
NODE = """query ($id: ID!) { node(id: $id) { id ... on Alarm { level } } }"""


def test_the_level_follows_working_days() -> None:
    calendar = WorkCalendar()  # 2026-11 has no holiday: weekends alone
    friday = D(2026, 11, 6)
    assert alarm_level(calendar, friday, D(2026, 11, 5)) is None
    assert alarm_level(calendar, friday, friday) is AlarmLevel.YELLOW
    assert alarm_level(calendar, friday, D(2026, 11, 8)) is AlarmLevel.YELLOW  # the weekend after: not a working day past it
    assert alarm_level(calendar, friday, D(2026, 11, 9)) is AlarmLevel.RED


async def _mine(op_id: int) -> dict[str, Alarm]:
    return {a.key.split(":")[0]: a for a in await Alarm.filter(operation_id=op_id)}


async def test_a_step_and_its_case_are_warned_then_overdue_once_each() -> None:
    staff = await posts()
    power = await posted_power(staff, limit=3)  # the case: due the 3rd working day after 决策
    op, step = await started(power, D(2026, 11, 2))  # Monday; 受理 (1 working day) due Tuesday
    await raise_alarms(D(2026, 11, 2))
    assert await _mine(op.id) == {}
    await raise_alarms(D(2026, 11, 3))
    alarms = await _mine(op.id)
    assert [(k, a.level, a.due_on, a.position_id, a.cleared_at) for k, a in alarms.items()] == [
        ("step", AlarmLevel.YELLOW, D(2026, 11, 3), staff.clerk.id, None)
    ]
    again = await raise_alarms(D(2026, 11, 3))  # a re-run raises nothing twice
    assert alarms["step"].id not in again.changed and await Alarm.filter(operation_id=op.id).count() == 1
    await raise_alarms(D(2026, 11, 4))
    await raise_alarms(D(2026, 11, 4))
    await raise_alarms(D(2026, 11, 5))
    alarms = await _mine(op.id)
    assert (alarms["step"].level, alarms["step"].escalated_at is not None) == (AlarmLevel.RED, True)
    assert (alarms["case"].kind.value, alarms["case"].level, alarms["case"].due_on, alarms["case"].position_id) == (
        "CASE", AlarmLevel.YELLOW, D(2026, 11, 5), None,
    )  # fmt: skip
    await operations.finish_step(await keeper_of(power), step.id, D(2026, 11, 5))
    await raise_alarms(D(2026, 11, 6))
    alarms = await _mine(op.id)
    assert (alarms["step"].cleared_on, alarms["step"].level) == (D(2026, 11, 5), AlarmLevel.RED)
    assert (alarms["case"].level, alarms["case"].cleared_at) == (AlarmLevel.RED, None)
    trail = [(e.action, e.detail["level"]) for e in await AuditEvent.filter(entity_type="alarm", entity_id__in=[
        str(a.id) for a in alarms.values()]).order_by("id")]  # fmt: skip
    assert trail == [("alarm.raise", "YELLOW"), ("alarm.escalate", "RED"), ("alarm.raise", "YELLOW"),
                     ("alarm.clear", "RED"), ("alarm.escalate", "RED")]  # fmt: skip


async def test_a_step_done_late_and_entered_afterwards_is_marked_red_and_cleared() -> None:
    staff = await posts()
    power = await posted_power(staff, limit=None)  # no promised limit: no case alarm
    op, step = await started(power, D(2026, 11, 2))
    await operations.finish_step(await keeper_of(power), step.id, D(2026, 11, 9))
    await raise_alarms(D(2026, 11, 10))
    (alarm,) = await Alarm.filter(operation_id=op.id)
    assert (alarm.level, alarm.raised_on, alarm.cleared_on) == (AlarmLevel.RED, D(2026, 11, 9), D(2026, 11, 9))
    await raise_alarms(D(2026, 11, 11))
    assert await Alarm.filter(operation_id=op.id).count() == 1


@pytest.fixture(scope="module")
async def hidden(database: str) -> AsyncIterator[dict[str, object]]:
    """Three units' alarms, each hiding one case alone: a public power's PUBLIC record, a confidential
    (涉密) power's, and a LEADERSHIP record of a public power; and the units' webhooks."""
    staff = await posts(await make_unit(name="监察测试局"))
    public = await posted_power(staff)
    secret = await posted_power(staff, name=power_name("涉密事项的审批"), confidential=True,
                                confidentiality_reason="涉及国家秘密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    ops = {
        "public": (await started(public, D(2026, 11, 16), applicant="赵申请"))[0],
        "secret": (await started(secret, D(2026, 11, 16), applicant="钱申请"))[0],
        "leadership": (await started(public, D(2026, 11, 16), applicant="孙申请", scope=DisclosureScope.LEADERSHIP))[0],
    }
    other = await make_unit(name="其他局")
    hooks = {}
    for name, role, unit in (("public", Role.PUBLIC, None), ("inspector", Role.INSPECTOR, None),
                             ("staff", Role.UNIT_STAFF, staff.unit), ("lead", Role.UNIT_LEAD, staff.unit),
                             ("other", Role.UNIT_STAFF, other)):  # fmt: skip
        data = WebhookData(f"alarm-{name}", f"http://127.0.0.1:9/{name}", role, unit.code if unit else None, ("case.alarm",))
        hooks[name] = await register_webhook(CLI, data, allow_private=True)
    for day in (17, 18):  # 受理 due the 17th: YELLOW, then RED; the cases are due the 19th
        await raise_alarms(D(2026, 11, day))
    alarm_ids = {k: [a.id for a in await Alarm.filter(operation_id=op.id)] for k, op in ops.items()}
    yield {"unit": staff.unit, "other": other, "ops": ops, "hooks": hooks, "alarms": alarm_ids, "staff": staff}
    for hook in hooks.values():  # and their deliveries, never sent: later tests send what is due to their receivers
        await remove_webhook(CLI, hook.id)


async def _seen(client: httpx.AsyncClient, token: str | None, unit: Unit) -> dict[int, str]:
    body = await gql_data(client, ALARMS, {"filter": {"unitId": encode_id("Unit", unit.id)}}, token)
    return {e["node"]["operation"]["id"]: e["node"]["level"] for e in body["alarms"]["edges"]}


async def test_alarms_are_listed_for_the_unit_and_the_inspector_only(client: httpx.AsyncClient, hidden: dict) -> None:
    unit, ops = hidden["unit"], hidden["ops"]
    ids = {k: encode_id("OperationRecord", op.id) for k, op in ops.items()}
    assert await _seen(client, await token_for(Role.INSPECTOR), unit) == {ids[k]: "RED" for k in ops}
    assert await _seen(client, await token_for(Role.UNIT_LEAD, unit), unit) == {ids[k]: "RED" for k in ops}
    assert await _seen(client, await token_for(Role.UNIT_STAFF, unit), unit) == {ids["public"]: "RED", ids["secret"]: "RED"}
    for token in (None, await token_for(Role.UNIT_STAFF, hidden["other"])):
        body = await gql_data(client, ALARMS, {"filter": {"unitId": encode_id("Unit", unit.id)}}, token)
        assert body["alarms"] == {"totalCount": 0, "edges": []}
        counts = (await gql_data(client, COUNTS, {"filter": {"unitId": encode_id("Unit", unit.id)}}, token))["alarmCounts"]
        assert counts == {"total": {"yellow": 0, "red": 0, "total": 0}, "byUnit": [], "byPosition": []}
        for alarm_id in sum(hidden["alarms"].values(), []):
            assert (await gql_data(client, NODE, {"id": encode_id("Alarm", alarm_id)}, token))["node"] is None


async def test_the_inspector_filters_by_post_level_and_state(client: httpx.AsyncClient, hidden: dict) -> None:
    inspector, staff = await token_for(Role.INSPECTOR), hidden["staff"]
    unit = encode_id("Unit", hidden["unit"].id)
    by_post = await gql_data(client, ALARMS, {"filter": {"unitId": unit, "positionId": encode_id("Position", staff.clerk.id)}}, inspector)
    nodes = [e["node"] for e in by_post["alarms"]["edges"]]
    assert len(nodes) == 3 and {(n["kind"], n["position"]["name"], n["step"]["stepName"], n["open"]) for n in nodes} == {
        ("STEP", "受理岗", "受理", True)
    }
    assert {n["operation"]["applicant"] for n in nodes} == {"赵申请", "钱申请", "孙申请"}  # oversight sees personal data
    assert (await gql_data(client, ALARMS, {"filter": {"unitId": unit, "level": "YELLOW"}}, inspector))["alarms"]["totalCount"] == 0
    assert (await gql_data(client, ALARMS, {"filter": {"unitId": unit, "open": False}}, inspector))["alarms"]["totalCount"] == 0
    counts = (await gql_data(client, COUNTS, {"filter": {"unitId": unit}}, inspector))["alarmCounts"]
    assert counts["total"] == {"yellow": 0, "red": 3, "total": 3}
    assert counts["byPosition"] == [{"position": {"name": "受理岗"}, "count": {"yellow": 0, "red": 3}}]
    assert counts["byUnit"] == [{"unit": {"code": hidden["unit"].code}, "count": {"yellow": 0, "red": 3}}]
    staff_counts = (await gql_data(client, COUNTS, {"filter": {"unitId": unit}}, await token_for(Role.UNIT_STAFF, hidden["unit"])))
    assert staff_counts["alarmCounts"]["total"]["red"] == 2  # not the LEADERSHIP record's


async def test_bad_filters_are_typed_errors(client: httpx.AsyncClient) -> None:
    body = await gql(client, ALARMS, {"filter": {"unitId": encode_id("Position", 1)}}, await token_for(Role.INSPECTOR))
    assert body["errors"][0]["extensions"]["code"] == "invalid" and body["data"] is None


async def test_case_alarm_events_reach_who_may_see_them(hidden: dict) -> None:
    hooks, ops = hidden["hooks"], hidden["ops"]
    sent: dict[str, list[tuple[int, str]]] = {}
    mine = {encode_id("OperationRecord", op.id) for op in ops.values()}
    for name, hook in hooks.items():
        rows = await WebhookDelivery.filter(webhook_id=hook.id, event="case.alarm").order_by("id")
        sent[name] = [(r.payload["operation"]["id"], r.payload["alarm"]["level"]) for r in rows if r.payload["operation"]["id"] in mine]
        for r in rows:  # no subject, no applicant: personal data stays in the registry
            text = json.dumps(r.payload, ensure_ascii=False)
            assert not any(name in text for name in ("赵申请", "钱申请", "孙申请", "申请办理测试事项"))
    every = [(encode_id("OperationRecord", ops[k].id), level) for level in ("YELLOW", "RED") for k in ("public", "secret", "leadership")]
    assert sent["inspector"] == sent["lead"] == every
    assert sent["staff"] == [e for e in every if e[0] != encode_id("OperationRecord", ops["leadership"].id)]
    assert sent["public"] == sent["other"] == []
    secret = await WebhookDelivery.filter(webhook_id=hooks["staff"].id, event="case.alarm").first()
    assert secret is not None and secret.payload["alarm"]["position"] == "受理岗"


async def test_a_case_closed_later_than_promised_is_marked_in_the_operation_records_filing() -> None:
    staff = await posts()
    power = await posted_power(staff, limit=3)  # decided Monday the 2nd: due Thursday the 5th
    late = await exercise(power, D(2026, 11, 2), D(2026, 11, 9), subject="逾期办结的事项")
    kept = await exercise(power, D(2026, 11, 2), D(2026, 11, 5), subject="按时办结的事项")
    running = await exercise(power, D(2026, 11, 2), subject="仍在办理的事项")
    for viewer in (ADMIN, PUBLIC):  # the public version (its records are public) is marked alike
        rows = data_rows(open_docx(await build_filing(viewer, staff.unit.id, FilingForm.OPERATION_RECORDS)).tables[0])
        results = {row[3]: row[7] for row in rows}
        assert results[late.subject].endswith("【超过承诺时限】承诺3个工作日（2026年11月5日前），实际用时5个工作日")
        assert "超过承诺时限" not in results[kept.subject] + results[running.subject]
        summary = all_text(open_docx(await build_filing(viewer, staff.unit.id, FilingForm.OPERATION_RECORDS)))
        assert "其中超过承诺时限办结1条。" in summary

