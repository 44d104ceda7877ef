"""一表 in and out through the API, as mutations: exportCatalog and generatePackage (download links),
importCatalog and importReferenceCatalog (with their per-row report). The types are in schema.catalogue.exchange."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from domain.catalog import importer
from domain.catalog.export import ExportFormat
from domain.errors import DomainError
from qingquan import downloads
from schema.catalogue.exchange import (
    CatalogFormat,
    CatalogImportReport,
    DownloadLink,
    _unit_code,
    name_embedding,
)
from schema.context import Info
from schema.mutation_base import failure, result


@strawberry.input(description="A header the sheet uses for one of our columns (name, code, category, basis, time_limit, unit …).")
class HeaderMapping:
    header: str
    column: str


DownloadResult = result("DownloadResult", DownloadLink)
ImportCatalogResult = result("ImportCatalogResult", CatalogImportReport)


def _link(info: Info, kind: downloads.Kind, code: str, fmt: ExportFormat | None = None, pdf: bool = False) -> DownloadLink:
    token, expires = downloads.sign(info.context.settings, info.context.viewer, kind, code, fmt, pdf=pdf)
    return DownloadLink(url=f"/catalog/downloads/{token}", expires_at=datetime.fromtimestamp(expires, UTC))


@strawberry.type
class CatalogMutations:
    @strawberry.mutation(description="一表 as a file (xlsx, csv, json) of what the caller may see: a download link")
    async def export_catalog(self, info: Info, unit_id: strawberry.ID, format: CatalogFormat) -> DownloadResult:  # type: ignore[valid-type]
        try:
            code = await _unit_code(unit_id)
        except DomainError as exc:
            return failure(exc)
        return _link(info, "catalog", code, format)

    @strawberry.mutation(description="一盘: the unit's filings, charts and catalogue as one zip with manifest.json, as the caller may see them: a download link")
    async def generate_package(
        self, info: Info, unit_id: strawberry.ID,
        pdf: Annotated[bool, strawberry.argument(description="each filing also as PDF (slow: LibreOffice prints them when the link is followed)")] = False,
    ) -> DownloadResult:  # fmt: skip
        try:
            code = await _unit_code(unit_id)
        except DomainError as exc:
            return failure(exc)
        return _link(info, "package", code, pdf=pdf)

    @strawberry.mutation(
        description="Import another system's sheet (.xlsx, .csv) into a unit's powers: new ones as DRAFT, known ones "
        "MATCHED or CHANGED (old and new values); the unit's staff or an admin; dryRun writes nothing"
    )
    async def import_catalog(
        self, info: Info, unit_id: strawberry.ID, file: Upload, dry_run: bool = False,
        mapping: list[HeaderMapping] | None = None,
        apply_changes: Annotated[bool, strawberry.argument(
            description="apply the changes of CHANGED rows: a DRAFT is edited, a published or approved power gets a "
            "revision (动态管理) to declare and review; false: they are reported only")] = False,
        all_or_nothing: Annotated[bool, strawberry.argument(
            description="one refused row and nothing is written (the report still gives every row's fate)")] = False,
    ) -> ImportCatalogResult:  # fmt: skip
        try:
            data = await file.read(importer.MAX_FILE_BYTES + 1)
            found = await importer.import_into_unit(
                info.context.viewer, await _unit_code(unit_id), file.filename or "", data,
                mapping={m.header: m.column for m in mapping or []}, dry_run=dry_run,
                apply_changes=apply_changes, all_or_nothing=all_or_nothing,
            )  # fmt: skip
        except DomainError as exc:
            return failure(exc)
        return CatalogImportReport.of(found)

    @strawberry.mutation(description="Keep another place's catalogue sheet as a reference for 对照 (replacing an earlier one of that place): admins")
    async def import_reference_catalog(
        self, info: Info, place: str, file: Upload, dry_run: bool = False, mapping: list[HeaderMapping] | None = None
    ) -> ImportCatalogResult:
        try:
            data = await file.read(importer.MAX_FILE_BYTES + 1)
            found = await importer.import_reference(
                info.context.viewer, place, file.filename or "", data,
                mapping={m.header: m.column for m in mapping or []}, dry_run=dry_run, embedding=name_embedding(),
            )  # fmt: skip
        except DomainError as exc:
            return failure(exc)
        return CatalogImportReport.of(found)
