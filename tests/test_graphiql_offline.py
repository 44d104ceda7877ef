"""GraphiQL on a closed network: the page loads every script and style from the app, never from a CDN,
and each vendored file is the one strawberry's template pins by its `integrity` hash."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from qingquan.graphiql import ASSETS, STATIC_DIR, graphiql_html, static_route

# The one http(s) string left in the page: the XML namespace of the inline SVG favicon (a data: URI),
# an identifier that no browser fetches.
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
JS_TYPES = ("text/javascript", "application/javascript")


class Assets(HTMLParser):
    """The (url, integrity, kind) of every <script src> and <link href> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.found.append((a["src"] or "", a.get("integrity"), "script"))
        elif tag == "link" and a.get("href"):
            self.found.append((a["href"] or "", a.get("integrity"), a.get("rel") or ""))


def assets_of(html: str) -> list[tuple[str, str | None, str]]:
    parser = Assets()
    parser.feed(html)
    return parser.found


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(graphiql_html())


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """Just the page and the static files (this file's own `client`, not the app's from conftest)."""
    app = Starlette(routes=[Route("/graphql", page), static_route])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test"
    ) as c:
        yield c


def sri_sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


async def test_the_page_references_no_other_host(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert "unpkg" not in html
    assert [u for u in re.findall(r"https?://[^\s\"'%<>]+", html, re.I) if u != SVG_NAMESPACE] == []
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", html, re.I)  # no protocol-relative URLs either
    for url, _, _ in assets_of(html):
        assert url.startswith("data:") or url.startswith("/static/graphiql/"), url


async def test_every_asset_answers_with_its_integrity_hash(client: httpx.AsyncClient) -> None:
    html = (await client.get("/graphql", headers={"Accept": "text/html"})).text
    fetched = [
        (url, integrity, kind) for url, integrity, kind in assets_of(html) if not url.startswith("data:")
    ]
    assert len(fetched) == len(ASSETS) == 7
    for url, integrity, kind in fetched:
        response = await client.get(url)
        assert response.status_code == 200, url
        media = response.headers["content-type"].split(";")[0].strip()
        if kind == "script":
            assert media in JS_TYPES, (url, media)
        else:
            assert kind == "stylesheet" and media == "text/css", (url, kind, media)
        assert integrity and integrity == sri_sha384(response.content), url
        assert "immutable" in response.headers["cache-control"]
        assert response.headers["x-content-type-options"] == "nosniff"


async def test_conditional_requests_get_304(client: httpx.AsyncClient) -> None:
    url = "/static/graphiql/react-18.2.0.production.min.js"
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


async def test_only_the_vendored_folder_is_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/static/graphiql/missing.js")).status_code == 404
    assert (await client.get("/static/graphiql/../graphiql.py")).status_code == 404
    assert (await client.get("/static/graphiql/%2e%2e/graphiql.py")).status_code == 404


def test_each_asset_has_its_licence_and_is_listed_in_the_readme() -> None:
    readme = (STATIC_DIR / "README.md").read_text(encoding="utf-8")
    for filename in ASSETS.values():
        data = (STATIC_DIR / filename).read_bytes()
        assert f"`{filename}`" in readme and sri_sha384(data) in readme, filename
        package = re.match(r"(.+?-\d+\.\d+\.\d+)\.", filename)
        assert package and (STATIC_DIR / f"{package.group(1)}.LICENSE").is_file(), filename


def test_a_prefix_of_ones_own() -> None:
    html = graphiql_html("/ide/assets/")
    assert all(url.startswith(("data:", "/ide/assets/")) for url, _, _ in assets_of(html))
    assert "/ide/assets//" not in html
