"""Download links of 通报 as Word documents: GET /bulletins/{token} (.docx) and /bulletins/{token}/pdf, the
token HMAC-signed for its own purpose and expiring, rendered when followed for the viewer who asked (a
draft only while that viewer may still read it)."""

from __future__ import annotations

from starlette.routing import Route

from docgen.bulletin import bulletin_filing
from docgen.filing import Filing
from domain import bulletins
from domain.access import Viewer
from domain.errors import NotFound
from domain.loop_models import Bulletin
from qingquan.filings import download_routes
from qingquan.links import read_link, sign_link
from qingquan.settings import Settings

PURPOSE = "bulletin:"


def sign(settings: Settings, viewer: Viewer, bulletin_id: int) -> tuple[str, int]:
    return sign_link(settings, PURPOSE, viewer, {"b": bulletin_id})


def routes(settings: Settings) -> list[Route]:
    async def build(token: str) -> Filing:
        payload, viewer = await read_link(settings, PURPOSE, token, again="generate the document again")
        bulletin = await Bulletin.filter(bulletins.bulletin_q(viewer), id=int(payload["b"])).first()
        if bulletin is None:  # unpublished since, or never the viewer's
            raise NotFound(bulletins.NOT_FOUND)
        return await bulletin_filing(bulletin)

    return download_routes("/bulletins", build)
