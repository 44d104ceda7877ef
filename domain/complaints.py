"""投诉受理: anyone files a complaint, with or without a token, about a power or a unit; 纪检监察
(INSPECTOR) accepts or rejects it, the unit (or an inspector) handles it, an inspector answers.

RECEIVED → accept() → ACCEPTED → handle() → HANDLED → answer() → ANSWERED
RECEIVED → reject(reason) → REJECTED (the rejection, with its reason, is the answer)

Each waiting status has a deadline in Chinese working days, kept in `due_on`:
- RECEIVED: accepted or rejected within ACCEPT_WORKDAYS of receipt;
- ACCEPTED: handled within HANDLE_WORKDAYS of acceptance;
- HANDLED: answered within ANSWER_WORKDAYS of acceptance.
The complainant's name and phone are personal data: only access.sees_personal_data may read them,
and the audit trail never copies them.
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
from domain.enums import ComplaintStatus
from domain.errors import IllegalTransition, NotFound, Validator
from domain.models import Power, Unit
from domain.operations import check_text
from domain.workdays import WorkCalendar, today
from domain.workflow_models import Complaint

ACCEPT_WORKDAYS = 5  # 受理: decide within 5 working days of receipt
HANDLE_WORKDAYS = 10  # 处理: within 10 working days of acceptance
ANSWER_WORKDAYS = 15  # 答复: within 15 working days of acceptance

#: The statuses waiting for a step, which can fall overdue.
WAITING = (ComplaintStatus.RECEIVED, ComplaintStatus.ACCEPTED, ComplaintStatus.HANDLED)
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,28}[0-9]$")
ACTIONS_ZH = {"accept": "受理", "reject": "不予受理", "handle": "处理", "answer": "答复"}


def deadline_start(c: Complaint) -> tuple[datetime.date, int] | None:
    """The date a waiting complaint's deadline counts from, and how many working days it allows."""
    if c.status == ComplaintStatus.RECEIVED:
        return c.received_on, ACCEPT_WORKDAYS
    if c.status == ComplaintStatus.ACCEPTED and c.accepted_on:
        return c.accepted_on, HANDLE_WORKDAYS
    if c.status == ComplaintStatus.HANDLED and c.accepted_on:
        return c.accepted_on, ANSWER_WORKDAYS
    return None


def _set_due(c: Complaint, calendar: WorkCalendar) -> None:
    start = deadline_start(c)
    if start is not None:
        due = calendar.deadline(*start)
        c.due_on, c.due_provisional = due.day, due.provisional


@dataclass
class ComplaintData:
    subject: str
    content: str
    power_id: int | None = None
    unit_id: int | None = None
    complainant_name: str = ""
    complainant_phone: str = ""


async def file_complaint(viewer: access.Viewer, data: ComplaintData, on: datetime.date | None = None) -> Complaint:
    """投诉: about a power the filer can see, or a unit; contact data is optional (匿名投诉).

    The complaint gets a 查询码 (`complaint.receipt_code`, shown once, stored hashed) with which its
    filer, even an anonymous one, can follow it through `complaint_by_receipt`."""
    on = on or today()
    v = Validator()
    subject = check_text(v, "subject", "投诉事项", data.subject)
    v.check(len(subject) <= 200, "subject", "投诉事项不能超过 200 个字符 (subject is too long)", "too_long")
    content = check_text(v, "content", "投诉内容", data.content)
    name = (data.complainant_name or "").strip()
    phone = (data.complainant_phone or "").strip()
    v.check(len(name) <= 50, "complainant_name", "投诉人姓名不能超过 50 个字符 (name is too long)", "too_long")
    v.check(not phone or bool(_PHONE.match(phone)), "complainant_phone", "联系电话格式不正确 (not a phone number)")
    unit_id = data.unit_id
    if data.power_id is None and unit_id is None:
        v.add("power_id", "请指明投诉的职权或单位 (name a power or a unit)", "required")
    if data.power_id is not None:
        power = await Power.filter(access.power_q(viewer), id=data.power_id).first()
        if power is None:
            v.add("power_id", "职权不存在或无权查看 (power not found)", "not_found")
        elif unit_id is not None and unit_id != power.unit_id:
            v.add("unit_id", "该职权不属于所指单位 (the power belongs to another unit)", "mismatch")
        else:
            unit_id = power.unit_id
    if unit_id is not None and data.power_id is None and not await Unit.exists(id=unit_id):
        v.add("unit_id", "单位不存在 (unit not found)", "not_found")
    v.raise_if_any()
    assert unit_id is not None
    async with in_transaction():
        complaint = Complaint(
            unit_id=unit_id, power_id=data.power_id, subject=subject, content=content, complainant_name=name,
            complainant_phone=phone, received_on=on,
        )  # fmt: skip
        _set_due(complaint, await WorkCalendar.load())
        receipt_code = receipts.issue(complaint)
        await complaint.save()
        complaint.receipt_code = receipt_code  # type: ignore[attr-defined]  # for the receipt only
        await record(
            viewer, "complaint.file", "complaint", complaint.id, unit_id=unit_id, power_id=data.power_id,
            anonymous=not (name or phone), due_on=complaint.due_on.isoformat(),
        )  # fmt: skip
    return complaint


async def complaint_by_receipt(complaint_id: int, code: str) -> Complaint:
    """The complaint whose number and 查询码 these are; anything else answers as not found."""
    return await receipts.by_receipt(Complaint, complaint_id, code, "没有这个投诉，或查询码不对 (no complaint with this number and code)")


def complaints_q(
    viewer: access.Viewer,
    *,
    statuses: list[ComplaintStatus] | None = None,
    overdue: bool | None = None,
    unit_ids: frozenset[int] | None = None,
    on: datetime.date | None = None,
) -> Q:
    """The complaints `viewer` may see (oversight roles all, a unit its own) matching the filters."""
    return receipts.filed_q(viewer, WAITING, statuses=statuses, overdue=overdue, unit_ids=unit_ids, on=on)


async def _step(
    viewer: access.Viewer,
    complaint_id: int,
    action: str,
    to: ComplaintStatus,
    text: tuple[str, str, str] | None,
    on: datetime.date | None,
) -> Complaint:
    """One step of the procedure: find, check role and status, move (if nobody moved it), record."""
    on = on or today()
    frm = {"accept": ComplaintStatus.RECEIVED, "reject": ComplaintStatus.RECEIVED,
           "handle": ComplaintStatus.ACCEPTED, "answer": ComplaintStatus.HANDLED}[action]  # fmt: skip
    async with in_transaction():
        complaint = await Complaint.filter(access.unit_rows_q(viewer), id=complaint_id).first()
        if complaint is None:
            raise NotFound("投诉不存在或无权查看 (complaint not found)")
        if action == "handle":
            access.require_complaint_handler(viewer, complaint.unit_id)
        else:
            access.require_complaint_officer(viewer)
        v = Validator()
        cleaned = check_text(v, text[0], text[1], text[2]) if text else ""
        v.raise_if_any()
        if complaint.status != frm:
            raise IllegalTransition(
                f"投诉处于「{complaint.status.label}」状态，不能{ACTIONS_ZH[action]} "
                f"(cannot {action} a {complaint.status.value} complaint)",
                action,
                complaint.status.value,
            )
        late = complaint.due_on < on
        changes: dict[str, object] = {"status": to}
        if action in ("accept", "reject"):
            changes.update(accepted_on=on, decided_by=viewer.name, rejection_reason=cleaned)
        elif action == "handle":
            changes.update(handled_on=on, handled_by=viewer.name, handling=cleaned)
        else:
            changes.update(answered_on=on, answered_by=viewer.name, answer=cleaned)
        for name, value in changes.items():
            setattr(complaint, name, value)
        _set_due(complaint, await WorkCalendar.load())
        changes.update(due_on=complaint.due_on, due_provisional=complaint.due_provisional)
        if not await Complaint.filter(id=complaint.id, status=frm).update(**changes, updated_at=now()):
            raise IllegalTransition("投诉已被他人处理 (the complaint changed meanwhile)", action, frm.value)
        await record(
            viewer, f"complaint.{action}", "complaint", complaint.id, unit_id=complaint.unit_id,
            from_status=frm.value, to_status=to.value, why=cleaned, late=late,
        )  # fmt: skip
    return complaint


async def accept(viewer: access.Viewer, complaint_id: int, on: datetime.date | None = None) -> Complaint:
    """受理: the handling deadline starts."""
    return await _step(viewer, complaint_id, "accept", ComplaintStatus.ACCEPTED, None, on)


async def reject(viewer: access.Viewer, complaint_id: int, reason: str, on: datetime.date | None = None) -> Complaint:
    """不予受理, with the reason (which is the answer to the complainant)."""
    return await _step(viewer, complaint_id, "reject", ComplaintStatus.REJECTED, ("reason", "不予受理的理由", reason), on)


async def handle(viewer: access.Viewer, complaint_id: int, handling: str, on: datetime.date | None = None) -> Complaint:
    """处理: what was done (查处、整改); the unit complained about or an inspector."""
    return await _step(viewer, complaint_id, "handle", ComplaintStatus.HANDLED, ("handling", "处理情况", handling), on)


async def answer(viewer: access.Viewer, complaint_id: int, text: str, on: datetime.date | None = None) -> Complaint:
    """答复 to the complainant."""
    return await _step(viewer, complaint_id, "answer", ComplaintStatus.ANSWERED, ("answer", "答复意见", text), on)


async def redate_provisional(calendar: WorkCalendar) -> int:
    """Count again the deadlines counted on weekends alone, once a year's holiday table is loaded."""
    changed = 0
    for complaint in await Complaint.filter(due_provisional=True, status__in=WAITING):
        old = (complaint.due_on, complaint.due_provisional)
        _set_due(complaint, calendar)
        if (complaint.due_on, complaint.due_provisional) != old:
            await complaint.save(update_fields=["due_on", "due_provisional", "updated_at"])
            changed += 1
    return changed
