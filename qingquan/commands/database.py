"""`qingquan migrate`."""

from __future__ import annotations

import asyncio

import typer

from domain import db
from qingquan.commands.common import console
from qingquan.settings import get_settings


def migrate() -> None:
    """Apply pending database migrations (safe to run again)."""

    def progress(event: str, app: str, name: str) -> None:
        if event == "apply_done":
            console.print(f"applied {app}.{name}")

    async def main() -> None:
        try:
            await db.migrate(get_settings().database_url, progress=progress)
        finally:
            await db.close()

    asyncio.run(main())
    console.print("database is up to date")


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)
