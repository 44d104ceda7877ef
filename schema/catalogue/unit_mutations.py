"""createUnit, updateUnit, deleteUnit: the organisation tree (admins only)."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services import units
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import UnitKind
from schema.mutation_base import Deleted, as_data, failure, given, optional_pk, pk, result

CreateUnitResult = result("CreateUnitResult", Unit)
UpdateUnitResult = result("UpdateUnitResult", Unit)
DeleteUnitResult = result("DeleteUnitResult", Deleted)


@strawberry.input(description="A new unit (单位) or office (科室, which needs a parent).")
class CreateUnitInput:
    code: str = strawberry.field(description="单位编码, unique")
    name: str = strawberry.field(description="单位全称")
    kind: UnitKind
    region_code: str = strawberry.field(default="", description="行政区划代码; defaults to the parent's")
    short_name: str = ""
    parent_id: strawberry.ID | None = strawberry.field(default=None, description="上级单位")
    sort_order: int = 0


@strawberry.input(description="Changes to a unit; fields left out stay as they are. `parentId: null` makes it a root.")
class UpdateUnitInput:
    code: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    kind: UnitKind | None = strawberry.UNSET
    region_code: str | None = strawberry.UNSET
    short_name: str | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET
    sort_order: int | None = strawberry.UNSET


@strawberry.type
class UnitMutations:
    @strawberry.mutation(description="Add a unit to the tree (admins).")
    async def create_unit(self, info: Info, input: CreateUnitInput) -> CreateUnitResult:
        try:
            data = units.UnitData(**as_data(input, parent_id=optional_pk(input.parent_id, "Unit", "parentId")))
            unit = await units.create_unit(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return Unit.from_model(unit)

    @strawberry.mutation(description="Change a unit or move it under another parent, never under itself (admins).")
    async def update_unit(self, info: Info, id: strawberry.ID, input: UpdateUnitInput) -> UpdateUnitResult:
        try:
            changes = given(input, ids={"parent_id": "Unit"})
            unit = await units.update_unit(info.context.viewer, pk(id, "Unit"), changes)  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return Unit.from_model(unit)

    @strawberry.mutation(description="Delete a unit without sub-units, powers or positions (admins).")
    async def delete_unit(self, info: Info, id: strawberry.ID) -> DeleteUnitResult:
        try:
            unit_id = pk(id, "Unit")
            await units.delete_unit(info.context.viewer, unit_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("Unit", unit_id)
