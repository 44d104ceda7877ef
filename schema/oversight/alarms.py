"""电子监察's alarms (domain/alarms.py): the `alarms` list for the unit and 监察局 (INSPECTOR), with filters,
and `alarmCounts` for the dashboard, per unit and per post. Never public: the public and other units'
staff get empty answers (access.alarm_q)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import alarms as rules
from domain.alarm_models import Alarm as AlarmRow
from domain.enums import AlarmLevel as AlarmLevelEnum
from resolvers.pagination import paginate
from schema.catalogue.unit import Position, Unit
from schema.context import Info
from schema.enums import AlarmKind, AlarmLevel
from schema.node import Node, of_row, page_args, to_connection
from schema.oversight.records import OperationRecord
from schema.oversight.supervision import OperationStep
from schema.oversight.supervision import _unit as unit_of
from schema.relay import Connection, decode_id, encode_id
from schema.workflow.reviews import load_power

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


@strawberry.type(description="电子监察: a step (its 办理时限) or a whole case (the power's 承诺时限) that reached its due day "
                 "(YELLOW) or went past it (RED); raised by the server, cleared once the step or case is done.")  # fmt: skip
class Alarm(Node):
    db_id: strawberry.Private[int]
    operation_id: strawberry.Private[int]
    step_id: strawberry.Private[int | None]
    unit_id: strawberry.Private[int]
    position_id: strawberry.Private[int | None]
    kind: AlarmKind
    level: AlarmLevel
    limit_days: int = strawberry.field(description="the time limit in working days")
    due_on: date = strawberry.field(description="the last working day within the limit")
    raised_at: datetime
    raised_on: date = strawberry.field(description="the county's day it was raised")
    escalated_at: datetime | None = strawberry.field(description="when it turned from YELLOW to RED")
    cleared_at: datetime | None = strawberry.field(description="when the step or case was seen done")
    cleared_on: date | None = strawberry.field(description="the day the step or case was done")

    @classmethod
    def from_model(cls, a: AlarmRow) -> Alarm:
        return of_row(cls, a, id=encode_id("Alarm", a.id), db_id=a.id)

    @strawberry.field(description="not cleared yet")
    def open(self) -> bool:
        return self.cleared_at is None

    @strawberry.field(description="the exercise (case) the alarm is about")
    async def operation(self, info: Info) -> OperationRecord | None:
        op = await info.context.loaders.operation_record_by_id.load(self.operation_id)
        return OperationRecord.from_model(op, op.power.unit_id) if op else None

    @strawberry.field(description="the step it times (null for a case's alarm)")
    async def step(self, info: Info) -> OperationStep | None:
        if self.step_id is None:
            return None
        loaders = info.context.loaders
        op = await loaders.operation_record_by_id.load(self.operation_id)
        steps = await loaders.steps_by_operation_id.load(self.operation_id)  # a page's alarms in one statement
        step = next((s for s in steps if s.id == self.step_id), None)
        if op is None or step is None:
            return None
        return OperationStep.from_model(step, await info.context.calendar(), op.applicant, op.power.unit_id)

    @strawberry.field(description="the unit holding the power")
    async def unit(self, info: Info) -> Unit:
        return await unit_of(info, self.unit_id)

    @strawberry.field(description="the post (承办岗位) holding the step, if one")
    async def position(self, info: Info) -> Position | None:
        if self.position_id is None:
            return None
        position = await info.context.loaders.position_by_id.load(self.position_id)
        return Position.from_model(position) if position else None

    @strawberry.field
    async def power(self, info: Info) -> LazyPower | None:
        op = await info.context.loaders.operation_record_by_id.load(self.operation_id)
        return await load_power(info, op.power_id if op else None)


@strawberry.input(description="Filters of `alarms` and `alarmCounts`.")
class AlarmFilter:
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")
    position_id: strawberry.ID | None = strawberry.field(default=None, description="a post (岗位)")
    level: AlarmLevel | None = None
    kind: AlarmKind | None = None
    open: bool | None = strawberry.field(default=None, description="true: not cleared; false: cleared; null: both")


async def domain_filter(f: AlarmFilter | None, *, open_default: bool | None = None) -> rules.AlarmFilter:
    from domain.access import unit_subtree_ids

    f = f or AlarmFilter()
    units = None if f.unit_id is None else await unit_subtree_ids(decode_id(f.unit_id, "Unit", "filter.unitId"))
    position = None if f.position_id is None else decode_id(f.position_id, "Position", "filter.positionId")
    is_open = open_default if f.open is None else f.open
    return rules.AlarmFilter(unit_ids=units, position_id=position, level=f.level, kind=f.kind, open=is_open)  # type: ignore[arg-type]


@strawberry.type(description="Alarms by level.")
class AlarmTally:
    yellow: int = strawberry.field(description="黄牌预警: at the due day")
    red: int = strawberry.field(description="红牌警告: past the due day")

    @strawberry.field
    def total(self) -> int:
        return self.yellow + self.red


def tally(counter: dict[AlarmLevelEnum, int]) -> AlarmTally:
    return AlarmTally(yellow=counter.get(AlarmLevelEnum.YELLOW, 0), red=counter.get(AlarmLevelEnum.RED, 0))


@strawberry.type(description="A unit's alarms by level (its own powers' exercises, not its offices').")
class UnitAlarmCount:
    unit_id: strawberry.Private[int]
    count: AlarmTally

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        return await unit_of(info, self.unit_id)


@strawberry.type(description="A post's alarms by level (the steps it holds).")
class PositionAlarmCount:
    unit_id: strawberry.Private[int]
    position_id: strawberry.Private[int]
    count: AlarmTally

    @strawberry.field
    async def position(self, info: Info) -> Position | None:
        position = await info.context.loaders.position_by_id.load(self.position_id)
        return Position.from_model(position) if position else None


@strawberry.type(description="电子监察 on the dashboard: the alarms the caller may see, in all, per unit and per post.")
class AlarmCounts:
    total: AlarmTally
    by_unit: list[UnitAlarmCount]
    by_position: list[PositionAlarmCount]


async def alarm_node(info: Info, pk: int) -> Alarm | None:
    found = await rules.alarms(info.context.viewer).filter(id=pk).first()
    return Alarm.from_model(found) if found else None


@strawberry.type
class AlarmQuery:
    @strawberry.field(description="电子监察's alarms the caller may see (a unit its own, 监察局 and oversight roles all; "
                      "none for the public), newest first")  # fmt: skip
    async def alarms(
        self, info: Info, first: int | None = None, after: str | None = None, filter: AlarmFilter | None = None
    ) -> Connection[Alarm]:
        q = rules.alarms(info.context.viewer, await domain_filter(filter)).order_by("-raised_at", "-id")
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(q, first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size)
        return to_connection(page, Alarm.from_model)

    @strawberry.field(description="电子监察 for the dashboard: alarms counted per unit and per post (open ones unless "
                      "`filter.open` says otherwise), over what the caller may see")  # fmt: skip
    async def alarm_counts(self, info: Info, filter: AlarmFilter | None = None) -> AlarmCounts:
        counts = await rules.alarm_counts(info.context.viewer, await domain_filter(filter, open_default=True))
        return AlarmCounts(
            total=tally(counts.total),
            by_unit=[UnitAlarmCount(unit_id=u, count=tally(c)) for u, c in sorted(counts.by_unit.items())],
            by_position=[
                PositionAlarmCount(unit_id=u, position_id=p, count=tally(c)) for (u, p), c in sorted(counts.by_position.items())
            ],
        )
