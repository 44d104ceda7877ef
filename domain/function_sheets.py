"""A unit's 三定 functions imported from a sheet (.xlsx / .csv, read as catalogue sheets are: domain.catalog.sheets):
a header naming a 职能 column (序号, 具体内容 and 三定方案 optional), all rows or none."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.catalog.sheets import HEADER_SEARCH_ROWS, header_key, read_grid
from domain.errors import FieldError, ValidationFailed, Validator
from domain.functions import MAX_FUNCTIONS, FunctionData, clean_function, duplicate_ordinal, unit_for_edit
from domain.oversight_models import UnitFunction

#: How much of a sheet is read for functions: far more than any 三定方案, and small next to a catalogue.
MAX_FILE_BYTES = 2 * 1024 * 1024
#: The headers a 三定 sheet gives each column (compared as catalogue headers are, header_key).
FUNCTION_HEADERS: dict[str, tuple[str, ...]] = {
    "ordinal": ("序号", "编号", "职能序号"),
    "title": ("职能", "主要职责", "职能名称", "职责", "职责名称", "主要职能", "职能职责", "工作职责"),
    "description": ("具体内容", "职能内容", "职责内容", "说明", "备注"),
    "source": ("三定方案", "依据", "来源", "文号"),
}
_HEADER_OF = {header_key(name): column for column, names in FUNCTION_HEADERS.items() for name in names}


@dataclass
class ImportedFunction:
    row: int
    data: FunctionData


@dataclass
class FunctionImport:
    created: int = 0
    replaced: int = 0
    errors: list[FieldError] = field(default_factory=list)


def _ordinal(text: str) -> int | None:
    digits = "".join(ch for ch in text if ch.isdigit())
    return int(digits) if digits and len(digits) <= 4 else None


def _function_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The header row (0-based) among the first rows, and the column of each field it names."""
    for r, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for c, text in enumerate(cells):
            column = _HEADER_OF.get(header_key(text))
            if column and column not in columns:
                columns[column] = c
        if "title" in columns:
            return r, columns
    raise ValidationFailed(
        [
            FieldError(
                "file",
                "找不到表头：应有「职能 / 主要职责」列 (no header row with a function column)",
                "invalid",
            )
        ]
    )


def read_function_sheet(filename: str, data: bytes, unit_id: int) -> list[ImportedFunction]:
    """The functions a sheet lists under a header naming a 职能 column; ValidationFailed otherwise.
    Pure and synchronous (callers run it off the event loop)."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(
            [
                FieldError(
                    "file", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB (file too large)", "too_large"
                )
            ]
        )
    grid = read_grid(filename, data)
    r, columns = _function_header(grid.rows)
    found: list[ImportedFunction] = []
    for number, cells in enumerate(grid.rows[r + 1 :], start=r + 2):

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[columns[name]] if name in columns and columns[name] < len(cells) else ""

        if not any(cells):
            continue
        ordinal = _ordinal(cell("ordinal")) if "ordinal" in columns else None
        found.append(
            ImportedFunction(
                number, FunctionData(unit_id, cell("title"), cell("description"), cell("source"), ordinal)
            )
        )
        if len(found) > MAX_FUNCTIONS:
            raise ValidationFailed(
                [
                    FieldError(
                        "file",
                        f"每个单位最多 {MAX_FUNCTIONS} 项职能 (at most {MAX_FUNCTIONS} functions)",
                        "too_many",
                    )
                ]
            )
    return found


async def import_functions(
    viewer: access.Viewer,
    unit_id: int,
    filename: str,
    data: bytes,
    *,
    replace: bool = False,
    dry_run: bool = False,
) -> FunctionImport:
    """A unit's functions from a sheet, all or nothing: every row is checked first, and one bad row
    writes none (its errors name the sheet's row). `replace` removes the unit's functions first (and
    with them the powers' links to them); otherwise the rows are added after the existing ones."""
    unit = await unit_for_edit(viewer, unit_id)
    rows = await asyncio.to_thread(read_function_sheet, filename, data, unit.id)
    v = Validator()
    existing = {} if replace else {f.ordinal: f for f in await UnitFunction.filter(unit_id=unit.id)}
    v.check(bool(rows), "file", "表中没有职能 (the sheet lists no function)", "empty")
    v.check(
        len(existing) + len(rows) <= MAX_FUNCTIONS,
        "file",
        f"每个单位最多 {MAX_FUNCTIONS} 项职能 (at most {MAX_FUNCTIONS} functions)",
        "too_many",
    )
    next_ordinal = max(existing, default=0) + 1
    seen: set[int] = set()
    creates: list[dict[str, object]] = []
    for row in rows:
        rv = Validator()
        if row.data.ordinal is None:
            row.data.ordinal = max(next_ordinal, max(seen, default=0) + 1)
        cleaned = clean_function(rv, row.data)
        if row.data.ordinal in seen or row.data.ordinal in existing:
            rv.errors.append(duplicate_ordinal(row.data.ordinal))
        seen.add(row.data.ordinal)
        v.errors += [FieldError(f"rows.{row.row}.{e.field}", e.message, e.code) for e in rv.errors]
        creates.append(cleaned)
    v.raise_if_any()
    result = FunctionImport(created=len(creates), replaced=0)
    if dry_run:
        result.replaced = await UnitFunction.filter(unit_id=unit.id).count() if replace else 0
        return result
    async with in_transaction():
        if replace:
            result.replaced = await UnitFunction.filter(unit_id=unit.id).count()
            await UnitFunction.filter(unit_id=unit.id).delete()
        await UnitFunction.bulk_create([UnitFunction(unit_id=unit.id, **c) for c in creates])
        await record(viewer, "unit_function.import", "unit", unit.id, filename=filename[-200:], created=result.created,
                     replaced=result.replaced)  # fmt: skip
    return result
