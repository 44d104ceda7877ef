"""一表 in again: how long re-importing a unit's exported catalogue takes (issue 26, item 5).

    .venv/bin/python bench/catalog_import.py --powers 2000                  # a fresh SQLite file in a temp folder
    .venv/bin/python bench/catalog_import.py --powers 2000 --database-url postgres://postgres@127.0.0.1:5432/h3_bench
    PYTHONPATH=/path/to/reference/checkout .venv/bin/python bench/catalog_import.py --powers 2000   # the reference

It migrates an empty database (PostgreSQL: its schema is emptied first), writes one unit with `--powers`
DRAFT powers each citing an article of one law (the articles shared by two powers each, names alike in
pairs, so possible duplicates have candidates), exports the catalogue as xlsx, and times dry runs of
importing it back: the sheet unchanged (every row MATCHED; today every row is also compared field by
field), the sheet with every name changed (every row CHANGED; a reference that reports no changes calls
them MATCHED), and — where the code has it — the same with the changes applied (every draft edited, then
rolled back), and every row new (into a second unit: every row checked for possible duplicates).
Prints which code ran (the `domain` package's folder) and the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import io
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import domain
from domain import db
from domain.access import CLI
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.catalog.importer import import_into_unit
from domain.enums import LegalLevel, LegalSource, LegalStatus, PowerCategory, PowerStatus, UnitKind
from domain.models import LegalArticle, LegalDocument, LegalWork, Power, PowerBasis, Unit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' database reset
from tests.conftest import _reset_pg  # noqa: E402


async def _populate(powers: int) -> Unit:
    unit = await Unit.create(code="99000001", name="测试局", kind=UnitKind.DEPARTMENT, region_code="990000")
    await Unit.create(code="99000002", name="另一测试局", kind=UnitKind.DEPARTMENT, region_code="990000")
    work = await LegalWork.create(key="测试管理法", title="中华人民共和国测试管理法")
    law = await LegalDocument.create(work=work, title="中华人民共和国测试管理法", level=LegalLevel.LAW, status=LegalStatus.IN_FORCE,
                                    source=LegalSource.UPLOAD, source_ref="bench", content_hash="0" * 64)
    articles = [LegalArticle(document=law, number=n, label=f"第{n}条", ordinal=n, text=f"第{n}条的内容。")
                for n in range(1, powers // 2 + 2)]  # fmt: skip
    await LegalArticle.bulk_create(articles, batch_size=1000)
    by_number = {a.number: a.id for a in await LegalArticle.filter(document=law)}
    await Power.bulk_create([
        Power(code=f"99000001CF-{i + 1:04d}", name=f"对违反测试管理规定第{i // 2 + 1}项{'情形' if i % 2 else '行为'}的处罚",
              category=PowerCategory.PENALTY, unit=unit, status=PowerStatus.DRAFT, time_limit="20个工作日", time_limit_days=20)
        for i in range(powers)
    ], batch_size=1000)  # fmt: skip
    ids = await Power.filter(unit=unit).order_by("id").values_list("id", flat=True)
    await PowerBasis.bulk_create([PowerBasis(power_id=pid, article_id=by_number[i // 2 + 1], ordinal=1)
                                  for i, pid in enumerate(ids)], batch_size=1000)  # fmt: skip
    return unit


def _renamed(content: bytes) -> bytes:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    for row in book.worksheets[0].iter_rows(min_row=3):
        row[2].value = f"{row[2].value}（修订）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _time(label: str, **kwargs: object) -> None:
    started = time.perf_counter()
    result = await import_into_unit(CLI, dry_run=True, **kwargs)  # type: ignore[arg-type]
    fates: dict[str, int] = {}
    for row in result.rows:
        fates[row.fate.value] = fates.get(row.fate.value, 0) + 1
    print(f"{label:<34} {time.perf_counter() - started:6.2f} s  {fates}")


async def main(powers: int, url: str) -> None:
    if url.startswith("postgres"):
        await _reset_pg(url)  # the tests' own: its schema emptied
    await db.migrate(url)
    await db.close()
    await db.init(url)
    try:
        unit = await _populate(powers)
        content = write(await catalog_export(CLI, unit, generated_at=datetime.now().astimezone()), ExportFormat.XLSX)
        renamed = _renamed(content)
        print(f"code: {Path(domain.__file__).parent}; {powers} powers; sheet {len(content):,} bytes; {url.split('?')[0]}")
        await _time("unchanged (all MATCHED)", unit_code=unit.code, filename="c.xlsx", data=content)
        await _time("every name changed, reported", unit_code=unit.code, filename="c.xlsx", data=renamed)
        if "apply_changes" in inspect.signature(import_into_unit).parameters:
            await _time("every name changed, applied", unit_code=unit.code, filename="c.xlsx", data=renamed, apply_changes=True)
        await _time("every row new (another unit)", unit_code="99000002", filename="c.xlsx", data=content)
    finally:
        await db.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--powers", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="qingquan-bench-catalog-")
    asyncio.run(main(args.powers, args.database_url or f"sqlite://{folder}/bench.sqlite3"))
