"""The first sheet of an uploaded .xlsx as a grid of text, read within limits.

The package is checked first (domain/zip_package.py: no DTD in any part, no zip bomb, at most
MAX_UNPACKED_BYTES unpacked). The sheet's rows are then counted in its raw bytes (`<row` tags, at
inflating speed, stopping past the limit) before any is parsed, and the sheet is parsed as a
stream: a row is refused the moment it starts past the row limit, a cell the moment it starts past
the column limit, and nothing after the merged cells is parsed. A sheet too large is so refused in
milliseconds, and is never held whole in memory (openpyxl's reader, whole or read-only, first
parses it all, or fills every row up to the last row number it names).

Cells are read as values, never as formulas (openpyxl's data_only): a formula cell is the value the
program that saved it computed, what its author saw; one saved without a value (written by a
program that computes nothing) is listed in `Grid.uncalculated`, for its row to be refused.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet._reader import (
    CELL_TAG,
    DATA_TAG,
    FORMULA_TAG,
    ROW_TAG,
    SHEET_MAIN_NS,
    WorkSheetParser,
)

from domain.catalog.sheets import Grid, bad_file, too_large
from domain.errors import ValidationFailed
from domain.zip_package import PackageKind, check_zip, member_chunks

#: An .xlsx may unpack to this much: a full catalogue of 20,000 rows with long bases unpacks to
#: ~80 MB (its upload, at most 10 MB, then compresses at 4×; real catalogues' text compresses ~10×).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: Checksums are checked as openpyxl reads (a damaged member is then a typed error here).
XLSX = PackageKind(".xlsx", "invalid", MAX_UNPACKED_BYTES, read_through=False)
#: Elements a cell may hold on average in a row (<c>, <v>, <is>, <t>, rich-text runs …).
MARKUP_PER_CELL = 20
#: Elements besides the rows' (column widths, merged ranges: a catalogue merges a category cell
#: down its rows, a header over its columns …).
MAX_OTHER = 200_000
_MERGE_TAG = f"{{{SHEET_MAIN_NS}}}mergeCell"
_MERGES_TAG = f"{{{SHEET_MAIN_NS}}}mergeCells"
#: What the schema allows between sheetData and mergeCells; parsing stops at anything else after it.
_BEFORE_MERGES = {
    f"{{{SHEET_MAIN_NS}}}{name}"
    for name in ("sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
                 "dataConsolidate", "customSheetViews", "mergeCells")
}  # fmt: skip
_UNCALCULATED = object()
log = logging.getLogger(__name__)


class _Cells(WorkSheetParser):
    """openpyxl's reading of a row's cells, with a formula saved without its value marked as such."""

    def parse_cell(self, element):  # type: ignore[no-untyped-def]
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["value"] = _UNCALCULATED
        return cell


def read_xlsx(data: bytes, text: Callable[[object], str], *, max_rows: int, max_columns: int) -> Grid:
    """The first sheet's cells as `text(value)`, merged ranges spread over their cells; a typed
    error (field `file`) for a file that is no readable .xlsx or is larger than the limits."""
    check_zip(data, XLSX).close()
    # openpyxl's own loader, step by step: load_workbook would parse every sheet whole (or, read-only,
    # parse one through to find its size when it does not state it) before its first row is seen
    reader = None
    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_workbook()
        path = next((rel.target for _sheet, rel in reader.parser.find_sheets()
                     if "chartsheet" not in rel.Type and rel.target in reader.valid_files), None)  # fmt: skip
        if path is None:
            raise bad_file("Excel 文件中没有工作表 (the .xlsx has no worksheet)")
        if _row_tags(reader.archive, reader.archive.getinfo(path), max_rows + 1) > max_rows + 1:  # + 1: <rowBreaks>
            raise too_large(max_rows, max_columns)
        reader.read_strings()
        apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates
        book = reader.wb
        cells = _Cells(None, reader.shared_strings, data_only=True, epoch=book.epoch,
                       date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)  # fmt: skip
        with reader.archive.open(path) as source:
            return _stream(source, cells, text, max_rows, max_columns)
    except (ValidationFailed, MemoryError):
        raise
    except (ParseError, zipfile.BadZipFile, KeyError):
        raise bad_file("Excel 文件已损坏或其中的 XML 无效 (the .xlsx is damaged or holds XML that is not well-formed)") from None
    except Exception:  # openpyxl raises many kinds on a foreign or broken package
        log.warning("an uploaded .xlsx passed the package checks but could not be read", exc_info=True)
        raise bad_file("不是有效的 Excel 文件，无法读取 (not a readable .xlsx file)") from None
    finally:
        if reader is not None:
            reader.archive.close()


def _row_tags(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    """How many `<row` the part holds, counted until past `limit`: inflating and counting run in C.
    (Markup only: a `<` in text is escaped. A prefixed `<x:row` is not counted: the stream's own
    count refuses such a sheet.)"""
    count, tail = 0, b""
    chunks = member_chunks(archive, info, XLSX)
    for chunk in chunks:
        count += (tail + chunk[:3]).count(b"<row") + chunk.count(b"<row")
        tail = chunk[-3:]
        if count > limit:
            break
    chunks.close()
    return count


def _stream(source: io.BufferedIOBase, cells: _Cells, text: Callable[[object], str], max_rows: int, max_columns: int) -> Grid:
    """The rows, refused as soon as one starts past a limit: the parser never builds more than one
    row's elements (at most MARKUP_PER_CELL per cell allowed), nor more than MAX_OTHER elements
    besides the rows."""
    grid = Grid([])
    merged: list[tuple[int, int, int, int]] = []
    rows = columns = depth = markup = other = 0
    in_row = after_data = False
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            depth += 1
            if tag == ROW_TAG:
                rows, columns, markup, in_row = rows + 1, 0, 0, True
                if rows > max_rows:
                    raise too_large(max_rows, max_columns)
            elif in_row:
                columns += tag == CELL_TAG
                markup += 1
                if columns > max_columns or markup > MARKUP_PER_CELL * max_columns:
                    raise too_large(max_rows, max_columns)
            elif after_data and depth == 2 and tag not in _BEFORE_MERGES:
                break  # hyperlinks, formatting, page setup …: nothing we read
            else:
                other += 1
                if other > MAX_OTHER:
                    raise bad_file(f"工作表中除单元格外的内容过多（超过 {MAX_OTHER} 项）(the sheet holds too much besides its cells)")
            continue
        depth -= 1
        if tag == ROW_TAG:
            number, values = cells.parse_row(element)
            element.clear()
            in_row = False
            _add_row(grid, number, values, text, max_rows, max_columns)
        elif tag == _MERGE_TAG:
            merged.append(_boundaries(element.get("ref", "")))
        elif tag == DATA_TAG:
            after_data = True
        elif tag == _MERGES_TAG:
            break
        if depth == 1:
            element.clear()
    _spread(grid.rows, merged, max_columns)
    return grid


def _add_row(grid: Grid, number: int, values: list[dict], text: Callable[[object], str], max_rows: int, max_columns: int) -> None:
    if number > max_rows or number < len(grid.rows) + 1:
        raise too_large(max_rows, max_columns) if number > max_rows else bad_file(
            f"工作表的行号 {number} 顺序错乱 (row {number} of the sheet is out of order)"
        )
    while len(grid.rows) < number - 1:  # rows the sheet leaves out are empty
        grid.rows.append([])
    row: list[str] = []
    for cell in values:
        column = cell["column"]
        if column > max_columns:
            raise too_large(max_rows, max_columns)
        row.extend([""] * (column - len(row)))
        if cell["value"] is _UNCALCULATED:
            grid.uncalculated.add((number, column - 1))
        else:
            row[column - 1] = text(cell["value"])
    grid.rows.append(row)


def _boundaries(ref: str) -> tuple[int, int, int, int]:
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        raise bad_file(f"工作表中的合并单元格 {ref[:40]!r} 无效 (a merged range of the sheet is invalid)") from None
    if None in (min_col, min_row, max_col, max_row):
        raise bad_file(f"工作表中的合并单元格 {ref[:40]!r} 无效 (a merged range of the sheet is invalid)")
    return min_col, min_row, max_col, max_row


def _spread(rows: list[list[str]], merged: list[tuple[int, int, int, int]], max_columns: int) -> None:
    """A merged cell holds its value in the top-left corner: spread it over the range (headers like
    「行使规则」 over 「办理时限 | 收费标准」, or a category cell merged down over its rows). Ranges are
    clipped to the rows read and the column limit, and may not cover more cells than those."""
    budget = len(rows) * max_columns
    for min_col, min_row, max_col, max_row in merged:
        if min_row > len(rows) or min_col > max_columns:
            continue
        top = rows[min_row - 1]
        value = top[min_col - 1] if min_col <= len(top) else ""
        last_row, last_col = min(max_row, len(rows)), min(max_col, max_columns)
        budget -= (last_row - min_row + 1) * (last_col - min_col + 1)
        if budget < 0:
            raise bad_file("合并单元格相互重叠 (the merged ranges of the sheet overlap)")
        for r in range(min_row, last_row + 1):
            row = rows[r - 1]
            if len(row) < last_col:
                row.extend([""] * (last_col - len(row)))
            for c in range(min_col, last_col + 1):
                row[c - 1] = value
