"""Full-text search: `searchLegalBasis`, `searchLegalDocuments` and `searchPowers` (a base of Query).

Snippets and highlights are HTML-escaped text in which the matched words are wrapped in <em>…</em>.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import strawberry

from domain import models as m
from resolvers import search as resolve
from resolvers.prefetch import field_selections
from schema.catalogue.power import Power
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import LegalLevel, LegalStatus, PowerCategory, PowerStatus
from schema.library.legal import LegalArticle, LegalDocument
from schema.node import page_args
from schema.relay import PageInfo, encode_cursor
from search.model import SearchHit, SearchResult
from search.semantic import Meaning

T = TypeVar("T")


@strawberry.input(
    description="Which legal texts to search. Without a date or allVersions: the versions in force today."
)
class LegalSearchFilter:
    levels: list[LegalLevel] | None = strawberry.field(default=None, description="效力层级")
    statuses: list[LegalStatus] | None = strawberry.field(default=None, description="时效性")
    document_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="only these documents"
    )
    in_force_on: date | None = strawberry.field(
        default=None, description="the versions in force on this date"
    )
    all_versions: bool = strawberry.field(
        default=False, description="every version: older and repealed ones too"
    )

    def scope(self) -> resolve.LibraryScope:
        return resolve.LibraryScope(
            levels=list(self.levels) if self.levels else None,
            statuses=list(self.statuses) if self.statuses else None,
            document_ids=resolve.decode_ids(self.document_ids, "LegalDocument", "filter.documentIds"),
            in_force_on=self.in_force_on,
            all_versions=self.all_versions,
        )


@strawberry.input(description="Which powers to search (always within what the caller may see).")
class PowerSearchFilter:
    categories: list[PowerCategory] | None = None
    statuses: list[PowerStatus] | None = None
    unit_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="实施主体 (Unit ids)")


@strawberry.type
class LegalLevelCount:
    level: LegalLevel
    count: int


@strawberry.type
class LegalStatusCount:
    status: LegalStatus
    count: int


@strawberry.type
class LegalDocumentCount:
    document: LegalDocument
    count: int


@strawberry.type
class PowerCategoryCount:
    category: PowerCategory
    count: int


@strawberry.type
class UnitCount:
    unit: Unit
    count: int


@strawberry.type(description="An article that matched, with its document.")
class LegalBasisHit:
    score: float
    matched_words: list[str] = strawberry.field(
        description="the query's words (or legal terms standing for them) found in it; a cited article: the citation"
    )
    snippet: str = strawberry.field(description="the article's text around the matches, matches in <em>")
    title_highlight: str | None = strawberry.field(
        description="the document's title, if it matched, matches in <em>"
    )
    article: LegalArticle
    document: LegalDocument


@strawberry.type(description="A legal document whose title, number, issuer or preamble matched.")
class LegalDocumentHit:
    score: float
    title_highlight: str = strawberry.field(description="the title, matches in <em>")
    snippet: str = strawberry.field(description="the preamble around the matches (may be empty)")
    document: LegalDocument


@strawberry.type(description="A power that matched (name, code, unit, category or basis text).")
class PowerHit:
    score: float
    name_highlight: str = strawberry.field(description="the power's name, matches in <em>")
    snippet: str = strawberry.field(description="its bases' text around the matches")
    power: Power


@strawberry.type
class LegalBasisFacets:
    levels: list[LegalLevelCount]
    statuses: list[LegalStatusCount]
    documents: list[LegalDocumentCount] = strawberry.field(description="the 20 documents with the most hits")


@strawberry.type
class LegalDocumentFacets:
    levels: list[LegalLevelCount]
    statuses: list[LegalStatusCount]


@strawberry.type
class PowerFacets:
    categories: list[PowerCategoryCount]
    units: list[UnitCount]


@strawberry.type
class LegalBasisHitEdge:
    cursor: str
    node: LegalBasisHit


@strawberry.type
class LegalDocumentHitEdge:
    cursor: str
    node: LegalDocumentHit


@strawberry.type
class PowerHitEdge:
    cursor: str
    node: PowerHit


@strawberry.type(description="An article the query cites, as understood (e.g. 《中华人民共和国民法典》第五百八十四条).")
class CitedArticle:
    citation: str = strawberry.field(description="the citation written out in full")
    law: str = strawberry.field(description="the law's title")
    label: str = strawberry.field(description="第N条 (之M)")
    paragraph: int | None = strawberry.field(description="款, when cited")
    item: int | None = strawberry.field(description="项, when cited")
    year: int | None = strawberry.field(description="the year the query names: that year's version")
    found: bool = strawberry.field(description="whether the library holds that article (then it is the first hit)")


@strawberry.type(description="A word of the query and the legal terms searched for it as well (the thesaurus).")
class SearchTerm:
    word: str
    alternatives: list[str]
    literal: bool = strawberry.field(description="false: only the alternatives were searched (多久 → 期限)")


@strawberry.type(description="Whether the search ranked by meaning as well as by words, and if not why.")
class SearchMeaning:
    used: bool = strawberry.field(
        description="meaning ranked the hits as well as words: the nearest texts by meaning fused with the words' hits "
        "(powers; articles when the words find fewer than 50), or the words' first 50 hits ordered by their likeness "
        "to the question (articles, when the words find 50 or more: nothing else is added or counted); `message` says which"
    )
    reason: str | None = strawberry.field(
        description="why not: model_missing, vectors_incomplete, not_a_question (keywords, citations), engine"
    )
    message: str = strawberry.field(description="the same, for people (Chinese and English)")
    vectors: int = strawberry.field(description="texts of this search that have a vector")
    total: int = strawberry.field(description="texts of this search in all")


@strawberry.type(description="How the query was read before it was searched.")
class QueryUnderstanding:
    citations: list[CitedArticle]
    laws: list[str] = strawberry.field(description="laws the query names: the search keeps to them when it can")
    terms: list[SearchTerm] = strawberry.field(description="the words searched, each with its legal terms")
    dropped: list[str] = strawberry.field(description="question words and particles left out")
    question: bool = strawberry.field(
        description="read as a question: ranked by relevance, no word required (else every word, when any text has them all)"
    )
    meaning: SearchMeaning = strawberry.field(description="whether meaning was used as well as words")


def understanding_of(meaning: resolve.Understanding, found: set[int], semantic: Meaning) -> QueryUnderstanding:
    return QueryUnderstanding(
        meaning=SearchMeaning(
            used=semantic.used, reason=semantic.reason or None, message=semantic.message, vectors=semantic.vectors,
            total=semantic.total,
        ),
        citations=[
            CitedArticle(citation=str(c), law=c.law.title, label=c.label, paragraph=c.paragraph, item=c.item,
                         year=c.year, found=id(c) in found)
            for c in meaning.citations
        ],  # fmt: skip
        laws=list(dict.fromkeys(law.title for law in meaning.laws)),
        terms=[SearchTerm(word=t.word, alternatives=list(t.alternatives), literal=t.literal) for t in meaning.terms],
        dropped=meaning.dropped,
        question=meaning.question,
    )


@strawberry.type(description="Hits of searchLegalBasis, best first; totalCount and facets count every hit.")
class LegalBasisSearch:
    total_count: int
    page_info: PageInfo
    edges: list[LegalBasisHitEdge]
    facets: LegalBasisFacets
    matched_all_words: bool = strawberry.field(
        description="false when no text had every word and the hits have only some of them"
    )
    understanding: QueryUnderstanding


@strawberry.type(description="Hits of searchLegalDocuments, best first.")
class LegalDocumentSearch:
    total_count: int
    page_info: PageInfo
    edges: list[LegalDocumentHitEdge]
    facets: LegalDocumentFacets
    matched_all_words: bool = strawberry.field(
        description="false when no text had every word and the hits have only some of them"
    )


@strawberry.type(
    description="Hits of searchPowers, best first; only powers the caller may see, in hits and counts."
)
class PowerSearch:
    total_count: int
    page_info: PageInfo
    edges: list[PowerHitEdge]
    facets: PowerFacets
    matched_all_words: bool = strawberry.field(
        description="false when no text had every word and the hits have only some of them"
    )
    understanding: QueryUnderstanding = strawberry.field(
        description="how the query was read: a question as residents ask it, keywords, and whether meaning was used"
    )


def _page_info(result: SearchResult, offset: int, count: int) -> PageInfo:
    return PageInfo(
        has_next_page=offset + count < result.total,
        has_previous_page=offset > 0,
        start_cursor=encode_cursor(offset) if count else None,
        end_cursor=encode_cursor(offset + count - 1) if count else None,
    )


def _edges(hits: list[tuple[int, T]], offset: int, edge: Callable[..., Any]) -> list[Any]:
    return [edge(cursor=encode_cursor(offset + i), node=node) for i, node in hits]


async def _load(loader: Any, hits: list[SearchHit]) -> list[tuple[int, SearchHit, Any]]:
    """Each hit with its object (hits whose object is gone or hidden are dropped)."""
    objects = await loader.load_many([h.id for h in hits])
    return [(i, h, obj) for i, (h, obj) in enumerate(zip(hits, objects, strict=True)) if obj is not None]


def _counts(result: SearchResult, field: str) -> list[tuple[str, int]]:
    return result.facets.get(field, [])


def _wants_facets(info: Info) -> bool:
    """Whether the query selects `facets` (counting them is most of a search's work in the engine)."""
    raw = info._raw_info
    return "facets" in field_selections([node.selection_set for node in raw.field_nodes], raw.fragments)


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Search the articles of the legal library (法律依据), best first, with facets."
    )
    async def search_legal_basis(
        self,
        info: Info,
        query: str,
        filter: LegalSearchFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LegalBasisSearch:
        ctx = info.context
        _, offset = page_args(first, after)
        scope = filter.scope() if filter else resolve.LibraryScope()
        result, meaning, semantic = await resolve.search_legal_basis(
            ctx.settings, query, scope, first=first, offset=offset, facets=_wants_facets(info)
        )
        # the hits' articles and the documents of the hits and facets, read at once (the index knows each
        # article's document); a document the index did not name (a stale entry) is read after
        wanted = {h.document_id for h in result.hits} | {int(k) for k, _ in _counts(result, "document_id")}
        found, documents = await asyncio.gather(
            _load(ctx.loaders.article_by_id, result.hits),
            ctx.loaders.document_by_id.load_many(sorted(wanted - {None})),
        )
        if missing := {a.document_id for _, _, a in found} - wanted:
            documents += await ctx.loaders.document_by_id.load_many(sorted(missing))
        by_id = {d.id: LegalDocument.from_model(d) for d in documents if d is not None}
        hits = [
            (i, LegalBasisHit(score=h.score, matched_words=h.matched, snippet=h.snippet, title_highlight=h.highlights.get("title"),
                              article=LegalArticle.from_model(a), document=by_id[a.document_id]))
            for i, h, a in found
        ]  # fmt: skip
        facets = LegalBasisFacets(
            levels=[LegalLevelCount(level=LegalLevel(k), count=n) for k, n in _counts(result, "level")],
            statuses=[LegalStatusCount(status=LegalStatus(k), count=n) for k, n in _counts(result, "status")],
            documents=[
                LegalDocumentCount(document=by_id[int(k)], count=n)
                for k, n in _counts(result, "document_id")
                if int(k) in by_id
            ],
        )
        return LegalBasisSearch(
            total_count=result.total,
            page_info=_page_info(result, offset, len(result.hits)),
            edges=_edges(hits, offset, LegalBasisHitEdge),
            facets=facets,
            matched_all_words=result.matched_all_words,
            understanding=understanding_of(meaning, result.cited, semantic),
        )

    @strawberry.field(description="Search legal documents by title, 文号, issuer or preamble.")
    async def search_legal_documents(
        self,
        info: Info,
        query: str,
        filter: LegalSearchFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LegalDocumentSearch:
        ctx = info.context
        _, offset = page_args(first, after)
        scope = filter.scope() if filter else resolve.LibraryScope()
        result = await resolve.search_legal_documents(
            ctx.settings, query, scope, first=first, offset=offset, facets=_wants_facets(info)
        )
        found = await _load(ctx.loaders.document_by_id, result.hits)
        hits = [
            (i, LegalDocumentHit(score=h.score, title_highlight=h.highlights.get("title", html.escape(d.title)),
                                 snippet=h.snippet, document=LegalDocument.from_model(d)))
            for i, h, d in found
        ]  # fmt: skip
        return LegalDocumentSearch(
            total_count=result.total,
            page_info=_page_info(result, offset, len(result.hits)),
            edges=_edges(hits, offset, LegalDocumentHitEdge),
            facets=LegalDocumentFacets(
                levels=[LegalLevelCount(level=LegalLevel(k), count=n) for k, n in _counts(result, "level")],
                statuses=[
                    LegalStatusCount(status=LegalStatus(k), count=n) for k, n in _counts(result, "status")
                ],
            ),
            matched_all_words=result.matched_all_words,
        )

    @strawberry.field(
        description="Search the powers the caller may see (name, code, unit, category, basis text)."
    )
    async def search_powers(
        self,
        info: Info,
        query: str,
        filter: PowerSearchFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> PowerSearch:
        ctx = info.context
        _, offset = page_args(first, after)
        f = filter or PowerSearchFilter()
        result, meaning, semantic = await resolve.search_powers(
            ctx.viewer,
            ctx.settings,
            query,
            categories=list(f.categories) if f.categories else None,
            statuses=list(f.statuses) if f.statuses else None,
            unit_ids=resolve.decode_ids(f.unit_ids, "Unit", "filter.unitIds"),
            first=first,
            offset=offset,
            facets=_wants_facets(info),
        )
        found = await _load(ctx.loaders.power_by_id, result.hits)
        hits = [
            (i, PowerHit(score=h.score, name_highlight=h.highlights.get("name", html.escape(p.name)), snippet=h.snippet,
                         power=Power.from_model(p)))
            for i, h, p in found
        ]  # fmt: skip
        facet_units = [int(k) for k, _ in _counts(result, "unit")]
        # the hits' units in the facets' statement: a hit's `unit` is then complete at once, not in a batch of
        # its own after it (issue 20: in a province the hits' units are seldom among the facets' 20)
        read = ctx.loaders.fields_of(m.Power, "id")  # a hit's unit_id is read when its unit is selected
        hit_units = [p.unit_id for _, _, p in found] if facet_units and (read is None or "unit_id" in read) else []
        units = (await ctx.loaders.unit_by_id.load_many([*facet_units, *hit_units]))[: len(facet_units)]
        unit_counts = [
            UnitCount(unit=Unit.from_model(u), count=n)
            for (_, n), u in zip(_counts(result, "unit"), units, strict=True)
            if u is not None
        ]
        return PowerSearch(
            total_count=result.total,
            page_info=_page_info(result, offset, len(result.hits)),
            edges=_edges(hits, offset, PowerHitEdge),
            facets=PowerFacets(
                categories=[
                    PowerCategoryCount(category=PowerCategory(k), count=n)
                    for k, n in _counts(result, "category")
                ],
                units=unit_counts,
            ),
            matched_all_words=result.matched_all_words,
            understanding=understanding_of(meaning, set(), semantic),
        )
