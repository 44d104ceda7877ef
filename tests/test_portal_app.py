"""The reference portal as HTTP (no browser): where it is served, its Content-Security-Policy, its files
all local, and off with a setting. The journeys in a real browser are in tests/test_portal_browser.py."""

from __future__ import annotations

import re

import httpx
from starlette.applications import Starlette

from qingquan.portal import ASSETS, CSP, STATIC_DIR, routes
from qingquan.settings import Settings
from tests.helpers import app_client


def portal_client(**settings: object) -> httpx.AsyncClient:
    app = Starlette(routes=routes(Settings(**settings)))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qingquan.test")


async def test_page_and_files_carry_a_self_only_policy() -> None:
    async with portal_client() as c:
        page = await c.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CSP
        assert page.headers["x-content-type-options"] == "nosniff"
        assert '<meta name="viewport"' in page.text and 'lang="zh-CN"' in page.text
        for name in ASSETS:  # linked with a hash of their content: a new version is a new URL
            link = re.search(rf'"(/static/portal/{re.escape(name)}\?v=[0-9a-f]{{12}})"', page.text)
            assert link, name
            asset = await c.get(link.group(1))
            assert asset.status_code == 200 and asset.headers["x-content-type-options"] == "nosniff", name
    directives = dict(d.strip().split(" ", 1) for d in CSP.split(";"))
    for kind in ("script-src", "style-src", "img-src", "connect-src", "font-src"):
        assert directives[kind] == "'self'", kind
    assert directives["default-src"] == "'none'"


def test_nothing_is_fetched_from_another_origin() -> None:
    """No absolute URL anywhere in the portal's files (county networks are closed): every asset and
    every API call is a path on the app itself; no inline script or style either (the CSP forbids them)."""
    for path in STATIC_DIR.iterdir():
        text = path.read_text(encoding="utf-8")
        urls = [u for u in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text) if "www.w3.org/2000/svg" not in u]
        assert not urls, (path.name, urls)
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "document.write" not in text, path.name
        assert "@import" not in text and "@font-face" not in text, path.name
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "<style" not in html and " style=" not in html


async def test_the_portal_path_is_a_setting() -> None:
    async with portal_client(portal_path="/portal/") as c:
        assert (await c.get("/portal")).status_code == 200
        assert (await c.get("/portal/")).status_code == 200
        assert (await c.get("/")).status_code == 404
        assert (await c.get("/static/portal/portal.js")).status_code == 200


async def test_the_app_serves_the_portal_unless_turned_off(database: str) -> None:
    async with app_client() as c:
        page = await c.get("/")
        assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
        assert (await c.get("/graphql", params={"query": "{ viewer { role } }"})).json() == {
            "data": {"viewer": {"role": "PUBLIC"}}
        }
    async with app_client(portal=False) as c:
        assert (await c.get("/")).status_code == 404
        assert (await c.get("/static/portal/portal.js")).status_code == 404
        assert (await c.get("/healthz")).status_code == 200
