"""The document library's upload as a mutation: `uploadLegalDocument` (GraphQL multipart request spec), a new
document or a new version of one; admins only. The types are in schema.library.upload."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.file_uploads import Upload

from domain.errors import DomainError
from domain.library import upload
from schema.context import Info
from schema.enums import LegalLevel
from schema.library.legal import LegalDocument
from schema.mutation_base import as_data, failure, optional_pk, result

UploadLegalDocumentResult = result("UploadLegalDocumentResult", LegalDocument)


@strawberry.input(description="What staff state at upload; anything left out is guessed from the text.")
class UploadLegalDocumentInput:
    title: str | None = None
    doc_number: str | None = strawberry.field(default=None, description="文号, e.g. 余发〔2007〕20号")
    issuer: str | None = strawberry.field(default=None, description="制定机关")
    level: LegalLevel | None = strawberry.field(default=None, description="效力层级 (default: 规范性文件)")
    promulgation_date: date | None = strawberry.field(default=None, description="公布 / 成文日期")
    effective_date: date | None = strawberry.field(default=None, description="施行日期")
    version_date: date | None = strawberry.field(default=None, description="版本日期 (default: 成文日期)")
    new_version_of: strawberry.ID | None = strawberry.field(
        default=None, description="a LegalDocument this file is a new version of (same work, same title)"
    )


@strawberry.type
class LibraryMutations:
    @strawberry.mutation(
        description="上传: file a county document (.docx or UTF-8/GB18030 text) as a new document or a new version; admins only."
    )
    async def upload_legal_document(
        self, info: Info, file: Upload, input: UploadLegalDocumentInput | None = None
    ) -> UploadLegalDocumentResult:
        settings = info.context.settings
        try:
            given = as_data(input) if input else {}
            given["new_version_of"] = optional_pk(given.get("new_version_of"), "LegalDocument", "newVersionOf")
            # one byte over the limit is enough to refuse the file
            data = await file.read(settings.max_upload_bytes + 1)
            document = await upload.upload_document(
                info.context.viewer,
                upload.UploadedFile(filename=file.filename or "", data=data),
                upload.UploadMetadata(**given),
                max_bytes=settings.max_upload_bytes,
            )
        except DomainError as exc:
            return failure(exc)
        return LegalDocument.from_model(document)
