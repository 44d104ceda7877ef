"""Download links of Word filings: GET /filings/{token} (the .docx) and /filings/{token}/pdf (the
same filing printed by LibreOffice, 503 where it is not installed), the token HMAC-signed and expiring.

The token carries who asked (role, unit, API token id) and what (unit, form, power); the server
keeps nothing and renders the filing when the link is followed, for that same viewer. A link
whose API token was revoked meanwhile no longer works.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from docgen.filing import Filing, build_filing
from docgen.forms import FilingForm
from docgen.pdf import PdfUnavailable, pdf_name, to_pdf
from domain.access import Viewer
from domain.enums import Network
from domain.errors import DomainError
from qingquan.links import LinkRejected, attachment, read_link, sign_link
from qingquan.settings import Settings

#: filing links are signed without a prefix (links handed out before the others existed stay valid)
PURPOSE = ""


@dataclass(frozen=True)
class FilingRequest:
    viewer: Viewer
    unit_id: int
    form: FilingForm
    power_id: int | None
    expires: int  # unix time
    network: Network | None = None


def sign(
    settings: Settings, viewer: Viewer, unit_id: int, form: FilingForm, power_id: int | None, network: Network | None = None
) -> tuple[str, int]:
    """A token for this filing as `viewer` may see it, and the unix time it expires."""
    what: dict[str, object] = {"u": unit_id, "f": form.value, "p": power_id}
    if network is not None:
        what["nw"] = network.value
    return sign_link(settings, PURPOSE, viewer, what)


async def read(settings: Settings, token: str) -> FilingRequest:
    """The request a token stands for; LinkRejected (404 forged, 410 expired or revoked) otherwise."""
    payload, viewer = await read_link(settings, PURPOSE, token, again="generate the filing again")
    network = Network(payload["nw"]) if payload.get("nw") else None
    return FilingRequest(viewer, payload["u"], FilingForm(payload["f"]), payload["p"], payload["e"], network)


def download_routes(path: str, build: Callable[[str], Awaitable[Filing]]) -> list[Route]:
    """GET `path`/{token} (the .docx `build` makes from the token) and `path`/{token}/pdf (printed by
    LibreOffice), with the answers every signed document link gives: 404 forged, 410 expired or revoked,
    404 / 403 for what was deleted or hidden since, 503 without LibreOffice."""

    async def download(request: Request, *, pdf: bool = False) -> Response:
        try:
            filing = await build(request.path_params["token"])
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
        Route(f"{path}/{{token}}", download, methods=["GET"]),
        Route(f"{path}/{{token}}/pdf", functools.partial(download, pdf=True), methods=["GET"]),
    ]


def routes(settings: Settings) -> list[Route]:
    """The download route, bound to the app's settings (its secret key)."""

    async def build(token: str) -> Filing:
        asked = await read(settings, token)
        return await build_filing(asked.viewer, asked.unit_id, asked.form, asked.power_id, network=asked.network)

    return download_routes("/filings", build)
