"""Unit (单位 / 科室) and Position (岗位), and the filters of `units` (the field itself is in power.py, with
`powers`). Their mutations are in unit_mutations and position_mutations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models as m
from resolvers.keyset import PageArgs
from resolvers.prefetch import now_or_later
from schema.context import Info
from schema.enums import UnitKind
from schema.node import BEFORE, LAST, Node, of_row, to_connection
from schema.relay import Connection, encode_id

if TYPE_CHECKING:
    from schema.catalogue.power import Power, PowerFilter, PowerOrder
    from schema.oversight.workload import PostWorkload, UnitWorkload


@strawberry.type(description="单位 / 科室: a node of the county's organisation tree.")
class Unit(Node):
    db_id: strawberry.Private[int]
    parent_id: strawberry.Private[int | None]
    code: str = strawberry.field(description="单位编码")
    name: str = strawberry.field(description="单位全称")
    short_name: str
    kind: UnitKind
    region_code: str = strawberry.field(description="行政区划代码")
    updated_at: datetime

    @classmethod
    def from_model(cls, unit: m.Unit) -> Unit:
        return of_row(cls, unit, id=encode_id("Unit", unit.id), db_id=unit.id)

    @strawberry.field(description="上级单位")
    def parent(self, info: Info) -> Unit | None:
        if self.parent_id is None:
            return None
        return now_or_later(info.context.loaders.unit_by_id, self.parent_id, lambda u: Unit.from_model(u) if u else None)

    @strawberry.field(description="下级单位 / 科室")
    def children(self, info: Info) -> list[Unit]:
        return now_or_later(info.context.loaders.units_by_parent_id, self.db_id, lambda us: [Unit.from_model(u) for u in us])

    @strawberry.field(description="岗位")
    def positions(self, info: Info) -> list[Position]:
        return now_or_later(
            info.context.loaders.positions_by_unit_id, self.db_id, lambda ps: [Position.from_model(p) for p in ps]
        )

    @strawberry.field(description="本单位 (含下级科室) 的职权, as the caller may see them")
    async def powers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: Annotated[PowerFilter, strawberry.lazy("schema.catalogue.power")] | None = None,
        order_by: Annotated[PowerOrder, strawberry.lazy("schema.catalogue.power")] | None = None,
    ) -> Connection[Annotated[Power, strawberry.lazy("schema.catalogue.power")]]:
        from resolvers.power import powers_page
        from schema.catalogue.power import Power

        ctx = info.context
        page = await powers_page(
            ctx.viewer, ctx.settings, ctx.loaders,
            args=PageArgs(first, after, last, before), filter=filter, order_by=order_by, within_unit=self.db_id,
        )
        return to_connection(page, Power.from_model)

    @strawberry.field(description="承办情况: the powers its posts (and its offices') can exercise, their chart steps, "
                      "steps under way and open alarms, as the caller may see them")  # fmt: skip
    async def workload(self, info: Info) -> Annotated[UnitWorkload, strawberry.lazy("schema.oversight.workload")]:
        from schema.oversight.workload import unit_workload

        return await unit_workload(info, self)


@strawberry.type(description="岗位: a post inside a unit, with its responsible person.")
class Position(Node):
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    name: str
    holder: str = strawberry.field(description="责任人")
    duties: str = strawberry.field(description="岗位职责")

    @classmethod
    def from_model(cls, position: m.Position) -> Position:
        return of_row(cls, position, id=encode_id("Position", position.id), db_id=position.id)

    @strawberry.field
    def unit(self, info: Info) -> Unit:
        # a position's unit cannot be deleted while it exists
        return now_or_later(info.context.loaders.unit_by_id, self.unit_id, Unit.from_model)

    @strawberry.field(description="承办情况: the powers the post can exercise, the chart steps it holds, its steps under "
                      "way and open alarms, as the caller may see them")  # fmt: skip
    async def workload(self, info: Info) -> Annotated[PostWorkload, strawberry.lazy("schema.oversight.workload")]:
        from schema.oversight.workload import position_workload

        return await position_workload(info, self.db_id)


@strawberry.input(description="Filters of `units`.")
class UnitFilter:
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="direct children of this unit")
    roots_only: bool = strawberry.field(default=False, description="only units without a parent")
    kind: UnitKind | None = None
    kinds: list[UnitKind] | None = None
    name_contains: str | None = None
    code: str | None = None
