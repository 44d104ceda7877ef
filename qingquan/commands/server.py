"""`qingquan serve`."""

from __future__ import annotations

import contextlib
import errno
import os
import socket

import typer

from qingquan.settings import get_settings

#: Seconds a stop (SIGTERM) gives the requests in flight before they are cancelled; the background jobs
#: and the database's close follow (qingquan/app.py): under 10 s in all.
REQUEST_GRACE = 5
#: Seconds a worker may take to answer the supervisor's ping before it is killed and replaced (uvicorn's 5 by
#: default): on a busy host (2 cores at load 8–12) workers were killed mid-run, their requests in flight
#: dropped and their warm state (the vectors, the segmenter) lost, and new ones killed before they had started
#: (bench/RESULTS.md, session 12, h3). A worker truly hung is still replaced, later.
WORKER_HEALTHCHECK = 30


def listening_socket(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything is printed or started: a port that is taken is said
    plainly (exit status 2), not after a "serving" line and the application's start-up."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a port in TIME_WAIT is free
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            typer.echo(f"端口 {port} 已被占用 (port {port} is already in use)", err=True)
        else:
            typer.echo(f"无法监听 {host}:{port} (cannot listen on {host}:{port}): {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    sock.set_inheritable(True)  # the worker processes serve it too
    return sock


def serve(
    host: str | None = typer.Option(None, "--host", help="default 127.0.0.1 (QINGQUAN_HOST)"),
    port: int | None = typer.Option(None, "--port", help="default 8000 (QINGQUAN_PORT)"),
    workers: int | None = typer.Option(
        None, "--workers", "-w", min=1,
        help="app processes (QINGQUAN_WORKERS; default: the CPU cores on PostgreSQL, 1 on SQLite)",
    ),
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in a browser), /healthz and /readyz."""
    import asyncio

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    settings = get_settings()
    sqlite = settings.database_url.startswith("sqlite")
    # SQLite has one writer: processes of their own would refuse each other's writes ("database is locked")
    count = workers or settings.workers or (1 if sqlite else os.cpu_count() or 1)
    if sqlite and count > 1:
        raise typer.BadParameter(
            "SQLite 只能由一个进程写入：请用 --workers 1，或改用 PostgreSQL "
            "(an SQLite database takes one app process: use --workers 1, or PostgreSQL for several)",
            param_hint="--workers",
        )
    host, port = host or settings.host, port or settings.port
    sock = listening_socket(host, port)
    if count > 1 and "QINGQUAN_SECRET_KEY" not in os.environ:
        # one key for every worker, or a filing link made by one would fail on the others
        os.environ["QINGQUAN_SECRET_KEY"] = settings.secret_key
    # migrate once here, so that the worker processes never race each other over it
    asyncio.run(_migrate(settings.database_url))
    typer.echo(f"qingquan: serving http://{host}:{port}/graphql with {count} "
               f"worker process{'es' if count > 1 else ''}", err=True)
    config = uvicorn.Config(
        "qingquan.asgi:worker_app",
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_level=settings.log_level,
        access_log=settings.access_log,
        timeout_graceful_shutdown=REQUEST_GRACE,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK,
        # uvicorn would believe X-Forwarded-For from 127.0.0.1 by default, so that anyone on the host (or a
        # proxy passing the header through) could name any address and reset the per-address limits: it
        # believes no one, and the app applies the operator's QINGQUAN_TRUSTED_PROXIES itself (create_app)
        proxy_headers=False,
        forwarded_allow_ips=[],
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn has stopped gracefully already
        if count > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])


async def _migrate(url: str) -> None:
    from domain import db

    await db.migrate(url)
    await db.close()


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
