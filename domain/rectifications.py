"""整改 to the end, and 责任追究 (the plan's 检查验收 stage).

An inspection's finding gets a requirement and a deadline in working days (domain.workdays) from 监察局
(INSPECTOR) or 县公开办 (a REVIEWER holding the OPENNESS_OFFICE seat):

OPEN → reply() → REPLIED → accept() → ACCEPTED → close() → CLOSED (销号)
REPLIED → return_() → RETURNED (a new deadline) → reply() → REPLIED …

The unit's staff reply with what they did and evidence (佐证材料: PDF, images, Word or Excel files,
checked by their content and size, stored byte for byte as uploads are); 县公开办 accepts or returns
the reply; 监察局 or 县公开办 closes it. A rectification is never public: the unit (and the units above
it) sees its own, oversight roles all (access.unit_rows_q). OPEN and RETURNED ones past their deadline
are overdue.

责任追究 (who, what, the sanction, the basis) is recorded by 监察局 and read by oversight roles only: the
unit concerned does not see it, nor does anyone else.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import RectificationStatus, ReviewSeat, Role, Sanction
from domain.errors import (
    FieldError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    Validator,
)
from domain.models import StoredFile, Unit
from domain.operations import check_not_future, check_text
from domain.oversight_models import Accountability, Rectification, RectificationEvidence
from domain.workdays import WorkCalendar, check_day_count, today
from domain.workflow_models import Inspection
from domain.zip_package import PackageKind, check_zip

#: The statuses in which the unit owes a reply: these fall overdue.
WAITING = (RectificationStatus.OPEN, RectificationStatus.RETURNED)
MAX_WORKDAYS = 120  # half a year of working days: a longer 整改 is a plan, not a deadline
MAX_FILES = 10  # evidence files per reply
PERSON_LIMIT, POST_LIMIT = 50, 100
ACTIONS_ZH = {"reply": "报告整改情况", "accept": "验收", "return": "退回", "close": "销号"}


@dataclass(frozen=True)
class EvidenceKind:
    extension: tuple[str, ...]
    content_type: str


PDF = EvidenceKind((".pdf",), "application/pdf")
PNG = EvidenceKind((".png",), "image/png")
JPEG = EvidenceKind((".jpg", ".jpeg"), "image/jpeg")
DOCX = EvidenceKind((".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = EvidenceKind((".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
#: Office files may unpack to this many times the upload limit (the library's .docx allowance).
OFFICE_EXPANSION = 5


@dataclass
class EvidenceFile:
    filename: str
    data: bytes


def evidence_kind(upload: EvidenceFile, max_bytes: int, index: int) -> EvidenceKind:
    """What an evidence file is, by its content (its name's extension must agree); a typed error on
    `evidence.N` for an empty, too large, unknown or damaged one."""
    field = f"evidence.{index}"

    def refuse(message: str, code: str) -> ValidationFailed:
        return ValidationFailed([FieldError(field, message, code)])

    if not upload.data:
        raise refuse("文件为空 (the file is empty)", "empty")
    if len(upload.data) > max_bytes:
        raise refuse(f"文件超过 {max_bytes // 1024 // 1024} MB (the file is too large)", "too_large")
    data, name = upload.data, upload.filename.lower()
    if data.startswith(b"%PDF-"):
        kind = PDF
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = PNG
    elif data.startswith(b"\xff\xd8\xff"):
        kind = JPEG
    elif data.startswith(b"PK\x03\x04") and name.endswith((".docx", ".xlsx")):
        kind = DOCX if name.endswith(".docx") else XLSX
        package = PackageKind(kind.extension[0], "unsupported", OFFICE_EXPANSION * max_bytes)
        try:
            check_zip(data, package).close()
        except ValidationFailed as exc:
            raise ValidationFailed([FieldError(field, e.message, e.code) for e in exc.errors]) from None
    else:
        raise refuse("只接受 PDF、JPG、PNG、Word（.docx）或 Excel（.xlsx）文件 (evidence must be PDF, JPEG, PNG, .docx or .xlsx)", "unsupported")
    if not name.endswith(kind.extension):
        raise refuse(f"文件内容与扩展名不符，应为 {kind.extension[0]} (the content is {kind.extension[0]}, not what the name says)", "unsupported")
    return kind


def _checked(evidence: list[EvidenceFile], max_bytes: int) -> list[tuple[EvidenceKind, str]]:
    """Each file's kind (evidence_kind) and SHA-256."""
    return [(evidence_kind(e, max_bytes, i), hashlib.sha256(e.data).hexdigest()) for i, e in enumerate(evidence)]


def is_openness_office(viewer: access.Viewer) -> bool:
    return viewer.role == Role.REVIEWER and viewer.seat == ReviewSeat.OPENNESS_OFFICE


def require_issuer(viewer: access.Viewer) -> None:
    """整改要求 are set, and 整改 closed, by 监察局 (INSPECTOR) or 县公开办."""
    if not (viewer.role == Role.INSPECTOR or is_openness_office(viewer)):
        raise PermissionDenied("只有监察局或县公开办可以提出整改要求和销号 (only an inspector or 县公开办 may do this)")


def require_acceptor(viewer: access.Viewer) -> None:
    """验收 or 退回 of a reply: 县公开办."""
    if not is_openness_office(viewer):
        raise PermissionDenied("只有县公开办可以验收或退回整改 (only 县公开办 may accept or return a rectification)")


def require_accountability(viewer: access.Viewer, *, write: bool = False) -> None:
    """责任追究: oversight roles read it, 监察局 records it."""
    allowed = viewer.role == Role.INSPECTOR if write else viewer.sees_all
    if not allowed:
        raise PermissionDenied("责任追究仅由监察局登记、监督人员查阅 (accountability is for oversight roles only)")


def _set_due(r: Rectification, start: datetime.date, workdays: int, calendar: WorkCalendar) -> None:
    due = calendar.deadline(start, workdays)
    r.due_on, r.due_provisional = due.day, due.provisional


def _check_workdays(v: Validator, workdays: int) -> None:
    check_day_count(v, "workdays", "整改期限", workdays, minimum=1, maximum=MAX_WORKDAYS)


@dataclass
class RectificationData:
    inspection_id: int
    finding: str
    requirement: str
    workdays: int
    issued_on: datetime.date | None = None


async def require_rectification(viewer: access.Viewer, data: RectificationData, on: datetime.date | None = None) -> Rectification:
    """整改要求 on a finding of an inspection, due in `workdays` working days from `issued_on`."""
    on = on or today()
    require_issuer(viewer)
    v = Validator()
    finding = check_text(v, "finding", "发现的问题", data.finding)
    requirement = check_text(v, "requirement", "整改要求", data.requirement)
    _check_workdays(v, data.workdays)
    issued_on = data.issued_on or on
    check_not_future(v, "issued_on", issued_on, on)
    inspection = await Inspection.get_or_none(id=data.inspection_id)
    if inspection is None:
        v.add("inspection_id", "检查记录不存在 (inspection not found)", "not_found")
    elif issued_on < inspection.inspected_on:
        v.add("issued_on", "整改要求不能早于检查日期 (a requirement cannot precede its inspection)", "before_inspection")
    v.raise_if_any()
    assert inspection is not None
    async with in_transaction():
        r = Rectification(inspection_id=inspection.id, unit_id=inspection.unit_id, finding=finding, requirement=requirement,
                          workdays=data.workdays, issued_on=issued_on, issued_by=viewer.name)  # fmt: skip
        _set_due(r, issued_on, data.workdays, await WorkCalendar.load())
        await r.save()
        await record(viewer, "rectification.require", "rectification", r.id, unit_id=r.unit_id, inspection_id=inspection.id,
                     workdays=r.workdays, due_on=r.due_on.isoformat())  # fmt: skip
    return r


async def _find(viewer: access.Viewer, rectification_id: int) -> Rectification:
    found = await Rectification.filter(access.unit_rows_q(viewer), id=rectification_id).first()
    if found is None:
        raise NotFound("整改事项不存在或无权查看 (rectification not found)")
    return found


def _check_status(r: Rectification, action: str, allowed: tuple[RectificationStatus, ...]) -> None:
    if r.status not in allowed:
        raise IllegalTransition(
            f"整改处于「{r.status.label}」状态，不能{ACTIONS_ZH[action]} (cannot {action} a {r.status.value} rectification)",
            action,
            r.status.value,
        )


async def _move(r: Rectification, frm: RectificationStatus, changes: dict[str, object], action: str) -> None:
    """Write `changes` if nobody moved the rectification meanwhile."""
    if not await Rectification.filter(id=r.id, status=frm).update(**changes, updated_at=now()):
        raise IllegalTransition("整改事项已被他人处理 (the rectification changed meanwhile)", action, frm.value)
    for name, value in changes.items():
        setattr(r, name, value)


async def reply(
    viewer: access.Viewer, rectification_id: int, text: str, evidence: list[EvidenceFile], *, max_bytes: int,
    on: datetime.date | None = None,
) -> Rectification:  # fmt: skip
    """整改情况: the unit's staff (of it or a unit above) report what they did, with evidence."""
    on = on or today()
    r = await _find(viewer, rectification_id)
    if not (viewer.role in access.UNIT_ROLES and r.unit_id in viewer.unit_ids):
        raise PermissionDenied("只有被检查单位可以报告整改情况 (only the unit inspected may reply)")
    _check_status(r, "reply", WAITING)
    v = Validator()
    cleaned = check_text(v, "reply", "整改情况", text)
    v.check(len(evidence) <= MAX_FILES, "evidence", f"每次最多 {MAX_FILES} 个文件 (at most {MAX_FILES} files)", "too_many")
    v.raise_if_any()
    # checking an Office file's package and hashing megabytes take a while: off the event loop
    checked = await asyncio.to_thread(_checked, evidence, max_bytes)
    async with in_transaction():
        frm = r.status
        await _move(r, frm, {"status": RectificationStatus.REPLIED, "reply": cleaned, "replied_on": on,
                             "replied_by": viewer.name, "round": r.round + 1}, "reply")  # fmt: skip
        files = []
        for upload, (kind, checksum) in zip(evidence, checked, strict=True):
            stored = await StoredFile.create(
                filename=upload.filename[-300:], content_type=kind.content_type, size=len(upload.data),
                sha256=checksum, data=upload.data, uploaded_by=viewer.name,
            )  # fmt: skip
            await RectificationEvidence.create(rectification_id=r.id, round=r.round, file=stored)
            files.append({"file_id": stored.id, "filename": stored.filename, "size": stored.size, "sha256": stored.sha256})
        await record(viewer, "rectification.reply", "rectification", r.id, unit_id=r.unit_id, round=r.round,
                     late=r.due_on < on, files=files)  # fmt: skip
    return r


async def accept(viewer: access.Viewer, rectification_id: int, opinion: str, on: datetime.date | None = None) -> Rectification:
    """验收通过 of the unit's reply (县公开办)."""
    return await _review(viewer, rectification_id, "accept", opinion, None, on)


async def return_(
    viewer: access.Viewer, rectification_id: int, opinion: str, workdays: int, on: datetime.date | None = None
) -> Rectification:
    """退回: the reply falls short; the unit has `workdays` working days more (县公开办)."""
    return await _review(viewer, rectification_id, "return", opinion, workdays, on)


async def _review(
    viewer: access.Viewer, rectification_id: int, action: str, opinion: str, workdays: int | None, on: datetime.date | None
) -> Rectification:
    on = on or today()
    require_acceptor(viewer)
    r = await _find(viewer, rectification_id)
    _check_status(r, action, (RectificationStatus.REPLIED,))
    v = Validator()
    cleaned = check_text(v, "opinion", "验收意见" if action == "accept" else "退回理由", opinion)
    if workdays is not None:
        _check_workdays(v, workdays)
    v.raise_if_any()
    changes: dict[str, object] = {"review_opinion": cleaned, "reviewed_on": on, "reviewed_by": viewer.name}
    if action == "accept":
        changes["status"] = RectificationStatus.ACCEPTED
    else:
        assert workdays is not None
        changes.update(status=RectificationStatus.RETURNED, workdays=workdays)
        _set_due(r, on, workdays, await WorkCalendar.load())
        changes.update(due_on=r.due_on, due_provisional=r.due_provisional)
    async with in_transaction():
        await _move(r, RectificationStatus.REPLIED, changes, action)
        await record(viewer, f"rectification.{action}", "rectification", r.id, unit_id=r.unit_id, round=r.round,
                     opinion=cleaned, due_on=r.due_on.isoformat())  # fmt: skip
    return r


async def close(viewer: access.Viewer, rectification_id: int, on: datetime.date | None = None) -> Rectification:
    """销号 of an accepted rectification (监察局 or 县公开办)."""
    on = on or today()
    require_issuer(viewer)
    r = await _find(viewer, rectification_id)
    _check_status(r, "close", (RectificationStatus.ACCEPTED,))
    async with in_transaction():
        await _move(r, RectificationStatus.ACCEPTED, {"status": RectificationStatus.CLOSED, "closed_on": on,
                                                      "closed_by": viewer.name}, "close")  # fmt: skip
        await record(viewer, "rectification.close", "rectification", r.id, unit_id=r.unit_id)
    return r


def rectifications_q(
    viewer: access.Viewer,
    *,
    statuses: list[RectificationStatus] | None = None,
    overdue: bool | None = None,
    unit_ids: frozenset[int] | None = None,
    inspection_id: int | None = None,
    on: datetime.date | None = None,
) -> Q:
    """The rectifications `viewer` may see (a unit its own, oversight roles all) matching the filters."""
    q = access.unit_rows_q(viewer)
    if statuses:
        q &= Q(status__in=list(statuses))
    if unit_ids is not None:
        q &= Q(unit_id__in=sorted(unit_ids))
    if inspection_id is not None:
        q &= Q(inspection_id=inspection_id)
    if overdue is not None:
        late = Q(status__in=list(WAITING), due_on__lt=on or today())
        q &= late if overdue else ~late
    return q


async def redate_provisional(calendar: WorkCalendar) -> int:
    """Count again the deadlines counted on weekends alone, once a year's holiday table is loaded."""
    changed = 0
    for r in await Rectification.filter(due_provisional=True, status__in=list(WAITING)):
        old = (r.due_on, r.due_provisional)
        start = r.reviewed_on if r.status == RectificationStatus.RETURNED and r.reviewed_on else r.issued_on
        _set_due(r, start, r.workdays, calendar)
        if (r.due_on, r.due_provisional) != old:
            await r.save(update_fields=["due_on", "due_provisional", "updated_at"])
            changed += 1
    return changed


def is_overdue(r: Rectification, on: datetime.date | None = None) -> bool:
    return r.status in WAITING and r.due_on < (on or today())


async def evidence_file(viewer: access.Viewer, evidence_id: int) -> StoredFile:
    """An evidence file, to whoever may see its rectification; NotFound for anyone else."""
    found = await RectificationEvidence.filter(access.unit_rows_q(viewer, "rectification__"), id=evidence_id).select_related("file").first()
    if found is None:
        raise NotFound("文件不存在或无权查看 (file not found)")
    return found.file


# -- 责任追究 -------------------------------------------------------------------------------------------


@dataclass
class AccountabilityData:
    unit_id: int
    person: str
    violation: str
    sanction: Sanction
    basis: str
    decided_on: datetime.date
    post: str = ""
    sanction_detail: str = ""
    inspection_id: int | None = None
    rectification_id: int | None = None


async def record_accountability(viewer: access.Viewer, data: AccountabilityData, on: datetime.date | None = None) -> Accountability:
    """责任追究 (监察局): who, what, the sanction and its basis; tied to an inspection or a 整改 of the unit, if any."""
    on = on or today()
    require_accountability(viewer, write=True)
    v = Validator()
    person = check_text(v, "person", "责任人", data.person, limit=PERSON_LIMIT)
    post = check_text(v, "post", "职务", data.post, required=False, limit=POST_LIMIT)
    violation = check_text(v, "violation", "违规事实", data.violation)
    basis = check_text(v, "basis", "处理依据", data.basis)
    detail = check_text(v, "sanction_detail", "处理决定", data.sanction_detail, required=False)
    v.check(isinstance(data.sanction, Sanction), "sanction", "处理方式无效 (unknown sanction)")
    v.check(data.sanction != Sanction.OTHER or bool(detail), "sanction_detail", "其他处理须写明处理决定 (say what the other sanction is)", "required")
    check_not_future(v, "decided_on", data.decided_on, on)
    if not await Unit.exists(id=data.unit_id):
        v.add("unit_id", "单位不存在 (unit not found)", "not_found")
    if data.inspection_id is not None and not await Inspection.exists(id=data.inspection_id, unit_id=data.unit_id):
        v.add("inspection_id", "该单位没有这次检查 (inspection not found for this unit)", "not_found")
    if data.rectification_id is not None and not await Rectification.exists(id=data.rectification_id, unit_id=data.unit_id):
        v.add("rectification_id", "该单位没有这项整改 (rectification not found for this unit)", "not_found")
    v.raise_if_any()
    async with in_transaction():
        row = await Accountability.create(
            unit_id=data.unit_id, inspection_id=data.inspection_id, rectification_id=data.rectification_id, person=person,
            post=post, violation=violation, sanction=data.sanction, sanction_detail=detail, basis=basis,
            decided_on=data.decided_on, recorded_by=viewer.name,
        )  # fmt: skip
        # the person's name is personal data: the trail keeps the record's id, not the name
        await record(viewer, "accountability.create", "accountability", row.id, unit_id=data.unit_id,
                     sanction=data.sanction.value, decided_on=data.decided_on.isoformat())  # fmt: skip
    return row


def accountability_q(viewer: access.Viewer) -> Q:
    """Oversight roles see every record; anyone else none."""
    return Q() if viewer.sees_all else Q(id__in=[])
