"""公开记录: the unit's staff record disclosures; exercises of TIMELY powers not disclosed within
their deadline (working days, across 国庆) show up as overdue."""

from __future__ import annotations

import datetime

import httpx
import pytest

from domain.disclosures import (
    DEFAULT_DISCLOSURE_WORKDAYS,
    DisclosureData,
    disclosure_workdays,
    record_disclosure,
)
from domain.enums import DisclosureChannel, DisclosureScope, DisclosureTiming, Role
from domain.models import AuditEvent, Power, Unit
from schema.relay import encode_id
from tests.factories import make_power, make_unit
from tests.helpers import gql, gql_data, token_for
from tests.oversight_factories import ERRORS, D, exercise, keeper, timely_power

RECORD = f"""
mutation ($input: RecordDisclosureInput!) {{
  recordDisclosure(input: $input) {{
    ... on DisclosureRecord {{ id scope timing channel content disclosedOn operation {{ id }} }}
    {ERRORS}
  }}
}}"""
OVERDUE = """
query ($unit: ID!) {
  overdueDisclosures(unitId: $unit) {
    operation { id subject finishedOn } power { code } finishedOn deadlineWorkdays dueOn dueProvisional disclosedOn
  }
}"""


def _input(power_id: int, **over: object) -> dict[str, object]:
    return {
        "powerId": encode_id("Power", power_id), "scope": "PUBLIC", "timing": "TIMELY",
        "channel": "GOVERNMENT_WEBSITE", "content": "办理结果公开", "disclosedOn": "2026-10-12", **over,
    }  # fmt: skip


async def _disclose(power: Power, day: datetime.date, operation_id: int | None = None) -> None:
    data = DisclosureData(
        power.id, DisclosureScope.PUBLIC, DisclosureTiming.TIMELY, DisclosureChannel.SERVICE_HALL, "办理结果公开", day,
        operation_id,
    )
    await record_disclosure(await keeper(power), data)


def test_the_deadline_comes_from_the_power_s_disclosure_rule() -> None:
    assert disclosure_workdays("事项办结后七个工作日内公开") == 7
    assert disclosure_workdays("结果形成后 5 个工作日内") == 5
    assert disclosure_workdays("十五个工作日内") == 15
    assert disclosure_workdays("随时公开") == DEFAULT_DISCLOSURE_WORKDAYS == 20


async def test_staff_record_a_disclosure_of_an_exercise(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    op = await exercise(power, D(2026, 9, 21), D(2026, 9, 25))
    token = await token_for(Role.UNIT_STAFF, await Unit.get(id=power.unit_id))
    data = await gql_data(client, RECORD, {"input": _input(power.id, operationId=encode_id("OperationRecord", op.id))}, token)
    rec = data["recordDisclosure"]
    assert rec["timing"] == "TIMELY" and rec["disclosedOn"] == "2026-10-12"
    assert rec["operation"] == {"id": encode_id("OperationRecord", op.id)}
    assert await AuditEvent.filter(action="disclosure.create", entity_type="disclosure_record").count() >= 1


async def test_only_the_unit_s_staff_record_its_disclosures(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    other = await token_for(Role.UNIT_STAFF, await make_unit())
    body = await gql_data(client, RECORD, {"input": _input(power.id)}, other)
    assert body["recordDisclosure"]["__typename"] == "PermissionDeniedError"
    public = await gql_data(client, RECORD, {"input": _input(power.id)})
    assert public["recordDisclosure"]["__typename"] == "PermissionDeniedError"


async def test_a_disclosure_is_validated(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    stranger = await exercise(await timely_power(), D(2026, 9, 21))
    token = await token_for(Role.UNIT_STAFF, await Unit.get(id=power.unit_id))
    bad = _input(power.id, content=" ", disclosedOn="2099-01-01", operationId=encode_id("OperationRecord", stranger.id))
    errors = (await gql_data(client, RECORD, {"input": bad}, token))["recordDisclosure"]
    assert errors["__typename"] == "ValidationErrors"
    assert {(e["field"], e["code"]) for e in errors["errors"]} == {
        ("content", "required"), ("disclosedOn", "future"), ("operationId", "not_found"),
    }  # fmt: skip


async def test_a_power_not_in_operation_is_not_disclosed(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    draft = await make_power(unit)
    token = await token_for(Role.UNIT_STAFF, unit)
    body = (await gql_data(client, RECORD, {"input": _input(draft.id)}, token))["recordDisclosure"]
    assert body == {"__typename": "IllegalTransitionError", "action": "exercise", "currentStatus": "DRAFT"}


async def test_exercises_not_disclosed_in_time_are_overdue_across_national_day(client: httpx.AsyncClient) -> None:
    # finished 9/25 (中秋); 7 working days: 9/28, 9/29, 9/30, (国庆 10/1–10/7) 10/8, 10/9, 10/10 (调休), 10/12
    power = await timely_power()
    in_time = await exercise(power, D(2026, 9, 21), D(2026, 9, 25), subject="按时公开")
    await exercise(power, D(2026, 9, 21), D(2026, 9, 25), subject="未公开")  # the named disclosures are not its
    late = await exercise(power, D(2026, 9, 21), D(2026, 9, 25), subject="逾期公开")
    await exercise(power, D(2026, 9, 21), subject="尚未办结")
    await _disclose(power, D(2026, 10, 12), in_time.id)
    await _disclose(power, D(2026, 10, 13), late.id)
    token = await token_for(Role.INSPECTOR)
    rows = (await gql_data(client, OVERDUE, {"unit": encode_id("Unit", power.unit_id)}, token))["overdueDisclosures"]
    assert [(r["operation"]["subject"], r["dueOn"], r["disclosedOn"]) for r in rows] == [
        ("未公开", "2026-10-12", None), ("逾期公开", "2026-10-12", "2026-10-13"),
    ]  # fmt: skip
    assert rows[0]["deadlineWorkdays"] == 7 and rows[0]["power"]["code"] == power.code
    assert not rows[0]["dueProvisional"]


async def test_a_batch_disclosure_covers_every_exercise_finished_before_it(client: httpx.AsyncClient) -> None:
    power = await timely_power(deadline="")  # no number of days: 20 working days
    await exercise(power, D(2026, 9, 1), D(2026, 9, 2), subject="已批量公示")
    await exercise(power, D(2026, 9, 1), D(2026, 9, 30), subject="批量公示之后办结")
    await _disclose(power, D(2026, 9, 29))  # names no exercise: 办理结果批量公示
    token = await token_for(Role.UNIT_STAFF, await Unit.get(id=power.unit_id))
    rows = (await gql_data(client, OVERDUE, {"unit": encode_id("Unit", power.unit_id)}, token))["overdueDisclosures"]
    assert [(r["operation"]["subject"], r["deadlineWorkdays"]) for r in rows] == [("批量公示之后办结", 20)]


async def test_long_term_powers_and_other_units_are_not_listed(client: httpx.AsyncClient) -> None:
    parent = await make_unit()
    office = await make_unit(parent)
    await exercise(await timely_power(office), D(2026, 9, 1), D(2026, 9, 2), subject="科室的事项")
    await exercise(await timely_power(parent, disclosure_timing=DisclosureTiming.LONG_TERM), D(2026, 9, 1), D(2026, 9, 2))
    lead = await token_for(Role.UNIT_LEAD, parent)
    rows = (await gql_data(client, OVERDUE, {"unit": encode_id("Unit", parent.id)}, lead))["overdueDisclosures"]
    assert [r["operation"]["subject"] for r in rows] == ["科室的事项"]  # the office's, not the long-term power's


async def test_overdue_disclosures_are_for_the_unit_and_oversight_only(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    variables = {"unit": encode_id("Unit", unit.id)}
    for token in (None, await token_for(Role.UNIT_STAFF, await make_unit())):
        body = await gql(client, OVERDUE, variables, token)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
async def test_oversight_roles_see_any_unit_s_overdue_disclosures(client: httpx.AsyncClient, role: Role) -> None:
    unit = await make_unit()
    await gql_data(client, OVERDUE, {"unit": encode_id("Unit", unit.id)}, await token_for(role))
