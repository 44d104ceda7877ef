"""Batch steps: declare, submit, decide and publish many powers in one call, each with its own
result in the order given — one refusal stops none of the others."""

from __future__ import annotations

import httpx

from domain.enums import ReviewOffice, ReviewSeat, Role
from schema.relay import encode_id
from tests.factories import make_power, make_unit
from tests.helpers import gql_data, token_for
from tests.workflow_factories import based_power, charted, seat_tokens

RESULT = """__typename ... on Power { id status }
  ... on ValidationErrors { errors { field code } } ... on IllegalTransitionError { currentStatus }
  ... on PermissionDeniedError { message } ... on NotFoundError { message }"""
DECLARE = f"""mutation ($ids: [ID!]!) {{ declarePowers(ids: $ids, leadOpinion: "同意申报。") {{ {RESULT} }} }}"""
SUBMIT = f"""mutation ($ids: [ID!]!) {{ submitPowersForReview(ids: $ids) {{ {RESULT} }} }}"""
DECIDE = f"""mutation ($ids: [ID!]!, $input: DecidePowerInput!) {{ decidePowers(ids: $ids, input: $input) {{ {RESULT} }} }}"""
PUBLISH = f"""mutation ($ids: [ID!]!) {{ publishPowers(ids: $ids) {{ {RESULT} }} }}"""
APPROVE = f"""mutation ($ids: [ID!]!) {{ approvePowerDecisions(ids: $ids, approve: true) {{ {RESULT} }} }}"""
OPINION = """mutation ($id: ID!, $input: ReviewOpinionInput!) { recordReviewOpinion(powerId: $id, input: $input) { __typename } }"""


async def test_each_power_gets_its_own_result(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    ready = [encode_id("Power", (await charted(await based_power(unit))).id) for _ in range(2)]
    bare = encode_id("Power", (await make_power(unit)).id)  # no basis, no chart
    hidden = encode_id("Power", (await make_power(await make_unit())).id)
    lead, staff, seats = await token_for(Role.UNIT_LEAD, unit), await token_for(Role.UNIT_STAFF, unit), await seat_tokens()
    ids = [*ready, bare, hidden, "not-an-id"]

    declared = (await gql_data(client, DECLARE, {"ids": ids}, lead))["declarePowers"]
    assert [r["__typename"] for r in declared] == ["Power", "Power", "Power", "NotFoundError", "ValidationErrors"]
    assert declared[4]["errors"] == [{"field": "ids.4", "code": "invalid_id"}]
    submitted = (await gql_data(client, SUBMIT, {"ids": [*ready, bare]}, staff))["submitPowersForReview"]
    assert [r["status"] for r in submitted] == ["IN_REVIEW"] * 3
    for power_id in [*ready, bare]:
        for office in ReviewOffice:
            opinion = {"office": office.value, "opinion": "同意"}
            await gql_data(client, OPINION, {"id": power_id, "input": opinion}, seats[ReviewSeat(office.value)])
    openness = seats[ReviewSeat.OPENNESS_OFFICE]
    decided = await gql_data(client, DECIDE, {"ids": [*ready, bare], "input": {"decision": "RETAIN"}}, openness)
    results = decided["decidePowers"]
    assert [r.get("status") for r in results[:2]] == ["IN_REVIEW", "IN_REVIEW"]  # awaiting the leading group
    assert results[2]["errors"][0]["code"] == "no_legal_basis"
    approved = (await gql_data(client, APPROVE, {"ids": [*ready, bare]}, seats[ReviewSeat.LEADING_GROUP]))["approvePowerDecisions"]
    assert [r.get("status") or r["__typename"] for r in approved] == ["APPROVED", "APPROVED", "IllegalTransitionError"]
    published = (await gql_data(client, PUBLISH, {"ids": [*ready, bare]}, lead))["publishPowers"]
    assert [r.get("status") or r.get("currentStatus") for r in published] == ["PUBLISHED", "PUBLISHED", "IN_REVIEW"]


async def test_a_batch_is_bounded(client: httpx.AsyncClient) -> None:
    ids = [encode_id("Power", i) for i in range(1, 102)]
    body = await gql_data(client, PUBLISH, {"ids": ids}, await token_for(Role.ADMIN))
    assert body["publishPowers"] == [{"__typename": "ValidationErrors", "errors": [{"field": "ids", "code": "too_many"}]}]
