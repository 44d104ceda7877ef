"""依申请公开 in the API: fileInformationRequest (anyone, no token needed, rate-limited per client address),
informationRequestByReceipt (the requester follows it with the 查询码: send it by POST), and for the unit
registerInformationRequest, extendInformationRequest, answerInformationRequest; informationRequests lists
them for the unit and oversight roles (overdue ones included). Never public; the requester's name, ID and
contact reach only the unit and oversight roles (domain.access.sees_personal_data)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import access
from domain import information_requests as rules
from domain import workflow_models as wm
from domain.errors import DomainError, NotFound
from domain.workdays import today
from resolvers.pagination import paginate
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import (
    InformationDelivery,
    InformationRequestOutcome,
    InformationRequestStatus,
    WithholdingGround,
)
from schema.errors import ValidationErrors
from schema.mutation_base import optional_pk, pk
from schema.node import Node, page_args, to_connection
from schema.oversight.supervision_mutations import RateLimitedError, anonymous_limit
from schema.relay import Connection, decode_id, encode_id, parse_id
from schema.workflow.reviews import load_power
from schema.workflow.reviews_mutations import refused, workflow_result

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]
#: The rate limiter's scope: requests are counted apart from complaints, with the same limit and window.
SCOPE = "information_request"


async def _unit(info: Info, unit_id: int) -> Unit:
    unit = await info.context.loaders.unit_by_id.load(unit_id)
    assert unit is not None  # a unit with requests cannot be deleted (RESTRICT)
    return Unit.from_model(unit)


@strawberry.type(
    description="依申请公开: a request for government information. The unit it is addressed to and oversight "
    "roles see it; the requester's name, ID and contact only they."
)
class InformationRequest(Node):
    db_unit_id: strawberry.Private[int]
    power_id: strawberry.Private[int | None]
    name: strawberry.Private[str]
    id_number: strawberry.Private[str]
    contact: strawberry.Private[str]
    status: InformationRequestStatus
    subject: str = strawberry.field(description="申请公开的政府信息的名称")
    description: str = strawberry.field(description="文号或者便于查询的其他特征性描述")
    delivery: InformationDelivery = strawberry.field(description="获取信息的方式")
    received_on: date
    due_on: date | None = strawberry.field(
        description="答复期限 (20 working days after receipt, 40 once extended); null once answered"
    )
    due_provisional: bool = strawberry.field(
        description="counted on weekends alone in a year without a holiday table"
    )
    registered_on: date | None = strawberry.field(description="登记")
    registered_by: str
    extended_on: date | None = strawberry.field(description="延长答复期限 (once)")
    extended_by: str
    extension_reason: str = strawberry.field(description="延长的理由")
    answered_on: date | None
    answered_by: str
    outcome: InformationRequestOutcome | None = strawberry.field(description="答复类型, once answered")
    withholding_ground: WithholdingGround | None = strawberry.field(
        description="不予公开的理由 (不予公开 and 部分公开)"
    )
    answer: str = strawberry.field(description="答复内容")

    @classmethod
    def from_model(cls, r: wm.InformationRequest) -> InformationRequest:
        waiting = r.status in rules.WAITING
        return cls(
            id=encode_id("InformationRequest", r.id), db_unit_id=r.unit_id, power_id=r.power_id, name=r.requester_name,
            id_number=r.requester_id_number, contact=r.requester_contact, status=r.status, subject=r.subject,
            description=r.description, delivery=r.delivery, received_on=r.received_on,
            due_on=r.due_on if waiting else None, due_provisional=r.due_provisional, registered_on=r.registered_on,
            registered_by=r.registered_by, extended_on=r.extended_on, extended_by=r.extended_by,
            extension_reason=r.extension_reason, answered_on=r.answered_on, answered_by=r.answered_by,
            outcome=r.outcome, withholding_ground=r.withholding_ground, answer=r.answer,
        )  # fmt: skip

    @strawberry.field(description="waiting for the answer past its deadline")
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < today()

    def _personal(self, info: Info, value: str) -> str | None:
        return value if access.sees_personal_data(info.context.viewer, self.db_unit_id) else None

    @strawberry.field(description="申请人姓名或者名称: only for the unit and oversight roles")
    def requester_name(self, info: Info) -> str | None:
        return self._personal(info, self.name)

    @strawberry.field(description="身份证明: only for the unit and oversight roles")
    def requester_id_number(self, info: Info) -> str | None:
        return self._personal(info, self.id_number)

    @strawberry.field(description="联系方式: only for the unit and oversight roles")
    def requester_contact(self, info: Info) -> str | None:
        return self._personal(info, self.contact)

    @strawberry.field(description="the unit asked")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.db_unit_id)

    @strawberry.field(description="the power the request is about, if one (null if hidden from the caller)")
    async def power(self, info: Info) -> LazyPower | None:
        return await load_power(info, self.power_id)


@strawberry.type(
    description="What a requester sees of their request with its 查询码: progress and answer, no personal data."
)
class InformationRequestProgress:
    db_unit_id: strawberry.Private[int]
    status: InformationRequestStatus
    subject: str
    received_on: date
    due_on: date | None = strawberry.field(description="答复期限; null once answered")
    due_provisional: bool
    registered_on: date | None
    extended_on: date | None
    extension_reason: str = strawberry.field(description="延长的理由")
    answered_on: date | None
    outcome: InformationRequestOutcome | None
    withholding_ground: WithholdingGround | None = strawberry.field(description="不予公开的理由")
    answer: str = strawberry.field(description="答复内容")

    @strawberry.field(description="the unit asked")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.db_unit_id)


@strawberry.type(
    description="回执 of a request for information: what the requester keeps (no token is needed to file)."
)
class InformationRequestReceipt:
    id: strawberry.ID = strawberry.field(description="the request's number, to quote when asking after it")
    received_on: date
    answer_due_on: date = strawberry.field(
        description="答复期限: 20 working days after receipt (extendable once by 20)"
    )
    due_provisional: bool
    receipt_code: str = strawberry.field(
        description="查询码: shown this once; with the number it follows the request (informationRequestByReceipt)"
    )


@strawberry.input(description="Filters of `informationRequests`.")
class InformationRequestFilter:
    statuses: list[InformationRequestStatus] | None = None
    overdue: bool | None = strawberry.field(
        default=None, description="true: only those waiting past their deadline"
    )
    unit_id: strawberry.ID | None = strawberry.field(default=None, description="a unit; its offices included")


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
    power_id: strawberry.ID | None = None
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


async def information_request_node(info: Info, pk_: int) -> InformationRequest | None:
    """node(id): through the same rule as the list (never public, a unit its own, oversight all)."""
    found = await wm.InformationRequest.filter(access.internal_q(info.context.viewer, ""), id=pk_).first()
    return InformationRequest.from_model(found) if found else None


@strawberry.type
class InformationRequestQuery:
    @strawberry.field(
        description="A requester, with or without a token, follows a request by its number and 查询码 "
        "(send it by POST: a 查询码 in a URL ends up in histories and logs)"
    )
    async def information_request_by_receipt(
        self, id: strawberry.ID, code: str
    ) -> InformationRequestProgress | None:
        parsed = parse_id(id)
        if parsed is None or parsed[0] != "InformationRequest":
            return None
        try:
            r = await rules.request_by_receipt(parsed[1], code)
        except NotFound:
            return None
        return InformationRequestProgress(
            db_unit_id=r.unit_id, status=r.status, subject=r.subject, received_on=r.received_on,
            due_on=r.due_on if r.status in rules.WAITING else None, due_provisional=r.due_provisional,
            registered_on=r.registered_on, extended_on=r.extended_on, extension_reason=r.extension_reason,
            answered_on=r.answered_on, outcome=r.outcome, withholding_ground=r.withholding_ground, answer=r.answer,
        )  # fmt: skip

    @strawberry.field(
        description="依申请公开 requests the caller may see (a unit its own, oversight roles all), newest first"
    )
    async def information_requests(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: InformationRequestFilter | None = None,
    ) -> Connection[InformationRequest]:
        f = filter or InformationRequestFilter()
        units = (
            None
            if f.unit_id is None
            else await access.unit_subtree_ids(decode_id(f.unit_id, "Unit", "filter.unitId"))
        )
        q = rules.requests_q(info.context.viewer, statuses=f.statuses, overdue=f.overdue, unit_ids=units)  # type: ignore[arg-type]
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            wm.InformationRequest.filter(q).order_by("-received_on", "-id"),
            first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size,
        )  # fmt: skip
        return to_connection(page, InformationRequest.from_model)


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
                power_id=optional_pk(input.power_id, "Power", "powerId"),
                requester_id_number=input.requester_id_number, delivery=input.delivery,  # type: ignore[arg-type]
            )  # fmt: skip
            r = await rules.file_request(ctx.viewer, data, today())
        except DomainError as exc:
            result = refused(exc)
            assert isinstance(result, ValidationErrors)  # filing refuses nothing but its input
            return result
        return InformationRequestReceipt(
            id=encode_id("InformationRequest", r.id), received_on=r.received_on, answer_due_on=r.due_on,
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
