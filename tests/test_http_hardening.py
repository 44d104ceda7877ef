"""Requests shaped by an attacker or a careless client, over real HTTP against the ASGI app: no document
stalls the server, every malformed request is a 4xx with a GraphQL error body, ids and cursors are
canonical, values the database cannot hold are typed errors, and the media type is negotiated."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from domain.enums import Role
from qingquan.persisted import sha256
from resolvers.ids import encode_cursor
from tests.helpers import app_client, gql, token_for

GRAPHQL_RESPONSE = "application/graphql-response+json"


def fragment_bomb(levels: int, leaf: str = "viewer { role }") -> str:
    """Each fragment spreads the next one twice: 2^levels copies of `leaf` once expanded."""
    spreads = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {spreads} fragment F{levels} on Query {{ {leaf} }}"


def no_internal_error(body: dict) -> None:
    for error in body.get("errors") or ():
        assert "Internal server error" not in error["message"], error
        assert "Error" not in error["message"].split("(")[0], error  # no exception class names


async def post_raw(client: httpx.AsyncClient, content: bytes, content_type: str = "application/json") -> httpx.Response:
    return await client.post("/graphql", content=content, headers={"Content-Type": content_type})


# ---- 1. no document stalls the server


@pytest.mark.parametrize("levels", [18, 24, 60])
async def test_fragments_spread_twice_at_each_level_answer_at_once(client: httpx.AsyncClient, levels: int) -> None:
    started = time.perf_counter()
    body = await gql(client, fragment_bomb(levels))
    elapsed = time.perf_counter() - started
    # before: 18 levels took 2.2 s, 24 levels minutes; the rules now visit each fragment once
    assert elapsed < 2.0, f"{levels} levels took {elapsed:.1f} s"
    assert body["data"] == {"viewer": {"role": "PUBLIC"}}


async def test_fragments_nested_hundreds_deep_are_refused_clearly(client: httpx.AsyncClient) -> None:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(230))
    body = await gql(client, f"query {{ ...F0 }} {chain} fragment F230 on Query {{ viewer {{ role }} }}")
    assert "data" not in body  # refused before it ran
    assert body["errors"][0]["extensions"]["code"] == "too_deep", body["errors"]


async def test_the_node_limit_follows_fragments(client: httpx.AsyncClient) -> None:
    leaf = "units(first: 100) { edges { node { powers(first: 100) { nodes { code } } } } }"
    body = await gql(client, f"query {{ ...A }} fragment A on Query {{ ...L }} fragment L on Query {{ {leaf} }}")
    assert "data" not in body
    assert body["errors"][0]["extensions"] == {"code": "too_many_nodes", "nodes": 10_100, "limit": 10_000}


async def test_a_long_plain_list_counts_as_its_largest_page(client: httpx.AsyncClient) -> None:
    """A comment period's drafts are a plain list of up to 200: 公示稿 × their comments cannot slip past
    the node limit by hiding behind a list without `first`."""
    many = "commentPeriods(first: 50) { edges { node { drafts { comments(first: 100) { nodes { body } } } } } }"
    body = await gql(client, f"{{ {many} }}")
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "too_many_nodes", body["errors"]
    assert body["errors"][0]["extensions"]["nodes"] == 50 + 50 * (200 + 200 * 100)
    few = "commentPeriods(first: 5) { edges { node { drafts { code } } } }"
    assert "errors" not in await gql(client, f"{{ {few} }}")


async def test_aliases_are_counted_through_fragments(client: httpx.AsyncClient) -> None:
    aliased = " ".join(f"r{i}: role" for i in range(20))
    body = await gql(client, f"{{ a: viewer {{ ...X }} b: viewer {{ ...X }} }} fragment X on Viewer {{ {aliased} }}")
    assert body["errors"][0]["extensions"]["code"] == "too_many_aliases"
    assert body["errors"][0]["extensions"]["aliases"] == 42


async def test_repeated_fields_that_validation_would_compare_pairwise_are_refused(client: httpx.AsyncClient) -> None:
    repeated = "{ " + " ".join("... on Query { units(first: 1) { edges { node { code name } } } }" for _ in range(31)) + " }"
    started = time.perf_counter()
    body = await gql(client, repeated)
    assert time.perf_counter() - started < 1.0
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "too_complex"
    # a few repeats, as fragments on different types make them, stay fine
    fine = "{ " + " ".join("... on Query { viewer { role } }" for _ in range(5)) + " }"
    assert (await gql(client, fine))["data"] == {"viewer": {"role": "PUBLIC"}}


@pytest.fixture(scope="module")
async def no_budget_client(database: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a validation budget of 0 ms: every document runs out of time."""
    async with app_client(max_validation_ms=0) as c:
        yield c


async def test_validation_stops_when_its_time_budget_is_spent(no_budget_client: httpx.AsyncClient) -> None:
    response = await no_budget_client.post(
        "/graphql", json={"query": "{ units { totalCount } }"}, headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["too_complex"]


# ---- 4. malformed requests are 400 with a GraphQL error body


@pytest.mark.parametrize("content", [b"null", b"1", b'"x"', b"[]", b"{}", b"{", b'{"query": 1}',
                                     b'{"query": "{ viewer { role } }", "variables": []}',
                                     b'{"query": "{ viewer { role } }", "operationName": 5}',
                                     b'{"query": "{ viewer { role } }", "extensions": "x"}'])
async def test_bodies_that_are_not_a_graphql_request_are_400(client: httpx.AsyncClient, content: bytes) -> None:
    response = await post_raw(client, content)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "content",
    [
        b'{"query": "{ unit(code: \\"\xff\xfe\\") { name } }"}',  # invalid UTF-8 in the query
        b'{"query": "query($c: String!) { unit(code: $c) { name } }", "variables": {"c": "\xc3\x28"}}',
        b'{"query": "query($c: String!) { unit(code: $c) { name } }", "variables": {"c": "\\ud800"}}',  # lone surrogate
    ],
)
async def test_text_that_is_not_utf8_is_400(client: httpx.AsyncClient, content: bytes) -> None:
    response = await post_raw(client, content)
    assert response.status_code == 400, response.text
    assert "JSON" in response.json()["errors"][0]["message"]


async def test_the_nul_character_is_refused_in_every_string(client: httpx.AsyncClient) -> None:
    """PostgreSQL cannot store U+0000: it was an internal error there (found by the fuzz run)."""
    for body in [
        {"query": "query($n: String) { units(filter: { nameContains: $n }) { totalCount } }", "variables": {"n": "a\u0000"}},
        {"query": '{ units(filter: { nameContains: "a\\u0000" }) { totalCount } }'},
        {"query": '{ units(filter: { nameContains: "a\u0000" }) { totalCount } }'},
    ]:
        response = await client.post("/graphql", json=body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "invalid_text"


async def test_other_malformed_requests(client: httpx.AsyncClient) -> None:
    assert (await post_raw(client, b"")).status_code == 400
    assert (await post_raw(client, b"query { viewer { role } }", "text/plain")).status_code == 415
    huge = b'{"query": "{ viewer { role } }", "variables": {"x": "' + b"a" * (2 * 1024 * 1024) + b'"}}'
    assert (await post_raw(client, huge)).status_code == 413
    mutation = await client.get("/graphql", params={"query": 'mutation { deletePower(id: "x") { __typename } }'})
    assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"
    assert (await client.put("/graphql", json={"query": "{ viewer { role } }"})).status_code == 405
    bad_variables = await client.get("/graphql", params={"query": "{ viewer { role } }", "variables": "{"})
    assert bad_variables.status_code == 400 and bad_variables.json()["errors"]
    refused = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers={"Accept": "text/csv"})
    assert refused.status_code == 406


async def test_an_unacceptable_accept_is_refused_before_anything_runs(client: httpx.AsyncClient) -> None:
    from domain.models import Unit

    before = await Unit.all().count()
    mutation = 'mutation { createUnit(input: { code: "36079999", name: "不该建立" }) { __typename } }'
    admin = await token_for(Role.ADMIN)
    response = await client.post(
        "/graphql", json={"query": mutation}, headers={"Accept": "text/html", "Authorization": f"Bearer {admin}"}
    )
    assert response.status_code == 406
    assert await Unit.all().count() == before


async def test_malformed_multipart_requests_are_400_or_413(client: httpx.AsyncClient) -> None:
    admin = {"Authorization": f"Bearer {await token_for(Role.ADMIN)}"}
    operations = json.dumps({"query": "query($f: [Upload]) { __typename }", "variables": {"f": [None]}})
    for files_map in ['{"0": ["variables.f.' + "9" * 5000 + '"]}', '{"0": ["variables.nope"]}', '{"0": "x"}', "[]"]:
        response = await client.post(
            "/graphql", data={"operations": operations, "map": files_map}, files={"0": ("a.txt", b"x")}, headers=admin
        )
        assert response.status_code == 400, (files_map[:40], response.text)

    async def chunks():  # a chunked body declares no length
        yield b"--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{}\r\n"
        yield b"--b\r\nContent-Disposition: form-data; name=\"0\"; filename=\"big\"\r\n\r\n"
        for _ in range(24):
            yield b"x" * (1024 * 1024)

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"}
    )
    assert response.status_code == 413


# ---- 10. GraphQL over HTTP: media types and status codes


async def test_graphql_response_media_type_is_negotiated(client: httpx.AsyncClient) -> None:
    ok = await client.post("/graphql", json={"query": "{ viewer { role } }"}, headers={"Accept": GRAPHQL_RESPONSE})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    for query, variables in [("{ viewer { ", None), ("{ nope }", None), ("query($n: Int!) { units(first: $n) { totalCount } }", {"n": "x"})]:
        refused = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"Accept": GRAPHQL_RESPONSE}
        )
        assert refused.status_code == 400, (query, refused.text)
        assert "data" not in refused.json() and refused.json()["errors"]
        legacy = await client.post("/graphql", json={"query": query, "variables": variables})
        assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")
        assert "data" not in legacy.json()  # nothing ran: no `data`, with application/json too
    either = await client.post(
        "/graphql", json={"query": "{ viewer { role } }"}, headers={"Accept": f"application/json;q=0.5, {GRAPHQL_RESPONSE}"}
    )
    assert either.headers["content-type"].startswith(GRAPHQL_RESPONSE)


TWO_OPERATIONS = "query A { viewer { role } } query B { units(first: 1) { totalCount } }"


def names_the_operation(body: dict) -> None:
    assert "data" not in body or body["data"] is None, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == "operation_name_required", body
    assert "operationName" in error["message"] and "多个操作" in error["message"]


async def test_several_operations_need_an_operation_name(client: httpx.AsyncClient) -> None:
    """The GraphQL specification's GetOperation: strawberry ran the first operation instead."""
    strict = {"Accept": GRAPHQL_RESPONSE}
    for document in (TWO_OPERATIONS, "{ viewer { role } } query B { viewer { role } }"):
        refused = await client.post("/graphql", json={"query": document}, headers=strict)
        assert refused.status_code == 400, refused.text
        names_the_operation(refused.json())
        legacy = await client.post("/graphql", json={"query": document})
        assert legacy.status_code == 200 and legacy.headers["cache-control"] == "no-store"
        names_the_operation(legacy.json())
        by_get = await client.get("/graphql", params={"query": document}, headers=strict)
        assert by_get.status_code == 400, by_get.text
        names_the_operation(by_get.json())
    named = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "B"})
    assert named.json()["data"]["units"]["totalCount"] >= 0
    # a public answer of the named operation is cached: the same document without the name still is refused
    for _ in range(2):
        cached = await client.get("/graphql", params={"query": TWO_OPERATIONS, "operationName": "A"})
        assert cached.json() == {"data": {"viewer": {"role": "PUBLIC"}}}
    names_the_operation((await client.get("/graphql", params={"query": TWO_OPERATIONS})).json())
    # nor does a receipt lookup slip over GET behind another operation (it ran as the first one)
    hidden = 'query A { complaintByReceipt(code: "x") { status } } query B { viewer { role } }'
    names_the_operation((await client.get("/graphql", params={"query": hidden})).json())
    one_mutation = await client.post("/graphql", json={"query": "mutation M { __typename } query Q { viewer { role } }"})
    names_the_operation(one_mutation.json())


async def test_a_persisted_document_of_several_operations_needs_a_name_too(client: httpx.AsyncClient) -> None:
    document = f"{TWO_OPERATIONS} # several operations, persisted"
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256(document)}}
    names_the_operation((await client.post("/graphql", json={"query": document, "extensions": extensions})).json())
    by_hash = await client.get("/graphql", params={"extensions": json.dumps(extensions)})
    names_the_operation(by_hash.json())
    named = await client.get("/graphql", params={"extensions": json.dumps(extensions), "operationName": "A"})
    assert named.json() == {"data": {"viewer": {"role": "PUBLIC"}}}


async def test_responses_are_utf8_not_escaped(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ units(first: 1000) { totalCount } }"})
    assert "必须".encode() in response.content, response.text


# ---- 5. ids, cursors and values the database cannot hold


def b64(text: str, pad: bool = False) -> str:
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    return encoded if pad else encoded.rstrip("=")


async def test_ids_beyond_the_database_or_in_other_spellings_answer_null(client: httpx.AsyncClient, demo: object) -> None:
    admin = await token_for(Role.ADMIN)
    found = await gql(client, "{ powers(first: 1) { edges { node { id } } } }", token=admin)
    canonical = found["data"]["powers"]["edges"][0]["node"]["id"]
    pk = base64.urlsafe_b64decode(canonical + "=" * (-len(canonical) % 4)).decode().split(":")[1]
    assert (await gql(client, f'{{ node(id: "{canonical}") {{ id }} }}', token=admin))["data"]["node"]
    others = [
        b64("Power:9223372036854775808"), b64("Power:3000000000"), b64("Power:" + "9" * 40),
        b64("Power:" + pk, pad=True) if len(canonical) % 4 else canonical + "==",  # padded
        b64("Power:0" + pk), b64("Power:+" + pk), b64("Power: " + pk), b64("Power:" + pk + " "),
        b64("Power:" + "".join(chr(0xFF10 + int(d)) for d in pk)),  # full-width digits
        b64("Power:" + pk).replace("-", "+").replace("_", "/") if ("-" in canonical or "_" in canonical) else canonical + "\n",
        b64("Power:-1"), b64("Power:0"), "UG93ZXI6MQ" * 50, "非ASCII",
    ]
    for global_id in others:
        body = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": global_id}, token=admin)
        no_internal_error(body)
        assert body["data"] == {"node": None}, (global_id, body)


async def test_cursors_are_canonical_and_bounded(client: httpx.AsyncClient) -> None:
    query = "query($after: String) { units(first: 1, after: $after) { edges { node { code } } } }"
    assert (await gql(client, query, {"after": encode_cursor(0)}))["data"]["units"]["edges"]
    for cursor in [b64("o:9223372036854775808"), b64("o:3000000000"), b64("o:0"), b64("o:01", pad=True),
                   b64("o:" + chr(0xFF11)), encode_cursor(0).rstrip("="), "garbage", "x" * 10_000]:
        body = await gql(client, query, {"after": cursor})
        no_internal_error(body)
        if cursor == b64("o:0") and cursor == encode_cursor(0):
            continue
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "invalid", (cursor, body)


async def test_strings_longer_than_their_column_are_typed_errors(client: httpx.AsyncClient) -> None:
    admin = await token_for(Role.ADMIN)
    long = "9" * 200
    probes = [
        ("query($v: String!) { powers(filter: { code: $v }) { totalCount } }", None),
        ("query($v: String!) { power(code: $v) { name } }", None),
        ("query($v: String!) { unit(code: $v) { name } }", None),
        ("query($v: String!) { legalDocuments(first: 1) { edges { node { article(label: $v) { label } } } } }", None),
        ("query($v: String!) { auditEvents(filter: { entityType: $v }) { totalCount } }", admin),
    ]
    for query, token in probes:
        body = await gql(client, query, {"v": long}, token=token or admin)
        no_internal_error(body)
        assert long not in str(body), "the value is not echoed back"
        if body.get("errors"):
            assert body["errors"][0]["extensions"]["code"] == "invalid", (query, body)
