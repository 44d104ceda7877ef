"""Builders for the oversight tests: published powers with a timed flow chart, exercises taken
through their stages in the domain."""

from __future__ import annotations

import datetime
from typing import Any

from domain import operations
from domain.access import Viewer
from domain.enums import DisclosureTiming, Network, OperationStage
from domain.models import FlowStep, OperationRecord, Power, Unit
from tests.factories import staff_of
from tests.workflow_factories import published_power

D = datetime.date
ERRORS = """
  __typename
  ... on ValidationErrors { errors { field code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
  ... on IllegalTransitionError { action currentStatus }
"""


async def timely_power(
    unit: Unit | None = None, deadline: str = "事项办结后七个工作日内公开", steps: tuple[tuple[str, int | None], ...] = (),
    **fields: Any,
) -> Power:
    """A PUBLISHED power to be disclosed after each exercise, with a flow chart of `steps` (name, days;
    the two steps publication needs by default)."""
    fields.setdefault("disclosure_timing", DisclosureTiming.TIMELY)
    return await published_power(unit, steps, disclosure_deadline=deadline, **fields)


async def flow_steps(power: Power) -> list[FlowStep]:
    return await FlowStep.filter(chart__power_id=power.id).order_by("ordinal")


async def keeper(power: Power) -> Viewer:
    return await staff_of(await Unit.get(id=power.unit_id))


async def exercise(power: Power, decided: datetime.date, finished: datetime.date | None = None, **fields: Any) -> OperationRecord:
    """An exercise decided on `decided`, executed and finished on `finished` when given."""
    viewer = await keeper(power)
    data = operations.OperationData(
        power_id=power.id, network=fields.pop("network", Network.ADMINISTRATIVE_LICENSING),
        subject=fields.pop("subject", "申请办理测试事项"), handler=fields.pop("handler", "张三"),
        decision="予以受理", decided_on=decided, **fields,
    )  # fmt: skip
    op = await operations.create_operation(viewer, data)
    if finished is not None:
        await operations.advance_operation(viewer, op.id, OperationStage.EXECUTION, "现场核查", finished)
        op = await operations.advance_operation(viewer, op.id, OperationStage.RESULT, "准予许可", finished)
    return op
