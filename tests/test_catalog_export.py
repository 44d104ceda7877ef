"""`qingquan catalog export` and `exportCatalog`: the sheet read back with openpyxl, the PUBLIC version
one flag away and without a hidden power, and export → import into another unit reproducing the powers."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from domain.access import PUBLIC, unit_subtree_ids
from domain.catalog.citations import link_citations, parse_citations
from domain.catalog.export import ExportFormat, catalog_export, write
from domain.catalog.importer import RowFate, import_into_unit
from domain.enums import DisclosureTiming, PowerCategory, PowerStatus, Role
from domain.models import Power, PowerBasis, Unit
from domain.services.bases import BasisData, create_basis
from resolvers.ids import encode_id
from tests.catalog_sheets import numbered_unit
from tests.conftest import run_cli
from tests.factories import ADMIN, make_power, power_name
from tests.helpers import gql_data, token_for
from tests.workflow_factories import based_power, published_power

pytestmark = pytest.mark.usefixtures("demo")  # the demo first: its powers keep the lowest ids
NOW = datetime(2026, 11, 29, 10, 0).astimezone()


async def catalogue() -> tuple[Unit, Power, Power, Power]:
    """A unit with a published power, a plain draft citing two laws, and in its office (科室) a
    confidential draft. (The confidential one sits in the office so that the unit's own public
    filings, which name its published power, are not among those tests/test_docgen_access.py
    searches for the names of hidden powers: the copies these tests import elsewhere are hidden.)"""
    unit = await numbered_unit("测试市场监督管理局")
    office = await numbered_unit("保密科", unit)
    published = await published_power(
        unit, name=power_name("食品经营许可"), category=PowerCategory.LICENSING, code="",
        time_limit="自受理之日起20个工作日", time_limit_days=20, fee_basis="不收费", fee_standard="无",
        disclosure_timing=DisclosureTiming.TIMELY, disclosure_deadline="作出决定之日起7个工作日内", description="含网络食品经营",
    )  # fmt: skip
    secret = await based_power(
        office, name=power_name("涉密食品安全事件调查"), category=PowerCategory.INSPECTION, code="",
        confidential=True, confidentiality_reason="涉及国家秘密", confidentiality_basis="《保守国家秘密法》第九条",
    )  # fmt: skip
    draft = await based_power(unit, name=power_name("对无证经营食品的处罚"), category=PowerCategory.PENALTY, code="")
    licensing_law = await link_citations(parse_citations("《中华人民共和国行政许可法》第十二条"))
    await create_basis(ADMIN, BasisData(power_id=draft.id, article_id=next(iter(licensing_law.values())).id))
    return unit, published, secret, draft


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


async def basis_keys(power: Power) -> list[str]:
    rows = await PowerBasis.filter(power_id=power.id).select_related("article__document__work").order_by("ordinal")
    return [f"{b.article.document.work.key}:{b.article.number}" for b in rows]


async def test_the_staff_sheet_has_every_power_and_reads_back() -> None:
    unit, published, secret, draft = await catalogue()
    content = write(await catalog_export(ADMIN, unit, generated_at=NOW), ExportFormat.XLSX)
    rows = sheet_rows(content)
    assert rows[0][0] == "测试市场监督管理局行政权力清单（系统管理员版）"
    assert rows[1][:8] == ("序号", "职权编码", "职权名称", "职权类别", "行使方式", "实施主体", "设定依据", "办理时限")
    by_code = {row[1]: row for row in rows[2:]}
    assert set(by_code) == {published.code, secret.code, draft.code}
    row = by_code[published.code]
    assert row[2] == published.name and row[3] == "行政许可" and row[7] == "自受理之日起20个工作日"
    assert row[13] == "否" and row[15] == "公开运行"
    assert by_code[secret.code][13] == "是"
    assert by_code[draft.code][6].endswith("\n《中华人民共和国行政许可法》第十二条")
    meta = dict(load_workbook(io.BytesIO(content))["说明"].iter_rows(values_only=True))
    assert meta["角色"] == "ADMIN（系统管理员）" and meta["公开版"].startswith("否")
    # other programs filter it, and it prints as a clerk files it: A4 landscape, one page wide, the header on every page
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    assert ws.auto_filter.ref == f"A2:P{len(rows)}"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)  # 9: A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True)
    assert ws.print_title_rows == "$1:$2"


async def test_control_characters_in_a_name_are_left_out_of_the_xlsx() -> None:
    """A name pasted with a stray bell or unit separator: openpyxl raised IllegalCharacterError on it."""
    unit = await numbered_unit("测试单位")
    odd = await make_power(unit, name=power_name("土地\x07登记\x1f审核"), description="第一行\n第二行\x0b")
    content = write(await catalog_export(ADMIN, unit, generated_at=NOW), ExportFormat.XLSX)
    (row,) = sheet_rows(content)[2:]
    assert row[1] == odd.code and row[2] == odd.name.replace("\x07", "").replace("\x1f", "") and row[14] == "第一行\n第二行"


async def test_the_public_version_is_marked_and_holds_no_hidden_power() -> None:
    unit, published, secret, draft = await catalogue()
    export = await catalog_export(PUBLIC, unit, generated_at=NOW)
    assert [r.code for r in export.rows] == [published.code]
    for fmt in ExportFormat:
        content = write(export, fmt)
        text = content.decode("utf-8-sig") if fmt is not ExportFormat.XLSX else repr(sheet_rows(content))
        assert published.name in text
        assert ("公开版" in text) is (fmt is not ExportFormat.CSV)  # a CSV starts with its header (the title is the xlsx's)
        for hidden in (secret, draft):
            assert hidden.code not in text and hidden.name not in text
    document = json.loads(write(export, ExportFormat.JSON))
    assert document["public"] is True and document["role"] == "PUBLIC" and document["count"] == 1


async def test_export_then_import_into_another_unit_reproduces_the_powers() -> None:
    unit, *_ = await catalogue()
    target = await numbered_unit("另一测试单位")
    content = write(await catalog_export(ADMIN, unit, generated_at=NOW), ExportFormat.XLSX)
    result = await import_into_unit(ADMIN, target.code, "export.xlsx", content)
    assert [r.fate for r in result.rows] == [RowFate.CREATED] * 3
    assert all(not r.unlinked for r in result.rows)
    originals = {p.name: p for p in await Power.filter(unit_id__in=sorted(await unit_subtree_ids(unit.id)))}
    copies = await Power.filter(unit_id=target.id)
    assert {p.name for p in copies} == set(originals)
    for copy in copies:
        original = originals[copy.name]
        assert copy.status is PowerStatus.DRAFT and copy.code.startswith(target.code)
        for name in ("category", "exercise_mode", "confidential", "disclosure_scope", "disclosure_form", "disclosure_timing",
                     "disclosure_deadline", "description", "fee_basis", "fee_standard", "time_limit", "time_limit_days"):  # fmt: skip
            assert getattr(copy, name) == getattr(original, name), name
        assert await basis_keys(copy) == await basis_keys(original)


async def test_csv_export_round_trips_too() -> None:
    unit, *_ = await catalogue()
    target = await numbered_unit("另一测试单位")
    content = write(await catalog_export(ADMIN, unit, generated_at=NOW), ExportFormat.CSV)
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))  # the first line: other programs read it so
    assert header[:3] == ["序号", "职权编码", "职权名称"]
    result = await import_into_unit(ADMIN, target.code, "export.csv", content)
    assert result.count(RowFate.CREATED) == 3


async def test_cli_export_as_public_and_import_changes(database: str, tmp_path: Path) -> None:
    unit, published, secret, draft = await catalogue()
    public = tmp_path / "public.xlsx"
    proc = run_cli("catalog", "export", "--unit", unit.code, "--format", "xlsx", "-o", str(public), "--role", "PUBLIC", db_url=database)
    assert proc.stdout.strip().splitlines()[-1] == str(public)
    assert "（公开版）: 1 powers" in proc.stderr
    codes = [row[1] for row in sheet_rows(public.read_bytes())[2:]]
    assert codes == [published.code]
    full = tmp_path / "full.json"
    run_cli("catalog", "export", "--unit", unit.code, "-f", "json", "-o", str(full), db_url=database)
    assert {p["code"] for p in json.loads(full.read_text())["powers"]} == {published.code, secret.code, draft.code}
    sheet = tmp_path / "full.xlsx"
    run_cli("catalog", "export", "--unit", unit.code, "-o", str(sheet), db_url=database)
    # a clerk renames the draft in the sheet and adds a row
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    next(row for row in ws.iter_rows(min_row=3) if row[1].value == draft.code)[2].value = renamed = power_name("对无证经营食品的行政处罚")
    ws.append([4, "", added := power_name("食品小作坊登记"), "行政许可", "专门职权", unit.name, "", "5个工作日"])
    book.save(sheet)
    report = tmp_path / "report.json"
    proc = run_cli("catalog", "import", str(sheet), "--unit", unit.code, "--dry-run", "--report", str(report), db_url=database)
    assert "created=1 matched=2 changed=1 refused=0" in proc.stderr
    assert f"职权名称：「{draft.name}」→「{renamed}」" in proc.stderr and "--apply-changes applies them" in proc.stderr
    written = json.loads(report.read_text())
    assert written["counts"] == {"CREATED": 1, "MATCHED": 2, "CHANGED": 1, "REFUSED": 0} and not written["written"]
    assert not await Power.filter(name__in=[renamed, added]).exists()
    proc = run_cli("catalog", "import", str(sheet), "--unit", unit.code, "--apply-changes", "--all-or-nothing", "--json", db_url=database)
    done = json.loads(proc.stdout)
    (changed,) = [row for row in done["rows"] if row["fate"] == "CHANGED"]
    assert changed["changes"] == [{"field": "name", "label": "职权名称", "old": draft.name, "new": renamed}]
    assert changed["applied"] == "EDIT" and done["written"] and done["applyChanges"] and done["allOrNothing"]
    assert (await Power.get(id=draft.id)).name == renamed and await Power.exists(name=added, unit_id=unit.id)


EXPORT = """
mutation Export($unit: ID!, $format: CatalogFormat!) {
  exportCatalog(unitId: $unit, format: $format) { __typename ... on DownloadLink { url expiresAt } ... on NotFoundError { message } }
}
"""


async def download(client: httpx.AsyncClient, unit: Unit, token: str | None, fmt: str = "JSON") -> dict:
    link = (await gql_data(client, EXPORT, {"unit": encode_id("Unit", unit.id), "format": fmt}, token))["exportCatalog"]
    response = await client.get(link["url"])
    assert response.status_code == 200, response.text
    return json.loads(response.content) if fmt == "JSON" else {"content": response.content}


async def test_export_through_the_api_as_the_public_another_unit_and_the_unit(client: httpx.AsyncClient) -> None:
    unit, published, secret, draft = await catalogue()
    other = await numbered_unit("别的单位")
    public = await download(client, unit, None)
    stranger = await download(client, unit, await token_for(Role.UNIT_STAFF, other))
    own = await download(client, unit, await token_for(Role.UNIT_STAFF, unit))
    assert [p["code"] for p in public["powers"]] == [published.code] and public["public"]
    assert [p["code"] for p in stranger["powers"]] == [published.code] and stranger["role"] == "UNIT_STAFF"
    assert {p["code"] for p in own["powers"]} == {published.code, secret.code, draft.code}
    xlsx = (await download(client, unit, None, "XLSX"))["content"]
    assert [row[1] for row in sheet_rows(xlsx)[2:]] == [published.code]
    forged = await client.get("/catalog/downloads/eyJrIjoicGFja2FnZSJ9.bad")
    assert forged.status_code == 404
    missing = await gql_data(client, EXPORT, {"unit": encode_id("Unit", 10**8), "format": "CSV"})
    assert missing["exportCatalog"]["__typename"] == "NotFoundError"


async def test_an_article_with_a_sub_number_keeps_its_label_both_ways() -> None:
    """第一百三十三条之一 is not 第一百三十三条: read, linked and written back as itself."""
    cited = parse_citations("《中华人民共和国刑法》第一百三十三条之一、第133条；《道路交通安全法》第九十一条")
    assert [str(c) for c in cited] == [
        "《中华人民共和国刑法》第一百三十三条之一", "《中华人民共和国刑法》第一百三十三条", "《道路交通安全法》第九十一条",
    ]  # fmt: skip
    linked = await link_citations(cited)
    drunk = linked.get(cited[0].key)
    if drunk is None:
        pytest.skip("the packaged library holds no 刑法 第一百三十三条之一")
    assert drunk.label == "第一百三十三条之一" and linked[cited[1].key].label == "第一百三十三条"
