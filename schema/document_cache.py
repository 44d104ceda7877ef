"""Parse and validate each distinct document once: portals send the same few documents again and again.

One LRU per schema, keyed by the document's text (validation depends on nothing else: not on the
variables, the operation name or the caller). A document refused because validation ran out of time
is not remembered as refused: that verdict depends on the moment, the others do not.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from threading import Lock

from graphql import DocumentNode, GraphQLError
from strawberry.extensions import SchemaExtension

from schema.limits import VALIDATION_TIME

# Portals' documents are a few KB; a larger one (a long comment, a huge string) is parsed each time
# rather than kept, so that the cache's memory stays bounded by size × this.
MAX_CACHED_CHARS = 16_384


class DocumentLRU:
    """Parsed documents and their validation errors, the most recently used `size` of them."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[DocumentNode, list[GraphQLError] | None]] = OrderedDict()
        self._lock = Lock()  # filings render in worker threads; keep the bookkeeping whole

    def get(self, query: str) -> tuple[DocumentNode, list[GraphQLError] | None] | None:
        with self._lock:
            entry = self._entries.get(query)
            if entry is not None:
                self._entries.move_to_end(query)
            return entry

    def put(self, query: str, document: DocumentNode, errors: list[GraphQLError] | None) -> None:
        if self.size <= 0 or len(query) > MAX_CACHED_CHARS:
            return
        with self._lock:
            self._entries[query] = (document, errors)
            self._entries.move_to_end(query)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def document_cache(lru: DocumentLRU) -> type[SchemaExtension]:
    class DocumentCache(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            entry = lru.get(context.query) if context.query else None
            if entry is not None:
                context.graphql_document = entry[0]
            yield
            if entry is None and context.query and context.graphql_document is not None:
                lru.put(context.query, context.graphql_document, None)

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            entry = lru.get(context.query) if context.query else None
            known = entry is not None and entry[1] is not None
            if known:
                context.pre_execution_errors = list(entry[1])  # type: ignore[index,arg-type]
            yield
            errors = context.pre_execution_errors
            if not known and context.query and context.graphql_document is not None and errors is not None:
                if not any((e.extensions or {}).get("reason") == VALIDATION_TIME for e in errors):
                    lru.put(context.query, context.graphql_document, list(errors))

    return DocumentCache
