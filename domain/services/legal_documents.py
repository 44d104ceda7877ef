"""一件: legal documents entered by hand (LegalSource.MANUAL), with their articles (admins only)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from tortoise.transactions import in_transaction

from domain.access import Viewer, require_library_editor
from domain.audit import record
from domain.change_feed import enqueue
from domain.enums import LegalLevel, LegalSource, LegalStatus, SearchEntity, SearchOp
from domain.errors import Validator
from domain.library.impact import notify_new_version
from domain.library.normalize import clean_title, work_key
from domain.models import LegalArticle, LegalDocument, LegalWork, PowerBasis
from domain.services.common import apply_changes, clean_fields, in_use, snapshot
from domain.services.legal_articles import (
    DOCUMENT_FIELDS,
    ArticleData,
    check_unique_numbers,
    clean_article,
    document_for_edit,
    refresh_document,
)


@dataclass
class LegalDocumentData:
    title: str
    level: LegalLevel
    status: LegalStatus = LegalStatus.IN_FORCE
    subtitle: str = ""
    doc_type: str = ""
    doc_number: str = ""
    issuer: str = ""
    field: str = ""
    promulgation_date: date | None = None
    effective_date: date | None = None
    repeal_date: date | None = None
    version_date: date | None = None
    history: str = ""
    body: str = ""
    articles: list[ArticleData] = dataclasses.field(default_factory=list)


class LegalDocumentChanges(TypedDict, total=False):
    title: str
    level: LegalLevel
    status: LegalStatus
    subtitle: str
    doc_type: str
    doc_number: str
    issuer: str
    field: str
    promulgation_date: date | None
    effective_date: date | None
    repeal_date: date | None
    version_date: date | None
    history: str
    body: str


DATE_ORDER = (
    ("promulgation_date", "effective_date", "施行日期不能早于公布日期 (effective before promulgated)"),
    ("effective_date", "repeal_date", "废止日期不能早于施行日期 (repealed before effective)"),
)


async def clean_document(v: Validator, values: dict[str, Any], document: LegalDocument | None = None) -> dict[str, Any]:
    """Document fields, the order of its dates, and one version per work and version date."""
    if isinstance(values.get("title"), str):
        values["title"] = clean_title(values["title"])
    cleaned = clean_fields(v, LegalDocument, values, allowed=DOCUMENT_FIELDS, required=("title", "level", "status"))
    merged = {**({n: getattr(document, n) for n in DOCUMENT_FIELDS} if document else {}), **cleaned}
    for earlier, later, message in DATE_ORDER:
        first, second = merged.get(earlier), merged.get(later)
        ordered = isinstance(first, date) and isinstance(second, date)
        if ordered and second < first and (earlier in cleaned or later in cleaned):
            v.add(later, message, "date_order")
    title, version_date = merged.get("title"), merged.get("version_date")
    if title and ("title" in cleaned or "version_date" in cleaned):
        twins = LegalDocument.filter(work__key=work_key(title), version_date=version_date)
        if document is not None:
            twins = twins.exclude(id=document.id)
        if version_date:
            message = "同一文件已有该版本日期的版本 (this document already has a version of that date)"
        else:
            message = "已有同名且未注明版本日期的文件，新版本请注明版本日期 (give a new version its version date)"
        v.check(not await twins.exists(), "version_date" if version_date else "title", message, "duplicate")
    return cleaned


async def _work(title: str) -> LegalWork:
    work, _created = await LegalWork.get_or_create(key=work_key(title), defaults={"title": title})
    return work


async def create_legal_document(viewer: Viewer, data: LegalDocumentData) -> LegalDocument:
    """Enter a document by hand with its articles, numbered in the order given."""
    require_library_editor(viewer)
    async with in_transaction():
        v = Validator()
        values = {name: getattr(data, name) for name in DOCUMENT_FIELDS}
        cleaned = await clean_document(v, values)
        v.check(isinstance(data.articles, list), "articles", "条文应为列表 (articles must be a list)")
        articles = [clean_article(v, vars(a).copy(), f"articles.{i}.") for i, a in enumerate(data.articles)]
        check_unique_numbers(v, articles)
        v.raise_if_any()
        document = await LegalDocument.create(
            work=await _work(cleaned["title"]),
            source=LegalSource.MANUAL,
            source_ref=f"manual/{uuid.uuid4().hex}",
            content_hash="",
            **cleaned,
        )
        await LegalArticle.bulk_create(
            [LegalArticle(document=document, ordinal=i, **a) for i, a in enumerate(articles, 1)]
        )
        await refresh_document(document)
        await notify_new_version(document.id, document.work_id)  # a new version of a cited law: 变更说明
        await record(
            viewer, "legal_document.create", "legal_document", document.id,
            **snapshot(document, DOCUMENT_FIELDS), article_count=document.article_count,
        )
    return document


async def update_legal_document(viewer: Viewer, document_id: int, changes: LegalDocumentChanges) -> LegalDocument:
    """Correct a manual document's title, level, status, dates or text outside its articles."""
    async with in_transaction():
        document = await document_for_edit(viewer, document_id)
        v = Validator()
        cleaned = await clean_document(v, dict(changes), document)
        v.raise_if_any()
        diff = apply_changes(document, cleaned)
        old_work_id = document.work_id
        if "title" in diff:
            document.work = await _work(document.title)
            if document.work.id != old_work_id:
                diff["work_id"] = [old_work_id, document.work.id]
        if diff:
            await document.save()
            await refresh_document(document)
            if "work_id" in diff:
                await _drop_work_if_empty(old_work_id)
            await record(viewer, "legal_document.update", "legal_document", document.id, changes=diff)
    return document


async def delete_legal_document(viewer: Viewer, document_id: int) -> None:
    """Delete a manual document none of whose articles a power cites."""
    async with in_transaction():
        document = await document_for_edit(viewer, document_id)
        if await PowerBasis.exists(article__document_id=document.id):
            raise in_use("id", "该文件的条文是职权的法律依据，不能删除 (powers cite articles of this document)")
        await document.delete()
        await _drop_work_if_empty(document.work_id)
        await enqueue(SearchEntity.LEGAL_DOCUMENT, [document_id], SearchOp.DELETE)
        await enqueue(SearchEntity.LEGAL_DOCUMENT, await LegalDocument.filter(work_id=document.work_id).values_list("id", flat=True))
        await record(
            viewer, "legal_document.delete", "legal_document", document_id,
            **snapshot(document, ("title", "level", "version_date", "article_count")),
        )


async def _drop_work_if_empty(work_id: int) -> None:
    """A work without versions left is no longer a work."""
    if not await LegalDocument.exists(work_id=work_id):
        await LegalWork.filter(id=work_id).delete()
