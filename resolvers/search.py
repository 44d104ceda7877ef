"""Resolvers of the search fields: GraphQL filters → index filters, through the configured backend.

Powers are filtered by domain.access's rule inside the index (hits, totals and facets alike); the
hits are then loaded through the request's loaders, which apply the same rule against the database,
so an index that lags behind a change of visibility still shows nothing hidden. An index built from
another database (or not yet rebuilt from this one) is never asked: the search is refused with a
SearchIndexNotReady error (search.manifest).
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from domain.errors import DomainError, FieldError, ValidationFailed
from domain.library.normalize import NATIONAL_PREFIX
from domain.models import LegalArticle, LegalDocument
from resolvers.ids import decode_id
from search import SearchBackend, SearchUnavailable, analysis, backend_for
from search.citations import Citation, LawNames
from search.documents import VERSION_FIELDS, day, keyword, spans
from search.filters import any_of, in_force_on, visible_powers
from search.manifest import IndexNotReady, require_ready
from search.model import Filter, Ids, IndexName, QueryTerm, SearchHit, SearchRequest, SearchResult
from search.semantic import ARTICLE, POWER, Meaning, meaning_of
from search.understand import QUESTION_MARKERS, Understanding, understand, vocabulary_and_database

if TYPE_CHECKING:
    from domain.access import Viewer
    from qingquan.settings import Settings

#: How deep a client may page into the hits (the engines rank everything before the offset).
MAX_OFFSET = 10_000
FACET_SIZE = 20
MAX_CITATIONS = 10
#: A question is read by meaning only when it has Chinese in it (a code or a number has no meaning to find).
HAN = re.compile(r"[\u4e00-\u9fff]")
#: Search by meaning (search/semantic.py): the nearest texts asked of the vectors (before the filters),
#: how many of each ranking are fused, and reciprocal rank fusion's constant (1 / (RRF_K + rank)).
NEAREST = {"power": 50, "article": 100}
WINDOW = 50
RRF_K = 60
#: The ranking by meaning counts this much of the ranking by words in the fusion, as measured with the static
#: model (bench/RESULTS.md, issue 22, 2026-12-07 h6): for powers on the residents' questions
#: (bench/powers_relevance.py: recall@5 0.81 at 1 and 4, 0.83 at 2); for articles on the legal development
#: set (bench/search_relevance.py: hard kinds' recall@5 0.81 at 1, 0.83 at 0.5, 0.84 at 0.25 as by words),
#: used for them only if they are taken out of RERANK.
MEANING_WEIGHT = {IndexName.POWERS: 2.0, IndexName.ARTICLES: 0.25}
#: Articles are not fused by rank but reordered: the words' hits keep their place unless meaning tells near-equals
#: apart. Each of the words' first WINDOW hits scores its words' score over the best one's plus RERANK × its cosine
#: with the question; the nearest texts the words missed follow them. Measured on the legal development set
#: (bench/RESULTS.md, 2026-12-07 h5; the weight chosen on half of the set, checked on the other half): fusing by
#: rank had taken the hard kinds' recall@1 from 0.63 (words alone) to 0.56, the static model's nearest articles
#: being often of another law; reordered, recall@1 stays 0.63 and recall@5 goes from 84 to 87 of 106.
RERANK = {IndexName.ARTICLES: 0.1}
CITED_DOCUMENT = tuple(dict.fromkeys((*VERSION_FIELDS, "title", "level")))
log = logging.getLogger("qingquan.search")


class SearchFailed(DomainError):
    code = "search_unavailable"


class SearchIndexNotReady(SearchFailed):
    """The index was built from another database, or is being rebuilt from this one: try again later."""

    code = "search_index_not_ready"

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason

    @property
    def extensions(self) -> dict[str, object]:
        return {**super().extensions, "reason": self.reason}


@dataclass
class LibraryScope:
    """Which legal texts a search covers (GraphQL's LegalSearchFilter, decoded)."""

    levels: list[object] | None = None
    statuses: list[object] | None = None
    document_ids: list[int] | None = None
    in_force_on: date | None = None
    all_versions: bool = False

    def admits(self, document: LegalDocument) -> bool:
        """Whether a document is within the filter's levels, statuses and documents (not its dates)."""
        return (
            (not self.levels or document.level in self.levels)
            and (not self.statuses or document.status in self.statuses)
            and (not self.document_ids or document.id in self.document_ids)
        )

    def filters(self, today: date) -> tuple[Filter, ...]:
        """By default only the versions in force today; older ones with a date or all_versions."""
        versions = () if self.all_versions else in_force_on(self.in_force_on or today)
        return (
            *versions,
            *any_of("level", self.levels),
            *any_of("status", self.statuses),
            *any_of("document_id", self.document_ids),
        )


def decode_ids(ids: list[str] | None, type_name: str, field: str) -> list[int] | None:
    return [decode_id(i, type_name, field) for i in ids] if ids else None


def page_size(settings: Settings, first: int | None, offset: int) -> int:
    size = settings.default_page_size if first is None else first
    problems = []
    if not 0 <= size <= settings.max_page_size:
        problems.append(
            FieldError("first", f"first 必须在 0 到 {settings.max_page_size} 之间", "out_of_range")
        )
    if offset > MAX_OFFSET:
        problems.append(
            FieldError(
                "after", f"最多翻到第 {MAX_OFFSET} 条结果 (page deeper than {MAX_OFFSET})", "out_of_range"
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return size


async def run_search(
    settings: Settings,
    index: IndexName,
    query: str,
    filters: tuple[Filter, ...],
    facets: tuple[str, ...],
    *,
    first: int | None,
    offset: int,
    terms: tuple[QueryTerm, ...] | None = None,
    match_all: bool = True,
    limit: int | None = None,
    relax: bool = True,
    database: str | None = None,
    meaning: Meaning | None = None,
) -> SearchResult:
    request = SearchRequest(
        query=query[:500],
        filters=filters,
        facets=facets,
        facet_size=FACET_SIZE,
        limit=page_size(settings, first, offset) if limit is None else limit,
        offset=offset,
        terms=terms,
        match_all=match_all,
    )
    backend = backend_for(settings)
    try:
        await require_ready(backend, database)  # `database`: its identity, when the caller has read it
        if meaning is not None and meaning.used:
            if index in RERANK:
                return await reranked_search(backend, index, request, meaning)
            return await fused_search(backend, index, request, await meaning.find(), meaning.similarity)
        result = await backend.search(index, request)
        if result.total == 0 and match_all and relax and len(request.query_terms()) > 1:
            # No text has every word: show those with some of them, the most first (matchedAllWords=false).
            result = await backend.search(index, replace(request, match_all=False))
            result.matched_all_words = False
        return result
    except IndexNotReady as exc:
        raise SearchIndexNotReady(exc.message, exc.reason) from exc
    except SearchUnavailable as exc:  # the engine's own words (and its exception's name) go to the log only
        log.warning("search failed: %s", exc)
        raise SearchFailed("搜索服务暂不可用，请稍后再试 (search is unavailable)") from exc


async def fused_search(
    backend: SearchBackend, index: IndexName, request: SearchRequest, nearest_ids: tuple[int, ...],
    similarity: Callable[[list[int]], list[float]] | None = None,
) -> SearchResult:
    """The words' hits and the nearest texts by meaning, fused by reciprocal rank (or, for an index in
    RERANK, the words' hits reordered by their `similarity` with the question). Both under the request's
    filters in the engine (the nearest texts a caller may not see are never hits, nor counted): one search
    counts and ranks the words' hits with the nearest texts among them (total and facets of both; ids and
    scores only). The nearest texts it returns pass the filters; when it found more than it returned, a search
    of the filters alone (no words) tells which of the others do. The page's hits are then read whole (highlights,
    excerpts) where the engine found them: ten of them, not the fifty ranked."""
    end = request.offset + request.limit
    union = replace(request, offset=0, limit=max(end, WINDOW), also=nearest_ids, ids_only=True)
    result = await backend.search(index, union)
    hits = {h.id: h for h in result.hits}
    unseen = tuple(i for i in nearest_ids if i not in hits)
    if unseen and result.total > len(result.hits):
        passed = SearchRequest(filters=(*request.filters, Ids(unseen)), limit=len(unseen), ids_only=True)
        hits |= {h.id: h for h in (await backend.search(index, passed)).hits}
    by_words = [h for h in result.hits if h.score > 0][:WINDOW]
    by_meaning = [i for i in nearest_ids if i in hits][:WINDOW]
    if index in RERANK and similarity is not None:
        score = reordered(by_words, by_meaning, similarity, RERANK[index])
        order = list(score)
    else:
        score = {}
        for rank, i in enumerate(h.id for h in by_words):
            score[i] = score.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, i in enumerate(by_meaning):
            score[i] = score.get(i, 0.0) + MEANING_WEIGHT.get(index, 1.0) / (RRF_K + rank + 1)
        order = sorted(score, key=lambda i: -score[i])
    order += [h.id for h in result.hits if h.id not in score]
    return await _page(backend, index, request, result, hits, order, score)


async def reranked_search(backend: SearchBackend, index: IndexName, request: SearchRequest, meaning: Meaning) -> SearchResult:
    """An index in RERANK (articles): the words' first WINDOW hits reordered by their cosine with the question
    (`reordered`), the nearest texts the words missed after them. When the words find WINDOW hits or more, those
    nearest texts could only come after the first WINDOW places, and they are not searched: the words' search
    alone, the cosines of its first WINDOW hits (a 50-row product on the event loop), the words' hits beyond them
    in the words' order; total and facets count the words' hits. (The product with every vector and the union's
    search cost half a legal question's CPU and decided nothing on the first WINDOW places: bench/RESULTS.md,
    session 12, h3.) When the words find fewer, the nearest texts fill the pages after them and are counted too
    (fused_search). The choice depends on the words' total alone, not on the page: every page of a search is a
    slice of one order."""
    end = request.offset + request.limit
    result = await backend.search(index, replace(request, offset=0, limit=max(end, WINDOW), ids_only=True))
    if result.total < WINDOW:
        return await fused_search(backend, index, request, await meaning.find(), meaning.similarity)
    score = reordered(result.hits[:WINDOW], [], meaning.similarity, RERANK[index])
    order = [*score, *(h.id for h in result.hits[WINDOW:])]
    return await _page(backend, index, request, result, {h.id: h for h in result.hits}, order, score)


async def _page(
    backend: SearchBackend, index: IndexName, request: SearchRequest, result: SearchResult,
    hits: dict[int, SearchHit], order: list[int], score: dict[int, float],
) -> SearchResult:
    """The request's page of `order` (ids of `hits`, with their `score`), read whole where the engine found it."""
    page = [replace(hits[i], score=round(score.get(i, 0.0), 6)) for i in order[request.offset : request.offset + request.limit]]
    return replace(result, hits=await backend.read(index, request, page) if page else [])


def reordered(
    by_words: list[SearchHit], by_meaning: list[int], similarity: Callable[[list[int]], list[float]], weight: float
) -> dict[int, float]:
    """id → score, best first: the words' hits by their score over the best one's plus `weight` × their
    cosine with the question (RERANK), then the nearest by meaning the words did not find, in their order
    (scored `weight` × their cosine)."""
    ids = [h.id for h in by_words]
    found = set(ids)
    near = [i for i in by_meaning if i not in found]
    cosines = similarity(ids + near)
    best = by_words[0].score if by_words else 1.0
    words = {h.id: h.score / best + weight * c for h, c in zip(by_words, cosines[: len(ids)], strict=True)}
    score = dict(sorted(words.items(), key=lambda kv: -kv[1]))
    score.update({i: weight * c for i, c in zip(near, cosines[len(ids) :], strict=True)})
    return score


async def by_meaning(settings: Settings, kind: str, query: str, meaning: Understanding) -> Meaning:
    """A question's vector for the search by meaning (a keyword or citation query is never embedded); its nearest
    texts are searched when the ranking needs them (Meaning.find)."""
    if not meaning.question or not meaning.terms or not HAN.search(query):
        return Meaning(False, "not_a_question")  # keywords, a citation, a code or a number: words only
    if not backend_for(settings).nearest:
        return Meaning(False, "engine")
    return await meaning_of(kind, query[:500], NEAREST[kind], settings.search_meaning_min_coverage)


async def search_legal_basis(
    settings: Settings, query: str, scope: LibraryScope, *, first: int | None, offset: int, facets: bool = True
) -> tuple[SearchResult, Understanding, Meaning]:
    """Articles for a query as people type it (search.understand): cited articles first, then the
    backend's hits for the words left (fused with the nearest articles by meaning when it is a question),
    kept to the laws the query names when that finds anything."""
    facet_fields = ("level", "status", "document_id") if facets else ()
    limit = page_size(settings, first, offset)
    vocab, database = await vocabulary_and_database()
    meaning = understand(query, vocab)
    today = date.today()
    filters = scope.filters(today)
    pinned = await cited_articles(meaning.citations, scope, today)
    cited = {id(c) for c, _, _ in pinned}
    if not meaning.terms and meaning.citations:
        return replace(pinned_only(pinned, offset, limit, meaning), cited=cited), meaning, Meaning(False, "not_a_question")
    semantic = await by_meaning(settings, ARTICLE, query, meaning)
    terms = tuple(meaning.terms)
    works = tuple(dict.fromkeys(w for law in meaning.laws for w in law.work_ids))
    skip = min(offset, len(pinned))
    run = partial(
        run_search, settings, IndexName.ARTICLES, query, facets=facet_fields, first=first, offset=offset - skip,
        terms=terms, match_all=not meaning.question, limit=limit - (len(pinned) - skip), relax=False,
        database=database, meaning=semantic,
    )  # fmt: skip
    result = await run(filters=(*filters, *any_of("work_id", list(works))))
    if result.total == 0 and not meaning.question:
        # no text has every word as typed: cut them into smaller words, as a question's, any will do
        meaning = understand(query, vocab, as_sentence=True)
        run = partial(run, terms=tuple(meaning.terms), match_all=False)
        result = await run(filters=(*filters, *any_of("work_id", list(works))))
        result.matched_all_words = False
    if works and result.total == 0:
        result = await run(filters=filters)  # the law named has none of the words: look everywhere
    if meaning.question:
        first_hit = set(result.hits[0].matched) if result.hits else set()
        result.matched_all_words = bool(first_hit) and all(first_hit & set(t.words) for t in meaning.terms)
    return replace(with_pinned(result, pinned[skip:], meaning), cited=cited), meaning, semantic


async def cited_articles(
    citations: list[Citation], scope: LibraryScope, today: date
) -> list[tuple[Citation, LegalArticle, LegalDocument]]:
    """Each cited article in the version of its law the citation means: the version of the year it
    names, else the one in force on that date, the filter's date or today; within the filter's scope."""
    found: list[tuple[Citation, LegalArticle, LegalDocument]] = []
    for citation in citations[:MAX_CITATIONS]:
        versions = await LegalDocument.filter(work_id__in=citation.law.work_ids).only(*CITED_DOCUMENT)
        if not versions:
            continue
        documents = {d.id: d for d in versions}
        valid = spans({f: getattr(d, f) for f in VERSION_FIELDS} for d in versions)
        document = _version(citation, documents, valid, scope.in_force_on or today)
        if document is None or not scope.admits(document):
            continue
        articles = LegalArticle.filter(document_id=document.id)
        article = await articles.filter(label=citation.label).first()
        if article is None and citation.sub is None:
            article = await articles.filter(number=citation.number).order_by("ordinal").first()
        if article is not None and all(a.id != article.id for _, a, _ in found):
            found.append((citation, article, document))
    return found


def _version(
    citation: Citation, documents: dict[int, LegalDocument], valid: dict[int, tuple[int, int]], on: date
) -> LegalDocument | None:
    if citation.year:
        of_year = [d for d in documents.values() if citation.year in _years(d)]
        if of_year:
            return max(of_year, key=lambda d: (valid[d.id][0], d.id))
        on = citation.on or on
    when = day(on)
    in_force = [d for d in documents.values() if valid[d.id][0] <= when < valid[d.id][1]]
    if in_force:
        return max(in_force, key=lambda d: (valid[d.id][0], d.id))
    earlier = [d for d in documents.values() if valid[d.id][0] <= when]
    return max(earlier or documents.values(), key=lambda d: (valid[d.id][0], d.id))


def _years(document: LegalDocument) -> set[int]:
    dates = (document.version_date, document.promulgation_date, document.effective_date)
    return {d.year for d in dates if d is not None}


def _pinned_hit(citation: Citation, article: LegalArticle, document: LegalDocument, words: list[str], score: float) -> SearchHit:
    snippet = analysis.highlight(article.text, words, 120) if words else None
    return SearchHit(
        id=article.id,
        document_id=article.document_id,
        score=score,
        matched=[str(citation)],
        highlights={"title": f"{analysis.HIGHLIGHT_PRE}{html.escape(document.title)}{analysis.HIGHLIGHT_POST}"},
        snippet=snippet or analysis.crop_text(article.text, 120),
    )


def with_pinned(
    result: SearchResult, pinned: list[tuple[Citation, LegalArticle, LegalDocument]], meaning: Understanding
) -> SearchResult:
    """The cited articles before the backend's hits (each article once)."""
    if not pinned:
        return result
    ids = {a.id for _, a, _ in pinned}
    top = max((h.score for h in result.hits), default=0.0) + 1.0
    words = [w for t in meaning.terms for w in t.words]
    hits = [_pinned_hit(c, a, d, words, top) for c, a, d in pinned]
    rest = [h for h in result.hits if h.id not in ids]
    total = result.total + len(pinned) - (len(result.hits) - len(rest))
    return replace(result, hits=hits + rest, total=total)


def pinned_only(
    pinned: list[tuple[Citation, LegalArticle, LegalDocument]], offset: int, limit: int, meaning: Understanding
) -> SearchResult:
    """A query that only cites: the cited articles, counted in the facets as a search would count them."""
    page = pinned[offset : offset + limit]
    facets: dict[str, list[tuple[str, int]]] = {}
    for name, value in (("level", lambda d: keyword(d.level)), ("status", lambda d: keyword(d.status)),
                        ("document_id", lambda d: keyword(d.id))):  # fmt: skip
        counts = Counter(value(d) for _, _, d in pinned)
        facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    hits = [_pinned_hit(c, a, d, [], float(len(pinned) - i)) for i, (c, a, d) in enumerate(page)]
    return SearchResult(hits=hits, total=len(pinned), facets=facets)


async def search_legal_documents(
    settings: Settings, query: str, scope: LibraryScope, *, first: int | None, offset: int, facets: bool = True
) -> SearchResult:
    """Documents by title, 文号, issuer or preamble; a law named by any of its names (个税法, 村组法,
    土地管里法) is found by that name, its other words searched within it."""
    filters = tuple(f for f in scope.filters(date.today()) if getattr(f, "field", "") != "document_id")
    vocab, database = await vocabulary_and_database()
    meaning = understand(query, vocab)
    works = tuple(dict.fromkeys(w for law in meaning.laws for w in law.work_ids))
    run = partial(
        run_search, settings, IndexName.DOCUMENTS, query, facets=("level", "status") if facets else (), first=first,
        offset=offset, database=database,
    )  # fmt: skip
    if works:
        # the law by its title (so that the title is highlighted, however the query named it), and the rest
        names = tuple(
            QueryTerm(law.text, (law.title.removeprefix(NATIONAL_PREFIX),), literal=False) for law in meaning.laws
        )
        named = await run(filters=(*filters, *any_of("work_id", list(works))), terms=names + tuple(meaning.terms))
        if named.total:
            return named
    return await run(filters=filters)


async def search_powers(
    viewer: Viewer,
    settings: Settings,
    query: str,
    *,
    categories: list[object] | None,
    statuses: list[object] | None,
    unit_ids: list[int] | None,
    first: int | None,
    offset: int,
    facets: bool = True,
) -> tuple[SearchResult, Understanding, Meaning]:
    """Powers the viewer may see, for keywords (every word, else some of them) or a question as residents
    ask it (question words dropped, the thesaurus, partial matches ranked, fused with the nearest powers by
    meaning): "which power, and which office"."""
    filters = (
        *visible_powers(viewer),
        *any_of("category", categories),
        *any_of("status", statuses),
        *any_of("unit_id", unit_ids),
    )
    vocab, database = await vocabulary_and_database()
    if (meaning := understand(query, vocab)).citations or meaning.laws:
        vocab = replace(vocab, names=LawNames())  # a law's name in a power's query is words to find, not a scope
        meaning = understand(query, vocab)
    if meaning.question and len(HAN.findall(query)) < 2 and not QUESTION_MARKERS.search(query):
        meaning = Understanding(query=query)  # a code or a marker (新123400012), not a sentence: its words as typed

    async def run(meaning: Understanding) -> tuple[SearchResult, Meaning]:
        semantic = await by_meaning(settings, POWER, query, meaning)
        result = await run_search(
            settings, IndexName.POWERS, query, filters, ("category", "unit") if facets else (), first=first,
            offset=offset, terms=tuple(meaning.terms) if meaning.terms else None, match_all=not meaning.question,
            database=database, meaning=semantic,
        )  # fmt: skip
        return result, semantic

    result, semantic = await run(meaning)
    if result.total == 0 and not meaning.question and meaning.terms:
        # no power has the words as typed (夫妻过不下去了 想去办离婚): cut them as a question's, any will do
        meaning = understand(query, vocab, as_sentence=True)
        result, semantic = await run(meaning)
        result.matched_all_words = False
    elif meaning.question:
        first_hit = set(result.hits[0].matched) if result.hits else set()
        result.matched_all_words = bool(first_hit) and all(first_hit & set(t.words) for t in meaning.terms)
    return result, meaning, semantic
