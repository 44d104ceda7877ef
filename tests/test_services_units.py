"""Units (单位 / 科室): admins create, move and delete them; the tree never loops."""

from __future__ import annotations

import pytest

from domain.enums import Role, UnitKind
from domain.errors import NotFound, PermissionDenied, ValidationFailed
from domain.models import Unit
from domain.services.units import UnitData, create_unit, delete_unit, update_unit
from tests.factories import ADMIN, audit_actions, make_power, make_unit, row_counts, staff_of, unique


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


async def test_create_unit_records_audit_and_inherits_region(database: str) -> None:
    parent = await make_unit(region_code="360799")
    office = await create_unit(ADMIN, UnitData(code=unique("U"), name=" 综合股 ", kind=UnitKind.OFFICE, parent_id=parent.id))
    assert (office.name, office.region_code, office.parent_id) == ("综合股", "360799", parent.id)
    assert await audit_actions("unit", office.id) == ["unit.create"]


async def test_invalid_unit_reports_every_field_and_writes_nothing(database: str) -> None:
    taken = await make_unit()
    before = await row_counts()
    with pytest.raises(ValidationFailed) as exc:
        await create_unit(ADMIN, UnitData(code=taken.code, name="", kind="NOPE", region_code="x" * 13))  # type: ignore[arg-type]
    assert codes(exc) == {"code": "duplicate", "name": "required", "kind": "invalid", "region_code": "too_long"}
    assert await row_counts() == before


async def test_an_office_needs_a_parent(database: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        await create_unit(ADMIN, UnitData(code=unique("U"), name="科室", kind=UnitKind.OFFICE, region_code="360723"))
    assert codes(exc) == {"parent_id": "required"}


async def test_only_admins_manage_units(database: str) -> None:
    unit = await make_unit()
    staff = await staff_of(unit, Role.UNIT_LEAD)
    with pytest.raises(PermissionDenied):
        await create_unit(staff, UnitData(code=unique("U"), name="x", kind=UnitKind.DEPARTMENT, region_code="360723"))
    with pytest.raises(PermissionDenied):
        await update_unit(staff, unit.id, {"name": "改名"})


async def test_move_unit_but_never_under_itself(database: str) -> None:
    root = await make_unit()
    child = await make_unit(root)
    grandchild = await make_unit(child)
    with pytest.raises(ValidationFailed) as exc:
        await update_unit(ADMIN, root.id, {"parent_id": grandchild.id})
    assert codes(exc) == {"parent_id": "cycle"}
    with pytest.raises(ValidationFailed):
        await update_unit(ADMIN, root.id, {"parent_id": root.id})
    other = await make_unit()
    moved = await update_unit(ADMIN, child.id, {"parent_id": other.id, "name": "新科室"})
    assert (moved.parent_id, moved.name) == (other.id, "新科室")
    assert await audit_actions("unit", child.id) == ["unit.create", "unit.update"]


async def test_update_without_changes_records_nothing(database: str) -> None:
    unit = await make_unit()
    await update_unit(ADMIN, unit.id, {"name": unit.name})
    assert await audit_actions("unit", unit.id) == ["unit.create"]


async def test_delete_protects_units_in_use(database: str) -> None:
    parent = await make_unit()
    child = await make_unit(parent)
    with pytest.raises(ValidationFailed) as exc:
        await delete_unit(ADMIN, parent.id)
    assert codes(exc) == {"id": "in_use"}
    await make_power(child)
    with pytest.raises(ValidationFailed):
        await delete_unit(ADMIN, child.id)
    empty = await make_unit()
    await delete_unit(ADMIN, empty.id)
    assert not await Unit.exists(id=empty.id)
    assert await audit_actions("unit", empty.id) == ["unit.create", "unit.delete"]
    with pytest.raises(NotFound):
        await delete_unit(ADMIN, empty.id)
