"""What a front end on another origin and another county system meet at the HTTP layer (issue 25, items 1,
5 and 8), over real requests against the ASGI app: CORS for the origins the operator names and for no
other, errors every program can read (a stable code, Chinese beside English, no `data` when nothing ran),
gzip for large answers with ETags and 304s that still work, and the introspection switch."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from domain.enums import Role
from qingquan import client_http
from qingquan.response_cache import not_modified
from qingquan.settings import Settings, get_settings
from schema.error_codes import CODES
from tests.helpers import app_client, token_for

CONSOLE = "https://console.county.example"
OTHER = "https://evil.example"
GRAPHQL_RESPONSE = "application/graphql-response+json"
HAN = re.compile(r"[\u4e00-\u9fff]")
INTROSPECTION = "{ __schema { types { name fields { name args { name type { name } } } } } }"


def preflight(origin: str, headers: str = "authorization, content-type") -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": headers}


# ---- 1. CORS


async def test_without_origins_there_is_no_cors(client: httpx.AsyncClient) -> None:
    response = await client.options("/graphql", headers=preflight(CONSOLE))
    assert response.status_code == 405 and "access-control-allow-origin" not in response.headers
    answer = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": CONSOLE})
    assert "access-control-allow-origin" not in answer.headers


async def test_a_named_origin_is_allowed_exactly_and_no_other(database: str) -> None:
    async with app_client(cors_origins=f"{CONSOLE}, http://LOCALHOST:5173/") as c:
        ok = await c.options("/graphql", headers=preflight(CONSOLE, "authorization, content-type, apollo-require-preflight"))
        assert ok.status_code == 200, ok.text
        assert ok.headers["access-control-allow-origin"] == CONSOLE  # the origin itself, never `*`
        assert ok.headers["access-control-allow-credentials"] == "true"
        assert {"GET", "POST"} <= {m.strip() for m in ok.headers["access-control-allow-methods"].split(",")}
        allowed = {h.strip().lower() for h in ok.headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type", "apollo-require-preflight", "if-none-match"} <= allowed
        assert "origin" in ok.headers["vary"].lower() and int(ok.headers["access-control-max-age"]) > 0
        # written as the operator wrote it, matched as a browser sends it
        dev = await c.options("/graphql", headers=preflight("http://localhost:5173"))
        assert dev.headers["access-control-allow-origin"] == "http://localhost:5173"

        refused = await c.options("/graphql", headers=preflight(OTHER))
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
        assert "origin" in refused.headers["vary"].lower()

        token = await token_for(Role.ADMIN)
        headers = {"Origin": CONSOLE, "Authorization": f"Bearer {token}"}
        answer = await c.post("/graphql", json={"query": "{ viewer { role } }"}, headers=headers)
        assert answer.json()["data"] == {"viewer": {"role": "ADMIN"}}
        assert answer.headers["access-control-allow-origin"] == CONSOLE and "ETag" in answer.headers["access-control-expose-headers"]
        stranger = await c.get("/graphql", params={"query": "{ __typename }"}, headers={"Origin": OTHER})
        assert stranger.status_code == 200 and "access-control-allow-origin" not in stranger.headers
        # one public answer, cached and shared: it says that it depends on the origin, allowed or not
        assert "origin" in stranger.headers["vary"].lower()


@pytest.mark.parametrize("value", ["*", "https://*.county.example", "console.county.example", "https://a.example/app", "ftp://a.example"])
def test_the_setting_takes_exact_origins_only(value: str) -> None:
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        Settings(cors_origins=value)


# ---- 5. errors a program can read

BAD_REQUESTS = [
    ("{ nmae }", None, "unknown_field", "nmae"),
    ("{ powers(filter: { category: NOPE }) { totalCount } }", None, "invalid_value", "PowerCategory"),
    ("{ powers { ", None, "syntax_error", "Syntax Error"),
    ("query ($c: PowerCategory) { powers(filter: { category: $c }) { totalCount } }", {"c": "NOPE"}, "invalid_variable", "$c"),
    ("query ($n: Int!) { powers(first: $n) { totalCount } }", {}, "missing_variable", "$n"),
    ('{ powers(first: "x") { totalCount } }', None, "invalid_value", "Int"),
    ("{ powers(frist: 1) { totalCount } }", None, "unknown_argument", "frist"),
    ("{ powers }", None, "selection_required", "powers"),
    ("{ viewer { role { name } } }", None, "selection_not_allowed", "role"),
    ("query ($x: Int) { viewer { role } }", None, "unused_variable", "$x"),
    ("{ ...Nope }", None, "unknown_fragment", "Nope"),
    ("{ viewer @nope { role } }", None, "unknown_directive", "nope"),
]


@pytest.mark.parametrize(("query", "variables", "code", "named"), BAD_REQUESTS)
async def test_a_request_error_has_a_code_and_chinese_beside_english_and_no_data(
    client: httpx.AsyncClient, query: str, variables: dict | None, code: str, named: str
) -> None:
    legacy = await client.post("/graphql", json={"query": query, "variables": variables})
    assert legacy.status_code == 200
    body = legacy.json()
    assert "data" not in body, body  # nothing was executed (the GraphQL spec), with application/json too
    error = body["errors"][0]
    assert error["extensions"]["code"] == code, error
    assert HAN.search(error["message"]) and named in error["message"], error  # 中文 (English), naming the culprit
    spec = await client.post("/graphql", json={"query": query, "variables": variables}, headers={"Accept": GRAPHQL_RESPONSE})
    assert spec.status_code == 400 and "data" not in spec.json()
    assert spec.json()["errors"][0]["extensions"]["code"] == code


async def test_the_http_layers_refusals_are_bilingual_too(client: httpx.AsyncClient) -> None:
    refusals = [
        (await client.post("/graphql", content=b"{nope", headers={"Content-Type": "application/json"}), "invalid_json"),
        (await client.post("/graphql", content=b"query", headers={"Content-Type": "text/plain"}), "unsupported_media_type"),
        (await client.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Basic x"}), "unauthenticated"),
    ]
    for response, code in refusals:
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == code and HAN.search(error["message"]) and "(" in error["message"], error


async def test_every_code_is_a_stable_identifier(client: httpx.AsyncClient) -> None:
    assert all(re.fullmatch(r"[a-z][a-z_]*", code) for code in CODES)
    # an error while executing keeps its data, and its code (a domain error's own)
    body = (await client.post("/graphql", json={"query": "{ apiTokens { totalCount } }"})).json()
    assert "data" in body and body["errors"][0]["extensions"]["code"] == "forbidden", body


# ---- 8. compression and the introspection switch


async def test_large_answers_are_gzipped_when_accepted_and_etags_still_revalidate(client: httpx.AsyncClient) -> None:
    plain = await client.get("/graphql", params={"query": INTROSPECTION}, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    packed = await client.get("/graphql", params={"query": INTROSPECTION}, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and "accept-encoding" in packed.headers["vary"].lower()
    assert int(packed.headers["content-length"]) < len(plain.content) / 4
    assert packed.content == plain.content  # (httpx decodes) the same answer
    # one (weak) validator names the content in either encoding, and revalidates either
    assert packed.headers["etag"] == plain.headers["etag"] and packed.headers["etag"].startswith("W/")
    for sent in (plain.headers["etag"], packed.headers["etag"].removeprefix("W/")):
        again = await client.get("/graphql", params={"query": INTROSPECTION}, headers={"Accept-Encoding": "gzip", "If-None-Match": sent})
        assert again.status_code == 304 and not again.content
    small = await client.get("/graphql", params={"query": "{ __typename }"}, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_event_streams_and_packed_files_are_not_compressed() -> None:
    async def events(request: object) -> StreamingResponse:
        async def stream():  # noqa: ANN202
            yield b"event: next\ndata: " + b"x" * 4000 + b"\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def text(request: object) -> Response:
        etag = '"abc"'
        if not_modified(request.headers.get("if-none-match"), etag):  # type: ignore[attr-defined]
            return Response(status_code=304, headers={"ETag": etag})
        return Response("法" * 4000, media_type="text/plain", headers={"ETag": etag})

    async def docx(request: object) -> JSONResponse:
        return JSONResponse(
            {"x": "y" * 4000}, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )

    routes = [Route("/e", events), Route("/d", docx), Route("/t", text)]
    app = Starlette(routes=routes, middleware=client_http.middleware(get_settings()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for path in ("/e", "/d"):
            response = await c.get(path, headers={"Accept-Encoding": "gzip"})
            assert "content-encoding" not in response.headers and len(response.content) > 4000
        # a strong validator does not name two encodings: compressed, it is sent weak, and revalidates
        packed = await c.get("/t", headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip" and packed.headers["etag"] == 'W/"abc"'
        assert (await c.get("/t", headers={"If-None-Match": 'W/"abc"'})).status_code == 304
        assert (await c.get("/t", headers={"Accept-Encoding": "identity"})).headers["etag"] == '"abc"'



@pytest.mark.parametrize("mode", ["off", "token"])
async def test_introspection_can_be_closed(database: str, mode: str) -> None:
    async with app_client(introspection=mode) as c:
        hidden = "query { ...F } fragment F on Query { viewer { role } s: __type(name: \"Power\") { name } }"
        for query in (INTROSPECTION, hidden):
            for method in ("GET", "POST"):
                request = {"params": {"query": query}} if method == "GET" else {"json": {"query": query}}
                response = await c.request(method, "/graphql", **request)
                body = response.json()
                assert "data" not in body and body["errors"][0]["extensions"]["code"] == "introspection_disabled", body
                assert HAN.search(body["errors"][0]["message"])
        # what clients always ask keeps working
        assert (await c.post("/graphql", json={"query": "{ __typename viewer { role } }"})).json()["data"]["viewer"]
        admin = await token_for(Role.ADMIN)
        with_token = await c.post("/graphql", json={"query": INTROSPECTION}, headers={"Authorization": f"Bearer {admin}"})
        if mode == "token":
            assert with_token.json()["data"]["__schema"]["types"]
        else:
            assert with_token.json()["errors"][0]["extensions"]["code"] == "introspection_disabled"


async def test_introspection_is_public_by_default(client: httpx.AsyncClient) -> None:
    assert get_settings().introspection == "public"
    assert (await client.post("/graphql", json={"query": INTROSPECTION})).json()["data"]["__schema"]["types"]
