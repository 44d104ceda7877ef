"""The document library in GraphQL: uploads (GraphQL multipart request spec), stored originals,
article-level comparison of versions, and the powers a new version touches."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.file_uploads import Upload

from domain import models as m
from domain.errors import DomainError
from domain.library import compare, impact, upload
from schema.catalogue.power import Power, PowerBasis
from schema.context import Info
from schema.enums import LegalLevel, _enum
from schema.legal import LegalArticle, LegalDocument
from schema.mutation_base import as_data, failure, optional_pk, result
from schema.relay import encode_id

ArticleChangeKind = _enum(compare.ArticleChangeKind, description="条文变化")
UploadLegalDocumentResult = result("UploadLegalDocumentResult", LegalDocument)


@strawberry.type(description="原件: an uploaded file, kept byte for byte.")
class StoredFile:
    id: strawberry.ID
    filename: str
    content_type: str
    size: int = strawberry.field(description="bytes")
    sha256: str = strawberry.field(description="SHA-256 of the bytes, hex")
    created_at: datetime
    url: str = strawberry.field(description="where to download it (GET; public, like the documents)")

    @classmethod
    def from_model(cls, stored: m.StoredFile) -> StoredFile:
        return cls(
            id=encode_id("StoredFile", stored.id),
            filename=stored.filename,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            created_at=stored.created_at,
            url=f"/files/{stored.id}",
        )


@strawberry.type(description="An article that differs between two versions, with both texts.")
class ArticleChange:
    kind: ArticleChangeKind
    label: str = strawberry.field(description="第四十二条 / 第3段")
    before: LegalArticle | None = strawberry.field(description="in the older version; null when added")
    after: LegalArticle | None = strawberry.field(description="in the newer version; null when removed")

    @classmethod
    def from_domain(cls, change: compare.ArticleChange) -> ArticleChange:
        return cls(
            kind=change.kind,
            label=change.label,
            before=LegalArticle.from_model(change.before) if change.before else None,
            after=LegalArticle.from_model(change.after) if change.after else None,
        )


@strawberry.type(description="What changed from one version of a work to another, article by article.")
class LegalVersionComparison:
    older: LegalDocument
    newer: LegalDocument
    added: list[ArticleChange]
    removed: list[ArticleChange]
    changed: list[ArticleChange]
    unchanged_count: int

    @classmethod
    def from_domain(cls, c: compare.VersionComparison) -> LegalVersionComparison:
        return cls(
            older=LegalDocument.from_model(c.older),
            newer=LegalDocument.from_model(c.newer),
            added=[ArticleChange.from_domain(x) for x in c.added],
            removed=[ArticleChange.from_domain(x) for x in c.removed],
            changed=[ArticleChange.from_domain(x) for x in c.changed],
            unchanged_count=c.unchanged,
        )


@strawberry.type(description="A power resting on an article that changed or vanished in a newer version.")
class AffectedPower:
    power: Power
    basis: PowerBasis
    change: ArticleChangeKind = strawberry.field(description="CHANGED or REMOVED")
    article: LegalArticle = strawberry.field(description="the cited article, in the older version")
    successor: LegalArticle | None = strawberry.field(description="the same article in the newer version; null when gone")

    @classmethod
    def from_domain(cls, affected: impact.AffectedBasis) -> AffectedPower:
        change = affected.change
        return cls(
            power=Power.from_model(affected.basis.power),
            basis=PowerBasis.from_model(affected.basis),
            change=change.kind,
            article=LegalArticle.from_model(affected.basis.article),
            successor=LegalArticle.from_model(change.after) if change.after else None,
        )


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
