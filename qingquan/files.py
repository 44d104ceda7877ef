"""GET /files/{id}: the original of a library document, byte for byte. Documents are public
(DESIGN.md), so are their originals; a file that belongs to no document answers 404."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from domain.filenames import safe_filename
from domain.library.upload import downloadable_file
from qingquan.response_cache import not_modified


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback and the real (Chinese) name per RFC 6266 / 5987, both of the
    name's safe form (domain.filenames): an uploaded file's name or a code is never a path."""
    filename = safe_filename(filename)
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def download_file(request: Request) -> Response:
    stored = await downloadable_file(request.path_params["file_id"])
    if stored is None:
        return JSONResponse({"error": "not found"}, status_code=404)
    etag = f'"{stored.sha256}"'
    headers = {"ETag": etag, "X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"}
    if not_modified(request.headers.get("if-none-match"), etag):  # (W/ when it was sent gzipped: client_http)
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = content_disposition(stored.filename)
    return Response(bytes(stored.data), media_type=stored.content_type, headers=headers)


route = Route("/files/{file_id:int}", download_file, methods=["GET"])
