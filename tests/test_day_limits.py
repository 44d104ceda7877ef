"""Day counts are bounded (issue 21.1): every number of working days a client gives is at most
MAX_LIMIT_WORKDAYS, refused beyond with a field error and nothing written; and counting working days
costs the same for any limit, so that a huge one an old row may hold answers at once (dueOn null when
the day lies past the calendar's end) instead of stalling the process and failing."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from domain.catalog.importer import import_into_unit
from domain.enums import Role
from domain.models import FlowStep, Power, Unit
from domain.workdays import MAX_LIMIT_WORKDAYS, WorkCalendar
from domain.workflow_models import OperationStep
from schema.relay import encode_id
from tests.catalog_sheets import numbered_unit
from tests.factories import ADMIN, make_power, make_unit, row_counts
from tests.helpers import gql, gql_data, token_for
from tests.oversight_factories import ERRORS, D, exercise, flow_steps, timely_power
from tests.workflow_factories import charted

HUGE = 2_147_483_647  # the largest GraphQL Int: what the report sent
REFUSED = "__typename ... on ValidationErrors { errors { field code message } }"
CREATE_STEP = f"""mutation ($input: CreateFlowStepInput!) {{
  createFlowStep(input: $input) {{ ... on FlowStep {{ id }} {REFUSED} }}
}}"""
UPDATE_STEP = f"""mutation ($id: ID!, $input: UpdateFlowStepInput!) {{
  updateFlowStep(id: $id, input: $input) {{ ... on FlowStep {{ id }} {REFUSED} }}
}}"""
CREATE_POWER = f"""mutation ($input: CreatePowerInput!) {{ createPower(input: $input) {{ ... on Power {{ id }} {REFUSED} }} }}"""
UPDATE_POWER = f"""mutation ($id: ID!, $input: UpdatePowerInput!) {{
  updatePower(id: $id, input: $input) {{ ... on Power {{ id }} {REFUSED} }}
}}"""
START = f"""mutation ($op: ID!, $input: StartOperationStepInput!) {{
  startOperationStep(operationId: $op, input: $input) {{
    ... on OperationStep {{ id timeLimitDays workdaysTaken dueOn overdue }} {ERRORS}
  }}
}}"""
STEPS = """query ($code: String!) { power(code: $code) { operationRecords { steps { timeLimitDays overdue dueOn } } } }"""


def refused(result: dict[str, Any]) -> set[tuple[str, str]]:
    assert result["__typename"] == "ValidationErrors", result
    return {(e["field"], e["code"]) for e in result["errors"]}


async def staff_token(power: Power) -> str:
    return await token_for(Role.UNIT_STAFF, await Unit.get(id=power.unit_id))


@pytest.mark.parametrize("days", [HUGE, MAX_LIMIT_WORKDAYS + 1])
async def test_a_step_s_time_limit_beyond_the_bound_is_refused_and_nothing_written(
    client: httpx.AsyncClient, days: int
) -> None:
    power = await charted(await make_power(await make_unit()), (("受理", 5), ("决定", None)))  # a DRAFT
    accept, _decide = await flow_steps(power)
    chart = encode_id("FlowChart", accept.chart_id)
    token = await staff_token(power)
    before = await row_counts()
    created = await gql_data(client, CREATE_STEP, {"input": {"chartId": chart, "name": "审查", "timeLimitDays": days}}, token)
    assert refused(created["createFlowStep"]) == {("timeLimitDays", "out_of_range")}
    updated = await gql_data(client, UPDATE_STEP, {"id": encode_id("FlowStep", accept.id), "input": {"timeLimitDays": days}}, token)
    assert refused(updated["updateFlowStep"]) == {("timeLimitDays", "out_of_range")}
    assert await row_counts() == before
    assert (await FlowStep.get(id=accept.id)).time_limit_days == 5
    within = {"input": {"chartId": chart, "name": "审查", "timeLimitDays": MAX_LIMIT_WORKDAYS}}
    assert (await gql_data(client, CREATE_STEP, within, token))["createFlowStep"]["__typename"] == "FlowStep"


async def test_a_power_s_time_limits_beyond_the_bound_are_refused_and_nothing_written(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await make_power(unit, time_limit_days=20)
    token = await token_for(Role.UNIT_STAFF, unit)
    before = await row_counts()
    new = {"unitId": encode_id("Unit", unit.id), "name": "对某行为的行政处罚", "category": "PENALTY", "timeLimitDays": HUGE}
    result = (await gql_data(client, CREATE_POWER, {"input": new}, token))["createPower"]
    assert refused(result) == {("timeLimitDays", "out_of_range")}
    changes = {"timeLimitDays": MAX_LIMIT_WORKDAYS + 1, "disclosureDeadline": "事项办结后99999999个工作日内公开"}
    result = (await gql_data(client, UPDATE_POWER, {"id": encode_id("Power", power.id), "input": changes}, token))["updatePower"]
    assert refused(result) == {("timeLimitDays", "out_of_range"), ("disclosureDeadline", "out_of_range")}
    assert await row_counts() == before
    await power.refresh_from_db()
    assert (power.time_limit_days, power.disclosure_deadline) == (20, "")
    assert result["errors"][0]["message"] == (
        f"办理时限（工作日）应为 0 到 {MAX_LIMIT_WORKDAYS} 个工作日 "
        f"(time_limit_days must be 0..{MAX_LIMIT_WORKDAYS} working days)"
    )


async def test_an_imported_row_with_an_unreal_time_limit_is_refused(database: str) -> None:
    unit = await numbered_unit()
    sheet = "职权名称,职权类别,办理时限\n对甲行为的行政处罚,行政处罚,承诺99999999个工作日\n对乙行为的行政处罚,行政处罚,承诺5个工作日\n"
    result = await import_into_unit(ADMIN, unit.code, "sheet.csv", sheet.encode())
    first, second = result.rows
    assert first.fate.value == "REFUSED" and "办理时限应为 0 到 1000 个工作日" in first.reasons[0], first
    assert second.fate.value == "CREATED", second
    assert await Power.filter(unit_id=unit.id).values_list("time_limit_days", flat=True) == [5]


def test_working_days_are_counted_for_any_limit_without_walking_them() -> None:
    calendar = WorkCalendar()
    start = D(2026, 9, 28)
    # 9/28 + 5 working days: 9/29, 9/30, (国庆) 10/8, 10/9, 10/10 (调休)
    assert calendar.add_workdays(start, 5) == calendar.deadline(start, 5)
    assert calendar.add_workdays(start, 5).day == D(2026, 10, 10)  # type: ignore[union-attr]
    far = calendar.add_workdays(start, 2_000_000)  # beyond the package's years: weeks of five working days
    assert far is not None and far.provisional and far.day.weekday() < 5
    assert calendar.workdays_between(start, far.day) == 2_000_000
    assert calendar.add_workdays(start, HUGE) is None  # past 9999-12-31: no due date, and no error
    assert calendar.add_workdays(datetime.date(9999, 12, 31), 1) is None  # (a Friday)
    assert calendar.workdays_between(datetime.date(1, 1, 1), start) > 500_000


async def test_a_huge_limit_an_old_row_holds_is_read_at_once(client: httpx.AsyncClient) -> None:
    """The report: a published power whose step carries 2147483647 days stalled an anonymous read for
    3 s and answered "Internal server error" (OverflowError); starting such a step failed after saving it."""
    power = await timely_power(steps=(("受理", 5), ("决定", None)))
    accept, decide = await flow_steps(power)
    op = await exercise(power, D(2026, 9, 21), subject="时限异常")
    token = await staff_token(power)
    # rows written before the bound: the flow step, and a step started from it
    await FlowStep.filter(id__in=[accept.id, decide.id]).update(time_limit_days=HUGE)
    data = {"flowStepId": encode_id("FlowStep", accept.id), "startedOn": "2026-09-21", "handler": "赵六"}
    started = (await gql_data(client, START, {"op": encode_id("OperationRecord", op.id), "input": data}, token))["startOperationStep"]
    assert (started["timeLimitDays"], started["dueOn"], started["overdue"]) == (HUGE, None, False)
    await OperationStep.create(
        operation_id=op.id, flow_step_id=decide.id, step_name="决定", time_limit_days=1_000_000,
        handler="赵六", started_on=D(2026, 9, 22),
    )  # fmt: skip
    aliased = " ".join(f"a{i}: power(code: $code) {{ operationRecords {{ steps {{ overdue dueOn }} }} }}" for i in range(3))
    for query in (STEPS, f"query ($code: String!) {{ {aliased} }}"):
        body = await gql(client, query, {"code": power.code})
        assert "errors" not in body, body["errors"]
    steps = (await gql_data(client, STEPS, {"code": power.code}))["power"]["operationRecords"][0]["steps"]
    by_limit = {s["timeLimitDays"]: s for s in steps}
    assert by_limit[HUGE] == {"timeLimitDays": HUGE, "overdue": False, "dueOn": None}
    far = by_limit[1_000_000]
    assert not far["overdue"] and datetime.date.fromisoformat(far["dueOn"]).year > 5000
