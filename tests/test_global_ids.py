"""Ids a Relay store can trust (issue 25, item 2): every object type with an `id` has a global id of its own
type, so that no two types can ever return the same id — a deleted object's id is `deletedId`, a receipt's
id is the receipt's, the audit trail's ids are global — and the addressable types implement `Node`, whose
lookups keep to the same visibility as their lists."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from domain.access import CLI
from domain.catalog.models import Webhook
from domain.catalog.webhooks import WebhookData, register_webhook
from domain.enums import GroupRole, PowerCategory, Role
from domain.leading_group import MemberData, create_member
from domain.tokens import create_token, viewer_for_token
from resolvers.ids import encode_id, parse_id
from schema import build_schema
from tests.factories import make_power, make_unit, power_name
from tests.helpers import gql, gql_data
from tests.workflow_factories import published_power

#: results of a mutation, not objects a client refetches: their ids are their own, but not `node`'s
RESULTS = {"Deleted", "ComplaintReceipt", "InformationRequestReceipt", "CaseReceipt", "CommentReceived", "AuditEvent"}


@pytest.fixture(autouse=True)
async def hooks_removed(database: str) -> AsyncIterator[None]:
    """The webhooks a test registers go with it: their receivers do not exist, and a later test's delivery
    round must not find their deliveries due."""
    before = await Webhook.all().order_by("-id").first()
    yield
    await Webhook.filter(id__gt=before.id if before else 0).delete()


def own_type(global_id: str) -> str | None:
    """The type a global id names (`Deleted` for a delete's result), or None when it is not one of ours."""
    parsed = parse_id(global_id)
    if parsed is not None:
        return parsed[0]
    text = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    return "Deleted" if text.startswith("Deleted:") and text.count(":") == 2 else None


def check_ids(value: Any, seen: dict[str, str]) -> int:
    """Every object of an answer with `__typename` and `id`: the id names its own type, and no id was seen
    on another type. Returns how many were checked."""
    checked = 0
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if "__typename" in item and "id" in item:
                assert own_type(item["id"]) == item["__typename"], item
                assert seen.setdefault(item["id"], item["__typename"]) == item["__typename"], (item, seen[item["id"]])
                checked += 1
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return checked


async def test_every_type_with_an_id_is_a_node_or_a_result_with_its_own_id() -> None:
    schema = build_schema()._schema
    node = schema.type_map["Node"]
    with_id = {
        name: t
        for name, t in schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__") and "id" in t.fields
    }
    assert len(with_id) > 30
    for name, t in with_id.items():
        field = t.fields["id"]
        assert isinstance(field.type, GraphQLNonNull) and get_named_type(field.type).name == "ID", name
        assert (node in t.interfaces) != (name in RESULTS), f"{name}: implements Node, or is a result with its own id"
    # every type `node(id)` may answer is a Node (the interface's possible types)
    assert {t.name for t in schema.get_possible_types(node)} == set(with_id) - RESULTS


DELETE_POWER = "mutation ($id: ID!) { deletePower(id: $id) { __typename ... on Deleted { id deletedId } } }"
DELETE_UNIT = "mutation ($id: ID!) { deleteUnit(id: $id) { __typename ... on Deleted { id deletedId } } }"
EVERYTHING = """
query ($unit: String!) {
  unit(code: $unit) { __typename id powers(first: 5) { nodes { __typename id bases { __typename id article { __typename id
    document { __typename id } } } flowChart { __typename id steps { __typename id position { __typename id } } edges {
    __typename id } } } } }
  auditEvents(first: 5) { nodes { __typename id number } }
  apiTokens(first: 5) { nodes { __typename id member { __typename id } } }
  webhooks { __typename id deliveries { __typename id } }
  leadingGroup { __typename id }
}"""
FILE = """mutation ($input: FileComplaintInput!) { fileComplaint(input: $input) { __typename
  ... on ComplaintReceipt { id complaintId receiptCode } } }"""
FOLLOW = "query ($id: ID!, $code: String!) { complaintByReceipt(id: $id, code: $code) { status } }"
NODE = "query ($id: ID!) { node(id: $id) { __typename id } }"


async def test_ids_name_their_own_type_and_none_is_shared(client: httpx.AsyncClient) -> None:
    unit = await make_unit()
    await published_power(unit, name=power_name("全局编号"), category=PowerCategory.LICENSING)
    _, admin = await create_token(Role.ADMIN)
    await register_webhook(CLI, WebhookData("编号", "https://8.8.8.8/ids", Role.ADMIN, events=("power.published",)))
    await published_power(unit, name=power_name("再公开一个"))  # a delivery for the webhook
    await create_member(CLI, MemberData(name="编号测试", post="成员", unit_id=unit.id, group_role=GroupRole.MEMBER))
    seen: dict[str, str] = {}
    data = await gql_data(client, EVERYTHING, {"unit": unit.code}, admin)
    assert check_ids(data, seen) >= 12
    assert {t for t in seen.values()} >= {"Unit", "Power", "PowerBasis", "LegalArticle", "LegalDocument", "FlowChart",
                                          "FlowStep", "FlowEdge", "AuditEvent", "ApiToken", "Webhook", "WebhookDelivery",
                                          "LeadingGroupMember"}  # fmt: skip
    assert all(isinstance(e["number"], int) for e in data["auditEvents"]["nodes"])

    # a deleted object's id is `deletedId`; the result's own id is no other object's
    draft = await make_power(unit, name=power_name("将删除的"))
    deleted = (await gql_data(client, DELETE_POWER, {"id": encode_id("Power", draft.id)}, admin))["deletePower"]
    assert deleted["deletedId"] == encode_id("Power", draft.id) and own_type(deleted["id"]) == "Deleted"
    empty = await make_unit()
    gone = (await gql_data(client, DELETE_UNIT, {"id": encode_id("Unit", empty.id)}, admin))["deleteUnit"]
    # a Unit and a Power of the same number: two results, two ids
    assert gone["id"] != deleted["id"] and check_ids([deleted, gone], seen) == 2
    assert (await gql_data(client, NODE, {"id": deleted["id"]}))["node"] is None

    # a receipt's id is its own; the complaint's is `complaintId`, and either follows the complaint
    receipt = (await gql_data(client, FILE, {"input": {"unitId": encode_id("Unit", unit.id), "subject": "编号",
                                                       "content": "回执编号测试"}}))["fileComplaint"]  # fmt: skip
    assert own_type(receipt["id"]) == "ComplaintReceipt" and own_type(receipt["complaintId"]) == "Complaint"
    for id_ in (receipt["id"], receipt["complaintId"]):
        assert (await gql_data(client, FOLLOW, {"id": id_, "code": receipt["receiptCode"]}))["complaintByReceipt"]["status"]


async def test_node_lookups_of_tokens_webhooks_and_members_keep_to_visibility(client: httpx.AsyncClient) -> None:
    unit, other = await make_unit(), await make_unit()
    staff, staff_plain = await create_token(Role.UNIT_STAFF, unit.code)
    _, stranger = await create_token(Role.UNIT_STAFF, other.code)
    _, admin = await create_token(Role.ADMIN)
    own_hook = await register_webhook(
        await viewer_for_token(staff_plain), WebhookData("自用", "https://8.8.8.8/own", events=("power.published",))
    )
    member = await create_member(CLI, MemberData(name="节点成员", post="成员", unit_id=unit.id, group_role=GroupRole.MEMBER))
    await published_power(unit, name=power_name("投递一次"))
    (delivery_id,) = [d.id for d in await own_hook.deliveries.all()]
    ids = {
        "ApiToken": encode_id("ApiToken", staff.id),
        "Webhook": encode_id("Webhook", own_hook.id),
        "WebhookDelivery": encode_id("WebhookDelivery", delivery_id),
        "LeadingGroupMember": encode_id("LeadingGroupMember", member.id),
    }
    # who sees what: the public nothing; another unit's token only the group (signed-in roles read it)
    expected = {
        None: set(),
        stranger: {"LeadingGroupMember"},
        staff_plain: {"Webhook", "WebhookDelivery", "LeadingGroupMember"},
        admin: set(ids),
    }
    for token, visible in expected.items():
        for type_name, id_ in ids.items():
            body = await gql(client, NODE, {"id": id_}, token)
            found = body["data"]["node"]
            assert (found is not None) == (type_name in visible), (token, type_name, body)
            if found:
                assert found == {"__typename": type_name, "id": id_}

