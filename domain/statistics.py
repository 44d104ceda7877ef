"""Counts for dashboards (进度与统计): always over the powers the viewer may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tortoise.functions import Count

from domain import access
from domain.enums import PowerCategory, PowerStatus
from domain.models import FlowChart, Power

#: The seed's stages a power passes through, by the status it has reached.
STAGE_OF_STATUS: dict[PowerStatus, str] = {
    PowerStatus.DRAFT: "清理审核",
    PowerStatus.DECLARED: "清理审核",
    PowerStatus.IN_REVIEW: "清理审核",
    PowerStatus.APPROVED: "编制目录和运行流程",
    PowerStatus.PUBLISHED: "公开运行",
    PowerStatus.ABOLISHED: "清理审核",
    PowerStatus.REMOVED: "清理审核",
}
DONE = frozenset({PowerStatus.PUBLISHED, PowerStatus.ABOLISHED, PowerStatus.REMOVED})


@dataclass
class UnitProgress:
    unit_id: int
    by_status: Counter[PowerStatus] = field(default_factory=Counter)
    by_category: Counter[PowerCategory] = field(default_factory=Counter)
    with_chart: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def done(self) -> int:
        """Powers that finished the programme: published, or abolished / removed by the review."""
        return sum(n for status, n in self.by_status.items() if status in DONE)

    @property
    def stage(self) -> str:
        """The stage the unit is in: the earliest stage any of its live powers is still in."""
        live = [s for s, n in self.by_status.items() if n and s not in (PowerStatus.ABOLISHED, PowerStatus.REMOVED)]
        order = ["清理审核", "编制目录和运行流程", "公开运行"]
        return min((STAGE_OF_STATUS[s] for s in live), key=order.index, default="动员部署")


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
    return result
