"""Legal documents entered by hand (手工录入): admins only, articles numbered, cited articles kept."""

from __future__ import annotations

import datetime

import pytest

from domain.enums import LegalLevel, LegalSource, Role
from domain.errors import NotFound, PermissionDenied, ValidationFailed
from domain.models import LegalArticle, LegalDocument, LegalWork
from domain.services.bases import BasisData, create_basis
from domain.services.legal_articles import (
    ArticleData,
    LegalArticleData,
    create_legal_article,
    delete_legal_article,
    update_legal_article,
)
from domain.services.legal_documents import (
    LegalDocumentData,
    create_legal_document,
    delete_legal_document,
    update_legal_document,
)
from tests.factories import (
    ADMIN,
    audit_actions,
    first_article,
    make_document,
    make_power,
    make_unit,
    row_counts,
    staff_of,
    unique,
)


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.code for e in exc.value.errors}


async def labels(document: LegalDocument) -> list[tuple[int, str]]:
    return [(a.ordinal, a.label) for a in await LegalArticle.filter(document_id=document.id)]


async def test_create_a_manual_document_with_articles(database: str) -> None:
    title = f"大余县测试管理办法{unique('')}"
    document = await create_legal_document(
        ADMIN,
        LegalDocumentData(
            title=f" {title} ",
            level=LegalLevel.NORMATIVE_DOCUMENT,
            doc_number="余府发〔2024〕1号",
            effective_date=datetime.date(2024, 3, 1),
            articles=[ArticleData(number=1, text="为了……制定本办法。"), ArticleData(label="附则", text="本办法自公布之日起施行。")],
        ),
    )
    assert (document.title, document.source, document.article_count) == (title, LegalSource.MANUAL, 2)
    assert len(document.content_hash) == 64
    assert await labels(document) == [(1, "第一条"), (2, "附则")]
    assert (await LegalWork.get(id=document.work_id)).title == title
    assert await audit_actions("legal_document", document.id) == ["legal_document.create"]


async def test_invalid_document_reports_article_fields_and_writes_nothing(database: str) -> None:
    before = await row_counts()
    with pytest.raises(ValidationFailed) as exc:
        await create_legal_document(
            ADMIN,
            LegalDocumentData(
                title="",
                level="NOPE",  # type: ignore[arg-type]
                effective_date=datetime.date(2024, 3, 1),
                repeal_date=datetime.date(2020, 1, 1),
                articles=[ArticleData(number=1, text="甲"), ArticleData(text=""), ArticleData(number=1, text="乙")],
            ),
        )
    assert codes(exc) == {
        "title": "required",
        "level": "invalid",
        "repeal_date": "date_order",
        "articles.1.label": "required",
        "articles.1.text": "required",
        "articles.2.number": "duplicate",
    }
    assert await row_counts() == before


async def test_only_admins_enter_documents(database: str) -> None:
    staff = await staff_of(await make_unit(), Role.UNIT_LEAD)
    with pytest.raises(PermissionDenied):
        await create_legal_document(staff, LegalDocumentData(title="某办法", level=LegalLevel.POLICY))


async def test_one_version_per_work_and_date(database: str) -> None:
    document = await make_document(version_date=datetime.date(2023, 9, 1))
    with pytest.raises(ValidationFailed) as exc:
        await make_document(title=f"中华人民共和国{document.title}", version_date=datetime.date(2023, 9, 1))
    assert codes(exc) == {"version_date": "duplicate"}
    newer = await make_document(title=document.title, version_date=datetime.date(2024, 1, 1))
    assert newer.work_id == document.work_id


async def test_articles_insert_move_and_delete_renumber(database: str) -> None:
    document = await make_document(articles=3)
    inserted = await create_legal_article(ADMIN, LegalArticleData(document_id=document.id, text="新增", label="第一条之一", ordinal=2))
    assert await labels(document) == [(1, "第一条"), (2, "第一条之一"), (3, "第二条"), (4, "第三条")]
    await update_legal_article(ADMIN, inserted.id, {"ordinal": 4, "text": "改后"})
    assert await labels(document) == [(1, "第一条"), (2, "第二条"), (3, "第三条"), (4, "第一条之一")]
    with pytest.raises(ValidationFailed) as exc:
        await update_legal_article(ADMIN, inserted.id, {"number": 2})
    assert codes(exc) == {"number": "duplicate"}
    await delete_legal_article(ADMIN, (await first_article(document)).id)
    assert await labels(document) == [(1, "第二条"), (2, "第三条"), (3, "第一条之一")]
    assert (await LegalDocument.get(id=document.id)).article_count == 3
    assert await audit_actions("legal_article", inserted.id) == ["legal_article.create", "legal_article.update"]


async def test_cited_articles_and_their_documents_cannot_be_deleted(database: str) -> None:
    unit = await make_unit()
    document = await make_document()
    article = await first_article(document)
    await create_basis(await staff_of(unit), BasisData(power_id=(await make_power(unit)).id, article_id=article.id))
    with pytest.raises(ValidationFailed) as exc:
        await delete_legal_article(ADMIN, article.id)
    assert codes(exc) == {"id": "in_use"}
    with pytest.raises(ValidationFailed) as exc:
        await delete_legal_document(ADMIN, document.id)
    assert codes(exc) == {"id": "in_use"}


async def test_update_and_delete_a_document(database: str) -> None:
    document = await make_document()
    renamed = await update_legal_document(ADMIN, document.id, {"title": f"改名后的办法{unique('')}", "doc_number": "1号"})
    assert renamed.work_id != document.work_id
    assert not await LegalWork.exists(id=document.work_id)  # the old work had no other version
    await delete_legal_document(ADMIN, document.id)
    assert not await LegalDocument.exists(id=document.id)
    assert not await LegalWork.exists(id=renamed.work_id)
    assert await audit_actions("legal_document", document.id) == [
        "legal_document.create", "legal_document.update", "legal_document.delete",
    ]  # fmt: skip
    with pytest.raises(NotFound):
        await update_legal_document(ADMIN, document.id, {"title": "x"})


async def test_imported_documents_are_read_only(database: str) -> None:
    document = await make_document()
    await LegalDocument.filter(id=document.id).update(source=LegalSource.LAWREFBOOK)
    with pytest.raises(ValidationFailed) as exc:
        await update_legal_document(ADMIN, document.id, {"title": "改名"})
    assert codes(exc) == {"id": "read_only"}
