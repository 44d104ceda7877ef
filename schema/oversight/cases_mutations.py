"""网上审批 as mutations: applyOnline (anyone, no token needed, rate-limited per client address, attachments as
GraphQL multipart uploads), registerCounterApplication (the unit's staff, 便民服务大厅), and for the posts' staff
moveCase, suspendCase, resumeCase, closeCase. The types and queries are in schema.oversight.cases."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from domain import cases as rules
from domain.enums import CaseChannel as CaseChannelModel
from domain.errors import DomainError
from domain.workdays import today
from schema.context import Info
from schema.enums import CaseOutcome
from schema.errors import ValidationErrors
from schema.mutation_base import pk
from schema.oversight.cases import Case, CaseReceipt
from schema.oversight.supervision_mutations import RateLimitedError, anonymous_limit
from schema.relay import encode_id
from schema.workflow.reviews_mutations import refused, workflow_result

#: The rate limiter's scope: applications are counted apart from complaints, with the same limit and window.
SCOPE = "application"


@strawberry.input(
    description="申请: a published public power of 许可/给付/确认/奖励/裁决 (or marked 可网上办理); the applicant's name and "
    "contact are shown only to the unit and oversight."
)
class ApplyInput:
    power_id: strawberry.ID
    request: str = strawberry.field(description="申请事项, up to 2000 characters")
    applicant_name: str = strawberry.field(description="申请人姓名或者名称, up to 100 characters")
    applicant_contact: str = strawberry.field(description="联系方式 (phone, e-mail or address), up to 100 characters")


@strawberry.input(description="办结: the result, its reasons and legal basis.")
class CloseCaseInput:
    outcome: CaseOutcome
    reasons: str = strawberry.field(description="决定理由")
    legal_basis: str = strawberry.field(description="法律依据")


CaseResult = workflow_result("CaseResult", Case)
CounterApplicationResult = workflow_result("CounterApplicationResult", CaseReceipt)
ApplyResult = Annotated[CaseReceipt | ValidationErrors | RateLimitedError, strawberry.union("ApplyResult")]


async def _apply(info: Info, input: ApplyInput, files: list[Upload] | None, channel: CaseChannelModel) -> CaseReceipt:
    max_bytes = info.context.settings.attachment_max_bytes
    attachments = []
    for f in (files or [])[: rules.MAX_ATTACHMENTS + 1]:
        # one byte over the limit is enough to refuse the file
        attachments.append(rules.Attachment(filename=getattr(f, "filename", "") or "", data=await f.read(max_bytes + 1)))
    data = rules.ApplicationData(
        power_id=pk(input.power_id, "Power", "powerId"), request=input.request, applicant_name=input.applicant_name,
        applicant_contact=input.applicant_contact, attachments=attachments,
    )  # fmt: skip
    case = await rules.file_application(info.context.viewer, data, channel=channel, max_bytes=max_bytes, on=today())
    start = rules.step_of(case.chart, case.current_step)
    return CaseReceipt(
        id=encode_id("CaseReceipt", case.id), case_id=encode_id("Case", case.id), received_on=case.received_on, current_step=start["name"] if start else "",
        receipt_code=case.receipt_code,  # type: ignore[attr-defined]
    )  # fmt: skip


@strawberry.type
class CaseMutations:
    @strawberry.mutation(
        description="在线申请: anyone, no token needed; without a token limited per client address (the complaint limit "
        "and window, counted apart). Attachments (at most 5: PDF, PNG, JPEG or .docx, each within the server's "
        "attachment size) as GraphQL multipart uploads."
    )
    async def apply_online(
        self, info: Info, input: ApplyInput, attachments: list[Upload] | None = None
    ) -> ApplyResult:
        ctx = info.context
        limiter = dataclasses.replace(ctx.complaint_limiter, scope=SCOPE) if ctx.complaint_limiter else None
        if refusal := await anonymous_limit(info, limiter, "申请", "applications"):
            return refusal
        try:
            return await _apply(info, input, attachments, CaseChannelModel.ONLINE)
        except DomainError as exc:
            result = refused(exc)
            assert isinstance(result, ValidationErrors)  # applying refuses nothing but its input
            return result

    @strawberry.mutation(
        description="窗口登记 (便民服务大厅): the unit's staff register an application received at the counter."
    )
    async def register_counter_application(
        self, info: Info, input: ApplyInput, attachments: list[Upload] | None = None
    ) -> CounterApplicationResult:
        try:
            return await _apply(info, input, attachments, CaseChannelModel.COUNTER)
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(
        description="转入下一环节: along an edge of the case's chart from its current step (toStep: a key of the chart's "
        "steps), with an opinion; by the staff of the unit holding the current step's post. Off the chart: refused."
    )
    async def move_case(self, info: Info, id: strawberry.ID, to_step: int, opinion: str) -> CaseResult:
        try:
            return Case.from_model(await rules.move_case(info.context.viewer, pk(id, "Case"), to_step, opinion))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="补正: the case waits for the applicant's supplement; its clock stops.")
    async def suspend_case(self, info: Info, id: strawberry.ID, reason: str) -> CaseResult:
        try:
            return Case.from_model(await rules.suspend_case(info.context.viewer, pk(id, "Case"), reason))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="补正 received: the case runs again from its step; its clock restarts.")
    async def resume_case(self, info: Info, id: strawberry.ID) -> CaseResult:
        try:
            return Case.from_model(await rules.resume_case(info.context.viewer, pk(id, "Case")))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(
        description="办结 at a final step of the chart: 准予 / 不予 with reasons and legal basis; the 附7 record gets the "
        "result, disclosed in the power's 公开范围."
    )
    async def close_case(self, info: Info, id: strawberry.ID, input: CloseCaseInput) -> CaseResult:
        try:
            decision = rules.Decision(outcome=input.outcome, reasons=input.reasons, legal_basis=input.legal_basis)  # type: ignore[arg-type]
            return Case.from_model(await rules.close_case(info.context.viewer, pk(id, "Case"), decision))
        except DomainError as exc:
            return refused(exc)
