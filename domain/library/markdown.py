"""Import a folder in LawRefBook Markdown format (one file per document version).

    # 中华人民共和国行政许可法            title (a second `# …` line is a subtitle / part)
    2003年8月27日 …通过                   history lines: `date event`, possibly split over lines
    <!-- INFO END -->
    ## 第一章 总 则                       编 / 章 / 节 headings (##, ###, ####)
    第一条 为了规范……                    an article, until the next heading or article

`parse_markdown` is pure (a file in, a ParsedDocument out); `import_markdown_folder` parses every
file, joins the parts of one document (民法典 总则 … 附则), drops copies of the same version filed
under two folders, and stores each document in its own transaction.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from domain.enums import ArticleKind, LegalLevel, LegalSource
from domain.errors import NotFound
from domain.library.document import ImportReport, ParsedArticle, ParsedDocument, ParseError
from domain.library.effective import version_effective_date
from domain.library.normalize import (
    LAW_FOLDERS,
    LEVEL_BY_FOLDER,
    clean_paragraph,
    clean_text,
    doc_type_from_title,
    is_interpretation,
    iso_date,
    join_split_lines,
    leading_cn_date,
    normalize_heading,
    numeral_value,
    work_key,
)
from domain.library.repeals import RepealNames
from domain.library.store import Outcome, recompute_statuses, store_document

Progress = Callable[[int, int, str], object]
INFO_END = "<!-- INFO END -->"
_WS = " \t\u3000\u00a0\ufeff"
_NUMERAL = "零〇一二三四五六七八九十百千万两0-9０-９"
ARTICLE_RE = re.compile(
    rf"^[{_WS}]*第[{_WS}]*([{_NUMERAL}]+)[{_WS}]*条(?:[{_WS}]*之[{_WS}]*([一二三四五六七八九十0-9]+))?"
)
_HEADING_RE = re.compile(r"^(#{1,6})(?:[ \t\u3000]+(.*)|)$")
_TITLE_RE = re.compile(r"^#[ \t\u3000]+(\S.*)$")
_FILE_DATE_RE = re.compile(r"\((\d{4}-\d{1,2}-\d{1,2})\)$")
_DOC_NUMBER_RE = re.compile(r"[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*第?\s*\d+\s*号|令\s*第\s*\d+\s*号")
_ISSUER_RE = re.compile(r"^(\S*?)第[一二三四五六七八九十百]+届(全国)?人民代表大会(常务委员会)?")
_VERSION_EVENT_RE = re.compile(r"(通过|修正|修订|公布|发布|批准|决定)")


@dataclass
class _History:
    entries: list[tuple[date | None, str]]
    doc_number: str = ""


def _strip(line: str) -> str:
    return line.strip(_WS + "\r\n")


def _decode(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text (byte {exc.start}: {exc.reason})") from None
    if not text.strip(_WS + "\r\n"):
        raise ParseError("empty file")
    if "\x00" in text:
        raise ParseError("binary content (NUL bytes)")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _history(lines: Sequence[str]) -> _History:
    """History entries `date event`; undated lines continue the previous entry (split lines)."""
    result = _History(entries=[])
    for raw in lines:
        line = clean_text(raw)
        if not line or line.startswith("#"):
            continue
        dated = leading_cn_date(line)
        if dated:
            result.entries.append((dated[0], line))
        elif _DOC_NUMBER_RE.search(line) and len(line) <= 40 and not result.doc_number:
            result.doc_number = line
        elif result.entries and result.entries[-1][0] is not None:
            day, text = result.entries[-1]
            result.entries[-1] = (day, text + line)
        else:
            result.entries.append((None, line))
    return result


def _is_effective_only(event: str) -> bool:
    """`2021年1月1日 施行` states an effective date only (not a new version)."""
    return "施行" in event and not _VERSION_EVENT_RE.search(event)


def _dates(history: _History) -> tuple[date | None, date | None, date | None]:
    """(version date, promulgation date, effective date) from the history lines.

    The version is the last adoption, amendment or publication (施行 alone does not make one).
    """
    dated = [(d, t) for d, t in history.entries if d is not None]
    versions = [d for d, t in dated if not _is_effective_only(t)]
    published = [d for d, t in dated if "公布" in t or "发布" in t]
    effective = [d for d, t in dated if "施行" in t]
    version = versions[-1] if versions else (dated[-1][0] if dated else None)
    promulgated = published[-1] if published and (version is None or published[-1] >= version) else version
    return version, promulgated, (effective[-1] if effective else None)


def _issuer(history: _History, level: LegalLevel, subfolder: str) -> str:
    for day, text in history.entries:
        if day is None:
            continue
        m = _ISSUER_RE.match(text.split(" ", 1)[-1])
        if m:
            return f"{m[1] or ('全国' if m[2] else '')}人民代表大会{m[3] or ''}"
    if level is LegalLevel.ADMINISTRATIVE_REGULATION:
        return "国务院"
    if level is LegalLevel.DEPARTMENTAL_RULE:
        return subfolder
    return ""


def _folder(path: Path, root: Path | None) -> tuple[str, str]:
    """(level folder, its sub-folder) from the path: 部门规章/公安部/x.md → (部门规章, 公安部)."""
    parts = path.parent.relative_to(root).parts if root else path.parent.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in LEVEL_BY_FOLDER or parts[i] in LAW_FOLDERS:
            return parts[i], (parts[i + 1] if i + 1 < len(parts) else "")
    return "", ""


def _body(
    lines: Sequence[str], subtitle: str, rejoin: bool = True
) -> tuple[list[ParsedArticle], list[tuple[str, str]]]:
    """Articles, and the lines outside any article with their chapter path."""
    path: list[str] = []
    articles: list[ParsedArticle] = []
    paragraphs: list[str] = []
    loose: list[tuple[str, str]] = []
    current: ParsedArticle | None = None

    def chapter() -> str:
        return " / ".join([subtitle, *path] if subtitle else path)

    def close() -> None:
        nonlocal current
        if current is not None:
            current.text = "\n".join(join_split_lines(paragraphs) if rejoin else paragraphs)
            articles.append(current)
            current = None
        paragraphs.clear()

    for raw in lines:
        line = _strip(raw)
        if not line:
            continue
        heading = _HEADING_RE.match(line)
        if heading:
            close()
            depth = max(len(heading[1]) - 2, 0)
            del path[depth:]
            name = normalize_heading(heading[2] or "")
            if name:
                path.append(name)
            continue
        m = ARTICLE_RE.match(line)
        if m:
            close()
            numeral, sub = m[1], m[2]
            label = f"第{numeral}条" + (f"之{sub}" if sub else "")
            current = ParsedArticle(
                label=label, text="", number=numeral_value(numeral), chapter_path=chapter()
            )
            rest = clean_paragraph(line[m.end() :])
            if rest:
                paragraphs.append(rest)
            continue
        text = clean_paragraph(line)
        if not text:
            continue
        if current is not None:
            paragraphs.append(text)
        else:
            loose.append((chapter(), text))
    close()
    return articles, loose


def _outside_text(loose: Sequence[tuple[str, str]]) -> str:
    """Text outside articles (preamble, annexes), each block led by its heading."""
    out: list[str] = []
    last = ""
    for path, line in loose:
        if path != last and path:
            out.append(path.rsplit(" / ", 1)[-1])
        last = path
        out.append(line)
    return "\n".join(out)


def split_articles(
    lines: Sequence[str], subtitle: str = "", *, rejoin: bool = True
) -> tuple[list[ParsedArticle], str]:
    """A text's 第X条 articles and the text outside them; or, when it has no articles (decisions,
    amendments, notices), its numbered paragraphs 第1段, 第2段 … and no outside text.

    Lines starting with `#` are 编 / 章 / 节 headings (`##` the outermost). With `rejoin`, a line
    that does not end a sentence continues on the next (hard-wrapped text); a .docx paragraph
    is a paragraph, so its reader passes False.
    """
    articles, loose = _body(lines, subtitle, rejoin)
    if articles:
        return articles, _outside_text(loose)
    paragraphs = [
        ParsedArticle(label=f"第{n}段", text=text, kind=ArticleKind.PARAGRAPH, chapter_path=chapter)
        for n, (chapter, text) in enumerate(loose, start=1)
    ]
    return paragraphs, ""


def parse_markdown(path: Path | str, root: Path | str | None = None) -> ParsedDocument:
    """Parse one LawRefBook Markdown file; raise ParseError (with the reason) if it is not one."""
    path = Path(path)
    root_path = Path(root) if root else None
    lines = _decode(path)
    i = 0
    while i < len(lines) and not _strip(lines[i]):
        i += 1
    title_match = _TITLE_RE.match(_strip(lines[i])) if i < len(lines) else None
    if not title_match:
        raise ParseError("no title: the first line must be `# <title>`")
    title = clean_text(title_match[1])
    i += 1
    subtitle = ""
    while i < len(lines) and (not _strip(lines[i]) or _TITLE_RE.match(_strip(lines[i]))):
        if _strip(lines[i]) and not subtitle:
            subtitle = clean_text(_TITLE_RE.match(_strip(lines[i]))[1])  # type: ignore[index]
        i += 1
    rest = lines[i:]
    end = next((k for k, line in enumerate(rest) if line.strip() == INFO_END), None)
    if end is None:  # no marker: the history is the leading dated lines
        end = 0
        while end < len(rest) and (not _strip(rest[end]) or leading_cn_date(rest[end])):
            end += 1
        header, body_lines = rest[:end], rest[end:]
    else:
        header, body_lines = rest[:end], rest[end + 1 :]

    history = _history(header)
    folder, subfolder = _folder(path, root_path)
    level = LEVEL_BY_FOLDER.get(folder, LegalLevel.LAW if folder in LAW_FOLDERS else LegalLevel.OTHER)
    if level is LegalLevel.LAW and is_interpretation(title):
        level = LegalLevel.LEGISLATIVE_INTERPRETATION
    history_version, promulgated, effective = _dates(history)
    file_date = _FILE_DATE_RE.search(path.stem)
    version = iso_date(file_date[1]) if file_date else None
    articles, body = split_articles(body_lines, subtitle)
    version = version or history_version
    return ParsedDocument(
        title=title,
        subtitle=subtitle,
        level=level,
        source=LegalSource.LAWREFBOOK,
        source_ref=(path.relative_to(root_path) if root_path else path).as_posix(),
        version_date=version,
        doc_type=doc_type_from_title(title, level),
        doc_number=history.doc_number,
        issuer=_issuer(history, level, subfolder),
        field=folder if (folder in LAW_FOLDERS or folder in ("宪法", "其他")) else "",
        promulgation_date=max(d for d in (promulgated, version) if d) if (promulgated or version) else None,
        effective_date=version_effective_date(title, version, effective),
        history="\n".join(text for _, text in history.entries),
        body=body,
        articles=articles,
    )


def _first_number(doc: ParsedDocument) -> float:
    return next((float(a.number) for a in doc.articles if a.number is not None), float("inf"))


def _combine(group: list[tuple[str, ParsedDocument]], report: ImportReport) -> ParsedDocument:
    """One document from the files of one work + version: parts are joined, copies dropped."""
    if len(group) == 1:
        return group[0][1]
    subtitles = [doc.subtitle for _, doc in group]
    if all(subtitles) and len(set(subtitles)) == len(subtitles):  # parts: 民法典 总则, 物权编 …
        parts = sorted(group, key=lambda item: (_first_number(item[1]), item[0]))
        docs = [doc for _, doc in parts]
        richest = max(docs, key=lambda d: (len(d.history), d.effective_date or date.min))
        return replace(
            docs[0],
            subtitle="",
            source_ref=" + ".join(ref for ref, _ in parts)[:500],
            history=richest.history,
            promulgation_date=richest.promulgation_date,
            effective_date=max((d.effective_date for d in docs if d.effective_date), default=None),
            body="\n".join(f"{d.subtitle}\n{d.body}" for d in docs if d.body),
            articles=[a for d in docs for a in d.articles],
        )
    # The same version filed under two folders: keep the fullest copy, note the others.
    ranked = sorted(
        enumerate(group), key=lambda item: (-len(item[1][1].articles), -len(item[1][1].history), item[0])
    )
    primary_ref, primary = ranked[0][1]
    for _, (ref, _doc) in ranked[1:]:
        report.duplicates.append((ref, primary_ref))
    return primary


def _parse_folder(
    root: Path, report: ImportReport, progress: Progress | None
) -> dict[tuple[str, date | None], list[tuple[str, ParsedDocument]]]:
    """Parse every file, grouped by work and version date (in path order)."""
    if not root.is_dir():
        raise NotFound(f"{root} is not a folder")
    files = sorted(p for p in root.rglob("*.md") if p.is_file() and p.name.lower() != "readme.md")
    report.files = len(files)
    groups: dict[tuple[str, date | None], list[tuple[str, ParsedDocument]]] = {}
    for n, file in enumerate(files, start=1):
        ref = file.relative_to(root).as_posix()
        try:
            doc = parse_markdown(file, root)
        except ParseError as exc:
            report.fail(ref, str(exc))
        except OSError as exc:
            report.fail(ref, f"cannot read: {exc.strerror or exc}")
        else:
            groups.setdefault((work_key(doc.title), doc.version_date), []).append((ref, doc))
        if progress:
            progress(n, len(files) * 2, ref)
    return groups


async def import_markdown_folder(path: Path | str, progress: Progress | None = None) -> ImportReport:
    """Import every `*.md` file under `path` (README.md excepted); report files that fail, with reasons.

    Each document is written in its own transaction; unchanged documents are not written; the
    statuses of the touched works' versions are derived afterwards.
    """
    started = time.perf_counter()
    root = Path(path)
    report = ImportReport(source=LegalSource.LAWREFBOOK, root=str(root))
    groups = await asyncio.to_thread(_parse_folder, root, report, progress)
    total = report.files * 2
    done = report.files
    work_ids: set[int] = set()
    names = await RepealNames.load()  # who repeals what, read once for the run
    for group in groups.values():
        doc = _combine(group, report)
        try:
            outcome, work_id, written = await store_document(doc, names)
        except Exception as exc:  # a file failing in the database must not stop the others
            for ref, _ in group:
                report.fail(ref, f"not stored: {type(exc).__name__}: {exc}")
        else:
            work_ids.add(work_id)
            report.documents += 1
            report.articles_written += written
            _count(report, outcome)
        done += len(group)
        if progress:
            progress(done, total, doc.source_ref)
    report.statuses_changed = await recompute_statuses(work_ids)
    report.seconds = time.perf_counter() - started
    return report


def _count(report: ImportReport, outcome: Outcome) -> None:
    setattr(report, outcome.value, getattr(report, outcome.value) + 1)
