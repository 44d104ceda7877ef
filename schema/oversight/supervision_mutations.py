"""Oversight as mutations: recordDisclosure; createOperationRecord, advanceOperationRecord,
startOperationStep, finishOperationStep; fileComplaint (no token needed, rate-limited per client
address), acceptComplaint, rejectComplaint, handleComplaint, answerComplaint; recordInspection.
Each validates, calls one domain action and returns the changed object or a typed error."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain import complaints, disclosures, inspections, operations
from domain import models as m
from domain.errors import DomainError
from domain.workdays import today
from qingquan.ratelimit import RateLimiter
from schema.context import Info
from schema.enums import (
    DisclosureChannel,
    DisclosureScope,
    DisclosureTiming,
    InspectionKind,
    InspectionMethod,
    Network,
    OperationStage,
)
from schema.errors import ValidationErrors
from schema.mutation_base import optional_pk, pk
from schema.oversight.records import DisclosureRecord, OperationRecord
from schema.oversight.supervision import Complaint, Inspection, OperationStep
from schema.relay import encode_id
from schema.workflow.reviews_mutations import refused, workflow_result

DisclosureRecordResult = workflow_result("DisclosureRecordResult", DisclosureRecord)
OperationRecordResult = workflow_result("OperationRecordResult", OperationRecord)
OperationStepResult = workflow_result("OperationStepResult", OperationStep)
ComplaintResult = workflow_result("ComplaintResult", Complaint)
InspectionResult = workflow_result("InspectionResult", Inspection)


@strawberry.type(description="Too many requests from this client address; nothing was changed.")
class RateLimitedError:
    message: str
    retry_after_seconds: int


async def anonymous_limit(info: Info, limiter: RateLimiter | None, zh: str, en: str) -> RateLimitedError | None:
    """A caller without a token is limited per client address (signed-in callers are not): the refusal, if
    this hit is one too many, else None."""
    ctx = info.context
    if ctx.viewer.token_id is not None or limiter is None:
        return None
    wait = await limiter.hit(ctx.client_ip)
    if wait is None:
        return None
    return RateLimitedError(
        message=f"{zh}过于频繁，请稍后再试 (too many {en} from this address)", retry_after_seconds=max(int(wait + 0.999), 1)
    )


@strawberry.type(description="回执: what the complainant keeps — no token is needed to file.")
class ComplaintReceipt:
    id: strawberry.ID = strawberry.field(description="this receipt's own global id")
    complaint_id: strawberry.ID = strawberry.field(
        description="the complaint's number (its global id), to quote when asking after it (complaintByReceipt)"
    )
    received_on: date
    accept_due_on: date = strawberry.field(description="受理 or 不予受理 is decided by this day (5 working days)")
    due_provisional: bool
    receipt_code: str = strawberry.field(
        description="查询码: shown this once; with the number it follows the complaint (complaintByReceipt)"
    )


FileComplaintResult = Annotated[
    ComplaintReceipt | ValidationErrors | RateLimitedError, strawberry.union("FileComplaintResult")
]


@strawberry.input(description="公开记录 of a published power; name the exercise it discloses (operationId) for TIMELY disclosure.")
class RecordDisclosureInput:
    power_id: strawberry.ID
    scope: DisclosureScope
    timing: DisclosureTiming
    channel: DisclosureChannel
    content: str
    disclosed_on: date
    operation_id: strawberry.ID | None = strawberry.field(
        default=None, description="the OperationRecord disclosed; none for the catalogue or a batch of results"
    )


@strawberry.input(description="附7: an exercise of a published power, starting with its decision (决策).")
class CreateOperationRecordInput:
    power_id: strawberry.ID
    subject: str = strawberry.field(description="办理事项")
    handler: str = strawberry.field(description="经办人")
    decision: str = strawberry.field(description="决策情况")
    decided_on: date
    applicant: str = strawberry.field(default="", description="当事人 (personal data)")
    scope: DisclosureScope | None = strawberry.field(default=None, description="公开范围; the power's when left out")
    network: Network | None = strawberry.field(
        default=None, description="七大网络, when the exercise runs in one (a penalty or an inspection may not)"
    )


@strawberry.input(description="The next stage of an exercise: EXECUTION after DECISION, RESULT after EXECUTION.")
class AdvanceOperationRecordInput:
    to: OperationStage
    text: str = strawberry.field(description="执行情况 or 办理结果")
    on: date = strawberry.field(description="执行日期 or 办结日期")
    handler: str = strawberry.field(default="", description="经办人 of this stage; unchanged when empty")


@strawberry.input(description="An exercise enters a step of its power's flow chart.")
class StartOperationStepInput:
    flow_step_id: strawberry.ID
    started_on: date
    handler: str = strawberry.field(description="经办人")
    note: str = ""


@strawberry.input(description="投诉: name a power (one you can see) or a unit; name and phone are optional (匿名).")
class FileComplaintInput:
    subject: str = strawberry.field(description="投诉事项, up to 200 characters")
    content: str = strawberry.field(description="投诉内容")
    power_id: strawberry.ID | None = None
    unit_id: strawberry.ID | None = None
    complainant_name: str = strawberry.field(default="", description="投诉人 (shown only to the unit and oversight)")
    complainant_phone: str = strawberry.field(default="", description="联系电话 (shown only to the unit and oversight)")


@strawberry.input(
    description="检查验收 / 绩效评估 of a unit, or of a power or network (of the unit it belongs to); the grade follows "
    "from the score. Name a unit, a power, a network, or (for 民意测验) a survey."
)
class RecordInspectionInput:
    kind: InspectionKind
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="the unit inspected")
    inspected_on: date
    findings: str = strawberry.field(description="发现的问题")
    score: int = strawberry.field(description="0 to 100")
    follow_up: str = strawberry.field(default="", description="整改要求")
    method: InspectionMethod = strawberry.field(default=InspectionMethod.OPEN, description="明查, 暗访, 专项检查 or 民意测验")
    power_id: strawberry.ID | None = strawberry.field(default=None, description="a power inspected (the inspection is of its unit)")
    network: Network | None = strawberry.field(default=None, description="a network inspected (of its lead unit, unless a unit is named)")
    survey_id: strawberry.ID | None = strawberry.field(default=None, description="the 民意测验 a SURVEY inspection rests on")


@strawberry.type
class OversightMutations:
    @strawberry.mutation(description="公开记录 of a published power (the unit's staff).")
    async def record_disclosure(self, info: Info, input: RecordDisclosureInput) -> DisclosureRecordResult:
        try:
            data = disclosures.DisclosureData(
                power_id=pk(input.power_id, "Power", "powerId"), scope=input.scope, timing=input.timing,  # type: ignore[arg-type]
                channel=input.channel, content=input.content, disclosed_on=input.disclosed_on,  # type: ignore[arg-type]
                operation_id=optional_pk(input.operation_id, "OperationRecord", "operationId"),
            )  # fmt: skip
            rec = await disclosures.record_disclosure(info.context.viewer, data)
            rec = await m.DisclosureRecord.filter(id=rec.id).select_related("power", "operation").get()
            return DisclosureRecord.from_model(rec, rec.power.unit_id)
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="附7: record an exercise of a published power at its DECISION (the unit's staff).")
    async def create_operation_record(self, info: Info, input: CreateOperationRecordInput) -> OperationRecordResult:
        try:
            data = operations.OperationData(
                power_id=pk(input.power_id, "Power", "powerId"), network=input.network, subject=input.subject,  # type: ignore[arg-type]
                handler=input.handler, decision=input.decision, decided_on=input.decided_on,
                applicant=input.applicant, scope=input.scope,  # type: ignore[arg-type]
            )  # fmt: skip
            op = await operations.create_operation(info.context.viewer, data)
        except DomainError as exc:
            return refused(exc)
        return OperationRecord.from_model(op, op.power.unit_id)

    @strawberry.mutation(description="附7: the next stage of an exercise, one at a time (DECISION → EXECUTION → RESULT).")
    async def advance_operation_record(
        self, info: Info, id: strawberry.ID, input: AdvanceOperationRecordInput
    ) -> OperationRecordResult:
        try:
            op = await operations.advance_operation(
                info.context.viewer, pk(id, "OperationRecord"), input.to, input.text, input.on, input.handler  # type: ignore[arg-type]
            )
        except DomainError as exc:
            return refused(exc)
        return OperationRecord.from_model(op, op.power.unit_id)

    @strawberry.mutation(description="An exercise enters a step of its power's flow chart; its time limit starts to run.")
    async def start_operation_step(
        self, info: Info, operation_id: strawberry.ID, input: StartOperationStepInput
    ) -> OperationStepResult:
        try:
            step = await operations.start_step(
                info.context.viewer, pk(operation_id, "OperationRecord", "operationId"),
                pk(input.flow_step_id, "FlowStep", "flowStepId"), input.started_on, input.handler, input.note,
            )  # fmt: skip
        except DomainError as exc:
            return refused(exc)
        return OperationStep.from_model(
            step, await info.context.calendar(), step.operation.applicant, step.operation.power.unit_id
        )

    @strawberry.mutation(description="A running step of an exercise is finished.")
    async def finish_operation_step(
        self, info: Info, id: strawberry.ID, finished_on: date, note: str = ""
    ) -> OperationStepResult:
        try:
            step = await operations.finish_step(info.context.viewer, pk(id, "OperationStep"), finished_on, note)
        except DomainError as exc:
            return refused(exc)
        return OperationStep.from_model(
            step, await info.context.calendar(), step.operation.applicant, step.operation.power.unit_id
        )

    @strawberry.mutation(
        description="投诉: anyone, no token needed; without a token limited per client address (see settings)."
    )
    async def file_complaint(self, info: Info, input: FileComplaintInput) -> FileComplaintResult:
        ctx = info.context
        if refusal := await anonymous_limit(info, ctx.complaint_limiter, "投诉", "complaints"):
            return refusal
        try:
            data = complaints.ComplaintData(
                subject=input.subject, content=input.content,
                power_id=optional_pk(input.power_id, "Power", "powerId"),
                unit_id=optional_pk(input.unit_id, "Unit", "unitId"),
                complainant_name=input.complainant_name, complainant_phone=input.complainant_phone,
            )  # fmt: skip
            c = await complaints.file_complaint(ctx.viewer, data, today())
        except DomainError as exc:
            result = refused(exc)
            assert isinstance(result, ValidationErrors)  # filing refuses nothing but its input
            return result
        return ComplaintReceipt(
            id=encode_id("ComplaintReceipt", c.id), complaint_id=strawberry.ID(Complaint.from_model(c).id),
            received_on=c.received_on, accept_due_on=c.due_on,
            due_provisional=c.due_provisional, receipt_code=c.receipt_code,  # type: ignore[attr-defined]
        )  # fmt: skip

    @strawberry.mutation(description="受理 a RECEIVED complaint (INSPECTOR); it must be handled within 10 working days.")
    async def accept_complaint(self, info: Info, id: strawberry.ID) -> ComplaintResult:
        try:
            return Complaint.from_model(await complaints.accept(info.context.viewer, pk(id, "Complaint")))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="不予受理 a RECEIVED complaint, with the reason (INSPECTOR).")
    async def reject_complaint(self, info: Info, id: strawberry.ID, reason: str) -> ComplaintResult:
        try:
            return Complaint.from_model(await complaints.reject(info.context.viewer, pk(id, "Complaint"), reason))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="处理 an ACCEPTED complaint (the unit complained about, or an INSPECTOR).")
    async def handle_complaint(self, info: Info, id: strawberry.ID, handling: str) -> ComplaintResult:
        try:
            return Complaint.from_model(await complaints.handle(info.context.viewer, pk(id, "Complaint"), handling))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="答复 a HANDLED complaint (INSPECTOR), within 15 working days of acceptance.")
    async def answer_complaint(self, info: Info, id: strawberry.ID, answer: str) -> ComplaintResult:
        try:
            return Complaint.from_model(await complaints.answer(info.context.viewer, pk(id, "Complaint"), answer))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="检查验收 / 绩效评估 of a unit (INSPECTOR): findings and a score; the grade follows.")
    async def record_inspection(self, info: Info, input: RecordInspectionInput) -> InspectionResult:
        try:
            data = inspections.InspectionData(
                unit_id=optional_pk(input.unit_id, "Unit", "unitId"), kind=input.kind, inspected_on=input.inspected_on,  # type: ignore[arg-type]
                findings=input.findings, score=input.score, follow_up=input.follow_up, method=input.method,  # type: ignore[arg-type]
                power_id=optional_pk(input.power_id, "Power", "powerId"), network=input.network,  # type: ignore[arg-type]
                survey_id=optional_pk(input.survey_id, "Survey", "surveyId"),
            )  # fmt: skip
            return Inspection.from_model(await inspections.record_inspection(info.context.viewer, data))
        except DomainError as exc:
            return refused(exc)
