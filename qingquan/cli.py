"""The `qingquan` command: one Typer app, its subcommands registered from qingquan/commands."""

from __future__ import annotations

import typer

from qingquan.commands import (
    alarms,
    catalog,
    database,
    demo,
    filing,
    holidays,
    library,
    search,
    server,
    thesaurus,
    tokens,
    webhook,
)

app = typer.Typer(help="清权确权 registry: GraphQL API, legal library, demo county", no_args_is_help=True)

for module in (database, library, demo, tokens, server, search, thesaurus, filing, holidays, catalog, webhook, alarms):
    module.register(app)


def main() -> None:
    app()
