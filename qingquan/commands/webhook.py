"""`qingquan webhook add | list | remove | deliver`: events for other county systems."""

from __future__ import annotations

from datetime import timedelta

import typer

from domain.access import CLI
from domain.catalog.models import Webhook, WebhookDelivery
from domain.catalog.webhooks import EVENTS, WebhookData, register_webhook, remove_webhook, webhooks
from domain.enums import Role
from qingquan import webhooks as sending
from qingquan.commands.common import JSON_HELP, console, print_json, run_with_db, table
from qingquan.settings import get_settings

webhook_app = typer.Typer(help="webhooks: events (power published, revised, withdrawn; notices; complaints) for other systems", no_args_is_help=True)


@webhook_app.command("add")
def add(
    name: str = typer.Option(..., "--name"),
    url: str = typer.Option(..., "--url", help="http(s) endpoint that receives POSTed JSON, at a public address"),
    role: Role = typer.Option(..., "--role", case_sensitive=False, help="the webhook hears only of what this role may see"),
    unit: str | None = typer.Option(None, "--unit", help="unit code, for UNIT_STAFF / UNIT_LEAD"),
    events: list[str] = typer.Option([], "--event", help=f"repeat for several; all when left out: {', '.join(EVENTS)}"),
    secret: str = typer.Option("", "--secret", help="HMAC key (16–128 characters); generated when left out"),
) -> None:
    """Register a webhook; prints its id and secret (keep the secret: it signs every delivery)."""
    data = WebhookData(name, url, role, unit, tuple(events), secret)
    hook = run_with_db(lambda: register_webhook(CLI, data, allow_private=get_settings().webhook_allow_private))
    console.print(f"webhook {hook.id} → {hook.url} as {hook.role.value}", soft_wrap=True)
    typer.echo(f"{hook.id}\t{hook.secret}")


@webhook_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    """Webhooks with their deliveries by status."""

    async def work() -> list[tuple[Webhook, dict[str, int]]]:
        found = []
        for hook in await webhooks(CLI):
            statuses = await WebhookDelivery.filter(webhook_id=hook.id).values_list("status", flat=True)
            found.append((hook, {s: statuses.count(s) for s in set(statuses)}))
        return found

    found = run_with_db(work)
    if as_json:
        print_json([{"id": hook.id, "name": hook.name, "url": hook.url, "role": hook.role.value,
                     "unit": hook.unit.code if hook.unit else None, "events": hook.events, "active": hook.active,
                     "ownToken": hook.token_id, "deliveries": {str(k): v for k, v in sorted(counts.items())}}
                    for hook, counts in found])  # fmt: skip
        return
    shown = table("id", "name", "url", "role", "unit", "events", "deliveries")
    for hook, counts in found:
        role = hook.role.value + (f" (token #{hook.token_id})" if hook.token_id else "")
        shown.add_row(str(hook.id), hook.name, hook.url, role, hook.unit.code if hook.unit else "",
                      "\n".join(hook.events) or "all", "\n".join(f"{k}={v}" for k, v in sorted(counts.items())))  # fmt: skip
    console.print(shown)


@webhook_app.command("remove")
def remove(webhook_id: int = typer.Argument(...)) -> None:
    """Remove a webhook and its deliveries."""
    run_with_db(lambda: remove_webhook(CLI, webhook_id))
    console.print(f"webhook {webhook_id} removed")


@webhook_app.command("deliver")
def deliver(
    watch: bool = typer.Option(False, "--watch", help="keep running: a worker process"),
    interval: float = typer.Option(5.0, "--interval", help="seconds between rounds with --watch"),
    base_delay: float = typer.Option(sending.BASE_DELAY.total_seconds(), "--base-delay", help="first retry after this many seconds, doubling"),
) -> None:
    """Queue overdue events and send the deliveries that are due (retrying failed ones with backoff)."""
    done = run_with_db(lambda: sending.run(watch=watch, interval=interval, base_delay=timedelta(seconds=base_delay)))
    console.print(f"delivered={done.delivered} retried={done.retried} failed={done.failed}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(webhook_app, name="webhook")

