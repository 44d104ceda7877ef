"""Dashboards (进度与统计) and the audit trail, for staff, inspectors and other county systems; the one mutation,
setStageDeadline, is in dashboard_mutations."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON
from tortoise.expressions import Q

from domain import access
from domain import models as m
from domain.functions import FunctionCounts, function_counts
from domain.statistics import progress_by_unit, stage_deadlines
from domain.workdays import today
from resolvers.ids import decode_id
from resolvers.pagination import paginate
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import PowerCategory, PowerStatus, ProgrammeStage, Role
from schema.node import page_args, to_connection
from schema.relay import Connection, encode_id


@strawberry.type
class StatusCount:
    status: PowerStatus
    count: int


@strawberry.type
class CategoryCount:
    category: PowerCategory
    count: int


@strawberry.type(description="A unit's progress through the programme, over the powers the caller may see.")
class UnitProgress:
    unit_id: strawberry.Private[int]
    total: int
    done: int = strawberry.field(description="published, or abolished / removed by the review")
    stage: ProgrammeStage = strawberry.field(description="the earliest stage one of its live powers is still in")
    stage_deadline: date | None = strawberry.field(description="the county's deadline of that stage, if set")
    behind_schedule: bool = strawberry.field(description="still in a stage whose deadline has passed")
    with_chart: int = strawberry.field(description="powers with a flow chart (一图)")
    by_status: list[StatusCount]
    by_category: list[CategoryCount]
    functions: int | None = strawberry.field(
        default=None, description="三定 functions of the unit (null for callers who may not see them: its staff and oversight roles do)"
    )
    functions_without_power: int | None = strawberry.field(
        default=None, description="四个对应, 不遗漏: its functions no live power of the unit (or its offices) carries out"
    )
    powers_without_function: int | None = strawberry.field(
        default=None, description="四个对应, 不越权: its live powers that carry out no function"
    )

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        unit = await info.context.loaders.unit_by_id.load(self.unit_id)
        assert unit is not None
        return Unit.from_model(unit)


def _function_counts(counts: FunctionCounts | None) -> dict[str, int | None]:
    if counts is None:
        return {}
    return {"functions": counts.functions, "functions_without_power": counts.without_power,
            "powers_without_function": counts.powers_without_function}  # fmt: skip


@strawberry.type(description="One entry of the append-only audit trail.")
class AuditEvent:
    id: strawberry.ID = strawberry.field(description="global id (AuditEvent)")
    number: int = strawberry.field(description="the event's place in the append-only trail (what `id` was before)")
    at: datetime
    actor: str
    role: Role
    action: str
    entity_type: str
    entity_id: str
    detail: JSON

    @classmethod
    def from_model(cls, e: m.AuditEvent) -> AuditEvent:
        return cls(
            id=encode_id("AuditEvent", e.id),
            number=e.id,
            at=e.at,
            actor=e.actor,
            role=e.role,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            detail=e.detail,
        )


@strawberry.input
class AuditEventFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action_prefix: str | None = strawberry.field(default=None, description="e.g. `power.` for every power action")
    since: datetime | None = None
    until: datetime | None = None


@strawberry.type(description="The county's deadline of one stage of the programme.")
class StageDeadline:
    stage: ProgrammeStage
    deadline: date


@strawberry.type
class DashboardQuery:
    @strawberry.field(description="the stage deadlines the county has set, in stage order")
    async def stage_deadlines(self) -> list[StageDeadline]:
        found = await stage_deadlines()
        return [StageDeadline(stage=s, deadline=found[s]) for s in ProgrammeStage if s in found]

    @strawberry.field(description="Per unit: visible powers by status and category, stage, charts (units without visible powers are left out)")
    async def unit_progress(self, info: Info, unit_ids: list[strawberry.ID] | None = None) -> list[UnitProgress]:
        ids = [decode_id(i, "Unit", field="unitIds") for i in unit_ids] if unit_ids is not None else None
        progress = await progress_by_unit(info.context.viewer, ids)
        deadlines, now = await stage_deadlines(), today()
        counts = await function_counts(info.context.viewer, sorted(progress))
        return [
            UnitProgress(
                unit_id=p.unit_id,
                total=p.total,
                done=p.done,
                stage=p.stage,
                stage_deadline=deadlines.get(p.stage),
                behind_schedule=p.behind_schedule(deadlines, now),
                with_chart=p.with_chart,
                by_status=[StatusCount(status=s, count=n) for s, n in sorted(p.by_status.items())],
                by_category=[CategoryCount(category=c, count=n) for c, n in sorted(p.by_category.items())],
                **_function_counts(counts.get(p.unit_id)),
            )
            for p in sorted(progress.values(), key=lambda p: p.unit_id)
        ]

    @strawberry.field(description="The audit trail, newest first (inspectors and admins)")
    async def audit_events(
        self, info: Info, filter: AuditEventFilter | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        access.require_audit_reader(info.context.viewer)
        q = Q()
        if filter is not None:
            for name in ("entity_type", "entity_id", "actor"):
                if getattr(filter, name):
                    q &= Q(**{name: getattr(filter, name)})
            if filter.action_prefix:
                q &= Q(action__startswith=filter.action_prefix)
            if filter.since:
                q &= Q(at__gte=filter.since)
            if filter.until:
                q &= Q(at__lt=filter.until)
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            m.AuditEvent.filter(q).order_by("-id"),
            first=limit,
            offset=offset,
            default=settings.default_page_size,
            maximum=settings.max_page_size,
        )
        return to_connection(page, AuditEvent.from_model)
