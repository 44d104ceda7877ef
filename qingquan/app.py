"""The Starlette app: /graphql (POST, GET, GraphiQL), /healthz, /readyz."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from tortoise import Tortoise, connections

from domain import db
from domain.access import PUBLIC, Viewer
from domain.tokens import viewer_for_token
from qingquan import files, filings
from qingquan.ratelimit import RateLimiter
from qingquan.settings import Settings, get_settings
from schema import build_schema
from schema.context import Context
from search import backend_for
from search.indexer import run_forever

log = logging.getLogger("qingquan")


class AuthenticationFailed(Exception):
    pass


async def viewer_from_headers(authorization: str | None) -> Viewer:
    """PUBLIC without a header; the token's viewer with a valid `Bearer` token; an error otherwise."""
    if not authorization:
        return PUBLIC
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("Authorization must be `Bearer <token>`")
    viewer = await viewer_for_token(token.strip())
    if viewer is None:
        raise AuthenticationFailed("unknown or revoked token")
    return viewer


class QingquanGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(settings),
            graphql_ide="graphiql" if settings.graphiql else None,
            # uploads need a Bearer token, which a cross-site form cannot send: no CSRF exposure
            multipart_uploads_enabled=True,
        )
        self.settings = settings
        # in-process: see qingquan/ratelimit.py for what that means behind a load balancer
        self.complaint_limiter = RateLimiter(settings.complaint_rate_limit, settings.complaint_rate_window)

    async def get_context(self, request: Request | WebSocket, response: Response | None) -> Context:
        return Context(
            viewer=request.scope["qingquan.viewer"],
            settings=self.settings,
            client_ip=request.client.host if request.client else "",
            complaint_limiter=self.complaint_limiter,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            raw = headers.get(b"authorization")
            try:
                scope["qingquan.viewer"] = await viewer_from_headers(raw.decode("latin-1") if raw else None)
            except AuthenticationFailed as exc:
                response = JSONResponse(
                    {"errors": [{"message": str(exc), "extensions": {"code": "unauthenticated"}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # any failure of the database means not ready
        log.warning("readiness check failed: %s", exc)
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The ASGI app; with `manage_db` it migrates and opens the database on startup."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db and not Tortoise._inited:
            await db.migrate(settings.database_url)
            await db.close()
            await db.init(settings.database_url)
        # The search outbox is drained in the background; queries go to the same backend.
        indexer = asyncio.create_task(run_forever(backend_for(settings))) if settings.search_indexer else None
        try:
            yield
        finally:
            if indexer is not None:
                indexer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await indexer
            if manage_db:
                await db.close()

    graphql = QingquanGraphQL(settings)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            files.route,
            *filings.routes(settings),
        ],
        lifespan=lifespan,
    )
