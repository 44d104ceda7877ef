"""What browsers and other systems need of the HTTP layer around every route: CORS for the origins the
operator names (QINGQUAN_CORS_ORIGINS), and gzip for large answers (QINGQUAN_COMPRESS_MIN_BYTES).

CORS (starlette's CORSMiddleware): only exact origins, never `*` (the setting refuses it), so a browser may
send credentials to them; a preflight answers the methods and headers a GraphQL client sends (the token,
JSON bodies, conditional GETs and Apollo's headers for persisted queries and CSRF prevention), and every
answer varies on `Origin`, allowed or not, so that a shared cache never hands one origin's answer to another.

gzip (starlette's GZipMiddleware): answers of at least the threshold, when `Accept-Encoding` allows it;
large bodies are compressed on a worker thread (starlette), never on the event loop. Left alone: what is
already compressed (Word, Excel, zip packages, PDF), event streams (SSE: each event must leave at once),
ranges. An answer with a strong `ETag` that is compressed gets the weak form of it (`W/"…"`): the same
validator names both encodings, which a strong one may not; `If-None-Match` compares weakly
(qingquan/response_cache.py), so a client revalidating either form gets its 304.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qingquan.settings import Settings

#: what a browser's GraphQL client may send across origins (preflights name them in lower case)
CORS_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "If-None-Match",
    # Apollo Client: persisted queries over GET are preflighted with these, and its CSRF-prevention header
    "Apollo-Require-Preflight",
    "X-Apollo-Operation-Name",
    "Apollographql-Client-Name",
    "Apollographql-Client-Version",
)
CORS_METHODS = ("GET", "POST")
#: what a script on another origin may read of an answer besides the safelisted headers
CORS_EXPOSED = ("ETag", "Retry-After", "WWW-Authenticate")
#: compressed already: gzip would cost time and win nothing
PACKED_TYPES = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/x-zip-compressed",
)
COMPRESS_LEVEL = 6  # zlib's default: most of level 9's gain at a third of its time


class EditHeaders:
    """Middleware that edits every HTTP answer's headers as it starts (`edit`)."""

    def __init__(self, app: ASGIApp, edit: Callable[[MutableHeaders], None]) -> None:
        self.app, self.edit = app, edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def edited(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.edit(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, edited)


def vary_on_origin(headers: MutableHeaders) -> None:
    """Every answer varies on `Origin` (CORSMiddleware says so only to origins it allows)."""
    if "origin" not in headers.get("vary", "").lower():
        headers.add_vary_header("Origin")


def weaken_compressed_etag(headers: MutableHeaders) -> None:
    """Outside GZipMiddleware: a compressed answer's strong ETag becomes weak (see the module's doc)."""
    etag = headers.get("etag")
    if etag and not etag.startswith("W/") and headers.get("content-encoding"):
        headers["ETag"] = f"W/{etag}"


def middleware(settings: Settings) -> list[Middleware]:
    """The layers, outermost first: CORS answers preflights before anything else runs (and its headers
    reach every answer, a 503 of an outage included); compression wraps what the app answers."""
    layers: list[Middleware] = []
    origins = settings.cors_list
    if origins:
        layers += [
            Middleware(EditHeaders, edit=vary_on_origin),
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=CORS_METHODS,
                allow_headers=CORS_HEADERS,
                expose_headers=CORS_EXPOSED,
                allow_credentials=True,  # exact origins only: never with `*` (the setting refuses it)
                max_age=settings.cors_max_age,
            ),
        ]
    if settings.compress_min_bytes > 0:
        layers += [
            Middleware(EditHeaders, edit=weaken_compressed_etag),
            Middleware(
                GZipMiddleware,
                minimum_size=settings.compress_min_bytes,
                compresslevel=COMPRESS_LEVEL,
                exclude_content_types=PACKED_TYPES,
            ),
        ]
    return layers
