"""The Starlette app: /graphql (POST, GET, GraphiQL), /healthz, /readyz.

A stop (SIGTERM) must end within 10 s, whatever runs: uvicorn stops accepting and gives the requests in
flight REQUEST_GRACE seconds (qingquan/commands/server.py), then the lifespan cancels the background jobs
(an index build, a webhook round) and waits JOBS_GRACE for them, then closes the database within DB_GRACE.
A job that outlives its grace is abandoned: what it did is safe to redo (an index build is one commit per
index, and an unfinished one is rebuilt on the next start; a webhook delivery keeps its lease and is sent
again).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL as StrawberryASGI
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise import Tortoise, connections
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from domain import db
from domain.access import PUBLIC, Viewer
from domain.change_listen import Wakeups
from domain.tokens import token_refusal, viewer_for_token
from qingquan import bulletin_links, client_http, downloads, evidence, files, filings, open_data, webhooks
from qingquan.graphiql import static_route as graphiql_static
from qingquan.graphql_http import GraphQLHTTP, bilingual
from qingquan.leader import prune_forever, run_as_database_leader, run_as_leader
from qingquan.live import EventHub
from qingquan.outage import OutageMiddleware
from qingquan.portal import routes as portal_routes
from qingquan.ratelimit import RateLimiter
from qingquan.settings import Settings, get_settings
from qingquan.supervision import alarms_forever, repeals_forever
from resolvers.loaders import Loaders
from schema import build_schema
from schema.context import Context
from schema.document_cache import DocumentLRU
from search import SearchBackend, SearchUnavailable, backend_for, embedding, semantic, understand
from search.indexer import run_forever
from search.manifest import ownership

log = logging.getLogger("qingquan")
#: Seconds a stop gives the cancelled background jobs, then the database's close (after the requests'
#: REQUEST_GRACE: under 10 s in all, see the module's doc).
JOBS_GRACE = 2.5
DB_GRACE = 1.0


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
        raise AuthenticationFailed(await token_refusal(token.strip()))  # unknown, revoked or expired
    return viewer


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class QingquanGraphQL(GraphQLHTTP):
    def __init__(self, settings: Settings, hub: EventHub | None = None) -> None:
        documents = DocumentLRU(settings.document_cache_size)
        super().__init__(build_schema(settings, documents), settings, documents)
        # counted in the database: every process shares one count (qingquan/ratelimit.py)
        self.complaint_limiter = RateLimiter(settings.complaint_rate_limit, settings.complaint_rate_window)
        self.hub = hub

    async def get_context(self, request: Request, response: Response | None) -> Context:
        return Context(
            viewer=request.scope["qingquan.viewer"],
            settings=self.settings,
            # the connecting address, or the one a proxy the operator trusts forwarded (create_app)
            client_ip=request.client.host if request.client else "",
            complaint_limiter=self.complaint_limiter,
            hub=self.hub,
            token=bearer_token(request.headers.get("authorization")),
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers") or [])
            raw = headers.get(b"authorization")
            try:
                scope["qingquan.viewer"] = await viewer_from_headers(raw.decode("latin-1") if raw else None)
            except AuthenticationFailed as exc:
                response = JSONResponse(
                    {"errors": [{"message": bilingual(str(exc), "unauthenticated"), "extensions": {"code": "unauthenticated"}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class LiveGraphQL(StrawberryASGI):
    """`/graphql` over WebSocket: graphql-transport-ws (the `graphql-ws` client's protocol). The token comes
    in `connection_init`'s payload (`{"Authorization": "Bearer …"}`, as browsers cannot set headers on a
    WebSocket) or in the upgrade request's header; a bad one closes the socket with 4403."""

    def __init__(self, schema: Any, settings: Settings, hub: EventHub) -> None:
        super().__init__(schema, graphql_ide=None, subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,))
        self.settings = settings
        self.hub = hub

    async def get_context(self, request: Any, response: Any) -> Context:
        client_ip = request.client.host if request.client else ""
        # the upgrade request's header, until on_ws_connect has read connection_init's payload
        return Context(settings=self.settings, client_ip=client_ip, hub=self.hub, token=request.headers.get("authorization"))

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        given = params.get("Authorization", params.get("authorization"))
        if given is not None and not isinstance(given, str):
            raise ConnectionRejectionError({"message": "Authorization must be a string", "code": "unauthenticated"})
        authorization = given or context.token or None
        try:
            viewer = await viewer_from_headers(authorization)
        except AuthenticationFailed as exc:
            raise ConnectionRejectionError({"message": str(exc), "code": "unauthenticated"}) from None
        context.viewer = viewer
        context.loaders = Loaders.for_viewer(viewer)
        context.token = bearer_token(authorization)


def end_subscriptions_on_signal(hub: EventHub) -> None:
    """At SIGTERM or SIGINT, end every subscription at once (a `complete` each), before the server's grace
    for requests in flight runs out: the handler uvicorn installed is kept and called after."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(signum)
        if not callable(previous):
            continue

        def handler(number: int, frame: Any, previous: Callable[[int, Any], Any] = previous) -> None:
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(hub.close()))
            previous(number, frame)

        with contextlib.suppress(ValueError):  # not the main thread (an app run by a test): nothing to wrap
            signal.signal(signum, handler)


def indexer_lock(settings: Settings) -> Path:
    """The lock file whose holder applies the change feed to this host's embedded index (beside it:
    the index has one writer, whatever the temporary directory of each process)."""
    return Path(settings.search_index_dir) / ".indexer.lock"


def background_jobs(settings: Settings, wakeups: Wakeups) -> dict[str, Coroutine[Any, Any, None]]:
    """What the server runs besides requests: the indexer of this host's embedded index (one process of
    the host), and once per database, whichever host (domain/leases.py): the indexer of a Meilisearch
    index, the webhook sender (with the overdue checks), 电子监察's alarms, the repeals of laws that come
    due, the pruning of the change feed."""
    backend = backend_for(settings)
    jobs = {}
    if settings.search_indexer:
        follow = partial(run_forever, backend, wakeups)
        if backend.shared:
            jobs["the search indexer"] = run_as_database_leader(f"search:{backend.consumer}", follow)
        else:
            jobs["the search indexer"] = run_as_leader(indexer_lock(settings), follow)
    if settings.webhook_sender:  # deliveries are queued by every process; one of all hosts sends them
        send = partial(webhooks.run, watch=True, interval=settings.webhook_interval, allow_private=settings.webhook_allow_private)
        jobs["the webhook sender"] = run_as_database_leader("webhooks", send)
    jobs["电子监察's alarms"] = run_as_database_leader("alarms", partial(alarms_forever, settings.alarm_interval))
    jobs["the repeals of laws on their day"] = run_as_database_leader(
        "law-repeals", partial(repeals_forever, settings.law_repeal_interval)
    )
    if settings.search_embedder:  # the vectors of the search by meaning, following the change feed
        jobs["the embedder"] = run_as_database_leader("embeddings", semantic.run_forever)
    retention = timedelta(seconds=settings.change_feed_retention)
    jobs["the change feed's pruning"] = run_as_database_leader("change-feed-pruning", partial(prune_forever, retention))
    return jobs


def tune_garbage_collection(settings: Settings) -> None:
    """Move what start-up made (modules, the schema) out of the collector's sight, and collect the
    youngest generation less often: a request allocates many short-lived objects, and frequent
    collections of a large heap are what made throughput fall as clients were added."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(settings.gc_threshold, 20, 20)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def search_state(backend: SearchBackend) -> str:
    """`ready` when this host's index is complete and was built from this database; `building` while it is
    being built from it; `stale` when it is another database's, of another format or not built yet (the
    indexer rebuilds it); `down` when the search engine does not answer."""
    try:
        own = await ownership(backend)
    except SearchUnavailable:
        return "down"
    return "ready" if own.ready else "building" if own.ours() else "stale"


def readiness(backend: SearchBackend, hub: EventHub | None = None) -> Callable[[Request], Awaitable[Response]]:
    async def readyz(request: Request) -> Response:
        """503 when the database cannot be reached (the one thing every answer needs); the search's state
        is reported, not required: while the index builds, everything but searches answers. So is whether
        the search uses meaning (`meaning`: the model, and per kind whether the vectors are complete)."""
        try:
            await connections.get("default").execute_query("SELECT 1")
        except Exception as exc:  # any failure of the database means not ready
            log.warning("readiness check failed: %s", exc)
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
        answer: dict[str, Any] = {"status": "ok", "database": "up", "search": await search_state(backend)}
        answer["meaning"] = await semantic.status() if backend.nearest else {"model": None, "engine": "words only"}
        if hub is not None:
            answer["subscriptions"] = len(hub.subscribers)  # this process's, live (qingquan/live.py)
        return JSONResponse(answer)

    return readyz


async def stop_jobs(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the background jobs and wait JOBS_GRACE for them to end; abandon those that do not."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    done, pending = await asyncio.wait(tasks, timeout=JOBS_GRACE)
    for task in pending:
        log.warning("%s did not stop within %.1f s: abandoned", task.get_name(), JOBS_GRACE)
    for task in done:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s failed while stopping", task.get_name(), exc_info=task.exception())


def create_app(settings: Settings | None = None, *, manage_db: bool = True, migrate: bool = True) -> Starlette:
    """The ASGI app; with `manage_db` it opens the database on startup (migrating it first with `migrate`)."""
    settings = settings or get_settings()
    embedding.use(settings.search_meaning_model)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db and not Tortoise._inited:
            if migrate:
                await db.migrate(settings.database_url)
                await db.close()
            await db.init(settings.database_url)
        # the legal search's word segmenter (about a second to load): now, not on the first question
        await asyncio.to_thread(understand.preload)
        tune_garbage_collection(settings)
        # The change feed is applied in the background (search/indexer.py); queries of every process go
        # to the same backend. The listener wakes the indexer at each commit that added changes.
        wakeups = Wakeups(settings.database_url)
        if settings.search_indexer:
            wakeups.start()
        tasks = [asyncio.create_task(job, name=name) for name, job in background_jobs(settings, wakeups).items()]
        end_subscriptions_on_signal(hub)
        try:
            yield
        finally:
            await hub.close()
            await stop_jobs(tasks)
            await wakeups.stop()
            if manage_db:
                try:
                    await asyncio.wait_for(db.close(), DB_GRACE)
                except TimeoutError:  # a connection still taken by an abandoned job: the exit drops it
                    log.warning("the database did not close within %.1f s", DB_GRACE)

    backend = backend_for(settings)  # /readyz asks it whether this host's index is current
    hub = EventHub(settings.database_url, settings.max_subscriptions)
    graphql = QingquanGraphQL(settings, hub)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", LiveGraphQL(graphql.schema, settings, hub)),
            Route("/healthz", healthz),
            Route("/readyz", readiness(backend, hub)),
            files.route,
            *filings.routes(settings),
            *bulletin_links.routes(settings),
            *open_data.routes(),
            *downloads.routes(settings),
            *evidence.routes(settings),
            *([graphiql_static] if settings.graphiql else []),
            *(portal_routes(settings) if settings.portal else []),
        ],
        # X-Forwarded-For / -Proto are believed only from the proxies the operator names (none by default,
        # and then no layer at all): the rule is the app's, so that it holds under any ASGI server
        # (`qingquan serve` turns uvicorn's own off)
        middleware=[
            *client_http.middleware(settings),  # CORS and compression (outermost: a 503 gets them too)
            Middleware(OutageMiddleware),  # a database outage is a 503 on every route, never a 500
            *([Middleware(ProxyHeadersMiddleware, trusted_hosts=settings.proxy_list)] if settings.proxy_list else []),
        ],
        lifespan=lifespan,
    )
    app.state.hub = hub  # the process's subscribers (tests look at them)
    return app
