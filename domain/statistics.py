"""Counts for dashboards (进度与统计): always over the powers the viewer may see."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from tortoise.functions import Count
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import Grade, PowerCategory, PowerStatus, ProgrammeStage
from domain.errors import Validator
from domain.models import FlowChart, Power
from domain.workflow_models import Inspection, StageDeadline

#: The stage a power still is in, by its status (a published power without a chart is still in 编制).
STAGE_OF_STATUS: dict[PowerStatus, ProgrammeStage] = {
    PowerStatus.DRAFT: ProgrammeStage.CLEANUP,
    PowerStatus.DECLARED: ProgrammeStage.CLEANUP,
    PowerStatus.IN_REVIEW: ProgrammeStage.CLEANUP,
    PowerStatus.APPROVED: ProgrammeStage.CATALOGUE,
    PowerStatus.PUBLISHED: ProgrammeStage.OPERATION,
}
DONE = frozenset({PowerStatus.PUBLISHED, PowerStatus.ABOLISHED, PowerStatus.REMOVED})
STAGES = list(ProgrammeStage)


@dataclass
class UnitProgress:
    unit_id: int
    by_status: Counter[PowerStatus] = field(default_factory=Counter)
    by_category: Counter[PowerCategory] = field(default_factory=Counter)
    with_chart: int = 0
    inspected: bool = False

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def done(self) -> int:
        """Powers that finished the programme: published, or abolished / removed by the review."""
        return sum(n for status, n in self.by_status.items() if status in DONE)

    @property
    def stage(self) -> ProgrammeStage:
        """The stage the unit is in: the earliest stage one of its live powers is still in; past 公开运行
        once an inspection passed it; 动员部署 while it has no powers yet."""
        live = [s for s, n in self.by_status.items() if n and s in STAGE_OF_STATUS]
        if not live:
            return ProgrammeStage.MOBILIZATION
        stage = min((STAGE_OF_STATUS[s] for s in live), key=STAGES.index)
        if stage is ProgrammeStage.OPERATION and self.with_chart < self.by_status[PowerStatus.PUBLISHED]:
            stage = ProgrammeStage.CATALOGUE  # 一图 still missing for some published power
        if stage is ProgrammeStage.OPERATION and self.inspected:
            stage = ProgrammeStage.ACCEPTANCE
        return stage

    def behind_schedule(self, deadlines: dict[ProgrammeStage, datetime.date], today: datetime.date) -> bool:
        """Still in a stage whose deadline has passed (检查验收 itself has no successor to be late for)."""
        deadline = deadlines.get(self.stage)
        return self.stage is not ProgrammeStage.ACCEPTANCE and deadline is not None and today > deadline


async def stage_deadlines() -> dict[ProgrammeStage, datetime.date]:
    return {row.stage: row.deadline for row in await StageDeadline.all()}


async def set_stage_deadline(viewer: access.Viewer, stage: ProgrammeStage, deadline: datetime.date) -> StageDeadline:
    """An admin sets the county's deadline of a stage; later stages may not end before earlier ones."""
    access.require_admin(viewer)
    current = await stage_deadlines()
    current[stage] = deadline
    ordered = [current[s] for s in STAGES if s in current]
    v = Validator()
    v.check(ordered == sorted(ordered), "deadline", "各阶段截止日期须依次递增 (stage deadlines must follow the stage order)", "out_of_order")
    v.raise_if_any()
    async with in_transaction():
        row, _ = await StageDeadline.update_or_create(defaults={"deadline": deadline, "set_by": viewer.name}, stage=stage)
        await record(viewer, "stage_deadline.set", "stage_deadline", stage.value, deadline=deadline.isoformat())
    return row


async def progress_by_unit(viewer: access.Viewer, unit_ids: list[int] | None = None) -> dict[int, UnitProgress]:
    """Per unit, its visible powers counted by status and category, and how many have a chart: 3 queries."""
    q = access.power_q(viewer)
    powers = Power.filter(q) if unit_ids is None else Power.filter(q, unit_id__in=unit_ids)
    result: dict[int, UnitProgress] = {}
    for field_name, attr in (("status", "by_status"), ("category", "by_category")):
        rows = await powers.annotate(n=Count("id")).group_by("unit_id", field_name).values("unit_id", field_name, "n")
        for row in rows:
            progress = result.setdefault(row["unit_id"], UnitProgress(row["unit_id"]))
            value = row[field_name]
            key = PowerStatus(value) if field_name == "status" else PowerCategory(value)
            getattr(progress, attr)[key] += row["n"]
    charts = FlowChart.filter(access.power_q(viewer, "power__"))
    if unit_ids is not None:
        charts = charts.filter(power__unit_id__in=unit_ids)
    for row in await charts.annotate(n=Count("id")).group_by("power__unit_id").values("power__unit_id", "n"):
        result.setdefault(row["power__unit_id"], UnitProgress(row["power__unit_id"])).with_chart = row["n"]
    passed = Inspection.filter(unit_id__in=list(result)).exclude(grade=Grade.FAIL)
    for unit_id in await passed.values_list("unit_id", flat=True):
        result[unit_id].inspected = True
    return result
