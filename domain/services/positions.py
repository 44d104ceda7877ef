"""岗位: create, update and delete the posts of a unit (its staff or an admin)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from tortoise.transactions import in_transaction

from domain.access import Viewer, power_q, require_unit_content
from domain.audit import record
from domain.errors import Validator
from domain.models import FlowStep, Position, Unit
from domain.services.common import apply_changes, clean_fields, duplicates_as, in_use, not_found, snapshot

FIELDS = ("name", "holder", "duties")


@dataclass
class PositionData:
    unit_id: int
    name: str
    holder: str = ""
    duties: str = ""


class PositionChanges(TypedDict, total=False):
    name: str
    holder: str
    duties: str


def _duplicate_name(name: object) -> str:
    return f"本单位已有名为「{name}」的岗位 (the unit already has a position named {name})"


async def _clean(v: Validator, unit_id: int, values: dict[str, Any], position: Position | None = None) -> dict[str, Any]:
    cleaned = clean_fields(v, Position, values, allowed=FIELDS, required=("name",))
    name = cleaned.get("name")
    if name and (position is None or name != position.name):
        taken = await Position.exists(unit_id=unit_id, name=name)
        v.check(not taken, "name", _duplicate_name(name), "duplicate")
    return cleaned


async def position_for_edit(viewer: Viewer, position_id: int) -> Position:
    """The position, if it exists (NotFound) and `viewer` may change its unit (PermissionDenied)."""
    position = await Position.get_or_none(id=position_id)
    if position is None:
        raise not_found("position", "岗位")
    require_unit_content(viewer, position.unit_id)
    return position


async def create_position(viewer: Viewer, data: PositionData) -> Position:
    """Add a post to a unit."""
    values = asdict(data)
    unit_id = values.pop("unit_id")
    with duplicates_as("name", _duplicate_name(data.name)):
        async with in_transaction():
            require_unit_content(viewer, unit_id)
            v = Validator()
            v.check(await Unit.exists(id=unit_id), "unit_id", "单位不存在 (unit not found)", "not_found")
            cleaned = await _clean(v, unit_id, values)
            v.raise_if_any()
            position = await Position.create(unit_id=unit_id, **cleaned)
            await record(viewer, "position.create", "position", position.id, unit_id=unit_id, **cleaned)
    return position


async def update_position(viewer: Viewer, position_id: int, changes: PositionChanges) -> Position:
    """Rename a post or change its holder (责任人) and duties."""
    with duplicates_as("name", _duplicate_name(changes.get("name"))):
        async with in_transaction():
            position = await position_for_edit(viewer, position_id)
            v = Validator()
            cleaned = await _clean(v, position.unit_id, dict(changes), position)
            v.raise_if_any()
            diff = apply_changes(position, cleaned)
            if diff:
                await position.save()
                await record(viewer, "position.update", "position", position.id, changes=diff)
    return position


async def delete_position(viewer: Viewer, position_id: int) -> None:
    """Delete a post that no flow step names as its 承办岗位."""
    async with in_transaction():
        position = await position_for_edit(viewer, position_id)
        steps = FlowStep.filter(position_id=position.id)
        if await steps.exists():
            # Name the steps only when the caller may see them: a hidden power's chart stays unmentioned.
            visible = await steps.filter(power_q(viewer, "chart__power__")).count()
            raise in_use(
                "id",
                f"该岗位是 {visible} 个流程图环节的承办岗位，不能删除 (flow steps name this position)"
                if visible
                else "该岗位仍被引用，不能删除 (the position is still in use)",
            )
        await position.delete()
        await record(
            viewer, "position.delete", "position", position_id, unit_id=position.unit_id, **snapshot(position, FIELDS)
        )
