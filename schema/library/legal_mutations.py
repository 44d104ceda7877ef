"""Legal documents entered by hand (手工录入) and their articles: admins only."""

from __future__ import annotations

from datetime import date

import strawberry

from domain.errors import DomainError
from domain.services import legal_articles, legal_documents
from schema.context import Info
from schema.enums import ArticleKind, LegalLevel, LegalStatus
from schema.library.legal import LegalArticle, LegalDocument
from schema.mutation_base import Deleted, as_data, failure, given, pk, result

CreateLegalDocumentResult = result("CreateLegalDocumentResult", LegalDocument)
UpdateLegalDocumentResult = result("UpdateLegalDocumentResult", LegalDocument)
DeleteLegalDocumentResult = result("DeleteLegalDocumentResult", Deleted)
CreateLegalArticleResult = result("CreateLegalArticleResult", LegalArticle)
UpdateLegalArticleResult = result("UpdateLegalArticleResult", LegalArticle)
DeleteLegalArticleResult = result("DeleteLegalArticleResult", Deleted)


@strawberry.input(description="An article of a new document; the label defaults to 第X条 from its number.")
class ArticleInput:
    text: str
    label: str = strawberry.field(default="", description="第四十二条 / 附则 …")
    number: int | None = strawberry.field(default=None, description="第X条 as a number")
    kind: ArticleKind = ArticleKind.ARTICLE
    chapter_path: str = strawberry.field(default="", description="编 / 章 / 节")


@strawberry.input(description="A legal document entered by hand, with its articles in order.")
class CreateLegalDocumentInput:
    title: str
    level: LegalLevel = strawberry.field(description="效力层级")
    status: LegalStatus = LegalStatus.IN_FORCE
    subtitle: str = ""
    doc_type: str = strawberry.field(default="", description="文件类型")
    doc_number: str = strawberry.field(default="", description="文号")
    issuer: str = strawberry.field(default="", description="制定机关")
    field: str = strawberry.field(default="", description="法律部门 / 分类")
    promulgation_date: date | None = strawberry.field(default=None, description="公布日期")
    effective_date: date | None = strawberry.field(default=None, description="施行日期")
    repeal_date: date | None = strawberry.field(default=None, description="废止日期")
    version_date: date | None = strawberry.field(default=None, description="版本日期")
    history: str = strawberry.field(default="", description="制定、修正历史")
    body: str = strawberry.field(default="", description="text outside the articles (preamble)")
    articles: list[ArticleInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Changes to a manual or uploaded document (not its articles); fields left out stay as they are.")
class UpdateLegalDocumentInput:
    title: str | None = strawberry.UNSET
    level: LegalLevel | None = strawberry.UNSET
    status: LegalStatus | None = strawberry.UNSET
    subtitle: str | None = strawberry.UNSET
    doc_type: str | None = strawberry.UNSET
    doc_number: str | None = strawberry.UNSET
    issuer: str | None = strawberry.UNSET
    field: str | None = strawberry.UNSET
    promulgation_date: date | None = strawberry.UNSET
    effective_date: date | None = strawberry.UNSET
    repeal_date: date | None = strawberry.UNSET
    version_date: date | None = strawberry.UNSET
    history: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET


@strawberry.input(description="An article added to a manual document.")
class CreateLegalArticleInput(ArticleInput):
    document_id: strawberry.ID
    ordinal: int | None = strawberry.field(default=None, description="1-based place; left out, the article goes last")


@strawberry.input(description="Changes to an article of a manual document; fields left out stay as they are.")
class UpdateLegalArticleInput:
    text: str | None = strawberry.UNSET
    label: str | None = strawberry.UNSET
    number: int | None = strawberry.UNSET
    kind: ArticleKind | None = strawberry.UNSET
    chapter_path: str | None = strawberry.UNSET
    ordinal: int | None = strawberry.UNSET


@strawberry.type
class LegalDocumentMutations:
    @strawberry.mutation(description="Enter a legal document by hand (来源: 手工录入), with its articles.")
    async def create_legal_document(self, info: Info, input: CreateLegalDocumentInput) -> CreateLegalDocumentResult:
        articles = [legal_articles.ArticleData(**as_data(a)) for a in input.articles]
        try:
            data = legal_documents.LegalDocumentData(**as_data(input, articles=articles))
            document = await legal_documents.create_legal_document(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return LegalDocument.from_model(document)

    @strawberry.mutation(description="Correct a manually entered or uploaded document; imported ones follow their source.")
    async def update_legal_document(
        self, info: Info, id: strawberry.ID, input: UpdateLegalDocumentInput
    ) -> UpdateLegalDocumentResult:
        try:
            document_id = pk(id, "LegalDocument")
            document = await legal_documents.update_legal_document(info.context.viewer, document_id, given(input))  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return LegalDocument.from_model(document)

    @strawberry.mutation(description="Delete a manual document none of whose articles a power cites.")
    async def delete_legal_document(self, info: Info, id: strawberry.ID) -> DeleteLegalDocumentResult:
        try:
            document_id = pk(id, "LegalDocument")
            await legal_documents.delete_legal_document(info.context.viewer, document_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("LegalDocument", document_id)

    @strawberry.mutation(description="Add an article to a manual document.")
    async def create_legal_article(self, info: Info, input: CreateLegalArticleInput) -> CreateLegalArticleResult:
        try:
            document_id = pk(input.document_id, "LegalDocument", "documentId")
            data = legal_articles.LegalArticleData(**as_data(input, document_id=document_id))
            article = await legal_articles.create_legal_article(info.context.viewer, data)
        except DomainError as exc:
            return failure(exc)
        return LegalArticle.from_model(article)

    @strawberry.mutation(description="Correct or move an article of a manual document.")
    async def update_legal_article(
        self, info: Info, id: strawberry.ID, input: UpdateLegalArticleInput
    ) -> UpdateLegalArticleResult:
        try:
            article_id = pk(id, "LegalArticle")
            article = await legal_articles.update_legal_article(info.context.viewer, article_id, given(input))  # type: ignore[arg-type]
        except DomainError as exc:
            return failure(exc)
        return LegalArticle.from_model(article)

    @strawberry.mutation(description="Delete an article no power cites.")
    async def delete_legal_article(self, info: Info, id: strawberry.ID) -> DeleteLegalArticleResult:
        try:
            article_id = pk(id, "LegalArticle")
            await legal_articles.delete_legal_article(info.context.viewer, article_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("LegalArticle", article_id)
