"""Meilisearch, the production backend (`QINGQUAN_SEARCH_URL`), through meilisearch-python-sdk.

Each index declares its searchable attributes (by weight), filterable and sortable attributes,
Chinese (`cmn`) for its text, a dictionary of legal terms so they stay whole words, no typo
tolerance (meaningless for Chinese characters), and `boost` as the last ranking rule. Every write
waits for its task with a real timeout; any failure is a SearchUnavailable.
"""

from __future__ import annotations

import html
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import MeilisearchApiError
from meilisearch_python_sdk.index import AsyncIndex
from meilisearch_python_sdk.models.settings import (
    Faceting,
    LocalizedAttributes,
    MeilisearchSettings,
    Pagination,
    TypoTolerance,
)

from search import analysis
from search.backend import SearchBackend, SearchUnavailable
from search.model import (
    SPECS,
    AnyOf,
    Between,
    Either,
    Filter,
    Ids,
    IndexChanges,
    IndexName,
    IndexSpec,
    SearchHit,
    SearchRequest,
    SearchResult,
)

#: Terms Meilisearch's Chinese segmentation must keep whole.
LEGAL_TERMS = [
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付", "行政检查", "行政确认", "行政奖励",
    "行政裁决", "行政复议", "行政诉讼", "行政机关", "申请人", "当事人", "违法行为", "法律责任",
    "招标公告", "投标人", "招标人", "听证", "罚款", "没收违法所得", "吊销", "责令改正", "责令停产停业",
    "县级以上地方人民政府", "国务院", "主管部门", "法定代表人", "规范性文件",
]  # fmt: skip
UPLOAD_BATCH = 5000
PRE, POST = "\x02", "\x03"  # private marks, turned into <em> after escaping the text


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def filter_expression(filters: tuple[Filter, ...] | list[Filter]) -> str:
    """Filters as Meilisearch's filter syntax (all must hold)."""
    parts = []
    for f in filters:
        if isinstance(f, AnyOf):
            parts.append(
                f"{f.field} IN [{', '.join(_quote(v) for v in f.values)}]" if f.values else "id = -1"
            )
        elif isinstance(f, Between):
            if f.low is not None:
                parts.append(f"{f.field} >= {int(f.low)}")
            if f.high is not None:
                parts.append(f"{f.field} <= {int(f.high)}")
        elif isinstance(f, Either):
            parts.append("(" + " OR ".join(f"({filter_expression(c) or 'id >= 0'})" for c in f.clauses) + ")")
        elif isinstance(f, Ids):
            parts.append(f"id IN [{', '.join(str(int(v)) for v in f.values)}]" if f.values else "id = -1")
        else:
            raise TypeError(f"unknown filter {f!r}")
    return " AND ".join(parts)


def settings_for(spec: IndexSpec) -> MeilisearchSettings:
    text = sorted(spec.text, key=lambda name: -spec.text[name])
    return MeilisearchSettings(
        searchable_attributes=text,
        filterable_attributes=["id", *spec.keywords, *spec.numbers],
        sortable_attributes=[*spec.numbers, "boost"],
        ranking_rules=["words", "proximity", "attribute", "exactness", "boost:desc"],
        localized_attributes=[LocalizedAttributes(locales=["cmn"], attribute_patterns=text)],
        dictionary=LEGAL_TERMS,
        typo_tolerance=TypoTolerance(enabled=False),
        faceting=Faceting(max_values_per_facet=200),
        pagination=Pagination(max_total_hits=10000),
    )


def _marked(formatted: str) -> str:
    return html.escape(formatted).replace(PRE, analysis.HIGHLIGHT_PRE).replace(POST, analysis.HIGHLIGHT_POST)


class MeiliBackend(SearchBackend):
    """Indexes `{prefix}{namespace}articles`, `…documents`, `…powers` on one Meilisearch server.

    Once bound (search.manifest), the namespace names the database and the index format, so several
    databases (or versions of the app) share a server without ever reading each other's indexes;
    their manifests are documents of `{prefix}manifest`, one per namespace.
    """

    name = "meilisearch"
    shared = True

    def __init__(
        self, url: str, api_key: str | None = None, *, timeout: float = 10.0, prefix: str = "qingquan_"
    ) -> None:
        self.client = AsyncClient(url, api_key, timeout=int(max(1, timeout)))
        self.url = url.rstrip("/")
        self.timeout_ms = int(timeout * 1000)
        self.prefix = prefix
        self.namespace = ""
        self._ready: set[str] = set()
        #: Manifests found complete, by namespace: a namespace's build, once done, stays done.
        self._complete: dict[str, dict[str, Any]] = {}

    def bind(self, database: str, index_format: str) -> None:
        self.namespace = f"{database[:12]}_{index_format}_"

    @property
    def consumer(self) -> str:
        """One per Meilisearch server and namespace (database and format): applied by one process of all hosts."""
        return f"meili:{self.url}:{self.prefix}{self.namespace}"

    def uid(self, name: IndexName | str) -> str:
        return f"{self.prefix}{self.namespace}{getattr(name, 'value', name)}"

    async def _manifests(self) -> AsyncIndex:
        uid = self.prefix + "manifest"
        if uid not in self._ready:
            async with self._errors():
                index = await self.client.get_or_create_index(uid, primary_key="id")
            self._ready.add(uid)
            return index
        return self.client.index(uid)

    async def read_manifest(self, *, fresh: bool = False) -> dict[str, Any] | None:
        key = self.namespace.rstrip("_") or "default"
        if key in self._complete and not fresh:
            return self._complete[key]
        index = await self._manifests()
        try:
            async with self._errors():
                found = await index.get_document(key)
        except SearchUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, MeilisearchApiError) and cause.code in (
                "document_not_found",
                "index_not_found",
            ):
                return None
            raise
        manifest = {k: v for k, v in found.items() if k != "id"}
        if manifest.get("state") == "ready":
            self._complete[key] = manifest
        return manifest

    async def write_manifest(self, manifest: dict[str, Any]) -> None:
        key = self.namespace.rstrip("_") or "default"
        self._complete.pop(key, None)
        index = await self._manifests()
        async with self._errors():
            await self._wait(await index.add_documents([{**manifest, "id": key}], primary_key="id"))

    @asynccontextmanager
    async def _errors(self) -> AsyncIterator[None]:
        try:
            yield
        except Exception as exc:  # the SDK raises its own errors, and its HTTP client's as they are
            raise SearchUnavailable(f"Meilisearch: {type(exc).__name__}: {exc}") from exc

    async def _wait(self, task: Any) -> None:
        await self.client.wait_for_task(task.task_uid, timeout_in_ms=self.timeout_ms, raise_for_status=True)

    async def _index(self, name: IndexName) -> AsyncIndex:
        uid = self.uid(name)
        index = self.client.index(uid)
        if uid not in self._ready:
            async with self._errors():
                index = await self.client.get_or_create_index(uid, primary_key="id")
                await self._wait(await index.update_settings(settings_for(SPECS[name])))
            self._ready.add(uid)
        return index

    async def apply(self, index: IndexName, changes: IndexChanges) -> None:
        if not changes:
            return
        target = await self._index(index)
        async with self._errors():
            for field, values in changes.delete_where.items():
                if values:
                    await self._wait(
                        await target.delete_documents_by_filter(
                            filter_expression([AnyOf(field, tuple(values))])
                        )
                    )
            if changes.deletes:
                await self._wait(await target.delete_documents([str(i) for i in changes.deletes]))
            for start in range(0, len(changes.upserts), UPLOAD_BATCH):
                await self._wait(
                    await target.add_documents(
                        changes.upserts[start : start + UPLOAD_BATCH], primary_key="id"
                    )
                )

    async def search(self, index: IndexName, request: SearchRequest) -> SearchResult:
        spec = SPECS[index]
        target = await self._index(index)
        terms = request.query_terms()
        words = request.highlight_words()
        # Meilisearch has no "this word or that one" inside a query: the alternatives of a term join the
        # query as optional words (ranked by how many match) unless every term is a plain word.
        every_word = request.match_all and all(t.literal and not t.alternatives and not t.near for t in terms)
        async with self._errors():
            found = await target.search(
                " ".join(_quote(w) for w in words),  # each word a phrase: its characters side by side
                offset=request.offset,
                limit=request.limit,
                filter=filter_expression(request.filters) or None,
                facets=list(request.facets) or None,
                attributes_to_highlight=list(spec.text),
                attributes_to_crop=[spec.snippet_field] if spec.snippet_field else None,
                crop_length=max(10, request.crop // 2),
                crop_marker="…",
                highlight_pre_tag=PRE,
                highlight_post_tag=POST,
                show_matches_position=True,
                show_ranking_score=True,
                matching_strategy="all" if every_word else "frequency",
            )
        hits = []
        for raw in found.hits:
            formatted, matched = raw.get("_formatted") or {}, raw.get("_matchesPosition") or {}
            hit = SearchHit(
                id=int(raw["id"]), score=float(raw.get("_rankingScore") or 0.0), document_id=SearchHit.document_of(raw)
            )
            hit.matched = analysis.found_words([str(raw.get(name) or "") for name in spec.text], words)
            hit.highlights = {
                name: _marked(str(formatted.get(name, ""))) for name in spec.text if name in matched
            }
            if spec.snippet_field:
                hit.snippet = _marked(
                    str(formatted.get(spec.snippet_field) or raw.get(spec.snippet_field) or "")
                )
            hits.append(hit)
        facets = {
            name: sorted(((str(k), int(v)) for k, v in (found.facet_distribution or {}).get(name, {}).items()),
                         key=lambda kv: (-kv[1], kv[0]))[: request.facet_size]
            for name in request.facets
        }  # fmt: skip
        return SearchResult(hits=hits, total=int(found.estimated_total_hits or len(hits)), facets=facets)

    async def clear(self, index: IndexName | None = None) -> None:
        for name in [index] if index else list(IndexName):
            target = await self._index(name)
            async with self._errors():
                await self._wait(await target.delete_all_documents())

    async def health(self) -> bool:
        try:
            return (await self.client.health()).status == "available"
        except Exception:  # unreachable is simply unhealthy
            return False

    async def close(self) -> None:
        await self.client.aclose()
