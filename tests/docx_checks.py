"""Reading generated .docx files back (python-docx and the raw OOXML), for the docgen tests."""

from __future__ import annotations

import io
import re

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.table import Table

from docgen.filing import Filing

CODE = re.compile(r"^\d{8}[A-Z]{2}-\d{4}$")


def open_docx(filing: Filing | bytes) -> Document:
    return docx.Document(io.BytesIO(filing.content if isinstance(filing, Filing) else filing))


def _parts(doc: Document) -> list:
    parts = {id(doc.part): doc.part}
    for section in doc.sections:
        for footer in (section.footer, section.even_page_footer):
            parts.setdefault(id(footer.part), footer.part)
    return list(parts.values())


def runs_without_east_asia(doc: Document) -> list[str]:
    """Texts of runs (body, tables, footers) whose w:rFonts names no w:eastAsia font."""
    bad = []
    for part in _parts(doc):
        for run in part.element.iter(qn("w:r")):
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            if fonts is None or not fonts.get(qn("w:eastAsia")):
                bad.append("".join(t.text or "" for t in run.iter(qn("w:t"))))
    return bad


def styles_without_east_asia(doc: Document) -> list[str]:
    bad = []
    for style in doc.styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            continue
        fonts = style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is None or not fonts.get(qn("w:eastAsia")):
            bad.append(style.name)
    return bad


def east_asian_font(style) -> str | None:  # type: ignore[no-untyped-def]
    fonts = style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def all_text(doc: Document) -> str:
    """Every text of the body, its tables and footers, in document order."""
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for part in _parts(doc) for p in part.element.iter(qn("w:p")))


def row_flags(table: Table) -> list[tuple[bool, bool]]:
    """(tblHeader, cantSplit) of each row."""
    flags = []
    for tr in table._tbl.tr_lst:
        trpr = tr.trPr
        flags.append((trpr is not None and trpr.find(qn("w:tblHeader")) is not None, trpr is not None and trpr.find(qn("w:cantSplit")) is not None))
    return flags


def data_rows(table: Table) -> list[list[str]]:
    """Rows that print an item: the first cell is its 序号."""
    rows = []
    for tr in table._tbl.tr_lst:
        cells = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.tc_lst]
        if cells and cells[0].strip().isdigit():
            rows.append(cells)
    return rows
