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


async def test_migration_25_leaves_webhook_errors_short(database: str) -> None:
    """What receivers answered (an internal service's, for a webhook that pointed inside) is not kept."""
    import importlib
    from types import SimpleNamespace

    from tortoise import connections
    from tortoise.timezone import now

    from domain.access import CLI
    from domain.catalog.models import DeliveryStatus, WebhookDelivery
    from domain.catalog.webhooks import WebhookData, register_webhook
    from domain.enums import Role

    short_errors = importlib.import_module("domain.migrations.0025_webhook_errors").short_errors
    hook = await register_webhook(CLI, WebhookData("旧的回调", "http://127.0.0.1:9/old", Role.ADMIN), allow_private=True)
    old = [(500, "HTTP 500: password=hunter2"), (None, "ConnectError: [Errno 111] Connect call failed ('127.0.0.1', 9)"),
           (599, "HTTP 599: x"), (None, "")]  # fmt: skip
    rows = [await WebhookDelivery.create(webhook=hook, event="power.published", subject="power:1", status=DeliveryStatus.FAILED,
                                         next_attempt_at=now(), response_status=status, last_error=error)
            for status, error in old]  # fmt: skip
    await short_errors(None, SimpleNamespace(client=connections.get("default")))
    kept = [(await WebhookDelivery.get(id=row.id)).last_error for row in rows]
    assert kept == ["HTTP 500 Internal Server Error", "请求失败 (request failed)", "HTTP 599", ""]
    await hook.delete()
