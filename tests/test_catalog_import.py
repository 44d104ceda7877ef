"""`qingquan catalog import`: other systems' sheets in three real layouts, every row's fate, bases
linked to the library, dry runs and failed runs that write nothing, and the GraphQL upload."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from domain.catalog.importer import RowFate, import_into_unit
from domain.enums import PowerCategory, PowerStatus, Role
from domain.errors import PermissionDenied, ValidationFailed
from domain.models import Power, PowerBasis, Unit
from resolvers.ids import encode_id
from tests.catalog_sheets import daqing_csv, handan, numbered_unit, tag, upload_sheet, zhangjiagang
from tests.factories import ADMIN, make_power, row_counts, staff_of, unique
from tests.helpers import token_for

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids


async def bases_of(code: str) -> list[str]:
    power = await Power.get(code=code)
    rows = await PowerBasis.filter(power_id=power.id).select_related("article__document__work").order_by("ordinal")
    return [f"{b.article.document.work.key}:{b.article.number}" for b in rows]


def fates(result) -> dict[int, RowFate]:
    return {row.row: row.fate for row in result.rows}


async def test_zhangjiagang_sheet_title_rows_category_column_several_laws_per_cell(tmp_path: Path) -> None:
    unit = await numbered_unit()
    existing = await make_power(unit, name=f"对拒绝环保检查的处罚{unique('')}", code="")
    path = zhangjiagang(tmp_path / "张家港.xlsx", existing.name, tag())
    result = await import_into_unit(ADMIN, unit.code, path.name, path.read_bytes())
    assert result.headers["name"] == "权力名称" and result.headers["basis"] == "实施依据"
    assert result.headers["time_limit"] == "承诺时限" and result.headers["unit"] == "实施主体"
    # rows 1-3 are the title, the 填报单位 line and the header
    assert fates(result) == {
        4: RowFate.CREATED, 5: RowFate.CREATED, 6: RowFate.REFUSED, 7: RowFate.REFUSED,
        8: RowFate.REFUSED, 9: RowFate.MATCHED, 10: RowFate.CREATED,
    }  # fmt: skip
    by_row = {row.row: row for row in result.rows}
    assert "缺少职权名称" in by_row[6].reasons[0]
    assert "行政指导" in by_row[7].reasons[0]
    assert "第 4 行重名" in by_row[8].reasons[0]
    assert by_row[9].code == existing.code
    # several laws in one cell: each article its own basis, from the highest rank down
    licensing = await Power.get(code=by_row[4].code)
    assert licensing.status is PowerStatus.DRAFT and licensing.category is PowerCategory.LICENSING
    assert licensing.time_limit == "承诺10个工作日" and licensing.time_limit_days == 10
    assert await bases_of(licensing.code) == ["行政许可法:12", "行政许可法:14", "环境保护法:19"]
    # a law the library lacks: reported, and kept as text on the power
    assert by_row[5].unlinked == ["《江苏省太湖水污染防治条例》第三十条"]
    assert by_row[5].linked == ["《中华人民共和国行政处罚法》第八条"]
    penalty = await Power.get(code=by_row[5].code)
    assert "江苏省太湖水污染防治条例》第三十条" in penalty.description
    assert await bases_of(penalty.code) == ["行政处罚法:8"]
    levy = await Power.get(code=by_row[10].code)
    assert levy.category is PowerCategory.LEVY and levy.time_limit_days == 0  # 即办
    assert levy.code.startswith(f"{unit.code}ZS-")


async def test_handan_sheet_two_level_merged_header_and_category_headings(tmp_path: Path) -> None:
    unit = await numbered_unit("测试国土资源局")
    path = handan(tmp_path / "邯郸.xlsx", tag())
    result = await import_into_unit(ADMIN, unit.code, path.name, path.read_bytes())
    assert result.headers == {"name": "事项名称", "basis": "设定依据", "unit": "实施机关", "time_limit": "办理时限", "fee_standard": "收费标准"}
    # the heading rows (4 and 7) are not rows of their own: they give the category of those below
    assert fates(result) == {5: RowFate.CREATED, 6: RowFate.CREATED, 8: RowFate.CREATED}
    by_row = {row.row: row for row in result.rows}
    temporary, mining, penalty = [await Power.get(code=by_row[n].code) for n in (5, 6, 8)]
    assert (temporary.category, mining.category, penalty.category) == (
        PowerCategory.LICENSING, PowerCategory.LICENSING, PowerCategory.PENALTY,
    )
    assert await bases_of(temporary.code) == ["土地管理法:57"]
    assert await bases_of(mining.code) == ["矿产资源法:3", "矿产资源法:15"]
    assert mining.time_limit_days == 40 and mining.fee_standard == "按规定收费"
    assert await bases_of(penalty.code) == ["土地管理法:77"]


async def test_daqing_csv_near_spellings_and_a_users_mapping(tmp_path: Path) -> None:
    unit = await numbered_unit("测试卫生局")
    path = daqing_csv(tmp_path / "大庆.csv", tag())
    result = await import_into_unit(ADMIN, unit.code, path.name, path.read_bytes(), mapping={"责任科室": "unit"})
    assert result.headers["name"] == "权利名称"  # 权力名称, misspelt
    assert result.headers["basis"] == "法律依据(条款)" and result.headers["time_limit"] == "办理时限（工作日）"
    assert result.headers["unit"] == "责任科室" and result.unknown_headers == []
    assert fates(result) == {2: RowFate.CREATED, 3: RowFate.CREATED, 4: RowFate.CREATED, 5: RowFate.REFUSED}
    by_row = {row.row: row for row in result.rows}
    assert by_row[2].unlinked == ["《公共场所卫生管理条例》第八条"]
    assert await bases_of(by_row[4].code) == ["食品安全法:110"]
    categories = [(await Power.get(code=by_row[n].code)).category for n in (2, 3, 4)]
    assert categories == [PowerCategory.LICENSING, PowerCategory.PENALTY, PowerCategory.INSPECTION]
    # the foreign codes (DQ-001) are not of this unit's range: new ones were given
    assert all(by_row[n].code.startswith(unit.code) for n in (2, 3, 4))


async def test_a_dry_run_reports_every_row_and_writes_nothing(tmp_path: Path) -> None:
    unit = await numbered_unit()
    path = handan(tmp_path / "邯郸.xlsx", tag())
    before = await row_counts()
    result = await import_into_unit(ADMIN, unit.code, path.name, path.read_bytes(), dry_run=True)
    assert result.dry_run and result.count(RowFate.CREATED) == 3
    assert await row_counts() == before
    assert not await Power.filter(unit_id=unit.id).exists()


async def test_bad_files_and_strangers_are_typed_errors_that_write_nothing(tmp_path: Path) -> None:
    unit = await numbered_unit()
    other = await numbered_unit("别的单位")
    good = handan(tmp_path / "邯郸.xlsx", tag()).read_bytes()
    before = await row_counts()
    for filename, data in (("x.xlsx", b"PK\x03\x04 not really a zip"), ("x.csv", "名称随便\n1,2\n".encode()),
                           ("x.xlsx", b"")):  # fmt: skip
        with pytest.raises(ValidationFailed) as caught:
            await import_into_unit(ADMIN, unit.code, filename, data)
        assert caught.value.errors[0].field == "file"
    with pytest.raises(PermissionDenied):
        await import_into_unit(await staff_of(other), unit.code, "邯郸.xlsx", good)
    with pytest.raises(ValidationFailed):
        await import_into_unit(ADMIN, unit.code, "邯郸.xlsx", good, mapping={"事项名称": "no_such_column"})
    assert await row_counts() == before


IMPORT = """
mutation Import($unit: ID!, $file: Upload!, $dryRun: Boolean!) {
  importCatalog(unitId: $unit, file: $file, dryRun: $dryRun) {
    __typename
    ... on CatalogImportReport { created matched refused dryRun rows { row fate name code reasons linked unlinked } }
    ... on PermissionDeniedError { message }
    ... on ValidationErrors { errors { field message } }
  }
}
"""


async def upload(client: httpx.AsyncClient, unit: Unit, sheet: tuple[str, bytes], token: str | None, dry_run: bool = False) -> dict:
    variables = {"unit": encode_id("Unit", unit.id), "dryRun": dry_run}
    return (await upload_sheet(client, IMPORT, variables, sheet, token))["importCatalog"]


async def test_import_through_graphql_by_the_units_staff_only(client: httpx.AsyncClient, tmp_path: Path) -> None:
    unit = await numbered_unit()
    other = await numbered_unit("别的单位")
    path = handan(tmp_path / "邯郸.xlsx", tag())
    sheet = (path.name, path.read_bytes())
    assert (await upload(client, unit, sheet, None))["__typename"] == "PermissionDeniedError"
    assert (await upload(client, unit, sheet, await token_for(Role.UNIT_STAFF, other)))["__typename"] == "PermissionDeniedError"
    staff = await token_for(Role.UNIT_STAFF, unit)
    dry = await upload(client, unit, sheet, staff, dry_run=True)
    assert dry["dryRun"] and dry["created"] == 3 and not await Power.filter(unit_id=unit.id).exists()
    done = await upload(client, unit, sheet, staff)
    assert [r["fate"] for r in done["rows"]] == ["CREATED"] * 3
    assert await Power.filter(unit_id=unit.id, status=PowerStatus.DRAFT).count() == 3
    again = await upload(client, unit, sheet, staff)
    assert [r["fate"] for r in again["rows"]] == ["MATCHED"] * 3
