"""`qingquan alarms raise [--today DATE]`: one round of 电子监察 (the server runs one every QINGQUAN_ALARM_INTERVAL
seconds): alarms raised, escalated and cleared as of the county's today, or of the day given."""

from __future__ import annotations

import datetime

import typer

from domain.alarms import AlarmRound, raise_alarms
from domain.workdays import today as county_today
from qingquan.commands.common import run_with_db

alarms_app = typer.Typer(help="电子监察: alarms on steps and cases at and past their due day", no_args_is_help=True)


@alarms_app.command("raise")
def raise_now(
    today: datetime.datetime | None = typer.Option(None, "--today", formats=["%Y-%m-%d"], help="the county's day to judge by"),
) -> None:
    """Raise, escalate and clear alarms once (their case.alarm webhook events are queued with them)."""

    async def work() -> AlarmRound:
        return await raise_alarms(today.date() if today else county_today())

    done = run_with_db(work)
    typer.echo(f"raised {done.raised}, escalated {done.escalated}, cleared {done.cleared}")


def register(app: typer.Typer) -> None:
    app.add_typer(alarms_app, name="alarms")
