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


async def test_migrate_gives_powers_published_before_versions_their_first_version(database: str) -> None:
    """A database upgraded from before versions were kept: `qingquan migrate` records version 1 of
    each published power (migrations cannot: they have no ORM), once."""
    from domain.enums import PowerStatus
    from domain.models import Power
    from domain.workflow_models import PowerVersion
    from tests.factories import make_power, make_unit

    power = await make_power(await make_unit())
    await Power.filter(id=power.id).update(status=PowerStatus.PUBLISHED)
    assert not await PowerVersion.filter(power_id=power.id).exists()
    for _ in range(2):
        run_cli("migrate", db_url=database)
    assert await PowerVersion.filter(power_id=power.id).values_list("number", flat=True) == [1]
