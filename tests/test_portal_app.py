"""The reference portal as HTTP (no browser): where it is served, its Content-Security-Policy, its files
all local, and off with a setting. The journeys in a real browser are in tests/test_portal_browser.py."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import httpx
import pytest
from starlette.applications import Starlette

from domain.enums import Role
from qingquan.persisted import sha256
from qingquan.portal import ASSETS, CSP, STATIC_DIR, routes
from qingquan.settings import Settings
from schema.relay import encode_id
from tests.factories import make_power, make_unit, power_name
from tests.helpers import app_client, token_for


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


# -- 公示 and 征求意见 ---------------------------------------------------------------------------------


def portal_documents(name: str, what: str) -> dict[str, str]:
    """The portal's own documents of one kind (`var <name>` in portal.js), evaluated by Node as the browser would."""
    node = shutil.which("node")
    if not node:
        pytest.skip("no Node.js to read portal.js's documents")
    text = (STATIC_DIR / "portal.js").read_text(encoding="utf-8")
    block = re.search(rf"\n  var {name} = (\{{.*?\n  \}});\n", text, re.S)
    assert block, f"portal.js no longer defines its {what} documents as `var {name}`"
    script = f"var PAGE = 20; var {name} = {block.group(1)}; process.stdout.write(JSON.stringify({name}));"
    return json.loads(subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout)


def portal_comment_documents() -> dict[str, str]:
    return portal_documents("QC", "公示")


OPEN = """mutation ($input: OpenCommentPeriodInput!) { openCommentPeriod(input: $input) {
  ... on CommentPeriod { drafts { id } } } }"""


async def test_the_portal_lists_open_comment_periods_and_reads_a_draft_by_persisted_get(database: str) -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert '<a href="#/comments">征求意见</a>' in html
    docs = portal_comment_documents()
    unit = await make_unit()
    power = await make_power(unit, name=power_name("对测试事项的行政许可"))
    staff = await token_for(Role.UNIT_STAFF, unit)
    async with app_client(comment_rate_limit=100_000) as c:  # other tests comment from this address too
        opened = await c.post("/graphql", headers={"Authorization": f"Bearer {staff}"}, json={"query": OPEN, "variables": {
            "input": {"unitId": encode_id("Unit", unit.id), "powerIds": [encode_id("Power", power.id)], "title": "公示", "workdays": 3}}})  # fmt: skip
        draft_id = opened.json()["data"]["openCommentPeriod"]["drafts"][0]["id"]
        for name, variables in (("periods", {"after": None}), ("draft", {"id": draft_id})):
            ext = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256(docs[name])}})
            params = {"variables": json.dumps(variables), "extensions": ext}
            unknown = await c.get("/graphql", params=params)
            assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
            learned = await c.get("/graphql", params={**params, "query": docs[name]})
            assert learned.status_code == 200 and "errors" not in learned.json(), learned.text
            by_hash = await c.get("/graphql", params=params)
            assert by_hash.json() == learned.json() and by_hash.headers["cache-control"].startswith("public")
        draft = by_hash.json()["data"]["node"]
        assert draft["label"] == "征求意见稿" and draft["draftForComment"] and draft["name"] == power.name
        periods = (await c.get("/graphql", params={"query": docs["periods"]})).json()["data"]["commentPeriods"]
        assert draft_id in {d["id"] for e in periods["edges"] for d in e["node"]["drafts"]}, periods
        said = await c.post("/graphql", json={"query": docs["comment"], "variables": {"input": {"draftId": draft_id, "body": "支持公示。"}}})
        assert said.json()["data"]["commentOnDraft"]["__typename"] == "CommentReceived"


# -- 依申请公开 -----------------------------------------------------------------------------------------


def portal_request_documents() -> dict[str, str]:
    return portal_documents("QR", "依申请公开")


async def test_the_portal_files_a_request_and_follows_it_by_post(database: str) -> None:
    """The target power by persisted GET, filing and following by POST (the 查询码 never in a URL)."""
    from tests.workflow_factories import published_power

    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert '<a href="#/request">依申请公开</a>' in html and '<a href="#/request-follow">申请查询</a>' in html
    script = (STATIC_DIR / "portal.js").read_text(encoding="utf-8")
    # the follow pages share followForm, which POSTs: the 查询码 stays out of URLs
    assert "post(o.query" in script and "query: QR.follow" in script and "post(QR.file" in script and "query(QR.target" in script
    docs = portal_request_documents()
    power = await published_power()
    async with app_client(complaint_rate_limit=100_000) as c:  # other tests file from this address too
        params = {"variables": json.dumps({"code": power.code}),
                  "extensions": json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256(docs["target"])}})}  # fmt: skip
        assert (await c.get("/graphql", params=params)).json()["errors"][0]["message"] == "PersistedQueryNotFound"
        learned = await c.get("/graphql", params={**params, "query": docs["target"]})
        assert "errors" not in learned.json(), learned.text
        by_hash = await c.get("/graphql", params=params)
        target = by_hash.json()["data"]["power"]
        assert target["code"] == power.code and by_hash.headers["cache-control"].startswith("public")
        filed = await c.post("/graphql", json={"query": docs["file"], "variables": {"input": {
            "subject": "该职权的办理统计", "requesterName": "李某某", "requesterContact": "13800000000", "powerId": target["id"],
            "delivery": "ELECTRONIC", "description": "", "requesterIdNumber": ""}}})  # fmt: skip
        receipt = filed.json()["data"]["fileInformationRequest"]
        assert receipt["__typename"] == "InformationRequestReceipt", receipt
        followed = await c.post("/graphql", json={"query": docs["follow"], "variables": {"id": receipt["id"], "code": receipt["receiptCode"]}})
        progress = followed.json()["data"]["informationRequestByReceipt"]
        assert progress["status"] == "RECEIVED" and progress["dueOn"] == receipt["answerDueOn"]
        assert "李某某" not in followed.text and "13800000000" not in followed.text


# -- 通报, 民意测验, 依申请公开的职权 (issue 24) ---------------------------------------------------------


async def test_the_portal_reads_bulletins_and_surveys_and_answers_one(database: str) -> None:
    """Each of the portal's documents runs against the schema as the public: lists, a published bulletin and
    its Word link, an open survey answered by POST, the powers on request."""
    import datetime

    from domain.access import Viewer
    from domain.bulletins import draft_bulletin, publish_bulletin
    from domain.enums import ReviewSeat
    from domain.surveys import Question, SurveyData, open_survey
    from domain.workdays import today

    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert '<a href="#/bulletins">通报</a>' in html and '<a href="#/surveys">民意测验</a>' in html
    docs = portal_documents("QL", "通报、民意测验")
    openness = Viewer(role=Role.REVIEWER, name="县公开办", seat=ReviewSeat.OPENNESS_OFFICE)
    bulletin = await publish_bulletin(openness, (await draft_bulletin(openness, "关于门户测试的通报")).id)
    unit = await make_unit()
    survey = await open_survey(Viewer(role=Role.INSPECTOR, name="监察局"), SurveyData(
        "门户测试测验", [Question("是否满意？", ["满意", "不满意"])], today(), today() + datetime.timedelta(days=3), unit_id=unit.id,
    ))  # fmt: skip
    bid, sid = encode_id("Bulletin", bulletin.id), encode_id("Survey", survey.id)
    async with app_client(complaint_rate_limit=100_000) as c:
        for name, variables in (("bulletins", {}), ("bulletin", {"id": bid}), ("surveys", {}), ("survey", {"id": sid}),
                                ("onRequest", {"after": None}), ("onRequestOne", {"id": encode_id("PowerOnRequest", 1)})):  # fmt: skip
            got = await c.get("/graphql", params={"query": docs[name], "variables": json.dumps(variables)})
            assert got.status_code == 200 and "errors" not in got.json(), (name, got.text)
        listed = (await c.get("/graphql", params={"query": docs["bulletins"]})).json()["data"]["bulletins"]["nodes"]
        assert bid in {b["id"] for b in listed}
        link = (await c.post("/graphql", json={"query": docs["document"], "variables": {"id": bid}})).json()["data"]
        assert (await c.get(link["generateBulletinDocument"]["url"])).status_code == 200
        answered = await c.post("/graphql", json={"query": docs["answer"], "variables": {"id": sid, "choices": [0]}})
        assert answered.json()["data"]["answerSurvey"]["__typename"] == "SurveyAnswerReceipt"
