"""What the backends share: the indexes and their fields, filters as data, requests and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

from search.analysis import query_words as analysis_words


class IndexName(StrEnum):
    ARTICLES = "articles"
    DOCUMENTS = "documents"
    POWERS = "powers"


@dataclass(frozen=True)
class IndexSpec:
    """An index's fields. Every document has an integer `id`.

    `text`: searchable fields and their weights (title boosts); `keywords`: exact values to filter and
    facet on; `numbers`: integers to filter by range; `boost`: a static weight ≥ 0 per document.
    """

    name: IndexName
    text: dict[str, float]
    keywords: tuple[str, ...]
    numbers: tuple[str, ...] = ()
    #: The long text field whose cropped, highlighted excerpt is the hit's snippet.
    snippet_field: str = ""
    #: The short fields a hit shows highlighted (besides the snippet).
    highlighted: tuple[str, ...] = ()


#: `valid_to` of a version with no known end (yyyymmdd, exclusive).
OPEN_END = 99991231

SPECS: dict[IndexName, IndexSpec] = {
    IndexName.ARTICLES: IndexSpec(
        IndexName.ARTICLES,
        text={"text": 1.0, "title": 1.5, "label": 1.0, "chapter": 0.5, "lead": 0.3},
        keywords=("document_id", "work_id", "level", "status"),
        numbers=("valid_from", "valid_to"),
        snippet_field="text",
        highlighted=("title",),
    ),
    IndexName.DOCUMENTS: IndexSpec(
        IndexName.DOCUMENTS,
        text={"title": 3.0, "subtitle": 1.0, "doc_number": 2.0, "issuer": 1.0, "body": 0.5},
        keywords=("work_id", "level", "status"),
        numbers=("valid_from", "valid_to"),
        snippet_field="body",
        highlighted=("title",),
    ),
    IndexName.POWERS: IndexSpec(
        IndexName.POWERS,
        text={
            "name": 3.0,
            "code": 2.0,
            "description": 1.0,
            "basis": 0.6,
            "unit_name": 1.0,
            "category_name": 1.0,
        },
        #: `public`: whether the power meets domain.access.PUBLIC_POWER (all three of its values), one keyword the
        #: public's searches filter on instead of three (issue 20: each of the three matched nearly every power).
        keywords=("unit_id", "category", "status", "disclosure_scope", "confidential", "public"),
        #: `unit`: the unit's id again, as a number, for the facet by unit: a terms aggregation over an integer
        #: fast field costs a third of one over a keyword's terms (issue 20: a province's search counts 6,200).
        numbers=("unit",),
        snippet_field="basis",
        highlighted=("name",),
    ),
}


@dataclass(frozen=True)
class AnyOf:
    """The keyword `field` has one of `values` (an empty tuple matches nothing)."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Between:
    """`low` ≤ the number `field` ≤ `high` (either side open when None)."""

    field: str
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Either:
    """Any of `clauses` holds; each clause is a conjunction (a tuple of filters)."""

    clauses: tuple[tuple[Filter, ...], ...]


@dataclass(frozen=True)
class Ids:
    """The document's id is one of `values` (the nearest texts by meaning, search/semantic.py)."""

    values: tuple[int, ...]


Filter: TypeAlias = AnyOf | Between | Either | Ids


@dataclass(frozen=True)
class QueryTerm:
    """One thing a query asks for: a word as typed and the legal terms that may stand for it.

    `literal` False: only the alternatives are searched (a question word such as 多久 → 期限)."""

    word: str
    alternatives: tuple[str, ...] = ()
    literal: bool = True
    #: the statutes' words nearest by meaning (search.nearby), weaker alternatives still
    near: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return ((self.word,) if self.literal else ()) + self.alternatives + self.near


@dataclass(frozen=True)
class SearchRequest:
    """A query (words split by analysis.query_words; empty = everything), filters that all hold,
    keyword fields to count (facets, at most `facet_size` values each) and one page of hits."""

    query: str = ""
    filters: tuple[Filter, ...] = ()
    facets: tuple[str, ...] = ()
    facet_size: int = 20
    limit: int = 20
    offset: int = 0
    crop: int = 120
    #: Every word must occur (False: any word will do, more of them ranking higher).
    match_all: bool = True
    #: The query as understood (search.understand): when given, the backend searches these terms
    #: (each term: its word or any of its alternatives) instead of the words of `query`.
    terms: tuple[QueryTerm, ...] | None = None
    #: Documents with these ids match as well, whatever their words (scoring nothing for them), under the
    #: same filters: the nearest texts by meaning, counted in the total and the facets with the words' hits.
    also: tuple[int, ...] = ()
    #: Only each hit's id and score (no highlights, no excerpt): a ranking whose page is read afterwards
    #: (SearchBackend.read). A backend may ignore it (then it reads the hits whole).
    ids_only: bool = False

    def query_terms(self) -> tuple[QueryTerm, ...]:
        if self.terms is not None:
            return self.terms
        return tuple(QueryTerm(w) for w in analysis_words(self.query))

    def highlight_words(self) -> list[str]:
        return list(dict.fromkeys(w for t in self.query_terms() for w in t.words))


@dataclass
class SearchHit:
    id: int
    score: float
    #: The query's words (or their alternatives) found in the hit's searchable fields.
    matched: list[str] = field(default_factory=list)
    #: Highlighted (HTML-escaped, <em>-marked) text of the searchable fields that matched.
    highlights: dict[str, str] = field(default_factory=dict)
    #: A cropped, highlighted excerpt of the index's snippet field (its start when nothing matched there).
    snippet: str = ""
    #: An article's document, as indexed (None for other indexes), so that both are read at once.
    document_id: int | None = None
    #: Where the engine found the hit (a hit of an ids_only search), so that SearchBackend.read reads it whole
    #: from there without searching again.
    ref: Any = field(default=None, repr=False, compare=False)

    @staticmethod
    def document_of(source: dict[str, Any]) -> int | None:
        value = source.get("document_id")
        return int(value) if value not in (None, "") else None


@dataclass
class SearchResult:
    hits: list[SearchHit]
    total: int
    #: facet field → [(value, count)], most frequent first.
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    #: False when no hit had every word and the search fell back to any of them.
    matched_all_words: bool = True
    #: ids (Python's id()) of the citations whose article was found (search.understand; legal basis only)
    cited: set[int] = field(default_factory=set)


@dataclass
class IndexChanges:
    """One batch of changes to one index: deletions (by id, and by keyword value) before upserts."""

    upserts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    #: keyword field → values: delete every document with one of them (an imported document's articles).
    delete_where: dict[str, list[str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.upserts or self.deletes or any(self.delete_where.values()))

    @property
    def size(self) -> int:
        return len(self.upserts) + len(self.deletes) + sum(len(v) for v in self.delete_where.values())
