"""Download links of catalogue exports and 一盘 packages: GET /catalog/downloads/{token}.

Signed and read as Word filings' links are (qingquan/links.py), under a purpose of their own.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from domain import cases
from domain.access import Viewer
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.errors import NotFound
from domain.filenames import safe_filename
from domain.models import Unit
from qingquan.links import attachment, follow_link, sign_link
from qingquan.package import MEDIA_TYPE, build_package
from qingquan.settings import Settings

Kind = Literal["catalog", "package"]


PURPOSE = "download:"
#: an online application's attachment (domain.cases), for who sees its case
ATTACHMENT_PURPOSE = "case-attachment:"


def sign_case_attachment(settings: Settings, viewer: Viewer, attachment_id: int) -> tuple[str, int]:
    """A token for a case's attachment as `viewer` may see it, and the unix time it expires."""
    return sign_link(settings, ATTACHMENT_PURPOSE, viewer, {"a": attachment_id})


def sign(
    settings: Settings, viewer: Viewer, kind: Kind, unit_code: str, fmt: ExportFormat | None = None, *, pdf: bool = False
) -> tuple[str, int]:
    """A token for this download as `viewer` may see it, and the unix time it expires."""
    return sign_link(settings, PURPOSE, viewer, {"k": kind, "u": unit_code, "f": fmt.value if fmt else None, "pdf": pdf})


async def render(payload: dict[str, object], viewer: Viewer) -> Response:
    code = str(payload["u"])
    now = datetime.now().astimezone()
    if payload["k"] == "package":
        package = await build_package(viewer, code, generated_at=now, pdf=bool(payload.get("pdf")))
        return attachment(package.content, package.filename, MEDIA_TYPE)
    unit = await Unit.get_or_none(code=code)
    if unit is None:
        raise NotFound("没有该单位 (unit not found)")
    fmt = ExportFormat(str(payload["f"]))
    export = await catalog_export(viewer, unit, generated_at=now)
    content = await asyncio.to_thread(write, export, fmt)
    return attachment(content, safe_filename(f"{unit.code}-权力清单-{viewer.role.value}.{fmt.value}"), fmt.media_type)


def routes(settings: Settings) -> list[Route]:
    async def download(request: Request) -> Response:
        return await follow_link(
            settings, PURPOSE, request.path_params["token"], again="ask for the download again", serve=render,
            refused_status=lambda exc: 404 if exc.code == "not_found" else 403,
        )  # fmt: skip

    async def case_attachment(request: Request) -> Response:
        async def serve(payload: dict[str, object], viewer: Viewer) -> Response:
            found = await cases.attachment_for(viewer, int(payload["a"]))  # type: ignore[call-overload]
            return attachment(found.data, safe_filename(found.filename), found.content_type)

        return await follow_link(
            settings, ATTACHMENT_PURPOSE, request.path_params["token"], again="read the case's attachments again", serve=serve
        )

    return [
        Route("/catalog/downloads/{token}", download, methods=["GET"]),
        Route("/cases/attachments/{token}", case_attachment, methods=["GET"]),
    ]
