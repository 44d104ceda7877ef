"""Repeal clauses (废止条款): a law that names the acts it repeals — 「本法自…起施行。《X》同时废止。」,
「《X》和…发布的《Y》同时废止」 — in its commencement article or its last articles.

Reading: a clause ends in 同时废止 / 予以废止 / 废止 (not 废止的…: 「决定予以废止的」 names a power, not
an act); right before it (after an optional 都/均 and 同时/予以/一并/即行 and an optional note in parentheses)
stands a title in 《》 (a comma may come between), and before that title, joined by 、 和 及 以及 or a comma with an optional
description ending in 的 (「1993年…通过的」, 「浙江省人民政府发布的」), further titles of the same list.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from tortoise import timezone
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain.access import Viewer
from domain.audit import record
from domain.enums import LegalStatus, Role
from domain.library.normalize import NATIONAL_PREFIX
from domain.library.store import BATCH, queue_for_search
from domain.models import LegalArticle, LegalDocument, PowerBasis
from domain.rules import ENDED
from domain.workdays import today as county_today

#: The last articles of a document where a repeal clause may stand without the word 施行.
LAST_ARTICLES = 3
_SENTENCE = re.compile(r"[^。；;\n]+")
_NOTE = r"(?:[（(][^（）()《》]{0,80}[）)])?"
_ENDING = re.compile(rf"》\s*{_NOTE}\s*[，,]?\s*(?:都|均|也|亦)?\s*(?:同时|予以|一并|即行)?\s*废止(?!的)")
_TITLE = re.compile(r"《([^《》]{2,100})》")
_COMMENCES = re.compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日起\s*(?:施行|实行|生效)")
_JOINT = re.compile(rf"^\s*{_NOTE}\s*(?:(?:、|，|,|和|及|以及|与)\s*(?:[^《》，,]{{0,80}}(?:的|所发))?)?\s*$")


def repealed_in(text: str) -> list[str]:
    """The titles an article's repeal clauses name, in order (none if it has no such clause)."""
    titles: list[str] = []
    for sentence in _SENTENCE.finditer(text):
        s = sentence.group()
        for ending in _ENDING.finditer(s):
            found = [m for m in _TITLE.finditer(s, 0, ending.start() + 1)]
            listed: list[str] = []
            end = ending.start() + 1
            for m in reversed(found):
                if m.end() != end and not (listed and _JOINT.match(s[m.end() : end])):
                    break
                listed.append(m.group(1).strip())
                end = m.start()
            titles += [t for t in reversed(listed) if t not in titles]
    return titles


def title_variants(title: str) -> list[str]:
    """A title as the library may hold it: as written, and with or without 中华人民共和国."""
    bare = title.removeprefix(NATIONAL_PREFIX)
    return sorted({title, bare, NATIONAL_PREFIX + bare})


def commencement_date(text: str) -> date | None:
    """The day an article says its law takes effect: 「本法自2022年6月5日起施行」 (None for
    「自公布之日起施行」 or no such sentence)."""
    m = _COMMENCES.search(text)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def reads_clause(text: str, ordinal: int, count: int) -> bool:
    """Whether article `ordinal` (of `count`) is one where a repeal clause counts: it says 废止
    and it is the commencement article (it says 施行) or one of the last articles."""
    return "废止" in text and ("施行" in text or ordinal > count - LAST_ARTICLES)


class RepealState(StrEnum):
    APPLIED = "applied"  # the repealed document is REPEALED (by this run or before)
    TO_APPLY = "to apply"  # in force, and its repealer is in force: `--apply` files it as REPEALED
    PENDING = "pending"  # the repealer is not in force yet (or undated): nothing happens until it is
    ENDED = "ended"  # the named document already ended otherwise (amended, historical): left alone


@dataclass(frozen=True)
class Repeal:
    """One act a document repeals, as the library holds it."""

    repealer: LegalDocument
    repealed: LegalDocument
    on: date | None  # the repealer's commencement, from its clause or its dates
    state: RepealState


#: Who files a document as repealed (recorded in the audit trail and on change notices).
REPEAL = Viewer(role=Role.ADMIN, name="law-repeal")
#: The action a change notice lists for a cited law that another law repealed.
LAW_REPEALED = "law.repealed"


def _commences(repealer: LegalDocument, clause: str) -> date | None:
    return commencement_date(clause) or _dated(repealer)


def _dated(document: LegalDocument) -> date | None:
    return document.effective_date or document.version_date or document.promulgation_date


def in_force_on(repealer: LegalDocument, on: date | None, today: date) -> bool:
    """A repeal takes effect once its repealer is in force: dated, that day come, not 尚未生效."""
    return on is not None and on <= today and repealer.status is not LegalStatus.NOT_YET_EFFECTIVE


async def _clauses(document_ids: Iterable[int] | None = None) -> dict[int, list[str]]:
    """The articles where a repeal clause counts, by document, in order (of these documents, or of all)."""
    articles = LegalArticle.filter(text__contains="废止")
    if document_ids is not None:
        articles = articles.filter(document_id__in=list(document_ids))
    rows = await articles.order_by("document_id", "ordinal").values_list(
        "document_id", "ordinal", "text", "document__article_count"
    )
    found: dict[int, list[str]] = defaultdict(list)
    for document_id, ordinal, text, count in rows:
        if reads_clause(text, ordinal, count):
            found[document_id].append(text)
    return found


async def _repeals(
    repealers: Sequence[LegalDocument], today: date, named: str | None = None, clauses: dict[int, list[str]] | None = None
) -> list[Repeal]:
    """What these documents repeal in the library (only the acts with title `named`, if given; `clauses`:
    their clauses, if the caller read them already). The named titles are looked up together: one query
    per BATCH titles, however many clauses."""
    if clauses is None:
        clauses = await _clauses(r.id for r in repealers)
    read: list[tuple[LegalDocument, date | None, list[str]]] = []
    for repealer in repealers:
        for clause in clauses.get(repealer.id, []):
            titles = [t for t in repealed_in(clause) if named is None or named in title_variants(t)]
            if titles:
                read.append((repealer, _commences(repealer, clause), titles))
    by_title = await _by_title({v for _, _, titles in read for t in titles for v in title_variants(t)})
    found: list[Repeal] = []
    for repealer, on, titles in read:
        named_ids = {d.id: d for t in titles for v in title_variants(t) for d in by_title.get(v, ())}
        for target in sorted(named_ids.values(), key=lambda d: d.id):
            since = _dated(target)
            if target.work_id == repealer.work_id:
                continue  # a version of its own work (专利法实施细则 naming its earlier version)
            if on is not None and since is not None and since >= on:
                continue  # a later act of the same name (国家安全法 2015, not that of 1993)
            if target.status is LegalStatus.REPEALED:
                state = RepealState.APPLIED
            elif target.status in ENDED:
                state = RepealState.ENDED
            elif in_force_on(repealer, on, today):
                state = RepealState.TO_APPLY
            else:
                state = RepealState.PENDING
            found.append(Repeal(repealer, target, on, state))
    return found


async def _by_title(titles: Iterable[str]) -> dict[str, list[LegalDocument]]:
    """The library's documents with these titles, by title."""
    wanted = sorted(set(titles))
    found: dict[str, list[LegalDocument]] = defaultdict(list)
    for start in range(0, len(wanted), BATCH):
        for document in await LegalDocument.filter(title__in=wanted[start : start + BATCH]).order_by("id"):
            found[document.title].append(document)
    return found


def _due(found: Iterable[Repeal]) -> list[Repeal]:
    """The repeals to file: one per document, from the earliest of its repealers (several versions of a
    repealer, or two laws, may name it)."""
    due: dict[int, Repeal] = {}
    for r in sorted(found, key=lambda r: (r.on or date.max, r.repealer.id)):
        if r.state is RepealState.TO_APPLY:
            due.setdefault(r.repealed.id, r)
    return list(due.values())


async def file_as_repealed(repeal: Repeal) -> bool:
    """Mark the repealed document REPEALED from the repealer's commencement, as any end of a law
    is told: the search index learns it (change feed, with the work's other versions and the
    powers citing it), every published power resting on one of its articles gets a change
    notice (变更说明), and the audit trail records it. Runs inside the caller's transaction.
    False, and nothing done, when it is filed already: by another process since it was read (the
    leader's round on another host, a `law-repeals --apply`), whose notices and audit event stand."""
    from domain.change_notices import power_changed  # change notices build on the library, not vice versa

    document, repealer = repeal.repealed, repeal.repealer
    # one statement checks and files: a second filer waits for the first's row lock, then finds it filed
    filed = await LegalDocument.filter(id=document.id, status__not=LegalStatus.REPEALED).update(
        status=LegalStatus.REPEALED, repeal_date=repeal.on, updated_at=timezone.now()
    )
    document.status, document.repeal_date = LegalStatus.REPEALED, repeal.on
    if not filed:
        return False
    await queue_for_search(document.id, document.work_id)
    for basis in await PowerBasis.filter(article__document_id=document.id).select_related("power", "article"):
        await power_changed(
            REPEAL, basis.power, LAW_REPEALED, document_id=document.id, article=basis.article.label,
            repealed_by=repealer.id, repealed_by_title=repealer.title,
        )  # fmt: skip
    await record(
        REPEAL, "legal_document.repeal", "legal_document", document.id,
        title=document.title, repeal_date=repeal.on, repealed_by=repealer.id, repealed_by_title=repealer.title,
    )  # fmt: skip
    return True


class RepealNames:
    """Which documents of the library name a title in a repeal clause: variant → document ids.

    An import run reads it once (one scan of the articles that say 废止) and adds each document it
    writes, so the check the other way costs a lookup per document instead of a scan."""

    def __init__(self) -> None:
        self.by_title: dict[str, set[int]] = defaultdict(set)

    @classmethod
    async def load(cls) -> RepealNames:
        names = cls()
        for document_id, clauses in (await _clauses()).items():
            for clause in clauses:
                names.add(document_id, repealed_in(clause))
        return names

    def add(self, document_id: int, titles: Iterable[str]) -> None:
        for title in titles:
            for variant in title_variants(title):
                self.by_title[variant].add(document_id)

    def naming(self, title: str) -> list[int]:
        return sorted({i for variant in title_variants(title) for i in self.by_title.get(variant, ())})


async def apply_repeals(
    document_id: int, today: date | None = None, names: RepealNames | None = None
) -> list[Repeal]:
    """After `document_id` is written: file as repealed the library documents it repeals, and
    itself if a document of the library repeals it, where the repealer is in force. Runs inside
    the importer's transaction; returns the repeals applied. `names`: an import run's reading of
    the library's repeal clauses (default: the articles are searched for this document's title)."""
    day = today or county_today()
    document = await LegalDocument.get(id=document_id)
    own = await _clauses([document.id])
    if names is not None:
        for clause in own.get(document.id, []):
            names.add(document.id, repealed_in(clause))
    found = await _repeals([document], day, clauses=own)
    naming = names.naming(document.title) if names is not None else await _naming(document.title)
    repealers = await LegalDocument.filter(id__in=naming, status__not=LegalStatus.NOT_YET_EFFECTIVE).exclude(
        work_id=document.work_id
    )
    found += [r for r in await _repeals(repealers, day, document.title) if r.repealed.id == document.id]
    return [replace(r, state=RepealState.APPLIED) for r in _due(found) if await file_as_repealed(r)]


async def _naming(title: str) -> list[int]:
    """Documents with an article that names `title` (in any variant) in 《》 and says 废止."""
    q = Q()
    for variant in title_variants(title):
        q |= Q(text__contains=f"《{variant}》")
    rows = LegalArticle.filter(q, text__contains="废止").values_list("document_id", flat=True)
    return sorted(set(await rows))


async def library_repeals(
    today: date | None = None, apply: bool = False, progress: Callable[[int, int, str], object] | None = None
) -> list[Repeal]:
    """Every repeal the library's documents declare, with its state; with `apply`, those due are
    filed as repealed (`file_due_repeals`: a second run finds them applied). Reads the clauses in
    one query and the titles they name in one more (per BATCH titles)."""
    day = today or county_today()
    clauses = await _clauses()
    repealers = await LegalDocument.filter(id__in=sorted(clauses)).order_by("title", "version_date", "id")
    found = await _repeals(repealers, day, clauses=clauses)
    if not apply:
        return found
    await _file(_due(found), progress)
    # those due are applied now, with the others naming a document just filed (another version of its repealer)
    return [replace(r, state=RepealState.APPLIED) if r.state is RepealState.TO_APPLY else r for r in found]


async def file_due_repeals(today: date | None = None) -> list[Repeal]:
    """File as repealed the documents whose repealer has come into force by `today` (a repeal pending
    until then), each in its own transaction; returns those this call filed. The server's leader runs it
    every day (qingquan/supervision.py); two at once file each document once (file_as_repealed)."""
    return await _file(_due(await library_repeals(today)))


async def _file(due: Sequence[Repeal], progress: Callable[[int, int, str], object] | None = None) -> list[Repeal]:
    filed: list[Repeal] = []
    for n, repeal in enumerate(due, start=1):
        async with in_transaction():
            if await file_as_repealed(repeal):
                filed.append(replace(repeal, state=RepealState.APPLIED))
        if progress:
            progress(n, len(due), repeal.repealed.title)
    return filed
