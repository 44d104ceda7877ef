"""What a filing shows, read for one viewer: powers through access.power_q, records through
access.record_q. Nothing here decides visibility; it only asks domain.access."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from tortoise.queryset import QuerySet

from docgen.chart import Chart, chart_from_models
from domain import access
from domain import models as m
from domain.enums import Network, PowerStatus
from domain.rules import INACTIVE

CATALOGUE_STATUSES = (PowerStatus.APPROVED, PowerStatus.PUBLISHED)
CLOSED_STATUSES = INACTIVE
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Text safe for a .docx cell: no control characters (docxtpl reads \\a, \\f, \\t as layout)."""
    return _CONTROL.sub(" ", text.replace("\r\n", "\n")).strip()


@dataclass
class Scope:
    """The unit (with its offices) a filing covers, optionally narrowed to one power."""

    viewer: access.Viewer
    unit: m.Unit
    unit_ids: frozenset[int]
    power: m.Power | None = None
    network: Network | None = None  # 附7 of one of the 七大网络 only

    @property
    def sees_unit_fully(self) -> bool:
        """Staff of the unit and roles that see everything get the full filing, others the public one."""
        return self.viewer.sees_all or self.unit.id in self.viewer.unit_ids

    def powers(self) -> QuerySet[m.Power]:
        q = m.Power.filter(access.power_q(self.viewer), unit_id__in=sorted(self.unit_ids))
        return q.filter(id=self.power.id) if self.power else q


@dataclass
class PowerSheet:
    """One power with what its rows print: bases, chart and the posts that handle it."""

    power: m.Power
    bases: list[str] = field(default_factory=list)
    chart: Chart | None = None

    @property
    def posts(self) -> list[str]:
        """职权行使责任人: each post (with its holder) and the steps it handles."""
        if self.chart is None:
            return []
        steps: dict[str, list[str]] = {}
        for step in self.chart.steps:
            if step.post:
                steps.setdefault(step.post, []).append(step.name)
        return [f"{post}：{'、'.join(names)}" for post, names in steps.items()]


def citations(bases: list[m.PowerBasis]) -> list[str]:
    """A power's bases as citations, one line per document in the bases' order (by legal rank):
    《中华人民共和国土地管理法》第五十七条、第五十八条. The articles' texts are the 一件's."""
    lines: list[tuple[int, str]] = []  # (document, citation)
    for basis in bases:
        article = basis.article
        # a note repeating the citation adds nothing in a narrow cell
        note = f"（{clean(basis.note)}）" if basis.note and article.document.title not in basis.note else ""
        if lines and lines[-1][0] == article.document_id:
            lines[-1] = (article.document_id, f"{lines[-1][1]}、{article.label}{note}")
        else:
            lines.append((article.document_id, f"《{article.document.title}》{article.label}{note}"))
    return [citation for _, citation in lines]


async def charts_for(power_ids: list[int]) -> dict[int, Chart]:
    """The charts of these powers, with steps, edges and posts, in three queries."""
    charts = await m.FlowChart.filter(power_id__in=power_ids)
    chart_ids = [c.id for c in charts]
    steps: dict[int, list[m.FlowStep]] = defaultdict(list)
    positions: dict[int, m.Position | None] = {}
    for step in await m.FlowStep.filter(chart_id__in=chart_ids).select_related("position").order_by("chart_id", "ordinal", "id"):
        steps[step.chart_id].append(step)
        if step.position_id:
            positions[step.position_id] = step.position
    edges: dict[int, list[m.FlowEdge]] = defaultdict(list)
    for edge in await m.FlowEdge.filter(chart_id__in=chart_ids).order_by("id"):
        edges[edge.chart_id].append(edge)
    return {c.power_id: chart_from_models(c, steps[c.id], edges[c.id], positions) for c in charts}


async def sheets(powers: list[m.Power], *, with_charts: bool = True) -> list[PowerSheet]:
    """PowerSheets of `powers` (bases and charts fetched in bulk), in the given order."""
    ids = [p.id for p in powers]
    bases: dict[int, list[m.PowerBasis]] = defaultdict(list)
    for basis in await m.PowerBasis.filter(power_id__in=ids).select_related("article__document").order_by(
        "power_id", "ordinal", "id"
    ):
        bases[basis.power_id].append(basis)
    charts = await charts_for(ids) if with_charts else {}
    return [PowerSheet(p, citations(bases[p.id]), charts.get(p.id)) for p in powers]


async def records(scope: Scope) -> list[m.OperationRecord]:
    """附7 records of the scope the viewer may see, by power code then date."""
    q = m.OperationRecord.filter(access.record_q(scope.viewer), power__unit_id__in=sorted(scope.unit_ids))
    if scope.power:
        q = q.filter(power_id=scope.power.id)
    if scope.network is not None:
        q = q.filter(network=scope.network)
    return await q.select_related("power").order_by("power__code", "decided_on", "id")
