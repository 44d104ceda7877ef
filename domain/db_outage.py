"""Which errors mean "the database cannot be reached" (rather than a bug, or a refused statement):

- tortoise's DBConnectionError, and asyncpg's connection errors (class 08), shutdown and
  cannot-connect-now (57P01-57P03) and too-many-connections (53300) answers;
- an OSError (connection refused, reset, timed out) raised inside the database driver: the same
  classes from a file or another service are not the database's;
- SQLite's "unable to open database file" and "disk I/O error" (the file or its disk went away).

An error caused by one of these (tortoise wraps the driver's errors), or raised while handling one,
counts too. The HTTP side answers them with 503 (qingquan/outage.py); the background jobs log them in
one line and try again.
"""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.exceptions import DBConnectionError

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
