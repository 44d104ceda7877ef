"""The lifecycle over real HTTP: register → declare (unit lead) → submit → each office's opinion (a
reviewer per office) → 县公开办's decision → the leading group's approval (领导小组审定) → publish, with
every role check, illegal step and rule answered as a typed error."""

from __future__ import annotations

from typing import Any

import httpx

from domain.enums import PowerStatus, ReviewOffice, ReviewSeat, Role
from domain.models import AuditEvent, Power
from schema.relay import encode_id
from tests.factories import make_power, make_unit, unique
from tests.helpers import gql_data, token_for
from tests.workflow_factories import based_power, charted, in_review, seat_holder, seat_tokens

ERRORS = """
  __typename
  ... on ValidationErrors { message errors { field message code } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }
  ... on IllegalTransitionError { message action currentStatus }
"""
POWER = "... on Power { id status reviews { round leadOpinion declaredBy decision requiredChanges opinions { office opinion } } }"

CREATE_POWER = """mutation ($input: CreatePowerInput!) {
  createPower(input: $input) { __typename ... on Power { id status } ... on ValidationErrors { errors { field code } } }
}"""
DECLARE = f"""mutation ($id: ID!, $opinion: String!) {{ declarePower(id: $id, leadOpinion: $opinion) {{ {POWER} {ERRORS} }} }}"""
SUBMIT = f"""mutation ($id: ID!) {{ submitPowerForReview(id: $id) {{ {POWER} {ERRORS} }} }}"""
OPINION = f"""mutation ($id: ID!, $input: ReviewOpinionInput!) {{
  recordReviewOpinion(powerId: $id, input: $input) {{ ... on Review {{ round opinions {{ office opinion reviewer }} }} {ERRORS} }}
}}"""
DECIDE = f"""mutation ($id: ID!, $input: DecidePowerInput!) {{ decidePower(id: $id, input: $input) {{ {POWER} {ERRORS} }} }}"""
PUBLISH = f"""mutation ($id: ID!) {{ publishPower(id: $id) {{ {POWER} {ERRORS} }} }}"""
APPROVE = f"""mutation ($id: ID!, $approve: Boolean!, $opinion: String!) {{
  approvePowerDecision(id: $id, approve: $approve, opinion: $opinion) {{ {POWER} {ERRORS} }}
}}"""
REVIEWS = """query ($id: ID!) { node(id: $id) { ... on Power { status reviews { round decision opinions { office } } } } }"""


def opinions(*offices: ReviewOffice) -> list[dict[str, str]]:
    return [{"office": o.value, "opinion": f"{o.label}：同意"} for o in offices]


async def call(client: httpx.AsyncClient, query: str, token: str | None, **variables: Any) -> dict[str, Any]:
    data = await gql_data(client, query, variables, token)
    return next(iter(data.values()))


async def all_opinions(client: httpx.AsyncClient, seats: dict[ReviewSeat, str], power_id: str) -> None:
    """Each office's opinion, entered with its own reviewer's token."""
    for office in ReviewOffice:
        done = await call(client, OPINION, seats[ReviewSeat(office.value)], id=power_id, input=opinions(office)[0])
        assert "opinions" in done, done


async def decide(client: httpx.AsyncClient, seats: dict[ReviewSeat, str], power_id: str, **input: Any) -> dict[str, Any]:
    """县公开办's decision, then the leading group's approval; the decision's refusal if it is refused."""
    decided = await call(client, DECIDE, seats[ReviewSeat.OPENNESS_OFFICE], id=power_id, input=input)
    if decided["__typename"] != "Power":
        return decided
    return await call(client, APPROVE, seats[ReviewSeat.LEADING_GROUP], id=power_id, approve=True, opinion="")


async def test_a_power_goes_from_registration_to_publication(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    staff, lead = await token_for(Role.UNIT_STAFF, unit), await token_for(Role.UNIT_LEAD, unit)
    seats = await seat_tokens()
    created = await call(client, CREATE_POWER, staff, input={
        "unitId": encode_id("Unit", unit.id), "name": f"对违反测试规定行为的行政处罚（工作流{unique('')}）",
        "category": "PENALTY",
    })  # fmt: skip
    assert created.get("status") == "DRAFT", created
    power_id = created["id"]
    await based_power_basis(power_id)

    declared = await call(client, DECLARE, lead, id=power_id, opinion="经领导班子集体研究，同意申报。")
    assert declared["status"] == "DECLARED"
    assert declared["reviews"][0]["leadOpinion"] == "经领导班子集体研究，同意申报。"
    assert (await call(client, SUBMIT, staff, id=power_id))["status"] == "IN_REVIEW"

    legal = seats[ReviewSeat.LEGAL_AFFAIRS]
    first = await call(client, OPINION, legal, id=power_id, input=opinions(ReviewOffice.LEGAL_AFFAIRS)[0])
    assert [o["office"] for o in first["opinions"]] == ["LEGAL_AFFAIRS"]
    openness = seats[ReviewSeat.OPENNESS_OFFICE]
    missing = await call(client, DECIDE, openness, id=power_id, input={"decision": "RETAIN"})
    assert missing["__typename"] == "ValidationErrors"
    assert {e["code"] for e in missing["errors"]} == {"missing_opinions"}
    for office in ReviewOffice:
        if office != ReviewOffice.LEGAL_AFFAIRS:
            await call(client, OPINION, seats[ReviewSeat(office.value)], id=power_id, input=opinions(office)[0])
    proposed = await call(client, DECIDE, openness, id=power_id, input={"decision": "RETAIN"})
    assert proposed["status"] == "IN_REVIEW"  # until the leading group approves it
    approved = await call(client, APPROVE, seats[ReviewSeat.LEADING_GROUP], id=power_id, approve=True, opinion="同意。")
    assert approved["status"] == "APPROVED"
    assert approved["reviews"][0]["decision"] == "RETAIN" and len(approved["reviews"][0]["opinions"]) == 5

    assert (await call(client, PUBLISH, lead, id=power_id))["status"] == "PUBLISHED"
    pk = (await Power.get(code=(await Power.filter(unit_id=unit.id).first()).code)).id
    trail = [e.action for e in await AuditEvent.filter(entity_type="power", entity_id=str(pk))]
    assert trail == ["power.create", "power.declare", "power.submit", "power.decide", "power.publish"]
    decide_event = await AuditEvent.get(entity_type="power", entity_id=str(pk), action="power.decide")
    assert decide_event.actor and decide_event.detail["from_status"] == "IN_REVIEW"
    assert decide_event.detail["to_status"] == "APPROVED"


async def based_power_basis(power_global_id: str) -> None:
    """Give a power created over HTTP a basis in force and a two-step chart (the test's subject is
    the lifecycle)."""
    from domain.services.bases import BasisData, create_basis
    from schema.relay import parse_id
    from tests.factories import ADMIN, first_article, make_document

    parsed = parse_id(power_global_id)
    assert parsed is not None
    article = await first_article(await make_document())
    await create_basis(ADMIN, BasisData(power_id=parsed[1], article_id=article.id))
    await charted(await Power.get(id=parsed[1]))


async def test_only_the_units_own_lead_declares(client: httpx.AsyncClient) -> None:
    unit, other = await make_unit(), await make_unit()
    power = await based_power(unit)
    power_id = encode_id("Power", power.id)
    for token in (
        await token_for(Role.UNIT_STAFF, unit),
        await token_for(Role.UNIT_LEAD, other),
        await token_for(Role.REVIEWER),
        await token_for(Role.ADMIN),
    ):
        result = await call(client, DECLARE, token, id=power_id, opinion="同意")
        assert result["__typename"] in ("PermissionDeniedError", "NotFoundError"), result
    blank = await call(client, DECLARE, await token_for(Role.UNIT_LEAD, unit), id=power_id, opinion="  ")
    assert blank["__typename"] == "ValidationErrors" and blank["errors"][0]["field"] == "leadOpinion"
    assert (await Power.get(id=power.id)).status == PowerStatus.DRAFT


async def test_illegal_transitions_are_typed_errors(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await based_power(unit)
    power_id = encode_id("Power", power.id)
    lead, seats = await token_for(Role.UNIT_LEAD, unit), await seat_tokens()
    for query, token, variables in (
        (PUBLISH, lead, {}),
        (SUBMIT, lead, {}),
        (DECIDE, seats[ReviewSeat.OPENNESS_OFFICE], {"input": {"decision": "RETAIN"}}),
        (APPROVE, seats[ReviewSeat.LEADING_GROUP], {"approve": True, "opinion": ""}),
    ):
        result = await call(client, query, token, id=power_id, **variables)
        assert result["__typename"] == "IllegalTransitionError", result
        assert result["currentStatus"] == "DRAFT"
    await call(client, DECLARE, lead, id=power_id, opinion="同意")
    again = await call(client, DECLARE, lead, id=power_id, opinion="同意")
    assert again["__typename"] == "IllegalTransitionError" and again["action"] == "declare"
    assert await AuditEvent.filter(entity_id=str(power.id), action="power.declare").count() == 1


async def test_decisions_are_for_reviewers_only(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await in_review(await based_power(unit))
    seats = await seat_tokens()
    for token in (await token_for(Role.UNIT_LEAD, unit), await token_for(Role.ADMIN), await token_for(Role.INSPECTOR),
                  await token_for(Role.REVIEWER), seats[ReviewSeat.LEGAL_AFFAIRS], seats[ReviewSeat.LEADING_GROUP]):  # fmt: skip
        result = await call(client, DECIDE, token, id=encode_id("Power", power.id), input={"decision": "RETAIN"})
        assert result["__typename"] == "PermissionDeniedError", result


async def test_each_reviewer_enters_only_its_own_office_s_opinion(client: httpx.AsyncClient) -> None:
    power_id = encode_id("Power", (await in_review(await based_power(await make_unit()))).id)
    seats = await seat_tokens()
    for token in (await token_for(Role.REVIEWER), seats[ReviewSeat.SECRECY], seats[ReviewSeat.LEADING_GROUP]):
        other = await call(client, OPINION, token, id=power_id, input=opinions(ReviewOffice.PRICING)[0])
        assert other["__typename"] == "PermissionDeniedError", other
    pricing = await call(client, OPINION, seats[ReviewSeat.PRICING], id=power_id, input=opinions(ReviewOffice.PRICING)[0])
    assert [(o["office"], o["reviewer"]) for o in pricing["opinions"]] == [("PRICING", "reviewer")]
    for_others = await call(client, DECIDE, seats[ReviewSeat.OPENNESS_OFFICE], id=power_id, input={
        "decision": "RETAIN", "opinions": opinions(ReviewOffice.LEGAL_AFFAIRS),
    })  # fmt: skip
    assert {e["code"] for e in for_others["errors"]} >= {"other_office"}


async def test_the_leading_group_approves_or_returns_a_decision(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await in_review(await based_power(unit))
    power_id, seats = encode_id("Power", power.id), await seat_tokens()
    await all_opinions(client, seats, power_id)
    group = seats[ReviewSeat.LEADING_GROUP]
    early = await call(client, APPROVE, group, id=power_id, approve=True, opinion="")
    assert early["__typename"] == "IllegalTransitionError" and early["action"] == "approve"
    await call(client, DECIDE, seats[ReviewSeat.OPENNESS_OFFICE], id=power_id, input={"decision": "FILE"})
    by_office = await call(client, APPROVE, seats[ReviewSeat.OPENNESS_OFFICE], id=power_id, approve=True, opinion="")
    assert by_office["__typename"] == "PermissionDeniedError"
    bare = await call(client, APPROVE, group, id=power_id, approve=False, opinion="")
    assert bare["errors"][0]["field"] == "opinion"
    returned = await call(client, APPROVE, group, id=power_id, approve=False, opinion="请核实是否属于备案事项。")
    assert returned["status"] == "IN_REVIEW" and returned["reviews"][0]["decision"] is None
    assert (await call(client, APPROVE, group, id=power_id, approve=True, opinion=""))["__typename"] == "IllegalTransitionError"
    kept = await decide(client, seats, power_id, decision="RETAIN")
    assert kept["status"] == "APPROVED" and [r["round"] for r in kept["reviews"]] == [1]


async def test_without_a_legal_basis_a_power_can_only_be_abolished(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await in_review(await make_power(unit))
    power_id, seats = encode_id("Power", power.id), await seat_tokens()
    await all_opinions(client, seats, power_id)
    for decision in ("RETAIN", "FILE", "REMOVE"):
        refused = await decide(client, seats, power_id, decision=decision)
        assert refused["__typename"] == "ValidationErrors"
        assert "no_legal_basis" in {e["code"] for e in refused["errors"]}
    abolished = await decide(client, seats, power_id, decision="ABOLISH")
    assert abolished["status"] == "ABOLISHED"
    late = await call(client, PUBLISH, seats[ReviewSeat.OPENNESS_OFFICE], id=power_id)
    assert late["__typename"] == "IllegalTransitionError" and late["currentStatus"] == "ABOLISHED"


async def test_confidential_without_secrecy_basis_cannot_be_retained(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await in_review(await based_power(unit, confidential=True, confidentiality_reason="涉及国家秘密"))
    seats, power_id = await seat_tokens(), encode_id("Power", power.id)
    await all_opinions(client, seats, power_id)
    result = await decide(client, seats, power_id, decision="RETAIN")
    assert {e["code"] for e in result["errors"]} == {"confidential_without_basis"}
    assert (await Power.get(id=power.id)).status == PowerStatus.IN_REVIEW


async def test_adjust_sends_the_power_back_for_a_second_round(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await in_review(await based_power(unit))
    power_id, seats = encode_id("Power", power.id), await seat_tokens()
    await all_opinions(client, seats, power_id)
    bare = await decide(client, seats, power_id, decision="ADJUST")
    assert {e["field"] for e in bare["errors"]} == {"requiredChanges"}
    adjusted = await decide(client, seats, power_id, decision="ADJUST", requiredChanges="职权名称应使用全称。")
    assert adjusted["status"] == "DRAFT"
    assert adjusted["reviews"][0]["requiredChanges"] == "职权名称应使用全称。"
    again = await call(client, DECLARE, await token_for(Role.UNIT_LEAD, unit), id=power_id, opinion="已按要求调整，同意申报。")
    assert [r["round"] for r in again["reviews"]] == [1, 2]


async def test_review_notes_are_not_for_the_public(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await in_review(await charted(await based_power(unit)))
    seats = await seat_tokens()
    await all_opinions(client, seats, encode_id("Power", power.id))
    await decide(client, seats, encode_id("Power", power.id), decision="RETAIN")
    await call(client, PUBLISH, await token_for(Role.UNIT_LEAD, unit), id=encode_id("Power", power.id))
    variables = {"id": encode_id("Power", power.id)}
    public = await gql_data(client, REVIEWS, variables)
    assert public["node"]["status"] == "PUBLISHED" and public["node"]["reviews"] == []
    stranger = await gql_data(client, REVIEWS, variables, await token_for(Role.UNIT_STAFF, await make_unit()))
    assert stranger["node"]["reviews"] == []
    own = await gql_data(client, REVIEWS, variables, await token_for(Role.UNIT_STAFF, unit))
    assert own["node"]["reviews"][0]["decision"] == "RETAIN" and len(own["node"]["reviews"][0]["opinions"]) == 5


async def test_a_power_declared_before_reviews_were_recorded_can_be_reviewed(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    power = await based_power(unit)
    await Power.filter(id=power.id).update(status=PowerStatus.IN_REVIEW)  # as the demo county seeds it
    seats = await seat_tokens()
    await all_opinions(client, seats, encode_id("Power", power.id))
    decided = await decide(client, seats, encode_id("Power", power.id), decision="FILE")
    assert decided["status"] == "APPROVED" and decided["reviews"][0]["decision"] == "FILE"


async def test_a_reviewer_token_holds_one_seat(client: httpx.AsyncClient) -> None:
    create = """mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) {
      __typename ... on CreatedApiToken { token { role seat } } ... on ValidationErrors { errors { field code } } } }"""
    admin = await token_for(Role.ADMIN)
    await seat_holder(ReviewSeat.LEGAL_AFFAIRS)  # a token is issued only for a seat a member of the group holds
    made = await call(client, create, admin, input={"name": "县法制办", "role": "REVIEWER", "seat": "LEGAL_AFFAIRS"})
    assert made["token"] == {"role": "REVIEWER", "seat": "LEGAL_AFFAIRS"}
    wrong = await call(client, create, admin, input={"name": "电子监察", "role": "INSPECTOR", "seat": "LEADING_GROUP"})
    assert wrong["errors"] == [{"field": "seat", "code": "invalid"}]
