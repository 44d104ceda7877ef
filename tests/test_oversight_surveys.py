"""明查暗访 and 民意测验 (issue 24, item 3): inspections name their method and may target a power or a network;
a 民意测验 is a public survey anyone answers without a token (rate-limited per client address), whose results
the unit and oversight roles read, while the public sees the survey only while it is open and then its
published summary alone."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette

from domain.access import CLI, Viewer
from domain.enums import DisclosureScope, InspectionKind, InspectionMethod, Network, ReviewSeat, Role
from domain.loop_models import NetworkProfile, Survey, SurveyResponse
from domain.models import Power, Unit
from domain.networks import set_lead
from domain.workdays import today
from domain.workflow_models import Inspection
from qingquan.app import create_app
from qingquan.settings import Settings
from resolvers.ids import encode_id
from tests.factories import make_unit, power_name, unique
from tests.helpers import caller, gql_data, token_for
from tests.oversight_factories import ERRORS
from tests.workflow_factories import published_power, seat_tokens

LIMIT = 3
_hosts = itertools.count(1)
QUESTIONS = [
    {"text": "您对该单位办事效率是否满意？", "options": ["满意", "基本满意", "不满意"]},
    {"text": "办事过程中是否遇到吃拿卡要？", "options": ["没有", "有"]},
]
OPEN = f"""mutation ($input: OpenSurveyInput!) {{ openSurvey(input: $input) {{
  ... on Survey {{ id title open unit {{ code }} power {{ code }} questions {{ text options }} }} {ERRORS} }} }}"""
ANSWER = f"""mutation ($id: ID!, $choices: [Int!]!) {{ answerSurvey(surveyId: $id, choices: $choices) {{
  ... on SurveyAnswerReceipt {{ receivedOn survey {{ id responseCount }} }}
  ... on RateLimitedError {{ retryAfterSeconds }} {ERRORS} }} }}"""
READ = """query ($id: ID!) { node(id: $id) { ... on Survey { title open summary responseCount
  results { text options { option count } } } } }"""
PUBLISH = f"""mutation ($id: ID!, $summary: String) {{ publishSurveySummary(id: $id, summary: $summary) {{
  ... on Survey {{ summary summaryPublishedOn open }} {ERRORS} }} }}"""


def new_host() -> str:
    return f"198.51.100.{next(_hosts)}"


def limited_app() -> Starlette:
    return create_app(Settings(complaint_rate_limit=LIMIT, complaint_rate_window=3600), manage_db=False)


@dataclass
class Setting:
    unit: Unit = None  # type: ignore[assignment]
    power: Power = None  # type: ignore[assignment]
    tokens: dict[str, str | None] = field(default_factory=dict)
    app: Starlette = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
async def s(database: str) -> Setting:
    s = Setting(unit=await make_unit(name=f"测试行政服务中心{unique('')}"))
    s.power = await published_power(s.unit, name=power_name("企业投资项目备案"))
    other = await make_unit()
    seats = await seat_tokens()
    s.tokens = {
        "public": None, "other staff": await token_for(Role.UNIT_STAFF, other),
        "staff": await token_for(Role.UNIT_STAFF, s.unit), "inspector": await token_for(Role.INSPECTOR),
        "openness": seats[ReviewSeat.OPENNESS_OFFICE], "legal": seats[ReviewSeat.LEGAL_AFFAIRS],
        "admin": await token_for(Role.ADMIN), "lead": await token_for(Role.UNIT_LEAD, s.unit),
    }  # fmt: skip
    s.app = limited_app()
    return s


def survey_input(s: Setting, **over: object) -> dict[str, object]:
    start = today() - datetime.timedelta(days=1)
    return {
        "title": "行政服务中心群众满意度测评", "questions": QUESTIONS, "opensOn": start.isoformat(),
        "closesOn": (start + datetime.timedelta(days=30)).isoformat(), "unitId": encode_id("Unit", s.unit.id), **over,
    }  # fmt: skip


async def open_survey(client: httpx.AsyncClient, s: Setting, who: str = "inspector", **over: object) -> dict:
    return (await gql_data(client, OPEN, {"input": survey_input(s, **over)}, s.tokens[who]))["openSurvey"]


async def test_only_the_inspectors_and_the_openness_office_open_surveys(client: httpx.AsyncClient, s: Setting) -> None:
    before = await Survey.all().count()
    for who in ("public", "staff", "lead", "legal", "admin"):
        assert (await open_survey(client, s, who))["__typename"] == "PermissionDeniedError", who
    assert await Survey.all().count() == before
    for who in ("inspector", "openness"):
        made = await open_survey(client, s, who, powerId=encode_id("Power", s.power.id), unitId=None)
        assert made["__typename"] == "Survey" and made["open"] and made["unit"] == {"code": s.unit.code}, who
        assert made["power"] == {"code": s.power.code} and made["questions"] == QUESTIONS


async def test_bad_surveys_are_refused_with_typed_errors_and_nothing_written(client: httpx.AsyncClient, s: Setting) -> None:
    before = await Survey.all().count()
    start = today()
    bad = [
        ({"questions": []}, {("questions", "out_of_range")}),
        ({"questions": [{"text": "只有一个选项？", "options": ["是"]}]}, {("questions.0.options", "out_of_range")}),
        ({"questions": [{"text": " ", "options": ["是", "是"]}]}, {("questions.0.text", "required"), ("questions.0.options", "duplicate")}),
        ({"opensOn": start.isoformat(), "closesOn": (start - datetime.timedelta(days=1)).isoformat()}, {("closesOn", "out_of_order")}),
        ({"closesOn": (start + datetime.timedelta(days=200)).isoformat()}, {("closesOn", "out_of_range")}),
        ({"unitId": None}, {("unitId", "required")}),
        ({"title": "x" * 201}, {("title", "too_long")}),
    ]
    for over, expected in bad:
        body = await open_survey(client, s, **over)
        assert {(e["field"], e["code"]) for e in body["errors"]} == expected, over
    # a power the public does not see cannot be surveyed in public, whoever asks: as if it did not exist
    limited = await published_power(s.unit, name=power_name("依申请公开的事项"), disclosure_scope=DisclosureScope.LIMITED)
    secret = await published_power(s.unit, name=power_name("涉密事项"), confidential=True,
                                   confidentiality_reason="涉密", confidentiality_basis="保密法")  # fmt: skip
    for power in (limited, secret):
        body = await open_survey(client, s, powerId=encode_id("Power", power.id), unitId=None)
        assert body["errors"] == [{"field": "powerId", "code": "not_found"}]
    assert await Survey.all().count() == before


async def test_anyone_answers_the_unit_and_oversight_read_the_results_the_public_only_the_summary(
    client: httpx.AsyncClient, s: Setting
) -> None:
    survey_id = (await open_survey(client, s))["id"]
    for choices in ([0, 0], [0, 1], [2, 0]):
        async with caller(s.app, new_host()) as anon:
            done = (await gql_data(anon, ANSWER, {"id": survey_id, "choices": choices}))["answerSurvey"]
        assert done["__typename"] == "SurveyAnswerReceipt" and done["survey"]["responseCount"] is None
    results = [
        {"text": QUESTIONS[0]["text"], "options": [{"option": "满意", "count": 2}, {"option": "基本满意", "count": 0}, {"option": "不满意", "count": 1}]},
        {"text": QUESTIONS[1]["text"], "options": [{"option": "没有", "count": 2}, {"option": "有", "count": 1}]},
    ]  # fmt: skip
    for who, token in s.tokens.items():
        read = (await gql_data(client, READ, {"id": survey_id}, token))["node"]
        insider = who in ("staff", "lead", "inspector", "openness", "legal", "admin")
        assert read["open"] and read["summary"] is None, who
        assert (read["responseCount"], read["results"]) == ((3, results) if insider else (None, None)), who
    # answers hold the choices and nothing else
    assert sorted(r.choices for r in await SurveyResponse.filter(survey_id=await _pk(survey_id))) == [[0, 0], [0, 1], [2, 0]]
    # the summary, drafted from the results, is published; the survey closes; the public reads the summary alone
    assert (await gql_data(client, PUBLISH, {"id": survey_id}, s.tokens["staff"]))["publishSurveySummary"]["__typename"] == "PermissionDeniedError"
    published = (await gql_data(client, PUBLISH, {"id": survey_id}, s.tokens["openness"]))["publishSurveySummary"]
    assert published["summaryPublishedOn"] == today().isoformat() and not published["open"]
    assert "共收回有效答卷3份" in published["summary"] and "满意2份（66.7%）" in published["summary"]
    public = (await gql_data(client, READ, {"id": survey_id}))["node"]
    assert public["summary"] == published["summary"] and public["responseCount"] is None and public["results"] is None
    async with caller(s.app, new_host()) as anon:
        late = (await gql_data(anon, ANSWER, {"id": survey_id, "choices": [0, 0]}))["answerSurvey"]
    assert late["__typename"] == "IllegalTransitionError"
    again = (await gql_data(client, PUBLISH, {"id": survey_id}, s.tokens["inspector"]))["publishSurveySummary"]
    assert again["__typename"] == "IllegalTransitionError"


async def _pk(global_id: str) -> int:
    from resolvers.ids import parse_id

    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_bad_answers_are_refused_and_anonymous_ones_are_rate_limited(client: httpx.AsyncClient, s: Setting) -> None:
    survey_id = (await open_survey(client, s))["id"]
    pk = await _pk(survey_id)
    host = new_host()
    async with caller(s.app, host) as anon:
        for choices, expected in (([0], {("choices", "mismatch")}), ([3, 0], {("choices.0", "out_of_range")}), ([0, -1], {("choices.1", "out_of_range")})):
            body = (await gql_data(anon, ANSWER, {"id": survey_id, "choices": choices}))["answerSurvey"]
            assert {(e["field"], e["code"]) for e in body["errors"]} == expected, choices
        assert (await gql_data(anon, ANSWER, {"id": survey_id, "choices": [1, 1]}))["answerSurvey"]["__typename"] == "RateLimitedError"
    assert await SurveyResponse.filter(survey_id=pk).count() == 0 and (await Survey.get(id=pk)).response_count == 0
    # staff with a token are not limited; a survey not yet open is hidden from the public and refused as not found
    future = (await open_survey(
        client, s, opensOn=(today() + datetime.timedelta(days=5)).isoformat(), closesOn=(today() + datetime.timedelta(days=9)).isoformat()
    ))["id"]  # fmt: skip
    async with caller(s.app, new_host()) as anon:
        assert (await gql_data(anon, ANSWER, {"id": future, "choices": [0, 0]}))["answerSurvey"]["__typename"] == "NotFoundError"
        assert (await gql_data(anon, READ, {"id": future}))["node"] is None
    assert (await gql_data(client, READ, {"id": future}, s.tokens["staff"]))["node"]["open"] is False


LIST = """query ($unit: ID) { surveys(first: 50, unitId: $unit) { totalCount nodes { id } } }"""


async def test_the_public_list_holds_open_and_summarised_surveys_and_none_on_a_power_hidden_since(
    client: httpx.AsyncClient, s: Setting
) -> None:
    unit = await make_unit()
    power = await published_power(unit, name=power_name("先公开后收窄的事项"))
    mine = dict(s.__dict__)
    mine["unit"] = unit
    t = Setting(**mine)
    open_ = (await open_survey(client, t))["id"]
    on_power = (await open_survey(client, t, powerId=encode_id("Power", power.id), unitId=None))["id"]
    closed = (await open_survey(
        client, t, opensOn=(today() - datetime.timedelta(days=20)).isoformat(), closesOn=(today() - datetime.timedelta(days=10)).isoformat()
    ))["id"]  # fmt: skip
    unit_id = encode_id("Unit", unit.id)
    shown = {n["id"] for n in (await gql_data(client, LIST, {"unit": unit_id}))["surveys"]["nodes"]}
    assert shown == {open_, on_power}  # the closed one has no published summary
    await Power.filter(id=power.id).update(disclosure_scope=DisclosureScope.INTERNAL)
    listed = (await gql_data(client, LIST, {"unit": unit_id}))["surveys"]
    assert {n["id"] for n in listed["nodes"]} == {open_} and listed["totalCount"] == 1
    own = (await gql_data(client, LIST, {"unit": unit_id}, await token_for(Role.UNIT_STAFF, unit)))["surveys"]
    assert {n["id"] for n in own["nodes"]} == {open_, on_power, closed}


INSPECT = f"""mutation ($input: RecordInspectionInput!) {{ recordInspection(input: $input) {{
  ... on Inspection {{ method network unit {{ code }} power {{ code }} survey {{ title }} }} {ERRORS} }} }}"""


def inspection(**over: object) -> dict[str, object]:
    return {"kind": "SPECIAL", "inspectedOn": today().isoformat(), "findings": "窗口人员不在岗。", "score": 75, **over}


async def test_inspections_name_their_method_and_target_a_unit_a_power_a_network_or_a_survey(
    client: httpx.AsyncClient, s: Setting
) -> None:
    inspector = s.tokens["inspector"]
    power_id = encode_id("Power", s.power.id)
    done = (await gql_data(client, INSPECT, {"input": inspection(method="COVERT", powerId=power_id)}, inspector))["recordInspection"]
    assert done == {"__typename": "Inspection", "method": "COVERT", "network": None, "unit": {"code": s.unit.code},
                    "power": {"code": s.power.code}, "survey": None}  # fmt: skip
    survey_id = (await open_survey(client, s))["id"]
    done = (await gql_data(client, INSPECT, {"input": inspection(method="SURVEY", surveyId=survey_id)}, inspector))["recordInspection"]
    assert done["unit"] == {"code": s.unit.code} and done["survey"] == {"title": "行政服务中心群众满意度测评"}
    network = Network.PROPERTY_RIGHTS_TRADING
    previous = await NetworkProfile.get_or_none(network=network)
    await set_lead(CLI, network, s.unit.id)
    done = (await gql_data(client, INSPECT, {"input": inspection(method="OPEN", network=network.value)}, inspector))["recordInspection"]
    assert (done["network"], done["unit"]) == (network.value, {"code": s.unit.code})
    before = await Inspection.all().count()
    other = encode_id("Unit", (await make_unit()).id)
    bad = [
        (inspection(method="SURVEY"), {("surveyId", "required")}),
        (inspection(method="OPEN", surveyId=survey_id, unitId=encode_id("Unit", s.unit.id)), {("surveyId", "invalid")}),
        (inspection(), {("unitId", "required")}),
        (inspection(powerId=power_id, unitId=other), {("powerId", "mismatch")}),
        (inspection(powerId=encode_id("Power", 2**31 - 1)), {("powerId", "not_found")}),
    ]
    for data, expected in bad:
        body = (await gql_data(client, INSPECT, {"input": data}, inspector))["recordInspection"]
        assert {(e["field"], e["code"]) for e in body["errors"]} == expected, data
    await set_lead(CLI, network, None)
    try:
        body = (await gql_data(client, INSPECT, {"input": inspection(network=network.value)}, inspector))["recordInspection"]
        assert body["errors"] == [{"field": "unitId", "code": "required"}]
    finally:
        await set_lead(CLI, network, previous.lead_unit_id if previous else None)
    assert await Inspection.all().count() == before
    # the unit reads its inspections with their method; another unit none of them
    read = """{ inspections(first: 50) { nodes { method power { code } } } }"""
    own = (await gql_data(client, read, None, s.tokens["staff"]))["inspections"]["nodes"]
    assert {"method": "COVERT", "power": {"code": s.power.code}} in own
    assert (await gql_data(client, read, None, s.tokens["other staff"]))["inspections"]["nodes"] == []


async def test_a_draft_power_an_inspection_names_is_not_deleted_nor_a_unit_that_leads_a_network(s: Setting) -> None:
    from domain.errors import ValidationFailed
    from domain.inspections import InspectionData, record_inspection
    from domain.services.powers import delete_power
    from domain.services.units import delete_unit
    from tests.factories import make_power

    unit = await make_unit()
    draft = await make_power(unit, name=power_name("草稿职权"))
    await record_inspection(
        Viewer(role=Role.INSPECTOR, name="监察局"),
        InspectionData(None, InspectionKind.SPECIAL, today(), "暗访发现问题。", 70, method=InspectionMethod.COVERT, power_id=draft.id),
    )
    with pytest.raises(ValidationFailed) as refused:
        await delete_power(CLI, draft.id)
    assert refused.value.errors[0].code == "in_use" and "检查记录" in refused.value.errors[0].message
    leader = await make_unit()
    network = Network.CIVIL_SERVANT_RECRUITMENT
    before = await NetworkProfile.get_or_none(network=network)
    await set_lead(CLI, network, leader.id)
    try:
        with pytest.raises(ValidationFailed) as refused:
            await delete_unit(CLI, leader.id)
        assert "牵头的网络" in refused.value.errors[0].message
    finally:
        await set_lead(CLI, network, before.lead_unit_id if before else None)
