"""Resolvers of the search fields: GraphQL filters → index filters, through the configured backend.

Powers are filtered by domain.access's rule inside the index (hits, totals and facets alike); the
hits are then loaded through the request's loaders, which apply the same rule against the database,
so an index that lags behind a change of visibility still shows nothing hidden. An index built from
another database (or not yet rebuilt from this one) is never asked: the search is refused with a
SearchIndexNotReady error (search.manifest).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from domain.errors import DomainError, FieldError, ValidationFailed
from resolvers.ids import decode_id
from search import SearchUnavailable, analysis, backend_for
from search.filters import any_of, in_force_on, visible_powers
from search.manifest import IndexNotReady, require_ready
from search.model import Filter, IndexName, SearchRequest, SearchResult

if TYPE_CHECKING:
    from domain.access import Viewer
    from qingquan.settings import Settings

#: How deep a client may page into the hits (the engines rank everything before the offset).
MAX_OFFSET = 10_000
FACET_SIZE = 20
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
) -> SearchResult:
    request = SearchRequest(
        query=query[:500],
        filters=filters,
        facets=facets,
        facet_size=FACET_SIZE,
        limit=page_size(settings, first, offset),
        offset=offset,
    )
    backend = backend_for(settings)
    try:
        await require_ready(backend)
        result = await backend.search(index, request)
        if result.total == 0 and len(analysis.query_words(query)) > 1:
            # No text has every word: show those with some of them, the most first (matchedAllWords=false).
            result = await backend.search(index, replace(request, match_all=False))
            result.matched_all_words = False
        return result
    except IndexNotReady as exc:
        raise SearchIndexNotReady(exc.message, exc.reason) from exc
    except SearchUnavailable as exc:  # the engine's own words (and its exception's name) go to the log only
        log.warning("search failed: %s", exc)
        raise SearchFailed("搜索服务暂不可用，请稍后再试 (search is unavailable)") from exc


async def search_legal_basis(
    settings: Settings, query: str, scope: LibraryScope, *, first: int | None, offset: int
) -> SearchResult:
    facets = ("level", "status", "document_id")
    return await run_search(
        settings, IndexName.ARTICLES, query, scope.filters(date.today()), facets, first=first, offset=offset
    )


async def search_legal_documents(
    settings: Settings, query: str, scope: LibraryScope, *, first: int | None, offset: int
) -> SearchResult:
    filters = tuple(f for f in scope.filters(date.today()) if getattr(f, "field", "") != "document_id")
    return await run_search(
        settings, IndexName.DOCUMENTS, query, filters, ("level", "status"), first=first, offset=offset
    )


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
) -> SearchResult:
    filters = (
        *visible_powers(viewer),
        *any_of("category", categories),
        *any_of("status", statuses),
        *any_of("unit_id", unit_ids),
    )
    return await run_search(
        settings, IndexName.POWERS, query, filters, ("category", "unit_id"), first=first, offset=offset
    )
