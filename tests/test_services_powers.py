"""Powers (职权) and positions (岗位): a unit's staff or an admin manage them; others cannot."""

from __future__ import annotations

import pytest

from domain.enums import PowerCategory, PowerStatus
from domain.errors import NotFound, PermissionDenied, ValidationFailed
from domain.models import AuditEvent, OperationRecord, Position, Power
from domain.services.flow import FlowChartData, FlowStepData, create_flow_chart, create_flow_step
from domain.services.positions import PositionData, create_position, delete_position, update_position
from domain.services.powers import PowerData, create_power, delete_power, update_power
from tests.factories import (
    ADMIN,
    PUBLIC,
    REVIEWER,
    audit_actions,
    make_power,
    make_unit,
    own_code,
    power_name,
    row_counts,
    staff_of,
    unique,
)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


async def test_staff_create_a_draft_power_of_their_office(database: str) -> None:
    unit = await make_unit()
    office = await make_unit(unit)
    staff = await staff_of(unit)
    code, name = f"{office.code}CF-0001", power_name("对擅自占用道路行为的行政处罚")
    power = await create_power(staff, PowerData(unit_id=office.id, name=f" {name} ", category=PowerCategory.PENALTY))
    assert (power.code, power.name, power.status, power.unit_id) == (code, name, PowerStatus.DRAFT, office.id)
    event = await AuditEvent.get(entity_type="power", entity_id=str(power.id))
    assert (event.action, event.actor, event.detail["code"]) == ("power.create", staff.name, code)


async def test_invalid_power_reports_fields_and_writes_nothing(database: str) -> None:
    unit = await make_unit()
    taken = await make_power(unit, code=own_code(unit))
    before = await row_counts()
    with pytest.raises(ValidationFailed) as exc:
        await create_power(
            await staff_of(unit),
            PowerData(unit_id=unit.id, name="", category="X", code=taken.code, time_limit_days=-1),  # type: ignore[arg-type]
        )
    # with no valid category the code cannot be of the unit's own range
    assert codes(exc) == {"name": "required", "category": "invalid", "code": "invalid", "time_limit_days": "invalid"}
    assert await row_counts() == before


async def test_staff_of_another_unit_and_the_public_may_not_write(database: str) -> None:
    unit, other = await make_unit(), await make_unit()
    power = await make_power(unit)
    outsider = await staff_of(other)
    data = PowerData(unit_id=unit.id, name=power_name("对某行为的行政处罚"), category=PowerCategory.PENALTY)
    for viewer in (outsider, PUBLIC, REVIEWER):
        with pytest.raises(PermissionDenied):
            await create_power(viewer, data)
    # A draft of another unit is invisible to them: not found, as if it did not exist.
    for viewer in (outsider, PUBLIC):
        with pytest.raises(NotFound):
            await update_power(viewer, power.id, {"name": "改名"})
    # A reviewer sees it but may not change it.
    with pytest.raises(PermissionDenied):
        await update_power(REVIEWER, power.id, {"name": "改名"})


async def test_update_power_records_the_diff(database: str) -> None:
    unit = await make_unit()
    power = await make_power(unit)
    name = power_name("新名称")
    updated = await update_power(await staff_of(unit), power.id, {"name": name, "time_limit_days": 20, "fee_basis": ""})
    assert (updated.name, updated.time_limit_days) == (name, 20)
    event = await AuditEvent.filter(entity_type="power", entity_id=str(power.id), action="power.update").first()
    assert event is not None and set(event.detail["changes"]) == {"name", "time_limit_days"}


async def test_status_is_not_editable(database: str) -> None:
    power = await make_power(await make_unit())
    with pytest.raises(TypeError):
        await update_power(ADMIN, power.id, {"status": PowerStatus.PUBLISHED})  # type: ignore[typeddict-unknown-key]


async def test_delete_only_a_draft_without_records(database: str) -> None:
    unit = await make_unit()
    staff = await staff_of(unit)
    draft = await make_power(unit)
    await delete_power(staff, draft.id)
    assert not await Power.exists(id=draft.id)
    assert await audit_actions("power", draft.id) == ["power.create", "power.delete"]

    declared = await make_power(unit)
    await Power.filter(id=declared.id).update(status=PowerStatus.DECLARED)
    with pytest.raises(ValidationFailed) as exc:
        await delete_power(staff, declared.id)
    assert codes(exc) == {"id": "in_use"}

    exercised = await make_power(unit)
    await OperationRecord.create(power=exercised, network="ADMINISTRATIVE_LICENSING", subject="办理一件")
    with pytest.raises(ValidationFailed):
        await delete_power(staff, exercised.id)


async def test_positions_unique_per_unit_and_protected_while_named_by_a_step(database: str) -> None:
    unit = await make_unit()
    staff = await staff_of(unit)
    position = await create_position(staff, PositionData(unit_id=unit.id, name="执法股股长", holder="张三"))
    with pytest.raises(ValidationFailed) as exc:
        await create_position(staff, PositionData(unit_id=unit.id, name="执法股股长"))
    assert codes(exc) == {"name": "duplicate"}
    renamed = await update_position(staff, position.id, {"holder": "李四"})
    assert renamed.holder == "李四"

    with pytest.raises(PermissionDenied):
        await update_position(await staff_of(await make_unit()), position.id, {"holder": "王五"})

    chart = await create_flow_chart(staff, FlowChartData(power_id=(await make_power(unit)).id))
    await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="受理", position_id=position.id))
    with pytest.raises(ValidationFailed) as exc:
        await delete_position(staff, position.id)
    assert codes(exc) == {"id": "in_use"}

    spare = await create_position(staff, PositionData(unit_id=unit.id, name="备用岗"))
    await delete_position(staff, spare.id)
    assert not await Position.exists(id=spare.id)
    assert await audit_actions("position", spare.id) == ["position.create", "position.delete"]


async def test_a_power_without_a_code_gets_the_next_of_its_unit_and_category(database: str) -> None:
    unit = await make_unit(code=f"99{unique('')[-8:]}")  # numeric, as domain.codes expects; no real region 99
    staff = await staff_of(unit)
    data = PowerData(unit_id=unit.id, name=power_name("对某行为的行政处罚"), category=PowerCategory.PENALTY)
    first, second = await create_power(staff, data), await create_power(staff, data)
    assert (first.code, second.code) == (f"{unit.code}CF-0001", f"{unit.code}CF-0002")
    licence = await create_power(staff, PowerData(unit_id=unit.id, name=power_name("某许可"), category=PowerCategory.LICENSING))
    assert licence.code == f"{unit.code}XK-0001"


async def test_a_unit_without_a_standard_code_has_no_codes_for_its_powers(database: str) -> None:
    """A power code is its unit's code and more (domain.codes): a unit coded otherwise gets none, given or generated."""
    unit = await make_unit(code=unique("U"))
    before = await row_counts()
    for code in ("", f"{unit.code}CF-0001"):
        with pytest.raises(ValidationFailed) as exc:
            await create_power(ADMIN, PowerData(unit_id=unit.id, name=power_name("某处罚"), category=PowerCategory.PENALTY, code=code))
        assert codes(exc) == {"code": "invalid"}
        assert unit.code in exc.value.errors[0].message and "not a standard one" in exc.value.errors[0].message
    assert await row_counts() == before
