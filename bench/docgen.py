"""Time and peak memory of the Word filings: a unit of 300 powers, and the whole demo county.

Usage: PYTHONPATH=. QINGQUAN_DATABASE_URL=sqlite:///tmp/bench-docgen.sqlite3 python bench/docgen.py
(a fresh database: seeds the demo county, then adds a unit whose 300 powers are copies of the
demo's, with their bases, flow charts and records). Each form is generated as ADMIN once for the
time, then again under tracemalloc for the peak of Python allocations.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import sys
import time
import tracemalloc
from pathlib import Path

# This script is named like the package it measures: keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from docgen.filing import build_filing  # noqa: E402
from docgen.forms import FilingForm  # noqa: E402
from domain import db  # noqa: E402
from domain import models as m  # noqa: E402
from domain.access import CLI  # noqa: E402
from domain.enums import PowerStatus, UnitKind  # noqa: E402
from qingquan.settings import get_settings  # noqa: E402

BIG_UNIT = "36072399"


async def big_unit(size: int) -> m.Unit:
    """A unit of `size` published powers copied from the demo county (bases, charts, records too)."""
    unit = await m.Unit.get_or_none(code=BIG_UNIT)
    if unit is not None:
        return unit
    # a root of its own, so that the county's numbers below stay the demo county's
    unit = await m.Unit.create(code=BIG_UNIT, name="大余县基准测试局", kind=UnitKind.DEPARTMENT, region_code="360723")
    sources = await m.Power.filter(confidential=False).order_by("id")
    skip = {"id", "code", "unit_id", "status", "created_at", "updated_at"}
    for serial, source in zip(range(1, size + 1), itertools.cycle(sources), strict=False):
        values = {k: v for k, v in source._meta.fields_map.items() if k not in skip and k != "unit" and not v.reference}
        values = {k: getattr(source, k) for k in values if k in source._meta.db_fields}
        power = await m.Power.create(**values, code=f"{BIG_UNIT}{source.code[8:10]}-{serial:04d}", unit=unit, status=PowerStatus.PUBLISHED)
        await m.PowerBasis.bulk_create(
            [m.PowerBasis(power=power, article_id=b.article_id, ordinal=b.ordinal, note=b.note) for b in await m.PowerBasis.filter(power_id=source.id)]
        )
        chart = await m.FlowChart.get_or_none(power_id=source.id)
        if chart is not None:
            copy = await m.FlowChart.create(power=power, title=chart.title, complaint_channel=chart.complaint_channel, notes=chart.notes)
            ids: dict[int, int] = {}
            for step in await m.FlowStep.filter(chart_id=chart.id):
                fields = {k: getattr(step, k) for k in ("ordinal", "name", "kind", "condition", "position_id", "time_limit", "time_limit_days", "supervision", "complaint_channel", "disclosure_note")}
                ids[step.id] = (await m.FlowStep.create(chart=copy, **fields)).id
            await m.FlowEdge.bulk_create(
                [m.FlowEdge(chart=copy, source_id=ids[e.source_id], target_id=ids[e.target_id], label=e.label) for e in await m.FlowEdge.filter(chart_id=chart.id)]
            )
        records = await m.OperationRecord.filter(power_id=source.id)
        fields = ("network", "subject", "applicant", "stage", "scope", "handler", "decision", "decided_on", "execution", "executed_on", "result", "finished_on")
        await m.OperationRecord.bulk_create([m.OperationRecord(power=power, **{k: getattr(r, k) for k in fields}) for r in records])
    return unit


def _status(field: str) -> float:
    """VmRSS / VmHWM of this process, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM back to the current RSS


async def measure(unit: m.Unit, form: FilingForm) -> tuple[float, float, float, int, int]:
    """(seconds, RSS growth MiB, Python heap peak MiB, rows, bytes) of one filing.

    RSS counts lxml's C allocations too (tracemalloc does not see them): the high-water mark is
    reset through /proc/self/clear_refs before the run.
    """
    _reset_peak()
    before = _status("VmRSS")
    start = time.perf_counter()
    filing = await build_filing(CLI, unit.id, form)
    seconds = time.perf_counter() - start
    rss = _status("VmHWM") - before
    tracemalloc.start()
    await build_filing(CLI, unit.id, form)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, rss, peak, filing.rows, len(filing.content)


async def main(size: int) -> None:
    settings = get_settings()
    async with db.database(settings.database_url):
        if not await m.Power.exists():
            from domain.demo.seed import seed_demo

            await seed_demo()
        start = time.perf_counter()
        unit = await big_unit(size)
        print(f"database: {settings.database_url}; unit of {size} powers ready in {time.perf_counter() - start:.1f} s")
        county = await m.Unit.get(code="36072300")
        for label, target in ((f"unit of {size} powers", unit), ("whole demo county (root unit)", county)):
            print(f"\n{label}")
            for form in FilingForm:
                seconds, rss, peak, rows, size_bytes = await measure(target, form)
                print(f"  {form.value:18s} {rows:4d} rows  {seconds:6.2f} s  RSS +{rss:6.1f} MiB  heap peak {peak:6.1f} MiB  {size_bytes / 1024:7.0f} KiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--powers", type=int, default=300)
    asyncio.run(main(parser.parse_args().powers))
