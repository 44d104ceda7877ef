"""Open data: the public catalogue at stable URLs, for portals and provincial platforms to mirror.

    GET /open-data/catalog.json            the county's public catalogue
    GET /open-data/catalog.csv
    GET /open-data/units/{code}/catalog.json   (and .csv) one unit's, with its offices
    GET /open-data/networks/{NETWORK}/catalog.json   (and .csv) the powers that run in one of the 七大网络

The JSON's format is versioned (`"version": 2`: the API's global ids and camelCase names, enum values with
their labels beside them); `?version=1` still serves the format before it.

Always the PUBLIC version, whatever token comes with the request. Each answer carries an `ETag` (of
its body) and `Last-Modified` (the newest change of a power it lists), and answers a conditional
request with 304. Bodies are kept per data version (domain/data_version.py): while nothing has been
written, a mirror's poll costs one cheap statement.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from threading import Lock

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain import data_version
from domain.access import PUBLIC
from domain.catalog.export import JSON_VERSIONS, ExportFormat, catalog_export, to_csv, to_json
from domain.enums import Network
from domain.models import Unit
from qingquan.response_cache import etag_of, not_modified

#: Bodies kept (formats × units × the current data version); older versions fall out first.
KEPT = 64


@dataclass(frozen=True)
class OpenDataBody:
    body: bytes
    etag: str
    last_modified: datetime


class OpenDataCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str, str], OpenDataBody] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, str, str]) -> OpenDataBody | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple[str, str, str], entry: OpenDataBody) -> None:
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > KEPT:
                self._entries.popitem(last=False)


async def _build(unit: Unit | None, fmt: ExportFormat, version: int, network: Network | None = None) -> OpenDataBody:
    export = await catalog_export(PUBLIC, unit, generated_at=datetime.now(UTC), network=network)
    # the body must not change while the data does not: no generation time in it
    export.generated_at = export.last_modified or datetime(2000, 1, 1, tzinfo=UTC)
    if fmt is ExportFormat.JSON:
        body = await asyncio.to_thread(to_json, export, version)
    else:
        body = await asyncio.to_thread(to_csv, export)
    modified = (export.last_modified or export.generated_at).astimezone(UTC).replace(microsecond=0)
    return OpenDataBody(body, etag_of(body), modified)


def _unchanged(request: Request, entry: OpenDataBody) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        return not_modified(if_none_match, entry.etag)
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return entry.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def routes() -> list[Route]:
    cache = OpenDataCache()

    async def serve(request: Request) -> Response:
        if request.path_params["fmt"] not in ("json", "csv"):
            return JSONResponse({"error": "open data is served as catalog.json or catalog.csv"}, status_code=404)
        fmt = ExportFormat(request.path_params["fmt"])
        code = request.path_params.get("code")
        network = None
        if "network" in request.path_params:
            try:
                network = Network(request.path_params["network"].upper())
            except ValueError:
                names = ", ".join(n.value for n in Network)
                return JSONResponse({"error": f"no network {request.path_params['network']}: one of {names}"}, status_code=404)
        unit = None
        if code is not None:
            unit = await Unit.get_or_none(code=code)
            if unit is None:
                return JSONResponse({"error": f"no unit with code {code}"}, status_code=404)
        asked = request.query_params.get("version")
        if asked is not None and (fmt is not ExportFormat.JSON or asked not in {str(v) for v in JSON_VERSIONS}):
            known = " or ".join(str(v) for v in JSON_VERSIONS)
            return JSONResponse({"error": f"version is {known}, of catalog.json only"}, status_code=400)
        version = int(asked) if asked else JSON_VERSIONS[-1]
        key = (f"{fmt.value}:{version}", code or (f"network:{network.value}" if network else ""), await data_version.current())
        entry = cache.get(key)
        if entry is None:
            entry = await _build(unit, fmt, version, network)
            cache.put(key, entry)
        headers = {
            "ETag": entry.etag,
            "Last-Modified": format_datetime(entry.last_modified, usegmt=True),
            "Cache-Control": "public, max-age=300",
            "Access-Control-Allow-Origin": "*",
        }
        if _unchanged(request, entry):
            return Response(status_code=304, headers=headers)
        return Response(entry.body, media_type=fmt.media_type, headers=headers)

    return [
        Route("/open-data/catalog.{fmt:str}", serve, methods=["GET", "HEAD"]),
        Route("/open-data/units/{code:str}/catalog.{fmt:str}", serve, methods=["GET", "HEAD"]),
        Route("/open-data/networks/{network:str}/catalog.{fmt:str}", serve, methods=["GET", "HEAD"]),
    ]
