"""The shared response cache of public queries, and HTTP validators (ETag) for every GET query.

A public answer depends on the document, its variables and operation name, the day (what is in force
today, what is overdue) and the data: the key holds all of them, the data as the database's data
version (domain/data_version.py), which every committed write changes for every process at once. So a
write is visible to the very next request, and an entry is never served after anything changed. Only
requests without a token are cached: a token's answer is the token holder's.

When the database cannot be reached, the data version cannot be read: then the last answer cached for
the rest of the key (the same document, variables, day and media type) is served *stale*, as a CDN
would serve a stale copy while its origin is down, with `Age` (seconds since it was last known current:
stored or served fresh) and `Warning: 110 - "Response is Stale"` (RFC 7234). It is the answer a client
would have had at the moment the database went away; a question never asked before gets the 503.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

#: The key without the data version: the day, the document, its variables, the operation, the media type.
Unversioned = tuple[str, str, bytes, str | None, str]
#: (the data version, *Unversioned)
CacheKey = tuple[str, str, str, bytes, str | None, str]


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    media_type: str
    etag: str


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether a conditional request's `If-None-Match` already names `etag`."""
    if not if_none_match:
        return False
    # the weak comparison If-None-Match asks for (RFC 9110, 13.1.2): a compressed answer's ETag is the weak
    # form of the plain one's (qingquan/client_http.py), and either names the same content
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


class ResponseCache:
    """Least recently used responses, at most `max_bytes` of bodies in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = self.misses = 0
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()
        #: per unversioned key, the newest key stored and when its answer was last known current (monotonic)
        self._current: dict[Unversioned, tuple[CacheKey, float]] = {}
        self._lock = Lock()

    def get(self, key: CacheKey) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self.hits += 1
            self._entries.move_to_end(key)
            self._current[key[1:]] = (key, time.monotonic())
            return entry

    def stale(self, unversioned: Unversioned) -> tuple[CachedResponse, int] | None:
        """The newest answer still cached for `unversioned` and its age in seconds, or None."""
        with self._lock:
            key, confirmed = self._current.get(unversioned, (None, 0.0))
            entry = self._entries.get(key) if key is not None else None
            return None if entry is None else (entry, int(time.monotonic() - confirmed))

    def put(self, key: CacheKey, body: bytes, media_type: str) -> CachedResponse:
        entry = CachedResponse(body, media_type, etag_of(body))
        if len(body) * 8 > self.max_bytes:  # one answer may not take over the cache
            return entry
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._entries[key] = entry
            self._current[key[1:]] = (key, time.monotonic())
            self.size += len(body)
            while self.size > self.max_bytes and self._entries:
                gone, evicted = self._entries.popitem(last=False)
                self.size -= len(evicted.body)
                if self._current.get(gone[1:], (None,))[0] == gone:
                    del self._current[gone[1:]]
        return entry
