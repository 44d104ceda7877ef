"""`qingquan holidays load FILE`: a year's holiday table (国务院办公厅 节假日安排)."""

from __future__ import annotations

from pathlib import Path

import typer

from domain.access import CLI
from domain.workdays import load_holiday_year, read_holiday_file
from qingquan.commands.common import run_with_db

holidays_app = typer.Typer(help="Working-day calendar: holiday tables", no_args_is_help=True)


@holidays_app.command("load")
def load(
    file: Path = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        help="lines `2027-02-06..2027-02-12,holiday,春节` or `2027-02-14,workday,春节调休`",
    ),
    year: int | None = typer.Option(
        None, "--year", help="the year of the table; by default the year of its days"
    ),
) -> None:
    """Load (or replace) a year's holidays and make-up workdays; provisional due dates are recounted."""

    async def work() -> tuple[int, int, int]:
        days = read_holiday_file(file)  # a malformed line fails like any domain error: message, exit 1
        the_year = year or (days[0].day.year if days else 0)
        table = await load_holiday_year(CLI, the_year, days, source=file.name)
        off = sum(not d.workday for d in days)
        return table.year, off, len(days) - off

    loaded, off, on = run_with_db(work)
    typer.echo(f"loaded {loaded}: {off} holidays, {on} make-up workdays")


def register(app: typer.Typer) -> None:
    app.add_typer(holidays_app, name="holidays")
