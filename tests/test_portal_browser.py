"""The reference portal in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright
against a real `qingquan serve` of the demo county, as a person uses it — browse to a unit and a power,
see its flow chart, read a legal basis, search the laws, file a complaint and follow it with its 查询码.

Every page is checked for what a browser would complain of: no request leaves the app's origin (county
networks are closed), no console error, no hidden power shows. Screenshots of each page, on a desktop and
on a phone, go to $QINGQUAN_TEST_SCREENSHOTS (default: a `qingquan-portal-screens` folder in /tmp).
"""

from __future__ import annotations

import asyncio
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
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
UNIT = "大余县国土资源局"
TIMEOUT_MS = 20_000


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
        SCREENS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)

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


def test_browse_a_unit_and_a_power_with_its_chart_and_bases(visit: Visit, server: dict[str, str]) -> None:
    page = visit.open()
    response = httpx.get(server["base"] + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("header .brand").inner_text().startswith("大余县")
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
    chart = page.locator("figure.chart svg")
    chart.wait_for()
    assert chart.locator("text").count() > 3 and chart.bounding_box()["width"] > 200
    assert page.locator("#rules dt").first.inner_text() == "公开范围"
    basis = page.locator("#bases li").first
    assert re.search(r"《.+》第.+条", basis.inner_text())
    basis.get_by_role("button", name="查看条文").click()
    basis.locator(".article-text p:not(.loading)").first.wait_for()
    assert len(basis.locator(".article-text").inner_text()) > 10
    visit.shot(f"03-power-{visit.name}")

    if hidden:
        visit.open(f"#/power/{hidden[0]['code']}")
        assert page.locator("h1").inner_text() == "未找到"


def test_browse_by_category(visit: Visit) -> None:
    page = visit.open("#/categories")
    visit.go(page.get_by_role("link", name="行政许可", exact=True))
    assert page.locator("h1").inner_text() == "行政许可"
    page.locator("ul.powers li .badge-cat").first.wait_for()  # the list follows the heading on a busy machine
    badges = page.locator("ul.powers li .badge-cat").all_inner_texts()
    assert badges and set(badges) == {"行政许可"}
    visit.shot(f"04-category-{visit.name}")


def test_search_the_laws_with_highlights_filters_and_understanding(visit: Visit) -> None:
    page = visit.open()
    page.get_by_label("检索法律依据").fill("行政许可 听证")
    visit.go(lambda: page.get_by_label("检索法律依据").press("Enter"))
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


def test_pages_pass_an_accessibility_check_and_work_from_the_keyboard(server: dict[str, str], browser: Any) -> None:
    """axe-core (WCAG 2 A and AA rules: labels, names, contrast, landmarks …) finds nothing on each page,
    and a keyboard alone reaches the content and searches."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python is not installed")
    visit = Visit(browser, server["base"], **DESKTOP)
    page = visit.page
    public = httpx.get(f"{server['base']}/graphql", params={"query": "{ powers(first: 1) { edges { node { code } } } }"})
    power = public.json()["data"]["powers"]["edges"][0]["node"]["code"]
    licences = httpx.get(f"{server['base']}/graphql", params={"query": "{ powers(filter: { category: LICENSING }, first: 1) { edges { node { code } } } }"})
    licence = licences.json()["data"]["powers"]["edges"][0]["node"]["code"]
    routes = ["", "#/unit/36072308", f"#/power/{power}", "#/categories", "#/category/LICENSING",
              "#/search?q=行政许可 听证", "#/complaint", "#/follow", f"#/apply?power={licence}", "#/case-follow"]  # fmt: skip
    checker = axe.Axe()
    for route in routes:
        visit.open(route)
        if route.startswith("#/power/"):
            page.locator("#bases button").first.click()
            page.locator(".article-text p:not(.loading)").first.wait_for()
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
    visit.shot("13-case-follow-desktop")
    visit.close()
