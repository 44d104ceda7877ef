"""电子监察: how long one round of domain.alarms takes with many cases under way (issue 23, item 3).

    .venv/bin/python bench/alarms.py --cases 20000                      # a fresh SQLite file in a temp folder
    .venv/bin/python bench/alarms.py --cases 20000 --database-url postgres://postgres@127.0.0.1:5432/qq_alarms

It migrates an empty database (PostgreSQL: its schema is emptied first), writes one published power
promising 10 working days with a one-step chart of 2 working days, and `--cases` exercises decided over
the 60 days before today, each with its step (half of them done), then times three rounds: the first
(raising the alarms of every case and step past its due day), a second with nothing to change (what the
server does every QINGQUAN_ALARM_INTERVAL seconds), and one a day later (escalations). Prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import random
import sys
import tempfile
import time
from pathlib import Path

from domain import db
from domain.alarm_models import Alarm
from domain.alarms import raise_alarms
from domain.enums import OperationStage, PowerCategory, PowerStatus, UnitKind
from domain.models import FlowChart, FlowStep, OperationRecord, Position, Power, Unit
from domain.workdays import today
from domain.workflow_models import OperationStep

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests' database reset
from tests.conftest import _reset_pg  # noqa: E402


async def _populate(cases: int, on: datetime.date) -> None:
    unit = await Unit.create(code="99000001", name="测试局", kind=UnitKind.DEPARTMENT, region_code="990000")
    post = await Position.create(unit=unit, name="受理岗")
    power = await Power.create(code="99000001XK-0001", name="测试许可", category=PowerCategory.LICENSING, unit=unit,
                               status=PowerStatus.PUBLISHED, time_limit_days=10)  # fmt: skip
    chart = await FlowChart.create(power=power)
    step = await FlowStep.create(chart=chart, name="受理", position=post, time_limit_days=2)
    rng = random.Random(23)
    records = []
    for i in range(cases):
        decided = on - datetime.timedelta(days=rng.randrange(60))
        done = i % 2 == 0
        records.append(OperationRecord(power=power, subject=f"事项{i}", stage=OperationStage.RESULT if done else OperationStage.DECISION,
                                       decided_on=decided, finished_on=decided + datetime.timedelta(days=rng.randrange(20)) if done else None))  # fmt: skip
    await OperationRecord.bulk_create(records, batch_size=1000)
    ids = await OperationRecord.all().order_by("id").values_list("id", "decided_on", "finished_on")
    steps = [OperationStep(operation_id=op, flow_step=step, step_name="受理", time_limit_days=2, handler="张三", started_on=decided,
                           finished_on=finished) for op, decided, finished in ids]  # fmt: skip
    await OperationStep.bulk_create(steps, batch_size=1000)


async def main(cases: int, url: str) -> None:
    if url.startswith("postgres"):
        await _reset_pg(url)  # the tests' own: its schema emptied
    await db.migrate(url)
    await db.close()
    on = today()
    async with db.database(url):
        await _populate(cases, on)
        for label, day in (("first round", on), ("nothing to change", on), ("a day later", on + datetime.timedelta(days=1))):
            started = time.perf_counter()
            done = await raise_alarms(day)
            seconds = time.perf_counter() - started
            print(f"{label:>18}: {seconds:7.2f} s  raised {done.raised}, escalated {done.escalated}, cleared {done.cleared}")
        print(f"{'alarms stored':>18}: {await Alarm.all().count()} ({cases} cases, {cases} steps, {url.split(':')[0]})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite://{Path(tempfile.mkdtemp(prefix='qq-alarms-')) / 'bench.sqlite3'}"
    asyncio.run(main(args.cases, url))
