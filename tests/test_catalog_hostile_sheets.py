"""Sheets built to hurt the import (issue 21, items 4 and 5): a DTD in any XML part of an .xlsx
(an internal entity that would become a power's name, an external one that ended in a traceback),
an undefined entity, a zip bomb, a package that unpacks to more than the bound, and a sheet that
unpacks large to far more rows than the limit. Each is a typed error on `file` with a message in
both languages — through the domain, the `qingquan catalog import` command and the importCatalog
mutation — and nothing is written. The files are real .xlsx (openpyxl), rewritten as an attacker would."""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable

import httpx
import pytest
from openpyxl import Workbook

from domain.catalog.importer import import_into_unit, import_reference
from domain.catalog.sheets import ROW_LIMIT
from domain.enums import Role
from domain.errors import ValidationFailed
from domain.models import Power
from resolvers.ids import encode_id
from tests.catalog_sheets import numbered_unit, tag, upload_sheet
from tests.conftest import run_cli
from tests.factories import ADMIN, row_counts
from tests.helpers import token_for

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids
SHEET = "xl/worksheets/sheet1.xml"
NAME = "建设项目临时用地审批"
EXCEPTION_NAME = re.compile(r"[A-Z][A-Za-z]*(Error|Exception)|Traceback")
#: The name as openpyxl writes it into the sheet: as character references.
NAME_XML = "".join(f"&#{ord(c)};" for c in NAME).encode()


def workbook(name: str = NAME) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["序号", "职权名称", "职权类别", "设定依据"])
    ws.append([1, name, "行政许可", "《中华人民共和国土地管理法》第五十七条"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, part: str, change: Callable[[bytes], bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """A copy of the package with `part` changed (added if it is not there) and `extra` members added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == part else content)
        if part not in names:
            target.writestr(part, change(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'))
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_dtd(subset: str, *, use: str = "") -> Callable[[bytes], bytes]:
    """A DOCTYPE before the root element, and `use` in place of the power's name."""

    def change(xml: bytes) -> bytes:
        declaration_end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        xml = xml[:declaration_end] + f"<!DOCTYPE root [{subset}]>".encode() + xml[declaration_end:]
        return xml.replace(NAME_XML, use.encode(), 1) if use else xml

    return change


def many_rows(rows: int) -> Callable[[bytes], bytes]:
    """The sheet's data as `rows` rows of distinct names (varied, so that it compresses like text)."""
    chance = random.Random(21)

    def change(xml: bytes) -> bytes:
        start, end = xml.index(b"<sheetData>") + len(b"<sheetData>"), xml.index(b"</sheetData>")
        head = xml[start:end].split(b"</row>")[0] + b"</row>"
        body = b"".join(
            f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}" t="inlineStr"><is><t>{NAME}{chance.randrange(10**9)}</t></is></c>'
            f'<c r="C{r}" t="inlineStr"><is><t>行政许可</t></is></c></row>'.encode()
            for r in range(2, rows + 2)
        )
        return xml[:start] + head + body + xml[end:].replace(b'<dimension ref="A1:D2"/>', b"")

    return change


def padding(megabytes: int, ratio: int) -> bytes:
    """`megabytes` MB that compress about `ratio` times: a random kilobyte in every `ratio` KB."""
    chance = random.Random(megabytes)
    block = b"\0" * ((ratio - 1) * 1024)
    return b"".join(chance.randbytes(1024) + block for _ in range(megabytes * 1024 // ratio))


#: name → (the file, the error code, words its message must hold)
HOSTILE: dict[str, tuple[Callable[[], bytes], str, tuple[str, ...]]] = {
    "internal entity in the sheet": (lambda: rewritten(workbook(), SHEET, with_dtd('<!ENTITY x "伪造的职权">', use="&x;")), "unsafe_xml", ("DTD", SHEET)),
    "external entity in the sheet": (lambda: rewritten(workbook(), SHEET, with_dtd('<!ENTITY x SYSTEM "file:///etc/passwd">', use="&x;")), "unsafe_xml", ("DTD",)),
    "billion laughs in the sheet": (lambda: rewritten(workbook(), SHEET, with_dtd('<!ENTITY a "aaaaaaaaaa">' + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True)), use="&i;")), "unsafe_xml", ("DTD",)),
    "DTD in sharedStrings": (lambda: rewritten(workbook(), "xl/sharedStrings.xml", with_dtd('<!ENTITY x "y">')), "unsafe_xml", ("xl/sharedStrings.xml",)),
    "DTD in the workbook": (lambda: rewritten(workbook(), "xl/workbook.xml", with_dtd("")), "unsafe_xml", ("xl/workbook.xml",)),
    "DTD in the styles": (lambda: rewritten(workbook(), "xl/styles.xml", with_dtd('<!ENTITY x "y">')), "unsafe_xml", ("xl/styles.xml",)),
    "undefined entity": (lambda: rewritten(workbook(), SHEET, lambda xml: xml.replace(NAME_XML, b"&nbsp;", 1)), "invalid", ("XML",)),
    "zip bomb": (lambda: rewritten(workbook(), SHEET, lambda xml: xml, {"xl/media/pad.xml": b" " * (64 << 20)}), "too_large", ("zip bomb",)),
    "unpacks past the bound": (lambda: rewritten(workbook(), SHEET, lambda xml: xml, {f"xl/media/pad{i}.bin": padding(52, 40) for i in (1, 2)}), "too_large", ("MB",)),
    "many rows, small": (lambda: rewritten(workbook(), SHEET, many_rows(ROW_LIMIT + 5000)), "invalid", ("sheet too large", "表格过大")),
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile() -> dict[str, bytes]:
    return {name: make() for name, (make, _, _) in HOSTILE.items()}


def test_the_hostile_files_are_what_they_claim(hostile: dict[str, bytes]) -> None:
    """Small uploads (the import takes 10 MB) that unpack large; a real sheet beneath the DTD."""
    for name, data in hostile.items():
        assert len(data) < 10 << 20, name
    unpacked = {name: sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist()) for name, data in hostile.items()}
    assert unpacked["zip bomb"] > 64 << 20 and unpacked["unpacks past the bound"] > 100 << 20
    assert unpacked["many rows, small"] > 3 << 20 and len(hostile["many rows, small"]) < 1 << 20


async def test_each_is_a_typed_error_on_file_and_writes_nothing(hostile: dict[str, bytes]) -> None:
    unit = await numbered_unit()
    before = await row_counts()
    for name, (_, code, words) in HOSTILE.items():
        for run in (lambda data: import_into_unit(ADMIN, unit.code, "清单.xlsx", data),
                    lambda data: import_reference(ADMIN, f"恶意{tag()}", "清单.xlsx", data)):  # fmt: skip
            with pytest.raises(ValidationFailed) as caught:
                await run(hostile[name])
            error = caught.value.errors[0]
            assert (error.field, error.code) == ("file", code), (name, error)
            assert all(word in error.message for word in words), (name, error.message)
            assert re.search(r"[\u4e00-\u9fff]", error.message) and re.search(r"\([a-z].*\)", error.message), error.message
            assert not EXCEPTION_NAME.search(error.message), error.message
    assert await row_counts() == before
    assert not await Power.filter(name="伪造的职权").exists()


async def test_the_cli_reports_each_without_a_traceback(database: str, hostile: dict[str, bytes], tmp_path) -> None:
    unit = await numbered_unit()
    before = await row_counts()
    for name in ("internal entity in the sheet", "external entity in the sheet", "undefined entity", "many rows, small"):
        path = tmp_path / "清单.xlsx"
        path.write_bytes(hostile[name])
        proc = run_cli("catalog", "import", str(path), "--unit", unit.code, db_url=database, check=False)
        assert proc.returncode == 1, (name, proc.stdout, proc.stderr)
        assert "error: file:" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout, (name, proc.stderr)
    assert await row_counts() == before


IMPORT = """
mutation Import($unit: ID!, $file: Upload!) {
  importCatalog(unitId: $unit, file: $file) {
    __typename
    ... on CatalogImportReport { created }
    ... on ValidationErrors { errors { field message code } }
  }
}
"""


async def test_the_api_answers_each_with_validation_errors(client: httpx.AsyncClient, hostile: dict[str, bytes]) -> None:
    unit = await numbered_unit()
    staff = await token_for(Role.UNIT_STAFF, unit)
    before = await row_counts()
    for name, (_, code, words) in HOSTILE.items():
        variables = {"unit": encode_id("Unit", unit.id)}
        answer = (await upload_sheet(client, IMPORT, variables, ("清单.xlsx", hostile[name]), staff))["importCatalog"]
        assert answer["__typename"] == "ValidationErrors", (name, answer)
        error = answer["errors"][0]
        assert (error["field"], error["code"]) == ("file", code) and all(w in error["message"] for w in words), (name, error)
    assert await row_counts() == before
    # the same workbook without the DTD is imported
    done = (await upload_sheet(client, IMPORT, {"unit": encode_id("Unit", unit.id)}, ("清单.xlsx", workbook(f"{NAME}{tag()}")), staff))
    assert done["importCatalog"] == {"__typename": "CatalogImportReport", "created": 1}
