"""Who handles what (搞清每个人、每个科室能行使哪些权力): for each post (岗位), the chart steps it holds of the
powers in 公开运行 (PUBLISHED: the powers it can exercise), its steps under way and its open alarms; for a
unit, the same over the posts of it and its offices, with its cases' alarms.

Everything is read for one viewer through domain.access: the steps of powers it may see (power_q: not a
confidential power's for the public or another unit), running steps of records it may see (record_q),
alarms only of its own units or as an oversight role (alarm_q). A few grouped statements for any number
of posts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tortoise.functions import Count

from domain import access
from domain.alarm_models import Alarm
from domain.enums import AlarmLevel, PowerStatus
from domain.models import FlowStep, Position, Power
from domain.workflow_models import OperationStep


@dataclass
class PostWorkload:
    position: Position
    steps: list[FlowStep] = field(default_factory=list)  # with chart__power, by power code then step order
    open_steps: list[OperationStep] = field(default_factory=list)  # with operation__power, oldest first
    alarms: Counter[AlarmLevel] = field(default_factory=Counter)  # open ones

    @property
    def powers(self) -> list[Power]:
        """The powers whose steps it holds, once each, by code."""
        return list({s.chart.power.id: s.chart.power for s in self.steps}.values())


async def post_workloads(viewer: access.Viewer, positions: list[Position]) -> dict[int, PostWorkload]:
    """Each post's workload as `viewer` may see it, in three statements whatever the number of posts."""
    found = {p.id: PostWorkload(p) for p in positions}
    ids = sorted(found)
    if not ids:
        return found
    steps = FlowStep.filter(access.power_q(viewer, "chart__power__"), position_id__in=ids, chart__power__status=PowerStatus.PUBLISHED)
    for step in await steps.select_related("chart__power").order_by("chart__power__code", "ordinal", "id"):
        found[step.position_id].steps.append(step)
    running = OperationStep.filter(access.record_q(viewer, "operation__"), finished_on__isnull=True, flow_step__position_id__in=ids)
    for op_step in await running.select_related("operation__power", "flow_step").order_by("started_on", "id"):
        assert op_step.flow_step is not None
        found[op_step.flow_step.position_id].open_steps.append(op_step)  # type: ignore[index]
    alarms = Alarm.filter(access.alarm_q(viewer), cleared_at__isnull=True, position_id__in=ids)
    for row in await alarms.annotate(n=Count("id")).group_by("position_id", "level").values("position_id", "level", "n"):
        found[row["position_id"]].alarms[AlarmLevel(row["level"])] += row["n"]
    return found


@dataclass
class UnitWorkload:
    unit_id: int
    posts: list[PostWorkload]  # of the unit and its offices, by unit then post
    alarms: Counter[AlarmLevel]  # open alarms of its and its offices' exercises: steps (with a post or not) and cases

    @property
    def powers(self) -> list[Power]:
        return list({p.id: p for post in self.posts for p in post.powers}.values())

    @property
    def steps(self) -> int:
        return sum(len(post.steps) for post in self.posts)

    @property
    def open_steps(self) -> int:
        return sum(len(post.open_steps) for post in self.posts)


async def unit_workload(viewer: access.Viewer, unit_id: int) -> UnitWorkload:
    """A unit's workload rolled up over its posts and its offices' posts."""
    units = sorted(await access.unit_subtree_ids(unit_id))
    positions = await Position.filter(unit_id__in=units).order_by("unit_id", "id")
    posts = await post_workloads(viewer, positions)
    alarms: Counter[AlarmLevel] = Counter()
    q = Alarm.filter(access.alarm_q(viewer), cleared_at__isnull=True, unit_id__in=units)
    for row in await q.annotate(n=Count("id")).group_by("level").values("level", "n"):
        alarms[AlarmLevel(row["level"])] += row["n"]
    return UnitWorkload(unit_id, [posts[p.id] for p in positions], alarms)


async def powers_held_by(position_id: int) -> list[int]:
    """The ids of the powers whose chart has a step held by the post (visibility is the caller's filter)."""
    return sorted(set(await FlowStep.filter(position_id=position_id).values_list("chart__power_id", flat=True)))
