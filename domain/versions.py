"""Published versions of powers (动态管理): each publication leaves a snapshot of the power as the
public saw it (fields, bases, flow chart), so that every published version stays readable: a
power's history, and the catalogue as it stood on a date (`as_of`)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.timezone import now

from domain.access import disclosed_publicly
from domain.enums import PowerStatus
from domain.models import FlowChart, FlowEdge, FlowStep, Position, Power, PowerBasis
from domain.services.common import jsonable
from domain.tokens import COUNTY_TZ
from domain.workflow_models import PowerRevision, PowerVersion

#: The power's own fields a version keeps (its unit and code never change).
SNAPSHOT_FIELDS = (
    "code", "name", "category", "exercise_mode", "description", "confidential", "confidentiality_reason",
    "confidentiality_basis", "disclosure_scope", "disclosure_form", "disclosure_timing", "disclosure_deadline",
    "fee_basis", "fee_standard", "time_limit", "time_limit_days", "online",
)  # fmt: skip
STEP_FIELDS = (
    "ordinal", "name", "kind", "condition", "time_limit", "time_limit_days", "supervision", "complaint_channel",
    "disclosure_note",
)  # fmt: skip


def county_day(at: datetime.datetime) -> datetime.date:
    """The county's date (Asia/Shanghai) of an instant."""
    return at.astimezone(COUNTY_TZ).date()


async def snapshots(powers: Sequence[Power], using_db: BaseDBAsyncClient | None = None) -> dict[int, dict[str, Any]]:
    """The powers as they stand, in a fixed number of queries: fields, bases (with the cited
    article's label and document title) and flow chart (steps with their 承办岗位, edges by ordinal)."""
    ids = [p.id for p in powers]
    bases: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for b in await PowerBasis.filter(power_id__in=ids).using_db(using_db).select_related("article__document"):
        bases[b.power_id].append(
            {
                "ordinal": b.ordinal, "note": b.note, "article_id": b.article_id, "article_label": b.article.label,
                "document_id": b.article.document_id, "document_title": b.article.document.title,
            }
        )  # fmt: skip
    charts = {c.power_id: c for c in await FlowChart.filter(power_id__in=ids).using_db(using_db)}
    chart_ids = [c.id for c in charts.values()]
    steps: dict[int, list[FlowStep]] = defaultdict(list)
    for s in await FlowStep.filter(chart_id__in=chart_ids).using_db(using_db):
        steps[s.chart_id].append(s)
    position_ids = {s.position_id for ss in steps.values() for s in ss if s.position_id}
    positions = dict(await Position.filter(id__in=position_ids).using_db(using_db).values_list("id", "name"))
    edges: dict[int, list[FlowEdge]] = defaultdict(list)
    for e in await FlowEdge.filter(chart_id__in=chart_ids).using_db(using_db):
        edges[e.chart_id].append(e)
    found: dict[int, dict[str, Any]] = {}
    for power in powers:
        chart = charts.get(power.id)
        snap: dict[str, Any] = {name: jsonable(getattr(power, name)) for name in SNAPSHOT_FIELDS}
        snap["bases"] = bases[power.id]
        snap["flow_chart"] = _chart(chart, steps, edges, positions) if chart else None
        found[power.id] = snap
    return found


def _chart(
    chart: FlowChart, steps: dict[int, list[FlowStep]], edges: dict[int, list[FlowEdge]], positions: dict[int, str]
) -> dict[str, Any]:
    ordinal = {s.id: s.ordinal for s in steps[chart.id]}
    return {
        "title": chart.title,
        "complaint_channel": chart.complaint_channel,
        "notes": chart.notes,
        "steps": [
            {**{n: jsonable(getattr(s, n)) for n in STEP_FIELDS}, "position": positions.get(s.position_id or 0, "")}
            for s in steps[chart.id]
        ],
        "edges": [
            {"source": ordinal.get(e.source_id), "target": ordinal.get(e.target_id), "label": e.label}
            for e in edges[chart.id]
        ],
    }


async def record_version(
    power: Power,
    *,
    at: datetime.datetime | None = None,
    revision: PowerRevision | None = None,
    using_db: BaseDBAsyncClient | None = None,
) -> PowerVersion:
    """A new published version of `power` as it now stands; the one before it is superseded."""
    at = at or now()
    on = county_day(at)
    await PowerVersion.filter(power_id=power.id, superseded_at__isnull=True).using_db(using_db).update(
        superseded_at=at, superseded_on=on
    )
    last = await PowerVersion.filter(power_id=power.id).using_db(using_db).order_by("-number").first()
    snap = (await snapshots([power], using_db))[power.id]
    return await PowerVersion.create(
        power_id=power.id, number=(last.number + 1) if last else 1, unit_id=power.unit_id, published_at=at,
        published_on=on, public=disclosed_publicly(power), scope=power.disclosure_scope, snapshot=snap,
        revision=revision, using_db=using_db,
    )  # fmt: skip


async def end_versions(power: Power, ended_as: PowerStatus, at: datetime.datetime) -> None:
    """废止 / 剔除: the version in force ends; it stays readable in the history."""
    await PowerVersion.filter(power_id=power.id, superseded_at__isnull=True).update(
        superseded_at=at, superseded_on=county_day(at),
        ended_as=ended_as,
    )  # fmt: skip


def as_of_q(day: datetime.date) -> Q:
    """The versions in force at the end of `day`: published by then, not yet superseded."""
    return Q(published_on__lte=day) & (Q(superseded_on__isnull=True) | Q(superseded_on__gt=day))


async def backfill(using_db: BaseDBAsyncClient | None = None, at: datetime.datetime | None = None) -> int:
    """Version 1 for every PUBLISHED power that has none (published before versions were kept), as
    published `at` (default: when the power last changed)."""
    have = set(await PowerVersion.all().using_db(using_db).values_list("power_id", flat=True))
    powers = [p for p in await Power.filter(status=PowerStatus.PUBLISHED).using_db(using_db) if p.id not in have]
    snaps = await snapshots(powers, using_db)
    rows = [
        PowerVersion(
            power_id=p.id, number=1, unit_id=p.unit_id, published_at=at or p.updated_at,
            published_on=county_day(at or p.updated_at),
            public=disclosed_publicly(p), scope=p.disclosure_scope, snapshot=snaps[p.id],
        )  # fmt: skip
        for p in powers
    ]
    await PowerVersion.bulk_create(rows, batch_size=200, using_db=using_db)
    return len(rows)
