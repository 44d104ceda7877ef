"""Write search/demo_vectors.npz: e5's vectors of the demo county's powers, shipped so that a quick start
with QINGQUAN_SEARCH_MEANING_MODEL=e5 (`qingquan seed-demo && qingquan serve`) searches the demo's powers by
meaning at once (e5 takes 0.2–0.5 s of CPU a power text). The default, static model needs none: it embeds the
287 powers in milliseconds.

    export QINGQUAN_DATABASE_URL=sqlite:///tmp/demo.sqlite3 QINGQUAN_SEARCH_MEANING_MODEL=e5
    .venv/bin/qingquan seed-demo
    .venv/bin/qingquan embed --limit 287   # the powers
    .venv/bin/python bench/ship_vectors.py

The file maps text hashes (search.semantic.text_hash: the model's name and the text) to int8 vectors; a
power whose text changed simply has no shipped vector and is embedded as any other.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


async def main() -> None:
    from domain import db
    from domain.search_models import Embedding
    from qingquan.settings import get_settings
    from search import embedding, semantic

    async with db.database(get_settings().database_url, run_migrations=False):
        rows = await Embedding.filter(kind=semantic.POWER, model=embedding.MODEL).order_by("text_hash").values(
            "text_hash", "vector"
        )
        texts = await semantic.power_texts(
            await Embedding.filter(kind=semantic.POWER, model=embedding.MODEL).values_list("entity_id", flat=True)
        )
    current = {semantic.text_hash(t) for t in texts.values()}
    rows = [r for r in rows if r["text_hash"] in current]
    unique = {r["text_hash"]: bytes(r["vector"]) for r in rows}
    hashes = np.array(sorted(unique), dtype="U32")
    vectors = np.frombuffer(b"".join(unique[h] for h in hashes), dtype=np.int8).reshape(len(hashes), embedding.DIM)
    target = REPO / "search" / "demo_vectors.npz"
    np.savez_compressed(target, hashes=hashes, vectors=vectors)
    print(f"{len(hashes)} vectors ({embedding.MODEL}) → {target.relative_to(REPO)} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    asyncio.run(main())
