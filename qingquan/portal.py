"""The reference portal: a Chinese public site on the public GraphQL API, served by the app itself.

Plain HTML, CSS and a little JavaScript in `qingquan/static/portal/` (no build step, nothing from a CDN:
county networks are often closed). The page is served at `QINGQUAN_PORTAL_PATH` (default `/`; off with
`QINGQUAN_PORTAL=false`), its files under `/static/portal/`. It uses only what any front-end team could
use: `/graphql` without a token (GET queries, Apollo persisted queries where the browser can hash;
POST for the complaint mutation and for following a complaint, whose 查询码 must stay out of URLs).
The page carries a Content-Security-Policy that allows only the app's own origin; its files are linked
with a hash of their content and cached for good (`VendoredFiles`, as GraphiQL's).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from qingquan.graphiql import VendoredFiles
from qingquan.settings import Settings

STATIC_DIR = Path(__file__).parent / "static" / "portal"
STATIC_PREFIX = "/static/portal"

#: only the app's own origin: scripts, styles, images, fonts and API calls; no frames, no plugins
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

#: the files the page loads: their links carry a hash of their content, so browsers may keep them for good
ASSETS = ("portal.css", "portal.js", "favicon.svg")


@lru_cache(maxsize=1)
def page_html() -> str:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    for name in ASSETS:
        digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
        link = f'"{STATIC_PREFIX}/{name}"'
        if link not in html:  # a link left unhashed would be cached for a year as if it could not change
            raise RuntimeError(f"index.html no longer links {STATIC_PREFIX}/{name}: update portal.ASSETS")
        html = html.replace(link, f'"{STATIC_PREFIX}/{name}?v={digest}"')
    return html


async def page(request: Request) -> Response:
    return HTMLResponse(page_html(), headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


def normalized_path(path: str) -> str:
    """`/`, or the path without its trailing slash (`portal/` → `/portal`)."""
    return "/" + path.strip().strip("/")


def routes(settings: Settings) -> list[BaseRoute]:
    path = normalized_path(settings.portal_path)
    paths = [path] if path == "/" else [path, f"{path}/"]
    return [
        *(Route(p, page, methods=["GET", "HEAD"]) for p in paths),
        Mount(STATIC_PREFIX, app=VendoredFiles(directory=STATIC_DIR), name="portal-static"),
    ]
