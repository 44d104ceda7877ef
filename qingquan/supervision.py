"""电子监察 in the server's background: a round of domain.alarms every QINGQUAN_ALARM_INTERVAL seconds, run
by one process of all the hosts (a lease in the database: qingquan.leader.run_as_database_leader)."""

from __future__ import annotations

import asyncio
import logging

from domain.alarms import raise_alarms
from domain.db_outage import database_unavailable
from domain.workdays import today

log = logging.getLogger("qingquan.alarms")


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
