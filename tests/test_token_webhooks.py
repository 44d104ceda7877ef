"""Any token registers webhooks for itself (issue 25, item 7), over the API: a county system needs no admin.
Its webhook hears exactly what the token may see — another unit's confidential power and complaints never —
and nothing once the token is revoked; it lists and removes only its own, and cannot claim a wider role."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator

import httpx
import pytest

from domain import complaints
from domain.catalog.models import Webhook, WebhookDelivery
from domain.enums import PowerCategory, Role
from domain.tokens import create_token, revoke_token
from tests.factories import ADMIN, PUBLIC, make_unit, power_name
from tests.helpers import gql_data
from tests.workflow_factories import published_power

EVENTS = ["power.published", "complaint.filed"]
REGISTER = """
mutation ($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) {
    __typename
    ... on RegisteredWebhook { secret webhook { id name role unitCode own } }
    ... on PermissionDeniedError { message }
    ... on ValidationErrors { errors { field code } }
  }
}
"""
REMOVE = "mutation ($id: ID!) { removeWebhook(id: $id) { __typename } }"
LIST = "{ webhooks { id name own deliveries { event subject } } }"


@pytest.fixture(autouse=True)
async def hooks_removed(database: str) -> AsyncIterator[None]:
    """The webhooks a test registers go with it: their receivers do not exist, and a later test's delivery
    round must not find their deliveries due."""
    before = await Webhook.all().order_by("-id").first()
    yield
    await Webhook.filter(id__gt=before.id if before else 0).delete()


def hook_input(name: str, **more: object) -> dict:
    # a public address (nothing is sent here: the deliveries are read where they are queued)
    return {"input": {"name": name, "url": "https://8.8.8.8/hooks/qingquan", "events": EVENTS, **more}}


async def subjects(hook_id: int) -> list[str]:
    return [d.subject for d in await WebhookDelivery.filter(webhook_id=hook_id).order_by("id")]


async def test_a_token_registers_its_own_webhook_and_hears_what_it_may_see(client: httpx.AsyncClient) -> None:
    unit, other = await make_unit(), await make_unit()
    token, plain = await create_token(Role.UNIT_STAFF, unit.code)
    _, stranger = await create_token(Role.UNIT_STAFF, other.code)
    made = (await gql_data(client, REGISTER, hook_input("本单位系统"), plain))["registerWebhook"]
    assert made["webhook"]["role"] == "UNIT_STAFF" and made["webhook"]["unitCode"] == unit.code and made["webhook"]["own"]
    mine = await Webhook.get(name="本单位系统", token_id=token.id)
    theirs = (await gql_data(client, REGISTER, hook_input("他单位系统"), stranger))["registerWebhook"]
    theirs_hook = await Webhook.get(name="他单位系统")

    shown = await published_power(unit, name=power_name("公开的许可"), category=PowerCategory.LICENSING)
    secret = await published_power(unit, name=power_name("涉密的检查"), category=PowerCategory.INSPECTION, confidential=True,
                                   confidentiality_reason="涉密", confidentiality_basis="《保守国家秘密法》第九条")  # fmt: skip
    filed = await complaints.file_complaint(PUBLIC, complaints.ComplaintData(
        unit_id=unit.id, subject="办事拖延", content="窗口推诿", complainant_name="王某", complainant_phone="13800000000",
    ), on=datetime.date(2026, 10, 9))  # fmt: skip
    assert await subjects(mine.id) == [f"power:{shown.id}", f"power:{secret.id}", f"complaint:{filed.id}"]
    # another unit's token hears of the public power only: not the confidential one, not the complaint
    assert await subjects(theirs_hook.id) == [f"power:{shown.id}"]

    # each token lists and removes its own only
    listed = (await gql_data(client, LIST, token=stranger))["webhooks"]
    assert [h["name"] for h in listed] == ["他单位系统"] and listed[0]["deliveries"] == [
        {"event": "power.published", "subject": f"power:{shown.id}"}
    ]
    assert (await gql_data(client, LIST))["webhooks"] == []
    removed = await gql_data(client, REMOVE, {"id": made["webhook"]["id"]}, stranger)
    assert removed["removeWebhook"]["__typename"] == "NotFoundError" and await Webhook.exists(id=mine.id)

    # revoked, the token's webhook hears nothing more
    await revoke_token(ADMIN, token.id)
    later = await published_power(unit, name=power_name("撤销后公开"), category=PowerCategory.LICENSING)
    assert f"power:{later.id}" not in await subjects(mine.id)
    assert f"power:{later.id}" in await subjects(theirs_hook.id)
    gone = await gql_data(client, REMOVE, {"id": theirs["webhook"]["id"]}, stranger)
    assert gone["removeWebhook"]["__typename"] == "Deleted" and not await Webhook.exists(id=theirs_hook.id)


async def test_a_token_cannot_claim_a_wider_role_and_the_public_registers_nothing(client: httpx.AsyncClient) -> None:
    unit, other = await make_unit(), await make_unit()
    _, plain = await create_token(Role.UNIT_STAFF, unit.code)
    before = await Webhook.all().count()
    for wider, field in (({"role": "ADMIN"}, "role"), ({"role": "UNIT_STAFF", "unitCode": other.code}, "unit")):
        refused = (await gql_data(client, REGISTER, hook_input("越权", **wider), plain))["registerWebhook"]
        assert refused["errors"] == [{"field": field, "code": "forbidden"}], refused
    public = (await gql_data(client, REGISTER, hook_input("匿名")))["registerWebhook"]
    assert public["__typename"] == "PermissionDeniedError"
    assert await Webhook.all().count() == before
    # an admin's token, leaving the role out, registers its own too (hearing as the admin token)
    admin, admin_plain = await create_token(Role.ADMIN)
    own = (await gql_data(client, REGISTER, hook_input("管理员自用"), admin_plain))["registerWebhook"]
    assert own["webhook"]["own"] and own["webhook"]["role"] == "ADMIN"
    assert (await Webhook.get(name="管理员自用")).token_id == admin.id
