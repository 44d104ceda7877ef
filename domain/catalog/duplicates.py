"""Possible duplicates: a new row of an imported sheet whose name is close to that of a power which
cites one of the same articles (临时用地审批 beside 建设项目临时用地审批, both on 土地管理法 第五十七条):
the row is still registered (the unit decides), and the report names the power it may repeat.

Only powers the importer may see are candidates (access.power_q): a confidential power, another
unit's draft or a record scoped to leaders never shows through a warning, its code not, its count not.
Candidates are read in one query for the whole sheet; the powers the import itself creates join them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from tortoise.expressions import Subquery

from domain import access
from domain.catalog.citations import Citation
from domain.catalog.export import CLOSED
from domain.catalog.rows import name_key
from domain.models import PowerBasis
from domain.workflow_models import PowerRevision

ArticleKey = tuple[str, str | None]
#: A name this close (rapidfuzz's WRatio, 0–100: a name inside a longer one scores 90) to a power
#: citing the same article is a possible duplicate; 建设用地审批 beside 临时用地审批 (67) is not.
SIMILAR_FROM = 75


@dataclass(frozen=True)
class PossibleDuplicate:
    """A power a new row may repeat: its code and name, how alike the names are (0–100) and the
    articles both cite."""

    code: str
    name: str
    similarity: int
    shared: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"可能与已有职权 {self.code}「{self.name}」重复（名称相似度 {self.similarity}%，共同依据 {'、'.join(self.shared)}） "
            f"(possibly a duplicate of {self.code}: names {self.similarity}% alike, citing the same article)"
        )


@dataclass
class _Candidate:
    code: str
    name: str
    key: str  # name_key(name)
    cited: dict[ArticleKey, str]  # article → 《title》第N条


class Duplicates:
    """The powers a viewer may see that cite the articles of a sheet, by article."""

    def __init__(self) -> None:
        self._by_article: dict[ArticleKey, list[_Candidate]] = defaultdict(list)

    @classmethod
    async def citing(cls, viewer: access.Viewer, keys: Iterable[ArticleKey]) -> Duplicates:
        """The candidates for rows citing `keys` (one query, whatever their number)."""
        found = cls()
        keys = {key for key in keys if key[1] is not None}
        if not keys:
            return found
        query = PowerBasis.filter(
            access.power_q(viewer, "power__"),
            article__document__work__key__in=sorted({work for work, _ in keys}),
            article__label__in=sorted({str(label) for _, label in keys}),
        ).exclude(power__status__in=CLOSED)
        # a revision's working copy repeats its power by design: the power is the candidate
        query = query.exclude(power_id__in=Subquery(PowerRevision.filter(draft_id__isnull=False).values("draft_id")))
        candidates: dict[int, _Candidate] = {}
        # values, not models: the candidates of a whole sheet are read at once
        rows = await query.order_by("power_id", "id").values_list(
            "power_id", "power__code", "power__name", "article__label", "article__document__title",
            "article__document__work__key",
        )  # fmt: skip
        for power_id, code, name, label, title, work in rows:
            key = (work, label)
            if key not in keys:  # a label of one law beside the work of another
                continue
            candidate = candidates.setdefault(power_id, _Candidate(code, name, name_key(name), {}))
            if key not in candidate.cited:
                candidate.cited[key] = str(Citation(title, label))
                found._by_article[key].append(candidate)
        return found

    def add(self, code: str, name: str, cited: dict[ArticleKey, str]) -> None:
        """A power the import has just registered: later rows may repeat it too."""
        candidate = _Candidate(code, name, name_key(name), dict(cited))
        for key in cited:
            self._by_article[key].append(candidate)

    def of(self, name: str, keys: Sequence[ArticleKey]) -> list[PossibleDuplicate]:
        """The powers a row named `name` citing `keys` may repeat, the most alike first."""
        key = name_key(name)
        shared: dict[int, tuple[_Candidate, list[str]]] = {}
        for article in dict.fromkeys(keys):
            for candidate in self._by_article.get(article, ()):
                shared.setdefault(id(candidate), (candidate, []))[1].append(candidate.cited[article])
        found = []
        for candidate, texts in shared.values():
            similarity = round(fuzz.WRatio(key, candidate.key))
            if similarity >= SIMILAR_FROM:
                found.append(PossibleDuplicate(candidate.code, candidate.name, similarity, tuple(texts)))
        return sorted(found, key=lambda d: (-d.similarity, d.code))
