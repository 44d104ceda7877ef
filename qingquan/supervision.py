"""The server's rounds by the county's day, each run by one process of all the hosts (a lease in the
database: qingquan.leader.run_as_database_leader): 电子监察's alarms every QINGQUAN_ALARM_INTERVAL seconds,
and the laws stored as 尚未生效 that come into force on that day, then the repeals of laws whose repealer
comes into force (「本法自…起施行。《X》同时废止」)."""

from __future__ import annotations

import asyncio
import datetime
import logging

from domain import workdays
from domain.alarms import raise_alarms
from domain.db_outage import database_unavailable
from domain.library.commencement import file_due_commencements
from domain.library.repeals import Repeal, file_due_repeals
from domain.tokens import COUNTY_TZ
from domain.workdays import today

log = logging.getLogger("qingquan.alarms")
library_log = logging.getLogger("qingquan.library")


async def alarms_forever(every: float) -> None:
    """Raise, escalate and clear alarms as of the county's today, round after round; a failed round
    (the database restarting) is logged and the next one tries again."""
    while True:
        try:
            done = await raise_alarms(today())
            if done.changed:
                log.info("电子监察: %d raised, %d escalated, %d cleared", done.raised, done.escalated, done.cleared)
        except Exception as exc:
            if database_unavailable(exc):
                log.warning("电子监察: the database is unavailable; the next round in %s s: %s", every, exc)
            else:
                log.exception("电子监察: the round failed; the next one in %s s", every)
        await asyncio.sleep(every)


def _until_tomorrow(now: datetime.datetime | None = None) -> float:
    """Seconds until the county's next day begins (Asia/Shanghai, as workdays.today)."""
    now = now or datetime.datetime.now(COUNTY_TZ)
    tomorrow = datetime.datetime.combine(now.astimezone(COUNTY_TZ).date(), datetime.time(), COUNTY_TZ) + datetime.timedelta(days=1)
    return (tomorrow - now).total_seconds()


async def repeals_forever(every: float) -> None:
    """File as in force the documents stored 尚未生效 whose day has come (with the repeals they declare), then
    the repeals that are due as of the county's today (the effects of `qingquan law-repeals --apply`: status,
    change feed, change notices, audit), then again after `every` seconds or when the next day begins,
    whichever comes first; a round with nothing due reads the clauses and writes nothing."""
    while True:
        try:
            day = workdays.today()  # looked up here: a test moves this clock alone
            filed: list[Repeal] = []
            for document, repeals in await file_due_commencements(day):
                library_log.info("filed 《%s》 as in force from %s", document.title, document.effective_date)
                filed += repeals
            filed += await file_due_repeals(day)
            for r in filed:
                library_log.info("filed 《%s》 as repealed on %s by 《%s》", r.repealed.title, r.on, r.repealer.title)
        except Exception as exc:
            if database_unavailable(exc):
                library_log.warning("law repeals: the database is unavailable; the next round in %s s: %s", every, exc)
            else:
                library_log.exception("law repeals: the round failed; the next one in %s s", every)
        await asyncio.sleep(min(every, _until_tomorrow() + 1))
