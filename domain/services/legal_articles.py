"""The articles of a manually entered legal document (admins only); cited articles stay."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypedDict

import cn2an
from tortoise.transactions import in_transaction

from domain.access import Viewer, require_library_editor
from domain.audit import record
from domain.enums import ArticleKind, LegalSource
from domain.errors import FieldError, ValidationFailed, Validator
from domain.library.document import ParsedArticle, ParsedDocument
from domain.library.store import queue_for_search
from domain.models import LegalArticle, LegalDocument, PowerBasis
from domain.services.common import apply_changes, clean_fields, in_use, not_found, snapshot
from domain.services.ordering import check_position, place, save_order

ARTICLE_FIELDS = ("label", "text", "kind", "number", "chapter_path")
DOCUMENT_FIELDS = (
    "title", "subtitle", "level", "doc_type", "doc_number", "issuer", "field", "promulgation_date",
    "effective_date", "repeal_date", "version_date", "status", "history", "body",
)  # fmt: skip


@dataclass
class ArticleData:
    text: str
    label: str = ""
    number: int | None = None
    kind: ArticleKind = ArticleKind.ARTICLE
    chapter_path: str = ""


@dataclass
class LegalArticleData(ArticleData):
    document_id: int = 0
    ordinal: int | None = None


class LegalArticleChanges(TypedDict, total=False):
    label: str
    text: str
    number: int | None
    kind: ArticleKind
    chapter_path: str
    ordinal: int


def article_label(number: int) -> str:
    """第四十二条 for 42."""
    return f"第{cn2an.an2cn(number)}条"


def clean_article(v: Validator, values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """An article's fields; the label defaults to 第X条 from its number. Field names get `prefix`."""
    scoped = Validator()
    if not (values.get("label") or "").strip() and isinstance(values.get("number"), int) and values["number"] > 0:
        values["label"] = article_label(values["number"])
    cleaned = clean_fields(scoped, LegalArticle, values, allowed=ARTICLE_FIELDS, required=("label", "text"))
    v.errors.extend(FieldError(prefix + e.field, e.message, e.code) for e in scoped.errors)
    return cleaned


def check_unique_numbers(v: Validator, articles: list[dict[str, Any]], field: str = "articles") -> None:
    """No two articles of a document share a 第X条 number."""
    seen: set[int] = set()
    for index, article in enumerate(articles):
        number = article.get("number")
        if number is not None and number in seen:
            v.add(f"{field}.{index}.number", f"条号重复：{article_label(number)} (duplicate article number)", "duplicate")
        if number is not None:
            seen.add(number)


def _check_number_free(v: Validator, number: int | None, others: list[LegalArticle]) -> None:
    if number is not None and any(a.number == number for a in others):
        v.add("number", f"本文件已有{article_label(number)} (the document already has this article number)", "duplicate")


#: Documents the county files itself; imported ones follow their source and are read-only.
EDITABLE_SOURCES = frozenset({LegalSource.MANUAL, LegalSource.UPLOAD})


async def document_for_edit(viewer: Viewer, document_id: int) -> LegalDocument:
    """A manually entered or uploaded document an admin may change; imported ones follow their source."""
    require_library_editor(viewer)
    document = await LegalDocument.get_or_none(id=document_id)
    if document is None:
        raise not_found("legal document", "法律文件")
    if document.source not in EDITABLE_SOURCES:
        raise ValidationFailed([FieldError(
            "id",
            f"该文件来自「{document.source.label}」，只能修改手工录入或上传的文件 (only manually entered or uploaded documents can be changed)",
            "read_only",
        )])  # fmt: skip
    return document


async def refresh_document(document: LegalDocument) -> None:
    """Recount the document's articles, recompute its content hash, queue it for the search index."""
    articles = await LegalArticle.filter(document_id=document.id)
    values = {name: getattr(document, name) for name in DOCUMENT_FIELDS}
    parsed = ParsedDocument(
        **values,
        source=document.source,
        source_ref=document.source_ref,
        articles=[ParsedArticle(a.label, a.text, a.kind, a.number, a.chapter_path) for a in articles],
    )
    document.article_count = len(articles)
    document.content_hash = parsed.content_hash()
    await document.save(update_fields=["article_count", "content_hash", "updated_at"])
    await queue_for_search(document.id, document.work_id)


async def _siblings(document: LegalDocument) -> list[LegalArticle]:
    return list(await LegalArticle.filter(document_id=document.id))


async def create_legal_article(viewer: Viewer, data: LegalArticleData) -> LegalArticle:
    """Add an article to a manual document, at `ordinal` or at the end."""
    async with in_transaction():
        document = await document_for_edit(viewer, data.document_id)
        articles = await _siblings(document)
        v = Validator()
        values = {k: val for k, val in asdict(data).items() if k in ARTICLE_FIELDS}
        cleaned = clean_article(v, values)
        _check_number_free(v, cleaned.get("number"), articles)
        check_position(v, data.ordinal, len(articles))
        v.raise_if_any()
        article = await LegalArticle.create(document=document, ordinal=len(articles) + 1, **cleaned)
        await save_order(place(articles, article, data.ordinal or len(articles) + 1), unique=True)
        await refresh_document(document)
        await record(
            viewer, "legal_article.create", "legal_article", article.id,
            document_id=document.id, ordinal=article.ordinal, **snapshot(article, ARTICLE_FIELDS),
        )
    return article


async def update_legal_article(viewer: Viewer, article_id: int, changes: LegalArticleChanges) -> LegalArticle:
    """Correct an article's label, number, text or chapter, or move it."""
    async with in_transaction():
        article = await LegalArticle.get_or_none(id=article_id)
        if article is None:
            raise not_found("legal article", "法律条文")
        document = await document_for_edit(viewer, article.document_id)
        articles = await _siblings(document)
        article = next(a for a in articles if a.id == article.id)
        v = Validator()
        values = {k: val for k, val in changes.items() if k in ARTICLE_FIELDS}
        cleaned = clean_article(v, values)
        if "number" in cleaned:
            _check_number_free(v, cleaned["number"], [a for a in articles if a.id != article.id])
        check_position(v, changes.get("ordinal"), len(articles) - 1)
        v.raise_if_any()
        diff = apply_changes(article, cleaned)
        if diff:
            await article.save()
        old_ordinal = article.ordinal
        await save_order(place(articles, article, changes.get("ordinal") or articles.index(article) + 1), unique=True)
        if article.ordinal != old_ordinal:
            diff["ordinal"] = [old_ordinal, article.ordinal]
        if diff:
            await refresh_document(document)
            await record(
                viewer, "legal_article.update", "legal_article", article.id, document_id=document.id, changes=diff
            )
    return article


async def delete_legal_article(viewer: Viewer, article_id: int) -> None:
    """Delete an article no power cites; the others close ranks."""
    async with in_transaction():
        article = await LegalArticle.get_or_none(id=article_id)
        if article is None:
            raise not_found("legal article", "法律条文")
        document = await document_for_edit(viewer, article.document_id)
        if await PowerBasis.exists(article_id=article.id):
            raise in_use("id", "该条文是职权的法律依据，不能删除 (powers cite this article)")
        await article.delete()
        await save_order(await _siblings(document), unique=True)
        await refresh_document(document)
        await record(
            viewer, "legal_article.delete", "legal_article", article_id,
            document_id=document.id, **snapshot(article, ("ordinal", "label")),
        )
