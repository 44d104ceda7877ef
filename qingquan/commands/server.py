"""`qingquan serve`."""

from __future__ import annotations

import typer

from qingquan.settings import get_settings


def serve(
    host: str | None = typer.Option(None, "--host", help="default 127.0.0.1 (QINGQUAN_HOST)"),
    port: int | None = typer.Option(None, "--port", help="default 8000 (QINGQUAN_PORT)"),
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in a browser), /healthz and /readyz."""
    import uvicorn

    from qingquan.app import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )




def export_schema(
    output: str = typer.Option("schema.graphql", "--output", "-o", help="file to write, `-` for stdout"),
) -> None:
    """Write the GraphQL schema in SDL (the repo keeps it in schema.graphql)."""
    from schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if output == "-":
        typer.echo(sdl, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(sdl)
        typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("export-schema")(export_schema)
