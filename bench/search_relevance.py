"""Relevance of searchLegalBasis on the whole corpus: recall@1/5/10 and MRR per kind of query.

    QINGQUAN_DATABASE_URL=sqlite:///tmp/corpus.sqlite3 QINGQUAN_SEARCH_INDEX_DIR=/tmp/corpus-index \\
        .venv/bin/python bench/search_relevance.py [--misses] [--kind question] [--rerank W]

The database must hold the corpus (`qingquan import-laws ../shared/corpus/laws`) and the index be built
(`qingquan index`); questions are read by meaning as well once the articles have vectors (`qingquan embed`:
about a minute with the default, static model), by words only with QINGQUAN_SEARCH_MEANING_MODEL=none. Queries: tests/fixtures/search_devset.tsv (questions, everyday words, loosely named
laws, citations; each with one verified answer) and the 31 keyword queries of tests/test_search_relevance.py;
`--devset tests/fixtures/search_fresh.tsv`: the 30 questions written for issue 22's second round (h4, session 12)
after the changes it measured were chosen (tuned on since session 13: the thesaurus has their misses' words);
`--devset tests/fixtures/search_fresh2.tsv`: 30 more written in session 13 (h3) before any search of them, the blind set.
Each query goes through GraphQL (the ASGI app, no token), as a portal would send it. The hard kinds (questions,
everyday words, loosely named laws) are also reported in two halves by their line in the set: odd lines to tune
on, even lines held out.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_search_relevance import DEVSET_QUERY as QUERY  # noqa: E402
from tests.test_search_relevance import Case, devset_cases, rank_of, recall  # noqa: E402


def report(found: dict[str, list[int | None]]) -> str:
    lines = ["| kind | n | recall@1 | recall@5 | recall@10 | MRR |", "| --- | --- | --- | --- | --- | --- |"]
    for kind, ranks in sorted(found.items(), key=lambda kv: kv[0].startswith("hard")):
        n = len(ranks)
        mrr = sum(1 / r for r in ranks if r) / n
        at = " | ".join(f"{recall(ranks, k):.2f}" for k in (1, 5, 10))
        lines.append(f"| {kind} | {n} | {at} | {mrr:.2f} |")
    return "\n".join(lines)


HARD = ("question", "everyday", "loose_law")
#: CPU ms of each hard query's request (the process's, all its threads)
cpu_ms: list[float] = []


async def evaluate(client: httpx.AsyncClient, selected: list[tuple[int, Case]]) -> tuple[dict[str, list[int | None]], list[str], list[float]]:
    found: dict[str, list[int | None]] = {}
    misses: list[str] = []
    timings: list[float] = []
    cpu_ms.clear()
    for line, case in selected:
        start, cpu = time.perf_counter(), time.process_time()
        body = (await client.post("/graphql", json={"query": QUERY, "variables": {"q": case.query}})).json()
        timings.append((time.perf_counter() - start) * 1000)
        if case.kind in HARD:
            cpu_ms.append((time.process_time() - cpu) * 1000)
        assert not body.get("errors"), body
        nodes = [e["node"] for e in body["data"]["searchLegalBasis"]["edges"]]
        r = rank_of(case, nodes)
        found.setdefault(case.kind, []).append(r)
        if case.kind in HARD:  # the hard kinds in two halves by the line of the set (odd: tuned on, even: held out)
            found.setdefault(f"hard, {'odd' if line % 2 else 'even'} lines", []).append(r)
        if r is None or r > 1:
            got = ", ".join(f"{n['document']['title'].removeprefix('中华人民共和国')}{n['article']['label']}" for n in nodes[:3])
            misses.append(f"{case.kind:9} {r or '-':>2} {case.query} → {case.law.removeprefix('中华人民共和国')}{case.article}   got: {got}")
    return found, misses, timings


async def main(args: argparse.Namespace) -> None:
    from domain import db
    from qingquan.app import create_app
    from qingquan.settings import get_settings

    if args.meaning_weight is not None:
        import resolvers.search

        resolvers.search.MEANING_WEIGHT[resolvers.search.IndexName.ARTICLES] = args.meaning_weight
    if args.rerank is not None:
        import resolvers.search

        if args.rerank < 0:  # fuse by rank instead
            resolvers.search.RERANK.pop(resolvers.search.IndexName.ARTICLES, None)
        else:
            resolvers.search.RERANK[resolvers.search.IndexName.ARTICLES] = args.rerank
    settings = get_settings()
    cases = devset_cases() if args.devset is None else devset_cases(args.devset, keywords=False)
    selected = [(line, c) for line, c in enumerate(cases, 2) if not args.kind or c.kind == args.kind]
    async with db.database(settings.database_url):
        app = create_app(settings, manage_db=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60) as client:
            await client.post("/graphql", json={"query": QUERY, "variables": {"q": "城管能不能扣车"}})  # warm up
            found, misses, timings = await evaluate(client, selected)
    print(report(found))
    hard = [r for k, ranks in found.items() if k in HARD for r in ranks]
    if hard:
        print(f"\nhard kinds together: recall@1 {recall(hard, 1):.2f}, recall@5 {recall(hard, 5):.2f} "
              f"({sum(1 for r in hard if r and r <= 5)} of {len(hard)})")
        with_citations = hard + found.get("citation", [])
        print(f"with the citations (as reported before 2026-12-07 h5): recall@5 {recall(with_citations, 5):.2f} "
              f"(n={len(with_citations)})")
    print(f"latency through GraphQL (one client, in process): p50 {statistics.median(timings):.1f} ms, "
          f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms")
    if cpu_ms:
        print(f"CPU of a hard query's request: median {statistics.median(cpu_ms):.2f} ms, mean {statistics.mean(cpu_ms):.2f} ms")
    if args.misses:
        print("\n" + "\n".join(misses))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list every query whose answer is not first")
    parser.add_argument("--kind", help="only this kind")
    parser.add_argument("--devset", type=Path, help="another set of queries in the development set's format "
                        "(tests/fixtures/search_fresh2.tsv: questions written after the tuning, never tuned on)")
    parser.add_argument("--meaning-weight", type=float, help="try another weight of the ranking by meaning in the fusion")
    parser.add_argument("--rerank", type=float, help="another weight of the cosine in reordering the words' hits "
                        "(resolvers.search.RERANK); negative: fuse by reciprocal rank as before")
    asyncio.run(main(parser.parse_args()))
