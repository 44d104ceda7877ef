"""A browser app on another origin calls the API (issue 25, item 1), in headless Chromium against a real
`qingquan serve` with QINGQUAN_CORS_ORIGINS: the listed origin's page passes the preflight (a JSON POST
with Apollo's CSRF header) and reads the answer and its ETag; the same page served from an origin not
listed is refused by the browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.test_catalog_webhooks import serving_in_thread
from tests.test_serve import serving

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install -e '.[test]')"
)
CHROMIUM = os.environ.get("QINGQUAN_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium to drive (Debian: apt-get install chromium)"),
    pytest.mark.rendering,
]
PAGE = "<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>staff console</title><p>console</p></html>"
CALL = """async (api) => {
  try {
    const posted = await fetch(api, {method: "POST", headers: {"Content-Type": "application/json",
      "Apollo-Require-Preflight": "true"}, body: JSON.stringify({query: "{ viewer { role } }"})});
    const got = await fetch(api + "?query=" + encodeURIComponent("{ __typename }"));
    return {status: posted.status, body: await posted.json(), etag: got.headers.get("etag")};
  } catch (error) {
    return {refused: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def origins() -> Iterator[int]:
    """A page of the console, on a port of its own (an origin other than the API's)."""
    app = Starlette(routes=[Route("/", lambda request: HTMLResponse(PAGE))])
    with serving_in_thread(app) as port:
        yield port


@pytest.fixture(scope="module")
def api(origins: int, database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`qingquan serve` on the session's database (migrated already: a quick start), answering only: no
    background job touches what the other tests left there."""
    env = {
        **os.environ,
        "QINGQUAN_DATABASE_URL": database,
        "QINGQUAN_SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("cors-index")),
        "QINGQUAN_SEARCH_INDEXER": "false",
        "QINGQUAN_WEBHOOK_SENDER": "false",
        "QINGQUAN_WORKERS": "1",
        "QINGQUAN_PORTAL": "false",
        "QINGQUAN_CORS_ORIGINS": f"http://localhost:{origins}",
    }
    with serving(env) as server:
        yield f"{server.base}/graphql"
    assert "Traceback" not in server.log(), server.log()


def test_a_listed_origin_calls_the_api_and_another_is_refused(origins: int, api: str) -> None:
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            listed: Any = call_from(browser, f"http://localhost:{origins}/", api)
            assert listed.get("status") == 200, listed
            assert listed["body"] == {"data": {"viewer": {"role": "PUBLIC"}}}
            assert listed["etag"] and listed["etag"].startswith('W/"')  # exposed to the script
            other: Any = call_from(browser, f"http://127.0.0.1:{origins}/", api)
            assert "refused" in other and "status" not in other, other
        finally:
            browser.close()


def call_from(browser: Any, page_url: str, api: str) -> object:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_url)
        return page.evaluate(CALL, api)
    finally:
        context.close()
