"""The review workflow's types and queries: reviews with their opinions, the pre-review check,
change notices. None of it is public: reviews and notices answer as empty or not found. The lifecycle's
mutations are in reviews_mutations."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON
from tortoise.expressions import Q

from domain import access, lifecycle
from domain import change_notices as notices
from domain import workflow_models as wm
from domain.rules import Finding
from domain.workdays import today
from resolvers.pagination import paginate
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import ChangeNoticeStatus, ReviewDecision, ReviewOffice, RuleCode, Severity
from schema.library.legal import LegalArticle
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, decode_id, encode_id
from schema.workflow.leading_group import LeadingGroupMember, load_member

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


async def load_power(info: Info, power_id: int | None) -> Power | None:
    """A power by id through the request's visibility-checked loader; None if absent or hidden."""
    from schema.catalogue.power import Power

    power = await info.context.loaders.power_by_id.load(power_id) if power_id is not None else None
    return Power.from_model(power) if power else None


@strawberry.type(description="审核意见 of one reviewing office (县公开办、法制、保密、编办、物价).")
class ReviewOpinion:
    office: ReviewOffice
    recommendation: ReviewDecision | None = strawberry.field(description="the decision this office recommends")
    opinion: str
    reviewer: str
    updated_at: datetime

    @classmethod
    def from_model(cls, o: wm.ReviewOpinion) -> ReviewOpinion:
        return cls(
            office=o.office, recommendation=o.recommendation, opinion=o.opinion, reviewer=o.reviewer,
            updated_at=o.updated_at,
        )


@strawberry.type(description="清理审核: one round of a power through 申报, 审核 and 决定. Never public.")
class Review(Node):
    db_id: strawberry.Private[int]
    power_id: strawberry.Private[int]
    round: int = strawberry.field(description="1 for the first declaration, 2 after an ADJUST …")
    lead_opinion: str = strawberry.field(description="主要负责人签署意见")
    declared_by: str
    declared_at: datetime
    submitted_by: str
    submitted_at: datetime | None
    decision: ReviewDecision | None
    decision_reason: str = strawberry.field(description="审核意见")
    required_changes: str = strawberry.field(description="调整要求 (ADJUST)")
    decided_by: str
    decided_at: datetime | None
    approved_by: str = strawberry.field(description="领导小组审定: who approved the decision")
    approved_at: datetime | None = strawberry.field(description="when the decision took effect; null while it awaits approval")
    approval_opinion: str = strawberry.field(description="领导小组意见")
    approved_member_id: strawberry.Private[int | None] = None

    @classmethod
    def from_model(cls, r: wm.Review) -> Review:
        return cls(
            id=encode_id("Review", r.id), db_id=r.id, power_id=r.power_id, round=r.round,
            lead_opinion=r.lead_opinion, declared_by=r.declared_by, declared_at=r.declared_at,
            submitted_by=r.submitted_by, submitted_at=r.submitted_at, decision=r.decision,
            decision_reason=r.decision_reason, required_changes=r.required_changes,
            decided_by=r.decided_by, decided_at=r.decided_at, approved_by=r.approved_by, approved_at=r.approved_at,
            approval_opinion=r.approval_opinion, approved_member_id=r.approved_member_id,  # type: ignore[attr-defined]
        )  # fmt: skip

    @strawberry.field(description="领导小组审定: the group's member who approved, when the approving token was bound to one")
    async def approved_by_member(self, info: Info) -> LeadingGroupMember | None:
        return await load_member(info, self.approved_member_id)

    @strawberry.field(description="one opinion per reviewing office")
    async def opinions(self, info: Info) -> list[ReviewOpinion]:
        return [ReviewOpinion.from_model(o) for o in await info.context.loaders.opinions_by_review_id.load(self.db_id)]

    @strawberry.field
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)


@strawberry.type(description="A finding of the pre-review check (审核前自查).")
class RuleFinding:
    code: RuleCode
    severity: Severity = strawberry.field(description="BLOCKING findings refuse decisions (see `code`)")
    message: str
    power_id: strawberry.Private[int]
    article_ids: strawberry.Private[tuple[int, ...]]
    other_power_id: strawberry.Private[int | None]
    other_unit_id: strawberry.Private[int | None]

    @classmethod
    def from_finding(cls, f: Finding) -> RuleFinding:
        return cls(
            code=f.code, severity=f.severity, message=f.message, power_id=f.power_id, article_ids=f.article_ids,
            other_power_id=f.other_power_id, other_unit_id=f.other_unit_id,
        )

    @strawberry.field
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)

    @strawberry.field(description="the bases concerned (no longer or not yet in force)")
    async def articles(self, info: Info) -> list[LegalArticle]:
        found = await info.context.loaders.article_by_id.load_many(list(self.article_ids))
        return [LegalArticle.from_model(a) for a in found if a is not None]

    @strawberry.field(description="职责不清: the other unit's power (null if hidden from the caller)")
    async def conflicting_power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.other_power_id)

    @strawberry.field(description="职责不清: the other unit claiming the power (null, as conflictingPower, when that power is hidden from the caller)")
    async def conflicting_unit(self, info: Info) -> Unit | None:
        unit = await info.context.loaders.unit_by_id.load(self.other_unit_id) if self.other_unit_id else None
        return Unit.from_model(unit) if unit else None


@strawberry.type(description="审核前自查: what the rules find in a power or a whole unit before it is declared.")
class PreReviewReport:
    checked_count: int = strawberry.field(description="powers checked")
    blocking_count: int = strawberry.field(description="findings that refuse a decision until fixed")
    findings: list[RuleFinding]


@strawberry.type(description="One change a change notice explains.")
class ChangeEntry:
    action: str = strawberry.field(description="power.update, basis.create, flow_step.update …")
    at: str
    by: str
    detail: JSON


@strawberry.type(description="变更说明: changes to a published power, explained within 20 working days. Never public.")
class ChangeNotice(Node):
    power_id: strawberry.Private[int]
    status: ChangeNoticeStatus
    opened_on: date
    due_on: date = strawberry.field(description="20 Chinese working days after openedOn")
    due_provisional: bool = strawberry.field(
        description="the due date counted weekends alone in a year without a holiday table; it is recounted when one is loaded"
    )
    explanation: str = strawberry.field(description="变更说明")
    explained_by: str
    explained_at: datetime | None
    review_opinion: str
    reviewed_by: str
    reviewed_at: datetime | None
    changes: list[ChangeEntry]

    @classmethod
    def from_model(cls, n: wm.ChangeNotice) -> ChangeNotice:
        entries: list[dict[str, Any]] = n.changes or []
        return cls(
            id=encode_id("ChangeNotice", n.id), power_id=n.power_id, status=n.status, opened_on=n.opened_on,
            due_on=n.due_on, due_provisional=n.due_provisional, explanation=n.explanation,
            explained_by=n.explained_by, explained_at=n.explained_at, review_opinion=n.review_opinion,
            reviewed_by=n.reviewed_by, reviewed_at=n.reviewed_at,
            changes=[ChangeEntry(action=e["action"], at=e["at"], by=e["by"], detail=e.get("detail", {})) for e in entries],
        )  # fmt: skip

    @strawberry.field(description="unexplained after its due date")
    def overdue(self) -> bool:
        return self.status in notices.UNEXPLAINED and self.due_on < today()

    @strawberry.field
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)


@strawberry.input(description="Filters of `changeNotices`.")
class ChangeNoticeFilter:
    statuses: list[ChangeNoticeStatus] | None = None
    overdue: bool | None = strawberry.field(default=None, description="true: only unexplained past their due date")
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")
    power_id: strawberry.ID | None = None


@strawberry.type
class WorkflowQuery:
    @strawberry.field(description="审核前自查 of one power or of a whole unit (with its offices): give exactly one.")
    async def pre_review_check(
        self, info: Info, power_id: strawberry.ID | None = None, unit_id: strawberry.ID | None = None
    ) -> PreReviewReport:
        report = await lifecycle.pre_review(
            info.context.viewer,
            power_id=decode_id(power_id, "Power", "powerId") if power_id else None,
            unit_id=decode_id(unit_id, "Unit", "unitId") if unit_id else None,
        )
        findings = [RuleFinding.from_finding(f) for f in report.findings]
        return PreReviewReport(
            checked_count=len(report.power_ids),
            blocking_count=sum(f.severity == Severity.BLOCKING for f in findings),
            findings=findings,
        )

    @strawberry.field(description="变更说明 the caller may see (their unit's, or all for reviewers), newest first")
    async def change_notices(
        self, info: Info, first: int | None = None, after: str | None = None, filter: ChangeNoticeFilter | None = None
    ) -> Connection[ChangeNotice]:
        f = filter or ChangeNoticeFilter()
        unit_ids = None
        if f.unit_id is not None:
            unit_ids = await access.unit_subtree_ids(decode_id(f.unit_id, "Unit", "filter.unitId"))
        q: Q = notices.notices_q(
            info.context.viewer,
            statuses=f.statuses,
            overdue=f.overdue,
            unit_ids=unit_ids,
            power_id=decode_id(f.power_id, "Power", "filter.powerId") if f.power_id else None,
        )
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            wm.ChangeNotice.filter(q).order_by("-opened_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )
        return to_connection(page, ChangeNotice.from_model)
