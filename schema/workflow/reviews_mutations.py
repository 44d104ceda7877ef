"""The lifecycle as mutations: declarePower, submitPowerForReview, recordReviewOpinion, decidePower,
publishPower (and their batch forms declarePowers … publishPowers, each power with its own result);
explainChangeNotice, reviewChangeNotice; loadHolidayYear. Each validates, calls one domain action
(domain.lifecycle, domain.change_notices, domain.workdays) and returns the changed object or a typed
error, IllegalTransitionError included."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, Any

import strawberry

from domain import change_notices as notices
from domain import lifecycle, workdays
from domain.access import Viewer
from domain.errors import DomainError, FieldError, IllegalTransition, ValidationFailed
from domain.models import Power as PowerModel
from schema.catalogue.power import Power
from schema.context import Info
from schema.enums import ReviewDecision, ReviewOffice
from schema.errors import IllegalTransitionError, NotFoundError, PermissionDeniedError, ValidationErrors
from schema.mutation_base import failure, pk
from schema.workflow.reviews import ChangeNotice, Review

#: What a workflow step answers when it is refused.
Refusal = ValidationErrors | NotFoundError | PermissionDeniedError | IllegalTransitionError


def workflow_result(name: str, node: type) -> Any:
    """The union a lifecycle mutation returns: the object, or a typed error."""
    return Annotated[node | Refusal, strawberry.union(name)]


def refused(exc: DomainError) -> Refusal:
    if isinstance(exc, IllegalTransition):
        return IllegalTransitionError(message=exc.message, action=exc.action, current_status=exc.status)
    return failure(exc)


@strawberry.type(description="A year's holiday table as loaded.")
class HolidayYear:
    year: int
    holidays: int = strawberry.field(description="days off (法定节假日 and the weekends around them)")
    workdays: int = strawberry.field(description="make-up working days (调休上班)")
    loaded_by: str
    source: str


PowerStepResult = workflow_result("PowerStepResult", Power)
#: Powers one batch step takes: each is its own transaction, so a batch is bounded like a page.
BATCH_LIMIT = 100


async def one_power(global_id: strawberry.ID, field: str, step: Callable[[int], Awaitable[PowerModel]]) -> Power | Refusal:
    """A lifecycle step on one power: the power as it now stands, or why it was refused."""
    try:
        return Power.from_model(await step(pk(global_id, "Power", field)))
    except DomainError as exc:
        return refused(exc)


async def each_power(ids: list[strawberry.ID], step: Callable[[int], Awaitable[PowerModel]]) -> list[Power | Refusal]:
    """A lifecycle step on each power in turn, in its own transaction: one refusal stops none of the others."""
    if len(ids) > BATCH_LIMIT:
        too_many = ValidationFailed([FieldError("ids", f"一次最多 {BATCH_LIMIT} 项 (at most {BATCH_LIMIT} powers)", "too_many")])
        return [refused(too_many)]
    return [await one_power(global_id, f"ids.{i}", step) for i, global_id in enumerate(ids)]
ReviewResult = workflow_result("ReviewResult", Review)
ChangeNoticeResult = workflow_result("ChangeNoticeResult", ChangeNotice)
HolidayYearResult = workflow_result("HolidayYearResult", HolidayYear)


@strawberry.input(description="The opinion of one reviewing office.")
class ReviewOpinionInput:
    office: ReviewOffice
    opinion: str
    recommendation: ReviewDecision | None = None

    def to_data(self) -> lifecycle.OpinionData:
        return lifecycle.OpinionData(self.office, self.opinion, self.recommendation)  # type: ignore[arg-type]


@strawberry.input(description="审核决定; opinions given here (县公开办's own) join those already recorded: all five offices are needed.")
class DecidePowerInput:
    decision: ReviewDecision
    reason: str = strawberry.field(default="", description="审核意见")
    required_changes: str = strawberry.field(default="", description="调整要求, required for ADJUST")
    opinions: list[ReviewOpinionInput] = strawberry.field(default_factory=list)

    async def decide(self, viewer: Viewer, power_id: int) -> PowerModel:
        return await lifecycle.decide(
            viewer, power_id, self.decision, reason=self.reason, required_changes=self.required_changes,  # type: ignore[arg-type]
            opinions=[o.to_data() for o in self.opinions],
        )  # fmt: skip


@strawberry.input(description="One day of a holiday table: a day off, or a make-up working day (调休).")
class HolidayDayInput:
    day: date
    workday: bool = strawberry.field(default=False, description="true for a make-up working day")
    name: str = ""


@strawberry.input(description="A year's holiday table, as the State Council publishes it; replaces any loaded before.")
class LoadHolidayYearInput:
    year: int
    days: list[HolidayDayInput]
    source: str = strawberry.field(default="", description="e.g. 国办发明电〔2026〕x号")


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(description="确认申报: the unit's lead (UNIT_LEAD) signs a DRAFT power off; it becomes DECLARED.")
    async def declare_power(self, info: Info, id: strawberry.ID, lead_opinion: str) -> PowerStepResult:
        return await one_power(id, "id", lambda power_id: lifecycle.declare(info.context.viewer, power_id, lead_opinion))

    @strawberry.mutation(description="报送审核: the unit sends a DECLARED power to 县公开办; it becomes IN_REVIEW.")
    async def submit_power_for_review(self, info: Info, id: strawberry.ID) -> PowerStepResult:
        return await one_power(id, "id", lambda power_id: lifecycle.submit(info.context.viewer, power_id))

    @strawberry.mutation(description="A reviewing office's opinion on a power IN_REVIEW (a REVIEWER holding that office's seat); replaces that office's earlier one.")
    async def record_review_opinion(self, info: Info, power_id: strawberry.ID, input: ReviewOpinionInput) -> ReviewResult:
        try:
            review = await lifecycle.record_opinion(info.context.viewer, pk(power_id, "Power", "powerId"), input.to_data())
        except DomainError as exc:
            return refused(exc)
        return Review.from_model(review)

    @strawberry.mutation(
        description="审核决定 on a power IN_REVIEW (a REVIEWER holding the OPENNESS_OFFICE seat, 县公开办): RETAIN/FILE → "
        "APPROVED, ADJUST → DRAFT, ABOLISH, REMOVE once the leading group approves it (approvePowerDecision)."
    )
    async def decide_power(self, info: Info, id: strawberry.ID, input: DecidePowerInput) -> PowerStepResult:
        return await one_power(id, "id", lambda power_id: input.decide(info.context.viewer, power_id))

    @strawberry.mutation(
        description="领导小组审定 (a REVIEWER holding the LEADING_GROUP seat): approve 县公开办's decision on a power "
        "IN_REVIEW, which then takes effect, or return it (approve: false) with an opinion for 县公开办 to decide again."
    )
    async def approve_power_decision(
        self, info: Info, id: strawberry.ID, approve: bool, opinion: str = ""
    ) -> PowerStepResult:
        return await one_power(id, "id", lambda power_id: lifecycle.approve(info.context.viewer, power_id, approve, opinion))

    @strawberry.mutation(description=f"领导小组审定 of up to {BATCH_LIMIT} decisions, each with its own result.")
    async def approve_power_decisions(
        self, info: Info, ids: list[strawberry.ID], approve: bool, opinion: str = ""
    ) -> list[PowerStepResult]:
        viewer = info.context.viewer
        return await each_power(ids, lambda power_id: lifecycle.approve(viewer, power_id, approve, opinion))

    @strawberry.mutation(description="公开运行: an APPROVED power is PUBLISHED (the unit's lead, a reviewer or an admin).")
    async def publish_power(self, info: Info, id: strawberry.ID) -> PowerStepResult:
        return await one_power(id, "id", lambda power_id: lifecycle.publish(info.context.viewer, power_id))

    @strawberry.mutation(description=f"确认申报 of up to {BATCH_LIMIT} powers at once, each with its own result (in the order given).")
    async def declare_powers(self, info: Info, ids: list[strawberry.ID], lead_opinion: str) -> list[PowerStepResult]:
        viewer = info.context.viewer
        return await each_power(ids, lambda power_id: lifecycle.declare(viewer, power_id, lead_opinion))

    @strawberry.mutation(description=f"报送审核 of up to {BATCH_LIMIT} DECLARED powers, each with its own result.")
    async def submit_powers_for_review(self, info: Info, ids: list[strawberry.ID]) -> list[PowerStepResult]:
        viewer = info.context.viewer
        return await each_power(ids, lambda power_id: lifecycle.submit(viewer, power_id))

    @strawberry.mutation(description=f"One 审核决定 for up to {BATCH_LIMIT} powers IN_REVIEW, each checked and decided on its own.")
    async def decide_powers(self, info: Info, ids: list[strawberry.ID], input: DecidePowerInput) -> list[PowerStepResult]:
        return await each_power(ids, lambda power_id: input.decide(info.context.viewer, power_id))

    @strawberry.mutation(description=f"公开运行 of up to {BATCH_LIMIT} APPROVED powers, each with its own result.")
    async def publish_powers(self, info: Info, ids: list[strawberry.ID]) -> list[PowerStepResult]:
        viewer = info.context.viewer
        return await each_power(ids, lambda power_id: lifecycle.publish(viewer, power_id))

    @strawberry.mutation(description="变更说明: the unit explains the changes of an OPEN or RETURNED notice.")
    async def explain_change_notice(self, info: Info, id: strawberry.ID, explanation: str) -> ChangeNoticeResult:
        try:
            notice = await notices.explain(info.context.viewer, pk(id, "ChangeNotice"), explanation)
        except DomainError as exc:
            return refused(exc)
        return ChangeNotice.from_model(notice)

    @strawberry.mutation(description="县公开办 (a reviewer of its seat) accepts an EXPLAINED notice, or returns it with an opinion.")
    async def review_change_notice(
        self, info: Info, id: strawberry.ID, accept: bool, opinion: str = ""
    ) -> ChangeNoticeResult:
        try:
            notice = await notices.review(info.context.viewer, pk(id, "ChangeNotice"), accept, opinion)
        except DomainError as exc:
            return refused(exc)
        return ChangeNotice.from_model(notice)

    @strawberry.mutation(description="Load a year's holiday table (ADMIN); provisional due dates are recounted.")
    async def load_holiday_year(self, info: Info, input: LoadHolidayYearInput) -> HolidayYearResult:
        days = [workdays.HolidayDay(d.day, d.workday, d.name.strip()) for d in input.days]
        try:
            table = await workdays.load_holiday_year(info.context.viewer, input.year, days, input.source)
        except DomainError as exc:
            return refused(exc)
        return HolidayYear(
            year=table.year, holidays=sum(not d.workday for d in days), workdays=sum(d.workday for d in days),
            loaded_by=table.loaded_by, source=table.source,
        )
