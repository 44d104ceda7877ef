"""依申请公开 (政府信息公开条例 第二十七条至第四十五条): anyone, with or without a token, asks a unit for
government information — about the unit, or about one of its public powers; the unit registers the
request and answers it.

RECEIVED → register() → REGISTERED → answer(outcome) → ANSWERED
REGISTERED → extend(reason) → REGISTERED, once

The answer is due ANSWER_WORKDAYS (20) Chinese working days after receipt (第三十三条: the receipt the
requester gets on filing online is the confirmation of 第三十一条第三项), and an extension adds at most
EXTENSION_WORKDAYS (20) more, once, with its reason. The answer is one of 第三十六条's: 公开, 部分公开
(第三十七条), 不予公开 — these two with a ground of 第十四条至第十六条 (WithholdingGround) —, 信息不存在,
非本机关负责公开.

The requester gets a 查询码 (stored hashed, as a complaint's) to follow the request. Their name, ID and
contact are personal data: only access.sees_personal_data reads them, and the audit trail never copies
them. A request about a power names a public one only: any other power answers exactly as one that
does not exist.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access, receipts
from domain.audit import record
from domain.enums import (
    InformationDelivery,
    InformationRequestOutcome,
    InformationRequestStatus,
    WithholdingGround,
)
from domain.errors import IllegalTransition, NotFound, PermissionDenied, Validator
from domain.models import Power, Unit
from domain.operations import check_text
from domain.workdays import WorkCalendar, today
from domain.workflow_models import InformationRequest

ANSWER_WORKDAYS = 20  # 第三十三条第二款: 自收到申请之日起20个工作日内予以答复
EXTENSION_WORKDAYS = 20  # 延长的期限最长不得超过20个工作日

#: The statuses waiting for the answer, which can fall overdue.
WAITING = (InformationRequestStatus.RECEIVED, InformationRequestStatus.REGISTERED)
#: Outcomes that withhold something, and so need a ground (第三十六条第三项, 第三十七条).
NEEDS_GROUND = frozenset({InformationRequestOutcome.WITHHELD, InformationRequestOutcome.PARTIALLY_DISCLOSED})
#: 身份证明: a resident ID, a 统一社会信用代码, a passport number … letters, digits and dashes.
_ID_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]{3,28}[0-9A-Za-z]")
SUBJECT_LIMIT = 200
NAME_LIMIT = 100
CONTACT_LIMIT = 100
ACTIONS_ZH = {"register": "登记", "extend": "延长答复期限", "answer": "答复"}
NOT_FOUND = "依申请公开申请不存在或无权查看 (information request not found)"


def due_date(r: InformationRequest, calendar: WorkCalendar) -> None:
    """Set the request's answer deadline: 20 working days after receipt, 40 once extended."""
    days = ANSWER_WORKDAYS + (EXTENSION_WORKDAYS if r.extended_on is not None else 0)
    due = calendar.deadline(r.received_on, days)
    r.due_on, r.due_provisional = due.day, due.provisional


@dataclass
class InformationRequestData:
    subject: str
    requester_name: str
    requester_contact: str
    description: str = ""
    unit_id: int | None = None
    power_id: int | None = None
    requester_id_number: str = ""
    delivery: InformationDelivery = InformationDelivery.ELECTRONIC


async def file_request(
    viewer: access.Viewer, data: InformationRequestData, on: datetime.date | None = None
) -> InformationRequest:
    """依申请公开: about a unit, or a public power (whose unit it goes to). The request gets a 查询码
    (`request.receipt_code`, shown once, stored hashed) to follow it by (`request_by_receipt`)."""
    on = on or today()
    v = Validator()
    subject = check_text(v, "subject", "申请公开的信息名称", data.subject, limit=SUBJECT_LIMIT)
    description = check_text(v, "description", "特征性描述", data.description, required=False)
    name = check_text(v, "requester_name", "申请人姓名或者名称", data.requester_name, limit=NAME_LIMIT)
    contact = check_text(v, "requester_contact", "联系方式", data.requester_contact, limit=CONTACT_LIMIT)
    id_number = (data.requester_id_number or "").strip()
    v.check(
        not id_number or (len(id_number) <= 30 and bool(_ID_NUMBER.fullmatch(id_number))),
        "requester_id_number", "身份证明号码格式不正确 (letters, digits and dashes, 5 to 30)",
    )  # fmt: skip
    unit_id = data.unit_id
    if data.power_id is None and unit_id is None:
        v.add("power_id", "请指明申请公开信息的单位或职权 (name a unit or a power)", "required")
    if data.power_id is not None:
        # a public power, or one disclosed on request (依申请公开), whoever asks: any other answers exactly as
        # one that does not exist
        power = await Power.filter(access.power_q(access.PUBLIC) | access.on_request_q(), id=data.power_id).first()
        if power is None:
            v.add("power_id", "职权不存在 (power not found)", "not_found")
        elif unit_id is not None and unit_id != power.unit_id:
            v.add("unit_id", "该职权不属于所指单位 (the power belongs to another unit)", "mismatch")
        else:
            unit_id = power.unit_id
    elif unit_id is not None and not await Unit.exists(id=unit_id):
        v.add("unit_id", "单位不存在 (unit not found)", "not_found")
    v.raise_if_any()
    assert unit_id is not None
    async with in_transaction():
        request = InformationRequest(
            unit_id=unit_id, power_id=data.power_id, subject=subject, description=description,
            delivery=data.delivery, requester_name=name, requester_id_number=id_number,
            requester_contact=contact, received_on=on,
        )  # fmt: skip
        due_date(request, await WorkCalendar.load())
        code = receipts.issue(request)
        await request.save()
        request.receipt_code = code  # type: ignore[attr-defined]  # for the receipt only
        await record(
            viewer, "information_request.file", "information_request", request.id, unit_id=unit_id,
            power_id=data.power_id, due_on=request.due_on.isoformat(),
        )  # fmt: skip
    return request


async def request_by_receipt(request_id: int, code: str) -> InformationRequest:
    """The request whose number and 查询码 these are; anything else answers as not found."""
    return await receipts.by_receipt(
        InformationRequest, request_id, code, "没有这个申请，或查询码不对 (no request with this number and code)"
    )


def requests_q(
    viewer: access.Viewer,
    *,
    statuses: list[InformationRequestStatus] | None = None,
    overdue: bool | None = None,
    unit_ids: frozenset[int] | None = None,
    on: datetime.date | None = None,
) -> Q:
    """The requests `viewer` may see (oversight roles all, a unit its own and its offices')."""
    return receipts.filed_q(viewer, WAITING, statuses=statuses, overdue=overdue, unit_ids=unit_ids, on=on)


def require_handler(viewer: access.Viewer, unit_id: int) -> None:
    """登记, 延期 and 答复: the unit's own staff (of it or a unit above it); oversight roles only watch."""
    if not (viewer.role in access.UNIT_ROLES and unit_id in viewer.unit_ids):
        raise PermissionDenied(
            "只有被申请单位的工作人员可以办理依申请公开 (only the unit's staff may handle this request)"
        )


@dataclass(frozen=True)
class Answer:
    outcome: InformationRequestOutcome
    text: str
    ground: WithholdingGround | None = None


async def _step(
    viewer: access.Viewer,
    request_id: int,
    action: str,
    check: Validator,
    changes: dict[str, object],
    on: datetime.date,
    allowed: tuple[InformationRequestStatus, ...],
) -> InformationRequest:
    """One step: find (as the viewer may see), check role, input and status, move unless someone
    moved it meanwhile, record. One transaction."""
    async with in_transaction():
        request = await InformationRequest.filter(access.unit_rows_q(viewer), id=request_id).first()
        if request is None:
            raise NotFound(NOT_FOUND)
        require_handler(viewer, request.unit_id)
        check.raise_if_any()
        frm = request.status
        if frm not in allowed:
            raise IllegalTransition(
                f"申请处于「{frm.label}」状态，不能{ACTIONS_ZH[action]} (cannot {action} a {frm.value} request)",
                action,
                frm.value,
            )
        if action == "extend":
            if request.extended_on is not None:
                raise IllegalTransition(
                    "答复期限已经延长过一次，不能再延长 (the deadline may be extended only once)",
                    action,
                    frm.value,
                )
            if request.due_on < on:
                raise IllegalTransition(
                    f"答复期限 {request.due_on} 已过，不能再延长 (the deadline has passed)", action, frm.value
                )
        late = request.due_on < on
        for name, value in changes.items():
            setattr(request, name, value)
        due_date(request, await WorkCalendar.load())
        changes = {**changes, "due_on": request.due_on, "due_provisional": request.due_provisional}
        unchanged = InformationRequest.filter(id=request.id, status=frm)
        if action == "extend":
            unchanged = unchanged.filter(extended_on__isnull=True)  # two extensions at once: one wins
        if not await unchanged.update(**changes, updated_at=now()):
            raise IllegalTransition("申请已被他人办理 (the request changed meanwhile)", action, frm.value)
        detail: dict[str, object] = {
            "unit_id": request.unit_id, "from_status": frm.value, "to_status": request.status.value, "late": late,
        }  # fmt: skip
        if action == "extend":
            detail.update(reason=request.extension_reason, due_on=request.due_on.isoformat())
        if action == "answer":
            detail.update(outcome=request.outcome.value if request.outcome else None,
                          ground=request.withholding_ground.value if request.withholding_ground else None)  # fmt: skip
        await record(viewer, f"information_request.{action}", "information_request", request.id, **detail)
    return request


async def register(
    viewer: access.Viewer, request_id: int, on: datetime.date | None = None
) -> InformationRequest:
    """登记: the unit takes the request in hand; the deadline runs from receipt all the same."""
    on = on or today()
    changes = {
        "status": InformationRequestStatus.REGISTERED,
        "registered_on": on,
        "registered_by": viewer.name,
    }
    return await _step(
        viewer, request_id, "register", Validator(), changes, on, (InformationRequestStatus.RECEIVED,)
    )


async def extend(
    viewer: access.Viewer, request_id: int, reason: str, on: datetime.date | None = None
) -> InformationRequest:
    """延长答复期限 by 20 working days, once, with the reason (told to the requester), before it runs out."""
    on = on or today()
    v = Validator()
    cleaned = check_text(v, "reason", "延长的理由", reason)
    changes = {"extended_on": on, "extended_by": viewer.name, "extension_reason": cleaned}
    return await _step(viewer, request_id, "extend", v, changes, on, (InformationRequestStatus.REGISTERED,))


async def answer(
    viewer: access.Viewer, request_id: int, given: Answer, on: datetime.date | None = None
) -> InformationRequest:
    """答复: one of 第三十六条's outcomes; 不予公开 and 部分公开 with their ground, the others without."""
    on = on or today()
    v = Validator()
    text = check_text(v, "answer", "答复内容", given.text)
    if given.outcome in NEEDS_GROUND:
        v.check(
            given.ground is not None,
            "ground",
            "不予公开或部分公开须说明理由 (a ground is required)",
            "required",
        )
    else:
        v.check(
            given.ground is None,
            "ground",
            f"「{given.outcome.label}」的答复不需要不予公开的理由 (no ground for this outcome)",
            "not_allowed",
        )
    changes = {
        "status": InformationRequestStatus.ANSWERED, "answered_on": on, "answered_by": viewer.name,
        "outcome": given.outcome, "withholding_ground": given.ground, "answer": text,
    }  # fmt: skip
    return await _step(viewer, request_id, "answer", v, changes, on, (InformationRequestStatus.REGISTERED,))


async def redate_provisional(calendar: WorkCalendar) -> int:
    """Count again the deadlines counted on weekends alone, once a year's holiday table is loaded."""
    changed = 0
    for request in await InformationRequest.filter(due_provisional=True, status__in=WAITING):
        old = (request.due_on, request.due_provisional)
        due_date(request, calendar)
        if (request.due_on, request.due_provisional) != old:
            await request.save(update_fields=["due_on", "due_provisional", "updated_at"])
            changed += 1
    return changed
