"""网上审批 / 办件 (issue 23): a resident applies for a public power online (or at the counter, 便民服务大厅),
and the application becomes a case that follows the power's flow chart (一图).

- Who may apply: anyone, without a token, for a PUBLISHED power the public sees (public, not confidential)
  of an appliable category (APPLIABLE) or marked 可网上办理 (`Power.online`). Any other power answers
  exactly as one that does not exist. The applicant's name, contact and attachments are personal data:
  only the unit and oversight roles see them (access.sees_personal_data).
- The case is an OperationRecord of the power (附7), so the filings and disclosure keep working, and each
  step it is at is an OperationStep (with the step's 办理时限 in working days).
- It keeps the chart it started under: the steps and edges are copied into the case at filing (with the
  published version in force then), so that a later revision of the power does not move it.
- It moves only along the chart's edges (the edge's condition recorded), each move by staff of the unit
  holding the current step's post (岗位), with an opinion. 补正 suspends it (its clock stops) until
  resumed. The result (准予 / 不予, reasons, legal basis), given at a final step, closes it and is
  disclosed in the power's 公开范围.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access, receipts
from domain.audit import record
from domain.case_models import ApplicationCase, CaseAttachment, CaseSuspension, CaseTransition
from domain.enums import (
    CaseChannel,
    CaseOutcome,
    CaseStatus,
    DisclosureChannel,
    DisclosureTiming,
    FlowStepKind,
    OperationStage,
    PowerCategory,
    PowerStatus,
)
from domain.errors import IllegalTransition, NotFound, PermissionDenied, Validator
from domain.models import DisclosureRecord, FlowChart, FlowEdge, FlowStep, OperationRecord, Position, Power
from domain.operations import check_text
from domain.workdays import WorkCalendar, today
from domain.workflow_models import OperationStep, PowerVersion

#: Categories a resident applies for (许可, 给付, 确认, 奖励, 裁决); others only where the unit marks the
#: power 可网上办理.
APPLIABLE = frozenset(
    {
        PowerCategory.LICENSING,
        PowerCategory.BENEFIT,
        PowerCategory.CONFIRMATION,
        PowerCategory.REWARD,
        PowerCategory.ADJUDICATION,
    }
)
REQUEST_LIMIT = 2000
NAME_LIMIT = 100
CONTACT_LIMIT = 100
OPINION_LIMIT = 2000
#: Attachments: at most this many, each at most the setting's bytes, of these kinds (by name and content).
MAX_ATTACHMENTS = 5
FILENAME_LIMIT = 200
NOT_FOUND = "办件不存在或无权查看 (case not found)"
POWER_NOT_FOUND = "职权不存在 (power not found)"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, ValueError):
        return False


#: Kinds of attachment accepted: the file name's ending, the content type kept, and a check of the bytes.
ATTACHMENT_KINDS: dict[str, tuple[str, Any]] = {
    ".pdf": ("application/pdf", lambda d: d.startswith(b"%PDF-")),
    ".png": ("image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _is_docx),
}


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass
class ApplicationData:
    power_id: int
    request: str
    applicant_name: str
    applicant_contact: str
    attachments: Sequence[Attachment] = field(default_factory=tuple)


def appliable(power: Power) -> bool:
    """Whether a resident may apply for `power`: published and public, of an appliable category or
    marked 可网上办理."""
    public = all(getattr(power, k) == v for k, v in access.PUBLIC_POWER.items())
    return public and (power.category in APPLIABLE or bool(power.online))


def appliable_q() -> Q:
    """appliable() as a database filter."""
    return Q(**access.PUBLIC_POWER) & (Q(category__in=sorted(APPLIABLE)) | Q(online=True))


def _check_attachments(v: Validator, attachments: Sequence[Attachment], max_bytes: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    v.check(
        len(attachments) <= MAX_ATTACHMENTS, "attachments",
        f"附件不能超过 {MAX_ATTACHMENTS} 个 (at most {MAX_ATTACHMENTS} attachments)", "too_many",
    )  # fmt: skip
    for i, a in enumerate(attachments[:MAX_ATTACHMENTS]):
        name = f"attachments[{i}]"
        filename = (a.filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
        if len(a.data) > max_bytes:
            v.add(name, f"附件不能超过 {max_bytes} 字节 (the file is larger than {max_bytes} bytes)", "too_large")
            continue
        if not a.data:
            v.add(name, "附件是空文件 (the file is empty)", "empty")
            continue
        ending = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        kind = ATTACHMENT_KINDS.get(ending)
        if kind is None or not kind[1](a.data) or not (1 <= len(filename) <= FILENAME_LIMIT):
            v.add(
                name,
                "附件只能是 PDF、PNG、JPEG 或 Word (.docx) 文件 (only PDF, PNG, JPEG or .docx files are accepted)",
                "forbidden_type",
            )
            continue
        rows.append(
            {"filename": filename, "content_type": kind[0], "size": len(a.data),
             "sha256": hashlib.sha256(a.data).hexdigest(), "data": a.data}
        )  # fmt: skip
    return rows


async def _chart_copy(power: Power) -> dict[str, Any] | None:
    """The power's flow chart as the case keeps it: steps (key, name, kind, limit, post and the unit that
    handles it) and edges between keys. None when the power has no chart or no step."""
    chart = await FlowChart.get_or_none(power_id=power.id)
    if chart is None:
        return None
    steps = await FlowStep.filter(chart_id=chart.id).order_by("ordinal", "id")
    if not steps:
        return None
    positions = {p.id: p for p in await Position.filter(id__in=[s.position_id for s in steps if s.position_id])}
    key = {s.id: i for i, s in enumerate(steps)}
    copied = []
    for i, s in enumerate(steps):
        post = positions.get(s.position_id or 0)
        copied.append(
            {"key": i, "flow_step_id": s.id, "ordinal": s.ordinal, "name": s.name, "kind": s.kind.value,
             "time_limit_days": s.time_limit_days, "position_id": post.id if post else None,
             "position": post.name if post else "", "unit_id": post.unit_id if post else power.unit_id}
        )  # fmt: skip
    edges = [
        {"source": key[e.source_id], "target": key[e.target_id], "label": e.label}
        for e in await FlowEdge.filter(chart_id=chart.id).order_by("id")
        if e.source_id in key and e.target_id in key
    ]
    return {"title": chart.title, "time_limit_days": power.time_limit_days, "steps": copied, "edges": edges}


def first_step(chart: dict[str, Any]) -> dict[str, Any]:
    """Where a case starts: the START step, else the first step no edge leads to, else the first step."""
    steps = chart["steps"]
    for s in steps:
        if s["kind"] == FlowStepKind.START.value:
            return s
    targets = {e["target"] for e in chart["edges"]}
    return next((s for s in steps if s["key"] not in targets), steps[0])


def step_of(chart: dict[str, Any], key: int | None) -> dict[str, Any] | None:
    steps = chart["steps"]
    return steps[key] if key is not None and 0 <= key < len(steps) else None


def next_steps(chart: dict[str, Any], key: int | None) -> list[tuple[dict[str, Any], str]]:
    """The steps the chart's edges lead to from `key`, with each edge's condition."""
    return [(chart["steps"][e["target"]], e["label"]) for e in chart["edges"] if e["source"] == key]


def is_final(chart: dict[str, Any], key: int | None) -> bool:
    """A step where a case may close: an END step, or one no edge leaves."""
    step = step_of(chart, key)
    return step is not None and (step["kind"] == FlowStepKind.END.value or not next_steps(chart, key))


async def _live_flow_step(step: dict[str, Any]) -> int | None:
    """The flow step a copied step came from, if it still exists (a revision may have replaced it)."""
    return step["flow_step_id"] if await FlowStep.exists(id=step["flow_step_id"]) else None


async def _start_step(op: OperationRecord, step: dict[str, Any], day: datetime.date, handler: str) -> None:
    await OperationStep.create(
        operation_id=op.id, flow_step_id=await _live_flow_step(step), step_name=step["name"][:200],
        time_limit_days=step["time_limit_days"], handler=handler[:100], started_on=day,
    )  # fmt: skip


async def file_application(
    viewer: access.Viewer,
    data: ApplicationData,
    *,
    channel: CaseChannel = CaseChannel.ONLINE,
    max_bytes: int,
    on: datetime.date | None = None,
) -> ApplicationCase:
    """申请: the application becomes a case at its chart's first step. Online anyone files it; at the
    counter (便民服务大厅) the unit's staff register it. The case gets a 查询码 (`case.receipt_code`, shown
    once, stored hashed) to follow it by (case_by_receipt)."""
    on = on or today()
    v = Validator()
    request = check_text(v, "request", "申请事项", data.request, limit=REQUEST_LIMIT)
    name = check_text(v, "applicant_name", "申请人姓名或者名称", data.applicant_name, limit=NAME_LIMIT)
    contact = check_text(v, "applicant_contact", "联系方式", data.applicant_contact, limit=CONTACT_LIMIT)
    # hashing and opening a few megabytes: off the event loop
    files = await asyncio.to_thread(_check_attachments, v, data.attachments, max_bytes)
    # the public rule, whoever asks: a hidden power answers exactly as one that does not exist
    power = await Power.filter(access.power_q(access.PUBLIC), id=data.power_id).first()
    chart = None
    if power is None:
        v.add("power_id", POWER_NOT_FOUND, "not_found")
    elif not appliable(power):
        v.add("power_id", f"「{power.category.label}」类职权不受理网上申请 (this power does not take applications)", "not_appliable")
    else:
        chart = await _chart_copy(power)
        v.check(chart is not None, "power_id", "该职权没有流程图，不能网上办理 (the power has no flow chart)", "no_chart")
    if channel == CaseChannel.COUNTER and power is not None:
        access.require_record_keeper(viewer, power.unit_id)
    v.raise_if_any()
    assert power is not None and chart is not None
    start = first_step(chart)
    async with in_transaction():
        version = await PowerVersion.filter(power_id=power.id, superseded_at__isnull=True).order_by("-number").first()
        op = await OperationRecord.create(
            power_id=power.id, subject=request[:300], applicant=name, stage=OperationStage.DECISION,
            scope=power.disclosure_scope, handler=start["position"][:100],
        )  # fmt: skip
        case = ApplicationCase(
            power_id=power.id, unit_id=power.unit_id, version_id=version.id if version else None, operation_id=op.id,
            channel=channel, request=request, applicant_name=name, applicant_contact=contact, chart=chart,
            current_step=start["key"], step_unit_id=start["unit_id"], received_on=on,
        )  # fmt: skip
        code = receipts.issue(case)
        await case.save()
        await _start_step(op, start, on, start["position"] or "申请人")
        await CaseTransition.create(
            case_id=case.id, to_step=start["key"], to_name=start["name"][:200], actor=viewer.name, day=on,
            opinion=channel.label,
        )  # fmt: skip
        if files:
            await CaseAttachment.bulk_create([CaseAttachment(case_id=case.id, **f) for f in files])
        case.receipt_code = code  # type: ignore[attr-defined]  # for the receipt only
        await record(
            viewer, "case.file", "application_case", case.id, power_id=power.id, channel=channel.value,
            step=start["name"], attachments=len(files), version_id=case.version_id,
        )  # fmt: skip
    return case


async def case_by_receipt(case_id: int, code: str) -> ApplicationCase:
    """The case whose number and 查询码 these are; anything else answers as not found."""
    return await receipts.by_receipt(ApplicationCase, case_id, code, "没有这个办件，或查询码不对 (no case with this number and code)")


def cases_q(
    viewer: access.Viewer,
    *,
    statuses: Iterable[CaseStatus] | None = None,
    unit_ids: frozenset[int] | None = None,
    power_id: int | None = None,
) -> Q:
    """The cases `viewer` may see: never the public; a unit its own and its offices', and those whose current
    step is held by a post of theirs (an office handling a step of its department's power); oversight all."""
    q = access.unit_rows_q(viewer)
    if not viewer.sees_all and viewer.unit_ids and viewer.role in access.UNIT_ROLES:
        q |= Q(step_unit_id__in=sorted(viewer.unit_ids))
    if statuses:
        q &= Q(status__in=list(statuses))
    if unit_ids is not None:
        q &= Q(unit_id__in=sorted(unit_ids))
    if power_id is not None:
        q &= Q(power_id=power_id)
    return q


async def visible_case(viewer: access.Viewer, case_id: int) -> ApplicationCase | None:
    return await ApplicationCase.filter(cases_q(viewer), id=case_id).first()


def require_step_handler(viewer: access.Viewer, case: ApplicationCase) -> None:
    """A case is handled at each step by the staff of the unit holding the step's post (the power's unit
    where the step names none); oversight roles watch, they do not handle."""
    step = step_of(case.chart, case.current_step)
    unit_id = step["unit_id"] if step else case.unit_id
    if not (viewer.role in access.UNIT_ROLES and unit_id in viewer.unit_ids):
        where = f"「{step['position'] or step['name']}」" if step else ""
        raise PermissionDenied(
            f"只有承办岗位{where}所在单位的工作人员可以办理本环节 (only the staff of the post holding this step may handle it)"
        )


async def _case_for_step(viewer: access.Viewer, case_id: int, action: str, allowed: CaseStatus) -> ApplicationCase:
    case = await ApplicationCase.filter(cases_q(viewer), id=case_id).select_related("operation").first()
    if case is None:
        raise NotFound(NOT_FOUND)
    require_step_handler(viewer, case)
    if case.status != allowed:
        raise IllegalTransition(
            f"办件处于「{case.status.label}」状态，不能{ACTIONS_ZH[action]} (cannot {action} a {case.status.value} case)",
            action,
            case.status.value,
        )
    return case


ACTIONS_ZH = {"move": "转入下一环节", "suspend": "暂停补正", "resume": "恢复办理", "close": "办结"}


async def _begin(
    viewer: access.Viewer, case_id: int, action: str, allowed: CaseStatus, on: datetime.date, *texts: tuple[str, str, str]
) -> tuple[ApplicationCase, list[str]]:
    """A step on a case, inside its transaction: the case as the viewer may handle it, in the status the
    action needs, its free texts (name, label, value) checked and not dated before the case's last step."""
    case = await _case_for_step(viewer, case_id, action, allowed)
    v = Validator()
    cleaned = [check_text(v, name, label, value, limit=OPINION_LIMIT) for name, label, value in texts]
    await _check_day(v, case, on)
    v.raise_if_any()
    return case, cleaned


async def _set(case: ApplicationCase, action: str, unchanged: dict[str, Any], **changes: Any) -> None:
    """Change the case unless someone changed it meanwhile (`unchanged`: what it must still be)."""
    if not await ApplicationCase.filter(id=case.id, **unchanged).update(**changes, updated_at=now()):
        raise IllegalTransition("办件已被他人办理 (the case changed meanwhile)", action, case.status.value)


async def _last_day(case: ApplicationCase) -> datetime.date:
    last = await CaseTransition.filter(case_id=case.id).order_by("-id").first()
    resumed = await CaseSuspension.filter(case_id=case.id).order_by("-id").first()
    days = [case.received_on] + ([last.day] if last else []) + ([resumed.resumed_on or resumed.suspended_on] if resumed else [])
    return max(days)


async def _check_day(v: Validator, case: ApplicationCase, on: datetime.date) -> None:
    last = await _last_day(case)
    v.check(on >= last, "on", f"日期不能早于上一次办理的日期 {last.isoformat()} (before the case's last step)", "before_previous")


async def _finish_running(case: ApplicationCase, on: datetime.date, note: str, handler: str) -> None:
    await OperationStep.filter(operation_id=case.operation_id, finished_on__isnull=True).update(
        finished_on=on, note=note, handler=handler[:100], updated_at=now()
    )


async def move_case(
    viewer: access.Viewer, case_id: int, to_step: int, opinion: str, on: datetime.date | None = None
) -> ApplicationCase:
    """转入下一环节 along an edge of the chart from the current step, with an opinion; anything off the
    chart is refused."""
    on = on or today()
    async with in_transaction():
        case, (text,) = await _begin(viewer, case_id, "move", CaseStatus.OPEN, on, ("opinion", "办理意见", opinion))
        here = step_of(case.chart, case.current_step)
        moves = next_steps(case.chart, case.current_step)
        chosen = next(((s, label) for s, label in moves if s["key"] == to_step), None)
        if chosen is None:
            allowed = "、".join(s["name"] for s, _ in moves) or "无（请办结）"
            raise IllegalTransition(
                f"流程图上没有从「{here['name'] if here else ''}」到该环节的连线；可转入：{allowed} "
                f"(the chart has no edge from the current step to step {to_step})",
                "move",
                case.status.value,
            )
        target, condition = chosen
        unchanged = {"status": CaseStatus.OPEN, "current_step": case.current_step}
        await _set(case, "move", unchanged, current_step=target["key"], step_unit_id=target["unit_id"])
        await _finish_running(case, on, text, viewer.name)
        await _start_step(case.operation, target, on, target["position"] or viewer.name)
        await OperationRecord.filter(id=case.operation_id).update(handler=viewer.name[:100], updated_at=now())
        await CaseTransition.create(
            case_id=case.id, from_step=case.current_step, to_step=target["key"], from_name=(here or {}).get("name", "")[:200],
            to_name=target["name"][:200], condition=condition[:200], opinion=text, actor=viewer.name, day=on,
        )  # fmt: skip
        await record(
            viewer, "case.move", "application_case", case.id, from_step=(here or {}).get("name"), to_step=target["name"],
            condition=condition, on=on.isoformat(),
        )  # fmt: skip
        case.current_step = target["key"]
    return case


async def suspend_case(viewer: access.Viewer, case_id: int, reason: str, on: datetime.date | None = None) -> ApplicationCase:
    """补正: the case waits for the applicant's supplement; its clock stops until resume_case."""
    on = on or today()
    async with in_transaction():
        case, (text,) = await _begin(viewer, case_id, "suspend", CaseStatus.OPEN, on, ("reason", "需要补正的内容", reason))
        await _set(case, "suspend", {"status": CaseStatus.OPEN}, status=CaseStatus.SUSPENDED)
        await CaseSuspension.create(case_id=case.id, reason=text, suspended_on=on, suspended_by=viewer.name)
        await record(viewer, "case.suspend", "application_case", case.id, on=on.isoformat())
        case.status = CaseStatus.SUSPENDED
    return case


async def resume_case(viewer: access.Viewer, case_id: int, on: datetime.date | None = None) -> ApplicationCase:
    """补正 received: the case runs again from the step it was at."""
    on = on or today()
    async with in_transaction():
        case, _ = await _begin(viewer, case_id, "resume", CaseStatus.SUSPENDED, on)
        await _set(case, "resume", {"status": CaseStatus.SUSPENDED}, status=CaseStatus.OPEN)
        await CaseSuspension.filter(case_id=case.id, resumed_on__isnull=True).update(resumed_on=on, resumed_by=viewer.name)
        await record(viewer, "case.resume", "application_case", case.id, on=on.isoformat())
        case.status = CaseStatus.OPEN
    return case


@dataclass(frozen=True)
class Decision:
    outcome: CaseOutcome
    reasons: str
    legal_basis: str


async def close_case(
    viewer: access.Viewer, case_id: int, decision: Decision, on: datetime.date | None = None
) -> ApplicationCase:
    """办结 at a final step of the chart with the result (准予 / 不予, reasons, legal basis): the 附7 record
    gets its decision and result, and the result is disclosed in the power's 公开范围 (政府网站, 及时公开)."""
    on = on or today()
    async with in_transaction():
        case, (reasons, basis) = await _begin(
            viewer, case_id, "close", CaseStatus.OPEN, on,
            ("reasons", "决定理由", decision.reasons), ("legal_basis", "法律依据", decision.legal_basis),
        )  # fmt: skip
        if not is_final(case.chart, case.current_step):
            here = step_of(case.chart, case.current_step)
            raise IllegalTransition(
                f"办件在「{here['name'] if here else ''}」环节，流程图上尚未到办结环节 (the case is not at a final step of its chart)",
                "close",
                case.status.value,
            )
        await _set(
            case, "close", {"status": CaseStatus.OPEN}, status=CaseStatus.CLOSED, outcome=decision.outcome,
            reasons=reasons, legal_basis=basis, closed_on=on, closed_by=viewer.name,
        )  # fmt: skip
        await _finish_running(case, on, f"{decision.outcome.label}：{reasons}", viewer.name)
        op = case.operation
        result = f"{decision.outcome.label}。理由：{reasons}。依据：{basis}"
        await OperationRecord.filter(id=op.id).update(
            stage=OperationStage.RESULT, decision=f"{decision.outcome.label}：{reasons}", decided_on=on,
            execution="决定书送达申请人", executed_on=on, result=result, finished_on=on, handler=viewer.name[:100],
            updated_at=now(),
        )  # fmt: skip
        await DisclosureRecord.create(
            power_id=case.power_id, operation_id=op.id, scope=op.scope, timing=DisclosureTiming.TIMELY,
            channel=DisclosureChannel.GOVERNMENT_WEBSITE, content=f"{op.subject}：{result}", disclosed_on=on,
        )  # fmt: skip
        await record(
            viewer, "case.close", "application_case", case.id, outcome=decision.outcome.value, on=on.isoformat(),
            operation_id=op.id,
        )  # fmt: skip
        case.status, case.outcome, case.reasons, case.legal_basis, case.closed_on = (
            CaseStatus.CLOSED, decision.outcome, reasons, basis, on,
        )  # fmt: skip
    return case


async def attachment_for(viewer: access.Viewer, attachment_id: int) -> CaseAttachment:
    """A case's attachment, for who sees the case (its unit, the office at its step, oversight); NotFound else."""
    found = await CaseAttachment.get_or_none(id=attachment_id)
    if found is None or not await ApplicationCase.filter(cases_q(viewer), id=found.case_id).exists():
        raise NotFound("附件不存在或无权查看 (attachment not found)")
    return found


# -- the clock: working days, stopped while 补正 --------------------------------------------------


def suspended_workdays(
    calendar: WorkCalendar,
    intervals: Iterable[tuple[datetime.date, datetime.date | None]],
    start: datetime.date,
    end: datetime.date,
) -> int:
    """Working days between `start` and `end` (counted as WorkCalendar.workdays_between counts: after
    `start` up to and including `end`) that fall in the suspensions `intervals` — each (suspended_on,
    resumed_on or None while still suspended), counted after the day of suspension through the day of
    resumption. Subtract it from workdays_between(start, end) for the days a case (or a step of it)
    has taken with its clock stopped during 补正. Intervals must not overlap (a case has one at a time)."""
    total = 0
    for suspended_on, resumed_on in intervals:
        lo = max(start, suspended_on)
        hi = min(end, resumed_on or end)
        total += calendar.workdays_between(lo, hi)
    return total


async def case_suspensions(operation_id: int) -> list[tuple[datetime.date, datetime.date | None]]:
    """The 补正 intervals of the case whose 附7 record is `operation_id` ([] for a record typed by hand)."""
    rows = await CaseSuspension.filter(case__operation_id=operation_id).order_by("id").values_list("suspended_on", "resumed_on")
    return [(s, r) for s, r in rows]


@dataclass(frozen=True)
class CaseClock:
    workdays: int  # working days taken from receipt, the suspended ones left out
    suspended: int  # working days the clock stood still (补正)
    limit: int | None  # 办理时限 of the power (working days) as the case started under it


def case_clock(
    calendar: WorkCalendar,
    case: ApplicationCase,
    intervals: Sequence[tuple[datetime.date, datetime.date | None]],
    on: datetime.date,
) -> CaseClock:
    end = case.closed_on or on
    stopped = suspended_workdays(calendar, intervals, case.received_on, end)
    limit = case.chart.get("time_limit_days")
    return CaseClock(calendar.workdays_between(case.received_on, end) - stopped, stopped, limit)


# -- the rule on withdrawals ------------------------------------------------------------------------


async def refuse_withdrawal_with_open_cases(power_id: int) -> None:
    """A power cannot be withdrawn (废止 / 剔除) while cases of it are undecided: decide (close) them first."""
    open_cases = await ApplicationCase.filter(power_id=power_id, status__in=[CaseStatus.OPEN, CaseStatus.SUSPENDED]).count()
    if open_cases:
        raise IllegalTransition(
            f"该职权尚有 {open_cases} 件办件未作出决定，须先办结 (the power has {open_cases} open cases: decide them first)",
            "withdraw",
            PowerStatus.PUBLISHED.value,
        )
