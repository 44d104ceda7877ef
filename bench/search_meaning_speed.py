"""Speed of the search with meaning beside the words-only path (issue 22, item 4), through GraphQL as the
public, in process (the ASGI app, one process), the response cache off (every request is searched).

    QINGQUAN_DATABASE_URL=sqlite:///tmp/demo.sqlite3 QINGQUAN_SEARCH_INDEX_DIR=/tmp/demo-index \\
        .venv/bin/python bench/search_meaning_speed.py [--words-only] [--rounds 3]

The database holds the demo county with its library (`qingquan seed-demo`), the index is built and the
powers have vectors (`qingquan embed --limit 287`, or the shipped ones). Measured: p50/p95 at one client of
a resident's question to searchPowers (its embedding included), of a keyword query to searchPowers and of
a citation to searchLegalBasis (neither embeds), of a legal question to searchLegalBasis (the development
set's questions and everyday ones: by meaning too when the articles have vectors, `qingquan embed`), the CPU
ms a request at one client; and requests per second at 16 concurrent clients of each. Columns: request | p50 | p95 | CPU ms | req/s at 16 | meaning used or why not.
`--words-only` hides the model (a host without it): the same requests, by words.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_search_meaning import resident_questions  # noqa: E402

POWERS = """query($q: String!) { searchPowers(query: $q, first: 10) { totalCount edges { node { score power { name
  unit { name } } } } facets { categories { category count } } understanding { meaning { used reason } } } }"""
LEGAL = """query($q: String!) { searchLegalBasis(query: $q, first: 10) { totalCount edges { node { article { label }
  document { title } } } understanding { meaning { used reason } } } }"""
DEVSET = REPO / "tests" / "fixtures" / "search_devset.tsv"
KEYWORDS = ["采砂", "林木采伐", "结婚登记", "低保", "取水许可", "税务登记", "宅基地", "行政复议"]
CITATIONS = ["土地管理法第四十四条", "行政许可法第十二条", "民法典第一千零四十七条", "森林法第五十六条"]


async def one(client: httpx.AsyncClient, query: str, text: str) -> tuple[float, dict]:
    start = time.perf_counter()
    body = (await client.post("/graphql", json={"query": query, "variables": {"q": text}})).json()
    elapsed = (time.perf_counter() - start) * 1000
    assert not body.get("errors"), body
    return elapsed, body["data"]


async def latency(client: httpx.AsyncClient, query: str, texts: list[str], rounds: int) -> tuple[list[float], set[str], float]:
    """Wall ms of each request at one client, why meaning was (not) used, and CPU ms a request (every thread
    of the process: what a busy shared host's load does not inflate as much as wall time)."""
    timings, reasons = [], set()
    cpu = time.process_time()
    for _ in range(rounds):
        for text in texts:
            ms, data = await one(client, query, text)
            timings.append(ms)
            meaning = next(iter(data.values()))["understanding"]["meaning"]
            reasons.add("meaning" if meaning["used"] else meaning["reason"])
    return timings, reasons, (time.process_time() - cpu) * 1000 / len(timings)


async def throughput(client: httpx.AsyncClient, query: str, texts: list[str], clients: int, seconds: float) -> float:
    done = 0
    stop = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        nonlocal done
        i = k
        while time.perf_counter() < stop:
            await one(client, query, texts[i % len(texts)])
            done += 1
            i += clients

    start = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(clients)))
    return done / (time.perf_counter() - start)


def legal_questions() -> list[str]:
    """The development set's legal questions as people ask them (its questions and everyday ones)."""
    with DEVSET.open(encoding="utf-8") as rows:
        return [r["query"] for r in csv.DictReader(rows, delimiter="\t") if r["kind"] in ("question", "everyday")]


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(int(len(values) * q), len(values) - 1)]


async def main(args: argparse.Namespace) -> None:
    from domain import db
    from qingquan.app import create_app
    from qingquan.settings import get_settings

    settings = get_settings().model_copy(update={"response_cache_bytes": 0, "search_embedder": False})
    if args.words_only:  # as a host without the model
        settings = settings.model_copy(update={"search_meaning_model": "none"})
    questions = [q for q, _ in resident_questions()]
    legal = legal_questions()
    async with db.database(settings.database_url):
        app = create_app(settings, manage_db=False)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120) as client:
            for text in questions[:3] + KEYWORDS[:2] + CITATIONS[:2]:  # warm up: the segmenter, the vectors
                await one(client, POWERS if text not in CITATIONS else LEGAL, text)
            mode = "words only" if args.words_only else "words + meaning"
            print(f"{mode} ({settings.database_url})")
            for name, query, texts in (
                ("question → searchPowers", POWERS, questions),
                ("keyword → searchPowers", POWERS, KEYWORDS),
                ("citation → searchLegalBasis", LEGAL, CITATIONS),
                ("question → searchLegalBasis", LEGAL, legal),
            ):
                timings, reasons, cpu = await latency(client, query, texts, args.rounds)
                rate = await throughput(client, query, texts, 16, args.seconds)
                print(f"| {name} | {statistics.median(timings):.1f} | {p(timings, 0.95):.1f} | {cpu:.1f} | {rate:.0f} | "
                      f"{', '.join(sorted(reasons))} |")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--words-only", action="store_true", help="without the model: words only")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the queries at one client")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds of 16 concurrent clients per kind")
    asyncio.run(main(parser.parse_args()))
