"""Time the whole-corpus Markdown import (corpus/laws) into a fresh database, then a second run.

    python bench/import_corpus.py [CORPUS]            # fresh SQLite file in a temp folder
    QINGQUAN_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/qq_bench python bench/import_corpus.py
        # also PostgreSQL: that database is DROPPED and recreated

Each engine runs in a child process so that its peak RSS is its own. Prints one line per run
(engine, run, seconds, documents, articles, created/updated/unchanged, peak RSS).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "laws"


async def _recreate_pg(url: str) -> None:
    import asyncpg

    base, name = url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _one(url: str, corpus: Path) -> list[dict[str, object]]:
    from domain import db
    from domain.library.markdown import import_markdown_folder
    from domain.models import LegalArticle, LegalDocument

    if url.startswith("postgres"):
        await _recreate_pg(url)
    await db.migrate(url)
    await db.close()
    await db.init(url)
    rows = []
    try:
        for run in ("first", "second"):
            started = time.perf_counter()
            report = await import_markdown_folder(corpus)
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "engine": db.dialect(),
                    "run": run,
                    "seconds": round(seconds, 2),
                    "files": report.files,
                    "documents": await LegalDocument.all().count(),
                    "articles": await LegalArticle.all().count(),
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "failed": len(report.failures),
                    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                }
            )
    finally:
        await db.close()
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(asyncio.run(_one(sys.argv[2], Path(sys.argv[3]))), ensure_ascii=False))
        return
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CORPUS
    if not corpus.is_dir():
        sys.exit(f"corpus folder not found: {corpus}")
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, corpus {corpus}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite://{Path(tmp) / 'bench.sqlite3'}"]
        if os.environ.get("QINGQUAN_BENCH_PG_URL"):
            urls.append(os.environ["QINGQUAN_BENCH_PG_URL"])
        for url in urls:
            out = subprocess.run(
                [sys.executable, __file__, "--one", url, str(corpus)],
                check=True,
                capture_output=True,
                text=True,
                cwd=REPO,
            ).stdout
            for row in json.loads(out.strip().splitlines()[-1]):
                print(
                    f"{row['engine']:8} {row['run']:6} run: {row['seconds']:6.2f} s  "
                    f"{row['documents']} documents, {row['articles']} articles  "
                    f"(created {row['created']}, updated {row['updated']}, unchanged {row['unchanged']}, "
                    f"failed {row['failed']})  peak RSS {row['peak_rss_mb']} MB"
                )


if __name__ == "__main__":
    main()
