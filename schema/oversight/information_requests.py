"""依申请公开 in the API: fileInformationRequest (anyone, no token needed, rate-limited per client address),
informationRequestByReceipt (the requester follows it with the 查询码: send it by POST), and for the unit
registerInformationRequest, extendInformationRequest, answerInformationRequest; informationRequests lists
them for the unit and oversight roles (overdue ones included). Never public; the requester's name, ID and
contact reach only the unit and oversight roles (domain.access.sees_personal_data). The mutations are in
information_requests_mutations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import access
from domain import information_requests as rules
from domain import workflow_models as wm
from domain.errors import NotFound
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
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, decode_id, encode_id, parse_id
from schema.workflow.reviews import load_power

if TYPE_CHECKING:
    from schema.catalogue.power import Power

LazyPower = Annotated["Power", strawberry.lazy("schema.catalogue.power")]


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
    id: strawberry.ID = strawberry.field(description="this receipt's own global id")
    request_id: strawberry.ID = strawberry.field(
        description="the request's number (its global id), to quote when asking after it (informationRequestByReceipt)"
    )
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


async def information_request_node(info: Info, pk_: int) -> InformationRequest | None:
    """node(id): through the same rule as the list (never public, a unit its own, oversight all)."""
    found = await wm.InformationRequest.filter(access.unit_rows_q(info.context.viewer), id=pk_).first()
    return InformationRequest.from_model(found) if found else None


@strawberry.type
class InformationRequestQuery:
    @strawberry.field(
        description="A requester, with or without a token, follows a request by its number and 查询码 "
        "(by POST only, refused over GET: a 查询码 in a URL ends up in histories and logs; never cached)"
    )
    async def information_request_by_receipt(
        self, id: strawberry.ID, code: str
    ) -> InformationRequestProgress | None:
        parsed = parse_id(id)
        # the request's id, or its receipt's (what `id` of the receipt was before it had its own)
        if parsed is None or parsed[0] not in ("InformationRequest", "InformationRequestReceipt"):
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
