"""The text of an uploaded file, as lines: a .docx (paragraphs and tables, in document order) or a
text file (UTF-8, else GB18030). A file that cannot be read raises a validation error on `file`."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import PurePath

from docx import Document
from docx.table import Table
from lxml import etree

from domain.library.docx_package import check_package, file_error, not_docx

__all__ = ["DOCX_TYPE", "ExtractedText", "extract_text", "file_error", "mark_headings"]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_SUFFIXES = frozenset({"", ".txt", ".text", ".md"})
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .wps (OLE compound files)
_PDF = b"%PDF"
_WS = " \t\u3000\u00a0\ufeff\r"
_NUM = "一二三四五六七八九十百零〇两0-9"
#: 编 / 分编 / 章 / 节 headings, outermost first.
HEADING_KINDS = ("编", "分编", "章", "节")
_HEADING = re.compile(rf"^第[{_NUM}]+(分编|编|章|节)(?:[{_WS}]+\S.*|[{_WS}]*)$")
log = logging.getLogger(__name__)


@dataclass
class ExtractedText:
    lines: list[str]
    content_type: str
    title_hint: str = ""  # a paragraph styled as the document's title
    hard_wrapped: bool = True  # a line may continue on the next (text files); a .docx paragraph is whole


def extract_text(filename: str, data: bytes, max_bytes: int) -> ExtractedText:
    """The lines of an uploaded file; a typed error (`empty`, `too_large`, `unsupported`, `not_docx`,
    `unsafe_xml`, `unreadable`, `no_text`) when it is not a readable .docx or text file."""
    if not data.strip():
        raise file_error("文件为空 (the file is empty)", "empty")
    if len(data) > max_bytes:
        raise file_error(f"文件超过 {max_bytes // 1024} KB 的上限 (the file is larger than {max_bytes} bytes)", "too_large")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(_ZIP):
        extracted = _docx(data, max_bytes)
    elif suffix == ".docx":
        raise file_error("不是有效的 .docx 文件 (not a valid .docx file)", "not_docx")
    elif data.startswith(_OLE) or suffix == ".doc":
        raise file_error("不支持旧版 Word (.doc) 文件，请另存为 .docx (save it as .docx)", "unsupported")
    elif suffix not in TEXT_SUFFIXES or data.startswith(_PDF) or b"\x00" in data:
        raise file_error("只能上传 .docx 或文本文件 (only .docx and text files are accepted)", "unsupported")
    else:
        extracted = _text(data)
    if not any(line for line in extracted.lines if not line.startswith("#")):
        raise file_error("文件中没有文字 (the file contains no text)", "no_text")
    return extracted


def _lines(text: str) -> list[str]:
    return [s for line in text.replace("\r\n", "\n").split("\n") if (s := line.strip(_WS))]


def _text(data: bytes) -> ExtractedText:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        charset = "utf-8" if encoding == "utf-8-sig" else encoding
        return ExtractedText(lines=mark_headings(_lines(text)), content_type=f"text/plain; charset={charset}")
    raise file_error("无法识别文本编码，请使用 UTF-8 或 GB18030 (not UTF-8 or GB18030 text)", "unreadable")


def _table_lines(table: Table) -> list[str]:
    """One line per row, cells joined by ` | ` (a merged cell once)."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(_lines(cell.text))
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


def _docx(data: bytes, max_bytes: int) -> ExtractedText:
    check_package(data, max_bytes)  # typed errors for whatever would trip python-docx up
    try:
        document = Document(io.BytesIO(data))
        lines: list[str] = []
        title = ""
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
                continue
            style = (block.style.name if block.style is not None else "") or ""
            text = " ".join(_lines(block.text))
            if text and not title and style.lower() in ("title", "标题"):
                title = text
            lines.extend(_lines(block.text))
    except etree.XMLSyntaxError:
        raise not_docx("其中的 XML 已损坏 (a part of the .docx is not well-formed XML)") from None
    except Exception:  # python-docx raises many kinds on a broken or foreign package
        # The uploader is told what is wrong with the file, not which exception python-docx raised;
        # the operator finds the exception in the log.
        log.warning("an uploaded .docx passed the package checks but python-docx failed on it", exc_info=True)
        raise not_docx("文件结构已损坏，无法读取 (the .docx is damaged and cannot be read)") from None
    return ExtractedText(mark_headings(lines), DOCX_TYPE, title_hint=title, hard_wrapped=False)


def mark_headings(lines: list[str]) -> list[str]:
    """Mark 第X编 / 章 / 节 lines as Markdown headings (`##` the outermost kind present), the form
    the article splitter reads; lines already starting with `#` stay as they are."""
    found = {m[1]: None for line in lines if (m := _HEADING.match(line)) and len(line) <= 40}
    depth = {kind: "#" * (2 + i) for i, kind in enumerate(k for k in HEADING_KINDS if k in found)}
    marked = []
    for line in lines:
        m = _HEADING.match(line)
        marked.append(f"{depth[m[1]]} {line}" if m and m[1] in depth and len(line) <= 40 else line)
    return marked
