"""一图: a power's flow chart and its steps (the power's unit staff or an admin)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from tortoise.transactions import in_transaction

from domain.access import Viewer, power_q, unit_subtree_ids
from domain.audit import record
from domain.change_notices import power_changed
from domain.enums import FlowStepKind
from domain.errors import Validator
from domain.models import FlowChart, FlowEdge, FlowStep, Position, Power
from domain.services.common import apply_changes, clean_fields, duplicates_as, not_found, snapshot
from domain.services.ordering import check_position, place, save_order
from domain.services.powers import power_for_edit

CHART_FIELDS = ("title", "complaint_channel", "notes")
STEP_FIELDS = (
    "name",
    "kind",
    "condition",
    "time_limit",
    "time_limit_days",
    "supervision",
    "complaint_channel",
    "disclosure_note",
)


@dataclass
class FlowChartData:
    power_id: int
    title: str = ""
    complaint_channel: str = ""
    notes: str = ""


class FlowChartChanges(TypedDict, total=False):
    title: str
    complaint_channel: str
    notes: str


@dataclass
class FlowStepData:
    chart_id: int
    name: str
    kind: FlowStepKind = FlowStepKind.STEP
    ordinal: int | None = None
    position_id: int | None = None
    condition: str = ""
    time_limit: str = ""
    time_limit_days: int | None = None
    supervision: str = ""
    complaint_channel: str = ""
    disclosure_note: str = ""


class FlowStepChanges(TypedDict, total=False):
    name: str
    kind: FlowStepKind
    ordinal: int
    position_id: int | None
    condition: str
    time_limit: str
    time_limit_days: int | None
    supervision: str
    complaint_channel: str
    disclosure_note: str


CHART_EXISTS = "该职权已有流程图 (the power already has a flow chart)"


async def chart_for_edit(viewer: Viewer, chart_id: int) -> tuple[FlowChart, Power]:
    chart = await FlowChart.filter(power_q(viewer, "power__"), id=chart_id).first()
    if chart is None:
        raise not_found("flow chart", "流程图")
    return chart, await power_for_edit(viewer, chart.power_id)


async def step_for_edit(viewer: Viewer, step_id: int) -> tuple[FlowStep, Power]:
    step = await FlowStep.filter(power_q(viewer, "chart__power__"), id=step_id).first()
    if step is None:
        raise not_found("flow step", "流程环节")
    _chart, power = await chart_for_edit(viewer, step.chart_id)
    return step, power


async def create_flow_chart(viewer: Viewer, data: FlowChartData) -> FlowChart:
    """Give a power its flow chart (one per power); the title defaults to 「<职权名称>流程图」."""
    with duplicates_as("power_id", CHART_EXISTS):
        async with in_transaction():
            power = await power_for_edit(viewer, data.power_id)
            v = Validator()
            values = {k: val for k, val in asdict(data).items() if k != "power_id"}
            cleaned = clean_fields(v, FlowChart, values, allowed=CHART_FIELDS)
            v.check(not await FlowChart.exists(power_id=power.id), "power_id", CHART_EXISTS, "duplicate")
            v.raise_if_any()
            cleaned["title"] = cleaned["title"] or f"{power.name}流程图"[: FlowChart._meta.fields_map["title"].max_length]
            chart = await FlowChart.create(power=power, **cleaned)
            await record(viewer, "flow_chart.create", "flow_chart", chart.id, power_id=power.id, **cleaned)
            await power_changed(viewer, power, "flow_chart.create", chart_id=chart.id)
    return chart


async def update_flow_chart(viewer: Viewer, chart_id: int, changes: FlowChartChanges) -> FlowChart:
    """Change a chart's title, complaint channel (投诉举报途径) or notes."""
    async with in_transaction():
        chart, power = await chart_for_edit(viewer, chart_id)
        v = Validator()
        cleaned = clean_fields(v, FlowChart, dict(changes), allowed=CHART_FIELDS)
        v.raise_if_any()
        diff = apply_changes(chart, cleaned)
        if diff:
            await chart.save()
            await record(viewer, "flow_chart.update", "flow_chart", chart.id, power_id=power.id, changes=diff)
            await power_changed(viewer, power, "flow_chart.update", changes=diff)
    return chart


async def delete_flow_chart(viewer: Viewer, chart_id: int) -> None:
    """Delete a chart with its steps and edges."""
    async with in_transaction():
        chart, power = await chart_for_edit(viewer, chart_id)
        steps = await FlowStep.filter(chart_id=chart.id).count()
        await chart.delete()
        await record(viewer, "flow_chart.delete", "flow_chart", chart_id, power_id=power.id, steps_deleted=steps)
        await power_changed(viewer, power, "flow_chart.delete", chart_id=chart_id)


async def _clean_step(
    v: Validator, power: Power, steps: list[FlowStep], values: dict[str, Any], step: FlowStep | None = None
) -> dict[str, Any]:
    """Step fields, its 承办岗位 (a position of the power's unit or its offices) and its kind."""
    position_given = "position_id" in values
    position_id = values.pop("position_id", None)
    values.pop("ordinal", None)
    cleaned = clean_fields(v, FlowStep, values, allowed=STEP_FIELDS, required=("name", "kind"))
    if position_id is not None:
        position = await Position.get_or_none(id=position_id)
        if position is None:
            v.add("position_id", "岗位不存在 (position not found)", "not_found")
        elif position.unit_id not in await unit_subtree_ids(power.unit_id):
            v.add(
                "position_id",
                "承办岗位须属于本职权的实施单位或其下级科室 (the position must belong to the power's unit or its offices)",
                "other_unit",
            )
    if position_given:
        cleaned["position_id"] = position_id
    kind = cleaned.get("kind")
    if kind == FlowStepKind.START and (step is None or step.kind != FlowStepKind.START):
        others = [s for s in steps if s.kind == FlowStepKind.START and (step is None or s.id != step.id)]
        v.check(not others, "kind", "流程图只能有一个开始环节 (a chart has one START step)", "duplicate")
        if step is not None:
            v.check(
                not await FlowEdge.exists(target_id=step.id),
                "kind", "开始环节不能有来路 (a START step has no incoming edges)", "invalid_edge",
            )
    if kind == FlowStepKind.END and step is not None and step.kind != FlowStepKind.END:
        v.check(
            not await FlowEdge.exists(source_id=step.id),
            "kind", "结束环节不能有去路 (an END step has no outgoing edges)", "invalid_edge",
        )
    return cleaned


async def create_flow_step(viewer: Viewer, data: FlowStepData) -> FlowStep:
    """Add a step to a chart, at `ordinal` or at the end."""
    async with in_transaction():
        chart, power = await chart_for_edit(viewer, data.chart_id)
        steps = list(await FlowStep.filter(chart_id=chart.id))
        v = Validator()
        cleaned = await _clean_step(v, power, steps, {k: val for k, val in asdict(data).items() if k != "chart_id"})
        check_position(v, data.ordinal, len(steps))
        v.raise_if_any()
        step = await FlowStep.create(chart=chart, ordinal=len(steps) + 1, **cleaned)
        await save_order(place(steps, step, data.ordinal or len(steps) + 1))
        await record(
            viewer, "flow_step.create", "flow_step", step.id,
            chart_id=chart.id, power_id=power.id, **snapshot(step, (*STEP_FIELDS, "ordinal", "position_id")),
        )
        await power_changed(viewer, power, "flow_step.create", step_id=step.id, name=step.name)
    return step


async def update_flow_step(viewer: Viewer, step_id: int, changes: FlowStepChanges) -> FlowStep:
    """Change a step's fields, its 承办岗位 or its place in the chart."""
    async with in_transaction():
        step, power = await step_for_edit(viewer, step_id)
        steps = list(await FlowStep.filter(chart_id=step.chart_id))
        step = next(s for s in steps if s.id == step.id)
        v = Validator()
        cleaned = await _clean_step(v, power, steps, dict(changes), step)
        check_position(v, changes.get("ordinal"), len(steps) - 1)
        v.raise_if_any()
        diff = apply_changes(step, cleaned)
        if diff:
            await step.save()
        old_ordinal = step.ordinal
        await save_order(place(steps, step, changes.get("ordinal") or steps.index(step) + 1))
        if step.ordinal != old_ordinal:
            diff["ordinal"] = [old_ordinal, step.ordinal]
        if diff:
            await record(viewer, "flow_step.update", "flow_step", step.id, power_id=power.id, changes=diff)
            await power_changed(viewer, power, "flow_step.update", step_id=step.id, changes=diff)
    return step


async def delete_flow_step(viewer: Viewer, step_id: int) -> None:
    """Delete a step with the edges that join it; the other steps close ranks."""
    async with in_transaction():
        step, power = await step_for_edit(viewer, step_id)
        edges = await FlowEdge.filter(source_id=step.id).count() + await FlowEdge.filter(target_id=step.id).count()
        await step.delete()
        await save_order(list(await FlowStep.filter(chart_id=step.chart_id)))
        await record(
            viewer, "flow_step.delete", "flow_step", step_id,
            chart_id=step.chart_id, power_id=power.id, name=step.name, edges_deleted=edges,
        )
        await power_changed(viewer, power, "flow_step.delete", step_id=step_id, name=step.name)
