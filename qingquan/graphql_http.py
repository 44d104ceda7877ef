"""GraphQL over HTTP: the `/graphql` endpoint, written to the GraphQL-over-HTTP specification.

Strawberry executes; this module speaks HTTP around it, so that every malformed request gets a 4xx
with a GraphQL error body (never a 500, never an exception's name), and the media type is negotiated:
`application/graphql-response+json` (asked for in `Accept`) answers a request error — a document that
does not parse or validate, variables that do not coerce — with 400 and no `data`; `application/json`
(the default, and what `*/*` gets) answers 200 as clients written before the specification expect.

Request bodies are bounded (`max_request_bytes`, uploads `max_upload_bytes`), parsed strictly (UTF-8,
no lone surrogates, nesting bounded: orjson), and responses are written as UTF-8 JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
)
from graphql.language.ast import OperationType as OperationTypeNode
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.types import Message, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult
from strawberry.types.graphql import OperationType

from domain import data_version, workdays
from qingquan import outage
from qingquan.graphiql import graphiql_html
from qingquan.persisted import PersistedQueries, PersistedQueryError, load_manifest
from qingquan.response_cache import (
    CachedResponse,
    CacheKey,
    ResponseCache,
    Unversioned,
    etag_of,
    not_modified,
)
from qingquan.settings import Settings
from resolvers.prefetch import field_selections
from schema.document_cache import DocumentLRU
from schema.error_codes import has_chinese

log = logging.getLogger("qingquan.http")

JSON = "application/json"
SSE_MEDIA = "text/event-stream; charset=utf-8"
#: seconds of silence after which an SSE stream sends a comment (proxies close idle connections)
SSE_KEEPALIVE = 15.0
GRAPHQL_RESPONSE = "application/graphql-response+json"
#: root fields that take a 查询码 (a receipt's secret code) and answer with a complainant's or a requester's
#: case: never over GET (the code would sit in addresses, histories and access logs), never cached
RECEIPT_LOOKUPS = frozenset({"complaintByReceipt", "informationRequestByReceipt", "caseByReceipt"})

#: a document of several operations names the one to run: a request error, as one that does not validate
OPERATION_NAME_REQUIRED = GraphQLError(
    "文档含有多个操作，请用 operationName 指明要执行哪一个 (the document has several operations: name the one "
    "to run in `operationName`)",
    extensions={"code": "operation_name_required"},
)


class StaleAnswer(Exception):
    """The database is down and this cached public answer is the last one known (served marked stale)."""

    def __init__(self, cached: CachedResponse, age: int) -> None:
        super().__init__("stale answer")
        self.cached = cached
        self.age = age


class RequestError(Exception):
    """A request we refuse before executing anything: answered with `status` and a GraphQL error body."""

    def __init__(self, status: int, message: str, code: str = "bad_request", headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


@dataclass(frozen=True)
class GraphQLParams:
    query: str | None  # None: named by extensions.persistedQuery
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None

    def execution(self) -> dict[str, Any]:
        """What strawberry's execute and stream take of the request besides the document and the context."""
        return {"variable_values": self.variables, "operation_name": self.operation_name, "operation_extensions": self.extensions}


def negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header, or None when we offer nothing it accepts."""
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, bool, int] | None = None
    chosen: str | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered = _OFFERS.get(media.lower())
        if offered and quality > 0:
            # the most preferred; between equals graphql-response+json, then the one named first
            rank = (quality, offered == GRAPHQL_RESPONSE, -position)
            if best is None or rank > best:
                best, chosen = rank, offered
    return chosen


_OFFERS = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON, "application/*": JSON, "*/*": JSON}


#: the Chinese lead of the HTTP layer's refusals written in English only, by code
HTTP_ZH = {
    "bad_request": "请求格式不正确",
    "invalid_json": "JSON 无效",
    "not_acceptable": "无法以所接受的媒体类型答复",
    "method_not_allowed": "不支持此请求方法",
    "unsupported_media_type": "不支持此内容类型",
    "too_large": "请求过大",
    "unauthenticated": "身份验证失败",
}
def bilingual(message: str, code: str) -> str:
    """`中文 (English)` for a refusal written in English only (as the domain's messages are written)."""
    return message if has_chinese(message) else f"{HTTP_ZH.get(code, '请求被拒绝')} ({message})"


def _json(data: bytes | str, what: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RequestError(400, f"{what} is not valid JSON (UTF-8, no lone surrogates): {exc.msg}", "invalid_json") from None


def _params(data: Any) -> GraphQLParams:
    """Check the request parameters' types as the specification asks."""
    if not isinstance(data, dict):
        raise RequestError(400, "The request body must be a JSON object with a `query` (batching is not supported)")
    query, extensions = data.get("query"), data.get("extensions")
    persisted = isinstance(extensions, dict) and "persistedQuery" in extensions
    if not (isinstance(query, str) and query.strip()) and not (persisted and query is None):
        raise RequestError(400, "No GraphQL query found in the request: `query` must be a non-empty string")
    variables, operation_name = data.get("variables"), data.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "`variables` must be an object or null")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "`operationName` must be a string or null")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "`extensions` must be an object or null")
    if (query is not None and ("\x00" in query or _NUL_ESCAPE.search(query))) or _holds_nul(variables):
        # PostgreSQL cannot store U+0000 in text: refuse it here, for every field and every engine alike
        raise RequestError(400, "文本不能含空字符 U+0000 (text may not contain the NUL character, U+0000)", "invalid_text")
    return GraphQLParams(query, variables, operation_name, extensions)


_NUL_ESCAPE = re.compile(r"\\u0{4}|\\u\{0+\}")


def _holds_nul(value: Any) -> bool:
    """Whether a JSON value holds U+0000 in any string (its keys included), without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def _place_files(operations: Any, files_map: Any, files: Mapping[str, UploadFile]) -> Any:
    """Put the uploaded files where the multipart request's `map` says (the GraphQL multipart spec)."""
    if not isinstance(operations, dict) or not isinstance(files_map, dict):
        raise RequestError(400, "multipart `operations` and `map` must be JSON objects")
    for name, paths in files_map.items():
        upload = files.get(name)
        if not isinstance(upload, UploadFile):
            raise RequestError(400, f"the multipart `map` names a file part {name!r} the request does not have")
        if not isinstance(paths, list):
            raise RequestError(400, "each entry of the multipart `map` must be a list of paths")
        for path in paths:
            keys = path.split(".") if isinstance(path, str) else []
            if len(keys) < 2 or keys[0] != "variables":
                raise RequestError(400, f"the multipart `map` path {path!r} must point into `variables`")
            target: Any = operations
            for key in keys[:-1]:
                target = _step(target, key, path)
            last = keys[-1]
            if isinstance(target, list) and _index(last) < len(target):
                target[int(last)] = upload
            elif isinstance(target, dict) and last in target:
                target[last] = upload
            else:
                raise RequestError(400, f"the multipart `map` path {path!r} names no variable of the operation")
    return operations


def _index(key: str) -> float:
    """A list index from a multipart map path, or infinity when it is not a short decimal number."""
    return int(key) if key.isdecimal() and key.isascii() and len(key) <= 9 else float("inf")


def _step(target: Any, key: str, path: str) -> Any:
    if isinstance(target, dict) and key in target:
        return target[key]
    if isinstance(target, list) and _index(key) < len(target):
        return target[int(key)]
    raise RequestError(400, f"the multipart `map` path {path!r} names no variable of the operation")


def _is_request_error(result: ExecutionResult) -> bool:
    """No execution began: the document did not parse or validate, or the variables did not coerce."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or ())


class GraphQLHTTP:
    """The ASGI endpoint of `/graphql` (GET and POST, multipart uploads, GraphiQL for browsers)."""

    def __init__(self, schema: strawberry.Schema, settings: Settings, documents: DocumentLRU) -> None:
        self.schema = schema
        self.settings = settings
        self.documents = documents  # the schema's parsed and validated documents
        self.responses = ResponseCache(settings.response_cache_bytes) if settings.response_cache_bytes > 0 else None
        registered = load_manifest(settings.persisted_queries) if settings.persisted_queries else {}
        self.persisted = PersistedQueries(registered, settings.persisted_queries_only)

    def wants_graphiql(self, request: Request) -> bool:
        return (
            self.settings.graphiql
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    def is_public(self, request: Request) -> bool:
        """Whether the request carries no credentials (and so may share cached answers)."""
        return "authorization" not in request.headers

    async def get_context(self, request: Request, response: Response | None) -> Any:  # pragma: no cover
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        try:
            if wants_sse(request):
                response = await self.stream(request)
            else:
                if media is None and not self.wants_graphiql(request):
                    # before anything runs: a mutation must not take effect for an answer nobody can read
                    raise RequestError(406, f"Accept must allow {GRAPHQL_RESPONSE} or {JSON}", "not_acceptable")
                response = await self.handle(request, media or JSON)
        except RequestError as exc:
            response = self.error_response(exc, media or JSON)
        except ClientDisconnect:
            return
        except outage.DatabaseUnavailable:  # a resolver's error, logged as such (schema.QingquanSchema)
            response = outage.unavailable_response(media or JSON)
        except Exception as exc:
            if not outage.database_unavailable(exc):
                raise
            log.warning("GraphQL request: the database is unavailable: %s", exc)
            response = outage.unavailable_response(media or JSON)
        await response(scope, receive, send)

    async def stream(self, request: Request) -> Response:
        """GraphQL over SSE (distinct connections mode): each result an `event: next`, then `event: complete`;
        a comment every KEEPALIVE seconds of silence keeps proxies from closing the stream."""
        if request.method not in ("GET", "POST"):
            raise RequestError(405, "GraphQL accepts GET and POST requests", "method_not_allowed", {"Allow": "GET, POST"})
        params = await self.read_params(request)
        try:
            query = self.persisted.resolve(params.query, params.extensions)
        except PersistedQueryError as exc:
            raise RequestError(400 if exc.status == 200 else exc.status, exc.message, exc.code) from None
        context = await self.get_context(request, None)
        allowed = {OperationType.QUERY, OperationType.SUBSCRIPTION}
        if request.method == "POST":
            allowed.add(OperationType.MUTATION)
        source = await self.schema.stream(query, context_value=context, allowed_operation_types=allowed, **params.execution())

        async def events() -> AsyncIterator[bytes]:
            following: asyncio.Future[Any] | None = None
            try:
                iterator = aiter(source)
                while True:
                    following = asyncio.ensure_future(anext(iterator))
                    while not (await asyncio.wait({following}, timeout=SSE_KEEPALIVE))[0]:
                        yield b":\n\n"
                    try:
                        result = following.result()
                    except StopAsyncIteration:
                        break
                    body: dict[str, Any] = {"data": result.data} if result.data is not None else {}
                    if result.errors:
                        body["errors"] = [error.formatted for error in result.errors]
                    yield b"event: next\ndata: " + orjson.dumps(body) + b"\n\n"
                yield b"event: complete\ndata: \n\n"
            finally:  # the client went away, or the stream ended: the subscription ends with it
                if following is not None and not following.done():
                    following.cancel()
                    with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                        await following
                await source.aclose()
                release = getattr(context, "release", None)
                if release is not None:
                    release()

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type=SSE_MEDIA, headers=headers)

    def error_response(self, exc: RequestError, media: str) -> Response:
        body = {"errors": [{"message": bilingual(exc.message, exc.code), "extensions": {"code": exc.code}}]}
        return Response(orjson.dumps(body), status_code=exc.status, media_type=media, headers=exc.headers)

    async def handle(self, request: Request, media: str) -> Response:
        if request.method not in ("GET", "POST"):
            raise RequestError(405, "GraphQL accepts GET and POST requests", "method_not_allowed", {"Allow": "GET, POST"})
        if self.wants_graphiql(request):
            return HTMLResponse(graphiql_html())
        params = await self.read_params(request)
        try:
            query = self.persisted.resolve(params.query, params.extensions)
        except PersistedQueryError as exc:
            if exc.status == 200:  # the APQ protocol: a GraphQL error the client acts on
                body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code}}]}
                return Response(orjson.dumps(body), media_type=media, headers={"Cache-Control": "no-store"})
            raise RequestError(exc.status, exc.message, exc.code) from None
        document = self.document(query)
        if document is not None and params.operation_name is None and _operation_count(document) > 1:
            # strawberry would run the first one; the specification asks for a request error (GetOperation)
            status, body = self.result_body(ExecutionResult(data=None, errors=[OPERATION_NAME_REQUIRED]), media)
            return Response(body, status_code=status, media_type=media, headers={"Cache-Control": "no-store"})
        if document is not None and (refusal := self.introspection_refusal(request, document)) is not None:
            status, body = self.result_body(ExecutionResult(data=None, errors=[refusal]), media)
            return Response(body, status_code=status, media_type=media, headers={"Cache-Control": "no-store"})
        if request.method == "GET" and self.looks_up_receipt(document, params.operation_name):
            raise RequestError(
                405,
                "查询码只能用 POST 提交：放在 GET 地址里会留在浏览记录和访问日志中 (a receipt lookup takes its 查询码 by "
                "POST only: in a GET request it would sit in addresses, histories and access logs)",
                "method_not_allowed",
                {"Allow": "POST"},
            )
        try:
            key = await self.cache_key(request, query, params, media)
        except StaleAnswer as stale:
            return self.cacheable_response(request, stale.cached, stale.age)
        if key is not None and self.responses is not None and (hit := self.responses.get(key)):
            return self.cacheable_response(request, hit)
        context = await self.get_context(request, None)
        allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
        try:
            result = await self.schema.execute(query, context_value=context, allowed_operation_types=allowed, **params.execution())
        except InvalidOperationTypeError as exc:
            raise RequestError(
                405, exc.as_http_error_reason(request.method), "method_not_allowed", {"Allow": "POST"}
            ) from None
        except CannotGetOperationTypeError as exc:
            raise RequestError(400, exc.as_http_error_reason()) from None
        except MissingQueryError:
            raise RequestError(400, "No GraphQL query found in the request") from None
        finally:
            release = getattr(context, "release", None)
            if release is not None:
                release()
        if result.errors and any((e.extensions or {}).get("code") == outage.CODE for e in result.errors):
            raise outage.DatabaseUnavailable  # a resolver lost the database: the answer is not one (schema.ErrorPolicy)
        status, body = self.result_body(result, media)
        if status == 200 and not result.errors and (key is not None or request.method == "GET"):
            if key is not None and self.responses is not None:
                return self.cacheable_response(request, self.responses.put(key, body, media))
            return self.cacheable_response(request, CachedResponse(body, media, etag_of(body)))
        return Response(body, status_code=status, media_type=media, headers={"Cache-Control": "no-store"})

    def result_body(self, result: ExecutionResult, media: str) -> tuple[int, bytes]:
        body: dict[str, Any] = {}
        status = 200
        if _is_request_error(result):
            # nothing was executed: no `data` entry (the GraphQL spec, for both media types); 400 with the
            # specification's media type, 200 with application/json as clients written before it expect
            if media == GRAPHQL_RESPONSE:
                status = 400
        else:
            body["data"] = result.data
        if result.errors:
            body["errors"] = [e.formatted for e in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        return status, orjson.dumps(body)

    async def cache_key(self, request: Request, query: str | None, params: GraphQLParams, media: str) -> CacheKey | None:
        """The shared-cache key of a public query whose document is already known to be valid; else None.
        When the data version cannot be read (the database is down), the last answer cached for the rest of
        the key is served stale (qingquan/response_cache.py) by raising StaleAnswer; without one, the outage
        is the caller's."""
        rest = self.unversioned_key(request, query, params, media)
        if rest is None:
            return None
        # read after the key's other parts, before executing: an answer is never older than its version
        try:
            version = await data_version.current()
        except Exception as exc:
            if self.responses is None or not outage.database_unavailable(exc):
                raise
            stale = self.responses.stale(rest)
            if stale is None:
                raise
            raise StaleAnswer(*stale) from exc
        return (version, *rest)

    def unversioned_key(
        self, request: Request, query: str | None, params: GraphQLParams, media: str
    ) -> Unversioned | None:
        """The parts of a public query's cache key but the data version (see cache_key); else None."""
        if query is None or not self.is_public(request) or (request.method == "POST" and _is_multipart(request)):
            return None
        entry = self.documents.get(query)
        if entry is None or entry[1] != []:  # not yet parsed and validated (or invalid): run it first
            return None
        operation = get_operation_ast(entry[0], params.operation_name)
        if operation is None or operation.operation != OperationTypeNode.QUERY:
            return None
        roots = _root_fields(operation, entry[0])
        if any(name.startswith("search") for name in roots) or roots & RECEIPT_LOOKUPS:
            # a search follows the index, which each process sees commit a moment after the database; a
            # receipt lookup answers one person's case: neither is kept
            return None
        variables = orjson.dumps(params.variables or {}, option=orjson.OPT_SORT_KEYS)
        return (workdays.today().isoformat(), query, variables, params.operation_name, media)

    def document(self, query: str | None) -> DocumentNode | None:
        """The parsed document, within the token limit, or None when it does not parse (the execution then
        refuses it as usual). Kept in the document cache, where the execution finds it and does not parse
        it again."""
        if query is None:
            return None
        entry = self.documents.get(query)
        if entry is not None:
            return entry[0]
        try:
            document = parse(query, max_tokens=self.settings.max_query_tokens)
        except GraphQLError:
            return None
        self.documents.put(query, document, None)  # parsed, not yet validated (as the execution's parse step)
        return document

    def introspection_refusal(self, request: Request, document: DocumentNode) -> GraphQLError | None:
        """The error of a document that introspects (`__schema`, `__type`) where QINGQUAN_INTROSPECTION does
        not allow it: `off` for everyone, `token` for callers without one (`__typename` is always allowed)."""
        mode = self.settings.introspection
        if mode == "public" or (mode == "token" and not self.is_public(request)) or not introspects(document):
            return None
        if mode == "token":
            return GraphQLError(
                "内省查询须带令牌 (introspection needs a token on this server: send Authorization: Bearer …)",
                extensions={"code": "introspection_disabled"},
            )
        return GraphQLError(
            "本服务不开放内省查询 (introspection is off on this server: use the published schema.graphql)",
            extensions={"code": "introspection_disabled"},
        )

    def looks_up_receipt(self, document: DocumentNode | None, operation_name: str | None) -> bool:
        """Whether the operation asks a receipt lookup (RECEIPT_LOOKUPS)."""
        if document is None:
            return False
        operation = get_operation_ast(document, operation_name)
        return operation is not None and bool(_root_fields(operation, document) & RECEIPT_LOOKUPS)

    def cacheable_response(self, request: Request, cached: CachedResponse, stale_age: int | None = None) -> Response:
        """A response with its ETag (304 when the client has it); shared caches only for public ones;
        `stale_age`: served stale while the database is down, this many seconds old."""
        headers = {
            "ETag": cached.etag,
            "Cache-Control": "public, max-age=0, must-revalidate" if self.is_public(request) else "private, no-cache",
            "Vary": "Accept, Authorization",
        }
        if stale_age is not None:
            headers |= {"Age": str(stale_age), "Warning": '110 - "Response is Stale"'}
        if not_modified(request.headers.get("if-none-match"), cached.etag):
            return Response(status_code=304, headers=headers)
        return Response(cached.body, media_type=cached.media_type, headers=headers)

    async def read_params(self, request: Request) -> GraphQLParams:
        if request.method == "GET":
            q = request.query_params
            return _params(
                {
                    "query": q.get("query"),
                    "operationName": q.get("operationName") or None,
                    "variables": _json(q["variables"], "`variables`") if q.get("variables") else None,
                    "extensions": _json(q["extensions"], "`extensions`") if q.get("extensions") else None,
                }
            )
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "multipart/form-data":
            return await self._read_multipart(request)
        if content_type not in (JSON, GRAPHQL_RESPONSE) and not content_type.endswith("+json"):
            raise RequestError(
                415, f"POST a JSON body (Content-Type: {JSON}) or a multipart upload", "unsupported_media_type"
            )
        return _params(_json(await self._body(request, self.settings.max_request_bytes), "The request body"))

    async def _body(self, request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > limit:
            raise RequestError(413, f"the request body is larger than {limit} bytes", "too_large")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise RequestError(413, f"the request body is larger than {limit} bytes", "too_large")
            chunks.append(chunk)
        if not size:
            raise RequestError(400, "the POST request has no body")
        return b"".join(chunks)

    async def _read_multipart(self, request: Request) -> GraphQLParams:
        limit = self.settings.max_upload_bytes + self.settings.max_request_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdecimal() and int(declared) > limit:
            raise RequestError(413, f"the upload is larger than {limit} bytes", "too_large")
        request = Request(request.scope, _bounded(request.receive, limit))
        try:
            form = await request.form(max_files=10, max_fields=10)
        except RequestError:
            raise
        except Exception as exc:  # starlette raises several kinds for a malformed multipart body
            log.info("malformed multipart body: %s", exc)
            raise RequestError(400, "the multipart body cannot be read (GraphQL multipart request spec)") from None
        operations, files_map = form.get("operations"), form.get("map")
        if not isinstance(operations, str) or not isinstance(files_map, str):
            raise RequestError(400, "a multipart request needs `operations` and `map` fields")
        files = {k: v for k, v in form.multi_items() if isinstance(v, UploadFile)}
        return _params(_place_files(_json(operations, "`operations`"), _json(files_map, "`map`"), files))


INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def introspects(document: DocumentNode) -> bool:
    """Whether any selection of the document (its fragments included) asks `__schema` or `__type`: one
    pass over the document's selections, each visited once."""
    pending = [d.selection_set for d in document.definitions if getattr(d, "selection_set", None) is not None]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_FIELDS:
                return True
            child = getattr(selection, "selection_set", None)  # fields and inline fragments; spreads have none
            if child is not None:
                pending.append(child)
    return False


def wants_sse(request: Request) -> bool:
    """GraphQL over SSE is asked for by `Accept: text/event-stream` (an EventSource sends it)."""
    return "text/event-stream" in request.headers.get("accept", "").lower()


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


def _operation_count(document: DocumentNode) -> int:
    return sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)


def _root_fields(operation: OperationDefinitionNode, document: DocumentNode) -> set[str]:
    """The root fields an operation selects (through its fragments too)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return set(field_selections([operation.selection_set], fragments))


def _bounded(receive: Receive, limit: int) -> Receive:
    """`receive` that refuses a body growing past `limit` bytes (a chunked upload declares no length)."""
    size = 0

    async def bounded() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise RequestError(413, f"the upload is larger than {limit} bytes", "too_large")
        return message

    return bounded
