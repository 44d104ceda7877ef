"""Builders for 电子监察 and who-handles-what tests: a unit with posts, a published power whose chart's steps
are held by those posts, and exercises with running steps."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from domain import lifecycle, operations
from domain.enums import DisclosureScope, Network, Role
from domain.models import FlowStep, OperationRecord, Position, Power, Unit
from domain.services.flow import FlowChartData, FlowStepData, create_flow_chart, create_flow_step
from domain.services.flow_edges import FlowEdgeData, create_flow_edge
from domain.services.positions import PositionData, create_position
from domain.workflow_models import OperationStep
from tests.factories import ADMIN, make_unit, power_name, staff_of
from tests.workflow_factories import based_power, decided, in_review

D = datetime.date


@dataclass
class Posted:
    unit: Unit
    clerk: Position  # 受理岗
    reviewer: Position  # 审核岗


async def posts(unit: Unit | None = None) -> Posted:
    unit = unit or await make_unit(name="测试局")
    clerk = await create_position(ADMIN, PositionData(unit.id, "受理岗", "张受理", "受理申请，审查材料"))
    reviewer = await create_position(ADMIN, PositionData(unit.id, "审核岗", "李审核", "审核并提出办理意见"))
    return Posted(unit, clerk, reviewer)


async def posted_power(staff: Posted, limit: int | None = 3, **fields: Any) -> Power:
    """A PUBLISHED power of the unit promising `limit` working days, charted 受理 (1 day, 受理岗) → 审核
    (2 days, 审核岗) → 办结 (no post)."""
    fields.setdefault("name", power_name("测试事项的行政许可"))
    power = await based_power(staff.unit, time_limit_days=limit, **fields)
    chart = await create_flow_chart(ADMIN, FlowChartData(power_id=power.id, complaint_channel="县监察局举报电话12388"))
    steps = [
        await create_flow_step(ADMIN, FlowStepData(chart_id=chart.id, name=name, time_limit_days=days, position_id=post))
        for name, days, post in (("受理", 1, staff.clerk.id), ("审核", 2, staff.reviewer.id), ("办结", None, None))
    ]
    for source, target in itertools.pairwise(steps):
        await create_flow_edge(ADMIN, FlowEdgeData(source.id, target.id))
    power = await in_review(power)
    await decided(power.id)
    return await lifecycle.publish(ADMIN, power.id)


async def started(power: Power, decided_on: datetime.date, step: str = "受理", **fields: Any) -> tuple[OperationRecord, OperationStep]:
    """An exercise decided on `decided_on`, with the chart's step `step` started the same day (by the unit's
    lead for a LEADERSHIP record, which its staff may not keep)."""
    role = Role.UNIT_LEAD if fields.get("scope") == DisclosureScope.LEADERSHIP else Role.UNIT_STAFF
    viewer = await staff_of(await Unit.get(id=power.unit_id), role)
    data = operations.OperationData(
        power_id=power.id, network=Network.ADMINISTRATIVE_LICENSING, subject="申请办理测试事项", handler="张三",
        decision="予以受理", decided_on=decided_on, **fields,
    )  # fmt: skip
    op = await operations.create_operation(viewer, data)
    flow_step = await FlowStep.get(chart__power_id=power.id, name=step)
    running = await operations.start_step(viewer, op.id, flow_step.id, decided_on, "王经办")
    return op, running
