"""The filings as LibreOffice prints them (the PDF the county publishes): page counts of the demo's
国土资源局 (36072308), one chart a page, landscape tables, and no table column too narrow to read.
Where LibreOffice is not installed the rendering tests are skipped (CI installs it)."""

from __future__ import annotations

import httpx
import pytest

from docgen.filing import Filing, build_filing
from docgen.forms import FilingForm
from docgen.pdf import UNAVAILABLE, PdfUnavailable, convert, soffice
from domain import models as m
from domain.access import PUBLIC
from domain.enums import PowerStatus
from resolvers.ids import encode_id
from tests.docx_checks import narrowest_cells, open_docx, pdf_pages
from tests.factories import ADMIN
from tests.helpers import gql_data

pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.rendering]
needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: PDF pages not checked (CI installs it)")
LAND_BUREAU, TOWNSHIP = "36072308", "36072360"  # 国土资源局, 南安镇
TABLE_FORMS = [FilingForm.REGISTRATION, FilingForm.CATALOG, FilingForm.CONFIDENTIAL, FilingForm.OPERATION_RECORDS, FilingForm.POSTS]
A4_LANDSCAPE = b"/MediaBox[0 0 841.8"

GENERATE = """
mutation Generate($unit: ID!, $form: FilingForm!) {
  generateFiling(unitId: $unit, form: $form) {
    ... on FilingLink { url pdfUrl pdfFilename pdfUnavailableReason }
  }
}
"""


async def filing(unit_code: str, form: FilingForm, power: m.Power | None = None, viewer=ADMIN) -> Filing:  # type: ignore[no-untyped-def]
    unit = await m.Unit.get(code=unit_code)
    return await build_filing(viewer, unit.id, form, power.id if power else None)


async def pages(unit_code: str, form: FilingForm, power: m.Power | None = None) -> tuple[int, bytes]:
    pdf = convert(await filing(unit_code, form, power))
    return pdf_pages(pdf), pdf


@pytest.mark.parametrize("unit_code", [LAND_BUREAU, TOWNSHIP])
@pytest.mark.parametrize("form", TABLE_FORMS)
async def test_no_table_column_is_narrower_than_three_characters(unit_code: str, form: FilingForm) -> None:
    narrowest = narrowest_cells(open_docx(await filing(unit_code, form)))
    assert narrowest and narrowest[0][0] >= 3, narrowest[:3]


@needs_soffice
async def test_catalogue_and_registration_print_on_few_full_pages() -> None:
    catalog, pdf = await pages(LAND_BUREAU, FilingForm.CATALOG)
    registration, _ = await pages(LAND_BUREAU, FilingForm.REGISTRATION)
    assert 2 <= catalog <= 8, "24 catalogue rows"
    assert 2 <= registration <= 12, "28 registration rows"
    assert pdf.replace(b" ", b"").count(A4_LANDSCAPE.replace(b" ", b"")) >= 1


@needs_soffice
@pytest.mark.parametrize("category", ["PENALTY", "LICENSING", "INSPECTION"])
async def test_one_chart_prints_on_one_page(category: str) -> None:
    power = await m.Power.filter(unit__code=LAND_BUREAU, category=category, status=PowerStatus.PUBLISHED).order_by("code").first()
    assert power is not None
    count, _ = await pages(LAND_BUREAU, FilingForm.FLOW_CHARTS, power)
    assert count == 1


@needs_soffice
async def test_chart_book_is_a_cover_and_a_page_per_chart() -> None:
    book = await filing(LAND_BUREAU, FilingForm.FLOW_CHARTS)
    charts = book.rows - len(book.missing)
    assert pdf_pages(convert(book)) == charts + 1


@needs_soffice
@pytest.mark.parametrize(
    "form", [FilingForm.CONFIDENTIAL, FilingForm.OPERATION_RECORDS, FilingForm.COVER_NOTE, FilingForm.LEGAL_TEXTS, FilingForm.POSTS]
)
async def test_the_other_filings_print(form: FilingForm) -> None:
    count, _ = await pages(LAND_BUREAU, form)
    assert 1 <= count <= {FilingForm.CONFIDENTIAL: 1, FilingForm.COVER_NOTE: 2}.get(form, 20)


@needs_soffice
async def test_the_township_public_version_prints() -> None:
    book = await filing(TOWNSHIP, FilingForm.FLOW_CHARTS, viewer=PUBLIC)
    assert pdf_pages(convert(book)) == book.rows - len(book.missing) + 1
    assert pdf_pages(convert(await filing(TOWNSHIP, FilingForm.CATALOG, viewer=PUBLIC))) <= 3


async def test_a_filing_link_comes_with_its_pdf_or_says_why_not(client: httpx.AsyncClient) -> None:
    unit = await m.Unit.get(code=TOWNSHIP)
    link = (await gql_data(client, GENERATE, {"unit": encode_id("Unit", unit.id), "form": "CATALOG"}))["generateFiling"]
    if soffice() is None:
        assert link["pdfUrl"] is None and link["pdfUnavailableReason"] == UNAVAILABLE
        assert (await client.get(f"{link['url']}/pdf")).status_code == 503
        with pytest.raises(PdfUnavailable):
            convert(await filing(TOWNSHIP, FilingForm.CATALOG))
        return
    assert link["pdfUnavailableReason"] is None and link["pdfFilename"] == f"{TOWNSHIP}-CATALOG.pdf"
    response = await client.get(link["pdfUrl"])
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert pdf_pages(response.content) >= 1
