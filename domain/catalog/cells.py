"""Text in the sheets we write, and in the CSV we read: never a formula (OWASP's CSV-injection rule).

A spreadsheet program takes a cell beginning with =, +, -, @, a tab or a carriage return for a
formula (=HYPERLINK("http://…"&A1,"点击查看") in a power's name would run when the sheet is opened).
- xlsx: such a text is written as a string cell (never `t="f"`, whatever openpyxl infers) with the
  quotePrefix style Excel itself gives text typed as '=…: the cell holds the exact text, and stays
  text when edited.
- CSV has no cell types: such a text is written with a leading `'`, as OWASP asks. A text that
  already starts with quotes before one of those characters gets one more, so the escape can be
  undone exactly: reading a CSV takes one `'` off a cell of `'`s followed by one of them (our own
  export, and any system that escapes the same way), and leaves every other cell as it is — the
  power named "-某某" comes back as "-某某". Reading never evaluates anything.

XML 1.0, and so an .xlsx, cannot hold the control characters below U+0020 other than tab, line feed
and carriage return (openpyxl raises IllegalCharacterError on them): text written to a sheet leaves
them out. A power's name with a stray U+0007 pasted from another program is written without it.

A sheet we write prints as a clerk expects (print_setup): A4 landscape, fitted to the page's width,
its header rows repeated on every page, and an autofilter on the header for other programs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where a sheet is written
    from openpyxl.worksheet.worksheet import Worksheet

#: What an .xlsx cannot hold (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE: C0 controls but tab, LF, CR).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: The first characters that make a spreadsheet program read a cell as a formula.
FORMULA_START = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def csv_text(value: object) -> object:
    """A value as written to CSV: a text a spreadsheet would take for a formula gets a leading `'`."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_text(value) for value in values]


def from_csv(text: str) -> str:
    """A CSV cell as its text: the `'` that csv_text (or another OWASP-escaping system) put before a
    formula character taken off, once."""
    return text[1:] if _QUOTED.match(text) else text


def xlsx_text(value: object) -> object:
    """A value as an .xlsx may hold it: a text without the control characters XML refuses."""
    return _NOT_IN_XML.sub("", value) if isinstance(value, str) else value


def append_text_row(ws: Worksheet, values: Iterable[object]) -> None:
    """ws.append, with every text cell a string cell: openpyxl makes "=…" a formula and "#N/A" an
    error; a text beginning with a formula character also gets the quotePrefix style. Control
    characters XML cannot hold are left out."""
    values = [xlsx_text(value) for value in values]
    ws.append(values)
    row = ws.max_row
    for column, value in enumerate(values, 1):
        if isinstance(value, str) and value:
            cell = ws.cell(row=row, column=column)
            cell.data_type = "s"
            if value[0] in FORMULA_START:
                cell.quotePrefix = True


def print_setup(ws: Worksheet, *, header_row: int, last_column: int) -> None:
    """A4 landscape, fitted to the page's width (as many pages long as it takes), the rows down to
    the header repeated on every page, and an autofilter over the header and the rows below it."""
    from openpyxl.utils import get_column_letter

    last = get_column_letter(last_column)
    ws.auto_filter.ref = f"A{header_row}:{last}{max(ws.max_row, header_row)}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # no limit: as many pages as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{header_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
