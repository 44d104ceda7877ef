"""Shared helpers of the CLI commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from domain import db
from domain.errors import DomainError
from qingquan.settings import get_settings

T = TypeVar("T")
console = Console(stderr=True)


def run_with_db(work: Callable[[], Awaitable[T]], *, migrate: bool = True) -> T:
    """Run `work` with the configured database open (migrated first); turn domain errors into exit 1."""

    async def main() -> T:
        async with db.database(get_settings().database_url, run_migrations=migrate):
            return await work()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        for line in [f"{e.field}: {e.message}" for e in exc.errors] or [exc.message]:
            console.print(f"[red]error:[/red] {line}")
        raise typer.Exit(1) from None
