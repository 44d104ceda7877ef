"""Residents asking which power handles their matter: searchPowers recall@1/5 on the demo county, as the public.

    QINGQUAN_DATABASE_URL=sqlite:///tmp/demo.sqlite3 QINGQUAN_SEARCH_INDEX_DIR=/tmp/demo-index \\
        .venv/bin/python bench/powers_relevance.py [--misses] [--words-only]

The database holds the demo county (`qingquan seed-demo`), the index is built (`qingquan index`) and the
powers' vectors made (`qingquan embed`, or the server's background). Questions: tests/fixtures/
resident_questions.tsv. `--words-only` hides the model (what a host without it answers), for the
side-by-side figures.
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

from tests.test_search_meaning import POWERS_QUERY, resident_questions  # noqa: E402


async def main(args: argparse.Namespace) -> None:
    from domain import db
    from qingquan.app import create_app
    from qingquan.settings import get_settings

    if args.meaning_weight is not None:
        import resolvers.search

        resolvers.search.MEANING_WEIGHT[resolvers.search.IndexName.POWERS] = args.meaning_weight
    settings = get_settings()
    if args.words_only:  # as a host without the model
        settings = settings.model_copy(update={"search_meaning_model": "none"})
    cases = resident_questions()
    ranks: list[int | None] = []
    misses: list[str] = []
    timings: list[float] = []
    used = 0
    async with db.database(settings.database_url):
        app = create_app(settings, manage_db=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=60) as client:
            await client.post("/graphql", json={"query": POWERS_QUERY, "variables": {"q": "采砂要办什么手续"}})
            for question, expected in cases:
                start = time.perf_counter()
                body = (await client.post("/graphql", json={"query": POWERS_QUERY, "variables": {"q": question}})).json()
                timings.append((time.perf_counter() - start) * 1000)
                assert not body.get("errors"), body
                search = body["data"]["searchPowers"]
                used += search["understanding"]["meaning"]["used"]
                names = [e["node"]["power"]["name"] for e in search["edges"]]
                rank = next((i for i, n in enumerate(names, 1) if n in expected), None)
                ranks.append(rank)
                if rank is None or rank > 1:
                    got = "、".join(f"{e['node']['power']['name']}（{e['node']['power']['unit']['name']}）" for e in search["edges"][:3])
                    misses.append(f"{rank or '-':>2} {question} → {expected[0]}   got: {got}")
    n = len(ranks)
    at = {k: sum(1 for r in ranks if r and r <= k) / n for k in (1, 5)}
    mode = "words only" if args.words_only else "words + meaning"
    print(f"{mode}: n={n} recall@1 {at[1]:.2f} recall@5 {at[5]:.2f} (meaning used in {used} of {n})")
    print(f"latency through GraphQL (one client, in process): p50 {statistics.median(timings):.1f} ms, "
          f"p95 {sorted(timings)[int(n * 0.95)]:.1f} ms")
    if args.misses:
        print("\n".join(misses))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="list every question whose answer is not first")
    parser.add_argument("--words-only", action="store_true", help="without the model: words only")
    parser.add_argument("--meaning-weight", type=float, help="try another weight of the ranking by meaning in the fusion")
    asyncio.run(main(parser.parse_args()))
