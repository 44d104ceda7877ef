"""The background embedder's idle pass (every article and power embedded, nothing changed): this checkout's
Embedder against a reference checkout's (default /work/main), interleaved in one run on the same database.

Run it on a database whose tables were never analysed (a fresh copy, autovacuum off) to see the planner's
guess at its worst: `createdb h3_fresh && pg_dump h3_bench | psql h3_fresh`.

    .venv/bin/python bench/embedder_idle.py --database-url postgres://postgres@127.0.0.1:5432/h3_fresh
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.helpers import count_queries  # noqa: E402


def reference_module(checkout: Path) -> Any:
    """The reference's search/semantic.py, loaded beside ours (it imports the same domain and embedding)."""
    spec = importlib.util.spec_from_file_location("reference_semantic", checkout / "search" / "semantic.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def idle_pass(embedder: Any) -> tuple[float, int]:
    with count_queries() as counter:
        started = time.perf_counter()
        report = await embedder.step()
        seconds = time.perf_counter() - started
    assert not (report.embedded or report.reused), "not idle: something was embedded"
    return seconds, counter.count


async def main(args: argparse.Namespace) -> None:
    from domain import db
    from search import semantic

    reference = reference_module(Path(args.reference))
    async with db.database(args.database_url):
        ours, theirs = semantic.Embedder(), reference.Embedder()
        for name, embedder in (("this checkout", ours), ("reference", theirs)):  # the first pass: registers, rechecks
            started = time.perf_counter()
            while (await embedder.step()).embedded:
                pass
            print(f"first pass ({name}): {time.perf_counter() - started:.1f} s")
        rows: dict[str, list[tuple[float, int]]] = {"this checkout": [], "reference": []}
        for _ in range(args.rounds):
            rows["this checkout"].append(await idle_pass(ours))
            rows["reference"].append(await idle_pass(theirs))
        print("| embedder | idle pass (s), each round | statements a pass |")
        print("|---|---|---|")
        for name, values in rows.items():
            print(f"| {name} | {', '.join(f'{s:.4f}' for s, _ in values)} | {', '.join(str(n) for _, n in values)} |")
        ratio = min(s for s, _ in rows["reference"]) / max(min(s for s, _ in rows["this checkout"]), 1e-9)
        print(f"reference / this checkout (best of each): {ratio:.0f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--reference", default="/work/main", help="a checkout whose search/semantic.py is compared")
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
