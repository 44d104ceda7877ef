"""Who handles what (domain/workload.py): `Position.workload` — the powers and chart steps a post holds, its
steps under way and open alarms — and `Unit.workload`, the same rolled up over the unit and its offices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import workload as rules
from domain.models import Power as PowerRow
from schema.catalogue.flow import FlowStep
from schema.catalogue.unit import Position, Unit
from schema.context import Info
from schema.oversight.alarms import AlarmTally, tally
from schema.oversight.supervision import OperationStep

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


def _powers(rows: list[PowerRow]) -> list[Power]:
    from schema.catalogue.power import Power

    return [Power.from_model(p) for p in rows]


@strawberry.type(description="A chart step a post holds (承办环节), with its power.")
class HeldStep:
    step: FlowStep
    power_row: strawberry.Private[PowerRow]

    @strawberry.field
    def power(self) -> LazyPower:
        return _powers([self.power_row])[0]


@strawberry.type(description="岗位的承办情况: the powers in 公开运行 whose chart steps the post holds, those steps, its "
                 "steps under way and its open alarms, as the caller may see them.")  # fmt: skip
class PostWorkload:
    position: Position
    workload: strawberry.Private[rules.PostWorkload]
    alarms: AlarmTally = strawberry.field(description="open alarms of the steps it holds (none for the public)")

    @classmethod
    def of(cls, w: rules.PostWorkload) -> PostWorkload:
        return cls(position=Position.from_model(w.position), workload=w, alarms=tally(w.alarms))

    @strawberry.field(description="the powers it can exercise: PUBLISHED powers with a chart step it holds, by code")
    def powers(self) -> list[LazyPower]:
        return _powers(self.workload.powers)

    @strawberry.field(description="the chart steps it holds, by power code and step order")
    def steps(self) -> list[HeldStep]:
        return [HeldStep(step=FlowStep.from_model(s), power_row=s.chart.power) for s in self.workload.steps]

    @strawberry.field(description="steps under way (办理中) of the steps it holds, oldest first")
    async def open_steps(self, info: Info) -> list[OperationStep]:
        calendar = await info.context.calendar()
        return [
            OperationStep.from_model(s, calendar, s.operation.applicant, s.operation.power.unit_id) for s in self.workload.open_steps
        ]

    @strawberry.field
    def open_step_count(self) -> int:
        return len(self.workload.open_steps)


@strawberry.type(description="A unit's 承办情况 rolled up over its posts and its offices' posts.")
class UnitWorkload:
    workload: strawberry.Private[rules.UnitWorkload]
    unit: Unit
    alarms: AlarmTally = strawberry.field(description="open alarms of its and its offices' exercises (steps and cases)")
    posts: list[PostWorkload] = strawberry.field(description="each post of the unit and its offices")

    @strawberry.field(description="the powers its posts can exercise, by code")
    def powers(self) -> list[LazyPower]:
        return _powers(sorted(self.workload.powers, key=lambda p: p.code))

    @strawberry.field(description="chart steps held by its posts")
    def step_count(self) -> int:
        return self.workload.steps

    @strawberry.field(description="steps under way at its posts")
    def open_step_count(self) -> int:
        return self.workload.open_steps


async def position_workload(info: Info, position_id: int) -> PostWorkload:
    found = await info.context.loaders.workload_by_position_id.load(position_id)
    assert found is not None  # the position was just read
    return PostWorkload.of(found)


async def unit_workload(info: Info, unit: Unit) -> UnitWorkload:
    w = await rules.unit_workload(info.context.viewer, unit.db_id)
    return UnitWorkload(workload=w, unit=unit, alarms=tally(w.alarms), posts=[PostWorkload.of(p) for p in w.posts])
