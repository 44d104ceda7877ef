"""Names by meaning for 对照: the embedding its callers give (the domain imports no search code), the
vectors of names cached per process, and those of a reference catalogue's items kept with them: a
district's list of 1,135 items takes half a minute to embed, so it is embedded once, when imported,
and every host reads the same vectors from the database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: Vectors of names already embedded, by model and name, at most this many (a host derives them).
CACHE_SIZE = 20_000
_cache: dict[tuple[str, str], np.ndarray] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class NameEmbedding:
    """An embedding of short texts into unit vectors, (n, dimensions) float32, and its model's name
    (recorded beside stored vectors: another model's are not comparable)."""

    model: str
    embed: Callable[[list[str]], np.ndarray]


def vectors(embedding: NameEmbedding, names: Sequence[str]) -> np.ndarray:
    """Unit vectors of the names, each embedded once per process."""
    with _lock:
        known = {n: _cache[(embedding.model, n)] for n in set(names) if (embedding.model, n) in _cache}
    missing = sorted(set(names) - known.keys())
    if missing:
        known.update(zip(missing, np.asarray(embedding.embed(missing), dtype=np.float32), strict=True))
        with _lock:
            if len(_cache) + len(missing) > CACHE_SIZE:
                _cache.clear()
            _cache.update({(embedding.model, n): known[n] for n in missing})
    return np.stack([known[n] for n in names])


def stored(model: str, embedding: NameEmbedding, rows: Sequence[bytes | None]) -> np.ndarray | None:
    """The vectors kept with a reference catalogue's items, if all were made by this embedding's model."""
    if model != embedding.model or not rows or any(not row for row in rows):
        return None
    return np.stack([np.frombuffer(row, dtype=np.float32) for row in rows if row])
