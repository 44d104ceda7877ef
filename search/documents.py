"""Index documents built from the database: what each index holds of an article, a document, a power.

Keyword values are strings (`keyword()`), the same for indexing and for filters, so a filter built
from domain.access's rule matches exactly what was indexed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import date
from enum import Enum
from typing import Any

from domain.access import PUBLIC_POWER
from domain.enums import LegalLevel, LegalStatus
from domain.models import LegalArticle, LegalDocument, Power, PowerBasis, Unit
from search.model import OPEN_END

CHUNK = 500
#: Static weight of a hit by legal rank (the backend multiplies the score by log2(2 + boost)).
LEVEL_BOOST: dict[LegalLevel, float] = {
    LegalLevel.CONSTITUTION: 2.0,
    LegalLevel.LAW: 2.0,
    LegalLevel.LEGISLATIVE_INTERPRETATION: 1.5,
    LegalLevel.ADMINISTRATIVE_REGULATION: 1.0,
    LegalLevel.LOCAL_REGULATION: 0.3,
    LegalLevel.DEPARTMENTAL_RULE: 0.5,
    LegalLevel.LOCAL_RULE: 0.2,
}
#: Statuses saying a version has ended, even when no end date or later version is known.
ENDED = frozenset({LegalStatus.AMENDED, LegalStatus.HISTORICAL, LegalStatus.REPEALED})
#: Amendments and amending decisions repeat, as changes, text the amended law holds whole: they rank
#: below it (the boost is multiplied by this).
AMENDING_TYPES = frozenset({"修正案", "修改决定", "修订决定"})
AMENDING_FACTOR = 0.2
#: An article's lead: its first sentence (what the article is about), searched once more.
LEAD = re.compile(r"^[^。；：\n]{1,80}")
DOCUMENT_VALUES = (
    "id", "work_id", "title", "subtitle", "level", "doc_type", "doc_number", "issuer", "body", "status",
    "promulgation_date", "effective_date", "version_date", "repeal_date",
)  # fmt: skip
ARTICLE_VALUES = ("id", "document_id", "label", "chapter_path", "text")


def keyword(value: Any) -> str:
    """A keyword as the indexes store it: enums by value, booleans as true/false, ids as digits."""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: A power's keyword saying whether it meets the public rule (search.filters.visible_powers filters on it).
PUBLIC = "public"


def is_public_power(values: Mapping[str, Any]) -> bool:
    """Whether a power's values (PUBLIC_POWER's fields) meet domain.access's public rule."""
    return all(
        keyword(bool(values[name]) if isinstance(value, bool) else values[name]) == keyword(value)
        for name, value in PUBLIC_POWER.items()
    )


def lead(text: str) -> str:
    """The article's first sentence (up to 。；： or a line break, at most 80 characters)."""
    match = LEAD.match(text.strip())
    return match.group(0) if match else ""


def day(value: date | None) -> int | None:
    """A date as yyyymmdd, the form the indexes filter by."""
    return value.year * 10000 + value.month * 100 + value.day if value else None


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def _documents(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in await LegalDocument.filter(id__in=chunk).values(*DOCUMENT_VALUES):
            rows[row["id"]] = row
    return rows


#: What a version's validity is computed from (`spans`).
VERSION_FIELDS = ("id", "work_id", "status", "effective_date", "version_date", "promulgation_date", "repeal_date")


def spans(versions: Iterable[Mapping[str, Any]]) -> dict[int, tuple[int, int]]:
    """Each version's [valid_from, valid_to) as yyyymmdd: from its effective (or version) date until
    its repeal or the next version of its work; an ended version with no known end is in force on no
    date. `versions`: rows of VERSION_FIELDS, every version of each work they name."""
    found: dict[int, tuple[int, int]] = {}
    by_work: dict[int, list[tuple[int, Mapping[str, Any]]]] = defaultdict(list)
    for row in versions:
        start = day(row["effective_date"] or row["version_date"] or row["promulgation_date"]) or 0
        by_work[row["work_id"]].append((start, row))
    for group in by_work.values():
        group.sort(key=lambda sv: (sv[0], sv[1]["id"]))
        for start, v in group:
            later = [s for s, _ in group if s > start]
            end = day(v["repeal_date"]) or (later[0] if later else None)
            if end is None:
                end = start if LegalStatus(v["status"]) in ENDED else OPEN_END
            found[v["id"]] = (start, end)
    return found


async def validity(work_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """`spans` of every version of these works."""
    found: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(work_ids):
        found.update(spans(await LegalDocument.filter(work_id__in=chunk).values(*VERSION_FIELDS)))
    return found


def _document_fields(doc: dict[str, Any], span: tuple[int, int]) -> dict[str, Any]:
    level = LegalLevel(doc["level"])
    return {
        "work_id": keyword(doc["work_id"]),
        "level": keyword(level),
        "status": keyword(doc["status"]),
        "valid_from": span[0],
        "valid_to": span[1],
        "boost": LEVEL_BOOST.get(level, 0.0) * (AMENDING_FACTOR if doc.get("doc_type") in AMENDING_TYPES else 1.0),
    }


class LibraryDocs:
    """Builds article and document entries, caching documents and their validity per batch."""

    def __init__(self) -> None:
        self.documents: dict[int, dict[str, Any]] = {}
        self.spans: dict[int, tuple[int, int]] = {}

    async def load(self, document_ids: Iterable[int]) -> None:
        missing = set(document_ids) - set(self.documents)
        if missing:
            self.documents.update(await _documents(missing))
            works = {d["work_id"] for i, d in self.documents.items() if i in missing}
            self.spans.update(await validity(works))

    def document(self, doc_id: int) -> dict[str, Any]:
        doc = self.documents[doc_id]
        return {
            "id": doc_id,
            "title": doc["title"],
            "subtitle": doc["subtitle"],
            "doc_number": doc["doc_number"],
            "issuer": doc["issuer"],
            "body": doc["body"],
            **_document_fields(doc, self.spans[doc_id]),
        }

    def article(self, row: dict[str, Any]) -> dict[str, Any]:
        doc = self.documents[row["document_id"]]
        return {
            "id": row["id"],
            "document_id": keyword(row["document_id"]),
            "title": doc["title"],
            "label": row["label"],
            "chapter": row["chapter_path"],
            "text": row["text"],
            "lead": lead(row["text"]),
            **_document_fields(doc, self.spans[row["document_id"]]),
        }

    async def articles_of(self, document_ids: Iterable[int]) -> list[dict[str, Any]]:
        ids = list(document_ids)
        await self.load(ids)
        out: list[dict[str, Any]] = []
        for chunk in _chunks(ids):
            rows = await LegalArticle.filter(document_id__in=chunk).order_by("id").values(*ARTICLE_VALUES)
            out += [self.article(r) for r in rows]
        return out

    async def articles(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for chunk in _chunks(ids):
            rows += await LegalArticle.filter(id__in=chunk).values(*ARTICLE_VALUES)
        await self.load(r["document_id"] for r in rows)
        return [self.article(r) for r in rows]


async def power_documents(ids: Iterable[int]) -> list[dict[str, Any]]:
    """Powers with their unit's name and the text of their bases (title, label and article)."""
    out: list[dict[str, Any]] = []
    for chunk in _chunks(ids):
        powers = await Power.filter(id__in=chunk).values(
            "id",
            "code",
            "name",
            "description",
            "category",
            "status",
            "disclosure_scope",
            "confidential",
            "unit_id",
        )
        units = dict(
            (u["id"], f"{u['name']} {u['short_name']}".strip())
            for u in await Unit.filter(id__in={p["unit_id"] for p in powers}).values(
                "id", "name", "short_name"
            )
        )
        bases: dict[int, list[str]] = defaultdict(list)
        for b in (
            await PowerBasis.filter(power_id__in=chunk)
            .order_by("power_id", "ordinal", "id")
            .values("power_id", "note", "article__label", "article__text", "article__document__title")
        ):
            bases[b["power_id"]].append(
                f"{b['article__document__title']}{b['article__label']}：{b['article__text']} {b['note']}".strip()
            )
        for p in powers:
            category = p["category"]
            out.append({
                "id": p["id"],
                "code": p["code"],
                "name": p["name"],
                "description": p["description"],
                "basis": "\n".join(bases.get(p["id"], [])),
                "unit_name": units.get(p["unit_id"], ""),
                "category_name": getattr(category, "label", str(category)),
                "unit_id": keyword(p["unit_id"]),
                "unit": p["unit_id"],
                "category": keyword(category),
                "status": keyword(p["status"]),
                "disclosure_scope": keyword(p["disclosure_scope"]),
                "confidential": keyword(bool(p["confidential"])),
                "public": keyword(is_public_power(p)),
                "boost": 0.0,
            })  # fmt: skip
    return out


async def keyset(
    model: type[Any], size: int, *, where: dict[str, Any] | None = None
) -> AsyncIterator[list[int]]:
    """All ids of `model` (optionally filtered), in batches of `size`, by keyset pagination."""
    last = 0
    while True:
        ids = (
            await model.filter(id__gt=last, **(where or {}))
            .order_by("id")
            .limit(size)
            .values_list("id", flat=True)
        )
        if not ids:
            return
        yield list(ids)
        last = ids[-1]
