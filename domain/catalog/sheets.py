"""Reading another system's catalogue sheet (.xlsx or .csv): where the header is, what each column
holds, and the rows under it. Pure and synchronous: callers run it off the event loop.

An .xlsx is checked as a package first (domain/zip_package.py: no DTD in any part, no zip bomb, at
most MAX_UNPACKED_BYTES unpacked), its rows counted before any is parsed, and then read as a
stream, row by row, refused the moment it passes MAX_ROWS rows or MAX_COLUMNS columns: a sheet too
large is refused in milliseconds, and never held whole in memory. Cells are read as their values,
never as formulas (a formula cell as the value the program that saved it computed; one without a
value is reported on its row); a CSV cell is text (domain/catalog/cells.py).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from domain.catalog.cells import from_csv
from domain.enums import PowerCategory
from domain.errors import FieldError, ValidationFailed
from domain.zip_package import file_error

#: The columns we read, each with the names catalogues give it (the first is ours, used on export).
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("职权编码", "权力编码", "事项编码", "权力事项编码", "编码", "编号", "代码"),
    "name": ("职权名称", "事项名称", "权力名称", "权力事项名称", "行政权力名称", "项目名称", "子项名称", "名称"),
    "category": ("职权类别", "权力类别", "事项类型", "权力类型", "职权类型", "事项类别", "类别", "类型"),
    "exercise_mode": ("行使方式", "行使层级"),
    "unit": ("实施主体", "责任单位", "行使主体", "实施机关", "实施部门", "承办机构", "责任主体", "单位"),
    "basis": ("设定依据", "实施依据", "法律依据", "职权依据", "法定依据", "法律法规依据", "依据"),
    "time_limit": ("办理时限", "承诺时限", "法定时限", "法定办结时限", "承诺办结时限", "办结时限", "时限"),
    "fee_basis": ("收费依据",),
    "fee_standard": ("收费标准", "收费情况"),
    "disclosure_scope": ("公开范围",),
    "disclosure_form": ("公开形式", "公开方式"),
    "disclosure_deadline": ("公开时限",),
    "confidential": ("涉密", "是否涉密"),
    "description": ("说明", "备注"),
}
#: Columns we know and ignore on purpose (not to be mistaken for others by the fuzzy match).
IGNORED = ("序号", "状态", "流程图", "运行流程图", "责任事项", "追责情形", "监督电话")
FUZZY_CUTOFF = 75
#: Rows looked at for the header (title rows above it are skipped).
HEADER_SEARCH_ROWS = 15
MAX_ROWS = 20_000
#: Rows read at most: the data rows and the title and header rows above them.
ROW_LIMIT = MAX_ROWS + HEADER_SEARCH_ROWS
MAX_COLUMNS = 60
MAX_CELL_CHARS = 20_000

_SPACE = re.compile(r"[\s\u3000]+")
_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_NUMBERING = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十百零〇]+[)）、.．]?|\d+[.．、)）]|[（(]\d+[)）])\s*")
_COUNT = re.compile(r"[（(]\s*(?:共)?\s*\d+\s*项\s*[)）]\s*$")

#: Words that mark a category, in the order they are tried (非行政许可审批 before 许可).
CATEGORY_WORDS: tuple[tuple[str, PowerCategory], ...] = (
    ("非行政许可", PowerCategory.OTHER),
    ("其他", PowerCategory.OTHER),
    ("许可", PowerCategory.LICENSING),
    ("审批", PowerCategory.LICENSING),
    ("处罚", PowerCategory.PENALTY),
    ("强制", PowerCategory.COERCION),
    ("征收", PowerCategory.LEVY),
    ("征用", PowerCategory.LEVY),
    ("给付", PowerCategory.BENEFIT),
    ("检查", PowerCategory.INSPECTION),
    ("确认", PowerCategory.CONFIRMATION),
    ("奖励", PowerCategory.REWARD),
    ("裁决", PowerCategory.ADJUDICATION),
)


def header_key(text: str) -> str:
    """A header as compared: NFKC, no spaces or line breaks, no bracketed remarks (（个工作日）)."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return _PAREN.sub("", _SPACE.sub("", text))


def category_of(text: str) -> PowerCategory | None:
    """行政许可 / 一、行政处罚（12项） / 其他行政权力 … as our category; None if it names none."""
    key = header_key(_COUNT.sub("", _NUMBERING.sub("", str(text or ""))))
    if not key:
        return None
    for value in PowerCategory:
        if key in (value.value, value.label):
            return value
    for word, category in CATEGORY_WORDS:
        if word in key:
            return category
    return None


def group_heading(text: str) -> PowerCategory | None:
    """A row that only names a category (一、行政许可（3项）) heads the rows below it."""
    raw = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not raw or len(raw) > 30 or not (_NUMBERING.match(raw) or _COUNT.search(raw) or raw.endswith("类")):
        return None
    return category_of(raw)


_SYNONYMS: dict[str, str] = {name: column for column, names in HEADERS.items() for name in names}
_SYNONYMS.update({name: "" for name in IGNORED})


def recognise(header: str, mapping: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """The column a header names and how sure (100 exact, less fuzzy); '' for known-and-ignored."""
    key = header_key(header)
    if not key or len(key) > 40:
        return None
    if mapping:
        for given, column in mapping.items():
            if header_key(given) == key:
                return column, 101
    if key in _SYNONYMS:
        return _SYNONYMS[key], 100
    best = process.extractOne(key, list(_SYNONYMS), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return (_SYNONYMS[best[0]], int(best[1])) if best else None


@dataclass
class Sheet:
    """A sheet as read: the column of each field, the header rows used, the data rows."""

    columns: dict[str, int]
    headers: dict[str, str]  # field → the header text it was recognised from
    header_row: int  # 1-based, last header row
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (1-based row number, cells)
    unknown_headers: list[str] = field(default_factory=list)
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # formula cells without a value: (row, column)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").strip()
    return text[:MAX_CELL_CHARS]


@dataclass
class Grid:
    """A sheet's cells as text, before its header is looked for."""

    rows: list[list[str]]
    uncalculated: set[tuple[int, int]] = field(default_factory=set)  # (1-based row, 0-based column)


def bad_file(message: str) -> ValidationFailed:
    return file_error(message, "invalid")


def too_large(max_rows: int, max_columns: int) -> ValidationFailed:
    return bad_file(f"表格过大：最多 {max_rows} 行、{max_columns} 列 (sheet too large: at most {max_rows} rows, {max_columns} columns)")


def _csv_grid(data: bytes) -> Grid:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise bad_file("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）(CSV must be UTF-8 or GB18030)")
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，").delimiter
    except csv.Error:
        delimiter = ","
    grid = Grid([])
    # only the delimiter is guessed: quotes are ", as every spreadsheet writes them (the sniffer takes
    # the ' that escapes formula-like cells, cells.py, for a quote character)
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
        if number > ROW_LIMIT or len(row) > MAX_COLUMNS:
            raise too_large(ROW_LIMIT, MAX_COLUMNS)
        # a CSV cell is text: `'=…` is the text `=…` (cells.py); an unescaped `=…` is a formula to
        # every spreadsheet program, and CSV keeps no value for it
        grid.uncalculated.update((number, c) for c, value in enumerate(row) if value.startswith("="))
        grid.rows.append([_cell(from_csv(value)) for value in row])
    return grid


def _header_fields(cells: list[str], mapping: Mapping[str, str] | None) -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for i, text in enumerate(cells):
        hit = recognise(text, mapping)
        if hit is not None:
            found[i] = hit
    return found


def read_grid(filename: str, data: bytes) -> Grid:
    """The cells of a .csv (or .txt) or an .xlsx's first sheet as text, within the limits above (the
    catalogue's import reads its columns from them, domain.functions a 三定 sheet's)."""
    if filename.lower().endswith((".csv", ".txt")):
        return _csv_grid(data)
    # imported here: openpyxl takes a while to import, and only imports need it
    from domain.catalog.xlsx import read_xlsx

    return read_xlsx(data, _cell, max_rows=ROW_LIMIT, max_columns=MAX_COLUMNS)


def read_sheet(filename: str, data: bytes, mapping: Mapping[str, str] | None = None) -> Sheet:
    """The sheet's header and rows; ValidationFailed (field `file`) if there is no usable header."""
    for given, column in (mapping or {}).items():
        if column and column not in HEADERS:
            raise ValidationFailed([FieldError("mapping", f"未知的列 {column} (unknown column for {given!r})", "invalid")])
    read = read_grid(filename, data)
    grid = read.rows
    best_row, best = -1, {}
    for r, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        found = _header_fields(cells, mapping)
        named = {column for column, _ in found.values() if column}
        if "name" in named and len(named) > len({c for c, _ in best.values() if c}):
            best_row, best = r, found
    if best_row < 0:
        raise bad_file("找不到表头：应有「事项名称 / 权力名称 / 职权名称」等列 (no header row with a power-name column)")
    header_rows = [best_row]
    # A two-level header: the row below names the columns a merged group cell (行使规则) covers;
    # it is a header row only if every cell of it is a header (a data row has names and bases).
    if best_row + 1 < len(grid):
        cells = grid[best_row + 1]
        below = _header_fields(cells, mapping)
        if below and all(i in below for i, text in enumerate(cells) if text):
            best.update(below)
            header_rows.append(best_row + 1)
    columns: dict[str, int] = {}
    scores: dict[str, int] = {}
    headers: dict[str, str] = {}
    last = header_rows[-1]
    for c, (column, score) in sorted(best.items()):
        if column and score > scores.get(column, -1):
            columns[column], scores[column], headers[column] = c, score, grid[last][c]
    unknown = [text for c, text in enumerate(grid[last]) if text and c not in best]
    sheet = Sheet(columns, headers, last + 1, unknown_headers=unknown, uncalculated=read.uncalculated)
    for r in range(last + 1, len(grid)):
        cells = grid[r]
        if any(cells):
            sheet.rows.append((r + 1, cells))
    return sheet
