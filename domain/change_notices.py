"""变更说明: a change to a PUBLISHED power, its bases or its flow chart must be explained to the
county's 公开办 within 20 working days (NOTICE_WORKDAYS). The services call `power_changed`
inside their transaction; changes made while a notice is still unexplained go on that notice.

OPEN → explain() → EXPLAINED → review(): ACCEPTED, or RETURNED (explain again, same due date).
"""

from __future__ import annotations

import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import ChangeNoticeStatus, PowerStatus, ReviewSeat
from domain.errors import IllegalTransition, NotFound, Validator
from domain.models import Power
from domain.services.common import jsonable
from domain.workdays import NOTICE_WORKDAYS, WorkCalendar, today
from domain.workflow_models import ChangeNotice

#: Notices still waiting for the unit's explanation: these can fall overdue.
UNEXPLAINED = (ChangeNoticeStatus.OPEN, ChangeNoticeStatus.RETURNED)
TEXT_LIMIT = 4000


async def power_changed(
    viewer: access.Viewer, power: Power, action: str, on: datetime.date | None = None, **detail: Any
) -> ChangeNotice | None:
    """Put a change of `power` on its unexplained notice, opening one if none is; None if not published."""
    if power.status != PowerStatus.PUBLISHED:
        return None
    entry = change_entry(viewer, action, **detail)
    notice = await pending_notice(power.id)
    if notice is not None:
        notice.changes = [*notice.changes, entry]
        await notice.save(update_fields=["changes", "updated_at"])
        return notice
    return await open_notice(viewer, power, [entry], action, on)


def change_entry(viewer: access.Viewer, action: str, **detail: Any) -> dict[str, Any]:
    """One change as a notice lists it: what, when, by whom, and its details."""
    return {"action": action, "at": now().isoformat(), "by": viewer.name, "detail": jsonable(detail)}


async def pending_notice(power_id: int) -> ChangeNotice | None:
    """The power's notice still waiting for its explanation, where new changes go."""
    return await ChangeNotice.filter(power_id=power_id, status__in=UNEXPLAINED).order_by("-id").first()


async def open_notice(
    viewer: access.Viewer, power: Power, changes: list[dict[str, Any]], cause: str, on: datetime.date | None = None
) -> ChangeNotice:
    """A new notice of `power` listing `changes`, due NOTICE_WORKDAYS working days from `on` (today)."""
    opened = on or today()
    due = (await WorkCalendar.load()).deadline(opened, NOTICE_WORKDAYS)
    notice = await ChangeNotice.create(
        power_id=power.id, opened_on=opened, due_on=due.day, due_provisional=due.provisional, changes=changes
    )
    await record(
        viewer,
        "change_notice.open",
        "change_notice",
        notice.id,
        power_id=power.id,
        cause=cause,
        opened_on=opened.isoformat(),
        due_on=due.day.isoformat(),
        due_provisional=due.provisional,
    )
    return notice


def notices_q(
    viewer: access.Viewer,
    *,
    statuses: list[ChangeNoticeStatus] | None = None,
    overdue: bool | None = None,
    unit_ids: frozenset[int] | None = None,
    power_id: int | None = None,
    on: datetime.date | None = None,
) -> Q:
    """The notices `viewer` may see matching the filters."""
    q = access.internal_q(viewer)
    if statuses:
        q &= Q(status__in=statuses)
    if overdue is not None:
        late = Q(status__in=UNEXPLAINED, due_on__lt=on or today())
        q &= late if overdue else ~late
    if unit_ids is not None:
        q &= Q(power__unit_id__in=sorted(unit_ids))
    if power_id is not None:
        q &= Q(power_id=power_id)
    return q


async def _notice(viewer: access.Viewer, notice_id: int) -> ChangeNotice:
    notice = (
        await ChangeNotice.filter(access.internal_q(viewer), id=notice_id).select_related("power").first()
    )
    if notice is None:
        raise NotFound("变更说明不存在或无权查看 (change notice not found)")
    return notice


def _require(notice: ChangeNotice, action: str, *allowed: ChangeNoticeStatus) -> None:
    if notice.status not in allowed:
        raise IllegalTransition(
            f"变更说明处于「{notice.status.label}」状态，不能{'说明' if action == 'explain' else '审核'} "
            f"(cannot {action} a {notice.status.value} change notice)",
            action,
            notice.status.value,
        )


def _text(v: Validator, name: str, label: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    v.check(bool(text) or not required, name, f"{label}不能为空 ({name} is required)", "required")
    v.check(
        len(text) <= TEXT_LIMIT, name, f"{label}不能超过 {TEXT_LIMIT} 个字符 ({name} is too long)", "too_long"
    )
    return text


async def explain(viewer: access.Viewer, notice_id: int, explanation: str) -> ChangeNotice:
    """The unit explains the changes to 县公开办 (向县公开办做出说明)."""
    async with in_transaction():
        notice = await _notice(viewer, notice_id)
        access.require_power_content(viewer, notice.power)
        v = Validator()
        text = _text(v, "explanation", "变更说明", explanation, required=True)
        v.raise_if_any()
        _require(notice, "explain", *UNEXPLAINED)
        late = notice.due_on < today()
        old = notice.status
        notice.status, notice.explanation = ChangeNoticeStatus.EXPLAINED, text
        notice.explained_by, notice.explained_at = viewer.name, now()
        await notice.save()
        await record(
            viewer,
            "change_notice.explain",
            "change_notice",
            notice.id,
            power_id=notice.power_id,
            from_status=old.value,
            to_status=notice.status.value,
            why=text,
            late=late,
        )
    return notice


async def review(viewer: access.Viewer, notice_id: int, accept: bool, opinion: str = "") -> ChangeNotice:
    """县公开办 accepts the explanation, or returns it with its reasons (the due date stays): the
    explanation is made to 县公开办 (the plan), so only a reviewer of its seat reviews it, as it decides."""
    async with in_transaction():
        notice = await _notice(viewer, notice_id)
        access.require_seat(viewer, ReviewSeat.OPENNESS_OFFICE)
        v = Validator()
        text = _text(v, "opinion", "审核意见", opinion, required=not accept)
        v.raise_if_any()
        _require(notice, "review", ChangeNoticeStatus.EXPLAINED)
        old = notice.status
        notice.status = ChangeNoticeStatus.ACCEPTED if accept else ChangeNoticeStatus.RETURNED
        notice.review_opinion, notice.reviewed_by, notice.reviewed_at = text, viewer.name, now()
        await notice.save()
        await record(
            viewer,
            "change_notice.review",
            "change_notice",
            notice.id,
            power_id=notice.power_id,
            from_status=old.value,
            to_status=notice.status.value,
            why=text,
        )
    return notice
