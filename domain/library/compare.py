"""Article-level comparison of two versions of a work: added, removed and changed articles.

Articles are matched by what a citation names: 第X条 by its number (and 之一 suffix), other
articles and numbered paragraphs by their label; a label repeated in one version pairs up in
order. Texts are compared after folding full-/half-width forms and whitespace, so that a source
re-typesetting a law does not make every article "changed".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from domain.enums import LabelledEnum
from domain.errors import FieldError, ValidationFailed
from domain.models import LegalArticle, LegalDocument
from domain.services.common import not_found

_SUFFIX = re.compile(r"条\s*(之\s*\S+)$")
_SPACE = re.compile(r"\s+")


class ArticleChangeKind(LabelledEnum):
    ADDED = ("ADDED", "新增")
    REMOVED = ("REMOVED", "删除")
    CHANGED = ("CHANGED", "修改")


@dataclass(frozen=True)
class ArticleChange:
    """One article that differs: `before` in the older version, `after` in the newer (None if absent)."""

    kind: ArticleChangeKind
    before: LegalArticle | None
    after: LegalArticle | None

    @property
    def label(self) -> str:
        return (self.after or self.before).label  # type: ignore[union-attr]


@dataclass
class VersionComparison:
    """What changed from one version (`older`) to another (`newer`), article by article."""

    older: LegalDocument
    newer: LegalDocument
    added: list[ArticleChange] = field(default_factory=list)
    removed: list[ArticleChange] = field(default_factory=list)
    changed: list[ArticleChange] = field(default_factory=list)
    unchanged: int = 0

    def change_of(self, article_id: int) -> ArticleChange | None:
        """The change of an article of the older version; None when it is unchanged."""
        return next(
            (c for c in (*self.changed, *self.removed) if c.before is not None and c.before.id == article_id),
            None,
        )


def article_key(article: LegalArticle) -> Hashable:
    """第四十二条 and 第42条 name the same article; 第十条之一 is not 第十条."""
    if article.number is not None:
        suffix = _SUFFIX.search(article.label)
        return ("number", article.number, _SPACE.sub("", suffix[1]) if suffix else "")
    return ("label", str(article.kind), _SPACE.sub("", article.label))


def _fold(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def same_text(a: str, b: str) -> bool:
    """Equal once full-/half-width forms and whitespace are folded."""
    return _fold(a) == _fold(b)


def _keyed(articles: Sequence[LegalArticle]) -> dict[tuple[Hashable, int], LegalArticle]:
    seen: Counter[Hashable] = Counter()
    keyed: dict[tuple[Hashable, int], LegalArticle] = {}
    for article in articles:
        key = article_key(article)
        keyed[(key, seen[key])] = article
        seen[key] += 1
    return keyed


def compare_articles(
    older: LegalDocument, newer: LegalDocument, before: Sequence[LegalArticle], after: Sequence[LegalArticle]
) -> VersionComparison:
    """Compare two versions' articles (each in document order); pure."""
    result = VersionComparison(older=older, newer=newer)
    old, new = _keyed(before), _keyed(after)
    for key, article in old.items():
        successor = new.get(key)
        if successor is None:
            result.removed.append(ArticleChange(ArticleChangeKind.REMOVED, article, None))
        elif same_text(article.text, successor.text):
            result.unchanged += 1
        else:
            result.changed.append(ArticleChange(ArticleChangeKind.CHANGED, article, successor))
    result.added = [
        ArticleChange(ArticleChangeKind.ADDED, None, a) for key, a in new.items() if key not in old
    ]
    return result


def successors(before: Sequence[LegalArticle], after: Sequence[LegalArticle]) -> dict[int, LegalArticle]:
    """Each article of an older version that a newer version still has (changed or not), by its
    id: the article a citation of it now names (第X条 by number, others by label)."""
    new = _keyed(after)
    return {article.id: new[key] for key, article in _keyed(before).items() if key in new}


async def version_pair(older_id: int, newer_id: int) -> tuple[LegalDocument, LegalDocument]:
    """Two versions of one work; NotFound or a validation error (`to`) otherwise."""
    documents = {d.id: d for d in await LegalDocument.filter(id__in=[older_id, newer_id])}
    if older_id not in documents or newer_id not in documents:
        raise not_found("legal document", "法律文件")
    older, newer = documents[older_id], documents[newer_id]
    if older.work_id != newer.work_id:
        raise ValidationFailed([FieldError(
            "to", "只能比较同一文件的不同版本 (both documents must be versions of one work)", "other_work",
        )])  # fmt: skip
    return older, newer


async def compare_versions(older_id: int, newer_id: int) -> VersionComparison:
    """Compare two versions of one work, article by article (documents are public: no viewer)."""
    older, newer = await version_pair(older_id, newer_id)
    rows = await LegalArticle.filter(document_id__in=[older.id, newer.id]).order_by("document_id", "ordinal")
    before = [a for a in rows if a.document_id == older.id]
    after = [a for a in rows if a.document_id == newer.id]
    return compare_articles(older, newer, before, after)
