"""The document library in GraphQL: stored originals, article-level comparison of versions, and the powers a
new version touches. The upload itself (GraphQL multipart request spec) is in upload_mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import models as m
from domain.library import compare, impact
from schema.catalogue.power import Power, PowerBasis
from schema.enums import _enum
from schema.library.legal import LegalArticle, LegalDocument
from schema.node import Node
from schema.relay import encode_id

ArticleChangeKind = _enum(compare.ArticleChangeKind, description="条文变化")


@strawberry.type(description="原件: an uploaded file, kept byte for byte.")
class StoredFile(Node):
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
