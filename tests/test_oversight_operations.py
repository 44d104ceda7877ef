"""附7 权力运行记录: an exercise goes DECISION → EXECUTION → RESULT through GraphQL, its flow-chart
steps are timed in working days, and a step over its time limit raises an alarm (电子监察)."""

from __future__ import annotations

import httpx
import pytest

from domain import operations
from domain.enums import DisclosureScope, OperationStage, Role
from domain.models import AuditEvent, FlowStep, Power, Unit
from domain.services.flow import update_flow_step
from domain.workflow_models import OperationStep
from schema.relay import encode_id, parse_id
from tests.factories import ADMIN, make_unit
from tests.helpers import gql, gql_data, token_for
from tests.oversight_factories import ERRORS, D, exercise, flow_steps, keeper, timely_power
from tests.workflow_factories import revise

OPERATION = "... on OperationRecord { id stage handler decision decidedOn execution executedOn result finishedOn scope }"
CREATE = f"""mutation ($input: CreateOperationRecordInput!) {{ createOperationRecord(input: $input) {{ {OPERATION} {ERRORS} }} }}"""
ADVANCE = f"""mutation ($id: ID!, $input: AdvanceOperationRecordInput!) {{
  advanceOperationRecord(id: $id, input: $input) {{ {OPERATION} {ERRORS} }}
}}"""
STEP = "... on OperationStep { id stepName handler startedOn finishedOn timeLimitDays workdaysTaken dueOn overdue flowStep { name } }"
START = f"""mutation ($op: ID!, $input: StartOperationStepInput!) {{
  startOperationStep(operationId: $op, input: $input) {{ {STEP} {ERRORS} }}
}}"""
FINISH = f"""mutation ($id: ID!, $on: Date!) {{ finishOperationStep(id: $id, finishedOn: $on) {{ {STEP} {ERRORS} }} }}"""
ALARMS = """
query ($unit: ID!, $running: Boolean!) {
  operationAlarms(unitId: $unit, runningOnly: $running) {
    running step { stepName timeLimitDays workdaysTaken dueOn overdue } operation { subject } power { code }
  }
}"""
NODE = """query ($id: ID!) { node(id: $id) { id } }"""
POWER_RECORDS = """query ($code: String!) { power(code: $code) { operationRecords { id steps { stepName } } } }"""


def _create(power_id: int, **over: object) -> dict[str, object]:
    return {
        "powerId": encode_id("Power", power_id), "network": "ADMINISTRATIVE_LICENSING", "subject": "张某申请办理许可",
        "handler": "李四", "decision": "材料齐全，予以受理", "decidedOn": "2026-09-21", **over,
    }  # fmt: skip


async def _staff_token(power: Power) -> str:
    return await token_for(Role.UNIT_STAFF, await Unit.get(id=power.unit_id))


async def test_an_exercise_goes_from_decision_to_result(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    token = await _staff_token(power)
    op = (await gql_data(client, CREATE, {"input": _create(power.id)}, token))["createOperationRecord"]
    assert (op["stage"], op["decidedOn"], op["handler"], op["scope"]) == ("DECISION", "2026-09-21", "李四", "PUBLIC")
    step = {"to": "EXECUTION", "text": "现场核查", "on": "2026-09-23", "handler": "王五"}
    op = (await gql_data(client, ADVANCE, {"id": op["id"], "input": step}, token))["advanceOperationRecord"]
    assert (op["stage"], op["execution"], op["executedOn"], op["handler"]) == ("EXECUTION", "现场核查", "2026-09-23", "王五")
    step = {"to": "RESULT", "text": "准予许可", "on": "2026-09-25"}
    op = (await gql_data(client, ADVANCE, {"id": op["id"], "input": step}, token))["advanceOperationRecord"]
    assert (op["stage"], op["result"], op["finishedOn"], op["handler"]) == ("RESULT", "准予许可", "2026-09-25", "王五")
    actions = [e.action for e in await AuditEvent.filter(entity_type="operation_record", entity_id=str(_pk(op["id"])))]
    assert actions == ["operation.create", "operation.advance", "operation.advance"]


def _pk(global_id: str) -> int:
    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_stages_go_one_at_a_time(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    token = await _staff_token(power)
    op = await exercise(power, D(2026, 9, 21))
    skip = {"to": "RESULT", "text": "准予许可", "on": "2026-09-25"}
    body = (await gql_data(client, ADVANCE, {"id": encode_id("OperationRecord", op.id), "input": skip}, token))
    assert body["advanceOperationRecord"] == {
        "__typename": "IllegalTransitionError", "action": "advance", "currentStatus": "DECISION",
    }  # fmt: skip
    done = await exercise(power, D(2026, 9, 21), D(2026, 9, 25))
    again = {"to": "RESULT", "text": "再次办结", "on": "2026-09-25"}
    body = await gql_data(client, ADVANCE, {"id": encode_id("OperationRecord", done.id), "input": again}, token)
    assert body["advanceOperationRecord"]["currentStatus"] == "RESULT"


async def test_stage_dates_run_forward_and_not_into_the_future(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    token = await _staff_token(power)
    op = await exercise(power, D(2026, 9, 21))
    early = {"to": "EXECUTION", "text": "现场核查", "on": "2026-09-20"}
    body = await gql_data(client, ADVANCE, {"id": encode_id("OperationRecord", op.id), "input": early}, token)
    assert body["advanceOperationRecord"]["errors"] == [{"field": "executedOn", "code": "before_previous"}]
    bad = _create(power.id, decidedOn="2099-01-01", subject="", decision="")
    errors = (await gql_data(client, CREATE, {"input": bad}, token))["createOperationRecord"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("decidedOn", "future"), ("subject", "required"), ("decision", "required"),
    }  # fmt: skip


async def test_only_the_unit_s_staff_keep_its_records(client: httpx.AsyncClient) -> None:
    power = await timely_power()
    other = await token_for(Role.UNIT_STAFF, await make_unit())
    body = await gql_data(client, CREATE, {"input": _create(power.id)}, other)
    assert body["createOperationRecord"]["__typename"] == "PermissionDeniedError"
    body = await gql_data(client, CREATE, {"input": _create(power.id)}, await token_for(Role.INSPECTOR))
    assert body["createOperationRecord"]["__typename"] == "PermissionDeniedError"


async def test_steps_are_timed_in_working_days_and_an_overrun_raises_an_alarm(client: httpx.AsyncClient) -> None:
    power = await timely_power(steps=(("受理", 1), ("审查", 5), ("决定", None)))
    accept, examine, decide = await flow_steps(power)
    token = await _staff_token(power)
    op = await exercise(power, D(2026, 9, 21), subject="审查超时")
    op_id = encode_id("OperationRecord", op.id)

    async def start(flow_step: FlowStep, day: str) -> dict:
        data = {"flowStepId": encode_id("FlowStep", flow_step.id), "startedOn": day, "handler": "赵六"}
        return (await gql_data(client, START, {"op": op_id, "input": data}, token))["startOperationStep"]

    async def finish(step: dict, day: str) -> dict:
        return (await gql_data(client, FINISH, {"id": step["id"], "on": day}, token))["finishOperationStep"]

    done = await finish(await start(accept, "2026-09-21"), "2026-09-22")  # 1 working day: within
    assert (done["workdaysTaken"], done["overdue"], done["dueOn"]) == (1, False, "2026-09-22")
    # 9/28 + 5 working days: 9/29, 9/30, (国庆) 10/8, 10/9, 10/10 (调休) — finished 10/12 is the 6th
    late = await finish(await start(examine, "2026-09-28"), "2026-10-12")
    assert (late["workdaysTaken"], late["overdue"], late["dueOn"]) == (6, True, "2026-10-10")
    running = await start(decide, "2026-10-13")  # no time limit: never an alarm
    assert running["timeLimitDays"] is None and not running["overdue"]

    inspector = await token_for(Role.INSPECTOR)
    alarms = (await gql_data(client, ALARMS, {"unit": encode_id("Unit", power.unit_id), "running": False}, inspector))
    assert [(a["step"]["stepName"], a["running"], a["operation"]["subject"]) for a in alarms["operationAlarms"]] == [
        ("审查", False, "审查超时"),
    ]  # fmt: skip
    assert alarms["operationAlarms"][0]["power"]["code"] == power.code
    finished = await AuditEvent.get(action="operation_step.finish", entity_id=str(_pk(late["id"])))
    assert finished.detail["overdue"] is True and finished.detail["workdays"] == 6


async def test_a_running_step_over_its_limit_is_an_alarm_too(client: httpx.AsyncClient) -> None:
    power = await timely_power(steps=(("现场核查", 3),))
    check, *_ = await flow_steps(power)
    op = await exercise(power, D(2026, 10, 8))
    await operations.start_step(await keeper(power), op.id, check.id, D(2026, 10, 8), "孙七")
    unit = encode_id("Unit", power.unit_id)
    lead = await token_for(Role.UNIT_LEAD, await Unit.get(id=power.unit_id))
    alarms = (await gql_data(client, ALARMS, {"unit": unit, "running": True}, lead))["operationAlarms"]
    assert [(a["step"]["stepName"], a["running"], a["step"]["dueOn"]) for a in alarms] == [("现场核查", True, "2026-10-12")]


async def test_a_step_keeps_the_time_limit_it_started_with(client: httpx.AsyncClient) -> None:
    power = await timely_power(steps=(("审查", 2),))
    examine, *_ = await flow_steps(power)
    op = await exercise(power, D(2026, 11, 2))
    step = await operations.start_step(await keeper(power), op.id, examine.id, D(2026, 11, 2), "周八")

    async def longer(draft: Power) -> None:
        (copy,) = await FlowStep.filter(chart__power_id=draft.id, name="审查")
        await update_flow_step(ADMIN, copy.id, {"time_limit_days": 30})

    await revise(power, longer)  # through a revision, as any change of a published power
    assert (await OperationStep.get(id=step.id)).flow_step_id != examine.id  # now the new chart's 审查
    await operations.finish_step(await keeper(power), step.id, D(2026, 11, 5))
    alarms = await operations.operation_alarms(ADMIN, power.unit_id)
    assert [(a.step.id, a.timing.limit, a.timing.workdays) for a in alarms] == [(step.id, 2, 3)]


async def test_steps_belong_to_the_power_s_chart_and_a_result_closes_them(client: httpx.AsyncClient) -> None:
    power = await timely_power(steps=(("受理", 1),))
    accept, *_ = await flow_steps(power)
    stranger = (await flow_steps(await timely_power(steps=(("别的环节", 1),))))[0]
    token = await _staff_token(power)
    op = await exercise(power, D(2026, 9, 21))
    op_id = encode_id("OperationRecord", op.id)
    data = {"flowStepId": encode_id("FlowStep", stranger.id), "startedOn": "2026-09-21", "handler": "赵六"}
    body = (await gql_data(client, START, {"op": op_id, "input": data}, token))["startOperationStep"]
    assert body["errors"] == [{"field": "flowStepId", "code": "not_found"}]
    step = await operations.start_step(await keeper(power), op.id, accept.id, D(2026, 9, 21), "赵六")
    await operations.advance_operation(await keeper(power), op.id, OperationStage.EXECUTION, "核查", D(2026, 9, 22))
    result = {"to": "RESULT", "text": "准予许可", "on": "2026-09-23"}
    body = (await gql_data(client, ADVANCE, {"id": op_id, "input": result}, token))["advanceOperationRecord"]
    assert body["errors"] == [{"field": "steps", "code": "open_steps"}]
    await operations.finish_step(await keeper(power), step.id, D(2026, 9, 22))
    twice = await gql_data(client, FINISH, {"id": encode_id("OperationStep", step.id), "on": "2026-09-22"}, token)
    assert twice["finishOperationStep"] == {"__typename": "IllegalTransitionError", "action": "finish_step", "currentStatus": "FINISHED"}


async def test_records_not_disclosed_to_the_public_never_reach_it(client: httpx.AsyncClient) -> None:
    power = await timely_power(steps=(("受理", 1),))
    accept, *_ = await flow_steps(power)
    public_op = await exercise(power, D(2026, 9, 21), subject="公开的")
    internal = await exercise(power, D(2026, 9, 21), subject="内部的", scope=DisclosureScope.INTERNAL)
    step = await operations.start_step(await keeper(power), internal.id, accept.id, D(2026, 9, 21), "赵六")
    records = (await gql_data(client, POWER_RECORDS, {"code": power.code}))["power"]["operationRecords"]
    assert [r["id"] for r in records] == [encode_id("OperationRecord", public_op.id)]
    for hidden in (encode_id("OperationRecord", internal.id), encode_id("OperationStep", step.id)):
        assert (await gql_data(client, NODE, {"id": hidden}))["node"] is None
    staff = await _staff_token(power)
    assert (await gql_data(client, NODE, {"id": encode_id("OperationStep", step.id)}, staff))["node"] is not None
    records = (await gql_data(client, POWER_RECORDS, {"code": power.code}, staff))["power"]["operationRecords"]
    assert {r["id"]: [s["stepName"] for s in r["steps"]] for r in records}[encode_id("OperationRecord", internal.id)] == ["受理"]


@pytest.mark.parametrize("role", [None, Role.UNIT_STAFF])
async def test_alarms_are_for_the_unit_and_oversight_only(client: httpx.AsyncClient, role: Role | None) -> None:
    unit = await make_unit()
    token = await token_for(role, await make_unit()) if role else None
    body = await gql(client, ALARMS, {"unit": encode_id("Unit", unit.id), "running": False}, token)
    assert body["errors"][0]["extensions"]["code"] == "forbidden"
