"""GET /evidence/{token}: a file a unit attached to its 整改 reply (佐证材料). The link is signed and expiring as
the filings' are (qingquan/links.py), under a purpose of its own; when it is followed, the file is served
only if its maker may (still) see the rectification (domain.rectifications.evidence_file)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain.access import Viewer
from domain.rectifications import evidence_file
from qingquan.links import attachment, follow_link, sign_link
from qingquan.settings import Settings

PURPOSE = "evidence:"


def sign(settings: Settings, viewer: Viewer, evidence_id: int) -> tuple[str, int]:
    """A token for this evidence file as `viewer` may see it, and the unix time it expires."""
    return sign_link(settings, PURPOSE, viewer, {"x": evidence_id})


def routes(settings: Settings) -> list[Route]:
    async def serve(payload: dict[str, object], viewer: Viewer) -> Response:
        stored = await evidence_file(viewer, int(payload["x"]))  # type: ignore[call-overload]
        response = attachment(bytes(stored.data), stored.filename, stored.content_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def download(request: Request) -> Response:
        return await follow_link(settings, PURPOSE, request.path_params["token"], again="open the rectification again", serve=serve)

    return [Route("/evidence/{token}", download, methods=["GET"])]
