"""Filing a county's own documents (规范性文件, policies) from an uploaded .docx or text file.

One transaction: the document (source UPLOAD) with its articles or numbered paragraphs, the
original file byte for byte (sha256), the change feed entries (domain.change_feed, through the
library's shared write path), the audit event, and the statuses of the work's other versions. Metadata is guessed from the text (domain.library.guess); what staff
give overrides it, and updateLegalDocument corrects it later.

Rules:
- a work is its title (as for imported laws): a file whose title matches an existing work becomes
  a new version of it; `new_version_of` names the work explicitly (the title then defaults to that
  version's title, and a different title is refused)
- one version per work and version date (the 成文日期, or a law's last amendment in its header, unless
  given); the same file twice is refused
- a version date guessed from the text that is older than the work's current version is refused until
  staff give it (`version_date`): filed as it is, the text would become a historical version and no
  power would learn of it
- a new version of a work keeps the work's level unless one is given (an uploaded 土地管理法 stays a 法律)
- a bad file (empty, too large, not .docx or text) is a typed error on `file`; nothing is written
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from domain.access import Viewer, require_library_editor
from domain.audit import record
from domain.enums import LegalLevel, LegalSource
from domain.errors import Validator
from domain.library.extract import extract_text, file_error
from domain.library.guess import guess_document
from domain.library.impact import notify_new_version, version_order
from domain.library.normalize import work_key
from domain.library.repeals import apply_repeals
from domain.library.store import article_rows, recompute_statuses
from domain.models import LegalArticle, LegalDocument, LegalWork, StoredFile
from domain.services.common import snapshot
from domain.services.legal_articles import DOCUMENT_FIELDS, refresh_document
from domain.services.legal_documents import clean_document


@dataclass
class UploadedFile:
    filename: str
    data: bytes


@dataclass
class UploadMetadata:
    """What staff state at upload; None means "as guessed from the text"."""

    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    level: LegalLevel | None = None
    promulgation_date: date | None = None
    effective_date: date | None = None
    version_date: date | None = None
    new_version_of: int | None = None  # a LegalDocument id: the upload is a new version of its work


async def _previous(v: Validator, document_id: int | None) -> LegalDocument | None:
    if document_id is None:
        return None
    previous = await LegalDocument.get_or_none(id=document_id).select_related("work")
    v.check(previous is not None, "new_version_of", "法律文件不存在 (legal document not found)", "not_found")
    return previous


async def _current_version(previous: LegalDocument | None, title: str | None) -> LegalDocument | None:
    """The newest version of the work the upload joins (named, or by its title), if any."""
    if previous is not None:
        work_id = previous.work_id
    elif title:
        work = await LegalWork.get_or_none(key=work_key(title))
        if work is None:
            return None
        work_id = work.id
    else:
        return None
    versions = await LegalDocument.filter(work_id=work_id)
    return max(versions, key=version_order) if versions else None


def _check_guessed_date(v: Validator, guessed: date | None, current: LegalDocument | None) -> None:
    if guessed is None or current is None or current.version_date is None or guessed >= current.version_date:
        return
    v.add(
        "version_date",
        f"从文本推断的版本日期 {guessed} 早于现行版本的 {current.version_date}，将作为历史版本归档；如确属旧版本，请填写版本日期确认 "
        f"(the version date read from the text, {guessed}, is older than the current version of {current.version_date}: "
        "it would be filed as a historical version; give the version date to confirm)",
        "older_than_current",
    )


async def upload_document(
    viewer: Viewer, upload: UploadedFile, metadata: UploadMetadata, *, max_bytes: int
) -> LegalDocument:
    """File an uploaded document; returns the new version."""
    require_library_editor(viewer)
    # reading a .docx (unzipping, checking and parsing its XML) takes a while for a large file: off the event loop
    extracted = await asyncio.to_thread(extract_text, upload.filename, upload.data, max_bytes)
    parsed = guess_document(extracted, upload.filename)
    checksum = hashlib.sha256(upload.data).hexdigest()
    async with in_transaction():
        filed = await StoredFile.filter(sha256=checksum, document_id__isnull=False).first()
        if filed is not None:  # the same bytes again: nothing else about it matters
            raise file_error(f"该文件已上传 (this file is already filed as document {filed.document_id})", "duplicate")
        v = Validator()
        previous = await _previous(v, metadata.new_version_of)
        values: dict[str, Any] = {name: getattr(parsed, name) for name in DOCUMENT_FIELDS}
        if previous is not None:
            values["title"] = previous.title
        given = {k: val for k, val in vars(metadata).items() if val is not None and k != "new_version_of"}
        values.update(given)
        if "version_date" not in given and {"promulgation_date", "effective_date"} & set(given):
            values["version_date"] = values["promulgation_date"] or values["effective_date"]
        current = await _current_version(previous, values.get("title"))
        if current is not None and "level" not in given:
            values["level"] = current.level
        if not {"version_date", "promulgation_date", "effective_date"} & set(given):  # the dates are guesses
            _check_guessed_date(v, values.get("version_date"), current)
        cleaned = await clean_document(v, values)
        if previous is not None and cleaned.get("title") and work_key(cleaned["title"]) != previous.work.key:
            v.add("title", "新版本的标题应与原文件一致 (a new version keeps the title of its work)", "other_work")
        v.raise_if_any()

        if previous is not None:
            work = previous.work
        else:
            work, _ = await LegalWork.get_or_create(key=work_key(cleaned["title"]), defaults={"title": cleaned["title"]})
        document = await LegalDocument.create(
            work=work, source=LegalSource.UPLOAD, source_ref=f"upload/{checksum}", content_hash="", **cleaned
        )
        await LegalArticle.bulk_create(article_rows(document.id, parsed.articles))
        # counts the articles, hashes the content and queues the document (its articles travel with
        # it) and the work's other versions for the search index, in this transaction
        await refresh_document(document)
        stored = await StoredFile.create(
            document=document,
            filename=upload.filename[-300:] or "upload",
            content_type=extracted.content_type,
            size=len(upload.data),
            sha256=checksum,
            data=upload.data,
            uploaded_by=viewer.name,
        )
        await recompute_statuses([work.id])  # an older version in force becomes historical (and is queued)
        await apply_repeals(document.id)  # what it repeals, or whether a law of the library repeals it
        await notify_new_version(document.id, work.id)  # as an import does: 变更说明 of the powers it touches
        await record(
            viewer, "legal_document.upload", "legal_document", document.id,
            file_id=stored.id, filename=stored.filename, sha256=checksum, size=stored.size,
            work_id=work.id, article_count=document.article_count, **snapshot(document, DOCUMENT_FIELDS),
        )  # fmt: skip
    await document.refresh_from_db()
    return document


async def downloadable_file(file_id: int) -> StoredFile | None:
    """The original of a document of the library (documents are public); None for any other id."""
    return await StoredFile.filter(id=file_id, document_id__isnull=False).first()
