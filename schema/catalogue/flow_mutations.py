"""一图: create, update and delete flow charts, their steps and the edges between steps."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services import flow, flow_edges
from schema.catalogue.flow import FlowChart, FlowEdge, FlowStep
from schema.context import Info
from schema.enums import FlowStepKind
from schema.mutation_base import Deleted, as_data, failure, given, optional_pk, pk, result

CreateFlowChartResult = result("CreateFlowChartResult", FlowChart)
UpdateFlowChartResult = result("UpdateFlowChartResult", FlowChart)
DeleteFlowChartResult = result("DeleteFlowChartResult", Deleted)
CreateFlowStepResult = result("CreateFlowStepResult", FlowStep)
UpdateFlowStepResult = result("UpdateFlowStepResult", FlowStep)
DeleteFlowStepResult = result("DeleteFlowStepResult", Deleted)
CreateFlowEdgeResult = result("CreateFlowEdgeResult", FlowEdge)
UpdateFlowEdgeResult = result("UpdateFlowEdgeResult", FlowEdge)
DeleteFlowEdgeResult = result("DeleteFlowEdgeResult", Deleted)


@strawberry.input(description="The flow chart of a power (one per power).")
class CreateFlowChartInput:
    power_id: strawberry.ID
    title: str = strawberry.field(default="", description="defaults to 「<职权名称>流程图」")
    complaint_channel: str = strawberry.field(default="", description="投诉举报途径")
    notes: str = ""


@strawberry.input(description="Changes to a flow chart; fields left out stay as they are.")
class UpdateFlowChartInput:
    title: str | None = strawberry.UNSET
    complaint_channel: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input(description="A step of a chart; its 承办岗位 is a position of the power's unit or its offices.")
class CreateFlowStepInput:
    chart_id: strawberry.ID
    name: str
    kind: FlowStepKind = FlowStepKind.STEP
    ordinal: int | None = strawberry.field(default=None, description="1-based place; left out, the step goes last")
    position_id: strawberry.ID | None = strawberry.field(default=None, description="承办岗位")
    condition: str = strawberry.field(default="", description="条件")
    time_limit: str = strawberry.field(default="", description="办理时限")
    time_limit_days: int | None = strawberry.field(default=None, description="办理时限 (工作日), 0 to 1000")
    supervision: str = strawberry.field(default="", description="监督制约环节")
    complaint_channel: str = strawberry.field(default="", description="投诉举报途径")
    disclosure_note: str = strawberry.field(default="", description="公开范围 / 形式 / 时限")


@strawberry.input(description="Changes to a step; fields left out stay as they are, `positionId: null` clears it.")
class UpdateFlowStepInput:
    name: str | None = strawberry.UNSET
    kind: FlowStepKind | None = strawberry.UNSET
    ordinal: int | None = strawberry.UNSET
    position_id: strawberry.ID | None = strawberry.UNSET
    condition: str | None = strawberry.UNSET
    time_limit: str | None = strawberry.UNSET
    time_limit_days: int | None = strawberry.UNSET
    supervision: str | None = strawberry.UNSET
    complaint_channel: str | None = strawberry.UNSET
    disclosure_note: str | None = strawberry.UNSET


@strawberry.input(description="程序与接口: a transition between two steps of one chart.")
class CreateFlowEdgeInput:
    source_step_id: strawberry.ID
    target_step_id: strawberry.ID
    label: str = strawberry.field(default="", description="条件 / 分支")


@strawberry.input(description="Changes to an edge; its ends stay within the same chart.")
class UpdateFlowEdgeInput:
    source_step_id: strawberry.ID | None = strawberry.UNSET
    target_step_id: strawberry.ID | None = strawberry.UNSET
    label: str | None = strawberry.UNSET


STEP_IDS = {"position_id": "Position"}
EDGE_IDS = {"source_step_id": "FlowStep", "target_step_id": "FlowStep"}


@strawberry.type
class FlowMutations:
    @strawberry.mutation(description="Give a power its flow chart.")
    async def create_flow_chart(self, info: Info, input: CreateFlowChartInput) -> CreateFlowChartResult:
        try:
            data = flow.FlowChartData(**as_data(input, power_id=pk(input.power_id, "Power", "powerId")))
            chart = await flow.create_flow_chart(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return FlowChart.from_model(chart)

    @strawberry.mutation(description="Change a chart's title, complaint channel or notes.")
    async def update_flow_chart(self, info: Info, id: strawberry.ID, input: UpdateFlowChartInput) -> UpdateFlowChartResult:
        try:
            chart = await flow.update_flow_chart(info.context.viewer, pk(id, "FlowChart"), given(input))  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return FlowChart.from_model(chart)

    @strawberry.mutation(description="Delete a chart with its steps and edges.")
    async def delete_flow_chart(self, info: Info, id: strawberry.ID) -> DeleteFlowChartResult:
        try:
            chart_id = pk(id, "FlowChart")
            await flow.delete_flow_chart(info.context.viewer, chart_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("FlowChart", chart_id)

    @strawberry.mutation(description="Add a step to a chart.")
    async def create_flow_step(self, info: Info, input: CreateFlowStepInput) -> CreateFlowStepResult:
        try:
            ids = {
                "chart_id": pk(input.chart_id, "FlowChart", "chartId"),
                "position_id": optional_pk(input.position_id, "Position", "positionId"),
            }
            step = await flow.create_flow_step(info.context.viewer, flow.FlowStepData(**as_data(input, **ids)))
        except DomainError as exc:
            return failure(exc)
        return FlowStep.from_model(step)

    @strawberry.mutation(description="Change a step, its 承办岗位 or its place.")
    async def update_flow_step(self, info: Info, id: strawberry.ID, input: UpdateFlowStepInput) -> UpdateFlowStepResult:
        try:
            changes = given(input, ids=STEP_IDS)
            step = await flow.update_flow_step(info.context.viewer, pk(id, "FlowStep"), changes)  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return FlowStep.from_model(step)

    @strawberry.mutation(description="Delete a step with its edges; the others close ranks.")
    async def delete_flow_step(self, info: Info, id: strawberry.ID) -> DeleteFlowStepResult:
        try:
            step_id = pk(id, "FlowStep")
            await flow.delete_flow_step(info.context.viewer, step_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("FlowStep", step_id)

    @strawberry.mutation(description="Join two steps of one chart.")
    async def create_flow_edge(self, info: Info, input: CreateFlowEdgeInput) -> CreateFlowEdgeResult:
        try:
            data = flow_edges.FlowEdgeData(
                source_step_id=pk(input.source_step_id, "FlowStep", "sourceStepId"),
                target_step_id=pk(input.target_step_id, "FlowStep", "targetStepId"),
                label=input.label,
            )
            edge = await flow_edges.create_flow_edge(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return FlowEdge.from_model(edge)

    @strawberry.mutation(description="Change an edge's label or ends.")
    async def update_flow_edge(self, info: Info, id: strawberry.ID, input: UpdateFlowEdgeInput) -> UpdateFlowEdgeResult:
        try:
            changes = given(input, ids=EDGE_IDS)
            edge = await flow_edges.update_flow_edge(info.context.viewer, pk(id, "FlowEdge"), changes)  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return FlowEdge.from_model(edge)

    @strawberry.mutation(description="Remove a transition.")
    async def delete_flow_edge(self, info: Info, id: strawberry.ID) -> DeleteFlowEdgeResult:
        try:
            edge_id = pk(id, "FlowEdge")
            await flow_edges.delete_flow_edge(info.context.viewer, edge_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("FlowEdge", edge_id)
