"""A unit's filing (or one power's) as a .docx: the form's template rendered by docxtpl with
autoescape on, then finished with python-docx (fonts, row flags, flow charts)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from docgen import columns, contexts, page
from docgen.chart_docx import add_chart
from docgen.data import Scope
from docgen.forms import SPECS, FilingForm, filename
from domain import access
from domain import models as m
from domain.enums import Network
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.functions import require_function_reader

TABLE_FORMS = {
    FilingForm.REGISTRATION: contexts.registration,
    FilingForm.CATALOG: contexts.catalog,
    FilingForm.CONFIDENTIAL: contexts.confidential,
    FilingForm.OPERATION_RECORDS: contexts.operation_records,
    FilingForm.FUNCTIONS: contexts.functions,
    FilingForm.POSTS: contexts.posts,
}


@dataclass(frozen=True)
class Filing:
    filename: str
    content: bytes
    rows: int  # powers (or records, for 附7; articles, for the 一件) the filing shows
    missing: tuple[str, ...] = ()  # what the clerk must still supply: powers without a flow chart

    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def scope_for(
    viewer: access.Viewer, unit_id: int, form: FilingForm, power_id: int | None = None, network: Network | None = None
) -> Scope:
    """Check that `viewer` may have this filing; the unit and power it covers. Raises typed errors."""
    unit = await m.Unit.get_or_none(id=unit_id)
    if unit is None:
        raise NotFound("没有该单位 (unit not found)")
    if form is FilingForm.CONFIDENTIAL:
        access.require_confidential_list(viewer, unit.id)
    if form is FilingForm.FUNCTIONS:
        require_function_reader(viewer, unit.id)
    if power_id is not None and form in (FilingForm.COVER_NOTE, FilingForm.FUNCTIONS, FilingForm.POSTS):
        raise ValidationFailed([FieldError("powerId", f"{SPECS[form].title}按单位报送，不能指定单条职权 (this form is per unit)")])
    if network is not None and form is not FilingForm.OPERATION_RECORDS:
        raise ValidationFailed([FieldError("network", "只有附7权力运行记录可以按网络生成 (only OPERATION_RECORDS is filed per network)")])
    unit_ids = await access.unit_subtree_ids(unit.id)
    power = None
    if power_id is not None:
        power = await m.Power.filter(access.power_q(viewer), id=power_id, unit_id__in=sorted(unit_ids)).first()
        if power is None:
            raise NotFound("该单位没有这项职权 (power not found in this unit)")
    return Scope(viewer=viewer, unit=unit, unit_ids=unit_ids, power=power, network=network)


def _font_styles(doc: Document) -> list[Any]:
    return [s for s in doc.styles if s.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE)]


def _style_fonts(doc: Document) -> dict[str, str]:
    """eastAsia font of each paragraph style id, following base styles (Normal's as the fallback)."""
    found: dict[str, str] = {}
    for style in _font_styles(doc):
        s: Any = style
        while s is not None:
            rpr = s.element.rPr
            fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
            if fonts is not None and fonts.get(qn("w:eastAsia")):
                found[style.style_id] = fonts.get(qn("w:eastAsia"))
                break
            s = s.base_style
    return found


def ensure_east_asian_fonts(doc: Document) -> None:
    """Every style and every run names its East Asian font (w:eastAsia), as Word needs for CJK."""
    fonts = _style_fonts(doc)
    default = fonts.get("Normal", page.BODY_FONT)
    for style in _font_styles(doc):
        if style.style_id not in fonts:
            page.set_fonts(style.element, default)
    parts = [doc.part] + [s.footer.part for s in doc.sections] + [s.even_page_footer.part for s in doc.sections]
    for part in {id(p): p for p in parts}.values():
        for paragraph in part.element.iter(qn("w:p")):
            ppr = paragraph.find(qn("w:pPr"))
            pstyle = ppr.find(qn("w:pStyle")) if ppr is not None else None
            font = fonts.get(pstyle.get(qn("w:val")) if pstyle is not None else "Normal", default)
            for run in paragraph.iter(qn("w:r")):
                rpr = run.find(qn("w:rPr"))
                rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
                if rfonts is None or not rfonts.get(qn("w:eastAsia")):
                    page.set_fonts(run, font if rfonts is None else rfonts.get(qn("w:eastAsia")) or font)


async def build_filing(
    viewer: access.Viewer,
    unit_id: int,
    form: FilingForm,
    power_id: int | None = None,
    *,
    today: date | None = None,
    network: Network | None = None,
) -> Filing:
    """Generate a filing as `viewer` may see it (附7 of one network's records, with `network`); typed errors as
    `scope_for`."""
    scope = await scope_for(viewer, unit_id, form, power_id, network)
    spec = SPECS[form]
    context = contexts.common(scope, form, today or date.today())
    charts: list[contexts.PowerSheet] = []
    if form in TABLE_FORMS:
        values, rows = await TABLE_FORMS[form](scope)
    elif form is FilingForm.FLOW_CHARTS:
        values, charts = await contexts.flow_charts(scope)
        rows = len(charts)
    elif form is FilingForm.LEGAL_TEXTS:
        values, rows = await contexts.legal_texts(scope)
    else:
        values, rows = await contexts.cover_note(scope)
    # python-docx work is CPU-bound (a county's chart book takes seconds): off the event loop, so the
    # server keeps answering other requests meanwhile. Everything it reads is loaded above.
    content = await asyncio.to_thread(_render, spec.path, {**context, **values}, charts)
    name = filename(form, scope.unit.name, scope.power.code if scope.power else None, network.label if network else None)
    return Filing(name, content, rows, tuple(values.get("missing", ())))


def _render(template_path: Path, context: dict[str, Any], charts: list[contexts.PowerSheet]) -> bytes:
    """Fill the template, lay out the rows and draw the charts: no database, no event loop."""
    template = DocxTemplate(str(template_path))
    template.render(context, autoescape=True)
    doc: Document = template.docx
    for table in doc.tables:  # the form's tables (a template may have more than one)
        widths = columns.widths(table, page.LANDSCAPE_TEXT_WIDTH.mm, page.SIZE_SMALL_5.pt)
        page.fixed_layout(table, widths)
        page.cell_margins(table, page.TABLE_CELL_MARGIN_MM)
        # a row stays whole on its page (none starts a page without its 序号); one taller than a page must break
        tall = columns.tall_rows(table, widths, page.SIZE_SMALL_5.pt, page.TABLE_LINE_SPACING.pt, page.LANDSCAPE_TEXT_HEIGHT.mm)
        page.mark_rows(table, header_rows=1, split=tall)
    drawn = [sheet for sheet in charts if sheet.chart is not None]
    next_page = 2 if context.get("cover", False) else 1  # the chart book's cover takes a page
    for index, sheet in enumerate(drawn):
        assert sheet.chart is not None
        p = sheet.power
        heading = f"职权编码：{p.code}　　职权类别：{p.category.label}　　办理时限：{p.time_limit or '—'}"
        next_page += add_chart(doc, sheet.chart, heading, new_page=index > 0 or context.get("cover", False), first_page=next_page)
    ensure_east_asian_fonts(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
