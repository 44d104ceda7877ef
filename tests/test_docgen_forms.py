"""The Word filings of the demo county, read back: 公文 page setup (GB/T 9704-2012), East Asian
fonts on every run and style, header rows repeated, rows never split, one row per power shown."""

from __future__ import annotations

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docgen.filing import build_filing
from docgen.forms import FilingForm
from domain import models as m
from domain.access import unit_subtree_ids
from domain.enums import PowerStatus
from tests.docx_checks import (
    CODE,
    all_text,
    data_rows,
    east_asian_font,
    open_docx,
    row_flags,
    runs_without_east_asia,
    styles_without_east_asia,
)
from tests.factories import ADMIN, make_power, make_unit

pytestmark = pytest.mark.usefixtures("demo")

LAND_BUREAU = "36072308"  # 大余县国土资源局: 28 powers, one of them confidential
TABLE_FORMS = [FilingForm.REGISTRATION, FilingForm.CATALOG, FilingForm.CONFIDENTIAL, FilingForm.OPERATION_RECORDS]
PORTRAIT_FORMS = [FilingForm.FLOW_CHARTS, FilingForm.COVER_NOTE]


def close(length: int, mm: float) -> bool:
    return abs(length - Mm(mm)) <= Mm(0.5)


async def land_bureau() -> m.Unit:
    return await m.Unit.get(code=LAND_BUREAU)


async def filing_of(form: FilingForm, power_code: str | None = None):  # type: ignore[no-untyped-def]
    unit = await land_bureau()
    power = await m.Power.get(code=power_code) if power_code else None
    return await build_filing(ADMIN, unit.id, form, power.id if power else None)


@pytest.mark.parametrize("form", TABLE_FORMS)
async def test_wide_forms_are_landscape_with_the_text_block_turned(form: FilingForm) -> None:
    section = open_docx(await filing_of(form)).sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert close(section.page_width, 297) and close(section.page_height, 210)
    assert close(section.page_width - section.left_margin - section.right_margin, 225)
    assert close(section.page_height - section.top_margin - section.bottom_margin, 156)


@pytest.mark.parametrize("form", PORTRAIT_FORMS)
async def test_portrait_forms_have_the_official_margins(form: FilingForm) -> None:
    section = open_docx(await filing_of(form)).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert close(section.page_width, 210) and close(section.page_height, 297)
    assert close(section.top_margin, 37) and close(section.left_margin, 28)
    assert close(section.page_width - section.left_margin - section.right_margin, 156)
    assert close(section.page_height - section.top_margin - section.bottom_margin, 225)


@pytest.mark.parametrize("form", TABLE_FORMS + PORTRAIT_FORMS)
async def test_every_run_and_style_names_its_east_asian_font(form: FilingForm) -> None:
    doc = open_docx(await filing_of(form))
    assert runs_without_east_asia(doc) == []
    assert styles_without_east_asia(doc) == []


async def test_title_is_fangzheng_xiaobiaosong_2hao_and_body_fangsong_3hao() -> None:
    doc = open_docx(await filing_of(FilingForm.COVER_NOTE))
    title = doc.paragraphs[0]
    assert title.text == "大余县国土资源局关于清权确权工作开展情况的报告"
    assert east_asian_font(title.style) == "方正小标宋简体" and title.style.font.size == Pt(22)
    body = next(p for p in doc.paragraphs if p.text.startswith("一、清理登记情况"))
    assert east_asian_font(body.style) == "仿宋_GB2312" and body.style.font.size == Pt(16)
    assert east_asian_font(doc.styles["Normal"]) == "仿宋_GB2312"


async def test_page_numbers_are_a_page_field_between_dashes_in_4hao_songti() -> None:
    doc = open_docx(await filing_of(FilingForm.CATALOG))
    for footer in (doc.sections[0].footer, doc.sections[0].even_page_footer):
        paragraph = footer.paragraphs[0]
        assert [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert {r.font.size for r in paragraph.runs} == {Pt(14)}
        assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs} == {"宋体"}
    assert doc.settings.odd_and_even_pages_header_footer


@pytest.mark.parametrize("form", TABLE_FORMS)
async def test_header_row_repeats_on_every_page_and_no_row_splits(form: FilingForm) -> None:
    table = open_docx(await filing_of(form)).tables[0]
    flags = row_flags(table)
    assert flags[0] == (True, True)
    assert all(cant_split for _, cant_split in flags)
    assert not any(header for header, _ in flags[1:])
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    assert layout is not None and layout.get(qn("w:type")) == "fixed"  # long cells wrap


async def test_catalog_lists_each_approved_public_power_once_grouped_by_category() -> None:
    unit = await land_bureau()
    expected = await m.Power.filter(
        unit_id__in=await unit_subtree_ids(unit.id),
        status__in=[PowerStatus.APPROVED, PowerStatus.PUBLISHED],
        confidential=False,
    ).values_list("code", flat=True)
    filing = await filing_of(FilingForm.CATALOG)
    rows = data_rows(open_docx(filing).tables[0])
    assert sorted(r[1] for r in rows) == sorted(expected)
    assert filing.rows == len(rows) == len(expected)
    assert "一、行政许可" in all_text(open_docx(filing))


async def test_registration_lists_every_power_with_its_basis_and_reason_for_secrecy() -> None:
    unit = await land_bureau()
    powers = await m.Power.filter(unit_id__in=await unit_subtree_ids(unit.id))
    rows = data_rows(open_docx(await filing_of(FilingForm.REGISTRATION)).tables[0])
    assert len(rows) == len(powers)
    secret = next(p for p in powers if p.confidential)
    row = next(r for r in rows if r[1] == secret.code)
    assert secret.confidentiality_reason in row[-1]
    assert all(CODE.match(r[1]) for r in rows)
    assert any("《中华人民共和国土地管理法》第" in r[5] for r in rows)  # basis with article label and text


async def test_confidential_list_holds_only_confidential_powers() -> None:
    unit = await land_bureau()
    expected = await m.Power.filter(unit_id__in=await unit_subtree_ids(unit.id), confidential=True).values_list("code", flat=True)
    rows = data_rows(open_docx(await filing_of(FilingForm.CONFIDENTIAL)).tables[0])
    assert [r[1] for r in rows] == sorted(expected)


async def test_operation_records_one_row_per_record() -> None:
    unit = await land_bureau()
    count = await m.OperationRecord.filter(power__unit_id__in=sorted(await unit_subtree_ids(unit.id))).count()
    rows = data_rows(open_docx(await filing_of(FilingForm.OPERATION_RECORDS)).tables[0])
    assert len(rows) == count > 0


async def test_flow_chart_shows_branches_posts_time_limits_supervision_and_complaints() -> None:
    power = await m.Power.filter(unit__code=LAND_BUREAU, category="LICENSING", status=PowerStatus.PUBLISHED).first()
    assert power is not None
    doc = open_docx(await filing_of(FilingForm.FLOW_CHARTS, power.code))
    chart = await m.FlowChart.get(power_id=power.id)
    steps = await m.FlowStep.filter(chart_id=chart.id).select_related("position")
    text = all_text(doc)
    assert chart.title in text and chart.complaint_channel in text
    for step in steps:
        assert step.name in text
        if step.position:
            assert step.position.name in text
    assert "办理时限：" in text and "监督制约：" in text and "↓" in text
    table = doc.tables[0]
    branch_rows = [tr for tr in table._tbl.tr_lst if sum(1 for tc in tr.tc_lst if "".join(t.text for t in tc.iter(qn("w:t"))).strip()) == 2]
    assert branch_rows, "a DECISION's two branches sit side by side in one row"
    assert all(cant_split for _, cant_split in row_flags(table))


async def test_flow_charts_of_a_unit_one_per_catalogue_power_each_on_its_own_page() -> None:
    filing = await filing_of(FilingForm.FLOW_CHARTS)
    doc = open_docx(filing)
    assert len(doc.tables) == filing.rows > 1
    breaks = doc.element.body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    assert len(breaks) == filing.rows - 1


async def test_text_with_markup_characters_is_escaped_not_interpreted() -> None:
    unit = await make_unit(name="测试<单位>&")
    name = '对"违反<测试>&规定"行为的处罚{{ x }}{% if %}'
    power = await make_power(unit, name=name)
    filing = await build_filing(ADMIN, unit.id, FilingForm.REGISTRATION, power.id)
    rows = data_rows(open_docx(filing).tables[0])
    assert rows[0][2] == name
    assert "测试<单位>&" in all_text(open_docx(filing))
