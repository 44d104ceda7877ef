"""Unit (单位 / 科室) and Position (岗位)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models as m
from schema.context import Info
from schema.enums import UnitKind
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, encode_id

if TYPE_CHECKING:
    from schema.power import Power, PowerFilter, PowerOrder


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
        return cls(
            id=encode_id("Unit", unit.id),
            db_id=unit.id,
            parent_id=unit.parent_id,
            code=unit.code,
            name=unit.name,
            short_name=unit.short_name,
            kind=unit.kind,
            region_code=unit.region_code,
            updated_at=unit.updated_at,
        )

    @strawberry.field(description="上级单位")
    async def parent(self, info: Info) -> Unit | None:
        if self.parent_id is None:
            return None
        unit = await info.context.loaders.unit_by_id.load(self.parent_id)
        return Unit.from_model(unit) if unit else None

    @strawberry.field(description="下级单位 / 科室")
    async def children(self, info: Info) -> list[Unit]:
        return [Unit.from_model(u) for u in await info.context.loaders.units_by_parent_id.load(self.db_id)]

    @strawberry.field(description="岗位")
    async def positions(self, info: Info) -> list[Position]:
        return [Position.from_model(p) for p in await info.context.loaders.positions_by_unit_id.load(self.db_id)]

    @strawberry.field(description="本单位 (含下级科室) 的职权, as the caller may see them")
    async def powers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: Annotated[PowerFilter, strawberry.lazy("schema.power")] | None = None,
        order_by: Annotated[PowerOrder, strawberry.lazy("schema.power")] | None = None,
    ) -> Connection[Annotated[Power, strawberry.lazy("schema.power")]]:
        from resolvers.power import powers_page
        from schema.power import Power

        limit, offset = page_args(first, after)
        ctx = info.context
        page = await powers_page(
            ctx.viewer, ctx.settings, ctx.loaders,
            first=limit, offset=offset, filter=filter, order_by=order_by, within_unit=self.db_id,
        )
        return to_connection(page, Power.from_model)


@strawberry.type(description="岗位: a post inside a unit, with its responsible person.")
class Position(Node):
    unit_id: strawberry.Private[int]
    name: str
    holder: str = strawberry.field(description="责任人")
    duties: str = strawberry.field(description="岗位职责")

    @classmethod
    def from_model(cls, position: m.Position) -> Position:
        return cls(
            id=encode_id("Position", position.id),
            unit_id=position.unit_id,
            name=position.name,
            holder=position.holder,
            duties=position.duties,
        )

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        unit = await info.context.loaders.unit_by_id.load(self.unit_id)
        assert unit is not None  # a position's unit cannot be deleted while it exists
        return Unit.from_model(unit)
