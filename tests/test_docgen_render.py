"""The filings as LibreOffice prints them (the PDF the county publishes), read back with poppler-utils:
every filing of two units (the demo's 国土资源局 36072308 as staff see it, 南安镇 36072360 as the public
does, the forms refused to the public as staff) printed once and checked for what a clerk would
otherwise fix by hand: the body in a serif Chinese face (仿宋/宋 mapped by docgen/fonts.conf), titles in a
bold serif, no text under 9 pt (flow charts included: a picture's print resolution says how large its
text prints), no page starting with the tail of a row, the plan's labels (附3、4–附7, 一图, 一件).
Where LibreOffice is not installed the rendering tests are skipped (CI installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess

import httpx
import pytest

from docgen.chart import Chart, Edge, Step, layout
from docgen.chart_picture import ZOOM, pages
from docgen.filing import Filing, build_filing
from docgen.forms import PLAN_LABELS, FilingForm
from docgen.pdf import FONTS_CONF, UNAVAILABLE, PdfUnavailable, convert, soffice
from docgen.svg import TEXT_SIZE
from domain import models as m
from domain.access import PUBLIC, Viewer
from domain.enums import FlowStepKind, PowerStatus
from resolvers.ids import encode_id
from tests.docx_checks import (
    PrintedPdf,
    narrowest_cells,
    open_docx,
    pages_starting_without_a_number,
    pdf_pages,
    printed,
)
from tests.factories import ADMIN
from tests.helpers import gql_data

pytestmark = [pytest.mark.rendering]
needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: PDF pages not checked (CI installs it)")
LAND_BUREAU, TOWNSHIP = "36072308", "36072360"  # 国土资源局, 南安镇
TABLE_FORMS = [FilingForm.REGISTRATION, FilingForm.CATALOG, FilingForm.CONFIDENTIAL, FilingForm.OPERATION_RECORDS, FilingForm.POSTS]
#: forms the public may not have: the township's are printed as staff see them
REFUSED_TO_PUBLIC = {FilingForm.CONFIDENTIAL, FilingForm.FUNCTIONS}
MIN_PT = 9.0
#: the faces fonts.conf maps the 公文 fonts to (Noto's TTC shares one CFF among its SC, TC, JP and KR faces,
#: so the PDF names each "…CJKjp"; which face LibreOffice takes is fontconfig's answer, tested below)
CJK_FACES = ("NotoSerifCJK", "NotoSansCJK", "UKai")
LATIN_FACES = ("LiberationSerif", "LiberationSans")

GENERATE = """
mutation Generate($unit: ID!, $form: FilingForm!) {
  generateFiling(unitId: $unit, form: $form) {
    ... on FilingLink { url pdfUrl pdfFilename pdfUnavailableReason }
  }
}
"""


async def filing(unit_code: str, form: FilingForm, power: m.Power | None = None, viewer: Viewer = ADMIN) -> Filing:
    unit = await m.Unit.get(code=unit_code)
    return await build_filing(viewer, unit.id, form, power.id if power else None)


def viewer_of(unit_code: str, form: FilingForm) -> Viewer:
    return PUBLIC if unit_code == TOWNSHIP and form not in REFUSED_TO_PUBLIC else ADMIN


_printouts: dict[tuple[str, FilingForm], tuple[Filing, PrintedPdf]] = {}


async def printout(unit_code: str, form: FilingForm) -> tuple[Filing, PrintedPdf]:
    """A unit's filing and its PDF read back, printed once for the whole module."""
    key = (unit_code, form)
    if key not in _printouts:
        made = await filing(unit_code, form, viewer=viewer_of(unit_code, form))
        _printouts[key] = (made, printed(convert(made)))
    return _printouts[key]


def first_line(pdf: PrintedPdf) -> str:
    top = min(t.top for t in pdf.texts if t.page == 1)
    return "".join(t.text for t in sorted((t for t in pdf.texts if t.page == 1 and abs(t.top - top) < 2), key=lambda t: t.left)).strip()


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("unit_code", [LAND_BUREAU, TOWNSHIP])
@pytest.mark.parametrize("form", TABLE_FORMS)
async def test_no_table_column_is_narrower_than_three_characters(unit_code: str, form: FilingForm) -> None:
    narrowest = narrowest_cells(open_docx(await filing(unit_code, form)))
    assert narrowest and narrowest[0][0] >= 3, narrowest[:3]


@needs_soffice
@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("unit_code", [LAND_BUREAU, TOWNSHIP])
@pytest.mark.parametrize("form", list(FilingForm))
async def test_every_filing_prints_in_serif_at_nine_points_or_more_with_whole_rows(unit_code: str, form: FilingForm) -> None:
    made, pdf = await printout(unit_code, form)
    # fonts: the body in a serif Chinese face, the title in its bold; nothing but the mapped faces
    by_font = pdf.fonts_by_characters()
    body, _ = by_font.most_common(1)[0]
    assert body.startswith("NotoSerifCJK"), by_font
    assert all(f.startswith(CJK_FACES + LATIN_FACES) for f in pdf.fonts), pdf.fonts
    assert any(f.startswith("NotoSerifCJK") and "Bold" in f for f in pdf.fonts), pdf.fonts  # 方正小标宋 → bold serif
    # nothing under 9 pt: the text, and a chart picture's smallest text (TEXT_SIZE px of its drawing, ZOOM pixels each)
    smallest = min(pdf.texts, key=lambda t: t.size)
    assert smallest.size >= MIN_PT, smallest
    for page, _, ppi in pdf.pictures:
        assert TEXT_SIZE * ZOOM / ppi * 72 >= MIN_PT, f"page {page}: chart text at {TEXT_SIZE * ZOOM / ppi * 72:.1f} pt"
    # rows: no page starts with a row's tail under an empty 序号
    assert pages_starting_without_a_number(pdf) == []
    # the plan's label top left (附3、4 … 一件)
    if form in PLAN_LABELS:
        assert first_line(pdf) == PLAN_LABELS[form]
    assert 1 <= pdf.pages <= {FilingForm.CONFIDENTIAL: 1, FilingForm.COVER_NOTE: 2, FilingForm.CATALOG: 8, FilingForm.FLOW_CHARTS: 60}.get(form, 30)
    if form is FilingForm.FLOW_CHARTS:  # a cover, then each chart on its page(s); a continued page says so
        charts = made.rows - len(made.missing)
        continued = sum("（续）" in t.text for t in pdf.texts)
        assert len(pdf.pictures) == pdf.pages - 1 == charts + continued


@needs_soffice
@pytest.mark.usefixtures("demo")
async def test_the_tables_print_on_landscape_a4() -> None:
    for form in (FilingForm.CATALOG, FilingForm.REGISTRATION):
        _, pdf = await printout(LAND_BUREAU, form)
        assert all(abs(w - 842) <= 1 and abs(h - 595) <= 1 for w, h in pdf.page_sizes), pdf.page_sizes  # A4 landscape, in pt


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig's fc-match is not installed (it comes with LibreOffice)")
def test_the_gongwen_fonts_resolve_to_simplified_chinese_faces() -> None:
    """What LibreOffice asks fontconfig for each font the filings name, with the project's fonts.conf."""
    expected = {
        "仿宋_GB2312": ("NotoSerifCJKsc-Regular",),
        "宋体": ("NotoSerifCJKsc-Regular",),
        "方正小标宋简体": ("NotoSerifCJKsc-Bold",),
        "黑体": ("NotoSansCJKsc-Regular",),
        "楷体_GB2312": ("UKaiCN", "NotoSerifCJKsc-Regular"),  # AR PL UKai CN where fonts-arphic-ukai is installed
    }
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    for family, faces in expected.items():
        found = subprocess.run(["fc-match", "-f", "%{postscriptname}", family], capture_output=True, text=True, env=environment, check=True).stdout
        assert found in faces, (family, found)


def test_a_chart_too_tall_for_a_page_continues_with_connectors() -> None:
    steps = [Step(i, FlowStepKind.STEP, f"环节{i}", condition="申请材料齐全、符合法定形式，经审查符合条件的予以受理并告知申请人") for i in range(1, 13)]
    steps[0] = Step(1, FlowStepKind.START, "环节1")
    chart = Chart("某某行政许可运行流程图", "", "", steps, [Edge(i, i + 1) for i in range(1, 12)] + [Edge(5, 2, "补正")])
    drawn = pages(chart, layout(chart), 156, 180, first_page=2)
    assert len(drawn) >= 2
    assert all(d.width_mm <= 156 and d.height_mm <= 180 for d in drawn)
    assert "接第3页「" in drawn[0].svg and "承第2页「" in drawn[1].svg
    whole = "".join(d.svg for d in drawn)
    assert all(f">环节{i}<" in whole for i in range(1, 13))  # every step on some page


def test_a_drawing_is_rasterised_once_and_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from docgen import chart_picture

    chart = Chart("某某行政确认运行流程图", "", "", [Step(1, FlowStepKind.START, "受理"), Step(2, FlowStepKind.END, "办结")], [Edge(1, 2)])
    drawn = lambda: pages(chart, layout(chart), 156, 180, first_page=2)  # noqa: E731
    calls: list[str] = []
    rasterise = chart_picture.resvg_py.svg_to_bytes
    monkeypatch.setattr(chart_picture.resvg_py, "svg_to_bytes", lambda **kw: calls.append(kw["svg_string"]) or rasterise(**kw))
    first, again = drawn(), drawn()
    assert [p.png for p in first] == [p.png for p in again] and len(calls) == len(first)
    assert first[0].png.startswith(b"\x89PNG")
    # beyond its bytes, the least recently used drawings go
    monkeypatch.setattr(chart_picture, "RASTER_CACHE_BYTES", len(first[0].png))
    other = Chart("另一流程图", "", "", [Step(1, FlowStepKind.START, "申请"), Step(2, FlowStepKind.END, "决定")], [Edge(1, 2)])
    pages(other, layout(other), 156, 180, first_page=2)
    assert len(chart_picture._rasters) == 1 and chart_picture._held == sum(map(len, chart_picture._rasters.values()))
    drawn()
    assert len(calls) == len(first) + 2


@needs_soffice
@pytest.mark.usefixtures("demo")
async def test_one_powers_chart_prints_alone_and_legibly() -> None:
    power = await m.Power.filter(unit__code=LAND_BUREAU, category="PENALTY", status=PowerStatus.PUBLISHED).order_by("code").first()
    assert power is not None
    made = await filing(LAND_BUREAU, FilingForm.FLOW_CHARTS, power)
    pdf = printed(convert(made))
    assert pdf.pages == len(pdf.pictures) >= 1
    assert all(TEXT_SIZE * ZOOM / ppi * 72 >= MIN_PT for _, _, ppi in pdf.pictures)


@pytest.mark.usefixtures("demo")
async def test_a_filing_link_comes_with_its_pdf_or_says_why_not(client: httpx.AsyncClient) -> None:
    unit = await m.Unit.get(code=TOWNSHIP)
    link = (await gql_data(client, GENERATE, {"unit": encode_id("Unit", unit.id), "form": "CATALOG"}))["generateFiling"]
    if soffice() is None:
        assert link["pdfUrl"] is None and link["pdfUnavailableReason"] == UNAVAILABLE
        assert (await client.get(f"{link['url']}/pdf")).status_code == 503
        with pytest.raises(PdfUnavailable):
            convert(await filing(TOWNSHIP, FilingForm.CATALOG))
        return
    assert link["pdfUnavailableReason"] is None and link["pdfFilename"] == f"{unit.name}行政权力目录表(附5).pdf"
    response = await client.get(link["pdfUrl"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert pdf_pages(response.content) >= 1
