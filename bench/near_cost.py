"""Cost of widening a question's words to the statutes' nearest (search/nearby.py, issue 22, session 13, h3):
`understand` of every question of the development and fresh sets with the widening off and on, in
interleaved rounds (the neighbours' cache emptied before each "cold" round), CPU time per question, BLAS on one thread as in the server.

    .venv/bin/python bench/near_cost.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import threadpoolctl

    from search import nearby, understand

    threadpoolctl.threadpool_limits(1)  # as the server runs it (search.semantic: one BLAS thread)
    from tests.test_search_relevance import devset_cases

    questions = [c.query for path in ("search_devset.tsv", "search_fresh.tsv")
                 for c in devset_cases(REPO / "tests" / "fixtures" / path, keywords=False) if c.kind != "citation"]
    vocab = understand.Vocabulary(thesaurus=understand.curated_thesaurus(), stop=understand.stopwords())
    understand.preload(vocab)
    start = time.process_time()
    nearby.Neighbours()  # read once more, to time it (preload read it already)
    table = nearby.neighbours()
    print(f"the table read: {(time.process_time() - start) * 1000:.0f} ms CPU, {len(table.targets)} statute words")
    k = nearby.NEAREST
    per: dict[str, list[float]] = {"off": [], "on, cold": [], "on, warm": []}
    for _ in range(args.rounds):
        for mode in per:
            nearby.NEAREST = 0 if mode == "off" else k
            if mode == "on, cold":
                table.forget()
            for q in questions:
                t = time.process_time()
                understand.understand(q, vocab)
                per[mode].append((time.process_time() - t) * 1000)
    nearby.NEAREST = k
    for mode, ms in per.items():
        ms.sort()
        print(f"{mode:9} n={len(ms)} median {statistics.median(ms):.3f} ms, p95 {ms[int(len(ms) * 0.95)]:.3f} ms, max {ms[-1]:.3f} ms")
    words = [w for q in questions for t in understand.understand(q, vocab).terms for w in t.near]
    print(f"{len(questions)} questions, {len(words)} words added")


if __name__ == "__main__":
    main()
