"""公示 and 征求意见 over real HTTP: a unit freezes a 公示稿 of its draft powers; the public (and other units'
staff) read it only during the period, never the draft or a later edit; comments are rate-limited,
moderated and kept from the public until published; names and contacts reach only the unit and
oversight; the response cache cannot serve a 公示稿 once its period is over; the 登记表 prints the comments."""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain import comment_models as cm
from domain import workdays
from domain.enums import DisclosureScope, Role
from domain.models import AuditEvent, Power, Unit
from domain.workdays import WorkCalendar
from schema.relay import encode_id
from search import SearchBackend
from search.indexer import drain
from tests.docx_checks import data_rows, open_docx
from tests.factories import make_unit, power_name, staff_of, unique
from tests.helpers import app_client, caller, count_queries, gql_data, token_for
from tests.workflow_factories import based_power, charted, published_power

OPEN = """mutation ($input: OpenCommentPeriodInput!) { openCommentPeriod(input: $input) {
  __typename
  ... on CommentPeriod { id title startsOn endsOn workdays status openedBy
    drafts { id code name label draftForComment rules { timeLimit feeStandard }
      bases { citation articleLabel articleText } flowChart { steps { name } } } }
  ... on ValidationErrors { message errors { field message code } }
  ... on PermissionDeniedError { message }
} }"""
CLOSE = """mutation ($id: ID!) { closeCommentPeriod(id: $id, reason: "征求意见已充分") {
  __typename ... on CommentPeriod { status closedOn } ... on IllegalTransitionError { action currentStatus }
  ... on PermissionDeniedError { message } ... on NotFoundError { message } } }"""
COMMENT = """mutation ($input: CommentOnDraftInput!) { commentOnDraft(input: $input) {
  __typename ... on CommentReceived { id: commentId status message }
  ... on ValidationErrors { errors { field code } } ... on NotFoundError { message }
  ... on RateLimitedError { retryAfterSeconds } } }"""
MODERATE = """mutation ($id: ID!, $input: ModerateCommentInput!) { moderateComment(id: $id, input: $input) {
  __typename ... on PublicComment { status answer hiddenReason }
  ... on ValidationErrors { errors { field code } } ... on IllegalTransitionError { action currentStatus }
  ... on PermissionDeniedError { message } ... on NotFoundError { message } } }"""
# a period's drafts count as 200 in the node limit (schema/limits.py): pages small enough to stay under it
PERIODS = """query ($unit: ID!) { commentPeriods(unitId: $unit, first: 5) { totalCount edges { node {
  id title status openedBy drafts { id name label comments(first: 5) { totalCount edges { node {
    body answer status commenterName commenterContact } } } } } } } }"""
NODE = """query ($id: ID!) { node(id: $id) { __typename
  ... on CommentDraft { name label draftForComment power { name } period { title } }
  ... on CommentPeriod { title status }
  ... on PublicComment { body commenterName }
  ... on Power { name } } }"""
COMMENTS = """query ($draft: ID!) { draftComments(filter: { draftId: $draft }) { totalCount edges { node {
  id body answer status commenterName commenterContact hiddenReason moderatedBy } } } }"""
POWERS = """query ($unit: ID!) { powers(first: 50, filter: { unitId: $unit }) { totalCount edges { node { name } } } }"""


@pytest.fixture(scope="module")
async def client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, its comment limit out of the way (every test here comments from one address)."""
    async with app_client(comment_rate_limit=100_000) as c:
        yield c


async def workday_on_or_after(day: datetime.date) -> datetime.date:
    calendar = await WorkCalendar.load()
    while not calendar.is_workday(day):
        day += datetime.timedelta(days=1)
    return day


async def draft_power(unit: Unit, **fields: object) -> Power:
    """A DRAFT power with a basis and a two-step flow chart."""
    return await charted(await based_power(unit, name=power_name(fields.pop("name", "对违反测试管理规定行为的行政处罚")), **fields))


async def open_period(client: httpx.AsyncClient, token: str | None, unit: Unit, powers: list[Power], **input: object) -> dict:
    variables = {"input": {"unitId": encode_id("Unit", unit.id), "powerIds": [encode_id("Power", p.id) for p in powers],
                           "title": "大余县测试局职权清理结果公示", "workdays": 5, **input}}  # fmt: skip
    return (await gql_data(client, OPEN, variables, token))["openCommentPeriod"]


async def comment(client: httpx.AsyncClient, draft_id: str, body: str, token: str | None = None, **extra: str) -> dict:
    return (await gql_data(client, COMMENT, {"input": {"draftId": draft_id, "body": body, **extra}}, token))["commentOnDraft"]


async def moderate(client: httpx.AsyncClient, token: str, comment_id: str, **input: object) -> dict:
    return (await gql_data(client, MODERATE, {"id": comment_id, "input": input}, token))["moderateComment"]


async def node(client: httpx.AsyncClient, id_: str, token: str | None = None) -> dict | None:
    return (await gql_data(client, NODE, {"id": id_}, token))["node"]


class Setting:
    """A unit with two draft powers up for comment, its staff's token, another unit's staff's token."""

    unit: Unit
    powers: list[Power]
    period: dict
    staff: str
    other: str


async def setting(client: httpx.AsyncClient, **input: object) -> Setting:
    s = Setting()
    s.unit = await make_unit(name=f"{unique('测试局')}")
    s.powers = [await draft_power(s.unit), await draft_power(s.unit, name="对测试事项的行政许可")]
    s.staff = await token_for(Role.UNIT_STAFF, s.unit)
    s.other = await token_for(Role.UNIT_STAFF, await make_unit())
    s.period = await open_period(client, s.staff, s.unit, s.powers, **input)
    assert s.period["__typename"] == "CommentPeriod", s.period
    return s


async def test_opening_freezes_a_comment_version_of_each_draft_power(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    p = s.period
    today = workdays.today()
    assert p["startsOn"] == today.isoformat() and p["workdays"] == 5
    due = (await WorkCalendar.load()).add_workdays(today - datetime.timedelta(days=1), 5).day
    assert p["endsOn"] == due.isoformat()  # 5 working days counting the first: holidays and 调休 included
    assert p["status"] == "OPEN" and p["openedBy"]
    assert [d["code"] for d in p["drafts"]] == [x.code for x in s.powers]
    first = p["drafts"][0]
    assert first["label"] == "征求意见稿" and first["draftForComment"] is True and first["name"] == s.powers[0].name
    assert first["bases"][0]["articleText"] == "第1条的内容。" and first["bases"][0]["citation"].startswith("《测试管理法")
    assert [step["name"] for step in first["flowChart"]["steps"]] == ["受理", "决定"]
    assert await AuditEvent.filter(action="comment_period.open", entity_id=str(await _pk(p["id"]))).count() == 1


async def test_the_public_reads_the_frozen_text_never_the_draft_nor_a_later_edit(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    draft = s.period["drafts"][0]
    frozen = draft["name"]
    edit = """mutation ($id: ID!, $name: String!) { updatePower(id: $id, input: { name: $name }) { __typename } }"""
    done = await gql_data(client, edit, {"id": encode_id("Power", s.powers[0].id), "name": power_name("改后的名称")}, s.staff)
    assert done["updatePower"]["__typename"] == "Power"
    for token in (None, s.other):  # the public, and another unit's staff, see the same
        seen = await node(client, draft["id"], token)
        assert seen is not None and seen["name"] == frozen and seen["label"] == "征求意见稿"
        assert seen["power"] is None  # never the draft itself
        assert await node(client, encode_id("Power", s.powers[0].id), token) is None
        powers = (await gql_data(client, POWERS, {"unit": encode_id("Unit", s.unit.id)}, token))["powers"]
        assert powers["totalCount"] == 0 and powers["edges"] == []
        periods = (await gql_data(client, PERIODS, {"unit": encode_id("Unit", s.unit.id)}, token))["commentPeriods"]
        assert periods["totalCount"] == 1 and periods["edges"][0]["node"]["openedBy"] is None
        assert [d["name"] for d in periods["edges"][0]["node"]["drafts"]] == [frozen, s.period["drafts"][1]["name"]]
    own = await node(client, draft["id"], s.staff)
    assert own["name"] == frozen and own["power"]["name"] != frozen  # the unit sees both: the 公示稿 stays frozen


async def test_a_draft_marked_confidential_during_its_period_leaves_the_public_view(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    secret, kept = s.period["drafts"]
    edit = """mutation ($id: ID!) { updatePower(id: $id, input: { confidential: true, confidentialityReason: "涉及国家秘密",
      confidentialityBasis: "保密法第九条" }) { __typename } }"""
    assert (await gql_data(client, edit, {"id": encode_id("Power", s.powers[0].id)}, s.staff))["updatePower"]["__typename"] == "Power"
    for token in (None, s.other):
        assert await node(client, secret["id"], token) is None
        periods = (await gql_data(client, PERIODS, {"unit": encode_id("Unit", s.unit.id)}, token))["commentPeriods"]
        assert [d["id"] for d in periods["edges"][0]["node"]["drafts"]] == [kept["id"]]
        assert (await comment(client, secret["id"], "意见", token))["__typename"] == "NotFoundError"
    assert (await node(client, secret["id"], s.staff))["name"] == secret["name"]


async def test_only_a_power_disclosed_to_the_public_is_put_up_for_comment(client: httpx.AsyncClient) -> None:
    """A draft meant for the leadership or the unit alone never goes public through its 公示稿: refused at
    opening, and one narrowed during its period leaves the public view."""
    unit = await make_unit()
    staff, lead = await token_for(Role.UNIT_STAFF, unit), await token_for(Role.UNIT_LEAD, unit)
    for scope in (DisclosureScope.LEADERSHIP, DisclosureScope.INTERNAL, DisclosureScope.LIMITED):
        narrow = await draft_power(unit, disclosure_scope=scope)
        refused = await open_period(client, lead, unit, [narrow])
        assert [e["code"] for e in refused["errors"]] == ["not_public"], refused
        # the unit's staff do not see a LEADERSHIP power at all: to them it is not found, as one that does not exist
        by_staff = await open_period(client, staff, unit, [narrow])
        expected = "not_found" if scope == DisclosureScope.LEADERSHIP else "not_public"
        assert [e["code"] for e in by_staff["errors"]] == [expected], by_staff
    s = await setting(client)
    narrowed, kept = s.period["drafts"]
    s_lead = await token_for(Role.UNIT_LEAD, s.unit)  # the staff may not narrow a power to the leadership
    edit = """mutation ($id: ID!) { updatePower(id: $id, input: { disclosureScope: LEADERSHIP }) { __typename } }"""
    assert (await gql_data(client, edit, {"id": encode_id("Power", s.powers[0].id)}, s_lead))["updatePower"]["__typename"] == "Power"
    for token in (None, s.other, s.staff):
        assert await node(client, narrowed["id"], token) is None
    for token in (None, s.other):
        periods = (await gql_data(client, PERIODS, {"unit": encode_id("Unit", s.unit.id)}, token))["commentPeriods"]
        assert [d["id"] for d in periods["edges"][0]["node"]["drafts"]] == [kept["id"]]
    assert (await node(client, narrowed["id"], s_lead))["name"] == narrowed["name"]


async def test_comments_on_a_draft_narrowed_to_the_leadership_leave_its_staffs_view(client: httpx.AsyncClient) -> None:
    """Narrowed to 领导班子内公开 during its period, a 公示稿 takes its comments with it: by node, by draft,
    by period or by unit, the unit's staff find none of them (its lead finds them all), as no outsider does."""
    s = await setting(client)
    narrowed, kept = s.period["drafts"]
    on_narrowed = (await comment(client, narrowed["id"], "建议公开办理进度。"))["id"]
    on_kept = (await comment(client, kept["id"], "时限过长。"))["id"]
    lead = await token_for(Role.UNIT_LEAD, s.unit)
    edit = """mutation ($id: ID!) { updatePower(id: $id, input: { disclosureScope: LEADERSHIP }) { __typename } }"""
    assert (await gql_data(client, edit, {"id": encode_id("Power", s.powers[0].id)}, lead))["updatePower"]["__typename"] == "Power"
    listings = """query ($draft: ID!, $period: ID!, $unit: ID!) {
      byDraft: draftComments(filter: { draftId: $draft }) { totalCount edges { node { id } } }
      byPeriod: draftComments(filter: { periodId: $period }) { totalCount edges { node { id } } }
      byUnit: draftComments(filter: { unitId: $unit }) { totalCount edges { node { id } } } }"""
    variables = {"draft": narrowed["id"], "period": s.period["id"], "unit": encode_id("Unit", s.unit.id)}
    for who, token, expected in (("staff", s.staff, {on_kept}), ("lead", lead, {on_narrowed, on_kept})):
        assert (await node(client, on_narrowed, token) is not None) is (who == "lead"), who
        found = await gql_data(client, listings, variables, token)
        assert {e["node"]["id"] for e in found["byDraft"]["edges"]} == expected & {on_narrowed}, who
        for listing in (found["byPeriod"], found["byUnit"]):
            assert {e["node"]["id"] for e in listing["edges"]} == expected and listing["totalCount"] == len(expected), who


async def test_refusals_name_each_power_only_to_who_may_see_it_and_change_nothing(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    secret = await draft_power(unit, confidential=True, confidentiality_reason="涉及国家秘密", confidentiality_basis="保密法")
    published = await published_power(unit)
    fine = await draft_power(unit)
    busy = await draft_power(unit)
    assert (await open_period(client, staff, unit, [busy]))["__typename"] == "CommentPeriod"
    other_unit = await make_unit()
    their_secret = await draft_power(other_unit, name="他单位的涉密职权", confidential=True, confidentiality_reason="涉密")
    their_public = await published_power(other_unit)
    before = await cm.CommentPeriod.all().count(), await cm.CommentDraft.all().count()
    refused = await open_period(client, staff, unit, [fine, secret, published, busy, their_secret, their_public, fine])
    assert refused["__typename"] == "ValidationErrors"
    errors = {e["field"]: e for e in refused["errors"]}
    assert {f: e["code"] for f, e in errors.items()} == {
        "powerIds.1": "confidential", "powerIds.2": "not_draft", "powerIds.3": "in_period",
        "powerIds.4": "not_found", "powerIds.5": "other_unit", "powerIds.6": "duplicate",
    }  # fmt: skip
    assert secret.code in errors["powerIds.1"]["message"]  # its own staff may see it
    assert their_secret.code not in refused["message"] and "他单位" not in refused["message"]
    assert (await cm.CommentPeriod.all().count(), await cm.CommentDraft.all().count()) == before
    for token in (None, await token_for(Role.UNIT_STAFF, other_unit)):
        denied = await open_period(client, token, unit, [fine])
        assert denied["__typename"] == "PermissionDeniedError"
    bad = await open_period(client, staff, unit, [fine], workdays=0, title=" ", startsOn="2001-01-01")
    assert {e["field"] for e in bad["errors"]} == {"workdays", "title", "startsOn"}
    assert (await cm.CommentPeriod.all().count(), await cm.CommentDraft.all().count()) == before


async def test_a_period_not_yet_begun_or_closed_early_is_the_units_alone(client: httpx.AsyncClient) -> None:
    tomorrow = workdays.today() + datetime.timedelta(days=1)
    coming = await setting(client, startsOn=tomorrow.isoformat())
    assert coming.period["status"] == "SCHEDULED"
    unit_id = encode_id("Unit", coming.unit.id)
    for token in (None, coming.other):
        assert await node(client, coming.period["id"], token) is None
        assert await node(client, coming.period["drafts"][0]["id"], token) is None
        assert (await gql_data(client, PERIODS, {"unit": unit_id}, token))["commentPeriods"]["totalCount"] == 0
        assert (await comment(client, coming.period["drafts"][0]["id"], "提前留言", token))["__typename"] == "NotFoundError"
    assert (await node(client, coming.period["id"], coming.staff))["status"] == "SCHEDULED"

    s = await setting(client)
    assert (await gql_data(client, CLOSE, {"id": s.period["id"]}, s.other))["closeCommentPeriod"]["__typename"] == "PermissionDeniedError"
    closed = (await gql_data(client, CLOSE, {"id": s.period["id"]}, s.staff))["closeCommentPeriod"]
    assert closed == {"__typename": "CommentPeriod", "status": "CLOSED", "closedOn": workdays.today().isoformat()}
    again = (await gql_data(client, CLOSE, {"id": s.period["id"]}, s.staff))["closeCommentPeriod"]
    assert again == {"__typename": "IllegalTransitionError", "action": "close", "currentStatus": "CLOSED"}
    for token in (None, s.other):
        assert await node(client, s.period["drafts"][0]["id"], token) is None
        assert (await gql_data(client, PERIODS, {"unit": encode_id("Unit", s.unit.id)}, token))["commentPeriods"]["totalCount"] == 0
    assert (await comment(client, s.period["drafts"][0]["id"], "结束后留言"))["__typename"] == "NotFoundError"
    assert (await node(client, s.period["id"], s.staff))["status"] == "CLOSED"
    reviewer = await token_for(Role.REVIEWER)
    assert (await node(client, s.period["id"], reviewer))["status"] == "CLOSED"


async def test_comments_reach_the_public_only_once_moderated_without_personal_data(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    draft = s.period["drafts"][0]["id"]
    texts = ["建议将办理时限缩短为十个工作日。我是张建国。", "收费标准应当公开。", "广告：出售发票"]
    ids = []
    for text in texts:
        received = await comment(client, draft, text, commenterName="张建国", commenterContact="13800000000")
        assert received["__typename"] == "CommentReceived" and received["status"] == "RECEIVED"
        ids.append(received["id"])
    assert (await gql_data(client, COMMENTS, {"draft": draft}))["draftComments"]["totalCount"] == 0
    assert await node(client, ids[0]) is None
    own = (await gql_data(client, COMMENTS, {"draft": draft}, s.staff))["draftComments"]
    assert own["totalCount"] == 3 and {n["node"]["commenterContact"] for n in own["edges"]} == {"13800000000"}

    answered = await moderate(client, s.staff, ids[0], action="ANSWER", answer="采纳，已将时限改为十个工作日。")
    assert answered["status"] == "ANSWERED"
    assert (await moderate(client, s.staff, ids[1], action="PUBLISH"))["status"] == "PUBLISHED"
    hidden = await moderate(client, s.staff, ids[2], action="HIDE", hiddenReason="ADVERTISING", note="广告")
    assert hidden["status"] == "HIDDEN" and hidden["hiddenReason"] == "ADVERTISING"

    for token in (None, s.other):  # the public and other units: published and answered, no name, no contact
        seen = (await gql_data(client, COMMENTS, {"draft": draft}, token))["draftComments"]
        nodes = sorted((n["node"] for n in seen["edges"]), key=lambda n: n["status"])
        assert seen["totalCount"] == 2 and [n["status"] for n in nodes] == ["ANSWERED", "PUBLISHED"]
        assert nodes[0]["answer"] == "采纳，已将时限改为十个工作日。"
        assert nodes[0]["body"] == "建议将办理时限缩短为十个工作日。我是张某。"  # the name masked in the text too
        assert all(n["commenterName"] is None and n["commenterContact"] is None and n["moderatedBy"] is None for n in nodes)
        assert "张建国" not in json.dumps(seen, ensure_ascii=False) and "出售发票" not in json.dumps(seen, ensure_ascii=False)
        periods = (await gql_data(client, PERIODS, {"unit": encode_id("Unit", s.unit.id)}, token))["commentPeriods"]
        assert periods["edges"][0]["node"]["drafts"][0]["comments"]["totalCount"] == 2
        assert await node(client, ids[2], token) is None
    for token in (s.staff, await token_for(Role.INSPECTOR)):
        seen = (await gql_data(client, COMMENTS, {"draft": draft}, token))["draftComments"]
        assert seen["totalCount"] == 3 and {n["node"]["commenterName"] for n in seen["edges"]} == {"张建国"}
    actions = await AuditEvent.filter(entity_type="public_comment", entity_id__in=[str(await _pk(i)) for i in ids]).values_list("action", "detail")
    assert sorted(a for a, _ in actions) == ["comment.answer", "comment.file", "comment.file", "comment.file", "comment.hide", "comment.publish"]
    assert "张建国" not in json.dumps([d for _, d in actions], ensure_ascii=False) and "13800000000" not in str(actions)


async def _pk(global_id: str) -> int:
    from resolvers.ids import parse_id

    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_bad_comments_and_moderation_are_typed_errors_that_change_nothing(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    draft = s.period["drafts"][0]["id"]
    before = await cm.PublicComment.all().count(), await AuditEvent.all().count()
    assert (await comment(client, draft, "  "))["errors"] == [{"field": "body", "code": "required"}]
    assert (await comment(client, draft, "长" * 2001))["errors"] == [{"field": "body", "code": "too_long"}]
    too_long = await comment(client, draft, "好", commenterName="名" * 51, commenterContact="1" * 101)
    assert {e["field"] for e in too_long["errors"]} == {"commenterName", "commenterContact"}
    assert (await comment(client, encode_id("CommentDraft", 2**31 - 1), "好"))["__typename"] == "NotFoundError"
    assert (await comment(client, "not-an-id", "好"))["errors"] == [{"field": "draftId", "code": "invalid_id"}]
    assert (await cm.PublicComment.all().count(), await AuditEvent.all().count()) == before

    received = await comment(client, draft, "请补充收费依据。")
    before = await AuditEvent.all().count()
    assert (await moderate(client, s.staff, received["id"], action="HIDE"))["errors"] == [{"field": "hiddenReason", "code": "required"}]
    assert (await moderate(client, s.staff, received["id"], action="ANSWER", answer=" "))["errors"] == [{"field": "answer", "code": "required"}]
    assert (await moderate(client, s.staff, received["id"], action="PUBLISH", hiddenReason="ABUSIVE"))["errors"] == [
        {"field": "hiddenReason", "code": "unexpected"}
    ]
    assert (await moderate(client, s.other, received["id"], action="PUBLISH"))["__typename"] == "NotFoundError"
    assert await AuditEvent.all().count() == before
    assert (await moderate(client, s.staff, received["id"], action="HIDE", hiddenReason="OFF_TOPIC"))["status"] == "HIDDEN"
    again = await moderate(client, s.staff, received["id"], action="PUBLISH")
    assert again == {"__typename": "IllegalTransitionError", "action": "publish", "currentStatus": "HIDDEN"}
    published = await comment(client, draft, "支持。")
    await moderate(client, s.staff, published["id"], action="PUBLISH")
    refused = await moderate(client, s.other, published["id"], action="HIDE", hiddenReason="ABUSIVE")
    assert refused["__typename"] == "PermissionDeniedError"  # seen (it is public), not theirs to moderate
    response = await client.post("/graphql", json={"query": MODERATE, "variables": {"id": received["id"], "input": {"action": "SHOUT"}}},
                                 headers={"Authorization": f"Bearer {s.staff}", "Accept": "application/graphql-response+json"})  # fmt: skip
    assert response.status_code == 400


_hosts = itertools.count(1)


async def test_anonymous_comments_are_rate_limited_per_address_in_their_own_scope(database: str) -> None:
    async with app_client() as c:
        s = await setting(c)
    draft = s.period["drafts"][0]["id"]
    host = f"198.18.7.{next(_hosts)}"  # a range no other test files from
    from qingquan.app import create_app
    from qingquan.settings import Settings

    app = create_app(Settings(comment_rate_limit=2, comment_rate_window=3600, complaint_rate_limit=1), manage_db=False)

    async with caller(app, host) as anon:
        results = [(await comment(anon, draft, f"意见{i}"))["__typename"] for i in range(3)]
        assert results == ["CommentReceived", "CommentReceived", "RateLimitedError"]
        complaint = """mutation ($u: ID!) { fileComplaint(input: { subject: "拖延", content: "未按时办结。", unitId: $u }) { __typename } }"""
        filed = await gql_data(anon, complaint, {"u": encode_id("Unit", s.unit.id)})
        assert filed["fileComplaint"]["__typename"] == "ComplaintReceipt"  # the complaint limit counts apart
        assert (await comment(anon, draft, "有令牌", s.staff))["__typename"] == "CommentReceived"  # tokens are not limited
    async with caller(app, f"198.18.7.{next(_hosts) + 100}") as other:
        assert (await comment(other, draft, "另一地址"))["__typename"] == "CommentReceived"


async def test_the_response_cache_cannot_serve_a_draft_once_its_period_is_over(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The county clock moves to a last working day, then to the next day, with no write in between."""
    day = await workday_on_or_after(workdays.today() + datetime.timedelta(days=30))
    monkeypatch.setattr(workdays, "today", lambda: day)
    s = await setting(client, workdays=1)
    assert s.period["endsOn"] == day.isoformat()
    params = {"query": PERIODS, "variables": json.dumps({"unit": encode_id("Unit", s.unit.id)})}
    await client.get("/graphql", params=params)  # a document is cached once known valid
    first = await client.get("/graphql", params=params)
    assert first.json()["data"]["commentPeriods"]["totalCount"] == 1
    assert first.headers["cache-control"] == "public, max-age=0, must-revalidate"
    with count_queries() as counter:
        cached = await client.get("/graphql", params=params)
    assert cached.content == first.content and counter.count == 1  # served from the cache
    monkeypatch.setattr(workdays, "today", lambda: day + datetime.timedelta(days=1))
    after = await client.get("/graphql", params=params, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.json()["data"]["commentPeriods"]["totalCount"] == 0
    assert after.headers["etag"] != first.headers["etag"] and s.period["drafts"][0]["name"] not in after.text
    assert await node(client, s.period["drafts"][0]["id"]) is None
    assert (await node(client, s.period["id"], s.staff))["status"] == "ENDED"
    assert (await comment(client, s.period["drafts"][0]["id"], "过期意见"))["__typename"] == "NotFoundError"


SEARCH = "query ($q: String!) { searchPowers(query: $q) { totalCount edges { node { power { name } } } } }"


async def test_exports_and_search_never_show_a_draft_up_for_comment(
    search_client: httpx.AsyncClient, search_backend: SearchBackend
) -> None:
    s = await setting(search_client)
    await drain(search_backend)
    name = s.powers[0].name
    catalog = await search_client.get("/open-data/catalog.json")
    assert catalog.status_code == 200 and name not in catalog.text
    for token, shown in ((None, False), (s.other, False), (s.staff, True)):
        found = (await gql_data(search_client, SEARCH, {"q": name}, token))["searchPowers"]
        assert (name in [e["node"]["power"]["name"] for e in found["edges"]]) is shown, (token, found)


async def test_the_registration_form_prints_the_comments_without_personal_data(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    draft = s.period["drafts"][0]["id"]
    ids = [(await comment(client, draft, text, commenterName="李秀英", commenterContact="lixiuying@example.cn"))["id"]
           for text in ("李秀英建议公开办理进度。", "时限过长。", "无关内容")]  # fmt: skip
    await moderate(client, s.staff, ids[0], action="ANSWER", answer="采纳，将在网站公开办理进度。")
    await moderate(client, s.staff, ids[1], action="PUBLISH")
    await moderate(client, s.staff, ids[2], action="HIDE", hiddenReason="OFF_TOPIC")
    filing = await build_filing(await staff_of(s.unit), s.unit.id, FilingForm.REGISTRATION)
    rows = {r[1]: r for r in data_rows(open_docx(filing).tables[0])}
    notes = rows[s.powers[0].code][-1]
    assert "收到意见3条，公开2条，答复1条" in notes
    assert "李某建议公开办理进度。——答复：采纳，将在网站公开办理进度。" in notes
    assert "李秀英" not in notes and "lixiuying" not in notes and "无关内容" not in notes
    assert "收到意见0条" in rows[s.powers[1].code][-1]  # put up for comment, nobody commented


# `first` written out: a variable counts as the largest page in the node limit
PAGE = """query ($unit: ID!) { commentPeriods(unitId: $unit, first: FIRST) { totalCount edges { node {
  title status unit { name } drafts { name code bases { citation } power { code }
    comments(first: 3) { totalCount edges { node { body answer commenterName draft { code } } } } } } } } }"""


async def test_a_page_of_periods_with_drafts_and_comments_costs_the_same_whatever_its_size(client: httpx.AsyncClient) -> None:
    parent = await make_unit()
    for _ in range(6):
        office = await make_unit(parent)
        token = await token_for(Role.UNIT_STAFF, office)
        period = await open_period(client, token, office, [await draft_power(office), await draft_power(office)])
        for d in period["drafts"]:
            received = await comment(client, d["id"], "建议细化条件。", commenterName="王平")
            await moderate(client, token, received["id"], action="ANSWER", answer="已细化。")
    token = await token_for(Role.UNIT_LEAD, parent)
    await gql_data(client, "{ viewer { role } }", token=token)  # a token's first use is written down: not counted
    counts = {}
    for first in (2, 6):
        with count_queries() as counter:
            data = await gql_data(client, PAGE.replace("FIRST", str(first)), {"unit": encode_id("Unit", parent.id)}, token)
        edges = data["commentPeriods"]["edges"]
        assert len(edges) == first and all(len(e["node"]["drafts"]) == 2 for e in edges)
        assert all(d["comments"]["totalCount"] == 1 and d["comments"]["edges"][0]["node"]["commenterName"] == "王平"
                   for e in edges for d in e["node"]["drafts"])  # fmt: skip
        counts[first] = counter.count
    assert counts[2] == counts[6], counts


async def test_a_power_put_up_for_comment_is_not_deleted_with_what_the_public_said(client: httpx.AsyncClient) -> None:
    s = await setting(client)
    draft = s.period["drafts"][0]
    assert (await comment(client, draft["id"], "建议明确办理时限"))["__typename"] == "CommentReceived"
    before = await cm.PublicComment.filter(draft__power_id=s.powers[0].id).count()
    delete = """mutation ($id: ID!) { deletePower(id: $id) { __typename ... on ValidationErrors { errors { field code message } } } }"""
    refused = (await gql_data(client, delete, {"id": encode_id("Power", s.powers[0].id)}, s.staff))["deletePower"]
    assert refused["__typename"] == "ValidationErrors" and refused["errors"][0]["code"] == "in_use", refused
    assert "公示" in refused["errors"][0]["message"]
    assert await Power.exists(id=s.powers[0].id)
    assert await cm.PublicComment.filter(draft__power_id=s.powers[0].id).count() == before == 1
