"""附7 权力动态运行情况登记: an exercise of a PUBLISHED power through DECISION → EXECUTION → RESULT,
kept by the unit's staff, with per-step timing against the power's flow chart (电子监察).

Each step of the flow chart an exercise goes through is an OperationStep, which copies the step's
name and 办理时限 (working days) when it starts: a later edit of the chart does not change the alarms
of exercises already under way. A step raises an alarm when the working days it has taken — up to
its finish, or up to today while it runs — exceed that limit.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import DisclosureScope, Network, OperationStage, PowerStatus
from domain.errors import FieldError, IllegalTransition, NotFound, ValidationFailed, Validator
from domain.models import FlowStep, OperationRecord, Power
from domain.services.common import clean_fields, snapshot, visible_power
from domain.workdays import DueDate, WorkCalendar, today
from domain.workflow_models import OperationStep

#: The stage each stage leads to (附7: 决策 → 执行 → 结果).
NEXT_STAGE: dict[OperationStage, OperationStage] = {
    OperationStage.DECISION: OperationStage.EXECUTION,
    OperationStage.EXECUTION: OperationStage.RESULT,
}
#: For each stage: the record's text and date fields it fills.
STAGE_FIELDS: dict[OperationStage, tuple[str, str]] = {
    OperationStage.DECISION: ("decision", "decided_on"),
    OperationStage.EXECUTION: ("execution", "executed_on"),
    OperationStage.RESULT: ("result", "finished_on"),
}
STAGE_LABELS = {OperationStage.DECISION: "决策情况", OperationStage.EXECUTION: "执行情况", OperationStage.RESULT: "办理结果"}
TEXT_LIMIT = 4000


def check_not_future(v: Validator, name: str, day: datetime.date | None, on: datetime.date) -> None:
    """A record says what happened: its dates cannot be after today (in the county)."""
    if isinstance(day, datetime.date) and day > on:
        v.add(name, f"日期不能晚于今天 {on.isoformat()} ({name} cannot be in the future)", "future")


def check_text(v: Validator, name: str, label: str, value: str, *, required: bool = True, limit: int = TEXT_LIMIT) -> str:
    """A free text, stripped: required (or not) and at most `limit` characters."""
    text = (value or "").strip()
    v.check(bool(text) or not required, name, f"{label}不能为空 ({name} is required)", "required")
    v.check(len(text) <= limit, name, f"{label}不能超过 {limit} 个字符 ({name} is too long)", "too_long")
    return text


@dataclass
class OperationData:
    power_id: int
    network: Network | None  # 七大网络, if the exercise runs in one
    subject: str
    handler: str
    decision: str
    decided_on: datetime.date
    applicant: str = ""
    scope: DisclosureScope | None = None  # the power's 公开范围 when not given


async def _visible_operation(viewer: access.Viewer, operation_id: int) -> OperationRecord:
    op = await OperationRecord.filter(access.record_q(viewer), id=operation_id).select_related("power").first()
    if op is None:
        raise NotFound("权力运行记录不存在或无权查看 (operation record not found)")
    return op


def require_exercisable(power: Power) -> None:
    """Only a power in 公开运行 is exercised and disclosed through the system."""
    if power.status != PowerStatus.PUBLISHED:
        raise IllegalTransition(
            f"职权处于「{power.status.label}」状态，尚未公开运行 (the power is {power.status.value}, not PUBLISHED)",
            "exercise",
            power.status.value,
        )


async def create_operation(viewer: access.Viewer, data: OperationData, on: datetime.date | None = None) -> OperationRecord:
    """登记一次权力行使: its decision (决策) with the handler and date; the record starts at DECISION."""
    on = on or today()
    async with in_transaction():
        power = await visible_power(viewer, data.power_id)
        access.require_record_keeper(viewer, power.unit_id)
        v = Validator()
        values = {
            "network": data.network, "subject": data.subject, "applicant": data.applicant,
            "scope": data.scope or power.disclosure_scope, "handler": data.handler, "decided_on": data.decided_on,
        }  # fmt: skip
        cleaned = clean_fields(v, OperationRecord, values, allowed=values, required=("subject", "handler"))
        cleaned["decision"] = check_text(v, "decision", "决策情况", data.decision)
        check_not_future(v, "decided_on", data.decided_on, on)
        access.check_record_scope(v, viewer, cleaned.get("scope"))
        v.raise_if_any()
        require_exercisable(power)
        op = await OperationRecord.create(power_id=power.id, stage=OperationStage.DECISION, **cleaned)
        op.power = power
        await record(viewer, "operation.create", "operation_record", op.id, power_id=power.id,
                     **snapshot(op, ("network", "subject", "scope", "handler", "decided_on")))  # fmt: skip
    return op


async def advance_operation(
    viewer: access.Viewer,
    operation_id: int,
    to: OperationStage,
    text: str,
    day: datetime.date,
    handler: str = "",
    on: datetime.date | None = None,
) -> OperationRecord:
    """执行 after 决策, 结果 after 执行: one stage at a time, each with its text, date and handler."""
    on = on or today()
    async with in_transaction():
        op = await _visible_operation(viewer, operation_id)
        access.require_record_keeper(viewer, op.power.unit_id)
        if NEXT_STAGE.get(op.stage) != to:
            raise IllegalTransition(
                f"运行记录处于「{op.stage.label}」环节，不能登记「{to.label}」 "
                f"(cannot record {to.value} on an operation at {op.stage.value})",
                "advance",
                op.stage.value,
            )
        text_field, date_field = STAGE_FIELDS[to]
        previous = getattr(op, STAGE_FIELDS[op.stage][1])
        v = Validator()
        cleaned_text = check_text(v, text_field, STAGE_LABELS[to], text)
        cleaned_handler = (handler or "").strip() or op.handler
        v.check(len(cleaned_handler) <= 100, "handler", "经办人不能超过 100 个字符 (handler is too long)", "too_long")
        check_not_future(v, date_field, day, on)
        if previous is not None and day < previous:
            v.add(date_field, f"日期不能早于上一环节的日期 {previous.isoformat()} (before the previous stage)", "before_previous")
        if to == OperationStage.RESULT:
            running = await OperationStep.filter(operation_id=op.id, finished_on__isnull=True).values_list("step_name", flat=True)
            v.check(not running, "steps", "尚有未办结的环节：" + "、".join(running) + " (steps still running)", "open_steps")
        v.raise_if_any()
        old = op.stage
        changes = {"stage": to, text_field: cleaned_text, date_field: day, "handler": cleaned_handler}
        if not await OperationRecord.filter(id=op.id, stage=old).update(**changes, updated_at=now()):
            raise IllegalTransition("运行记录已被他人更新 (the record changed meanwhile)", "advance", old.value)
        for name, value in changes.items():
            setattr(op, name, value)
        await record(viewer, "operation.advance", "operation_record", op.id, power_id=op.power_id,
                     from_stage=old.value, to_stage=to.value, on=day.isoformat(), handler=cleaned_handler)  # fmt: skip
    return op


async def _visible_step(viewer: access.Viewer, step_id: int) -> OperationStep:
    step = (
        await OperationStep.filter(access.record_q(viewer, "operation__"), id=step_id)
        .select_related("operation__power")
        .first()
    )
    if step is None:
        raise NotFound("办理环节记录不存在或无权查看 (operation step not found)")
    return step


async def start_step(
    viewer: access.Viewer,
    operation_id: int,
    flow_step_id: int,
    started_on: datetime.date,
    handler: str,
    note: str = "",
    on: datetime.date | None = None,
) -> OperationStep:
    """An exercise enters a step of its power's flow chart; the step's 办理时限 starts to run."""
    on = on or today()
    async with in_transaction():
        op = await _visible_operation(viewer, operation_id)
        access.require_record_keeper(viewer, op.power.unit_id)
        flow_step = await FlowStep.filter(id=flow_step_id, chart__power_id=op.power_id).first()
        if flow_step is None:
            raise ValidationFailed([FieldError("flow_step_id", "不是该职权流程图中的环节 (not a step of this power's flow chart)", "not_found")])
        v = Validator()
        handler = (handler or "").strip()
        v.check(bool(handler), "handler", "经办人不能为空 (handler is required)", "required")
        v.check(len(handler) <= 100, "handler", "经办人不能超过 100 个字符 (handler is too long)", "too_long")
        note = check_text(v, "note", "备注", note, required=False)
        check_not_future(v, "started_on", started_on, on)
        running = await OperationStep.exists(operation_id=op.id, flow_step_id=flow_step.id, finished_on__isnull=True)
        v.check(not running, "flow_step_id", f"环节「{flow_step.name}」正在办理 (this step is already running)", "duplicate")
        v.raise_if_any()
        if op.stage == OperationStage.RESULT:
            raise IllegalTransition("运行记录已办结 (the operation is finished)", "start_step", op.stage.value)
        step = await OperationStep.create(
            operation_id=op.id, flow_step_id=flow_step.id, step_name=flow_step.name,
            time_limit_days=flow_step.time_limit_days, handler=handler, started_on=started_on, note=note,
        )  # fmt: skip
        step.operation = op
        await record(viewer, "operation_step.start", "operation_step", step.id, operation_id=op.id,
                     flow_step_id=flow_step.id, step=flow_step.name, started_on=started_on.isoformat(),
                     time_limit_days=flow_step.time_limit_days, handler=handler)  # fmt: skip
    return step


async def finish_step(
    viewer: access.Viewer, step_id: int, finished_on: datetime.date, note: str = "", on: datetime.date | None = None
) -> OperationStep:
    """A running step is done; the audit trail notes whether it kept its time limit."""
    on = on or today()
    async with in_transaction():
        step = await _visible_step(viewer, step_id)
        access.require_record_keeper(viewer, step.operation.power.unit_id)
        if step.finished_on is not None:
            raise IllegalTransition("该环节已办结 (the step is already finished)", "finish_step", "FINISHED")
        v = Validator()
        note = check_text(v, "note", "备注", note, required=False)
        check_not_future(v, "finished_on", finished_on, on)
        if finished_on < step.started_on:
            v.add("finished_on", f"办结日期不能早于开始日期 {step.started_on.isoformat()} (before the start)", "before_start")
        v.raise_if_any()
        if not await OperationStep.filter(id=step.id, finished_on__isnull=True).update(
            finished_on=finished_on, note=note or step.note, updated_at=now()
        ):
            raise IllegalTransition("该环节已办结 (the step is already finished)", "finish_step", "FINISHED")
        step.finished_on, step.note = finished_on, note or step.note
        timing = step_timing(await WorkCalendar.load(), step, on)
        await record(viewer, "operation_step.finish", "operation_step", step.id, operation_id=step.operation_id,
                     finished_on=finished_on.isoformat(), workdays=timing.workdays,
                     time_limit_days=step.time_limit_days, overdue=timing.overdue)  # fmt: skip
    return step


# -- 电子监察 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepTiming:
    workdays: int  # working days taken so far: to the finish, or to today while it runs
    limit: int | None = None  # 办理时限 in working days, as the step started with
    due: DueDate | None = None  # the last working day within the limit

    @property
    def overdue(self) -> bool:
        return self.limit is not None and self.workdays > self.limit


def due_day(calendar: WorkCalendar, start: datetime.date, limit_days: int) -> DueDate | None:
    """The due day of a step or a case (电子监察's one rule): the `limit_days`-th working day after `start`,
    the day it started not counted. None past 9999-12-31 (a limit no client can set)."""
    return calendar.add_workdays(start, limit_days)


def step_timing(calendar: WorkCalendar, step: OperationStep, on: datetime.date) -> StepTiming:
    """How long a step has taken in working days, against the time limit it started with."""
    taken = calendar.workdays_between(step.started_on, step.finished_on or on)
    if step.time_limit_days is None:
        return StepTiming(taken)
    return StepTiming(taken, step.time_limit_days, due_day(calendar, step.started_on, step.time_limit_days))


@dataclass(frozen=True)
class StepAlarm:
    step: OperationStep
    timing: StepTiming
    running: bool


async def operation_alarms(
    viewer: access.Viewer, unit_id: int, on: datetime.date | None = None, running_only: bool = False
) -> list[StepAlarm]:
    """电子监察: the steps of a unit's (and its offices') exercises that outlast their time limit."""
    on = on or today()
    access.require_unit_oversight(viewer, unit_id)
    units = sorted(await access.unit_subtree_ids(unit_id))
    steps = OperationStep.filter(  # a LEADERSHIP exercise's alarms reach the unit's leads, not its staff
        access.record_q(viewer, "operation__"), operation__power__unit_id__in=units, time_limit_days__isnull=False
    )
    if running_only:
        steps = steps.filter(finished_on__isnull=True)
    # a step over its limit has taken more calendar days than the limit's working days
    candidates = await steps.select_related("operation__power").order_by("started_on", "id")
    calendar = await WorkCalendar.load()
    alarms = []
    for step in candidates:
        if ((step.finished_on or on) - step.started_on).days <= (step.time_limit_days or 0):
            continue
        timing = step_timing(calendar, step, on)
        if timing.overdue:
            alarms.append(StepAlarm(step, timing, step.finished_on is None))
    return alarms
