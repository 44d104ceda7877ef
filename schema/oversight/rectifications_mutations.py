"""整改 and 责任追究 as mutations: requireRectification (监察局 or 县公开办), replyToRectification (the unit, with
evidence files: a GraphQL multipart upload), acceptRectification and returnRectification (县公开办),
closeRectification (监察局 or 县公开办), recordAccountability (监察局). The types are in
schema.oversight.rectifications."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.file_uploads import Upload

from domain import rectifications
from domain.errors import DomainError
from schema.context import Info
from schema.enums import Sanction
from schema.mutation_base import optional_pk, pk
from schema.oversight.rectifications import Accountability, Rectification
from schema.workflow.reviews_mutations import refused, workflow_result

RectificationResult = workflow_result("RectificationResult", Rectification)
AccountabilityResult = workflow_result("AccountabilityResult", Accountability)


@strawberry.input(description="整改要求 on a finding of an inspection, due in a number of working days.")
class RequireRectificationInput:
    inspection_id: strawberry.ID
    finding: str = strawberry.field(description="发现的问题")
    requirement: str = strawberry.field(description="整改要求")
    workdays: int = strawberry.field(description="整改期限 in working days (1..120)")
    issued_on: date | None = strawberry.field(default=None, description="today when left out; not before the inspection")


@strawberry.input(description="责任追究: who did what, the sanction and its basis.")
class RecordAccountabilityInput:
    unit_id: strawberry.ID
    person: str = strawberry.field(description="责任人")
    violation: str = strawberry.field(description="违规事实")
    sanction: Sanction
    basis: str = strawberry.field(description="处理依据, e.g. 《行政机关公务员处分条例》第二十条")
    decided_on: date
    post: str = strawberry.field(default="", description="职务")
    sanction_detail: str = strawberry.field(default="", description="处理决定 (required for OTHER)")
    inspection_id: strawberry.ID | None = None
    rectification_id: strawberry.ID | None = None


@strawberry.type
class RectificationMutations:
    @strawberry.mutation(description="整改要求 on an inspection's finding, with a deadline in working days (监察局 or 县公开办).")
    async def require_rectification(self, info: Info, input: RequireRectificationInput) -> RectificationResult:
        try:
            data = rectifications.RectificationData(
                inspection_id=pk(input.inspection_id, "Inspection", "inspectionId"), finding=input.finding,
                requirement=input.requirement, workdays=input.workdays, issued_on=input.issued_on,
            )  # fmt: skip
            return Rectification.from_model(await rectifications.require_rectification(info.context.viewer, data))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(
        description="整改情况: the unit inspected reports what it did, with evidence files (PDF, JPG, PNG, .docx, .xlsx; "
        "at most 10, each within the upload limit), while the rectification is OPEN or RETURNED."
    )
    async def reply_to_rectification(
        self, info: Info, id: strawberry.ID, reply: str, evidence: list[Upload] | None = None
    ) -> RectificationResult:
        limit = info.context.settings.max_upload_bytes
        try:
            rectification_id = pk(id, "Rectification")
            files = []
            for upload in (evidence or [])[: rectifications.MAX_FILES + 1]:  # one too many is enough to refuse
                files.append(rectifications.EvidenceFile(upload.filename or "", await upload.read(limit + 1)))
            done = await rectifications.reply(info.context.viewer, rectification_id, reply, files, max_bytes=limit)
            return Rectification.from_model(done)
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="验收通过 of a reply (县公开办).")
    async def accept_rectification(self, info: Info, id: strawberry.ID, opinion: str) -> RectificationResult:
        try:
            return Rectification.from_model(await rectifications.accept(info.context.viewer, pk(id, "Rectification"), opinion))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="退回 a reply that falls short, with the reason and a new deadline in working days (县公开办).")
    async def return_rectification(self, info: Info, id: strawberry.ID, opinion: str, workdays: int) -> RectificationResult:
        try:
            done = await rectifications.return_(info.context.viewer, pk(id, "Rectification"), opinion, workdays)
            return Rectification.from_model(done)
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="销号 of an accepted rectification (监察局 or 县公开办).")
    async def close_rectification(self, info: Info, id: strawberry.ID) -> RectificationResult:
        try:
            return Rectification.from_model(await rectifications.close(info.context.viewer, pk(id, "Rectification")))
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(description="责任追究 (监察局): read by oversight roles only.")
    async def record_accountability(self, info: Info, input: RecordAccountabilityInput) -> AccountabilityResult:
        try:
            data = rectifications.AccountabilityData(
                unit_id=pk(input.unit_id, "Unit", "unitId"), person=input.person, violation=input.violation,
                sanction=input.sanction, basis=input.basis, decided_on=input.decided_on, post=input.post,  # type: ignore[arg-type]
                sanction_detail=input.sanction_detail,
                inspection_id=optional_pk(input.inspection_id, "Inspection", "inspectionId"),
                rectification_id=optional_pk(input.rectification_id, "Rectification", "rectificationId"),
            )  # fmt: skip
            return Accountability.from_model(await rectifications.record_accountability(info.context.viewer, data))
        except DomainError as exc:
            return refused(exc)
