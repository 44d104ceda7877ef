"""GraphiQL without the internet: strawberry's GraphiQL page with its scripts and styles served by the app.

strawberry's template (`strawberry/static/graphiql.html`) loads React, GraphiQL and the explorer plugin
from unpkg.com, which county networks cannot reach (the page then shows only "Loading...").
The same files, byte for byte, are vendored in `qingquan/static/graphiql/` (see the README there)
and served by `static_route`; `graphiql_html()` is the template with the unpkg URLs pointing at them.
The `integrity` attributes stay, so the browser still checks every file against strawberry's hashes;
`crossorigin` stays too: a same-origin request in CORS mode needs no CORS headers.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from strawberry.http.ides import get_graphql_ide_html

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
STATIC_PREFIX = "/static/graphiql"

# unpkg URL in strawberry's template -> the vendored copy in STATIC_DIR
ASSETS: dict[str, str] = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react-18.2.0.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react-dom-18.2.0.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js-cookie-3.0.5.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql-3.8.3.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql-3.8.3.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "graphiql-plugin-explorer-1.0.2.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "graphiql-plugin-explorer-1.0.2.umd.js",
}

# a URL the browser would fetch: src/href attributes and CSS url(...) / @import
_FETCHED_URL = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])(https?:)?//""", re.I
)


@lru_cache(maxsize=8)
def graphiql_html(static_prefix: str = STATIC_PREFIX) -> str:
    """strawberry's GraphiQL page, loading every script and style from `static_prefix` instead of unpkg.com.

    Raises RuntimeError when the template loads something not vendored here (a strawberry upgrade that
    changed versions): better a failing test than a page that hangs on "Loading..." offline.
    """
    html = get_graphql_ide_html("graphiql")
    prefix = static_prefix.rstrip("/")
    for url, filename in ASSETS.items():
        if url not in html:
            raise RuntimeError(
                f"strawberry's GraphiQL template no longer loads {url}; update qingquan/graphiql.py"
            )
        html = html.replace(url, f"{prefix}/{filename}")
    if _FETCHED_URL.search(html):
        raise RuntimeError(
            "strawberry's GraphiQL template loads an asset that is not vendored in qingquan/static/graphiql"
        )
    return html


class VendoredFiles(StaticFiles):
    """StaticFiles with long-lived caching of the versioned scripts and styles (their names carry the version)."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if str(full_path).endswith((".js", ".css")):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


static_route = Mount(STATIC_PREFIX, app=VendoredFiles(directory=STATIC_DIR), name="graphiql-static")
