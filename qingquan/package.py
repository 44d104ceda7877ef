"""一盘: a unit's whole catalogue as one zip — every filing (.docx, and PDF where docgen renders one),
each flow chart as SVG, the catalogue as xlsx and json, and manifest.json listing every file with
its SHA-256 and the counts. Built for one viewer: what the role may not see is not in it."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from docgen.data import charts_for
from docgen.filing import build_filing
from docgen.forms import FilingForm
from docgen.pdf import PdfUnavailable, pdf_name, to_pdf
from docgen.svg import render_svg
from domain import access
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.errors import NotFound, PermissionDenied
from domain.filenames import safe_filename
from domain.models import Power, Unit

MEDIA_TYPE = "application/zip"


@dataclass
class Package:
    filename: str
    content: bytes
    manifest: dict[str, object] = field(default_factory=dict)


async def build_package(viewer: access.Viewer, unit_code: str, *, generated_at: datetime, pdf: bool = True) -> Package:
    """The package of the unit as `viewer` may see it (NotFound for an unknown unit); with `pdf`,
    each filing also as PDF where docgen can print one (LibreOffice), noted in the manifest where not."""
    unit = await Unit.get_or_none(code=unit_code.strip())
    if unit is None:
        raise NotFound(f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})")
    files: dict[str, bytes] = {}
    notes: list[str] = []
    if not pdf:
        notes.append("PDF: not asked for; the filings are included as .docx only")
    filings = pdfs = 0
    for form in FilingForm:
        try:
            filing = await build_filing(viewer, unit.id, form)
        except PermissionDenied:
            notes.append(f"{form.value}: not included (the role {viewer.role.value} may not see it)")
            continue
        files[f"filings/{filing.filename}"] = filing.content
        filings += 1
        if pdf:
            try:
                files[f"filings/{pdf_name(filing)}"] = await to_pdf(filing)
                pdfs += 1
            except PdfUnavailable as exc:
                notes.append(f"{form.value}: no PDF ({exc})")
    export = await catalog_export(viewer, unit, generated_at=generated_at)
    # the export's rows are what the viewer may see: their charts, and no others
    visible = await Power.filter(code__in=[row.code for row in export.rows]).order_by("code").values_list("id", "code")
    charts = await charts_for([power_id for power_id, _ in visible])
    for power_id, code in visible:
        if power_id in charts:
            files[f"charts/{safe_filename(f'{code}.svg')}"] = render_svg(charts[power_id]).encode("utf-8")
    files["catalog/catalog.xlsx"] = await asyncio.to_thread(write, export, ExportFormat.XLSX)
    files["catalog/catalog.json"] = write(export, ExportFormat.JSON)
    manifest: dict[str, object] = {
        "title": f"{unit.name}权力清单电子文档（一盘）",
        "unit": {"code": unit.code, "name": unit.name},
        "role": viewer.role.value,
        "public": export.public,
        "generatedAt": generated_at.isoformat(),
        "counts": {"powers": len(export.rows), "filings": filings, "pdfs": pdfs, "charts": sum(1 for n in files if n.startswith("charts/")),
                   "files": len(files)},
        "files": [{"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()} for name, data in files.items()],
        "notes": notes,
    }  # fmt: skip
    content = await asyncio.to_thread(_zip, files, manifest)
    return Package(safe_filename(f"{unit.code}-一盘-{viewer.role.value}.zip"), content, manifest)


def _zip(files: dict[str, bytes], manifest: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return buffer.getvalue()
