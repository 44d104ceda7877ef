"""A database outage, as clients see it: 503 with `Retry-After` and a GraphQL error body
(`code: database_unavailable`), on every route — never a 500, which a client cannot tell from a bug.

Which errors mean "the database cannot be reached" (rather than a bug, or a refused statement):
- tortoise's DBConnectionError, and asyncpg's connection errors (class 08), shutdown and
  cannot-connect-now (57P01-57P03) and too-many-connections (53300) answers;
- an OSError (connection refused, reset, timed out) raised inside the database driver: the same
  classes from a file or another service are not the database's;
- SQLite's "unable to open database file" and "disk I/O error" (the file or its disk went away).
An error caused by one of these (tortoise wraps the driver's errors) counts too.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping

import asyncpg
import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError

log = logging.getLogger("qingquan.http")

CODE = "database_unavailable"
MESSAGE = "数据库暂时不可用，请稍后重试 (the database is unavailable; retry later)"
#: Seconds a client should wait before it asks again (a restarted database takes a few).
RETRY_AFTER = 5
HEADERS: Mapping[str, str] = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
BODY = orjson.dumps({"errors": [{"message": MESSAGE, "extensions": {"code": CODE}}]})

_DOWN = (
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.TooManyConnectionsError,
)
_SQLITE_DOWN = ("unable to open database file", "disk i/o error")
#: The modules whose OSErrors are the database's (the driver, tortoise's clients).
_DRIVERS = ("asyncpg", "aiosqlite", "sqlite3", "tortoise.backends")


def _raised_in_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_DRIVERS):
            return True
        tb = tb.tb_next
    return False


def _is_outage(exc: BaseException) -> bool:
    if isinstance(exc, _DOWN):
        return True
    if isinstance(exc, asyncpg.InterfaceError):  # the pool or its connection closed under the query
        return "closed" in str(exc) or "closing" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return str(exc).lower() in _SQLITE_DOWN
    return isinstance(exc, OSError) and _raised_in_driver(exc)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from (or while handling), is the database being unreachable."""
    pending, seen = [exc], set()
    while pending:
        item = pending.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        if _is_outage(item):
            return True
        if isinstance(item, BaseExceptionGroup):
            pending.extend(item.exceptions)
        pending += [item.__cause__, item.__context__]
    return False


class DatabaseUnavailable(Exception):
    """Raised where an answer needs the database and it cannot be reached (answered as a 503)."""

    def __init__(self) -> None:
        super().__init__(MESSAGE)


def unavailable_response(media_type: str = "application/json") -> Response:
    return Response(BODY, status_code=503, media_type=media_type, headers=dict(HEADERS))


class OutageMiddleware:
    """Answers a request that failed because the database cannot be reached with a 503 (when nothing of its
    response was sent yet); every other error goes on to the server's 500 as before."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started or not database_unavailable(exc):
                raise
            log.warning("%s %s: the database is unavailable: %s", scope.get("method"), scope.get("path"), exc)
            await unavailable_response()(scope, receive, send)
