"""A question's everyday words widened to the statutes' nearest words by meaning (issue 22, session 13).

People ask in words the laws do not use (医药费 where the statute says 医疗费). The thesaurus answers the
words someone wrote an entry for; this answers the others: a word of the question that the thesaurus does not
cover and that the statutes use seldom (fewer than RARE times in the corpus) is widened to its NEAREST nearest
words by the static model's table (search/static.py: one e5 vector per word) among the words the statutes use
(search/statute_words.tsv, bench/statute_words.py), those at a cosine of at least MIN_COSINE. They join the
query as weaker alternatives of the word (search.embedded: NEAR_WEIGHT), so that the words' search reaches
articles that share no word with the question. Query side only: the index is not changed.

The table is read once at start-up (understand.preload: 15,089 words × 384, 23 MB, a quarter of a second);
a question's new words' neighbours are a rough product over the first HEAD dimensions shortlisting SHORTLIST
words, then the exact cosines of those (about 0.2 ms a word on this machine), kept for the KEPT words last asked.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from importlib import resources

import numpy as np

#: neighbours per word, their least cosine, and the corpus count under which a word is widened
NEAREST = int(os.environ.get("QINGQUAN_SEARCH_NEAR_K", "5"))
MIN_COSINE = float(os.environ.get("QINGQUAN_SEARCH_NEAR_COSINE", "0.55"))
RARE = int(os.environ.get("QINGQUAN_SEARCH_NEAR_RARE", "20"))
#: dimensions of the rough product that shortlists, and how many it keeps for the exact one (the same
#: neighbours as the exact product over every word for all 43 words widened in the dev and fresh sets)
HEAD = 96
SHORTLIST = 200
#: the words whose neighbours are kept (the most recently asked)
KEPT = 4096
_lock = threading.Lock()


class Neighbours:
    def __init__(self) -> None:
        from search.embedding import static_model

        model = static_model()  # the one the search by meaning holds (not a second copy of the table)
        if model is None:
            raise FileNotFoundError("search/static_vectors.npz: the static model's table is missing or unreadable")
        counts: dict[str, int] = {}
        for line in resources.files("search").joinpath("statute_words.tsv").read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                word, _, n = line.partition("\t")
                counts[word] = int(n)
        self.counts = counts
        self.model = model
        self.targets = [w for w in counts if w in model.index]
        rows = model.vectors[[model.index[w] for w in self.targets]]
        self.matrix = np.ascontiguousarray(rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12))
        # the table's dimensions are PCA's, the largest first: the first HEAD of them shortlist, all of them rank
        self.head = np.ascontiguousarray(self.matrix[:, :HEAD])

        self._known: OrderedDict[str, tuple[str, ...]] = OrderedDict()  # the last KEPT words' neighbours
        self._guard = threading.Lock()

    def of(self, words: list[str]) -> dict[str, tuple[str, ...]]:
        """The statutes' nearest words to each of `words` (none for a word the statutes use often, or without
        a vector): the words not seen lately in one product with the table (read once whatever their number)."""
        out: dict[str, tuple[str, ...]] = {}
        with self._guard:
            for word in words:
                if word in self._known:
                    self._known.move_to_end(word)
                    out[word] = self._known[word]
        todo = [w for w in dict.fromkeys(words) if w not in out]
        asked = [w for w in todo if self.counts.get(w, 0) < RARE and len(w) >= 2]
        out.update(dict.fromkeys(todo, ()))
        if asked:
            vectors = self.model.embed(asked)  # a word the table lacks: the mean of its pieces (医药费: 医药 + 费)
            rough = self.head @ vectors[:, :HEAD].T  # (statute words, asked)
            for k, word in enumerate(asked):
                if not vectors[k].any():
                    continue
                short = np.argpartition(-rough[:, k], SHORTLIST)[:SHORTLIST]
                exact = self.matrix[short] @ vectors[k]
                order = np.argsort(-exact, kind="stable")[: NEAREST + 1]
                found = (self.targets[short[i]] for i in order if exact[i] >= MIN_COSINE)
                out[word] = tuple(w for w in found if w != word)[:NEAREST]
        with self._guard:
            for word in todo:
                self._known[word] = out[word]
            while len(self._known) > KEPT:
                self._known.popitem(last=False)
        return out

    def forget(self) -> None:
        with self._guard:
            self._known.clear()


_neighbours: Neighbours | None = None


def neighbours() -> Neighbours:
    global _neighbours
    with _lock:
        if _neighbours is None:
            _neighbours = Neighbours()
        return _neighbours


def near(words: list[str]) -> dict[str, tuple[str, ...]]:
    """Each word's statute neighbours (none when NEAREST is 0: QINGQUAN_SEARCH_NEAR_K=0 turns the widening off)."""
    if not _usable():  # off, or no table: the question is searched by its own words, as before
        return dict.fromkeys(words, ())
    return neighbours().of(words)


def warm() -> None:
    """Read the statutes' words and their vectors now (understand.preload, at start-up in a thread), not at
    the first question; nothing when the widening is off or the table is missing."""
    if _usable():
        neighbours()


def _usable() -> bool:
    from search.embedding import static_model

    return NEAREST > 0 and static_model() is not None
