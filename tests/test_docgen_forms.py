"""The Word filings of the demo county, read back: 公文 page setup (GB/T 9704-2012), East Asian
fonts on every run and style, zh-CN, 附件 labels, header rows repeated, category headings kept with
their first row, one row per power shown, charts as pictures with their text, the 一件."""

from __future__ import annotations

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from docgen.chart_docx import add_chart
from docgen.chart_picture import cjk_fonts
from docgen.data import charts_for
from docgen.filing import Filing, build_filing
from docgen.forms import SPECS, FilingForm
from domain import models as m
from domain.access import unit_subtree_ids
from domain.enums import PowerStatus
from tests.docx_checks import (
    CODE,
    all_text,
    alt_texts,
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
PORTRAIT_FORMS = [FilingForm.FLOW_CHARTS, FilingForm.COVER_NOTE, FilingForm.LEGAL_TEXTS]
needs_cjk_font = pytest.mark.skipif(not cjk_fonts(), reason="no CJK font installed (fonts-noto-cjk): charts are drawn as tables")


def close(length: int, mm: float) -> bool:
    return abs(length - Mm(mm)) <= Mm(0.5)


async def land_bureau() -> m.Unit:
    return await m.Unit.get(code=LAND_BUREAU)


_books: dict[str, Filing] = {}


async def filing_of(form: FilingForm, power_code: str | None = None):  # type: ignore[no-untyped-def]
    """The 国土资源局's filing as ADMIN; its chart book (seconds of rasterising: 43 pages) made once for the module."""
    unit = await land_bureau()
    if form is FilingForm.FLOW_CHARTS and power_code is None:
        if "book" not in _books:  # the demo's powers and charts are not changed by these tests
            _books["book"] = await build_filing(ADMIN, unit.id, form)
        return _books["book"]
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


async def test_cover_note_counts_the_total_and_the_drafts_in_different_words() -> None:
    texts = [p.text for p in open_docx(await filing_of(FilingForm.COVER_NOTE)).paragraphs]
    first = next(t for t in texts if t.startswith("一、清理登记情况"))
    second = next(t for t in texts if t.startswith("二、审核确认情况"))
    assert "共清理登记行政权力" in first and "清理登记" not in second, second  # not "清理登记1项" for the drafts


async def test_page_numbers_are_a_page_field_between_dashes_in_4hao_songti() -> None:
    doc = open_docx(await filing_of(FilingForm.CATALOG))
    for footer in (doc.sections[0].footer, doc.sections[0].even_page_footer):
        paragraph = footer.paragraphs[0]
        assert [i.text.strip() for i in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert {r.font.size for r in paragraph.runs} == {Pt(14)}
        assert {r._r.rPr.rFonts.get(qn("w:eastAsia")) for r in paragraph.runs} == {"宋体"}
        assert {r._r.rPr.rFonts.get(qn("w:ascii")) for r in paragraph.runs} == {"宋体"}, "the digits too"
    assert doc.settings.odd_and_even_pages_header_footer


@pytest.mark.parametrize("form", TABLE_FORMS + PORTRAIT_FORMS)
async def test_east_asian_language_is_simplified_chinese(form: FilingForm) -> None:
    doc = open_docx(await filing_of(form))
    lang = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines


@pytest.mark.parametrize(
    ("form", "label"),
    [(FilingForm.REGISTRATION, "附3、4"), (FilingForm.CATALOG, "附5"), (FilingForm.CONFIDENTIAL, "附6"),
     (FilingForm.OPERATION_RECORDS, "附7"), (FilingForm.FLOW_CHARTS, "一图"), (FilingForm.LEGAL_TEXTS, "一件")],
)  # fmt: skip
async def test_each_form_carries_the_plans_label_top_left(form: FilingForm, label: str) -> None:
    filing = await filing_of(form)
    first = open_docx(filing).paragraphs[0]
    assert first.text == label and east_asian_font(first.style) == "黑体"
    note = all_text(open_docx(await filing_of(FilingForm.COVER_NOTE)))
    assert f"{label}　{SPECS[form].title}" in note  # the covering note lists it under the same label
    assert filing.filename == f"大余县国土资源局{SPECS[form].title}({label}).docx"  # NFKC: （） are ( )


async def test_cover_note_lists_attachments_aligned_after_a_blank_line_and_keeps_the_signature_together() -> None:
    doc = open_docx(await filing_of(FilingForm.COVER_NOTE))
    texts = [p.text for p in doc.paragraphs]
    first = texts.index("附件：附3、4　行政权力清理汇总登记表")
    assert texts[first - 1] == ""
    assert texts[first + 1] == "　　　附5　行政权力目录表"  # under the first name: 附件： is three characters
    signature = [p for p in doc.paragraphs if p.text in ("大余县国土资源局",)][-1]
    assert signature.paragraph_format.keep_with_next


@pytest.mark.parametrize("form", TABLE_FORMS)
async def test_header_row_repeats_on_every_page_and_rows_stay_whole(form: FilingForm) -> None:
    table = open_docx(await filing_of(form)).tables[0]
    flags = row_flags(table)
    assert flags[0] == (True, True)
    assert not any(header for header, _ in flags[1:])
    items = [i for i, tr in enumerate(table._tbl.tr_lst) if len(tr.tc_lst) > 1][1:]
    assert items and all(flags[i][1] for i in items), "a row shorter than a page never breaks (its tail would lack its 序号)"
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    assert layout is not None and layout.get(qn("w:type")) == "fixed"  # long cells wrap


async def test_a_category_heading_keeps_with_its_first_row() -> None:
    table = open_docx(await filing_of(FilingForm.CATALOG)).tables[0]
    headings = [tr for tr in table._tbl.tr_lst if len(tr.tc_lst) == 1]
    assert len(headings) >= 2
    for tr in headings:
        assert tr.trPr.find(qn("w:cantSplit")) is not None
        assert all(p.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None for p in tr.iter(qn("w:p")))


async def test_catalogue_cites_articles_and_prints_no_fee_plainly() -> None:
    rows = data_rows(open_docx(await filing_of(FilingForm.CATALOG)).tables[0])
    basis = next(r[3] for r in rows if r[1] == "36072308XK-0001")
    assert basis == "《中华人民共和国土地管理法》第五十七条"  # the article's text is the 一件's
    fees = [r[8] for r in rows]
    assert "不收费" in fees and not any("依据：不收费" in f or "标准：无" in f for f in fees)


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


@needs_cjk_font
async def test_flow_chart_is_a_picture_whose_alt_text_holds_steps_posts_limits_and_branches() -> None:
    power = await m.Power.filter(unit__code=LAND_BUREAU, category="LICENSING", status=PowerStatus.PUBLISHED).first()
    assert power is not None
    doc = open_docx(await filing_of(FilingForm.FLOW_CHARTS, power.code))
    chart = await m.FlowChart.get(power_id=power.id)
    steps = await m.FlowStep.filter(chart_id=chart.id).select_related("position")
    alt = alt_texts(doc)[0]  # the whole chart's text, on its first picture (a long chart continues on more)
    assert chart.title in alt
    for step in steps:
        assert step.name in alt
        if step.position:
            assert step.position.name in alt
    assert "办理时限：" in alt and "监督制约：" in alt and "→" in alt
    assert chart.complaint_channel in all_text(doc)  # printed as text under the picture
    for picture in doc.inline_shapes:
        assert picture.width <= Mm(156) and picture.height <= Mm(200)


async def test_without_a_cjk_font_a_chart_is_drawn_as_a_table_of_boxes() -> None:
    power = await m.Power.filter(unit__code=LAND_BUREAU, category="LICENSING", status=PowerStatus.PUBLISHED).first()
    assert power is not None
    chart = (await charts_for([power.id]))[power.id]
    doc = open_docx(await filing_of(FilingForm.COVER_NOTE))
    add_chart(doc, chart, "职权编码", new_page=True, as_picture=False)
    table = doc.tables[-1]
    text = all_text(doc)
    assert all(step.name in text for step in chart.steps) and "↓" in text
    branch_rows = [tr for tr in table._tbl.tr_lst if sum(1 for tc in tr.tc_lst if "".join(t.text for t in tc.iter(qn("w:t"))).strip()) == 2]
    assert branch_rows, "a DECISION's two branches sit side by side in one row"


async def test_chart_book_has_a_page_for_every_catalogue_power_after_its_cover() -> None:
    unit = await land_bureau()
    listed = await m.Power.filter(
        unit_id__in=await unit_subtree_ids(unit.id), status__in=[PowerStatus.APPROVED, PowerStatus.PUBLISHED], confidential=False
    ).count()
    filing = await filing_of(FilingForm.FLOW_CHARTS)
    doc = open_docx(filing)
    assert filing.rows == listed and filing.missing == ()
    assert f"共{listed}项职权，流程图{listed}幅。" in all_text(doc)
    titles = [p.text for p in doc.paragraphs if p.paragraph_format.page_break_before]
    first_pages = [t for t in titles if not t.endswith("（续）")]  # a chart too long for a page continues on the next
    assert len(first_pages) == listed, "each chart starts a page of its own, after the cover"
    assert all(t.removesuffix("（续）") in first_pages for t in titles)


async def test_chart_book_reports_an_approved_power_without_a_chart_never_skips_it() -> None:
    unit = await make_unit(name="测试流程图单位")
    charted = await m.Power.filter(unit__code=LAND_BUREAU, status=PowerStatus.PUBLISHED, confidential=False).first()
    without = await make_power(unit)
    await m.Power.filter(id=without.id).update(status=PowerStatus.APPROVED)  # approved, its chart not drawn yet
    filing = await build_filing(ADMIN, unit.id, FilingForm.FLOW_CHARTS)
    text = all_text(open_docx(filing))
    assert filing.rows == 1 and filing.missing == (f"{without.code}　{without.name}",)
    assert "共1项职权，流程图0幅，缺1幅" in text and without.code in text and without.name in text
    assert charted is not None and charted.code not in text


async def test_legal_texts_print_each_cited_article_in_full_by_document_and_rank() -> None:
    unit = await land_bureau()
    bases = await m.PowerBasis.filter(
        power__unit_id__in=sorted(await unit_subtree_ids(unit.id)), power__status__not_in=["ABOLISHED", "REMOVED"]
    ).select_related("article__document")
    filing = await filing_of(FilingForm.LEGAL_TEXTS)
    doc = open_docx(filing)
    text = all_text(doc)
    articles = {b.article_id: b.article for b in bases}
    assert filing.rows == len(articles)
    for article in articles.values():
        assert article.text.strip().splitlines()[0] in text
    titles = [p.text for p in doc.paragraphs if p.style.name == "一件文件"]
    ranks = []
    for title in titles:
        document = next(a.document for a in articles.values() if f"《{a.document.title}》" == title)
        ranks.append(document.level.rank)
    assert titles and ranks == sorted(ranks)
    meta = [p.text for p in doc.paragraphs if p.style.name == "一件说明"]
    assert all("版本：" in line for line in meta)
    land_law = meta[titles.index("《中华人民共和国土地管理法》")]
    assert "版本：2019年8月26日　施行：2020年1月1日" in land_law, land_law  # the 2019 amendment's, not 1999's


async def test_text_with_markup_characters_is_escaped_not_interpreted() -> None:
    unit = await make_unit(name="测试<单位>&")
    name = '对"违反<测试>&规定"行为的处罚{{ x }}{% if %}'
    power = await make_power(unit, name=name)
    filing = await build_filing(ADMIN, unit.id, FilingForm.REGISTRATION, power.id)
    rows = data_rows(open_docx(filing).tables[0])
    assert rows[0][2] == name
    assert "测试<单位>&" in all_text(open_docx(filing))
