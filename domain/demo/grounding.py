"""Grounding: every legal basis of the demo's powers looked up in the imported library.

A law missing from the library, an article it does not have, a keyword not in the article's text, a
retained power resting on a law no longer in force, or a retained power without any basis: each is
a `DemoDataError`, all of them reported at once, before anything is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.demo.spec import PowerSpec
from domain.enums import ArticleKind, LegalLevel, LegalStatus, PowerStatus
from domain.errors import FieldError, ValidationFailed
from domain.models import LegalArticle, LegalDocument

INACTIVE = frozenset({PowerStatus.ABOLISHED, PowerStatus.REMOVED})


class DemoDataError(ValidationFailed):
    """The demo's data does not hold against the library (or itself); nothing was written."""

    code = "demo_data"


@dataclass(frozen=True)
class Grounded:
    article_id: int
    rank: int
    note: str


async def ground(powers: Sequence[PowerSpec]) -> list[list[Grounded]]:
    """Each power's bases as library articles, highest legal rank first; DemoDataError if any fails."""
    titles = sorted({b.law for p in powers for b in p.bases})
    docs = await LegalDocument.filter(title__in=titles).values("id", "title", "status", "version_date", "level")
    chosen: dict[str, dict[str, Any]] = {}
    for doc in docs:  # the version in force, else the newest
        key = (doc["status"] == LegalStatus.IN_FORCE, doc["version_date"] or date.min, doc["id"])
        best = chosen.get(doc["title"])
        if best is None or key > best["key"]:
            chosen[doc["title"]] = {**doc, "key": key}
    numbers = sorted({b.article for p in powers for b in p.bases})
    rows = await LegalArticle.filter(
        document_id__in=[d["id"] for d in chosen.values()], number__in=numbers, kind=ArticleKind.ARTICLE
    ).values("id", "document_id", "number", "label", "text")
    articles = {(r["document_id"], r["number"]): r for r in rows}
    errors: list[FieldError] = []
    out: list[list[Grounded]] = []
    for spec in powers:
        where = f"{spec.unit}「{spec.name}」"
        grounded: list[tuple[int, int, Grounded]] = []
        if not spec.bases and spec.status not in INACTIVE:
            errors.append(FieldError(where, "没有法律依据的职权只能废止 (a retained power needs a legal basis)", "no_basis"))
        for i, b in enumerate(spec.bases):
            doc = chosen.get(b.law)
            if doc is None:
                errors.append(FieldError(where, f"法律库中没有《{b.law}》 (law not in the library)", "missing_law"))
                continue
            if doc["status"] != LegalStatus.IN_FORCE and spec.status not in INACTIVE:
                errors.append(FieldError(where, f"《{b.law}》已失去法律效力 (not in force)", "not_in_force"))
            art = articles.get((doc["id"], b.article))
            if art is None:
                errors.append(FieldError(where, f"《{b.law}》没有第{b.article}条 (no such article)", "missing_article"))
                continue
            if b.keyword not in art["text"]:
                errors.append(
                    FieldError(where, f"《{b.law}》{art['label']}不含“{b.keyword}” (keyword not in text)", "keyword")
                )
                continue
            note = f"《{b.law}》{art['label']}：“{b.keyword}”" + (f"。{b.note}" if b.note else "")
            grounded.append((LegalLevel(doc["level"]).rank, i, Grounded(art["id"], LegalLevel(doc["level"]).rank, note)))
        out.append([g for _, _, g in sorted(grounded, key=lambda t: (t[0], t[1]))])
    if errors:
        raise DemoDataError(errors)
    return out
