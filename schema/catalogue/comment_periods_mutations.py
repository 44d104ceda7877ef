"""公示 and 征求意见 as mutations: openCommentPeriod and closeCommentPeriod (the unit), commentOnDraft (anyone,
no token needed, rate-limited per client address without one), moderateComment (the unit)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain import comment_periods as rules
from domain.errors import DomainError, NotFound
from qingquan.ratelimit import RateLimiter
from schema.catalogue.comment_periods import CommentPeriod, PublicComment
from schema.context import Info
from schema.enums import CommentAction, CommentHiddenReason, CommentStatus
from schema.errors import NotFoundError, ValidationErrors
from schema.mutation_base import failure, pk
from schema.oversight.supervision_mutations import RateLimitedError, anonymous_limit
from schema.relay import encode_id
from schema.workflow.reviews_mutations import refused, workflow_result

CommentPeriodResult = workflow_result("CommentPeriodResult", CommentPeriod)
PublicCommentResult = workflow_result("PublicCommentResult", PublicComment)


@strawberry.input(description="公示: draft powers of one unit (its offices included) put up for public comment.")
class OpenCommentPeriodInput:
    unit_id: strawberry.ID
    power_ids: list[strawberry.ID] = strawberry.field(description="DRAFT powers, none confidential, at most 200")
    title: str = strawberry.field(description="公示标题, up to 200 characters")
    workdays: int = strawberry.field(description="length in working days, 1 to 60: gives the end date")
    starts_on: date | None = strawberry.field(default=None, description="first day; today (county date) when left out")


@strawberry.input(description="意见 on a 公示稿 during its period; name and contact are optional and never shown to the public.")
class CommentOnDraftInput:
    draft_id: strawberry.ID
    body: str = strawberry.field(description="意见内容, up to 2000 characters")
    commenter_name: str = strawberry.field(default="", description="姓名 (only the unit and oversight see it)")
    commenter_contact: str = strawberry.field(default="", description="联系方式 (only the unit and oversight see it)")


@strawberry.input(description="What the unit does with a comment: PUBLISH; ANSWER (published with `answer`); HIDE (`hiddenReason`, `note`).")
class ModerateCommentInput:
    action: CommentAction
    answer: str = ""
    hidden_reason: CommentHiddenReason | None = None
    note: str = strawberry.field(default="", description="说明, beside the reason of HIDE")


@strawberry.type(description="回执 of a comment: it is shown once the unit has published or answered it.")
class CommentReceived:
    id: strawberry.ID = strawberry.field(description="this receipt's own global id")
    comment_id: strawberry.ID = strawberry.field(description="the comment's global id (a PublicComment once shown)")
    status: CommentStatus
    received_on: date
    message: str


CommentOnDraftResult = Annotated[
    CommentReceived | ValidationErrors | NotFoundError | RateLimitedError, strawberry.union("CommentOnDraftResult")
]


@strawberry.type
class CommentPeriodMutations:
    @strawberry.mutation(description="公示: freeze a 公示稿 of each DRAFT power and open the period (the unit's staff or an admin).")
    async def open_comment_period(self, info: Info, input: OpenCommentPeriodInput) -> CommentPeriodResult:
        try:
            data = rules.PeriodData(
                unit_id=pk(input.unit_id, "Unit", "unitId"),
                power_ids=[pk(p, "Power", f"powerIds.{i}") for i, p in enumerate(input.power_ids[: rules.MAX_POWERS + 1])],
                title=input.title, workdays=input.workdays, starts_on=input.starts_on,
            )  # fmt: skip
            return CommentPeriod.from_model(await rules.open_period(info.context.viewer, data))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="提前结束 a period: the public no longer sees its 公示稿 (the unit's staff or an admin).")
    async def close_comment_period(self, info: Info, id: strawberry.ID, reason: str = "") -> CommentPeriodResult:
        try:
            return CommentPeriod.from_model(await rules.close_period(info.context.viewer, pk(id, "CommentPeriod"), reason))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="意见 on a 公示稿 during its period: anyone, no token needed; without a token limited per client address.")
    async def comment_on_draft(self, info: Info, input: CommentOnDraftInput) -> CommentOnDraftResult:
        ctx = info.context
        limiter = RateLimiter(ctx.settings.comment_rate_limit, ctx.settings.comment_rate_window, scope="comment")
        if refusal := await anonymous_limit(info, limiter, "提交意见", "comments"):
            return refusal
        try:
            data = rules.CommentData(
                draft_id=pk(input.draft_id, "CommentDraft", "draftId"), body=input.body,
                commenter_name=input.commenter_name, commenter_contact=input.commenter_contact,
            )  # fmt: skip
            c = await rules.file_comment(ctx.viewer, data)
        except NotFound as exc:
            return NotFoundError(message=exc.message)
        except DomainError as exc:
            result = failure(exc)
            assert isinstance(result, ValidationErrors)  # commenting refuses nothing but its input
            return result
        return CommentReceived(
            id=encode_id("CommentReceived", c.id), comment_id=PublicComment.from_model(c).id,  # type: ignore[arg-type]
            status=c.status, received_on=c.received_on,  # type: ignore[arg-type]
            message="意见已收到，经单位审核后公开 (received: shown once the unit publishes it)",
        )

    @strawberry.mutation(description="公开, 答复 or 不予公开 a comment (the unit's staff or an admin).")
    async def moderate_comment(self, info: Info, id: strawberry.ID, input: ModerateCommentInput) -> PublicCommentResult:
        try:
            m = rules.Moderation(
                action=input.action, answer=input.answer, hidden_reason=input.hidden_reason, note=input.note  # type: ignore[arg-type]
            )
            return PublicComment.from_model(await rules.moderate(info.context.viewer, pk(id, "PublicComment"), m))
        except DomainError as exc:
            return refused(exc)
