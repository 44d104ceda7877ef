"""Flow charts (一图): steps in order, 承办岗位 of the power's unit, edges inside one chart."""

from __future__ import annotations

import pytest

from domain.enums import FlowStepKind
from domain.errors import NotFound, ValidationFailed
from domain.models import FlowChart, FlowEdge, FlowStep, Power
from domain.services.flow import (
    FlowChartData,
    FlowStepData,
    create_flow_chart,
    create_flow_step,
    delete_flow_chart,
    delete_flow_step,
    update_flow_step,
)
from domain.services.flow_edges import FlowEdgeData, create_flow_edge, delete_flow_edge, update_flow_edge
from domain.services.positions import PositionData, create_position
from tests.factories import PUBLIC, audit_actions, make_power, make_unit, power_name, row_counts, staff_of


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


async def chart_of_new_power():
    unit = await make_unit()
    staff = await staff_of(unit)
    power = await make_power(unit, name=power_name("建设工程规划许可"))
    chart = await create_flow_chart(staff, FlowChartData(power_id=power.id))
    return unit, staff, chart


async def test_chart_title_defaults_to_the_power_and_one_chart_per_power(database: str) -> None:
    _unit, staff, chart = await chart_of_new_power()
    power = await Power.get(id=chart.power_id)
    assert chart.title == f"{power.name}流程图"
    with pytest.raises(ValidationFailed) as exc:
        await create_flow_chart(staff, FlowChartData(power_id=chart.power_id))
    assert codes(exc) == {"power_id": "duplicate"}


async def test_steps_keep_their_order(database: str) -> None:
    _unit, staff, chart = await chart_of_new_power()
    for name in ("受理", "审查", "决定"):
        await create_flow_step(staff, FlowStepData(chart_id=chart.id, name=name))
    start = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="申请", kind=FlowStepKind.START, ordinal=1))
    names = [s.name for s in await FlowStep.filter(chart_id=chart.id)]
    assert names == ["申请", "受理", "审查", "决定"]
    await update_flow_step(staff, start.id, {"ordinal": 4})
    assert [s.name for s in await FlowStep.filter(chart_id=chart.id)] == ["受理", "审查", "决定", "申请"]
    decided = await FlowStep.get(chart_id=chart.id, name="决定")
    await delete_flow_step(staff, decided.id)
    assert [(s.ordinal, s.name) for s in await FlowStep.filter(chart_id=chart.id)] == [(1, "受理"), (2, "审查"), (3, "申请")]
    assert await audit_actions("flow_step", decided.id) == ["flow_step.create", "flow_step.delete"]


async def test_a_step_position_belongs_to_the_power_unit_or_its_offices(database: str) -> None:
    unit, _staff, chart = await chart_of_new_power()
    office = await make_unit(unit)
    staff = await staff_of(unit)  # a token's scope covers the offices that exist when it is used
    ours = await create_position(staff, PositionData(unit_id=office.id, name="审批股"))
    other_unit = await make_unit()
    theirs = await create_position(await staff_of(other_unit), PositionData(unit_id=other_unit.id, name="审批股"))
    step = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="审查", position_id=ours.id))
    assert step.position_id == ours.id
    before = await row_counts()
    with pytest.raises(ValidationFailed) as exc:
        await create_flow_step(
            staff, FlowStepData(chart_id=chart.id, name="", position_id=theirs.id, time_limit_days=-3)
        )
    assert codes(exc) == {"name": "required", "position_id": "other_unit", "time_limit_days": "invalid"}
    assert await row_counts() == before


async def test_one_start_step(database: str) -> None:
    _unit, staff, chart = await chart_of_new_power()
    await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="申请", kind=FlowStepKind.START))
    with pytest.raises(ValidationFailed) as exc:
        await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="又一个开始", kind=FlowStepKind.START))
    assert codes(exc) == {"kind": "duplicate"}


async def test_edges_join_steps_of_one_chart(database: str) -> None:
    _unit, staff, chart = await chart_of_new_power()
    start = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="申请", kind=FlowStepKind.START))
    check = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="审查"))
    end = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="办结", kind=FlowStepKind.END))
    edge = await create_flow_edge(staff, FlowEdgeData(source_step_id=start.id, target_step_id=check.id, label="材料齐全"))
    assert (edge.chart_id, edge.label) == (chart.id, "材料齐全")

    _other_unit, _other_staff, other_chart = await chart_of_new_power()
    foreign = await create_flow_step(_other_staff, FlowStepData(chart_id=other_chart.id, name="外部环节"))
    before = await row_counts()
    cases = [
        (FlowEdgeData(source_step_id=start.id, target_step_id=check.id), {"target_step_id": "duplicate"}),
        (FlowEdgeData(source_step_id=check.id, target_step_id=check.id), {"target_step_id": "self_loop"}),
        (FlowEdgeData(source_step_id=end.id, target_step_id=start.id), {"source_step_id": "invalid_edge", "target_step_id": "invalid_edge"}),
        (FlowEdgeData(source_step_id=check.id, target_step_id=foreign.id), {"target_step_id": "not_found"}),
    ]
    for data, expected in cases:
        with pytest.raises(ValidationFailed) as exc:
            await create_flow_edge(staff, data)
        assert codes(exc) == expected, data
    assert await row_counts() == before

    # The admin sees both charts: the foreign step is found, but belongs to another chart.
    from tests.factories import ADMIN

    with pytest.raises(ValidationFailed) as exc:
        await create_flow_edge(ADMIN, FlowEdgeData(source_step_id=check.id, target_step_id=foreign.id))
    assert codes(exc) == {"target_step_id": "other_chart"}

    moved = await update_flow_edge(staff, edge.id, {"target_step_id": end.id, "label": "即办"})
    assert (moved.target_id, moved.label) == (end.id, "即办")
    with pytest.raises(ValidationFailed) as exc:
        await update_flow_step(staff, end.id, {"kind": FlowStepKind.START})
    assert [(e.field, e.code) for e in exc.value.errors] == [("kind", "duplicate"), ("kind", "invalid_edge")]
    await delete_flow_edge(staff, edge.id)
    assert await audit_actions("flow_edge", edge.id) == ["flow_edge.create", "flow_edge.update", "flow_edge.delete"]


async def test_charts_of_invisible_powers_are_not_found_and_delete_cascades(database: str) -> None:
    _unit, staff, chart = await chart_of_new_power()
    a = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="甲"))
    b = await create_flow_step(staff, FlowStepData(chart_id=chart.id, name="乙"))
    await create_flow_edge(staff, FlowEdgeData(source_step_id=a.id, target_step_id=b.id))
    for viewer in (PUBLIC, await staff_of(await make_unit())):
        with pytest.raises(NotFound):
            await create_flow_step(viewer, FlowStepData(chart_id=chart.id, name="丙"))
        with pytest.raises(NotFound):
            await delete_flow_chart(viewer, chart.id)
    await delete_flow_chart(staff, chart.id)
    assert not await FlowChart.exists(id=chart.id)
    assert not await FlowStep.exists(chart_id=chart.id)
    assert not await FlowEdge.exists(chart_id=chart.id)
