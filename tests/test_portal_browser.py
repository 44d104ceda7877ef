"""The reference portal in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright
against a real `qingquan serve` of the demo county, as a person uses it — browse to a unit and a power,
see its flow chart, read a legal basis, search the laws, file a complaint and follow it with its 查询码.

Every page is checked for what a browser would complain of: no request leaves the app's origin (county
networks are closed), no console error, no hidden power shows; and every page screenshot is checked for what
a resident would: nothing wider than the screen (a phone 360 px wide), dates written as 2026年12月7日.
Screenshots of each page, on a desktop and on a phone, go to $QINGQUAN_TEST_SCREENSHOTS (default: a
`qingquan-portal-screens` folder in /tmp).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import PG_URL, REPO, drop_database, make_database  # noqa: F401  (PG_URL: run on either engine)
from tests.conftest import database_url as database_url_for
from tests.test_serve import serving

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright for Python is not installed (pip install -e '.[test]')"
)
CHROMIUM = os.environ.get("QINGQUAN_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM, reason="no Chromium to drive (Debian: apt-get install chromium; or set QINGQUAN_TEST_CHROMIUM)"
    ),
    pytest.mark.rendering,
]
SCREENS = Path(os.environ.get("QINGQUAN_TEST_SCREENSHOTS", Path(tempfile.gettempdir()) / "qingquan-portal-screens"))
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
#: a small phone (the narrow end of what residents hold: 356–390 px)
PHONE = {"viewport": {"width": 360, "height": 780}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
UNIT = "大余县国土资源局"
TIMEOUT_MS = 20_000
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def qingquan(*args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "qingquan", *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, f"qingquan {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def in_thread(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to its end on a thread of its own: Playwright's sync API keeps an event loop
    running on the main thread, where asyncio.run() is refused."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, on the session's engine."""
    url = database_url_for(f"portal_{os.getpid()}", tmp_path_factory.mktemp("portal-db"))
    in_thread(make_database(url, migrated=True))
    yield url
    in_thread(drop_database(url))


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`qingquan serve` on the demo county, its search index built; with an ADMIN token to find what
    the public must not see."""
    env = {
        **os.environ,
        "QINGQUAN_DATABASE_URL": database_url,
        "QINGQUAN_SEARCH_INDEX_DIR": str(tmp_path_factory.mktemp("portal-index")),
        "QINGQUAN_COMPLAINT_RATE_LIMIT": "100",
        "QINGQUAN_WORKERS": "1",  # one process answers a browser: quicker to start on a shared machine
    }
    qingquan("seed-demo", env=env)
    qingquan("index", env=env)
    token = qingquan("token", "create", "--role", "ADMIN", env=env).strip().splitlines()[-1]
    with serving(env) as server:
        yield {"base": server.base, "token": token}
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


class Visit:
    """A browser page on the portal that records every request and every console complaint."""

    def __init__(self, browser: Any, base: str, name: str = "desktop", **context: Any) -> None:
        self.base, self.name = base, name
        self.context = browser.new_context(locale="zh-CN", **context)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.complaints: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.complaints.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.complaints.append(f"pageerror: {e}"))

    def open(self, hash_route: str = "") -> Any:
        self.page.goto(f"{self.base}/{hash_route}")
        self.settle()
        return self.page

    def go(self, action: Any) -> None:
        """Follow a link (a locator to click, or a callable that presses a key): wait for the portal to draw
        the new route, then settle. Without the wait, a busy browser can be read before its hashchange ran,
        while the last page is still shown and nothing is loading."""
        routed = self.page.locator("#main")
        before = routed.get_attribute("data-routed")
        action() if callable(action) else action.click()
        playwright_api.expect(routed).not_to_have_attribute("data-routed", before or "")
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        # (a locator, not wait_for_function: the portal's CSP allows no eval, Playwright's included)
        playwright_api.expect(self.page.locator("#main .loading")).to_have_count(0)

    def shot(self, name: str) -> None:
        """A screenshot of the whole page, which must fit the screen's width and write its dates in Chinese."""
        self.assert_fits(name)
        shown = self.page.locator("#main").inner_text()
        assert not ISO_DATE.search(shown), f"{name}: a date not written as 2026年12月7日: {ISO_DATE.search(shown)}"
        SCREENS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

    def assert_fits(self, name: str) -> None:
        """Nothing makes the page wider than the screen (what must scroll sideways scrolls in its own box)."""
        wide, screen = self.page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        assert wide <= screen, f"{name}: the page is {wide} px wide on a screen of {screen} px"

    def close(self) -> None:
        self.context.close()
        foreign = [u for u in self.requests if not u.startswith(self.base + "/")]
        assert not foreign, f"requests left the app's origin: {foreign}"
        assert not self.complaints, self.complaints


@pytest.fixture(params=["desktop", "phone"])
def visit(request: pytest.FixtureRequest, server: dict[str, str], browser: Any) -> Iterator[Visit]:
    v = Visit(browser, server["base"], request.param, **(DESKTOP if request.param == "desktop" else PHONE))
    yield v
    v.close()


def admin(server: dict[str, str], query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(
        f"{server['base']}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {server['token']}"},
    )
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


def chinese(day: str) -> str:
    """An API date as the portal writes it: 2026-12-07 → 2026年12月7日."""
    d = datetime.date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def as_token(server: dict[str, str], role: str, **scope: str) -> str:
    made = admin(server, CREATE_TOKEN, {"input": {"name": f"门户测试 {role} {scope}", "role": role, **scope}})["createApiToken"]
    assert made["__typename"] == "CreatedApiToken", made
    return made["secret"]


def as_(server: dict[str, str], token: str, query: str, variables: dict[str, Any]) -> Any:
    body = httpx.post(f"{server['base']}/graphql", json={"query": query, "variables": variables},
                      headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
    assert not body.get("errors"), body
    (result,) = body["data"].values()
    assert result["__typename"] not in ("ValidationErrors", "PermissionDeniedError", "NotFoundError"), result
    return result


CREATE_TOKEN = """mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename
  ... on CreatedApiToken { secret } ... on ValidationErrors { errors { field message } } } }"""
FIRST_POWER = """query ($code: String!) { unit(code: $code) { id powers(first: 1) { nodes { id code name rules { timeLimit }
  flowChart { steps { id name kind } edges { sourceStepId targetStepId label } } } } } }"""
REVISE = [
    ("UNIT_STAFF", """mutation ($id: ID!) { openPowerRevision(powerId: $id, input: { reason: "依据新规调整办理时限。" }) {
      __typename ... on PowerRevision { draft { id } } } }"""),
    ("UNIT_STAFF", """mutation ($draft: ID!, $limit: String!) { updatePower(id: $draft, input: { timeLimit: $limit }) { __typename } }"""),
    ("UNIT_LEAD", """mutation ($draft: ID!) { declarePower(id: $draft, leadOpinion: "同意修订。") { __typename } }"""),
    ("UNIT_STAFF", """mutation ($draft: ID!) { submitPowerForReview(id: $draft) { __typename } }"""),
    *((seat, f"""mutation ($draft: ID!) {{ recordReviewOpinion(powerId: $draft, input: {{ office: {seat}, opinion: "同意" }}) {{
      __typename }} }}""") for seat in ("OPENNESS_OFFICE", "LEGAL_AFFAIRS", "SECRECY", "ESTABLISHMENT", "PRICING")),
    ("OPENNESS_OFFICE", """mutation ($draft: ID!) { decidePower(id: $draft, input: { decision: RETAIN, reason: "同意。" }) { __typename } }"""),
    ("LEADING_GROUP", """mutation ($draft: ID!) { approvePowerDecision(id: $draft, approve: true) { __typename } }"""),
]  # fmt: skip
VERSIONS = """query ($code: String!) { power(code: $code) { versions { number publishedOn supersededOn rules { timeLimit } } } }"""


@pytest.fixture(scope="module")
def revised(server: dict[str, str]) -> dict[str, Any]:
    """The land bureau's first listed power (a penalty, whose chart branches at 违法事实是否成立), changed once
    through 动态管理 as a unit and the review panel would (over HTTP): its 办理时限 in version 2, version 1 kept."""
    unit = admin(server, FIRST_POWER, {"code": "36072308"})["unit"]
    power = unit["powers"]["nodes"][0]
    branches = [s for s in power["flowChart"]["steps"] if sum(e["sourceStepId"] == s["id"] for e in power["flowChart"]["edges"]) > 1]
    assert branches, "the unit's first power has a branched chart"
    tokens = {
        who: as_token(server, who, unitId=unit["id"]) if who.startswith("UNIT_") else as_token(server, "REVIEWER", seat=who)
        for who in {who for who, _ in REVISE}
    }
    draft = as_(server, tokens["UNIT_STAFF"], REVISE[0][1], {"id": power["id"]})["draft"]["id"]
    limit = "自立案之日起90日内作出处理决定"
    for who, mutation in REVISE[1:]:
        as_(server, tokens[who], mutation, {"draft": draft, **({"limit": limit} if "$limit" in mutation else {})})
    versions = admin(server, VERSIONS, {"code": power["code"]})["power"]["versions"]
    assert [v["rules"]["timeLimit"] for v in versions] == [power["rules"]["timeLimit"], limit], versions
    return {**power, "versions": versions, "limit": limit}


def test_browse_a_unit_and_a_power_with_its_chart_and_bases(visit: Visit, server: dict[str, str], revised: dict[str, Any]) -> None:
    page = visit.open()
    response = httpx.get(server["base"] + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("header .brand").inner_text().startswith("大余县")
    footer = page.locator("footer.site")  # in a resident's words, with a link for developers worded for them
    assert "GraphQL 接口" not in footer.inner_text() and "投诉" in footer.inner_text()
    assert footer.get_by_role("link", name=re.compile("公开数据接口")).get_attribute("href") == "/graphql"
    visit.shot(f"01-home-{visit.name}")

    visit.go(page.get_by_role("link", name=UNIT, exact=True))
    assert page.locator("h1").inner_text() == UNIT
    listed = page.locator("ul.powers li .power-name").all_inner_texts()
    assert listed, "the unit's public powers are listed"
    visit.shot(f"02-unit-{visit.name}")

    # nothing hidden: the unit's powers the public may not see are neither listed nor reachable
    unit = admin(server, "query ($c: String!) { unit(code: $c) { id } }", {"c": "36072308"})["unit"]
    everything = admin(
        server,
        "query ($u: ID!) { powers(filter: { unitId: $u }, first: 100) { edges { node { code name status "
        "confidentiality { confidential } rules { disclosureScope } } } } }",
        {"u": unit["id"]},
    )["powers"]["edges"]
    hidden = [
        e["node"]
        for e in everything
        if e["node"]["status"] != "PUBLISHED"
        or e["node"]["confidentiality"]["confidential"]
        or e["node"]["rules"]["disclosureScope"] != "PUBLIC"
    ]
    while page.get_by_role("button", name="加载更多").count():
        page.get_by_role("button", name="加载更多").click()
        visit.settle()
        page.wait_for_timeout(200)
    listed = page.locator("ul.powers li .power-name").all_inner_texts()
    shown = page.locator("#main").inner_text()
    assert len(listed) == len(everything) - len(hidden)
    for power in hidden:
        assert power["code"] not in shown, power

    visit.go(page.locator("ul.powers li .power-name").first)
    assert page.locator("h1").inner_text() == revised["name"]
    chart = page.locator("figure.chart svg")
    chart.wait_for()
    assert chart.locator("text").count() > 3 and chart.bounding_box()["width"] > 200
    assert page.locator("#rules dt").first.inner_text() == "公开范围"
    basis = page.locator("#bases li").first
    assert re.search(r"《.+》第.+条", basis.inner_text())
    basis.get_by_role("button", name="查看条文").click()
    basis.locator(".article-text p:not(.loading)").first.wait_for()
    assert len(basis.locator(".article-text").inner_text()) > 10
    a_chart_in_view_and_in_words(visit, revised)
    a_history_of_versions(visit, revised)
    visit.shot(f"03-power-{visit.name}")

    if hidden:
        visit.open(f"#/power/{hidden[0]['code']}")
        assert page.locator("h1").inner_text() == "未找到"


def a_chart_in_view_and_in_words(visit: Visit, power: dict[str, Any]) -> None:
    """The chart fits the screen, every step's box in view (the branch 不予行政处罚 too); its steps are also in
    words — open on a phone — each branch with its condition. On a phone the chart can be enlarged: it then
    scrolls in its own box, a hint saying so, and the page stays as wide as the screen."""
    page = visit.page
    steps, edges = power["flowChart"]["steps"], power["flowChart"]["edges"]
    screen = page.evaluate("innerWidth")
    boxes = page.locator("figure.chart svg g.step")
    assert boxes.count() == len(steps)
    for box in boxes.all():
        at = box.bounding_box()
        assert at and 0 <= at["x"] and at["x"] + at["width"] <= screen, (box.inner_html()[:200], at, screen)
    words = page.locator("#chart details.chart-steps")
    if visit.name == "phone":
        assert words.get_attribute("open") is not None, "the steps in words are open on a phone"
    else:
        words.locator("summary").click()
    listed = words.locator("ol.steps > li")
    assert listed.locator(".step-name").all_inner_texts() == [s["name"] for s in steps]
    for item in listed.all():
        assert item.is_visible()
    number = {s["id"]: i + 1 for i, s in enumerate(steps)}
    for s in steps:
        out = [e for e in edges if e["sourceStepId"] == s["id"]]
        if len(out) > 1:  # a branch: each way with its condition and where it leads
            ways = listed.nth(number[s["id"]] - 1).locator(".next li").all_inner_texts()
            assert ways == [f"{e['label']} → 第{number[e['targetStepId']]}步：{steps[number[e['targetStepId']] - 1]['name']}" for e in out]
    assert "不予行政处罚，撤销案件" in words.inner_text()

    zoom, hint = page.locator(".chart-zoom"), page.locator(".scroll-hint")
    if visit.name == "desktop":
        assert not zoom.is_visible() and not hint.is_visible()  # drawn at full size, nothing scrolls
        return
    assert not hint.is_visible()
    zoom.click()
    playwright_api.expect(hint).to_be_visible()
    assert page.evaluate("(f => f.scrollWidth > f.clientWidth)(document.querySelector('figure.chart'))")
    visit.assert_fits("the enlarged chart")
    visit.shot("03-power-chart-enlarged-phone")
    zoom.click()
    playwright_api.expect(hint).to_be_hidden()


def a_history_of_versions(visit: Visit, power: dict[str, Any]) -> None:
    """版本记录: each published version, newest first, when it was in force and what changed (办理时限)."""
    first, second = power["versions"]
    shown = visit.page.locator("#history ol.versions > li").all_inner_texts()
    assert len(shown) == 2
    assert "第2版" in shown[0] and "现行版本" in shown[0] and f"{chinese(second['publishedOn'])}起施行" in shown[0]
    assert f"办理时限：由“{first['rules']['timeLimit']}”改为“{power['limit']}”" in shown[0]
    last_day = datetime.date.fromisoformat(second["publishedOn"]) - datetime.timedelta(days=1)
    assert "第1版" in shown[1] and "已被替代" in shown[1] and "首次公布" in shown[1]
    assert f"{chinese(first['publishedOn'])}至{chinese(last_day.isoformat())}施行" in shown[1]


def test_browse_by_category(visit: Visit) -> None:
    page = visit.open("#/categories")
    visit.go(page.get_by_role("link", name="行政许可", exact=True))
    assert page.locator("h1").inner_text() == "行政许可"
    page.locator("ul.powers li .badge-cat").first.wait_for()  # the list follows the heading on a busy machine
    badges = page.locator("ul.powers li .badge-cat").all_inner_texts()
    assert badges and set(badges) == {"行政许可"}
    visit.shot(f"04-category-{visit.name}")


POWER_HITS = """query ($q: String!) { searchPowers(query: $q, first: 5) { edges { node { power { name unit { name } } } } } }"""


def test_search_the_laws_with_highlights_filters_and_understanding(visit: Visit, server: dict[str, str]) -> None:
    page = visit.open()
    page.get_by_label("查办事单位和法律依据").fill("行政许可 听证")
    visit.go(lambda: page.get_by_label("查办事单位和法律依据").press("Enter"))
    hits = page.locator("ol.hits > li")
    hits.first.wait_for()
    marked = set(page.locator("ol.hits .snippet em").all_inner_texts())
    assert {"行政许可", "听证"} <= marked
    assert any("行政许可法" in t for t in hits.locator("h3").all_inner_texts())
    visit.shot(f"05-search-{visit.name}")

    page.get_by_label("效力层级").select_option("LAW")
    visit.go(page.get_by_role("button", name="检索", exact=True))
    page.wait_for_url(re.compile("level=LAW"))
    statuses = {"现行有效", "已被修改", "已废止", "历史版本", "尚未生效"}
    # the filtered list replaces the first one when the browser gets to it (late on a busy machine):
    # the badges are read again until they are the new list's
    levels = page.locator("ol.hits .meta .badge").filter(has_not_text=re.compile("|".join(statuses)))
    playwright_api.expect(levels.first).to_be_visible()
    playwright_api.expect(levels.filter(has_not_text="法律")).to_have_count(0)
    assert set(levels.all_inner_texts()) == {"法律"}

    visit.open("#/search?q=" + "行政许可法第十二条")
    page.locator(".understanding").wait_for()
    assert "条文：" in page.locator(".understanding").inner_text()
    assert "第十二条" in hits.first.locator("h3").inner_text()

    # a question as a resident asks it: the powers that handle it, each with the office (unit) to go to, as
    # searchPowers reads the question; then the laws
    question = "临时用地怎么申请"
    visit.open("#/search?q=" + question)
    offices = page.locator("section.offices ul.powers > li")
    offices.first.wait_for()
    found = httpx.get(f"{server['base']}/graphql", params={"query": POWER_HITS, "variables": json.dumps({"q": question})}).json()
    expected = [(e["node"]["power"]["name"], e["node"]["power"]["unit"]["name"]) for e in found["data"]["searchPowers"]["edges"]]
    assert expected and [(o.locator(".power-name").inner_text(), o.locator(".unit").inner_text()) for o in offices.all()] == expected
    assert all("办理单位：" in text for text in offices.all_inner_texts())
    assert "按问题理解" in page.locator(".understanding").inner_text()
    visit.shot(f"05-search-question-{visit.name}")

    # markup in a query or a snippet is text, never markup
    visit.open("#/search?q=" + "%3Cimg%20src%3Dx%3E行政许可")
    assert page.locator("#main img").count() == 0
    assert page.locator("#q").input_value() == "<img src=x>行政许可"


def follow(visit: Visit, link: Any, number_label: str, number: str, code: str, result: str) -> str:
    """From a receipt's link to its follow page: the number filled in, a wrong 查询码 refused, the right one
    showing the progress (whose text is returned) — and the 查询码 never in the address bar (nor the access log)."""
    page = visit.page
    visit.go(link)
    assert page.get_by_label(number_label).input_value() == number
    page.get_by_label("查询码").fill("wrong-code")
    page.get_by_role("button", name="查询").click()
    page.locator(f"{result} .error").wait_for()
    assert "没有找到" in page.locator(result).inner_text()
    page.get_by_label("查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    page.locator(f"{result} section.progress").wait_for()
    assert code not in page.url
    return page.locator(result).inner_text()


def test_file_a_complaint_and_follow_it_with_its_receipt_code(visit: Visit) -> None:
    page = visit.open()
    visit.go(page.get_by_role("link", name=UNIT, exact=True))
    visit.go(page.locator("ul.powers li .power-name").first)
    power_name = page.locator("h1").inner_text()
    visit.go(page.get_by_role("link", name="对这项职权的行使进行投诉"))
    assert power_name in page.locator("form.complaint").inner_text()
    page.get_by_label("投诉事项").fill(f"窗口办理超时（{visit.name}）")
    page.get_by_label("投诉内容").fill("材料齐全仍被要求补正，超过承诺时限未办结。")
    page.get_by_label("姓名").fill("张三")
    visit.shot(f"06-complaint-{visit.name}")
    page.get_by_role("button", name="提交投诉").click()
    receipt = page.locator("section.receipt")
    receipt.wait_for()
    number = page.locator("#receipt-id").inner_text()
    code = page.locator("#receipt-code").inner_text()
    assert number and len(code) >= 6
    visit.shot(f"07-receipt-{visit.name}")

    progress = follow(visit, receipt.get_by_role("link", name="查询办理进度"), "投诉编号", number, code, "#f-result")
    assert f"窗口办理超时（{visit.name}）" in progress and "已收到，待受理" in progress
    assert "张三" not in progress
    visit.shot(f"08-follow-{visit.name}")


def test_pages_pass_an_accessibility_check_and_work_from_the_keyboard(
    server: dict[str, str], browser: Any, revised: dict[str, Any]
) -> None:
    """axe-core (WCAG 2 A and AA rules: labels, names, contrast, landmarks …) finds nothing on each page (a
    power's with its steps in words and its versions; on a phone with its chart enlarged), and a keyboard alone
    reaches the content and searches."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
    checker = axe.Axe()
    visit = Visit(browser, server["base"], "phone", **PHONE)
    visit.open(f"#/power/{revised['code']}")
    visit.page.locator(".chart-zoom").click()
    results = checker.run(visit.page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
    assert results.violations_count == 0, f"a power on a phone:\n{results.generate_report()}"
    visit.close()

    visit = Visit(browser, server["base"], **DESKTOP)
    page = visit.page
    power = revised["code"]
    licences = httpx.get(f"{server['base']}/graphql", params={"query": "{ powers(filter: { category: LICENSING }, first: 1) { edges { node { code } } } }"})
    licence = licences.json()["data"]["powers"]["edges"][0]["node"]["code"]
    routes = ["", "#/unit/36072308", f"#/power/{power}", "#/categories", "#/category/LICENSING",
              "#/search?q=行政许可 听证", "#/complaint", "#/follow", f"#/apply?power={licence}", "#/case-follow"]  # fmt: skip
    for route in routes:
        visit.open(route)
        if route.startswith("#/power/"):
            page.locator("#bases button").first.click()
            page.locator(".article-text p:not(.loading)").first.wait_for()
            page.locator("#chart details summary").click()
        results = checker.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
        assert results.violations_count == 0, f"{route or '/'}:\n{results.generate_report()}"

    visit.open()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.locator("h1").inner_text() == "按单位浏览职权"  # still the same page
    for _ in range(10):  # on to the search box, past the links in between
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "quick-q":
            break
    assert page.evaluate("document.activeElement.id") == "quick-q"
    page.keyboard.type("行政许可 听证")
    visit.go(lambda: page.keyboard.press("Enter"))
    page.locator("ol.hits > li").first.wait_for()
    visit.close()


# -- 公示 and 征求意见 ---------------------------------------------------------------------------------

CREATE_DRAFT = """mutation ($input: CreatePowerInput!) { createPower(input: $input) { ... on Power { id code } } }"""
OPEN_FOR_COMMENT = """mutation ($input: OpenCommentPeriodInput!) { openCommentPeriod(input: $input) {
  __typename ... on CommentPeriod { id drafts { id name } } } }"""
RENAME = """mutation ($id: ID!, $name: String!) { updatePower(id: $id, input: { name: $name }) { __typename } }"""


@pytest.fixture(scope="module")
def up_for_comment(server: dict[str, str]) -> dict[str, str]:
    """A draft power of the land bureau put up for comment, then renamed (the public keeps the frozen name)."""
    unit = admin(server, '{ unit(code: "36072308") { id } }')["unit"]["id"]
    frozen = "对违反土地管理规定行为的行政处罚（征求意见测试）"
    power = admin(server, CREATE_DRAFT, {"input": {"unitId": unit, "name": frozen, "category": "PENALTY", "timeLimit": "15个工作日"}})
    period = admin(server, OPEN_FOR_COMMENT, {"input": {"unitId": unit, "powerIds": [power["createPower"]["id"]],
                                                        "title": "国土资源局职权清理结果公示", "workdays": 10}})["openCommentPeriod"]  # fmt: skip
    assert period["__typename"] == "CommentPeriod", period
    admin(server, RENAME, {"id": power["createPower"]["id"], "name": "改名后的草案名称"})
    return {"name": frozen, "code": power["createPower"]["code"], "draft": period["drafts"][0]["id"]}


def test_read_a_draft_for_comment_and_leave_a_comment(visit: Visit, up_for_comment: dict[str, str]) -> None:
    page = visit.open("#/comments")
    assert "国土资源局职权清理结果公示" in page.locator("#main").inner_text()
    visit.shot(f"09-comment-periods-{visit.name}")
    visit.go(page.get_by_role("link", name=up_for_comment["name"]))
    assert "征求意见稿" in page.locator(".draft-banner").inner_text()
    assert "征求意见稿" in page.locator("h1").inner_text() and up_for_comment["name"] in page.locator("h1").inner_text()
    assert "改名后的草案名称" not in page.locator("#main").inner_text()  # never a later edit
    page.get_by_label("意见内容").fill(f"建议明确处罚的裁量标准（{visit.name}）。")
    page.get_by_label("姓名").fill("李四")
    visit.shot(f"10-comment-draft-{visit.name}")
    page.get_by_role("button", name="提交意见").click()
    page.locator("#cm-result section.receipt").wait_for()
    assert "意见已收到" in page.locator("#cm-result").inner_text()
    assert "李四" not in page.locator("#draft-comments").inner_text()  # not shown before the unit publishes it
    visit.shot(f"11-comment-received-{visit.name}")
    visit.open(f"#/power/{up_for_comment['code']}")  # the draft itself is never public
    assert "未找到" in page.locator("h1").inner_text()


def test_draft_pages_pass_the_accessibility_check(server: dict[str, str], browser: Any, up_for_comment: dict[str, str]) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
    visit = Visit(browser, server["base"], **DESKTOP)
    checker = axe.Axe()
    for route in ("#/comments", f"#/draft/{up_for_comment['draft']}"):
        visit.open(route)
        results = checker.run(visit.page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
        assert results.violations_count == 0, f"{route}:\n{results.generate_report()}"
    visit.close()


# -- 依申请公开 -----------------------------------------------------------------------------------------

REQUEST_NODE = """query ($id: ID!) { node(id: $id) { ... on InformationRequest { subject requesterName requesterContact } } }"""


def test_file_a_request_for_information_and_follow_it_with_its_receipt_code(visit: Visit, server: dict[str, str]) -> None:
    page = visit.open()
    visit.go(page.get_by_role("link", name=UNIT, exact=True))
    visit.go(page.locator("ul.powers li .power-name").first)
    power_name = page.locator("h1").inner_text()
    visit.go(page.get_by_role("link", name="申请公开与这项职权有关的信息"))
    assert power_name in page.locator("form.request").inner_text()
    subject = f"该职权近三年的办理结果（{visit.name}）"
    page.get_by_label("申请公开的信息名称").fill(subject)
    page.get_by_label("获取信息的方式").select_option("PAPER")
    page.get_by_label("申请人姓名或名称").fill("王五")
    page.get_by_label("身份证件号码").fill("x")  # refused by the API, shown beside the form, nothing filed
    page.get_by_label("联系方式").fill("0797-8720000")
    page.get_by_role("button", name="提交申请").click()
    page.locator("#r-result .error").wait_for()
    refused = page.locator("#r-result li[data-field=requesterIdNumber]")
    assert "身份证明号码格式不正确" in refused.inner_text() and "requesterIdNumber" not in page.locator("#r-result").inner_text()
    page.get_by_label("身份证件号码").fill("")
    visit.shot(f"12-request-{visit.name}")
    page.get_by_role("button", name="提交申请").click()
    receipt = page.locator("#r-result section.receipt")
    receipt.wait_for()
    number = page.locator("#request-receipt-id").inner_text()
    code = page.locator("#request-receipt-code").inner_text()
    assert number and len(code) >= 6 and "答复期限" in receipt.inner_text()
    visit.shot(f"13-request-receipt-{visit.name}")

    # the request is the unit's business: the public cannot reach it by id, an admin sees the requester
    public = httpx.post(f"{server['base']}/graphql", json={"query": REQUEST_NODE, "variables": {"id": number}}).json()
    assert public == {"data": {"node": None}}
    assert admin(server, REQUEST_NODE, {"id": number})["node"] == {"subject": subject, "requesterName": "王五", "requesterContact": "0797-8720000"}

    progress = follow(visit, receipt.get_by_role("link", name="查询申请进度"), "申请编号", number, code, "#rf-result")
    assert subject in progress and "已收到，待登记" in progress and "大余县国土资源局" in progress
    assert "王五" not in progress and "8720000" not in progress
    visit.shot(f"14-request-follow-{visit.name}")


def test_request_pages_pass_the_accessibility_check(server: dict[str, str], browser: Any) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
    visit = Visit(browser, server["base"], **DESKTOP)
    checker = axe.Axe()
    for route in ("#/request", "#/request-follow"):
        visit.open(route)
        results = checker.run(visit.page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}})
        assert results.violations_count == 0, f"{route}:\n{results.generate_report()}"
    visit.close()


# -- 网上审批: apply online, follow the case along its chart ------------------------------------------

MOVE_CASE = """mutation ($id: ID!, $to: Int!) { moveCase(id: $id, toStep: $to, opinion: "材料齐全，予以受理") {
  __typename ... on Case { currentStep nextSteps { target } } } }"""


def test_apply_online_and_follow_the_case_on_its_chart(server: dict[str, str], browser: Any) -> None:
    """One journey on a desktop: a licence's page offers 在线申请 (a penalty's does not), the form files the
    application with an attachment, the unit moves the case one step, and 办件查询 shows the chart with the
    current step marked — the applicant's name nowhere in it."""
    visit = Visit(browser, server["base"], **DESKTOP)
    page = visit.page
    powers = admin(server, '{ unit(code: "36072308") { powers(first: 100) { edges { node { code category acceptsApplications } } } } }')
    nodes = [e["node"] for e in powers["unit"]["powers"]["edges"]]
    licence = next(n["code"] for n in nodes if n["acceptsApplications"])
    penalty = next(n["code"] for n in nodes if n["category"] == "PENALTY")
    visit.open(f"#/power/{penalty}")
    page.locator("h1").wait_for()
    assert page.get_by_role("link", name="在线申请").count() == 0
    visit.open(f"#/power/{licence}")
    visit.go(page.get_by_role("link", name="在线申请"))
    page.get_by_label("申请事项").fill("申请临时用地，用于施工便道（浏览器测试）")
    page.get_by_label("申请人姓名或名称").fill("王小明")
    page.get_by_label("联系方式").fill("13907970002")
    page.get_by_label("申请材料").set_input_files([{"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}])
    visit.shot("12-apply-desktop")
    page.get_by_role("button", name="提交申请").click()
    receipt = page.locator("section.receipt")
    receipt.wait_for()
    number, code = page.locator("#case-receipt-id").inner_text(), page.locator("#case-receipt-code").inner_text()

    unit = admin(server, '{ unit(code: "36072308") { id } }')["unit"]["id"]
    created = admin(server, "mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { ... on CreatedApiToken { secret } } }",
                    {"input": {"name": "国土资源局窗口", "role": "UNIT_STAFF", "unitId": unit}})  # fmt: skip
    staff = created["createApiToken"]["secret"]
    case = httpx.post(f"{server['base']}/graphql", json={"query": "query ($id: ID!) { node(id: $id) { ... on Case { nextSteps { target } } } }",
                                                         "variables": {"id": number}}, headers={"Authorization": f"Bearer {staff}"}).json()  # fmt: skip
    target = case["data"]["node"]["nextSteps"][0]["target"]
    moved = httpx.post(f"{server['base']}/graphql", json={"query": MOVE_CASE, "variables": {"id": number, "to": target}},
                       headers={"Authorization": f"Bearer {staff}"}).json()["data"]["moveCase"]  # fmt: skip
    assert moved["__typename"] == "Case", moved

    progress = follow(visit, receipt.get_by_role("link", name="查询办件进度"), "办件编号", number, code, "#cf-result")
    current = page.locator("#cf-result li.current")
    assert current.count() == 1 and moved["currentStep"] in current.inner_text()
    assert page.locator("#cf-result li.visited").count() == 2
    assert "办理中" in progress and "王小明" not in progress and "13907970002" not in progress
    assert "材料齐全，予以受理" in page.locator("#cf-result .case-moves").inner_text()  # 办理过程, dated in Chinese
    visit.shot("13-case-follow-desktop")
    visit.close()

    # the same pages on a phone: the form, and the case along its chart
    phone = Visit(browser, server["base"], "phone", **PHONE)
    phone.open(f"#/apply?power={licence}")
    playwright_api.expect(phone.page.get_by_role("button", name="提交申请")).to_be_visible()
    phone.shot("12-apply-phone")
    phone.open(f"#/case-follow?id={quote(number, safe='')}")
    phone.page.get_by_label("查询码").fill(code)
    phone.page.get_by_role("button", name="查询").click()
    phone.page.locator("#cf-result section.progress").wait_for()
    assert phone.page.locator("#cf-result li.current").inner_text().startswith(moved["currentStep"])
    phone.shot("13-case-follow-phone")
    phone.close()
