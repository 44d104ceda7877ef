"""动态管理 in the schema: revisions of published powers (PowerRevision), the versions they publish
(PowerVersion: a power's history and `catalogueAsOf`). Revisions are internal (the unit and
oversight); versions are read by whoever could read them when they were in force."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from tortoise.expressions import Q

from domain import access, versions
from domain import workflow_models as wm
from resolvers.ids import decode_id
from resolvers.pagination import paginate
from schema.catalogue.power import Confidentiality, ExerciseRules, Power
from schema.context import Info
from schema.enums import (
    DisclosureScope,
    DisclosureTiming,
    ExerciseMode,
    FlowStepKind,
    PowerCategory,
    PowerStatus,
    ReviewDecision,
    RevisionKind,
    RevisionStatus,
)
from schema.library.legal import LegalArticle
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, encode_id
from schema.workflow.reviews import Review, load_power


@strawberry.type(description="修订: a change to (or the withdrawal of) a published power, drafted on a copy and reviewed. Never public.")
class PowerRevision(Node):
    db_id: strawberry.Private[int]
    power_id: strawberry.Private[int]
    draft_id: strawberry.Private[int | None]
    review_id: strawberry.Private[int | None]
    kind: RevisionKind
    status: RevisionStatus
    reason: str = strawberry.field(description="修订理由, the 变更说明 the approval puts on record")
    proposed_decision: ReviewDecision | None = strawberry.field(description="ABOLISH or REMOVE for a withdrawal")
    opened_by: str
    opened_at: datetime
    closed_by: str
    closed_at: datetime | None
    version_number: int | None = strawberry.field(description="the published version it made, once approved")

    @classmethod
    def from_model(cls, r: wm.PowerRevision) -> PowerRevision:
        return cls(
            id=encode_id("PowerRevision", r.id), db_id=r.id, power_id=r.power_id, draft_id=r.draft_id,
            review_id=r.review_id, kind=r.kind, status=r.status, reason=r.reason, proposed_decision=r.proposed,
            opened_by=r.opened_by, opened_at=r.created_at, closed_by=r.closed_by, closed_at=r.closed_at,
            version_number=r.version,
        )  # fmt: skip

    @strawberry.field(description="the published power it revises")
    async def power(self, info: Info) -> Power | None:
        return await load_power(info, self.power_id)

    @strawberry.field(description="the working copy (a DRAFT power coded <code>.R<n>) to edit, declare and submit while the revision is open")
    async def draft(self, info: Info) -> Power | None:
        return await load_power(info, self.draft_id)

    @strawberry.field(description="the review round that decided it")
    async def review(self, info: Info) -> Review | None:
        if self.review_id is None:
            return None
        found = await info.context.loaders.review_by_id.load(self.review_id)
        return Review.from_model(found) if found else None


@strawberry.type(description="职权依据 of a published version, as cited then.")
class VersionBasis:
    ordinal: int
    note: str
    article_label: str = strawberry.field(description="第X条, as cited")
    document_title: str
    article_id: strawberry.Private[int]

    @strawberry.field(description="the cited article (null if it has left the library)")
    async def article(self, info: Info) -> LegalArticle | None:
        found = await info.context.loaders.article_by_id.load(self.article_id)
        return LegalArticle.from_model(found) if found else None


@strawberry.type(description="A step of a published version's flow chart.")
class VersionFlowStep:
    ordinal: int
    name: str
    kind: FlowStepKind
    condition: str
    position: str = strawberry.field(description="承办岗位, by name")
    time_limit: str
    time_limit_days: int | None
    supervision: str
    complaint_channel: str
    disclosure_note: str


@strawberry.type(description="程序与接口 of a published version's flow chart: from step `source` to step `target` (ordinals).")
class VersionFlowEdge:
    source: int | None
    target: int | None
    label: str


@strawberry.type(description="一图 of a published version, as published.")
class VersionFlowChart:
    title: str
    complaint_channel: str
    notes: str
    steps: list[VersionFlowStep]
    edges: list[VersionFlowEdge]


def _chart(data: dict[str, Any] | None) -> VersionFlowChart | None:
    if not data:
        return None
    return VersionFlowChart(
        title=data["title"], complaint_channel=data["complaint_channel"], notes=data["notes"],
        steps=[VersionFlowStep(**s) for s in data["steps"]], edges=[VersionFlowEdge(**e) for e in data["edges"]],
    )  # fmt: skip


@strawberry.type
class SnapshotFields:
    """What a published version and a 公示稿 show alike of a power as it stood (domain.versions.snapshots)."""

    snapshot: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def category(self) -> PowerCategory:
        return PowerCategory(self.snapshot["category"])  # type: ignore[misc]

    @strawberry.field
    def exercise_mode(self) -> ExerciseMode:
        return ExerciseMode(self.snapshot["exercise_mode"])  # type: ignore[misc]

    @strawberry.field
    def description(self) -> str:
        return self.snapshot["description"]

    @strawberry.field(description="行使规则 as they stood")
    def rules(self) -> ExerciseRules:
        s = self.snapshot
        return ExerciseRules(
            disclosure_scope=DisclosureScope(s["disclosure_scope"]),  # type: ignore[misc]
            disclosure_form=s["disclosure_form"],
            disclosure_timing=DisclosureTiming(s["disclosure_timing"]),  # type: ignore[misc]
            disclosure_deadline=s["disclosure_deadline"], fee_basis=s["fee_basis"], fee_standard=s["fee_standard"],
            time_limit=s["time_limit"], time_limit_days=s["time_limit_days"],
        )  # fmt: skip


@strawberry.type(description="One published version of a power, as the public saw it while it was in force.")
class PowerVersion(SnapshotFields, Node):
    power_id: strawberry.Private[int]
    number: int = strawberry.field(description="1 for the first publication")
    published_at: datetime
    published_on: date = strawberry.field(description="in force from this day")
    superseded_on: date | None = strawberry.field(description="in force until the day before this one; null while current")
    ended_as: PowerStatus | None = strawberry.field(description="ABOLISHED or REMOVED when a withdrawal ended it")

    @classmethod
    def from_model(cls, v: wm.PowerVersion) -> PowerVersion:
        return cls(
            id=encode_id("PowerVersion", v.id), power_id=v.power_id, snapshot=v.snapshot, number=v.number,
            published_at=v.published_at, published_on=v.published_on, superseded_on=v.superseded_on,
            ended_as=v.ended_as,
        )  # fmt: skip

    @strawberry.field
    def code(self) -> str:
        return self.snapshot["code"]

    @strawberry.field(description="职权全称 in this version")
    def name(self) -> str:
        return self.snapshot["name"]

    @strawberry.field(description="涉密不宜公开 in this version")
    def confidentiality(self) -> Confidentiality:
        s = self.snapshot
        return Confidentiality(
            confidential=s["confidential"], reason=s["confidentiality_reason"], basis=s["confidentiality_basis"]
        )

    @strawberry.field(description="职权依据 in this version, from the highest legal rank down")
    def bases(self) -> list[VersionBasis]:
        return [
            VersionBasis(
                ordinal=b["ordinal"], note=b["note"], article_label=b["article_label"],
                document_title=b["document_title"], article_id=b["article_id"],
            )  # fmt: skip
            for b in self.snapshot["bases"]
        ]

    @strawberry.field(description="一图 in this version")
    def flow_chart(self) -> VersionFlowChart | None:
        return _chart(self.snapshot.get("flow_chart"))

    @strawberry.field(description="the power now (null if hidden from the caller, e.g. once abolished)")
    async def power(self, info: Info) -> Power | None:
        return await load_power(info, self.power_id)


async def power_versions(info: Info, power_id: int) -> list[PowerVersion]:
    """A power's published versions the caller may read, oldest first."""
    return [PowerVersion.from_model(v) for v in await info.context.loaders.versions_by_power_id.load(power_id)]


async def power_revisions(info: Info, power_id: int) -> list[PowerRevision]:
    """A power's revisions, oldest first: its unit and oversight roles only."""
    return [PowerRevision.from_model(r) for r in await info.context.loaders.revisions_by_power_id.load(power_id)]


async def draft_revision(info: Info, draft_id: int) -> PowerRevision | None:
    found = await info.context.loaders.revision_by_draft_id.load(draft_id)
    return PowerRevision.from_model(found) if found else None


async def revision_node(info: Info, pk: int) -> PowerRevision | None:
    found = await wm.PowerRevision.filter(access.internal_q(info.context.viewer), id=pk).first()
    return PowerRevision.from_model(found) if found else None


async def version_node(info: Info, pk: int) -> PowerVersion | None:
    found = await wm.PowerVersion.filter(access.version_q(info.context.viewer), id=pk).first()
    return PowerVersion.from_model(found) if found else None


@strawberry.type
class RevisionQuery:
    @strawberry.field(
        description="一表 as it stood at the end of `date`: the published versions then in force the caller may read, by code"
    )
    async def catalogue_as_of(
        self, info: Info, date: date, unit_id: strawberry.ID | None = None, first: int | None = None, after: str | None = None
    ) -> Connection[PowerVersion]:
        q = access.version_q(info.context.viewer) & versions.as_of_q(date)
        if unit_id is not None:
            subtree = await info.context.loaders.unit_subtree(decode_id(unit_id, "Unit", field="unitId"))
            q &= Q(unit_id__in=sorted(subtree))
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            wm.PowerVersion.filter(q).order_by("power__code", "number"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, PowerVersion.from_model)
