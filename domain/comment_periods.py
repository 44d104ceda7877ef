"""公示 and 征求意见: before declaring, a unit puts some of its DRAFT powers up for public comment.

Opening a period freezes a comment version (公示稿) of each power — its fields and rules, bases with
the cited articles' text, flow chart — in the snapshot format of domain.versions, in one transaction.
The public sees the 公示稿 while the period is open (county dates, access.comment_period_q), never the
draft itself nor a later edit of it, and leaves comments; the unit publishes, answers or hides each.
Commenters' names and contacts are personal data (access.sees_personal_data), never in the audit trail.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access, personal, workdays
from domain.audit import record
from domain.comment_models import CommentDraft, CommentPeriod, PublicComment
from domain.enums import (
    CommentAction,
    CommentHiddenReason,
    CommentPeriodStatus,
    CommentStatus,
    DisclosureScope,
    PowerStatus,
)
from domain.errors import IllegalTransition, NotFound, Validator
from domain.models import LegalArticle, Power, Unit
from domain.operations import check_text
from domain.versions import snapshots
from domain.workdays import WorkCalendar

MAX_POWERS = 200  # powers in one period
MAX_WORKDAYS = 60  # length of a period
MAX_COMMENT = 2000  # characters of a comment (and of an answer)
MAX_TITLE = 200
MAX_NAME = 50
MAX_CONTACT = 100
#: what a 公示稿 is called wherever it is shown
DRAFT_LABEL = "征求意见稿"


def period_status(period: CommentPeriod, on: datetime.date) -> CommentPeriodStatus:
    if period.closed_at is not None:
        return CommentPeriodStatus.CLOSED
    if on < period.starts_on:
        return CommentPeriodStatus.SCHEDULED
    return CommentPeriodStatus.OPEN if on <= period.ends_on else CommentPeriodStatus.ENDED


def is_open(period: CommentPeriod, on: datetime.date) -> bool:
    return period_status(period, on) is CommentPeriodStatus.OPEN


@dataclass
class PeriodData:
    unit_id: int
    power_ids: Sequence[int]
    title: str
    workdays: int
    starts_on: datetime.date | None = None  # default: today in the county


async def comment_snapshots(powers: Sequence[Power], using_db: Any = None) -> dict[int, dict[str, Any]]:
    """domain.versions' snapshots, each basis with its article's text (what the public reads)."""
    snaps = await snapshots(powers, using_db)
    article_ids = {b["article_id"] for s in snaps.values() for b in s["bases"]}
    texts = dict(await LegalArticle.filter(id__in=article_ids).using_db(using_db).values_list("id", "text"))
    for snap in snaps.values():
        for basis in snap["bases"]:
            basis["article_text"] = texts.get(basis["article_id"], "")
    return snaps


def _check_period_input(v: Validator, data: PeriodData, on: datetime.date) -> str:
    title = check_text(v, "title", "公示标题", data.title, limit=MAX_TITLE)
    workdays.check_day_count(v, "workdays", "公示期", data.workdays, minimum=1, maximum=MAX_WORKDAYS)
    starts_on = data.starts_on or on
    v.check(starts_on >= on, "startsOn", "公示开始日期不能早于今天 (the period cannot start in the past)", "past")
    v.check(
        starts_on <= on + datetime.timedelta(days=366), "startsOn",
        "公示开始日期不能晚于一年以后 (the period must start within a year)", "out_of_range",
    )  # fmt: skip
    v.check(bool(data.power_ids), "powerIds", "请选择要公示的职权 (name at least one power)", "required")
    v.check(len(data.power_ids) <= MAX_POWERS, "powerIds", f"一次最多公示 {MAX_POWERS} 项职权 (at most {MAX_POWERS})", "too_many")
    return title


async def open_period(viewer: access.Viewer, data: PeriodData, on: datetime.date | None = None) -> CommentPeriod:
    """公示: freeze a 公示稿 of each power and open the period; refused as a whole, naming each power
    refused by its place in `power_ids` (and by its code only to who may see it, which the caller can)."""
    on = on or workdays.today()
    access.require_unit_content(viewer, data.unit_id)
    if not await Unit.exists(id=data.unit_id):
        raise NotFound("单位不存在 (unit not found)")
    v = Validator()
    title = _check_period_input(v, data, on)
    v.raise_if_any()
    starts_on = data.starts_on or on
    unit_ids = await access.unit_subtree_ids(data.unit_id)
    ids = list(data.power_ids)
    async with in_transaction() as conn:
        # locked: two periods opened at once cannot both take the same power
        powers = {
            p.id: p
            for p in await Power.filter(access.power_q(viewer), id__in=set(ids)).select_for_update().using_db(conn)
        }
        busy = set(
            await CommentDraft.filter(
                power_id__in=list(powers), period__closed_at__isnull=True, period__ends_on__gte=on
            ).using_db(conn).values_list("power_id", flat=True)
        )
        seen: set[int] = set()
        for i, pid in enumerate(ids):
            where, power = f"powerIds.{i}", powers.get(pid)
            if pid in seen:
                v.add(where, "同一职权重复列出 (the power is listed twice)", "duplicate")
            elif power is None:
                v.add(where, "职权不存在或无权查看 (power not found)", "not_found")
            elif power.unit_id not in unit_ids:
                v.add(where, "该职权不属于本单位 (the power belongs to another unit)", "other_unit")
            elif power.confidential:
                v.add(where, f"{power.code} 涉密不宜公开，不能公示 (a confidential power is never put up for comment)", "confidential")
            elif power.disclosure_scope != DisclosureScope.PUBLIC:
                v.add(where, f"{power.code} 的公开范围不是向社会公开，不能公示 (only a power disclosed to the public is put up for comment)", "not_public")
            elif power.status != PowerStatus.DRAFT:
                v.add(where, f"{power.code} 处于「{power.status.label}」状态，只有清理登记中的职权可以公示 (only DRAFT powers)", "not_draft")
            elif pid in busy:
                v.add(where, f"{power.code} 已在公示中 (the power is already in an open or coming period)", "in_period")
            seen.add(pid)
        v.raise_if_any()
        calendar = await WorkCalendar.load()
        end = calendar.deadline(starts_on - datetime.timedelta(days=1), data.workdays)
        period = await CommentPeriod.create(
            unit_id=data.unit_id, title=title, starts_on=starts_on, ends_on=end.day, workdays=data.workdays,
            ends_provisional=end.provisional, opened_by=viewer.name, using_db=conn,
        )  # fmt: skip
        chosen = [powers[pid] for pid in ids]
        snaps = await comment_snapshots(chosen, conn)
        await CommentDraft.bulk_create(
            [
                CommentDraft(
                    period_id=period.id, power_id=p.id, unit_id=p.unit_id, ordinal=n, code=p.code, name=p.name,
                    snapshot=snaps[p.id],
                )  # fmt: skip
                for n, p in enumerate(chosen, start=1)
            ],
            using_db=conn,
        )
        await record(
            viewer, "comment_period.open", "comment_period", period.id, unit_id=data.unit_id, title=title,
            starts_on=starts_on.isoformat(), ends_on=end.day.isoformat(), workdays=data.workdays,
            powers=[p.code for p in chosen],
        )  # fmt: skip
    return period


async def _own_period(viewer: access.Viewer, period_id: int, on: datetime.date) -> CommentPeriod:
    period = await CommentPeriod.filter(access.comment_period_q(viewer, on), id=period_id).first()
    if period is None:
        raise NotFound("公示不存在或无权查看 (comment period not found)")
    access.require_unit_content(viewer, period.unit_id)
    return period


async def close_period(viewer: access.Viewer, period_id: int, reason: str = "", on: datetime.date | None = None) -> CommentPeriod:
    """提前结束: the public no longer sees its 公示稿 from now on; comments already left stay with the unit."""
    on = on or workdays.today()
    period = await _own_period(viewer, period_id, on)
    v = Validator()
    reason = check_text(v, "reason", "提前结束的理由", reason, required=False)
    v.raise_if_any()
    status = period_status(period, on)
    if status in (CommentPeriodStatus.CLOSED, CommentPeriodStatus.ENDED):
        raise IllegalTransition(f"公示{status.label}，不能再结束 (the period is already over)", "close", status.value)
    at = now()
    async with in_transaction():
        if not await CommentPeriod.filter(id=period.id, closed_at__isnull=True).update(
            closed_at=at, closed_on=on, closed_by=viewer.name, close_reason=reason, updated_at=at
        ):
            raise IllegalTransition("公示已被他人结束 (the period was closed meanwhile)", "close", "CLOSED")
        await record(viewer, "comment_period.close", "comment_period", period.id, unit_id=period.unit_id, why=reason, was=status.value)
    period.closed_at, period.closed_on, period.closed_by, period.close_reason = at, on, viewer.name, reason
    return period


# -- comments -------------------------------------------------------------------------------------


@dataclass
class CommentData:
    draft_id: int
    body: str
    commenter_name: str = ""
    commenter_contact: str = ""


async def file_comment(viewer: access.Viewer, data: CommentData, on: datetime.date | None = None) -> PublicComment:
    """意见 on a 公示稿 of a period open today (for everyone, the unit included); name and contact optional."""
    on = on or workdays.today()
    v = Validator()
    body = check_text(v, "body", "意见内容", data.body, limit=MAX_COMMENT)
    name = check_text(v, "commenterName", "姓名", data.commenter_name, required=False, limit=MAX_NAME)
    contact = check_text(v, "commenterContact", "联系方式", data.commenter_contact, required=False, limit=MAX_CONTACT)
    v.raise_if_any()
    draft = await CommentDraft.filter(access.comment_draft_q(access.PUBLIC, on), id=data.draft_id).select_related("period").first()
    if draft is None:
        raise NotFound("公示稿不存在或不在公示期内 (no 公示稿 open for comment with this id)")
    async with in_transaction():
        comment = await PublicComment.create(
            draft_id=draft.id, unit_id=draft.period.unit_id, body=body, commenter_name=name,
            commenter_contact=contact, received_on=on,
        )  # fmt: skip
        await record(
            viewer, "comment.file", "public_comment", comment.id, period_id=draft.period_id, draft_id=draft.id,
            power_code=draft.code, anonymous=not (name or contact),
        )  # fmt: skip
    return comment


@dataclass
class Moderation:
    action: CommentAction
    answer: str = ""
    hidden_reason: CommentHiddenReason | None = None
    note: str = ""


_FROM = {
    CommentAction.PUBLISH: (CommentStatus.RECEIVED,),
    CommentAction.ANSWER: (CommentStatus.RECEIVED, CommentStatus.PUBLISHED),
    CommentAction.HIDE: (CommentStatus.RECEIVED, CommentStatus.PUBLISHED),
}
_TO = {CommentAction.PUBLISH: CommentStatus.PUBLISHED, CommentAction.ANSWER: CommentStatus.ANSWERED, CommentAction.HIDE: CommentStatus.HIDDEN}


async def moderate(viewer: access.Viewer, comment_id: int, m: Moderation, on: datetime.date | None = None) -> PublicComment:
    """公开, 答复 (published with the answer) or 不予公开 (a reason from the list, and a text): the unit."""
    on = on or workdays.today()
    comment = await PublicComment.filter(access.public_comment_q(viewer, on), id=comment_id).first()
    if comment is None:
        raise NotFound("意见不存在或无权查看 (comment not found)")
    access.require_unit_content(viewer, comment.unit_id)
    v = Validator()
    answer = note = ""
    if m.action is CommentAction.ANSWER:
        answer = check_text(v, "answer", "答复", m.answer, limit=MAX_COMMENT)
    elif m.answer.strip():
        v.add("answer", "只有答复时填写答复内容 (an answer goes with the ANSWER action)", "unexpected")
    if m.action is CommentAction.HIDE:
        v.check(m.hidden_reason is not None, "hiddenReason", "请选择不予公开的理由 (choose a reason)", "required")
        note = check_text(v, "note", "说明", m.note, required=False)
    elif m.hidden_reason is not None:
        v.add("hiddenReason", "只有不予公开时选择理由 (a reason goes with the HIDE action)", "unexpected")
    v.raise_if_any()
    frm = _FROM[m.action]
    if comment.status not in frm:
        raise IllegalTransition(
            f"意见处于「{comment.status.label}」状态，不能{m.action.label} (cannot {m.action.value.lower()} a {comment.status.value} comment)",
            m.action.value.lower(), comment.status.value,
        )  # fmt: skip
    changes: dict[str, Any] = {"status": _TO[m.action], "moderated_by": viewer.name, "moderated_on": on}
    if m.action is CommentAction.ANSWER:
        changes["answer"] = answer
    if m.action is CommentAction.HIDE:
        changes.update(hidden_reason=m.hidden_reason, hidden_note=note)
    async with in_transaction():
        if not await PublicComment.filter(id=comment.id, status=comment.status).update(**changes, updated_at=now()):
            raise IllegalTransition("意见已被他人处理 (the comment changed meanwhile)", m.action.value.lower(), comment.status.value)
        await record(
            viewer, f"comment.{m.action.value.lower()}", "public_comment", comment.id, unit_id=comment.unit_id,
            from_status=comment.status.value, to_status=_TO[m.action].value,
            reason=m.hidden_reason.value if m.hidden_reason else None, why=note, answer=answer,
        )  # fmt: skip
    for name, value in changes.items():
        setattr(comment, name, value)
    return comment


# -- what the declaration carries (the 登记表's notes) --------------------------------------------


#: answered comments printed per power (the count covers them all)
MAX_PRINTED_ANSWERS = 10


@dataclass
class CommentSummary:
    received: int = 0
    shown: int = 0  # published or answered
    answered: list[tuple[str, str]] = field(default_factory=list)  # (comment, answer), masked and shortened

    def note(self, full: bool) -> str:
        """One cell's text: how many comments the 公示 received and the answers, briefly. Not `full` (the
        public version, another unit's): the counts alone, as the API shows comments only during the period."""
        if not full:
            return f"社会公示征求意见：公开意见{self.shown}条，答复{len(self.answered)}条。"
        head = f"社会公示征求意见：收到意见{self.received}条，公开{self.shown}条，答复{len(self.answered)}条。"
        printed = self.answered[:MAX_PRINTED_ANSWERS]
        lines = [head] + [f"{i}．{c}——答复：{a}" for i, (c, a) in enumerate(printed, start=1)]
        if len(self.answered) > len(printed):
            lines.append(f"（另有答复{len(self.answered) - len(printed)}条，略）")
        return "\n".join(lines)


def brief(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def comment_summaries(power_ids: Sequence[int]) -> dict[int, CommentSummary]:
    """Per power put up for comment, its 公示稿's comments: counts and the answered ones, the commenters'
    names masked in the texts (a filing never prints personal data, whoever reads it). Two queries."""
    found: dict[int, CommentSummary] = defaultdict(CommentSummary)
    for power_id in await CommentDraft.filter(power_id__in=list(power_ids), period__starts_on__lte=workdays.today()).values_list(
        "power_id", flat=True
    ):
        found[power_id]  # put up for comment, even if nobody commented
    rows = await PublicComment.filter(draft__power_id__in=list(power_ids)).order_by("id").values_list(
        "draft__power_id", "status", "body", "answer", "commenter_name"
    )
    for power_id, status, body, answer, name in rows:
        s = found[power_id]
        s.received += 1
        if status in access.SHOWN_COMMENTS:
            s.shown += 1
        if status == CommentStatus.ANSWERED:
            names = personal.person_names(name)
            s.answered.append((brief(personal.mask_names(body, names)), brief(personal.mask_names(answer, names))))
    return dict(found)
