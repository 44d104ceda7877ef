"""The one interface every search engine implements (search/embedded.py, search/meili.py)."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, Sequence
from typing import Any

from search.model import IndexChanges, IndexName, SearchHit, SearchRequest, SearchResult


class SearchUnavailable(Exception):
    """The search engine could not be reached or refused the request."""


class SearchBackend(ABC):
    """Async access to the three indexes; documents are dicts keyed by the fields of search.model.SPECS."""

    name: str = "?"
    #: Several processes may write the same indexes at once (Meilisearch behind several app processes).
    shared: bool = False
    #: Takes SearchRequest.also (the nearest texts by meaning among the words' hits, in one count).
    nearest: bool = False
    #: Where the manifest lives when a backend keeps it nowhere else (in memory, with its index).
    _manifest: dict[str, Any] | None = None

    @abstractmethod
    async def apply(self, index: IndexName, changes: IndexChanges) -> None:
        """Apply one batch: deletions first, then upserts (replace by id). Done when it returns."""

    @abstractmethod
    async def search(self, index: IndexName, request: SearchRequest) -> SearchResult:
        """One page of hits, the total and the facet counts, all under the request's filters."""

    async def read(self, index: IndexName, request: SearchRequest, hits: list[SearchHit]) -> list[SearchHit]:
        """Hits of an ids_only search of `request` read whole (highlights and the excerpt of its words), in
        their order and with their scores. A backend that honours ids_only reads them where it found them (the
        embedded one); one that ignores it, as here, read them whole already."""
        return hits

    @abstractmethod
    async def clear(self, index: IndexName | None = None) -> None:
        """Remove every document of `index` (of all indexes when None)."""

    @abstractmethod
    async def health(self) -> bool:
        """Whether the engine answers."""

    async def count(self, index: IndexName) -> int:
        return (await self.search(index, SearchRequest(limit=0))).total

    async def upsert(self, index: IndexName, documents: Sequence[dict[str, Any]]) -> None:
        await self.apply(index, IndexChanges(upserts=list(documents)))

    async def delete(self, index: IndexName, ids: Sequence[int]) -> None:
        await self.apply(index, IndexChanges(deletes=list(ids)))

    async def rebuild(self, index: IndexName, batches: AsyncIterable[list[dict[str, Any]]]) -> int:
        """Replace every document of `index` with those of `batches`; returns how many were written."""
        await self.clear(index)
        count = 0
        async for batch in batches:
            await self.upsert(index, batch)
            count += len(batch)
        return count

    def bind(self, database: str, index_format: str) -> None:  # noqa: B027 (optional hook)
        """Use the indexes of this database and format (search.manifest), where the engine keeps
        several side by side; the embedded index is one directory, rebuilt in place."""

    async def read_manifest(self, *, fresh: bool = False) -> dict[str, Any] | None:
        """The manifest of the index (search.manifest.Manifest as a dict); None when it has none;
        `fresh`: read it where it lives, not from what this process remembers of it."""
        return self._manifest

    async def write_manifest(self, manifest: dict[str, Any]) -> None:
        self._manifest = manifest

    @property
    def consumer(self) -> str:
        """This index's name as a consumer of the change feed (domain/change_feed.py)."""
        return f"{self.name}:{socket.gethostname()}:{id(self):x}"

    async def close(self) -> None:  # noqa: B027 (optional hook)
        """Release what the backend holds (connections, writers)."""
