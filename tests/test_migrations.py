"""Migrations: versioned, current with the models, and safe to run twice on a fresh database."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from domain import db
from tests.conftest import run_cli


async def test_migrations_are_current_with_the_models(database: str) -> None:
    config = db.tortoise_config(database)
    detector = MigrationAutodetector(Tortoise.apps, config["apps"])
    writers = await detector.changes()
    assert writers == [], "models changed without a migration: run `python -m tortoise -c domain.db.TORTOISE_ORM makemigrations`"


async def test_migrate_command_on_a_fresh_database_twice(fresh_db_url: str) -> None:
    first = run_cli("migrate", db_url=fresh_db_url)
    assert "applied qingquan.0001_initial" in first.stderr
    second = run_cli("migrate", db_url=fresh_db_url)
    assert "applied" not in second.stderr.replace("database is up to date", "")
