"""Which database, in which format, an index was built from — so that it never answers for another.

An index keeps a manifest beside it (the embedded index: `manifest.json` in its directory;
Meilisearch: a document of the `{prefix}manifest` index, and the names of its indexes carry the
database and format too). It names the database's identity (domain.identity), the format of the
indexed documents and whether the build is complete. A search answers only from an index whose
manifest names this database and this format, complete; otherwise it is refused with IndexNotReady
while the indexer (the server's background loop, `qingquan index`, `qingquan reindex`; see
search.indexer) rebuilds the index from the database.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from functools import cache
from typing import Any

from domain.identity import database_identity
from search.backend import SearchBackend, SearchUnavailable
from search.model import SPECS

#: Bump when what the indexes hold changes without a change of their fields (search/documents.py,
#: search/analysis.py): an index of another format is rebuilt. Field changes (SPECS) count by themselves.
INDEX_FORMAT_VERSION = 2
#: A build whose builder has not written its manifest for this long is taken as abandoned.
STALE_AFTER = 180.0


@cache
def index_format() -> str:
    """The version and a digest of the indexes' fields, e.g. `1-3fa2c81d` (constant: worked out once,
    not on every search)."""
    layout = {
        name.value: [sorted(s.text.items()), s.keywords, s.numbers, s.snippet_field]
        for name, s in SPECS.items()
    }
    digest = hashlib.sha256(json.dumps(layout, sort_keys=True).encode()).hexdigest()[:8]
    return f"{INDEX_FORMAT_VERSION}-{digest}"


class IndexState(StrEnum):
    BUILDING = "building"
    READY = "ready"


@dataclass(frozen=True)
class Manifest:
    database: str
    format: str
    state: IndexState
    #: The process building the index (a random token), while BUILDING.
    builder: str = ""
    #: Unix time of the last write: a heartbeat while BUILDING, the end of the build when READY.
    updated: float = 0.0
    #: The database's last migration when the build started (for people reading the manifest).
    schema: str = ""
    #: This build of the index (a random token): the change feed's consumer row of the index names it,
    #: with how far the feed has been applied (domain/change_feed.py); another build starts afresh.
    build: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "state": self.state.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Manifest | None:
        """None for a missing or unreadable manifest (an index of an older version has none)."""
        try:
            return cls(
                database=str(data["database"]),  # type: ignore[index]
                format=str(data["format"]),  # type: ignore[index]
                state=IndexState(data["state"]),  # type: ignore[index]
                builder=str(data.get("builder") or ""),  # type: ignore[union-attr]
                updated=float(data.get("updated") or 0.0),  # type: ignore[union-attr]
                schema=str(data.get("schema") or ""),  # type: ignore[union-attr]
                build=str(data.get("build") or ""),  # type: ignore[union-attr]
            )
        except (KeyError, TypeError, ValueError):
            return None

    def touched(self, state: IndexState | None = None) -> Manifest:
        return replace(self, state=state or self.state, updated=time.time())

    def abandoned(self) -> Manifest:
        """A build stopped before its end (the server stopping): no live builder, so that the next start
        rebuilds at once rather than wait STALE_AFTER for a builder that is gone."""
        return replace(self, builder="", updated=0.0)


class IndexNotReady(SearchUnavailable):
    """The index was not built from this database (or in this format), or its build is not done."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.message = message
        #: `building`: being rebuilt from this database; `foreign`: built from another one, in another
        #: format, or never built.
        self.reason = reason


@dataclass(frozen=True)
class Ownership:
    """This database's identity and the index's manifest, read together."""

    database: str
    format: str
    manifest: Manifest | None

    def ours(self, manifest: Manifest | None = None) -> bool:
        m = manifest or self.manifest
        return m is not None and m.database == self.database and m.format == self.format

    @property
    def ready(self) -> bool:
        return self.ours() and self.manifest.state is IndexState.READY  # type: ignore[union-attr]

    def building_elsewhere(self, builder: str) -> bool:
        """Another live process is building the index from this database."""
        m = self.manifest
        return (
            self.ours()
            and m.state is IndexState.BUILDING  # type: ignore[union-attr]
            and m.builder != builder  # type: ignore[union-attr]
            and time.time() - m.updated < STALE_AFTER  # type: ignore[union-attr]
        )

    def building(self, builder: str, schema: str = "", build: str = "") -> Manifest:
        return Manifest(self.database, self.format, IndexState.BUILDING, builder, time.time(), schema, build)


async def ownership(backend: SearchBackend, database: str | None = None, *, fresh: bool = False) -> Ownership:
    """Read which database the index belongs to (and point the backend at this database's indexes);
    `database`: this database's identity if the caller has just read it; `fresh`: not from a cache
    (the indexer, which must see a build of another process)."""
    database, fmt = database or await database_identity(), index_format()
    backend.bind(database, fmt)
    return Ownership(database, fmt, Manifest.from_dict(await backend.read_manifest(fresh=fresh)))


async def require_ready(backend: SearchBackend, database: str | None = None) -> None:
    """Raise IndexNotReady unless the index is complete and was built from this database (`database`: its
    identity, if the caller has just read it)."""
    own = await ownership(backend, database)
    if own.ready:
        return
    if own.ours():
        raise IndexNotReady(
            "搜索索引正在按当前数据库重建，完成后即可搜索，请稍后再试 "
            "(the search index is being rebuilt from this database; try again shortly)",
            "building",
        )
    raise IndexNotReady(
        "搜索索引不是由当前数据库建立的（或尚未建立），暂停搜索以免答错；服务器会在后台重建，"
        "也可运行 `qingquan reindex` (the search index was built from another database, in another "
        "format, or not at all: searches are refused until it is rebuilt from this one)",
        "foreign",
    )
