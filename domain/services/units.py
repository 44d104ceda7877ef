"""单位 / 科室: create, update and delete units of the organisation tree (admins only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from tortoise.fields.base import OnDelete
from tortoise.transactions import in_transaction

from domain.access import Viewer, require_admin, unit_subtree_ids
from domain.audit import record
from domain.change_feed import enqueue
from domain.enums import SearchEntity, UnitKind
from domain.errors import Validator
from domain.models import ApiToken, Power, Unit
from domain.services.common import apply_changes, clean_fields, duplicates_as, in_use, not_found, snapshot

FIELDS = ("code", "name", "short_name", "kind", "region_code", "sort_order")
REQUIRED = ("code", "name", "kind", "region_code")


@dataclass
class UnitData:
    code: str
    name: str
    kind: UnitKind
    region_code: str = ""
    short_name: str = ""
    parent_id: int | None = None
    sort_order: int = 0


class UnitChanges(TypedDict, total=False):
    code: str
    name: str
    short_name: str
    kind: UnitKind
    region_code: str
    parent_id: int | None
    sort_order: int


def _duplicate_code(code: str) -> str:
    return f"单位编码 {code} 已被使用 (unit code {code} is taken)"


async def _clean(v: Validator, values: dict[str, Any], unit: Unit | None = None) -> dict[str, Any]:
    """Clean a unit's fields; `parent_id`, when present, must name another unit outside `unit`'s subtree."""
    parent_given = "parent_id" in values
    parent_id = values.pop("parent_id", None)
    cleaned = clean_fields(v, Unit, values, allowed=FIELDS, required=REQUIRED)
    parent = None
    if parent_id is not None:
        parent = await Unit.get_or_none(id=parent_id)
        v.check(parent is not None, "parent_id", "上级单位不存在 (parent unit not found)", "not_found")
        if parent is not None and unit is not None and parent.id in await unit_subtree_ids(unit.id):
            v.add("parent_id", "上级单位不能是本单位或其下级单位 (a unit cannot sit under itself)", "cycle")
    kind = cleaned.get("kind", unit.kind if unit else None)
    has_parent = parent_id is not None if parent_given or unit is None else unit.parent_id is not None
    v.check(
        kind != UnitKind.OFFICE or has_parent,
        "parent_id",
        "科室必须隶属于一个上级单位 (an office needs a parent unit)",
        "required",
    )
    code = cleaned.get("code")
    if code and (unit is None or code != unit.code):
        v.check(not await Unit.exists(code=code), "code", _duplicate_code(code), "duplicate")
    if parent_given:
        cleaned["parent_id"] = parent_id
    return cleaned


async def create_unit(viewer: Viewer, data: UnitData) -> Unit:
    """Create a unit; the region code defaults to the parent's."""
    require_admin(viewer)
    values = asdict(data)
    if not (values["region_code"] or "").strip() and data.parent_id is not None:
        parent = await Unit.get_or_none(id=data.parent_id)
        values["region_code"] = parent.region_code if parent else ""
    with duplicates_as("code", _duplicate_code(data.code)):
        async with in_transaction():
            v = Validator()
            cleaned = await _clean(v, values)
            v.raise_if_any()
            unit = await Unit.create(**cleaned)
            await record(viewer, "unit.create", "unit", unit.id, **snapshot(unit, (*FIELDS, "parent_id")))
    return unit


async def update_unit(viewer: Viewer, unit_id: int, changes: UnitChanges) -> Unit:
    """Change a unit's fields or move it under another parent (never under itself)."""
    require_admin(viewer)
    with duplicates_as("code", _duplicate_code(str(changes.get("code", "")))):
        async with in_transaction():
            unit = await Unit.get_or_none(id=unit_id)
            if unit is None:
                raise not_found("unit", "单位")
            v = Validator()
            cleaned = await _clean(v, dict(changes), unit)
            v.raise_if_any()
            diff = apply_changes(unit, cleaned)
            if diff:
                await unit.save()
                if {"name", "short_name"} & diff.keys():  # its powers' entries carry the unit's name
                    await enqueue(SearchEntity.POWER, await Power.filter(unit_id=unit.id).values_list("id", flat=True))
                await record(viewer, "unit.update", "unit", unit.id, changes=diff)
    return unit


#: What keeps a unit from being deleted, by relation (every relation to Unit whose key restricts deletion is
#: checked; one missing here is named by its relation): its tokens and webhooks go with it.
HOLDINGS = {
    "children": ("下级单位", "sub-units"),
    "powers": ("职权", "powers"),
    "positions": ("岗位", "positions"),
    "leading_group_members": ("领导小组成员", "leading group members"),
    "complaints": ("投诉", "complaints"),
    "inspections": ("检查记录", "inspections"),
    "information_requests": ("政府信息公开申请", "information requests"),
    "comment_periods": ("公示", "comment periods"),
    "functions": ("三定职能", "functions"),
    "rectifications": ("整改事项", "rectifications"),
    "accountabilities": ("责任追究记录", "accountability records"),
    "cases": ("办件", "cases"),
    "led_networks": ("牵头的网络", "networks it leads"),
    "surveys": ("民意测验", "surveys"),
    "alarms": ("电子监察预警", "alarms"),
}


def _restricting() -> list[tuple[str, type, str]]:
    """(relation, model, key column) of each relation whose foreign key restricts deleting a unit."""
    found = []
    for name in sorted(Unit._meta.backward_fk_fields):
        relation = Unit._meta.fields_map[name]
        model = relation.related_model
        for key in model._meta.fk_fields:
            forward = model._meta.fields_map[key]
            if forward.source_field == relation.relation_field and forward.on_delete == OnDelete.RESTRICT:
                found.append((name, model, relation.relation_field))
    return found


async def delete_unit(viewer: Viewer, unit_id: int) -> None:
    """Delete a unit that holds nothing (sub-units, powers, positions, complaints …: `HOLDINGS`)."""
    require_admin(viewer)
    async with in_transaction():
        unit = await Unit.get_or_none(id=unit_id)
        if unit is None:
            raise not_found("unit", "单位")
        for name, model, key in _restricting():
            if await model.filter(**{key: unit.id}).exists():
                zh, en = HOLDINGS.get(name, (name, name))
                raise in_use("id", f"该单位还有{zh}，不能删除 (the unit still has {en})")
        tokens = await ApiToken.filter(unit_id=unit.id).count()
        await unit.delete()
        await record(
            viewer, "unit.delete", "unit", unit_id, **snapshot(unit, ("code", "name")), tokens_deleted=tokens
        )
