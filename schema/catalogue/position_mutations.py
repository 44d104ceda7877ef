"""createPosition, updatePosition, deletePosition: the posts (岗位) of a unit (its staff or an admin)."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError
from domain.services import positions
from schema.catalogue.unit import Position
from schema.context import Info
from schema.mutation_base import Deleted, as_data, failure, given, pk, result

CreatePositionResult = result("CreatePositionResult", Position)
UpdatePositionResult = result("UpdatePositionResult", Position)
DeletePositionResult = result("DeletePositionResult", Deleted)


@strawberry.input(description="A new post in a unit; its name is unique within the unit.")
class CreatePositionInput:
    unit_id: strawberry.ID = strawberry.field(description="the unit (单位 / 科室)")
    name: str = strawberry.field(description="岗位名称")
    holder: str = strawberry.field(default="", description="责任人")
    duties: str = strawberry.field(default="", description="岗位职责")


@strawberry.input(description="Changes to a post; fields left out stay as they are.")
class UpdatePositionInput:
    name: str | None = strawberry.UNSET
    holder: str | None = strawberry.UNSET
    duties: str | None = strawberry.UNSET


@strawberry.type
class PositionMutations:
    @strawberry.mutation(description="Add a post to a unit.")
    async def create_position(self, info: Info, input: CreatePositionInput) -> CreatePositionResult:
        try:
            data = positions.PositionData(**as_data(input, unit_id=pk(input.unit_id, "Unit", "unitId")))
            position = await positions.create_position(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return Position.from_model(position)

    @strawberry.mutation(description="Rename a post or change its holder (责任人) and duties.")
    async def update_position(self, info: Info, id: strawberry.ID, input: UpdatePositionInput) -> UpdatePositionResult:
        try:
            position_id = pk(id, "Position")
            position = await positions.update_position(info.context.viewer, position_id, given(input))  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return Position.from_model(position)

    @strawberry.mutation(description="Delete a post that no flow step names as its 承办岗位.")
    async def delete_position(self, info: Info, id: strawberry.ID) -> DeletePositionResult:
        try:
            position_id = pk(id, "Position")
            await positions.delete_position(info.context.viewer, position_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("Position", position_id)
