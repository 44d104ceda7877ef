"""LegalDocument (一件) and LegalArticle, and the `legalDocuments` query. Their mutations (documents entered by
hand) are in legal_mutations, the upload in upload_mutations."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain import models as m
from domain.errors import NotFound
from domain.library import compare, impact
from resolvers.keyset import PageArgs
from resolvers.legal import legal_documents_page
from resolvers.pagination import paginate
from resolvers.prefetch import now_or_later
from schema.context import Info
from schema.enums import ArticleKind, LegalLevel, LegalSource, LegalStatus, OrderDirection
from schema.node import BEFORE, LAST, Node, of_row, page_args, to_connection
from schema.relay import Connection, decode_id, encode_id

if TYPE_CHECKING:
    from schema.catalogue.power import Power
    from schema.library.upload import AffectedPower, LegalVersionComparison, StoredFile


@strawberry.type(description="一件: one version of a law, regulation, rule or normative document.")
class LegalDocument(Node):
    db_id: strawberry.Private[int]
    work_id: strawberry.Private[int]
    title: str
    subtitle: str
    level: LegalLevel = strawberry.field(description="效力层级")
    doc_type: str = strawberry.field(description="文件类型: 法律 / 修改决定 / 修正案 …")
    doc_number: str = strawberry.field(description="文号")
    issuer: str = strawberry.field(description="制定机关")
    field: str = strawberry.field(description="法律部门 / 分类")
    promulgation_date: date | None = strawberry.field(description="公布日期")
    effective_date: date | None = strawberry.field(description="施行日期")
    repeal_date: date | None = strawberry.field(description="废止日期")
    version_date: date | None = strawberry.field(description="版本日期")
    status: LegalStatus = strawberry.field(description="时效性")
    history: str = strawberry.field(description="制定、修正历史")
    source: LegalSource
    article_count: int

    @classmethod
    def from_model(cls, doc: m.LegalDocument) -> LegalDocument:
        return of_row(cls, doc, id=encode_id("LegalDocument", doc.id), db_id=doc.id)

    @strawberry.field(description="条文, in order")
    async def articles(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[LegalArticle]:
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            m.LegalArticle.filter(document_id=self.db_id).order_by("ordinal"),
            first=limit,
            offset=offset,
            default=settings.max_page_size,
            maximum=settings.max_page_size,
        )
        for article in page.items:
            info.context.loaders.article_by_id.prime(article.id, article)
        return to_connection(page, LegalArticle.from_model)

    @strawberry.field(description="one article by its label, e.g. 第四十二条")
    async def article(self, info: Info, label: str) -> LegalArticle | None:
        found = await info.context.loaders.article_by_document_label.load((self.db_id, label.strip()))
        return LegalArticle.from_model(found) if found else None

    @strawberry.field(description="all versions of this work (this one included), oldest first")
    def versions(self, info: Info) -> list[LegalDocument]:
        return now_or_later(
            info.context.loaders.documents_by_work_id, self.work_id, lambda ds: [LegalDocument.from_model(d) for d in ds]
        )

    @strawberry.field(description="原件: the uploaded original of this version, downloadable at its `url`")
    async def files(self, info: Info) -> list[Annotated[StoredFile, strawberry.lazy("schema.library.upload")]]:
        from schema.library.upload import StoredFile

        return [StoredFile.from_model(f) for f in await info.context.loaders.files_by_document_id.load(self.db_id)]

    @strawberry.field(
        description="article-level changes from this version to `other`, a version of the same work (null if not found)"
    )
    async def compare_to(
        self, other: strawberry.ID
    ) -> Annotated[LegalVersionComparison, strawberry.lazy("schema.library.upload")] | None:
        from schema.library.upload import LegalVersionComparison

        try:
            comparison = await compare.compare_versions(self.db_id, decode_id(other, "LegalDocument", "other"))
        except NotFound:
            return None
        return LegalVersionComparison.from_domain(comparison)

    @strawberry.field(
        description="powers the caller may see that rest on articles of this version whose text changed, or that "
        "vanished, in `comparedTo` (default: the newest version of the work)"
    )
    async def affected_powers(
        self, info: Info, compared_to: strawberry.ID | None = None
    ) -> list[Annotated[AffectedPower, strawberry.lazy("schema.library.upload")]]:
        from schema.library.upload import AffectedPower

        newer = decode_id(compared_to, "LegalDocument", "comparedTo") if compared_to else None
        found = await impact.affected_bases(info.context.viewer, self.db_id, newer)
        return [AffectedPower.from_domain(a) for a in found]


@strawberry.type(description="A 第X条 article, or a numbered paragraph of a document without articles.")
class LegalArticle(Node):
    db_id: strawberry.Private[int]
    document_id: strawberry.Private[int]
    ordinal: int = strawberry.field(description="position in the document, from 1")
    number: int | None = strawberry.field(description="第X条 as a number")
    label: str = strawberry.field(description="第四十二条 / 第3段")
    kind: ArticleKind
    chapter_path: str = strawberry.field(description="编 / 章 / 节")
    text: str

    @classmethod
    def from_model(cls, article: m.LegalArticle) -> LegalArticle:
        return of_row(cls, article, id=encode_id("LegalArticle", article.id), db_id=article.id)

    @strawberry.field(description="职权 resting on this article (职权依据) that the caller may see, by code")
    async def cited_by(self, info: Info) -> list[Annotated[Power, strawberry.lazy("schema.catalogue.power")]]:
        from schema.catalogue.power import Power

        return [Power.from_model(p) for p in await info.context.loaders.powers_by_article_id.load(self.db_id)]

    @strawberry.field
    def document(self, info: Info) -> LegalDocument:
        # articles cascade with their document: it is there
        return now_or_later(info.context.loaders.document_by_id, self.document_id, LegalDocument.from_model)


@strawberry.input(description="Filters of `legalDocuments`.")
class LegalDocumentFilter:
    title_contains: str | None = None
    level: LegalLevel | None = None
    levels: list[LegalLevel] | None = None
    status: LegalStatus | None = None
    statuses: list[LegalStatus] | None = None
    source: LegalSource | None = None


@strawberry.enum
class LegalDocumentOrderField(Enum):
    TITLE = "title"
    LEVEL = "level"
    VERSION_DATE = "version_date"
    EFFECTIVE_DATE = "effective_date"


@strawberry.input
class LegalDocumentOrder:
    field: LegalDocumentOrderField = LegalDocumentOrderField.TITLE
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type
class LegalDocumentQuery:
    @strawberry.field(description="法律法规及规范性文件 (each version is one document)")
    async def legal_documents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: LegalDocumentFilter | None = None,
        order_by: LegalDocumentOrder | None = None,
    ) -> Connection[LegalDocument]:
        page = await legal_documents_page(
            info.context.settings, args=PageArgs(first, after, last, before), filter=filter, order_by=order_by
        )
        return to_connection(page, LegalDocument.from_model)
