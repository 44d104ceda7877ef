"""Signed, expiring download links: Word filings (qingquan/filings.py) and catalogue exports and
packages (qingquan/downloads.py).

A token is `payload.mac`: the payload (base64 JSON) names what is asked for and who asked (role,
unit, API token id, name) and when it expires; the MAC is HMAC-SHA256 over it with the app's secret
key and a purpose, so a token made for one route is refused by another. The server keeps nothing:
the file is built when the link is followed, for that same viewer, so a link can never hand out
more than its maker could see, and a revoked API token kills its links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import JSONResponse, Response

from domain.access import Viewer, viewer_for
from domain.enums import Role
from domain.errors import DomainError
from domain.models import ApiToken
from qingquan.files import content_disposition
from qingquan.settings import Settings


class LinkRejected(Exception):
    """404 for a forged or unknown link, 410 for an expired one or one whose API token was revoked."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, purpose: str, body: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), (purpose + body).encode("ascii"), hashlib.sha256).digest())


def sign_link(settings: Settings, purpose: str, viewer: Viewer, what: dict[str, Any]) -> tuple[str, int]:
    """A token for `what` as `viewer` may see it, and the unix time it expires."""
    expires = int(time.time()) + settings.filing_link_seconds
    payload = {**what, "r": viewer.role.value, "vu": viewer.unit_id, "t": viewer.token_id, "n": viewer.name,
               "e": expires}  # fmt: skip
    body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_mac(settings.secret_key, purpose, body)}", expires


async def read_link(settings: Settings, purpose: str, token: str, *, again: str) -> tuple[dict[str, Any], Viewer]:
    """What a token asks for and who asked (the viewer rebuilt as it is now); LinkRejected otherwise.
    `again` tells the user what to do once it expired."""
    body, _, mac = token.partition(".")
    if not mac or not hmac.compare_digest(mac, _mac(settings.secret_key, purpose, body)):
        raise LinkRejected(404, "unknown link")
    payload = json.loads(_unb64(body))
    if payload["e"] < time.time():
        raise LinkRejected(410, f"link expired: {again}")
    if payload["t"] is not None and not await ApiToken.exists(id=payload["t"], revoked_at=None):
        raise LinkRejected(410, "the token that made this link was revoked")
    return payload, await viewer_for(Role(payload["r"]), payload["vu"], name=payload["n"], token_id=payload["t"])


def attachment(content: bytes, filename: str, media_type: str) -> Response:
    """A download built for its viewer: named as the library's files are, never kept by a cache."""
    headers = {"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"}
    return Response(content, media_type=media_type, headers=headers)


async def follow_link(
    settings: Settings,
    purpose: str,
    token: str,
    *,
    again: str,
    serve: Callable[[dict[str, Any], Viewer], Awaitable[Response]],
    refused_status: Callable[[DomainError], int] = lambda exc: 404,
) -> Response:
    """A followed link's answer: what `serve` makes of its payload for its viewer, or a JSON error: the link's
    own (404 forged, 410 expired or revoked), 404 for a payload that does not parse, and `refused_status` when
    the domain refuses (the viewer may no longer see it: 404 unless told otherwise)."""
    try:
        payload, viewer = await read_link(settings, purpose, token, again=again)
        return await serve(payload, viewer)
    except LinkRejected as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "unknown link"}, status_code=404)
    except DomainError as exc:
        return JSONResponse({"error": exc.message}, status_code=refused_status(exc))
