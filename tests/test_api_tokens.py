"""API tokens: an admin lists them (never their secret), gives them an expiry and revokes them, from
the GraphQL API and from the CLI; a revoked or expired token is a 401 on its very next request, in
every process (each request reads the token's row); creating and revoking are audited."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx

from domain.enums import Role
from domain.models import ApiToken, AuditEvent
from domain.tokens import hash_token
from schema.relay import encode_id
from tests.conftest import run_cli
from tests.factories import make_unit
from tests.helpers import gql, gql_data, token_for

TOKEN_FIELDS = "id name role unit { code } prefix createdAt lastUsedAt expiresAt revokedAt active"
LIST = f"query ($first: Int) {{ apiTokens(first: $first) {{ totalCount nodes {{ {TOKEN_FIELDS} }} }} }}"
ERRORS = "... on ValidationErrors { message errors { field code } } ... on NotFoundError { message } ... on PermissionDeniedError { message }"
CREATE = f"""
mutation ($input: CreateApiTokenInput!) {{
  createApiToken(input: $input) {{ __typename ... on CreatedApiToken {{ secret token {{ {TOKEN_FIELDS} }} }} {ERRORS} }}
}}"""
REVOKE = f"mutation ($id: ID!) {{ revokeApiToken(id: $id) {{ __typename ... on ApiToken {{ {TOKEN_FIELDS} }} {ERRORS} }} }}"
EXPIRE = f"""
mutation ($id: ID!, $at: DateTime) {{
  setApiTokenExpiry(id: $id, expiresAt: $at) {{ __typename ... on ApiToken {{ {TOKEN_FIELDS} }} {ERRORS} }}
}}"""
WHO = "{ viewer { role name } }"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat()


async def status_of(client: httpx.AsyncClient, token: str) -> tuple[int, dict]:
    response = await client.post("/graphql", json={"query": WHO}, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


async def create(client: httpx.AsyncClient, admin: str, **input_: object) -> dict:
    return (await gql_data(client, CREATE, {"input": {"role": "REVIEWER", **input_}}, admin))["createApiToken"]


async def test_an_admin_creates_a_token_sees_it_listed_and_revokes_it(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    created = await create(client, admin, name="电子监察系统")
    assert created["__typename"] == "CreatedApiToken" and created["secret"].startswith("qq_")
    token = created["token"]
    assert token["name"] == "电子监察系统" and token["role"] == "REVIEWER" and token["active"] is True
    assert created["secret"].startswith(token["prefix"]) and token["revokedAt"] is None
    assert await status_of(client, created["secret"]) == (200, {"data": {"viewer": {"role": "REVIEWER", "name": "电子监察系统"}}})

    listed = {n["id"]: n for n in (await gql_data(client, LIST, {"first": 100}, admin))["apiTokens"]["nodes"]}
    assert listed[token["id"]]["lastUsedAt"] is not None, "the request above is recorded as its last use"

    revoked = (await gql_data(client, REVOKE, {"id": token["id"]}, admin))["revokeApiToken"]
    assert revoked["__typename"] == "ApiToken" and revoked["revokedAt"] and revoked["active"] is False
    status, body = await status_of(client, created["secret"])
    assert status == 401 and "revoked" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "unauthenticated"

    pk = (await ApiToken.get(prefix=token["prefix"], name="电子监察系统")).id
    actions = await AuditEvent.filter(entity_type="api_token", entity_id=str(pk)).order_by("id").values_list("action", flat=True)
    assert actions == ["token.create", "token.revoke"]
    again = (await gql_data(client, REVOKE, {"id": token["id"]}, admin))["revokeApiToken"]
    assert again["revokedAt"] == revoked["revokedAt"], "revoking twice changes nothing"


async def test_a_unit_token_and_its_checks(client: httpx.AsyncClient) -> None:
    admin, unit = await token_for(Role.ADMIN), await make_unit()
    staff = await create(client, admin, role="UNIT_STAFF", unitId=encode_id("Unit", unit.id), name="窗口")
    assert staff["token"]["unit"] == {"code": unit.code}
    missing = await create(client, admin, role="UNIT_LEAD", name="无单位")
    assert missing["__typename"] == "ValidationErrors" and missing["errors"] == [{"field": "unitId", "code": "required"}]
    past = await create(client, admin, name="过期", expiresAt=iso(datetime.now(UTC) - timedelta(days=1)))
    assert past["__typename"] == "ValidationErrors" and past["errors"][0]["field"] == "expiresAt"


async def test_an_expired_token_is_refused_with_a_clear_message(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    created = await create(client, admin, name="临时", expiresAt=iso(soon))
    assert created["token"]["expiresAt"] is not None
    assert (await status_of(client, created["secret"]))[0] == 200
    await asyncio.sleep(max((soon - datetime.now(UTC)).total_seconds(), 0) + 0.2)
    status, body = await status_of(client, created["secret"])
    assert status == 401 and "expired" in body["errors"][0]["message"]
    listed = {n["id"]: n for n in (await gql_data(client, LIST, {"first": 100}, admin))["apiTokens"]["nodes"]}
    assert listed[created["token"]["id"]]["active"] is False


async def test_an_expiry_is_set_later_and_cleared(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    created = await create(client, admin, name="稍后设定期限")
    later = datetime.now(UTC) + timedelta(days=30)
    token = (await gql_data(client, EXPIRE, {"id": created["token"]["id"], "at": iso(later)}, admin))["setApiTokenExpiry"]
    assert datetime.fromisoformat(token["expiresAt"]) == later
    cleared = (await gql_data(client, EXPIRE, {"id": created["token"]["id"], "at": None}, admin))["setApiTokenExpiry"]
    assert cleared["expiresAt"] is None
    past = iso(datetime.now(UTC) - timedelta(minutes=1))
    refused = (await gql_data(client, EXPIRE, {"id": created["token"]["id"], "at": past}, admin))["setApiTokenExpiry"]
    assert refused["__typename"] == "ValidationErrors"
    assert (await gql_data(client, EXPIRE, {"id": encode_id("ApiToken", 10**9), "at": None}, admin))["setApiTokenExpiry"][
        "__typename"
    ] == "NotFoundError"


async def test_only_admins_see_or_change_tokens(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    secret_name = "不应泄露的令牌名称"
    target = await create(client, admin, name=secret_name)
    unit = await make_unit()
    for token in (None, await token_for(Role.INSPECTOR), await token_for(Role.REVIEWER), await token_for(Role.UNIT_LEAD, unit)):
        body = await gql(client, LIST, {"first": 100}, token)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "forbidden"
        assert secret_name not in json.dumps(body, ensure_ascii=False)
        for mutation, variables in (
            (CREATE, {"input": {"role": "ADMIN", "name": "提权"}}),
            (REVOKE, {"id": target["token"]["id"]}),
            (EXPIRE, {"id": target["token"]["id"], "at": None}),
        ):
            result = next(iter((await gql_data(client, mutation, variables, token)).values()))
            assert result["__typename"] == "PermissionDeniedError", result
    assert (await status_of(client, target["secret"]))[0] == 200


async def test_the_list_never_holds_a_secret_or_its_hash(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    created = await create(client, admin, name="查哈希")
    text = json.dumps(await gql_data(client, LIST, {"first": 100}, admin))
    hashes = await ApiToken.all().values_list("token_hash", flat=True)
    assert created["secret"] not in text and hash_token(created["secret"]) in hashes
    assert not [h for h in hashes if h in text]
    fields = await gql_data(client, '{ __type(name: "ApiToken") { fields { name } } }')
    names = {f["name"] for f in fields["__type"]["fields"]}
    assert not {n for n in names if "hash" in n.lower() or "secret" in n.lower() or "plain" in n.lower()}


async def test_the_cli_lists_creates_expires_and_revokes(client: httpx.AsyncClient, database: str) -> None:
    made = run_cli("token", "create", "--role", "INSPECTOR", "--name", "cli-巡查", "--expires", "30d", db_url=database)
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("qq_") and "expires" in made.stdout
    assert (await status_of(client, secret))[0] == 200
    rows = json.loads(run_cli("token", "list", "--json", db_url=database).stdout)
    mine = next(r for r in rows if r["name"] == "cli-巡查")
    assert mine["role"] == "INSPECTOR" and mine["status"] == "active" and mine["expires_at"]
    assert set(mine) >= {"id", "name", "role", "unit", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"}
    assert not {k for k in mine if "hash" in k or "secret" in k} and secret not in json.dumps(rows)
    table = run_cli("token", "list", db_url=database).stdout
    assert "cli-巡查" in table and "INSPECTOR" in table and mine["prefix"] in table

    run_cli("token", "expire", str(mine["id"]), "--expires", "never", db_url=database)
    assert (await ApiToken.get(id=mine["id"])).expires_at is None
    revoked = run_cli("token", "revoke", str(mine["id"]), db_url=database)
    assert "revoked" in revoked.stdout
    # the server process sees the other process's revocation on the very next request
    status, body = await status_of(client, secret)
    assert status == 401 and "revoked" in body["errors"][0]["message"]
    unknown = run_cli("token", "revoke", "999999999", db_url=database, check=False)
    assert unknown.returncode == 1 and "999999999" in unknown.stderr
    bad = run_cli("token", "create", "--role", "ADMIN", "--expires", "soon", db_url=database, check=False)
    assert bad.returncode != 0 and "expires" in (bad.stderr + bad.stdout)
