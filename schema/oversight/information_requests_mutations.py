"""依申请公开 as mutations: fileInformationRequest (anyone, no token needed, rate-limited per client address),
and for the unit registerInformationRequest, extendInformationRequest, answerInformationRequest. The types
and queries are in schema.oversight.information_requests."""

from __future__ import annotations

import dataclasses
from typing import Annotated

import strawberry

from domain import information_requests as rules
from domain.errors import DomainError
from domain.workdays import today
from resolvers.ids import parse_id
from schema.context import Info
from schema.enums import (
    InformationDelivery,
    InformationRequestOutcome,
    WithholdingGround,
)
from schema.errors import ValidationErrors
from schema.mutation_base import optional_pk, pk
from schema.oversight.information_requests import InformationRequest, InformationRequestReceipt
from schema.oversight.supervision_mutations import RateLimitedError, anonymous_limit
from schema.relay import encode_id
from schema.workflow.reviews_mutations import refused, workflow_result

#: The rate limiter's scope: requests are counted apart from complaints, with the same limit and window.
SCOPE = "information_request"


def requested_power(global_id: strawberry.ID | None) -> int | None:
    """The power a request names: by a Power's global id, or a PowerOnRequest's (the same power, as the
    public knows one disclosed on request)."""
    parsed = parse_id(global_id) if global_id is not None else None
    if parsed is not None and parsed[0] == "PowerOnRequest":
        return parsed[1]
    return optional_pk(global_id, "Power", "powerId")


@strawberry.input(
    description="依申请公开: name a unit, or a public power (its unit is asked); 政府信息公开条例第二十九条 asks for "
    "the requester's name and contact (shown only to the unit and oversight)."
)
class FileInformationRequestInput:
    subject: str = strawberry.field(description="申请公开的政府信息的名称, up to 200 characters")
    requester_name: str = strawberry.field(description="申请人姓名或者名称, up to 100 characters")
    requester_contact: str = strawberry.field(
        description="联系方式 (phone, e-mail or address), up to 100 characters"
    )
    description: str = strawberry.field(default="", description="文号或者便于查询的其他特征性描述")
    unit_id: strawberry.ID | None = None
    power_id: strawberry.ID | None = strawberry.field(
        default=None, description="a public Power, or a PowerOnRequest (依申请公开: a LIMITED power) whose content is asked for"
    )
    requester_id_number: str = strawberry.field(default="", description="身份证明 (证件号码), optional")
    delivery: InformationDelivery = strawberry.field(
        default=InformationDelivery.ELECTRONIC, description="获取信息的方式"
    )


@strawberry.input(
    description="答复: 不予公开 and 部分公开 need a ground (第十四条至第十六条); the others none."
)
class AnswerInformationRequestInput:
    outcome: InformationRequestOutcome
    answer: str = strawberry.field(
        description="答复内容: the information or where to get it; for 非本机关, the reason and the agency responsible"
    )
    ground: WithholdingGround | None = strawberry.field(default=None, description="不予公开的理由")


InformationRequestResult = workflow_result("InformationRequestResult", InformationRequest)
FileInformationRequestResult = Annotated[
    InformationRequestReceipt | ValidationErrors | RateLimitedError,
    strawberry.union("FileInformationRequestResult"),
]


@strawberry.type
class InformationRequestMutations:
    @strawberry.mutation(
        description="依申请公开: anyone, no token needed; without a token limited per client address (the complaint "
        "limit and window, counted apart)."
    )
    async def file_information_request(
        self, info: Info, input: FileInformationRequestInput
    ) -> FileInformationRequestResult:
        ctx = info.context
        limiter = dataclasses.replace(ctx.complaint_limiter, scope=SCOPE) if ctx.complaint_limiter else None
        if refusal := await anonymous_limit(info, limiter, "申请", "requests"):
            return refusal
        try:
            data = rules.InformationRequestData(
                subject=input.subject, requester_name=input.requester_name, requester_contact=input.requester_contact,
                description=input.description, unit_id=optional_pk(input.unit_id, "Unit", "unitId"),
                power_id=requested_power(input.power_id),
                requester_id_number=input.requester_id_number, delivery=input.delivery,  # type: ignore[arg-type]
            )  # fmt: skip
            r = await rules.file_request(ctx.viewer, data, today())
        except DomainError as exc:
            result = refused(exc)
            assert isinstance(result, ValidationErrors)  # filing refuses nothing but its input
            return result
        return InformationRequestReceipt(
            id=encode_id("InformationRequestReceipt", r.id), request_id=encode_id("InformationRequest", r.id),
            received_on=r.received_on, answer_due_on=r.due_on,
            due_provisional=r.due_provisional, receipt_code=r.receipt_code,  # type: ignore[attr-defined]
        )  # fmt: skip

    @strawberry.mutation(
        description="登记 a RECEIVED request (the unit's staff); the deadline runs from receipt."
    )
    async def register_information_request(self, info: Info, id: strawberry.ID) -> InformationRequestResult:
        try:
            return InformationRequest.from_model(
                await rules.register(info.context.viewer, pk(id, "InformationRequest"))
            )
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(
        description="延长答复期限 of a REGISTERED request by 20 working days, once, with the reason, before it runs out (the unit's staff)."
    )
    async def extend_information_request(
        self, info: Info, id: strawberry.ID, reason: str
    ) -> InformationRequestResult:
        try:
            r = await rules.extend(info.context.viewer, pk(id, "InformationRequest"), reason)
            return InformationRequest.from_model(r)
        except DomainError as exc:
            return refused(exc)

    @strawberry.mutation(
        description="答复 a REGISTERED request (the unit's staff): 公开, 部分公开, 不予公开, 信息不存在 or 非本机关."
    )
    async def answer_information_request(
        self, info: Info, id: strawberry.ID, input: AnswerInformationRequestInput
    ) -> InformationRequestResult:
        try:
            given = rules.Answer(outcome=input.outcome, text=input.answer, ground=input.ground)  # type: ignore[arg-type]
            r = await rules.answer(info.context.viewer, pk(id, "InformationRequest"), given)
            return InformationRequest.from_model(r)
        except DomainError as exc:
            return refused(exc)
