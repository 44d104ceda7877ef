"""领导小组 (附1) as data, over real HTTP: admins keep the members (validated, audited, nothing changed on
error), signed-in roles read them; a REVIEWER token is issued only for a seat a member holds, may be
bound to that member, and the member's approval (领导小组审定) is recorded as theirs."""

from __future__ import annotations

from typing import Any

import httpx

from domain.enums import GroupRole, ReviewSeat, Role
from domain.models import AuditEvent
from domain.workflow_models import LeadingGroupMember
from schema.relay import decode_id, encode_id
from tests.conftest import run_cli
from tests.factories import make_unit, unique
from tests.helpers import gql, gql_data, token_for
from tests.workflow_factories import based_power, charted, in_review, panel_decides, seat_tokens

MEMBER = "id name post groupRole seat unit { id name }"
ERRORS = """__typename
  ... on ValidationErrors { errors { field code message } }
  ... on NotFoundError { message }
  ... on PermissionDeniedError { message }"""
CREATE = f"""mutation ($input: LeadingGroupMemberInput!) {{ createLeadingGroupMember(input: $input) {{
  {ERRORS} ... on LeadingGroupMember {{ {MEMBER} }} }} }}"""
UPDATE = f"""mutation ($id: ID!, $input: UpdateLeadingGroupMemberInput!) {{ updateLeadingGroupMember(id: $id, input: $input) {{
  {ERRORS} ... on LeadingGroupMember {{ {MEMBER} }} }} }}"""
REMOVE = f"""mutation ($id: ID!) {{ removeLeadingGroupMember(id: $id) {{ {ERRORS} ... on Deleted {{ deletedId }} }} }}"""
GROUP = f"query {{ leadingGroup {{ {MEMBER} }} }}"
TOKEN = f"""mutation ($input: CreateApiTokenInput!) {{ createApiToken(input: $input) {{
  {ERRORS} ... on CreatedApiToken {{ secret token {{ id role seat member {{ id name }} }} }} }} }}"""
REVOKE = """mutation ($id: ID!) { revokeApiToken(id: $id) { __typename } }"""
DELETE_UNIT = f"""mutation ($id: ID!) {{ deleteUnit(id: $id) {{ {ERRORS} ... on Deleted {{ deletedId }} }} }}"""
REVIEWS = """query ($id: ID!) { node(id: $id) { ... on Power { status reviews {
  approvedBy approvedByMember { name post groupRole seat unit { name } } } } } }"""


async def call(client: httpx.AsyncClient, query: str, token: str | None, **variables: Any) -> dict[str, Any]:
    return next(iter((await gql_data(client, query, variables, token)).values()))


def codes(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in result["errors"]]


async def test_admins_keep_the_group_and_staff_read_it(client: httpx.AsyncClient) -> None:
    admin, unit = await token_for(Role.ADMIN), await make_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    unit_id = encode_id("Unit", unit.id)
    name = f"张{unique('')}"
    member = {"name": f" {name} ", "post": "县政府办主任", "unitId": unit_id, "groupRole": "MEMBER", "seat": "OPENNESS_OFFICE"}
    made = await call(client, CREATE, admin, input=member)
    assert made["__typename"] == "LeadingGroupMember", made
    assert (made["name"], made["groupRole"], made["seat"], made["unit"]["id"]) == (name, "MEMBER", "OPENNESS_OFFICE", unit_id)
    assert {k: v for k, v in made.items() if k != "__typename"} in await call(client, GROUP, staff)  # signed-in roles read it
    public = await gql(client, GROUP)
    assert public["data"] is None and "staff only" in public["errors"][0]["message"]

    leader = await LeadingGroupMember.filter(group_role=GroupRole.LEADER).first()
    if leader is None:
        first = await call(client, CREATE, admin, input={**member, "name": "赵组长", "groupRole": "LEADER", "seat": "LEADING_GROUP"})
        assert first["groupRole"] == "LEADER", first
    before = await LeadingGroupMember.all().count()
    denied = await call(client, CREATE, staff, input={**member, "name": "李四"})
    assert denied["__typename"] == "PermissionDeniedError"
    bad = await call(client, CREATE, admin, input={**member, "name": " ", "post": "长" * 101, "unitId": encode_id("Unit", 10**9)})
    assert sorted(codes(bad)) == [("name", "required"), ("post", "too_long"), ("unitId", "not_found")]
    again = await call(client, CREATE, admin, input=member)
    assert codes(again) == [("name", "duplicate")]
    not_approver = await call(client, CREATE, admin, input={**member, "name": "王五", "seat": "LEADING_GROUP"})
    assert codes(not_approver) == [("seat", "invalid")]  # 审定 is the 组长's or a 副组长's
    second = await call(client, CREATE, admin, input={**member, "name": "钱组长", "groupRole": "LEADER"})
    assert codes(second) == [("groupRole", "duplicate")]
    assert await LeadingGroupMember.all().count() == before  # nothing changed on any refusal
    group = await call(client, GROUP, staff)
    assert group[0]["groupRole"] == "LEADER"  # 组长 first

    changed = await call(client, UPDATE, admin, id=made["id"], input={"post": "县政务公开办主任", "seat": None})
    assert (changed["post"], changed["seat"], changed["name"]) == ("县政务公开办主任", None, name)
    blank = await call(client, UPDATE, admin, id=made["id"], input={"groupRole": None, "name": ""})
    assert sorted(codes(blank)) == [("groupRole", "required"), ("name", "required")]
    in_use = await call(client, DELETE_UNIT, admin, id=unit_id)
    assert codes(in_use) == [("id", "in_use")]  # the unit a member comes from stays
    assert (await call(client, REMOVE, admin, id=made["id"]))["__typename"] == "Deleted"
    assert (await call(client, REMOVE, admin, id=made["id"]))["__typename"] == "NotFoundError"
    assert all(m["id"] != made["id"] for m in await call(client, GROUP, staff))
    member_id = str(decode_id(made["id"], "LeadingGroupMember"))
    trail = await AuditEvent.filter(entity_type="leading_group_member", entity_id=member_id).order_by("id")
    assert [e.action for e in trail] == ["leading_group.create", "leading_group.update", "leading_group.remove"]
    assert trail[1].detail["changes"] == {"post": ["县政府办主任", "县政务公开办主任"], "seat": ["OPENNESS_OFFICE", None]}


async def test_a_reviewer_token_is_for_a_held_seat_and_may_be_bound_to_its_member(client: httpx.AsyncClient) -> None:
    admin, unit = await token_for(Role.ADMIN), await make_unit()
    member = {"post": "县物价局局长", "unitId": encode_id("Unit", unit.id), "groupRole": "MEMBER"}
    seatless = await call(client, CREATE, admin, input={**member, "name": f"孙{unique('')}"})
    pricing = await call(client, CREATE, admin, input={**member, "name": f"周{unique('')}", "seat": "PRICING"})

    no_seat = await call(client, TOKEN, admin, input={"name": "x", "role": "REVIEWER", "memberId": seatless["id"]})
    assert codes(no_seat) == [("memberId", "no_seat")]
    other = await call(client, TOKEN, admin, input={"name": "x", "role": "REVIEWER", "memberId": pricing["id"], "seat": "SECRECY"})
    assert codes(other) == [("seat", "mismatch")]
    not_reviewer = await call(client, TOKEN, admin, input={"name": "x", "role": "INSPECTOR", "memberId": pricing["id"]})
    assert codes(not_reviewer) == [("memberId", "invalid")]
    bound = await call(client, TOKEN, admin, input={"name": "县物价局", "role": "REVIEWER", "memberId": pricing["id"]})
    assert bound["token"]["seat"] == "PRICING" and bound["token"]["member"] == {"id": pricing["id"], "name": pricing["name"]}

    for refused in (await call(client, REMOVE, admin, id=pricing["id"]),
                    await call(client, UPDATE, admin, id=pricing["id"], input={"seat": "SECRECY"})):  # fmt: skip
        assert codes(refused) == [("id", "in_use")], refused
    await call(client, REVOKE, admin, id=bound["token"]["id"])
    assert (await call(client, REMOVE, admin, id=pricing["id"]))["__typename"] == "Deleted"
    gone = await call(client, TOKEN, admin, input={"name": "x", "role": "REVIEWER", "memberId": pricing["id"]})
    assert codes(gone) == [("memberId", "not_found")]


async def test_the_approving_member_is_recorded(client: httpx.AsyncClient) -> None:
    admin, unit = await token_for(Role.ADMIN), await make_unit()
    seats = await seat_tokens()
    deputy = await call(client, CREATE, admin, input={
        "name": f"吴{unique('')}", "post": "县委常委、常务副县长", "unitId": encode_id("Unit", unit.id),
        "groupRole": "DEPUTY", "seat": "LEADING_GROUP",
    })  # fmt: skip
    bound = await call(client, TOKEN, admin, input={"name": "常务副县长", "role": "REVIEWER", "memberId": deputy["id"]})
    assert bound["token"]["seat"] == "LEADING_GROUP"
    power = encode_id("Power", (await in_review(await charted(await based_power(unit)))).id)
    approved = await panel_decides(client, {**seats, ReviewSeat.LEADING_GROUP: bound["secret"]}, power, {"decision": "RETAIN"})
    assert approved["status"] == "APPROVED", approved
    (review,) = (await call(client, REVIEWS, seats[ReviewSeat.OPENNESS_OFFICE], id=power))["reviews"]
    assert review == {"approvedBy": "常务副县长", "approvedByMember": {
        "name": deputy["name"], "post": "县委常委、常务副县长", "groupRole": "DEPUTY", "seat": "LEADING_GROUP",
        "unit": {"name": unit.name},
    }}  # fmt: skip

    unbound = encode_id("Power", (await in_review(await charted(await based_power(unit)))).id)
    assert (await panel_decides(client, seats, unbound, {"decision": "RETAIN"}))["status"] == "APPROVED"
    (review,) = (await call(client, REVIEWS, seats[ReviewSeat.OPENNESS_OFFICE], id=unbound))["reviews"]
    assert review["approvedByMember"] is None and review["approvedBy"]


def test_a_token_for_a_seat_nobody_holds_is_refused(migrated_db_url: str) -> None:
    """On a database of its own, where the group has no member yet: the real command refuses the seat."""
    refused = run_cli("token", "create", "--role", "REVIEWER", "--seat", "PRICING", db_url=migrated_db_url, check=False)
    assert refused.returncode == 1
    assert "no member of the leading group holds the PRICING seat" in refused.stderr.replace("\n", " ")
    plain = run_cli("token", "create", "--role", "REVIEWER", db_url=migrated_db_url)  # a reviewer without a seat
    assert "created token #1" in plain.stdout
