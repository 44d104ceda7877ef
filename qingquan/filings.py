"""Download links of Word filings: GET /filings/{token} (the .docx) and /filings/{token}/pdf (the
same filing printed by LibreOffice, 503 where it is not installed), the token HMAC-signed and expiring.

The token carries who asked (role, unit, API token id) and what (unit, form, power); the server
keeps nothing and renders the filing when the link is followed, for that same viewer. A link
whose API token was revoked meanwhile no longer works.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from docgen.filing import Filing, build_filing
from docgen.forms import FilingForm
from docgen.pdf import PdfUnavailable, pdf_name, to_pdf
from domain.access import UNIT_ROLES, Viewer, unit_subtree_ids
from domain.enums import Role
from domain.errors import DomainError
from domain.models import ApiToken
from qingquan.settings import Settings


@dataclass(frozen=True)
class FilingRequest:
    viewer: Viewer
    unit_id: int
    form: FilingForm
    power_id: int | None
    expires: int  # unix time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), body.encode("ascii"), hashlib.sha256).digest())


def sign(settings: Settings, viewer: Viewer, unit_id: int, form: FilingForm, power_id: int | None) -> tuple[str, int]:
    """A token for this filing as `viewer` may see it, and the unix time it expires."""
    expires = int(time.time()) + settings.filing_link_seconds
    payload = {"u": unit_id, "f": form.value, "p": power_id, "r": viewer.role.value, "vu": viewer.unit_id,
               "t": viewer.token_id, "n": viewer.name, "e": expires}  # fmt: skip
    body = _b64(json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_mac(settings.secret_key, body)}", expires


class LinkRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read(settings: Settings, token: str) -> FilingRequest:
    """The request a token stands for; LinkRejected (404 forged, 410 expired or revoked) otherwise."""
    body, _, mac = token.partition(".")
    if not mac or not hmac.compare_digest(mac, _mac(settings.secret_key, body)):
        raise LinkRejected(404, "unknown link")
    payload = json.loads(_unb64(body))
    if payload["e"] < time.time():
        raise LinkRejected(410, "link expired: generate the filing again")
    role = Role(payload["r"])
    if payload["t"] is not None and not await ApiToken.exists(id=payload["t"], revoked_at=None):
        raise LinkRejected(410, "the token that made this link was revoked")
    unit_ids: frozenset[int] = frozenset()
    if role in UNIT_ROLES and payload["vu"] is not None:
        unit_ids = await unit_subtree_ids(payload["vu"])
    viewer = Viewer(role=role, name=payload["n"], unit_id=payload["vu"], unit_ids=unit_ids, token_id=payload["t"])
    return FilingRequest(viewer, payload["u"], FilingForm(payload["f"]), payload["p"], payload["e"])


def attachment(content: bytes, name: str, media_type: str) -> Response:
    disposition = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def routes(settings: Settings) -> list[Route]:
    """The download route, bound to the app's settings (its secret key)."""

    async def download(request: Request, *, pdf: bool = False) -> Response:
        try:
            asked = await read(settings, request.path_params["token"])
            filing = await build_filing(asked.viewer, asked.unit_id, asked.form, asked.power_id)
            if pdf:
                return attachment(await to_pdf(filing), pdf_name(filing), "application/pdf")
        except LinkRejected as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "unknown link"}, status_code=404)
        except DomainError as exc:  # what it covered was deleted or hidden since
            return JSONResponse({"error": exc.message}, status_code=404 if exc.code == "not_found" else 403)
        except PdfUnavailable as exc:
            return JSONResponse({"error": str(exc)}, status_code=503)
        return attachment(filing.content, filing.filename, Filing.media_type)

    return [
        Route("/filings/{token}", download, methods=["GET"]),
        Route("/filings/{token}/pdf", functools.partial(download, pdf=True), methods=["GET"]),
    ]
