"""A database outage, as clients see it: 503 with `Retry-After` and a GraphQL error body
(`code: database_unavailable`), on every route — never a 500, which a client cannot tell from a bug.
Which errors are an outage: domain/db_outage.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.db_outage import database_unavailable

__all__ = ["CODE", "MESSAGE", "DatabaseUnavailable", "OutageMiddleware", "database_unavailable", "unavailable_response"]

log = logging.getLogger("qingquan.http")

CODE = "database_unavailable"
MESSAGE = "数据库暂时不可用，请稍后重试 (the database is unavailable; retry later)"
#: Seconds a client should wait before it asks again (a restarted database takes a few).
RETRY_AFTER = 5
HEADERS: Mapping[str, str] = {"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"}
BODY = orjson.dumps({"errors": [{"message": MESSAGE, "extensions": {"code": CODE}}]})


class DatabaseUnavailable(Exception):
    """Raised where an answer needs the database and it cannot be reached (answered as a 503)."""

    def __init__(self) -> None:
        super().__init__(MESSAGE)


def unavailable_response(media_type: str = "application/json", body: bytes = BODY) -> Response:
    return Response(body, status_code=503, media_type=media_type, headers=dict(HEADERS))


#: A request the server ended because it is stopping (its grace was over).
STOPPING = orjson.dumps({"errors": [{"message": "服务器正在停止，请重试 (the server is stopping; retry)",
                                     "extensions": {"code": "shutting_down"}}]})  # fmt: skip


class OutageMiddleware:
    """Answers a request that failed because the database cannot be reached with a 503 (when nothing of its
    response was sent yet); every other error goes on to the server's 500 as before. A request cancelled
    because the server stops (uvicorn ends what outlives its grace) gets a 503 too, not uvicorn's 500."""

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
        except asyncio.CancelledError:
            if not started:
                with contextlib.suppress(Exception):
                    await unavailable_response(body=STOPPING)(scope, receive, send)
            raise
        except Exception as exc:
            if started or not database_unavailable(exc):
                raise
            log.warning("%s %s: the database is unavailable: %s", scope.get("method"), scope.get("path"), exc)
            await unavailable_response()(scope, receive, send)
