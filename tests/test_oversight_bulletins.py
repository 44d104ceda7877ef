"""通报 (issue 24, item 4): 县公开办 drafts a bulletin from the data, edits and publishes it; the public reads
published ones (API and a Word 通报 in the 公文 layout). What a bulletin shows follows the visibility rule:
a confidential power is never counted nor named, and a text naming a complainant is refused at publication."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import httpx
import pytest

from domain import complaints
from domain.access import CLI
from domain.change_notices import power_changed
from domain.enums import BulletinStatus, ReviewSeat, Role
from domain.loop_models import Bulletin
from domain.models import Power, Unit
from domain.workdays import today
from domain.workflow_models import ChangeNotice, Complaint
from tests.docx_checks import all_text, open_docx, runs_without_east_asia
from tests.factories import make_unit, power_name, unique
from tests.helpers import gql_data, token_for
from tests.oversight_factories import ERRORS
from tests.test_public_scope_confidential import SECRECY
from tests.workflow_factories import published_power, seat_tokens

COMPLAINANT = "欧阳明远"
DRAFT = f"""mutation ($title: String!, $number: String!) {{ draftBulletin(title: $title, number: $number) {{
  ... on Bulletin {{ id title number body status paragraphs }} {ERRORS} }} }}"""
UPDATE = f"""mutation ($id: ID!, $input: UpdateBulletinInput!) {{ updateBulletin(id: $id, input: $input) {{
  ... on Bulletin {{ body }} {ERRORS} }} }}"""
PUBLISH = f"""mutation ($id: ID!) {{ publishBulletin(id: $id) {{ ... on Bulletin {{ status publishedOn }} {ERRORS} }} }}"""
LIST = "{ bulletins(first: 100) { totalCount nodes { id status } } }"
NODE = "query ($id: ID!) { node(id: $id) { ... on Bulletin { id title status } } }"
DOCUMENT = f"""mutation ($id: ID!) {{ generateBulletinDocument(id: $id) {{ ... on BulletinDocumentLink {{ url filename }} {ERRORS} }} }}"""


@dataclass
class Setting:
    unit: Unit = None  # type: ignore[assignment]
    public: Power = None  # type: ignore[assignment]
    secret: Power = None  # type: ignore[assignment]
    tokens: dict[str, str | None] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def s(database: str) -> Setting:
    s = Setting(unit=await make_unit(name=f"测试住建局{unique('')}"))
    s.public = await published_power(s.unit, name=power_name("建筑工程施工许可"))
    s.secret = await published_power(s.unit, name=power_name("涉密工程的监督检查"), confidential=True, **SECRECY)
    long_ago = today() - datetime.timedelta(days=90)
    for power in (s.public, s.secret):  # a change notice of each, overdue
        notice = await power_changed(CLI, power, "power.update", fields=["time_limit"])
        assert notice is not None
        await ChangeNotice.filter(id=notice.id).update(opened_on=long_ago, due_on=long_ago + datetime.timedelta(days=28))
        # a complaint about each, waiting past its deadline, the first one naming its complainant
        data = complaints.ComplaintData("办事拖延", "超过承诺时限未办结。", power_id=power.id, complainant_name=COMPLAINANT if power is s.public else "")
        await complaints.file_complaint(CLI, data, long_ago)
    seats = await seat_tokens()
    s.tokens = {
        "public": None, "staff": await token_for(Role.UNIT_STAFF, s.unit), "inspector": await token_for(Role.INSPECTOR),
        "openness": seats[ReviewSeat.OPENNESS_OFFICE], "legal": seats[ReviewSeat.LEGAL_AFFAIRS], "admin": await token_for(Role.ADMIN),
    }  # fmt: skip
    return s


async def test_a_bulletin_is_drafted_from_the_data_without_any_confidential_power(client: httpx.AsyncClient, s: Setting) -> None:
    for who in ("public", "staff", "inspector", "legal", "admin"):
        refused = (await gql_data(client, DRAFT, {"title": "通报", "number": ""}, s.tokens[who]))["draftBulletin"]
        assert refused["__typename"] == "PermissionDeniedError", who
    bad = (await gql_data(client, DRAFT, {"title": " ", "number": "x" * 101}, s.tokens["openness"]))["draftBulletin"]
    assert {(e["field"], e["code"]) for e in bad["errors"]} == {("title", "required"), ("number", "too_long")}
    done = (await gql_data(client, DRAFT, {"title": "关于清权确权工作进展情况的通报", "number": "测试清权办通报〔2026〕1号"}, s.tokens["openness"]))
    bulletin = done["draftBulletin"]
    body = bulletin["body"]
    assert bulletin["status"] == "DRAFT" and bulletin["paragraphs"][0] == "一、工作进展"
    assert s.unit.name in body
    # one overdue change notice and one overdue complaint counted for the unit: those of the confidential power are not
    assert "逾期未作变更说明的：" in body and f"{s.unit.name}1项" in body and f"{s.unit.name}2项" not in body
    assert f"{s.unit.name}1件" in body and f"{s.unit.name}2件" not in body
    for hidden in (s.secret.name, s.secret.code, s.public.code, COMPLAINANT):
        assert hidden not in body


async def test_edit_publish_and_what_each_caller_reads(client: httpx.AsyncClient, s: Setting) -> None:
    openness = s.tokens["openness"]
    made = (await gql_data(client, DRAFT, {"title": "关于投诉办理情况的通报", "number": "测试清权办通报〔2026〕2号"}, openness))["draftBulletin"]
    bid = made["id"]
    # a draft: oversight roles only
    for who, token in s.tokens.items():
        listed = {n["id"] for n in (await gql_data(client, LIST, None, token))["bulletins"]["nodes"]}
        node = (await gql_data(client, NODE, {"id": bid}, token))["node"]
        seen = who in ("inspector", "openness", "legal", "admin")
        assert (bid in listed, node is not None) == (seen, seen), who
    assert (await gql_data(client, DOCUMENT, {"id": bid}))["generateBulletinDocument"]["__typename"] == "NotFoundError"
    # a text naming a complainant is refused at publication, nothing published
    naming = f"一、投诉处理\n{COMPLAINANT}反映的问题已经办结。"
    assert (await gql_data(client, UPDATE, {"id": bid, "input": {"body": naming}}, openness))["updateBulletin"]["body"] == naming
    refused = (await gql_data(client, PUBLISH, {"id": bid}, openness))["publishBulletin"]
    assert refused["errors"] == [{"field": "body", "code": "personal_data"}]
    assert (await Bulletin.get(id=_pk(bid))).status == BulletinStatus.DRAFT
    assert (await gql_data(client, PUBLISH, {"id": bid}, s.tokens["inspector"]))["publishBulletin"]["__typename"] == "PermissionDeniedError"
    text = "一、投诉处理\n群众反映的问题已经全部办结。\n二、下一步工作\n各单位要按时作出变更说明。"
    await gql_data(client, UPDATE, {"id": bid, "input": {"body": text}}, openness)
    published = (await gql_data(client, PUBLISH, {"id": bid}, openness))["publishBulletin"]
    assert published == {"__typename": "Bulletin", "status": "PUBLISHED", "publishedOn": today().isoformat()}
    assert (await gql_data(client, UPDATE, {"id": bid, "input": {"title": "改"}}, openness))["updateBulletin"]["__typename"] == "IllegalTransitionError"
    assert (await gql_data(client, NODE, {"id": bid}))["node"]["status"] == "PUBLISHED"
    assert bid in {n["id"] for n in (await gql_data(client, LIST))["bulletins"]["nodes"]}
    # the Word 通报, for anyone
    link = (await gql_data(client, DOCUMENT, {"id": bid}))["generateBulletinDocument"]
    response = await client.get(link["url"])
    assert response.status_code == 200 and "no-store" in response.headers["cache-control"]
    doc = open_docx(response.content)
    words = all_text(doc)
    for expected in ("清权确权工作领导小组办公室", "测试清权办通报〔2026〕2号", "关于投诉办理情况的通报", "各乡镇人民政府，县直各单位：",
                     "群众反映的问题已经全部办结。", f"{today().year}年{today().month}月{today().day}日"):  # fmt: skip
        assert expected in words, expected
    section = doc.sections[0]
    page = (section.page_width, section.page_height, section.top_margin, section.left_margin)
    assert [round(length.mm) for length in page] == [210, 297, 37, 28]  # A4, the 公文 margins (twips round the mm)
    assert runs_without_east_asia(doc) == []
    forged = link["url"][:-3] + ("AAA" if not link["url"].endswith("AAA") else "BBB")
    assert (await client.get(forged)).status_code == 404


def _pk(global_id: str) -> int:
    from resolvers.ids import parse_id

    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_the_draft_never_counts_a_complaint_about_a_confidential_power_alone(s: Setting) -> None:
    """Remove the public power's complaint: the unit's overdue complaints vanish from the draft, though the
    confidential power's one still waits."""
    from domain.bulletins import draft_text

    kept = await Complaint.filter(power_id=s.public.id).values_list("id", flat=True)
    await Complaint.filter(id__in=kept).update(status="ANSWERED")
    try:
        body = await draft_text(today())
        assert f"{s.unit.name}1件" not in body and s.unit.name + "2件" not in body
    finally:
        await Complaint.filter(id__in=kept).update(status="RECEIVED")
