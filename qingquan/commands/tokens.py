"""`qingquan token list | create | expire | revoke`: API tokens, as the CLI's admin."""

from __future__ import annotations

import json
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from domain import tokens
from domain.access import CLI
from domain.enums import ReviewSeat, Role
from domain.errors import DomainError
from domain.models import ApiToken
from qingquan.commands.common import console, run_with_db

token_app = typer.Typer(help="API tokens: list, create, expire, revoke", no_args_is_help=True)
EXPIRES_HELP = "30d, 12h, 2w; a date (valid through that day, UTC+8); an ISO date-time; or never"


def _expiry(text: str | None) -> datetime | None:
    try:
        return tokens.parse_expiry(text) if text else None
    except DomainError as exc:
        console.print(f"[red]error:[/red] --expires: {exc.errors[0].message if exc.errors else exc.message}")
        raise typer.Exit(2) from None


def _when(moment: datetime | None) -> str:
    return moment.astimezone(tokens.COUNTY_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


@token_app.command("create")
def create(
    role: Role = typer.Option(..., "--role", case_sensitive=False, help="PUBLIC, UNIT_STAFF, UNIT_LEAD, REVIEWER, INSPECTOR or ADMIN"),
    unit: str | None = typer.Option(None, "--unit", help="unit code, for UNIT_STAFF and UNIT_LEAD"),
    name: str = typer.Option("", "--name", help="a name to recognise the token by (who holds it)"),
    expires: str | None = typer.Option(None, "--expires", help=f"when it stops working: {EXPIRES_HELP}"),
    seat: ReviewSeat | None = typer.Option(
        None, "--seat", case_sensitive=False,
        help="REVIEWER only: OPENNESS_OFFICE, LEGAL_AFFAIRS, SECRECY, ESTABLISHMENT, PRICING or LEADING_GROUP;"
        " a seat some member of the leading group holds",
    ),
    member: int | None = typer.Option(
        None, "--member", help="REVIEWER only: the id of the leading group's member (附1) it is bound to (their seat)"
    ),
) -> None:
    """Create a token; it is printed once, alone on the last line, and stored only hashed."""
    expires_at = _expiry(expires)
    token, plaintext = run_with_db(lambda: tokens.create_token(role, unit, name, expires_at=expires_at, seat=seat, member_id=member))
    until = f", expires {_when(token.expires_at)} (UTC+8)" if token.expires_at else ", never expires"
    typer.echo(f"created token #{token.id} {token.name} ({token.role.value}){until}; keep it safe, it is not shown again:")
    typer.echo(plaintext)


async def _rows() -> list[dict[str, object]]:
    now = tokens.current_time()
    found = await tokens.list_tokens(CLI).select_related("unit")
    return [_row(t, now) for t in found]


def _row(t: ApiToken, now: datetime) -> dict[str, object]:
    return {
        "id": t.id, "name": t.name, "role": t.role.value, "unit": t.unit.code if t.unit else None,
        "prefix": t.prefix, "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        "status": tokens.token_status(t, now),
    }  # fmt: skip


@token_app.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="one JSON array, for scripts"),
    active: bool = typer.Option(False, "--active", help="only tokens that work (not revoked, not expired)"),
) -> None:
    """List the tokens, newest first: never their secret or its hash."""
    rows = [r for r in run_with_db(_rows) if not active or r["status"] == "active"]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    out = Console(width=None if Console().is_terminal else 160)
    table = Table(title=f"API tokens ({len(rows)})", title_justify="left")
    for column in ("#", "name", "role", "unit", "prefix", "created", "last used", "expires", "status"):
        table.add_column(column, overflow="fold", justify="right" if column == "#" else "left")
    style = {"active": "green", "expired": "yellow", "revoked": "red"}
    for r in rows:
        times = [_when(datetime.fromisoformat(str(r[k]))) if r[k] else "—" for k in ("created_at", "last_used_at", "expires_at")]
        status = str(r["status"]) + (f" {_when(datetime.fromisoformat(str(r['revoked_at'])))}" if r["revoked_at"] else "")
        table.add_row(str(r["id"]), str(r["name"]), str(r["role"]), str(r["unit"] or "—"), f"{r['prefix']}…", *times,
                      f"[{style[str(r['status'])]}]{status}[/]")  # fmt: skip
    out.print(table)
    out.print("times in UTC+8; `qingquan token revoke ID` revokes one, `qingquan token expire ID --expires …` sets an expiry")


@token_app.command("expire")
def expire(
    token_id: int = typer.Argument(..., help="the token's number (#, from `qingquan token list`)"),
    expires: str = typer.Option(..., "--expires", help=EXPIRES_HELP),
) -> None:
    """Give a token an expiry, or none (`--expires never`)."""
    expires_at = _expiry(expires)
    token = run_with_db(lambda: tokens.set_token_expiry(CLI, token_id, expires_at))
    until = f"expires {_when(token.expires_at)} (UTC+8)" if token.expires_at else "never expires"
    typer.echo(f"token #{token.id} {token.name} {until}")


@token_app.command("revoke")
def revoke(token_id: int = typer.Argument(..., help="the token's number (#, from `qingquan token list`)")) -> None:
    """Revoke a token: its next request, on every server process, is refused (401)."""
    token = run_with_db(lambda: tokens.revoke_token(CLI, token_id))
    typer.echo(f"revoked token #{token.id} {token.name} ({token.role.value}) at {_when(token.revoked_at)} (UTC+8)")


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
