"""Column widths of a form's table from its content: no column narrower than a few characters or
than its longest unbreakable word (a power's code), the rest of the width shared in proportion
to how much text each column holds, so that rows come out short and pages full."""

from __future__ import annotations

import re

from docx.oxml.ns import qn
from docx.table import Table

#: the forms' cell margins left and right (page.TABLE_CELL_MARGIN_MM each), and a little slack
CELL_PADDING_MM = 2.6
MIN_CHARS = 3
#: a column is at least this share of its heading's width (the heading on at most so many lines), up to
#: HEADING_CHARS: 备注（不公开理由、公示意见） is not squeezed to four characters beside long columns
HEADING_LINES, HEADING_CHARS = 2.5, 6.0
#: a column wider than this many characters only makes other columns taller
MAX_CHARS = 30
_WORD = re.compile(r"[\x21-\x7e]+")  # Latin letters, digits, codes: a line breaks only around them


def ems(text: str) -> float:
    """Width in ems of the font size, as Times New Roman and CJK fonts draw it: a CJK character
    is one, an upper-case Latin letter 0.72, a hyphen 0.35, digits and the rest 0.5."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.72 if ch.isupper() else 0.35 if ch == "-" else 0.5 for ch in text)


def _text(tc: object) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p")))  # type: ignore[attr-defined]


def _cells(table: Table, rows: slice) -> list[list[str]]:
    """Each column's texts in these rows (cells spanning several columns left out)."""
    columns: list[list[str]] = [[] for _ in table._tbl.tblGrid.gridCol_lst]
    for tr in table._tbl.tr_lst[rows]:
        column = 0
        for tc in tr.tc_lst:
            if tc.grid_span == 1:
                columns[column].append(_text(tc))
            column += tc.grid_span
    return columns


def lines(text: str, width_ems: float) -> int:
    """Lines a cell's text takes in a column `width_ems` wide (each paragraph on lines of its own)."""
    return sum(max(1, -int(-ems(line) // max(width_ems, 1.0))) for line in text.split("\n"))


def tall_rows(table: Table, widths_mm: list[float], font_pt: float, line_pt: float, page_mm: float, header_rows: int = 1) -> frozenset[int]:
    """Rows (indexes) whose text, laid out in these columns, would not fit on one page below the
    header: only those may break across pages."""
    em_mm, line_mm = font_pt * 25.4 / 72, line_pt * 25.4 / 72
    room = page_mm - sum(_row_mm(tr, widths_mm, em_mm, line_mm) for tr in table._tbl.tr_lst[:header_rows])
    return frozenset(
        index
        for index, tr in enumerate(table._tbl.tr_lst)
        if index >= header_rows and _row_mm(tr, widths_mm, em_mm, line_mm) > room
    )


def _row_mm(tr: object, widths_mm: list[float], em_mm: float, line_mm: float) -> float:
    tallest, column = 1, 0
    for tc in tr.tc_lst:  # type: ignore[attr-defined]
        width = sum(widths_mm[column : column + tc.grid_span]) - CELL_PADDING_MM
        tallest = max(tallest, lines(_text(tc), width / em_mm))
        column += tc.grid_span
    return tallest * line_mm + 2 * 0.8  # the cell's padding above and below (page.TABLE_CELL_PADDING_MM)


def widths(table: Table, total_mm: float, font_pt: float, header_rows: int = 1) -> list[float]:
    """Column widths (mm) adding up to `total_mm` for text of `font_pt`."""
    em_mm = font_pt * 25.4 / 72
    columns = _cells(table, slice(header_rows, None))
    headings = [max((ems(t) for t in texts), default=0.0) for texts in _cells(table, slice(0, header_rows))]
    least, most, volume = [], [], []
    for texts, heading in zip(columns, headings, strict=True):
        lines = [line for text in texts for line in text.splitlines()]
        word = max((ems(w) for line in lines for w in _WORD.findall(line)), default=0.0)
        least.append(max(MIN_CHARS, min(word, MAX_CHARS), min(heading / HEADING_LINES, HEADING_CHARS)))
        most.append(max(least[-1], min(MAX_CHARS, max((ems(line) for line in lines), default=0.0))))
        volume.append(sum(ems(text) for text in texts) + 1.0)
    room = total_mm / em_mm - len(columns) * CELL_PADDING_MM / em_mm  # in ems of text
    width = list(least)
    open_columns = set(range(len(columns)))
    while open_columns and (spare := room - sum(width)) > 0.01:  # share the rest; a column stops at `most`
        share = sum(volume[c] for c in open_columns)
        for c in list(open_columns):
            width[c] += spare * volume[c] / share
            if width[c] >= most[c]:
                width[c] = most[c]
                open_columns.discard(c)
    if (spare := room - sum(width)) > 0:  # every column has all it wants: widen them alike
        width = [w + spare * w / sum(width) for w in width]
    scale = 1.0 if sum(width) <= room else room / sum(width)
    return [w * scale * em_mm + CELL_PADDING_MM for w in width]
