"""The statutes' own words (issue 22, session 13, h3): which words of the static model's table
(search/static_vectors.npz) the laws use, and how often, for the expansion of a question's words by meaning
(search/nearby.py: an everyday word is widened to its nearest words *of this list*).

    .venv/bin/python bench/statute_words.py [--corpus ../shared/corpus/laws] [--min-count 5] > search/statute_words.tsv

Each Markdown file of the corpus is cut by jieba (as bench/distill_static.py cuts it); a word of the table of
two characters or more that occurs at least --min-count times is written with its count, most frequent first.
Deterministic for a given corpus and table.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "laws")
    parser.add_argument("--min-count", type=int, default=5)
    args = parser.parse_args()
    import jieba

    from search.static import StaticModel

    jieba.setLogLevel(logging.WARNING)
    table = set(StaticModel.load().words)
    counts: Counter[str] = Counter()
    for path in sorted(args.corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="ignore")
        counts.update(w for w in jieba.lcut(text) if w in table and HAN.match(w))
    print("# the statutes' words of the static model's table, and their count in the corpus (bench/statute_words.py)")
    for word, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n >= args.min_count:
            print(f"{word}\t{n}")


if __name__ == "__main__":
    main()
