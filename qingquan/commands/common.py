"""Shared helpers of the CLI commands."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from rich.table import Table

from domain import db
from domain.errors import DomainError
from qingquan.settings import get_settings
from search import embedding

T = TypeVar("T")
#: tables and messages for a person, on stderr (stdout is for what scripts read: paths, ids, --json). On a
#: terminal, its width (long cells fold); piped or redirected (a log, CI), as wide as a table needs — rich
#: would cut it at 80 columns — unless COLUMNS says otherwise. (A table is as wide as its content, not as
#: the console: nothing is padded to this.)
WIDE = 1000
_stderr_is_terminal = sys.stderr.isatty()
console = Console(stderr=True, width=None if _stderr_is_terminal or os.environ.get("COLUMNS") else WIDE)
JSON_HELP = "print the result as JSON on stdout (for scripts), instead of the table"


def table(*columns: str, title: str | None = None, header: bool = True) -> Table:
    """A table whose cells fold (a URL, a code, a Chinese name) rather than being cut with an ellipsis."""
    made = Table(title=title, show_header=header)
    for name in columns:
        made.add_column(name, overflow="fold")
    return made


def print_json(value: object) -> None:
    """`value` as JSON on stdout, Chinese as itself (UTF-8)."""
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1, default=str))


def run_with_db(work: Callable[[], Awaitable[T]], *, migrate: bool = True) -> T:
    """Run `work` with the configured database open (migrated first); turn domain errors into exit 1."""

    async def main() -> T:
        settings = get_settings()
        embedding.use(settings.search_meaning_model)
        async with db.database(settings.database_url, run_migrations=migrate):
            return await work()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        for line in [f"{e.field}: {e.message}" for e in exc.errors] or [exc.message]:
            console.print(f"[red]error:[/red] {line}")
        raise typer.Exit(1) from None
