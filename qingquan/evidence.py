"""GET /evidence/{token}: a file a unit attached to its 整改 reply (佐证材料). The link is signed and expiring as
the filings' are (qingquan/links.py), under a purpose of its own; when it is followed, the file is served
only if its maker may (still) see the rectification (domain.rectifications.evidence_file)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.access import Viewer
from domain.errors import DomainError
from domain.rectifications import evidence_file
from qingquan.links import LinkRejected, attachment, read_link, sign_link
from qingquan.settings import Settings

PURPOSE = "evidence:"


def sign(settings: Settings, viewer: Viewer, evidence_id: int) -> tuple[str, int]:
    """A token for this evidence file as `viewer` may see it, and the unix time it expires."""
    return sign_link(settings, PURPOSE, viewer, {"x": evidence_id})


def routes(settings: Settings) -> list[Route]:
    async def download(request: Request) -> Response:
        try:
            payload, viewer = await read_link(settings, PURPOSE, request.path_params["token"], again="open the rectification again")
            stored = await evidence_file(viewer, int(payload["x"]))
        except LinkRejected as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "unknown link"}, status_code=404)
        except DomainError as exc:
            return JSONResponse({"error": exc.message}, status_code=404)
        response = attachment(bytes(stored.data), stored.filename, stored.content_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return [Route("/evidence/{token}", download, methods=["GET"])]
