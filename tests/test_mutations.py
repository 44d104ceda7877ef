"""Mutations over real HTTP: the changed object or a typed error, and on error nothing changes."""

from __future__ import annotations

from typing import Any

import httpx

from domain.enums import LegalLevel, Role
from domain.models import AuditEvent
from schema.relay import encode_id, parse_id
from tests.factories import make_document, make_power, make_unit, own_code, power_name, row_counts, unique
from tests.helpers import gql_data, token_for

ERRORS = """
  __typename
  ... on ValidationErrors { message errors { field message code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
"""


def mutation(variables: str, call: str, selection: str) -> str:
    """A mutation document selecting the result type's fields and every typed error."""
    return f"mutation {variables} {{ {call} {{ {selection} {ERRORS} }} }}"


CREATE_POWER = mutation("($input: CreatePowerInput!)", "createPower(input: $input)", "... on Power { id code name status category rules { timeLimitDays } unit { code } }")
UPDATE_POWER = mutation("($id: ID!, $input: UpdatePowerInput!)", "updatePower(id: $id, input: $input)", "... on Power { id name status rules { timeLimitDays feeBasis } }")
DELETE_POWER = mutation("($id: ID!)", "deletePower(id: $id)", "... on Deleted { deletedId }")
CREATE_UNIT = mutation("($input: CreateUnitInput!)", "createUnit(input: $input)", "... on Unit { id code regionCode parent { code } }")
UPDATE_UNIT = mutation("($id: ID!, $input: UpdateUnitInput!)", "updateUnit(id: $id, input: $input)", "... on Unit { id name }")
DELETE_UNIT = mutation("($id: ID!)", "deleteUnit(id: $id)", "... on Deleted { deletedId }")
CREATE_DOCUMENT = mutation("($input: CreateLegalDocumentInput!)", "createLegalDocument(input: $input)", "... on LegalDocument { id title source articleCount articles(first: 10) { nodes { id label text } } }")
DELETE_DOCUMENT = mutation("($id: ID!)", "deleteLegalDocument(id: $id)", "... on Deleted { deletedId }")
CREATE_POSITION = mutation("($input: CreatePositionInput!)", "createPosition(input: $input)", "... on Position { id name holder }")
CREATE_BASIS = mutation("($input: CreatePowerBasisInput!)", "createPowerBasis(input: $input)", "... on PowerBasis { id ordinal article { label } }")
CREATE_CHART = mutation("($input: CreateFlowChartInput!)", "createFlowChart(input: $input)", "... on FlowChart { id title }")
CREATE_STEP = mutation("($input: CreateFlowStepInput!)", "createFlowStep(input: $input)", "... on FlowStep { id ordinal name kind position { name } }")
CREATE_EDGE = mutation("($input: CreateFlowEdgeInput!)", "createFlowEdge(input: $input)", "... on FlowEdge { id label sourceStepId targetStepId }")

POWER_BY_CODE = """
query ($code: String!) {
  power(code: $code) {
    name
    bases { ordinal note article { label document { title level } } }
    flowChart { title steps { ordinal name position { name } } edges { label sourceStepId targetStepId } }
  }
}
"""


def field_codes(result: dict[str, Any]) -> dict[str, str]:
    assert result["__typename"] == "ValidationErrors", result
    return {e["field"]: e["code"] for e in result["errors"]}


def power_input(unit_id: str, **fields: Any) -> dict[str, Any]:
    name = power_name("对违反城市道路管理规定行为的行政处罚")
    return {"unitId": unit_id, "name": name, "category": "PENALTY", **fields}


def _pk(global_id: str) -> int:
    parsed = parse_id(global_id)
    assert parsed is not None
    return parsed[1]


async def test_unit_staff_create_update_and_delete_a_power(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    token = await token_for(Role.UNIT_STAFF, unit)
    unit_gid = encode_id("Unit", unit.id)
    created_input = power_input(unit_gid, timeLimitDays=20)
    created = (await gql_data(client, CREATE_POWER, {"input": created_input}, token))["createPower"]
    assert created["__typename"] == "Power"
    assert (created["status"], created["category"], created["rules"]["timeLimitDays"]) == ("DRAFT", "PENALTY", 20)
    assert created["unit"]["code"] == unit.code

    name = power_name("新名称")
    changes = {"id": created["id"], "input": {"name": name, "feeBasis": "不收费"}}
    updated = (await gql_data(client, UPDATE_POWER, changes, token))["updatePower"]
    assert (updated["name"], updated["rules"]["timeLimitDays"], updated["rules"]["feeBasis"]) == (name, 20, "不收费")

    deleted = (await gql_data(client, DELETE_POWER, {"id": created["id"]}, token))["deletePower"]
    assert deleted == {"deletedId": created["id"], "__typename": "Deleted"}

    events = await AuditEvent.filter(entity_type="power", entity_id=str(_pk(created["id"])))
    assert [e.action for e in events] == ["power.create", "power.update", "power.delete"]
    assert {e.actor for e in events} == {f"unit_staff@{unit.code}"}


async def test_field_errors_change_nothing(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    taken = await make_power(unit, code=own_code(unit))
    token = await token_for(Role.UNIT_STAFF, unit)
    before = await row_counts()
    bad = power_input(encode_id("Unit", unit.id), name=" ", code=taken.code, timeLimitDays=-1)
    result = (await gql_data(client, CREATE_POWER, {"input": bad}, token))["createPower"]
    # a unit's staff never choose a code (domain.services.powers: "taken" would tell what they may not see)
    assert field_codes(result) == {"name": "required", "code": "forbidden", "timeLimitDays": "invalid"}
    assert all(e["message"] for e in result["errors"])
    update = {"id": encode_id("Power", taken.id), "input": {"name": None, "category": None, "disclosureForm": "x" * 201}}
    result = (await gql_data(client, UPDATE_POWER, update, token))["updatePower"]
    assert field_codes(result) == {"name": "required", "category": "required", "disclosureForm": "too_long"}
    assert await row_counts() == before


async def test_ids_of_the_wrong_type_are_field_errors(client: httpx.AsyncClient) -> None:
    power = await make_power(await make_unit())
    token = await token_for(Role.ADMIN)
    result = (await gql_data(client, CREATE_POWER, {"input": power_input(encode_id("Power", power.id))}, token))
    assert field_codes(result["createPower"]) == {"unitId": "invalid_id"}
    result = await gql_data(client, DELETE_POWER, {"id": "not-an-id"}, token)
    assert field_codes(result["deletePower"]) == {"id": "invalid_id"}


async def test_other_units_staff_and_anonymous_callers_are_refused(client: httpx.AsyncClient) -> None:
    unit, other = await make_unit(), await make_unit()
    draft = await make_power(unit)
    outsider = await token_for(Role.UNIT_LEAD, other)
    before = await row_counts()
    for token in (outsider, None):
        result = (await gql_data(client, CREATE_POWER, {"input": power_input(encode_id("Unit", unit.id))}, token))
        assert result["createPower"]["__typename"] == "PermissionDeniedError"
        # A draft of another unit is invisible: it answers as not found, never as forbidden.
        update = {"id": encode_id("Power", draft.id), "input": {"name": "改名"}}
        assert (await gql_data(client, UPDATE_POWER, update, token))["updatePower"]["__typename"] == "NotFoundError"
        deleted = await gql_data(client, DELETE_POWER, {"id": encode_id("Power", draft.id)}, token)
        assert deleted["deletePower"]["__typename"] == "NotFoundError"
    assert await row_counts() == before


async def test_units_are_managed_by_admins_and_protected_while_in_use(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    code = unique("U")
    parent = (
        await gql_data(client, CREATE_UNIT, {"input": {"code": code, "name": "县测试局", "kind": "DEPARTMENT", "regionCode": "360723"}}, admin)
    )["createUnit"]
    child = (
        await gql_data(client, CREATE_UNIT, {"input": {"code": unique("U"), "name": "办公室", "kind": "OFFICE", "parentId": parent["id"]}}, admin)
    )["createUnit"]
    assert (child["regionCode"], child["parent"]["code"]) == ("360723", code)

    cycle = await gql_data(client, UPDATE_UNIT, {"id": parent["id"], "input": {"parentId": child["id"]}}, admin)
    assert field_codes(cycle["updateUnit"]) == {"parentId": "cycle"}
    in_use = await gql_data(client, DELETE_UNIT, {"id": parent["id"]}, admin)
    assert field_codes(in_use["deleteUnit"]) == {"id": "in_use"}

    staff = await token_for(Role.UNIT_LEAD, await make_unit())
    refused = await gql_data(client, UPDATE_UNIT, {"id": parent["id"], "input": {"name": "改名"}}, staff)
    assert refused["updateUnit"]["__typename"] == "PermissionDeniedError"

    assert (await gql_data(client, DELETE_UNIT, {"id": child["id"]}, admin))["deleteUnit"]["deletedId"] == child["id"]
    gone = await gql_data(client, DELETE_UNIT, {"id": child["id"]}, admin)
    assert gone["deleteUnit"]["__typename"] == "NotFoundError"


async def test_bases_and_flow_chart_of_a_power(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    token = await token_for(Role.UNIT_STAFF, unit)
    power = await make_power(unit)
    power_gid = encode_id("Power", power.id)
    rule = await make_document(LegalLevel.DEPARTMENTAL_RULE, articles=1)
    law = await make_document(articles=1)
    for document in (rule, law):
        article = await document.articles.all().first()
        assert article is not None
        basis = {"powerId": power_gid, "articleId": encode_id("LegalArticle", article.id), "note": document.title}
        assert (await gql_data(client, CREATE_BASIS, {"input": basis}, token))["createPowerBasis"]["__typename"] == "PowerBasis"

    position = (
        await gql_data(client, CREATE_POSITION, {"input": {"unitId": encode_id("Unit", unit.id), "name": "审批股", "holder": "张三"}}, token)
    )["createPosition"]
    chart = (await gql_data(client, CREATE_CHART, {"input": {"powerId": power_gid}}, token))["createFlowChart"]
    start = (
        await gql_data(client, CREATE_STEP, {"input": {"chartId": chart["id"], "name": "受理", "kind": "START", "positionId": position["id"]}}, token)
    )["createFlowStep"]
    end = (await gql_data(client, CREATE_STEP, {"input": {"chartId": chart["id"], "name": "办结", "kind": "END"}}, token))["createFlowStep"]
    edge = (
        await gql_data(client, CREATE_EDGE, {"input": {"sourceStepId": start["id"], "targetStepId": end["id"], "label": "符合条件"}}, token)
    )["createFlowEdge"]
    backwards = {"sourceStepId": end["id"], "targetStepId": start["id"]}
    assert field_codes((await gql_data(client, CREATE_EDGE, {"input": backwards}, token))["createFlowEdge"]) == {
        "sourceStepId": "invalid_edge",
        "targetStepId": "invalid_edge",
    }

    shown = (await gql_data(client, POWER_BY_CODE, {"code": power.code}, token))["power"]
    assert [(b["ordinal"], b["article"]["document"]["level"]) for b in shown["bases"]] == [(1, "LAW"), (2, "DEPARTMENTAL_RULE")]
    assert [(s["ordinal"], s["name"], s["position"]) for s in shown["flowChart"]["steps"]] == [
        (1, "受理", {"name": "审批股"}),
        (2, "办结", None),
    ]
    assert shown["flowChart"]["edges"] == [{"label": "符合条件", "sourceStepId": start["id"], "targetStepId": end["id"]}]
    assert edge["label"] == "符合条件"

    admin = await token_for(Role.ADMIN)
    cited = await gql_data(client, DELETE_DOCUMENT, {"id": encode_id("LegalDocument", law.id)}, admin)
    assert field_codes(cited["deleteLegalDocument"]) == {"id": "in_use"}


async def test_legal_documents_entered_by_hand(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    title = f"大余县测试管理办法{unique('')}"
    document = {
        "title": title,
        "level": "NORMATIVE_DOCUMENT",
        "docNumber": "余府发〔2024〕1号",
        "effectiveDate": "2024-03-01",
        "articles": [{"number": 1, "text": "为了规范管理，制定本办法。"}, {"label": "附则", "text": "本办法自公布之日起施行。"}],
    }
    created = (await gql_data(client, CREATE_DOCUMENT, {"input": document}, admin))["createLegalDocument"]
    assert (created["title"], created["source"], created["articleCount"]) == (title, "MANUAL", 2)
    assert [a["label"] for a in created["articles"]["nodes"]] == ["第一条", "附则"]

    staff = await token_for(Role.UNIT_LEAD, await make_unit())
    before = await row_counts()
    bad = {**document, "articles": [{"number": 1, "text": "甲", "chapterPath": "章" * 501}, {"text": ""}]}
    result = (await gql_data(client, CREATE_DOCUMENT, {"input": bad}, admin))["createLegalDocument"]
    assert field_codes(result) == {
        "title": "duplicate",
        "articles.0.chapterPath": "too_long",
        "articles.1.label": "required",
        "articles.1.text": "required",
    }
    refused = (await gql_data(client, CREATE_DOCUMENT, {"input": document}, staff))["createLegalDocument"]
    assert refused["__typename"] == "PermissionDeniedError"
    assert await row_counts() == before

    assert (await gql_data(client, DELETE_DOCUMENT, {"id": created["id"]}, admin))["deleteLegalDocument"]["deletedId"] == created["id"]
    events = await AuditEvent.filter(entity_type="legal_document", entity_id=str(_pk(created["id"])))
    assert [e.action for e in events] == ["legal_document.create", "legal_document.delete"]


async def test_a_unit_that_anything_still_points_to_is_refused_not_failed(client: httpx.AsyncClient) -> None:
    """Every relation that restricts deleting a unit is checked first: a complaint, a disclosure request or a
    comment period against it is a typed `in_use`, not the database's refusal as an internal error."""
    from domain import complaints, information_requests
    from domain.access import PUBLIC
    from domain.comment_models import CommentPeriod
    from domain.services.units import HOLDINGS, _restricting

    assert {name for name, _, _ in _restricting()} <= HOLDINGS.keys()  # each holding has its name
    admin = await token_for(Role.ADMIN)
    held = {
        "complaints": lambda unit: complaints.file_complaint(PUBLIC, complaints.ComplaintData("测试投诉", "内容", unit_id=unit.id)),
        "information_requests": lambda unit: information_requests.file_request(
            PUBLIC, information_requests.InformationRequestData("测试信息", "刘建国", "13912345678", unit_id=unit.id)
        ),
        "comment_periods": lambda unit: CommentPeriod.create(
            unit_id=unit.id, title="测试公示", starts_on="2026-12-01", ends_on="2026-12-08", workdays=5, opened_by="test"
        ),
    }
    for name, make in held.items():
        unit = await make_unit()
        await make(unit)
        refused = await gql_data(client, DELETE_UNIT, {"id": encode_id("Unit", unit.id)}, admin)
        assert field_codes(refused["deleteUnit"]) == {"id": "in_use"}, name
        assert HOLDINGS[name][0] in refused["deleteUnit"]["message"]
