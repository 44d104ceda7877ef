"""Search benchmark on the whole Markdown corpus: indexing time and memory, query latency.

    python bench/search.py [CORPUS]

Imports the corpus into a fresh SQLite file (a child `qingquan import-laws`), then in this process:
rebuilds the embedded index from the database (`reindex`, timed, peak RSS of this process), times
the relevance test's staff queries at the backend (SearchRequest, in force today, 10 hits, facets)
and through GraphQL (searchLegalBasis over the ASGI app, in process, as a client would ask).
Prints JSON lines; bench/RESULTS.md records a run.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "laws"
RUNS = 30
GRAPHQL = """
query ($q: String!) {
  searchLegalBasis(query: $q, first: 10) {
    totalCount
    edges { node { score snippet titleHighlight article { id label } document { id title } } }
    facets { levels { level count } statuses { status count } documents { document { id title } count } }
  }
}
"""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


async def main(corpus: Path) -> None:
    from domain import db
    from qingquan.app import create_app
    from qingquan.settings import Settings
    from search import backend_for
    from search.filters import in_force_on
    from search.indexer import reindex
    from search.model import IndexName, SearchRequest
    from tests.test_search_relevance import CASES

    workdir = Path(tempfile.mkdtemp(prefix="qq-bench-search-"))
    url = f"sqlite://{workdir / 'corpus.sqlite3'}"
    env = {**os.environ, "QINGQUAN_DATABASE_URL": url, "QINGQUAN_SEARCH_INDEX_DIR": str(workdir / "unused")}
    command = [sys.executable, "-m", "qingquan", "import-laws", str(corpus)]
    await asyncio.to_thread(subprocess.run, command, env=env, check=True, capture_output=True)
    settings = Settings(database_url=url, search_index_dir=str(workdir / "index"), search_indexer=False)
    await db.init(url)
    try:
        backend = backend_for(settings)
        rss_before = _rss_mb()
        started = time.perf_counter()
        counts = await reindex(backend)
        seconds = time.perf_counter() - started
        size = sum(f.stat().st_size for f in (workdir / "index").rglob("*") if f.is_file())
        print(json.dumps({
            "step": "reindex", "seconds": round(seconds, 2), "counts": {k.value: v for k, v in counts.items()},
            "peak_rss_mb": round(_rss_mb(), 1), "rss_before_mb": round(rss_before, 1),
            "index_mb": round(size / 2**20, 1), "python": platform.python_version(),
        }, ensure_ascii=False))  # fmt: skip

        filters = in_force_on(date.today())
        facets = ("level", "status", "document_id")
        samples: list[float] = []
        for _ in range(RUNS):
            for query, _law, _label in CASES:
                t = time.perf_counter()
                await backend.search(
                    IndexName.ARTICLES, SearchRequest(query=query, filters=filters, facets=facets, limit=10)
                )
                samples.append(time.perf_counter() - t)
        print(json.dumps({"step": "backend", "queries": len(samples), **_percentiles(samples)}))

        import httpx

        app = create_app(settings, manage_db=False)
        samples = []
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client:
            for _ in range(RUNS // 3):
                for query, _law, _label in CASES:
                    t = time.perf_counter()
                    response = await client.post(
                        "/graphql", json={"query": GRAPHQL, "variables": {"q": query}}
                    )
                    samples.append(time.perf_counter() - t)
                    assert response.status_code == 200 and "errors" not in response.json(), response.text
        print(json.dumps({"step": "graphql", "queries": len(samples), **_percentiles(samples)}))
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS))
