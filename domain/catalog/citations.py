"""Citations in a catalogue's basis cell (《中华人民共和国行政许可法》第十二条、第十四条；《…条例》第5条、
《刑法》第一百三十三条之一), read into (work key, article label) and linked to the library's articles
where both exist. Numerals, labels and the article pattern are the library's (domain.library.normalize)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.enums import LegalStatus
from domain.library.normalize import ARTICLE, NUMERAL, article_label, numeral_value, work_key
from domain.models import LegalArticle, LegalDocument, LegalWork

#: A basis cell longer than this is cut: nothing real is, and the scan stays linear and small.
MAX_BASIS_CHARS = 20_000
_TITLED = re.compile(r"《([^《》\n]{1,120})》")
# A law named without book-title marks: 中华人民共和国行政许可法第十二条
_BARE = re.compile(rf"((?:中华人民共和国)?[\u4e00-\u9fff（）()]{{2,40}}?(?:法|条例|规定|办法|细则|决定))(?=第(?:{NUMERAL})条)")
_LEAD_WORDS = re.compile(r"^(?:依据|根据|按照|依照|参照|见)")


@dataclass(frozen=True)
class Citation:
    """《title》第N条 (之M): `article` is the article's label (None when the cell names the law only)."""

    title: str
    article: str | None

    @property
    def key(self) -> tuple[str, str | None]:
        return work_key(self.title), self.article

    def __str__(self) -> str:
        return f"《{self.title}》{self.article or ''}"


def article_number(numeral: str) -> int | None:
    return numeral_value(numeral)


def parse_citations(text: str) -> list[Citation]:
    """Every law of the cell with the articles that follow its name (each article once, in order)."""
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_BASIS_CHARS]).replace("<", "《").replace(">", "》")
    marks = [(m.start(), m.end(), m[1].strip()) for m in _TITLED.finditer(text)]
    if not marks:
        marks = [(m.start(), m.end(), _LEAD_WORDS.sub("", m[1])) for m in _BARE.finditer(text)]
    found: dict[tuple[str, int | None], Citation] = {}
    for i, (_, end, title) in enumerate(marks):
        stop = marks[i + 1][0] if i + 1 < len(marks) else len(text)
        labels = [
            article_label(n, numeral_value(m["sub"]))
            for m in ARTICLE.finditer(text, end, stop)
            if m["di"] and (n := numeral_value(m["n"]))
        ]
        for label in labels or [None]:
            citation = Citation(title, label)
            found.setdefault(citation.key, citation)
    return list(found.values())


def cited_in_force(documents: Iterable[LegalDocument]) -> dict[int, LegalDocument]:
    """The version to cite per work: the one in force, else the newest."""
    best: dict[int, LegalDocument] = {}
    for doc in documents:
        current = best.get(doc.work_id)
        rank = (doc.status == LegalStatus.IN_FORCE, doc.version_date or doc.effective_date or doc.created_at.date())
        if current is None or rank > (
            current.status == LegalStatus.IN_FORCE,
            current.version_date or current.effective_date or current.created_at.date(),
        ):
            best[doc.work_id] = doc
    return best


async def link_citations(citations: Sequence[Citation]) -> dict[tuple[str, str | None], LegalArticle]:
    """The library article of each citation that has one (three queries for any number of them)."""
    keys = {c.key[0] for c in citations if c.article is not None}
    if not keys:
        return {}
    works = {w.id: w.key for w in await LegalWork.filter(key__in=sorted(keys))}
    documents = cited_in_force(await LegalDocument.filter(work_id__in=list(works)))
    labels = sorted({c.article for c in citations if c.article is not None})
    linked: dict[tuple[str, str | None], LegalArticle] = {}
    by_doc = {doc.id: doc for doc in documents.values()}
    for article in await LegalArticle.filter(document_id__in=list(by_doc), label__in=labels):
        doc = by_doc[article.document_id]
        article.document = doc
        linked.setdefault((works[doc.work_id], article.label), article)
    return linked
