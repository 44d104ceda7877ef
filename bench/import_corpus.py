"""Time the whole-corpus Markdown import (corpus/laws) into a fresh database, then a second run.

    python bench/import_corpus.py [CORPUS]            # fresh SQLite file in a temp folder
    QINGQUAN_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/qq_bench python bench/import_corpus.py
        # also PostgreSQL: that database is DROPPED and recreated
    python bench/import_corpus.py --reference /tmp/old-checkout --rounds 3
        # side by side: each round imports with the reference's code, then with this tree's

Each engine runs in a child process so that its peak RSS is its own. Prints one line per run
(code, engine, run, seconds, CPU seconds of the process, documents, articles, created/updated/unchanged,
peak RSS), and the CPU of reading every repeal clause of the library afterwards (`qingquan law-repeals`).
"""

from __future__ import annotations

import argparse
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
#: The code a child runs: this tree's, or a reference checkout's (`--code DIR`, given by the parent).
CODE = Path(sys.argv[sys.argv.index("--code") + 1]) if "--code" in sys.argv else REPO
sys.path.insert(0, str(CODE))
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


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _one(url: str, corpus: Path) -> list[dict[str, object]]:
    from domain import db
    from domain.library.markdown import import_markdown_folder
    from domain.library.repeals import library_repeals
    from domain.models import LegalArticle, LegalDocument

    if url.startswith("postgres"):
        await _recreate_pg(url)
    await db.migrate(url)
    await db.close()
    await db.init(url)
    rows = []
    try:
        for run in ("first", "second"):
            started, cpu = time.perf_counter(), _cpu()
            report = await import_markdown_folder(corpus)
            seconds, cpu = time.perf_counter() - started, _cpu() - cpu
            rows.append(
                {
                    "engine": db.dialect(),
                    "run": run,
                    "seconds": round(seconds, 2),
                    "cpu": round(cpu, 2),
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
        started, cpu = time.perf_counter(), _cpu()
        found = await library_repeals()
        rows.append({"engine": db.dialect(), "run": "law-repeals", "seconds": round(time.perf_counter() - started, 2),
                     "cpu": round(_cpu() - cpu, 2), "repeals": len(found)})  # fmt: skip
    finally:
        await db.close()
    return rows


def _print(code: str, row: dict[str, object]) -> None:
    head = f"{code:9} {row['engine']:8} {row['run']:11} {row['seconds']:6.2f} s, CPU {row['cpu']:6.2f} s"
    if row["run"] == "law-repeals":
        print(f"{head}  {row['repeals']} repeals")
        return
    print(
        f"{head}  {row['documents']} documents, {row['articles']} articles  "
        f"(created {row['created']}, updated {row['updated']}, unchanged {row['unchanged']}, "
        f"failed {row['failed']})  peak RSS {row['peak_rss_mb']} MB"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(json.dumps(asyncio.run(_one(sys.argv[2], Path(sys.argv[3]))), ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--reference", type=Path, help="a checkout of the code to compare with, run before this tree's")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus folder not found: {args.corpus}")
    codes = {"reference": args.reference, "this tree": REPO} if args.reference else {"this tree": REPO}
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, corpus {args.corpus}, "
          f"load {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        urls = [f"sqlite://{Path(tmp) / 'bench.sqlite3'}"]
        if os.environ.get("QINGQUAN_BENCH_PG_URL"):
            urls.append(os.environ["QINGQUAN_BENCH_PG_URL"])
        for _ in range(args.rounds):
            for name, code in codes.items():
                for url in urls:
                    for old in Path(tmp).glob("bench.sqlite3*"):  # a fresh database each time
                        old.unlink()
                    out = subprocess.run(
                        [sys.executable, __file__, "--one", url, str(args.corpus), "--code", str(code)],
                        check=True, capture_output=True, text=True, cwd=code,
                    ).stdout  # fmt: skip
                    for row in json.loads(out.strip().splitlines()[-1]):
                        _print(name, row)
            print(f"# load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
