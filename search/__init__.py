"""Full-text search over the legal library and the power catalogue.

One SearchBackend interface (search.backend), two engines: the embedded default (tantivy in
process, search.embedded) and Meilisearch (search.meili). Chinese analysis in search.analysis;
the indexer in search.indexer keeps the indexes equal to the database by following the change feed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from search.backend import SearchBackend, SearchUnavailable
from search.model import IndexName, SearchRequest, SearchResult

if TYPE_CHECKING:
    from qingquan.settings import Settings

__all__ = ["IndexName", "SearchBackend", "SearchRequest", "SearchResult", "SearchUnavailable", "backend_for"]

_backends: dict[tuple[str, ...], SearchBackend] = {}


def backend_for(settings: Settings) -> SearchBackend:
    """The configured backend, one per process and configuration (Meilisearch when a URL is set)."""
    if settings.search_url:
        key: tuple[str, ...] = ("meilisearch", settings.search_url, settings.search_api_key or "")
    else:
        key = ("embedded", str(Path(settings.search_index_dir).resolve()))
    if key not in _backends:
        if settings.search_url:
            from search.meili import MeiliBackend

            _backends[key] = MeiliBackend(
                settings.search_url, settings.search_api_key, timeout=settings.search_timeout
            )
        else:
            from search.embedded import EmbeddedBackend

            _backends[key] = EmbeddedBackend(
                settings.search_index_dir, keep_facets=settings.search_facet_cache
            )
    return _backends[key]
