"""`qingquan token create`."""

from __future__ import annotations

import typer

from domain.enums import Role
from domain.tokens import create_token
from qingquan.commands.common import run_with_db

token_app = typer.Typer(help="API tokens", no_args_is_help=True)


@token_app.command("create")
def create(
    role: Role = typer.Option(..., "--role", case_sensitive=False, help="PUBLIC, UNIT_STAFF, UNIT_LEAD, REVIEWER, INSPECTOR or ADMIN"),
    unit: str | None = typer.Option(None, "--unit", help="unit code, for UNIT_STAFF and UNIT_LEAD"),
    name: str = typer.Option("", "--name", help="a name to recognise the token by"),
) -> None:
    """Create a token; it is printed once, alone on the last line, and stored only hashed."""
    token, plaintext = run_with_db(lambda: create_token(role, unit, name))
    typer.echo(f"created token #{token.id} {token.name} ({token.role.value}); keep it safe, it is not shown again:")
    typer.echo(plaintext)


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
