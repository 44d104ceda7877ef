"""The public response cache, ETags and persisted queries, over real HTTP: a write is visible to the
next request, a cached public answer never reaches a token holder (nor theirs the public), and an
answer costs one SQL statement once it is cached."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from domain import data_version
from domain.enums import PowerStatus, Role
from qingquan.persisted import sha256
from qingquan.response_cache import ResponseCache
from tests.factories import make_power, make_unit, unique
from tests.helpers import app_client, count_queries, token_for

UNITS = "query Units($name: String) { units(first: 100, filter: { nameContains: $name }) { totalCount edges { node { name } } } }"
POWERS = "{ powers(first: 100) { totalCount edges { node { code status } } } }"


async def ask(client: httpx.AsyncClient, query: str, variables: dict | None = None, token: str | None = None,
              **headers: str) -> httpx.Response:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code in (200, 304), response.text
    return response


async def test_every_table_raises_the_data_version(database: str) -> None:
    assert await data_version.unversioned_tables() == []


async def test_a_cached_answer_costs_one_statement_and_a_write_shows_at_once(client: httpx.AsyncClient) -> None:
    name = unique("缓存")
    parent = await make_unit(name=f"{name}局")
    variables = {"name": name}
    await ask(client, UNITS, {"name": "warm-up"})  # a document is cached once it is known to be valid
    first = await ask(client, UNITS, variables)
    assert first.json()["data"]["units"]["totalCount"] == 1
    with count_queries() as counter:
        again = await ask(client, UNITS, variables)
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert counter.count == 1, counter.statements  # the data version, nothing else
    await make_unit(parent, name=f"{name}办公室")
    after = await ask(client, UNITS, variables)
    assert after.json()["data"]["units"]["totalCount"] == 2
    assert after.headers["etag"] != first.headers["etag"]


async def test_public_and_token_answers_never_mix(client: httpx.AsyncClient, demo: object) -> None:
    unit = await make_unit()
    draft = await make_power(unit, name=f"{unique('草稿')}许可")
    assert draft.status == PowerStatus.DRAFT
    admin = await token_for(Role.ADMIN)
    public_first = (await ask(client, POWERS)).json()
    admin_answer = (await ask(client, POWERS, token=admin)).json()
    public_again = await ask(client, POWERS)
    assert public_again.json() == public_first
    assert admin_answer["data"]["powers"]["totalCount"] > public_first["data"]["powers"]["totalCount"]
    assert {e["node"]["status"] for e in public_first["data"]["powers"]["edges"]} == {"PUBLISHED"}
    assert (await ask(client, POWERS, token=admin)).json() == admin_answer
    assert public_again.headers["cache-control"].startswith("public")
    token_response = await ask(client, POWERS, token=admin)
    assert "public" not in token_response.headers["cache-control"]


async def test_search_answers_are_not_cached(client: httpx.AsyncClient) -> None:
    """They follow the index, which a process sees a moment after the database: never kept."""
    query = '{ searchLegalBasis(query: "许可", first: 1) { totalCount } }'
    await ask(client, query)
    assert (await ask(client, query)).headers["cache-control"] == "no-store"
    await ask(client, "{ units(first: 1) { totalCount } }")
    assert (await ask(client, "{ units(first: 1) { totalCount } }")).headers["cache-control"].startswith("public")
    fragment = "query { ...S } fragment S on Query { searchPowers(query: \"许可\") { totalCount } }"
    await ask(client, fragment)
    assert (await ask(client, fragment)).headers["cache-control"] == "no-store"


async def test_conditional_get_answers_304(client: httpx.AsyncClient) -> None:
    params = {"query": "{ units(first: 3) { totalCount } }"}
    first = await client.get("/graphql", params=params)
    etag = first.headers["etag"]
    again = await client.get("/graphql", params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    admin = await token_for(Role.ADMIN)
    mine = await client.get("/graphql", params=params, headers={"Authorization": f"Bearer {admin}"})
    assert mine.headers["cache-control"].startswith("private")
    assert (await client.get("/graphql", params=params, headers={
        "Authorization": f"Bearer {admin}", "If-None-Match": mine.headers["etag"]})).status_code == 304


async def test_automatic_persisted_queries(client: httpx.AsyncClient) -> None:
    query = "{ units(first: 2) { totalCount } } " + f"# {unique('apq')}"
    digest = sha256(query)
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    unknown = await client.post("/graphql", json={"extensions": extensions})
    assert unknown.status_code == 200
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    registered = await client.post("/graphql", json={"query": query, "extensions": extensions})
    assert registered.json()["data"]["units"]["totalCount"] >= 0
    by_hash = await client.get("/graphql", params={"extensions": json.dumps(extensions)})
    assert by_hash.json() == registered.json()
    wrong = await client.post("/graphql", json={"query": "{ viewer { role } }", "extensions": extensions})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


@pytest.fixture(scope="module")
async def allow_list_client(database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[httpx.AsyncClient]:
    manifest = tmp_path_factory.mktemp("apq") / "manifest.json"
    body = "{ viewer { role } }"
    manifest.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1,
                                    "operations": [{"id": sha256(body), "body": body, "name": "Viewer", "type": "query"}]}))
    async with app_client(persisted_queries=str(manifest), persisted_queries_only=True) as c:
        yield c


async def test_allow_list_runs_only_registered_documents(allow_list_client: httpx.AsyncClient) -> None:
    refused = await allow_list_client.post("/graphql", json={"query": "{ units { totalCount } }"})
    assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    by_hash = await allow_list_client.post(
        "/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256("{ viewer { role } }")}}}
    )
    assert by_hash.json() == {"data": {"viewer": {"role": "PUBLIC"}}}
    assert (await allow_list_client.post("/graphql", json={"query": "{ viewer { role } }"})).status_code == 200


def test_a_manifest_with_a_wrong_hash_is_refused(tmp_path: Path) -> None:
    from qingquan.persisted import load_manifest

    path = tmp_path / "m.json"
    path.write_text(json.dumps({"0" * 64: "{ viewer { role } }"}))
    with pytest.raises(ValueError, match="does not match"):
        load_manifest(str(path))


async def test_sending_webhooks_leaves_the_data_version_alone(database: str) -> None:
    """The sender claims and saves deliveries every few seconds: on SQLite that must not empty every
    cache (on PostgreSQL the version is the snapshot, which any write moves)."""
    from tortoise import connections
    from tortoise.timezone import now

    from domain.catalog.models import Webhook, WebhookDelivery

    if connections.get("default").capabilities.dialect != "sqlite":
        pytest.skip("PostgreSQL's data version is its snapshot: every write moves it, by design")
    hook = await Webhook.create(
        name="cache", url="http://127.0.0.1:9/hook", secret="s" * 32, role=Role.ADMIN, events=["power.published"]
    )
    before = await data_version.current()
    delivery = await WebhookDelivery.create(webhook=hook, event="power.published", next_attempt_at=now())
    delivery.attempts = 1
    await delivery.save()
    assert await data_version.current() == before


def test_the_newest_answer_of_a_question_is_kept_for_an_outage() -> None:
    """While the database is down the data version cannot be read: the newest answer cached for the rest of
    the key is what is served (stale); one evicted is gone, and so is a question never asked."""
    cache = ResponseCache(max_bytes=10_000)
    question = ("2026-12-07", "{ units { totalCount } }", b"{}", None, "application/json")
    cache.put(("v1", *question), b'{"data": 1}', "application/json")
    cache.put(("v2", *question), b'{"data": 2}', "application/json")
    cached, age = cache.stale(question)
    assert cached.body == b'{"data": 2}' and age == 0
    assert cache.stale(("2026-12-08", *question[1:])) is None  # another day is another question
    for n in range(40):  # other answers push it out
        cache.put((f"v{n}", "2026-12-07", f"{{ q{n} }}", b"{}", None, "application/json"), b"x" * 400, "application/json")
    assert cache.stale(question) is None
