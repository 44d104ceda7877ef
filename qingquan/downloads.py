"""Download links of catalogue exports and 一盘 packages: GET /catalog/downloads/{token}.

As for Word filings (qingquan/filings.py, whose signing it shares): the token is HMAC-signed, expires,
and carries who asked; the file is built when the link is followed, for that same viewer, so a link
can never hand out more than its maker could see, and a revoked API token kills its links.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import time
from datetime import datetime
from typing import Literal
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.access import UNIT_ROLES, Viewer, unit_subtree_ids
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.enums import Role
from domain.errors import DomainError, NotFound
from domain.models import ApiToken, Unit
from qingquan.filings import LinkRejected, _b64, _mac, _unb64
from qingquan.package import MEDIA_TYPE, build_package
from qingquan.settings import Settings

Kind = Literal["catalog", "package"]


def sign(
    settings: Settings, viewer: Viewer, kind: Kind, unit_code: str, fmt: ExportFormat | None = None, *, pdf: bool = False
) -> tuple[str, int]:
    """A token for this download as `viewer` may see it, and the unix time it expires."""
    expires = int(time.time()) + settings.filing_link_seconds
    payload = {"k": kind, "u": unit_code, "f": fmt.value if fmt else None, "pdf": pdf, "r": viewer.role.value,
               "vu": viewer.unit_id, "t": viewer.token_id, "n": viewer.name, "e": expires}  # fmt: skip
    body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_mac(settings.secret_key, 'download:' + body)}", expires


async def _read(settings: Settings, token: str) -> tuple[dict[str, object], Viewer]:
    body, _, mac = token.partition(".")
    # signed with a `download:` prefix: a filing link's token is not a download token, nor the reverse
    if not mac or not hmac.compare_digest(mac, _mac(settings.secret_key, "download:" + body)):
        raise LinkRejected(404, "unknown link")
    payload = json.loads(_unb64(body))
    if payload["e"] < time.time():
        raise LinkRejected(410, "link expired: ask for the download again")
    if payload["t"] is not None and not await ApiToken.exists(id=payload["t"], revoked_at=None):
        raise LinkRejected(410, "the token that made this link was revoked")
    role = Role(payload["r"])
    unit_ids = await unit_subtree_ids(payload["vu"]) if role in UNIT_ROLES and payload["vu"] is not None else frozenset()
    return payload, Viewer(role=role, name=payload["n"], unit_id=payload["vu"], unit_ids=unit_ids, token_id=payload["t"])


def _attachment(content: bytes, filename: str, media_type: str) -> Response:
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "", filename) or "download"  # for clients without RFC 5987
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


async def render(payload: dict[str, object], viewer: Viewer) -> Response:
    code = str(payload["u"])
    now = datetime.now().astimezone()
    if payload["k"] == "package":
        package = await build_package(viewer, code, generated_at=now, pdf=bool(payload.get("pdf")))
        return _attachment(package.content, package.filename, MEDIA_TYPE)
    unit = await Unit.get_or_none(code=code)
    if unit is None:
        raise NotFound("没有该单位 (unit not found)")
    fmt = ExportFormat(str(payload["f"]))
    export = await catalog_export(viewer, unit, generated_at=now)
    content = await asyncio.to_thread(write, export, fmt)
    return _attachment(content, f"{unit.code}-权力清单-{viewer.role.value}.{fmt.value}", fmt.media_type)


def routes(settings: Settings) -> list[Route]:
    async def download(request: Request) -> Response:
        try:
            payload, viewer = await _read(settings, request.path_params["token"])
            return await render(payload, viewer)
        except LinkRejected as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "unknown link"}, status_code=404)
        except DomainError as exc:
            return JSONResponse({"error": exc.message}, status_code=404 if exc.code == "not_found" else 403)

    return [Route("/catalog/downloads/{token}", download, methods=["GET"])]
