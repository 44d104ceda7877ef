"""The app over real HTTP: health, readiness, GraphiQL, GET queries, auth errors, query limits."""

from __future__ import annotations

import httpx

from domain.enums import Role
from tests.helpers import gql, gql_data, token_for


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "up"
    assert ready.json()["search"] in {"ready", "building", "stale"}  # reported, not required


async def test_graphiql_in_a_browser(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_query_via_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ viewer { role } }"})
    assert response.status_code == 200
    assert response.json()["data"] == {"viewer": {"role": "PUBLIC"}}


async def test_viewer_from_a_token(client: httpx.AsyncClient) -> None:
    token = await token_for(Role.ADMIN)
    data = await gql_data(client, "{ viewer { role name unit { code } } }", token=token)
    assert data["viewer"]["role"] == "ADMIN"
    assert data["viewer"]["unit"] is None


async def test_unknown_token_is_rejected_not_downgraded(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={"Authorization": "Bearer qq_nonsense"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"


async def test_page_size_limit_is_a_clear_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, "{ powers(first: 1000) { totalCount } }")
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "invalid"
    assert "first" in body["errors"][0]["message"]


async def test_depth_limit(client: httpx.AsyncClient) -> None:
    deep = "{ units { edges { node { " + "parent { " * 12 + "code" + " }" * 12 + " } } } }"
    body = await gql(client, deep)
    assert body["errors"] and "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_alias_limit(client: httpx.AsyncClient) -> None:
    many = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(40)) + " }"
    body = await gql(client, many)
    assert body["errors"] and "aliases" in body["errors"][0]["message"].lower()


async def test_token_limit(client: httpx.AsyncClient) -> None:
    huge = "{ " + " ".join("viewer { role }" for _ in range(800)) + " }"
    body = await gql(client, huge)
    assert body["errors"] and "token" in body["errors"][0]["message"].lower()


async def test_invalid_cursor_is_a_typed_error(client: httpx.AsyncClient) -> None:
    body = await gql(client, '{ units(after: "garbage") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "invalid"


def test_unexpected_exceptions_are_masked_domain_errors_are_not() -> None:
    from graphql import GraphQLError

    from domain.errors import ValidationFailed
    from schema import should_mask

    assert should_mask(GraphQLError("boom", original_error=RuntimeError("password=secret")))
    assert not should_mask(GraphQLError("bad", original_error=ValidationFailed([])))
    assert not should_mask(GraphQLError("Syntax Error"))


async def test_node_limit_counts_nested_connections(client: httpx.AsyncClient) -> None:
    nested = "{ units(first: 100) { edges { node { powers(first: 100) { edges { node { code } } } } } } }"
    body = await gql(client, nested)
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "too_many_nodes", "nodes": 10_100, "limit": 10_000}
    # a variable's first counts as the largest page; fragments are followed
    via_variable = (
        "query($n: Int) { units(first: 100) { edges { node { ...P } } } } "
        "fragment P on Unit { powers(first: $n) { nodes { code } } }"
    )
    body = await gql(client, via_variable, {"n": 1})
    assert body["errors"][0]["extensions"]["code"] == "too_many_nodes"
    fine = "{ units(first: 20) { edges { node { powers(first: 100) { totalCount } } } } }"
    assert (await gql(client, fine)).get("errors") is None
