"""程序与接口: the transitions between the steps of one flow chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from tortoise.transactions import in_transaction

from domain.access import Viewer, power_q
from domain.audit import record
from domain.change_notices import power_changed
from domain.enums import FlowStepKind
from domain.errors import Validator
from domain.models import FlowEdge, FlowStep, Power
from domain.services.common import apply_changes, clean_fields, not_found
from domain.services.flow import step_for_edit


@dataclass
class FlowEdgeData:
    source_step_id: int
    target_step_id: int
    label: str = ""


class FlowEdgeChanges(TypedDict, total=False):
    source_step_id: int
    target_step_id: int
    label: str


async def edge_for_edit(viewer: Viewer, edge_id: int) -> tuple[FlowEdge, Power]:
    edge = await FlowEdge.filter(power_q(viewer, "chart__power__"), id=edge_id).first()
    if edge is None:
        raise not_found("flow edge", "流程连线")
    _step, power = await step_for_edit(viewer, edge.source_id)
    return edge, power


async def _check_ends(
    v: Validator, viewer: Viewer, chart_id: int, source_id: int, target_id: int, edge: FlowEdge | None = None
) -> None:
    """Both ends are steps of the chart; no loop on one step, no edge into START or out of END, no twin edge."""
    ends: dict[str, FlowStep | None] = {}
    for field, step_id in (("source_step_id", source_id), ("target_step_id", target_id)):
        step = await FlowStep.filter(power_q(viewer, "chart__power__"), id=step_id).first()
        ends[field] = step
        if step is None:
            v.add(field, "流程环节不存在 (flow step not found)", "not_found")
        elif step.chart_id != chart_id:
            v.add(field, "连线两端须是同一流程图的环节 (both ends must be steps of the same chart)", "other_chart")
    source, target = ends["source_step_id"], ends["target_step_id"]
    v.check(source_id != target_id, "target_step_id", "连线不能指向自身 (an edge cannot loop on one step)", "self_loop")
    if source is not None:
        v.check(source.kind != FlowStepKind.END, "source_step_id", "结束环节不能有去路 (no edge leaves an END step)", "invalid_edge")
    if target is not None:
        v.check(target.kind != FlowStepKind.START, "target_step_id", "开始环节不能有来路 (no edge enters a START step)", "invalid_edge")
    twin = FlowEdge.filter(source_id=source_id, target_id=target_id)
    if edge is not None:
        twin = twin.exclude(id=edge.id)
    v.check(not await twin.exists(), "target_step_id", "这两个环节之间已有连线 (these steps are already joined)", "duplicate")


async def create_flow_edge(viewer: Viewer, data: FlowEdgeData) -> FlowEdge:
    """Join two steps of one chart, from `source` to `target`."""
    async with in_transaction():
        source, power = await step_for_edit(viewer, data.source_step_id)
        v = Validator()
        cleaned = clean_fields(v, FlowEdge, {"label": data.label}, allowed=("label",))
        await _check_ends(v, viewer, source.chart_id, data.source_step_id, data.target_step_id)
        v.raise_if_any()
        edge = await FlowEdge.create(
            chart_id=source.chart_id, source_id=data.source_step_id, target_id=data.target_step_id, **cleaned
        )
        await record(
            viewer, "flow_edge.create", "flow_edge", edge.id,
            power_id=power.id, source_id=edge.source_id, target_id=edge.target_id, label=edge.label,
        )
        await power_changed(viewer, power, "flow_edge.create", edge_id=edge.id)
    return edge


async def update_flow_edge(viewer: Viewer, edge_id: int, changes: FlowEdgeChanges) -> FlowEdge:
    """Change an edge's label or its ends (within the same chart)."""
    async with in_transaction():
        edge, power = await edge_for_edit(viewer, edge_id)
        v = Validator()
        cleaned = clean_fields(v, FlowEdge, {k: changes[k] for k in ("label",) if k in changes}, allowed=("label",))
        source_id = changes.get("source_step_id", edge.source_id)
        target_id = changes.get("target_step_id", edge.target_id)
        if (source_id, target_id) != (edge.source_id, edge.target_id):
            await _check_ends(v, viewer, edge.chart_id, source_id, target_id, edge)
            cleaned.update(source_id=source_id, target_id=target_id)
        v.raise_if_any()
        diff = apply_changes(edge, cleaned)
        if diff:
            await edge.save()
            await record(viewer, "flow_edge.update", "flow_edge", edge.id, power_id=power.id, changes=diff)
            await power_changed(viewer, power, "flow_edge.update", edge_id=edge.id, changes=diff)
    return edge


async def delete_flow_edge(viewer: Viewer, edge_id: int) -> None:
    """Remove a transition."""
    async with in_transaction():
        edge, power = await edge_for_edit(viewer, edge_id)
        await edge.delete()
        await record(
            viewer, "flow_edge.delete", "flow_edge", edge_id,
            power_id=power.id, source_id=edge.source_id, target_id=edge.target_id,
        )
        await power_changed(viewer, power, "flow_edge.delete", edge_id=edge_id)
