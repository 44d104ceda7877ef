"""FlowChart (一图), its steps and the edges between them."""

from __future__ import annotations

import strawberry

from docgen.chart import chart_from_models
from docgen.svg import render_svg
from domain import models as m
from resolvers.prefetch import now_or_later
from schema.catalogue.unit import Position
from schema.context import Info
from schema.enums import FlowStepKind
from schema.node import Node, of_row
from schema.relay import encode_id


@strawberry.type(description="一图: the flow chart of one power.")
class FlowChart(Node):
    db_id: strawberry.Private[int]
    title: str
    complaint_channel: str = strawberry.field(description="投诉举报途径")
    notes: str

    @classmethod
    def from_model(cls, chart: m.FlowChart) -> FlowChart:
        return of_row(cls, chart, id=encode_id("FlowChart", chart.id), db_id=chart.id)

    @strawberry.field(description="办理环节, in order")
    def steps(self, info: Info) -> list[FlowStep]:
        return now_or_later(info.context.loaders.steps_by_chart_id, self.db_id, lambda ss: [FlowStep.from_model(s) for s in ss])

    @strawberry.field(description="程序与接口: transitions between steps")
    def edges(self, info: Info) -> list[FlowEdge]:
        return now_or_later(info.context.loaders.edges_by_chart_id, self.db_id, lambda es: [FlowEdge.from_model(e) for e in es])

    @strawberry.field(description="the chart as SVG (layered top-down, a DECISION's branches side by side), for portals")
    async def svg(self, info: Info) -> str:
        loaders = info.context.loaders
        steps = await loaders.steps_by_chart_id.load(self.db_id)
        position_ids = sorted({s.position_id for s in steps if s.position_id})
        positions = dict(zip(position_ids, await loaders.position_by_id.load_many(position_ids), strict=True))
        return render_svg(chart_from_models(self, steps, await loaders.edges_by_chart_id.load(self.db_id), positions))


@strawberry.type(description="A step of a flow chart.")
class FlowStep(Node):
    position_id: strawberry.Private[int | None]
    ordinal: int
    name: str
    kind: FlowStepKind
    condition: str = strawberry.field(description="条件")
    time_limit: str = strawberry.field(description="办理时限")
    time_limit_days: int | None = strawberry.field(description="办理时限 (工作日)")
    supervision: str = strawberry.field(description="监督制约环节")
    complaint_channel: str = strawberry.field(description="投诉举报途径")
    disclosure_note: str = strawberry.field(description="公开范围 / 形式 / 时限")

    @classmethod
    def from_model(cls, step: m.FlowStep) -> FlowStep:
        return of_row(cls, step, id=encode_id("FlowStep", step.id))

    @strawberry.field(description="承办岗位")
    def position(self, info: Info) -> Position | None:
        if self.position_id is None:
            return None
        return now_or_later(
            info.context.loaders.position_by_id, self.position_id, lambda p: Position.from_model(p) if p else None
        )


@strawberry.type(description="A transition from one step to another, with its condition.")
class FlowEdge(Node):
    source_id: strawberry.Private[int]
    target_id: strawberry.Private[int]
    label: str = strawberry.field(description="条件 / 分支")

    @classmethod
    def from_model(cls, edge: m.FlowEdge) -> FlowEdge:
        return of_row(cls, edge, id=encode_id("FlowEdge", edge.id))

    @strawberry.field(description="global id of the step it leaves")
    def source_step_id(self) -> strawberry.ID:
        return encode_id("FlowStep", self.source_id)

    @strawberry.field(description="global id of the step it enters")
    def target_step_id(self) -> strawberry.ID:
        return encode_id("FlowStep", self.target_id)
