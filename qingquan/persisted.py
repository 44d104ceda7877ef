"""Persisted queries: Apollo's automatic persisted queries (APQ), and an allow-list mode.

A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` without the query; the server
answers from the documents it knows, or with `PersistedQueryNotFound`, and the client sends the query
once with its hash. With `QINGQUAN_PERSISTED_QUERIES` (an Apollo persisted-query manifest, or a JSON
object of hash → document) the registered documents are known from the start, and with
`QINGQUAN_PERSISTED_QUERIES_ONLY=true` nothing else runs: the allow-list mode of a locked-down portal.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path
from threading import Lock
from typing import Any

NOT_FOUND = "PersistedQueryNotFound"
MAX_LEARNED_CHARS = 16_384  # a larger document is run, not remembered: memory stays bounded


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


def load_manifest(path: str) -> dict[str, str]:
    """Hash → document from an Apollo manifest (`operations: [{id, body}]`) or a plain JSON object."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    pairs = (
        [(op["id"], op["body"]) for op in data["operations"]]
        if isinstance(data, dict) and "operations" in data
        else list(data.items())
    )
    documents = {}
    for digest, body in pairs:
        if sha256(body) != digest:
            raise ValueError(f"{path}: the hash {digest} does not match its document")
        documents[digest] = body
    return documents


class PersistedQueries:
    def __init__(self, registered: dict[str, str], only_registered: bool, max_learned: int = 1000) -> None:
        self.registered = registered
        self.only_registered = only_registered
        self.max_learned = max_learned
        self._learned: OrderedDict[str, str] = OrderedDict()
        self._lock = Lock()

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: the query itself, or the one its persisted hash names."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is not None and self.only_registered and sha256(query) not in self.registered:
                raise PersistedQueryError(
                    "only registered (persisted) documents run on this server", "PERSISTED_QUERY_NOT_ALLOWED", 403
                )
            return query
        if not isinstance(persisted, dict) or persisted.get("version") != 1 or not isinstance(
            persisted.get("sha256Hash"), str
        ):
            raise PersistedQueryError(
                "extensions.persistedQuery must be {version: 1, sha256Hash: string}", "PERSISTED_QUERY_INVALID"
            )
        digest = persisted["sha256Hash"].lower()
        if query is not None:
            if sha256(query) != digest:
                raise PersistedQueryError("provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
            if self.only_registered and digest not in self.registered:
                raise PersistedQueryError(
                    "only registered (persisted) documents run on this server", "PERSISTED_QUERY_NOT_ALLOWED", 403
                )
            self._learn(digest, query)
            return query
        known = self.registered.get(digest) or self._recall(digest)
        if known is None:
            # Apollo clients look for exactly this message, then send the query with its hash
            raise PersistedQueryError(NOT_FOUND, "PERSISTED_QUERY_NOT_FOUND", 200)
        return known

    def _learn(self, digest: str, query: str) -> None:
        if digest in self.registered or self.only_registered or len(query) > MAX_LEARNED_CHARS:
            return
        with self._lock:
            self._learned[digest] = query
            self._learned.move_to_end(digest)
            while len(self._learned) > self.max_learned:
                self._learned.popitem(last=False)

    def _recall(self, digest: str) -> str | None:
        with self._lock:
            query = self._learned.get(digest)
            if query is not None:
                self._learned.move_to_end(digest)
            return query
