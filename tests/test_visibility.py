"""Who sees what (DESIGN.md): a caller without a token never sees a confidential, unpublished or
non-public item through any field, connection total or node lookup; unit staff see, beyond what
the public sees, only their own unit. Checked against the demo county in the database."""

from __future__ import annotations

import json

import httpx
import pytest

from domain import models as m
from domain.access import unit_subtree_ids
from domain.enums import DisclosureScope, PowerStatus, Role
from resolvers.ids import encode_id
from tests.helpers import gql_data, token_for

pytestmark = pytest.mark.usefixtures("demo")

EVERYTHING = """
query All($after: String) {
  powers(first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id code name category status
      unit { id code name powers(first: 100) { totalCount edges { node { code name } } } }
      rules { disclosureScope }
      confidentiality { confidential reason basis }
      bases { note article { label text document { title } } }
      flowChart { id steps { id name position { name } } edges { label } }
      disclosureRecords { id scope content }
      operationRecords { id scope subject applicant }
    } }
  }
}
"""


def is_public(power: m.Power) -> bool:
    return (
        power.status == PowerStatus.PUBLISHED
        and power.disclosure_scope == DisclosureScope.PUBLIC
        and not power.confidential
    )


async def fetch_all(client: httpx.AsyncClient, token: str | None = None) -> tuple[int, list[dict]]:
    nodes: list[dict] = []
    after = None
    while True:
        data = await gql_data(client, EVERYTHING, {"after": after}, token)
        nodes += [e["node"] for e in data["powers"]["edges"]]
        total = data["powers"]["totalCount"]
        if not data["powers"]["pageInfo"]["hasNextPage"]:
            return total, nodes
        after = data["powers"]["pageInfo"]["endCursor"]


async def hidden_powers() -> list[m.Power]:
    hidden = [p for p in await m.Power.all() if not is_public(p)]
    kinds = {
        "confidential": any(p.confidential for p in hidden),
        "unpublished": any(p.status != PowerStatus.PUBLISHED for p in hidden),
        "non-public scope": any(p.disclosure_scope != DisclosureScope.PUBLIC for p in hidden),
    }
    assert all(kinds.values()), f"the demo county must hold every kind of hidden power: {kinds}"
    return hidden


async def test_public_list_and_total_hold_only_public_powers(client: httpx.AsyncClient) -> None:
    total, nodes = await fetch_all(client)
    public = [p for p in await m.Power.all() if is_public(p)]
    assert total == len(public) == len(nodes)
    assert {n["code"] for n in nodes} == {p.code for p in public}


async def test_no_hidden_name_or_code_anywhere_in_public_responses(client: httpx.AsyncClient) -> None:
    _, nodes = await fetch_all(client)
    text = json.dumps(nodes, ensure_ascii=False)
    names = {n["name"] for n in nodes} | {p["node"]["name"] for n in nodes for p in n["unit"]["powers"]["edges"]}
    public_names = {p.name for p in await m.Power.all() if is_public(p)}
    for power in await hidden_powers():
        assert power.code not in text
        # the same power name may be held by another unit and published there
        assert power.name not in names or power.name in public_names, power.name


async def test_public_records_are_public_and_applicants_withheld(client: httpx.AsyncClient) -> None:
    _, nodes = await fetch_all(client)
    records = [r for n in nodes for r in n["disclosureRecords"] + n["operationRecords"]]
    assert records, "the demo county publishes records"
    assert all(r["scope"] == "PUBLIC" for r in records)
    assert all(r.get("applicant") is None for n in nodes for r in n["operationRecords"])
    hidden_scope = await m.OperationRecord.exclude(scope=DisclosureScope.PUBLIC).first()
    assert hidden_scope is not None
    data = await gql_data(client, "query($id: ID!) { node(id: $id) { id } }", {"id": encode_id("OperationRecord", hidden_scope.id)})
    assert data["node"] is None


async def test_hidden_powers_are_not_found_by_any_lookup(client: httpx.AsyncClient) -> None:
    query = """
    query($id: ID!, $code: String!, $name: String!) {
      node(id: $id) { id }
      power(code: $code) { id }
      byName: powers(filter: { nameContains: $name, code: $code }) { totalCount edges { node { id } } }
    }"""
    for power in await hidden_powers():
        data = await gql_data(client, query, {"id": encode_id("Power", power.id), "code": power.code, "name": power.name})
        assert data == {"node": None, "power": None, "byName": {"totalCount": 0, "edges": []}}, power.code
        chart = await m.FlowChart.get_or_none(power_id=power.id)
        if chart is not None:
            step = await m.FlowStep.filter(chart_id=chart.id).first()
            edge = await m.FlowEdge.filter(chart_id=chart.id).first()
            ids = [encode_id("FlowChart", chart.id)] + ([encode_id("FlowStep", step.id)] if step else [])
            ids += [encode_id("FlowEdge", edge.id)] if edge else []
            basis = await m.PowerBasis.filter(power_id=power.id).first()
            ids += [encode_id("PowerBasis", basis.id)] if basis else []
            for node_id in ids:
                found = await gql_data(client, "query($id: ID!) { node(id: $id) { id } }", {"id": node_id})
                assert found["node"] is None


async def test_unit_connection_totals_count_only_public_powers(client: httpx.AsyncClient) -> None:
    query = "query($id: ID!) { node(id: $id) { ... on Unit { powers { totalCount } } } }"
    units_with_hidden = {p.unit_id for p in await hidden_powers()}
    for unit_id in units_with_hidden:
        data = await gql_data(client, query, {"id": encode_id("Unit", unit_id)})
        subtree = await unit_subtree_ids(unit_id)
        expected = sum(1 for p in await m.Power.filter(unit_id__in=list(subtree)) if is_public(p))
        assert data["node"]["powers"]["totalCount"] == expected


async def test_unit_staff_see_their_own_unit_beyond_the_public(client: httpx.AsyncClient) -> None:
    hidden = await hidden_powers()
    # a department holding hidden powers (not the county root, whose subtree is everything)
    own_unit = await m.Unit.filter(id__in=[p.unit_id for p in hidden]).exclude(parent_id=None).order_by("code").first()
    assert own_unit is not None
    token = await token_for(Role.UNIT_STAFF, own_unit)
    subtree = await unit_subtree_ids(own_unit.id)
    total, nodes = await fetch_all(client, token)
    # its staff see their units' powers but those disclosed to the leadership only (领导班子内公开)
    expected = {
        p.code
        for p in await m.Power.all()
        if is_public(p) or (p.unit_id in subtree and p.disclosure_scope != DisclosureScope.LEADERSHIP)
    }
    assert total == len(expected)
    assert {n["code"] for n in nodes} == expected
    lead_total, lead_nodes = await fetch_all(client, await token_for(Role.UNIT_LEAD, own_unit))
    everything_own = expected | {p.code for p in await m.Power.filter(unit_id__in=list(subtree))}
    assert everything_own != expected, "the unit holds a LEADERSHIP power its staff do not see"
    assert lead_total == len(everything_own)
    assert {n["code"] for n in lead_nodes} == everything_own
    others_hidden = [p for p in hidden if p.unit_id not in subtree]
    assert others_hidden, "the demo county has hidden powers in more than one unit"
    for power in others_hidden:
        data = await gql_data(client, "query($id: ID!) { node(id: $id) { id } }", {"id": encode_id("Power", power.id)}, token)
        assert data["node"] is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.REVIEWER, Role.INSPECTOR])
async def test_oversight_roles_see_everything(client: httpx.AsyncClient, role: Role) -> None:
    total, _ = await fetch_all(client, await token_for(role))
    assert total == await m.Power.all().count()


async def test_applicants_only_for_the_handling_unit_and_oversight(client: httpx.AsyncClient) -> None:
    record = await m.OperationRecord.filter(scope=DisclosureScope.PUBLIC).exclude(applicant="").select_related("power").order_by("id").first()
    assert record is not None and is_public(record.power)
    query = "query($id: ID!) { node(id: $id) { ... on OperationRecord { applicant } } }"
    variables = {"id": encode_id("OperationRecord", record.id)}
    own = await m.Unit.get(id=record.power.unit_id)
    other = await m.Unit.exclude(id__in=list(await unit_subtree_ids(own.id))).exclude(parent_id=None).order_by("code").first()
    assert other is not None
    seen = {}
    for label, token in (
        ("public", None),
        ("other unit", await token_for(Role.UNIT_STAFF, other)),
        ("own unit", await token_for(Role.UNIT_STAFF, own)),
        ("inspector", await token_for(Role.INSPECTOR)),
    ):
        seen[label] = (await gql_data(client, query, variables, token))["node"]["applicant"]
    assert seen == {"public": None, "other unit": None, "own unit": record.applicant, "inspector": record.applicant}


async def test_every_node_type_of_a_public_power_is_found(client: httpx.AsyncClient) -> None:
    charted = set(await m.FlowChart.all().values_list("power_id", flat=True))
    based = set(await m.PowerBasis.all().values_list("power_id", flat=True))
    power = next(p for p in await m.Power.all().order_by("id") if is_public(p) and p.id in charted & based)
    chart = await m.FlowChart.get(power_id=power.id)
    ids = {
        "Power": power.id,
        "FlowChart": chart.id,
        "FlowStep": (await m.FlowStep.filter(chart_id=chart.id).first()).id,
        "FlowEdge": (await m.FlowEdge.filter(chart_id=chart.id).first()).id,
        "PowerBasis": (await m.PowerBasis.filter(power_id=power.id).first()).id,
    }
    for type_name, pk in ids.items():
        data = await gql_data(client, "query($id: ID!) { node(id: $id) { __typename id } }", {"id": encode_id(type_name, pk)})
        assert data["node"] == {"__typename": type_name, "id": encode_id(type_name, pk)}
