"""一图 in the Word filing: one power's chart on one page — its title, a line about the power, the
drawing, the complaint channels and notes.

The drawing is the SVG's layout as a picture (docgen.chart_picture), scaled to what the page has
left, its text in the alt text. Where no CJK font is installed to rasterise it, the chart is drawn
as a borderless table of boxed cells instead: each layer of the layout a row of boxes (a
DECISION's branches side by side), between layers a row of arrows with the edge labels
("↓ 符合"), an edge that skips layers or goes back printed in its source box ("→ 转「…」").
"""

from __future__ import annotations

import io

from docx.document import Document, _Body
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from docgen import page
from docgen.chart import Chart, Layout, layout
from docgen.chart_picture import alt_text, cjk_fonts, pages
from docgen.svg import text_width
from domain.enums import FlowStepKind

KIND_MARK = {FlowStepKind.START: "【开始】", FlowStepKind.END: "【结束】", FlowStepKind.DECISION: "◇ "}


def _run(paragraph, text: str, font: str, size: Pt, *, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    page.set_fonts(run._r, font)
    run.font.size = size
    run.font.bold = bold


def _paragraph(cell: _Cell, first: bool):  # type: ignore[no-untyped-def]
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    page.off_grid(p._p)
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    return p


def _shade(cell: _Cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _box(cell: _Cell, chart: Chart, plan: Layout, step_id: int, names: dict[int, str]) -> None:
    step = next(p.step for layer in plan.layers for p in layer if p.step.id == step_id)
    page.set_cell_borders(cell, "double" if step.kind in (FlowStepKind.START, FlowStepKind.END) else "single", 8)
    if step.kind is FlowStepKind.DECISION:
        page.set_cell_borders(cell, "thickThinSmallGap", 12)
        _shade(cell, "F2F2F2")
    title = _paragraph(cell, True)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, KIND_MARK.get(step.kind, "") + step.name, page.HEADING_FONT, page.SIZE_SMALL_4)
    for label, text in step.details():
        p = _paragraph(cell, False)
        _run(p, f"{label}：", page.HEADING_FONT, page.SIZE_5)
        _run(p, text, page.BODY_FONT, page.SIZE_5)
    for e in plan.detours:
        if e.source == step_id:
            p = _paragraph(cell, False)
            _run(p, f"→ 转「{names[e.target]}」" + (f"：{e.label}" if e.label else ""), page.BODY_FONT, page.SIZE_5, bold=True)


def _arrow_cell(cell: _Cell, labels: list[str]) -> None:
    page.set_cell_borders(cell, "nil")
    p = _paragraph(cell, True)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(p, "　".join(f"↓ {label}" if label else "↓" for label in labels), page.BODY_FONT, page.SIZE_5, bold=True)


#: line heights (mm) on a chart page: the title, the line about the power, the notes below
TITLE_LINE, INFO_LINE, NOTE_LINE = 8.5, 5.3, 5.3
#: mm kept free on a chart page besides the text (paragraph spacing, rounding in the word processor)
SLACK = 8


def add_chart(
    doc: Document, chart: Chart, heading: str, *, new_page: bool, first_page: int = 1, as_picture: bool | None = None
) -> int:
    """Append one power's chart, on a page of its own if `new_page`; as a picture unless no CJK
    font is installed (or `as_picture` says otherwise). A chart too large to print its text at 9 pt
    on one page continues on the next ones (`first_page` is the number of its first page, for the
    connectors' 接第N页). Returns the pages it takes.

    Built in a scratch body, then moved before the final section properties: python-docx finds
    the insertion point by scanning the whole body, which made a county's charts quadratic.
    """
    scratch = _Body(OxmlElement("w:body"), doc)
    count = _draw(
        scratch, chart, heading, new_page=new_page, first_page=first_page, as_picture=bool(cjk_fonts()) if as_picture is None else as_picture
    )
    end = doc.element.body.sectPr
    for element in list(scratch._element):
        if end is not None:
            end.addprevious(element)
        else:
            doc.element.body.append(element)
    return count


def _lines(text: str, size_pt: float) -> int:
    """Lines `text` takes across the text block at this font size."""
    per_line = page.TEXT_WIDTH.pt // size_pt
    return max(1, -int(-text_width(text, 1) // per_line))


def _text_paragraph(doc: _Body, style: str, line_mm: float):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph(style=style)
    page.off_grid(p._p)
    fmt = p.paragraph_format
    fmt.line_spacing = Mm(line_mm)
    fmt.space_before = fmt.space_after = Pt(0)
    return p


def _heading(doc: _Body, chart: Chart, heading: str, *, new_page: bool, continued: bool) -> None:
    title = _text_paragraph(doc, "公文标题", TITLE_LINE)
    title.paragraph_format.keep_with_next = True
    title.paragraph_format.page_break_before = new_page
    _run(title, chart.title + ("（续）" if continued else ""), page.TITLE_FONT, page.SIZE_3)
    info = _text_paragraph(doc, "表格说明", INFO_LINE)
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    info.paragraph_format.keep_with_next = True
    _run(info, heading, page.BODY_FONT, page.SIZE_5)


def _draw(doc: _Body, chart: Chart, heading: str, *, new_page: bool, first_page: int, as_picture: bool) -> int:
    notes = [(label, text) for label, text in (("投诉举报途径", "；".join(chart.complaint_channels())), ("说明", chart.notes)) if text]
    plan = layout(chart)
    count = 1
    if as_picture:
        used = _lines(chart.title + "（续）", page.SIZE_3.pt) * TITLE_LINE + _lines(heading, page.SIZE_5.pt) * INFO_LINE
        used += sum(_lines(f"{label}：{text}", page.SIZE_5.pt) * NOTE_LINE for label, text in notes)
        if not new_page:  # the chart shares its page with what precedes it: the 附件 label, one line
            used += page.BODY_LINE_SPACING.mm
        drawings = pages(chart, plan, page.TEXT_WIDTH.mm, page.TEXT_HEIGHT.mm - used - SLACK, first_page)
        count = len(drawings)
        for number, drawing in enumerate(drawings):
            _heading(doc, chart, heading, new_page=new_page or number > 0, continued=number > 0)
            p = doc.add_paragraph(style="表格说明")
            page.off_grid(p._p)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = 1.0
            p.paragraph_format.keep_with_next = True
            run = p.add_run()
            page.set_fonts(run._r, page.BODY_FONT)
            shape = run.add_picture(io.BytesIO(drawing.png), width=Mm(drawing.width_mm), height=Mm(drawing.height_mm))
            shape._inline.docPr.set("title", chart.title)
            if number == 0:  # the whole chart's text, once
                shape._inline.docPr.set("descr", alt_text(chart, plan))
    else:
        _heading(doc, chart, heading, new_page=new_page, continued=False)
        _table(doc, chart, plan)
    for label, text in notes:
        p = _text_paragraph(doc, "表格说明", NOTE_LINE)
        _run(p, f"{label}：", page.HEADING_FONT, page.SIZE_5)
        _run(p, text, page.BODY_FONT, page.SIZE_5)
    return count


def _table(doc: _Body, chart: Chart, plan: Layout) -> None:
    names = {s.id: s.name for s in chart.steps}
    table = doc.add_table(rows=0, cols=plan.width, width=page.TEXT_WIDTH)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    column_mm = 156 / plan.width
    at = plan.placed()
    for index, layer in enumerate(plan.layers):
        row = table.add_row()
        spans = {p.column: p for p in layer}
        for column in range(plan.width):
            cell = row.cells[column]
            if column not in spans and not any(p.column < column < p.column + p.span for p in layer):
                page.set_cell_borders(cell, "nil")
        for p in layer:
            cell = row.cells[p.column]
            if p.span > 1:
                cell = cell.merge(row.cells[p.column + p.span - 1])
            _box(cell, chart, plan, p.step.id, names)
        if index + 1 == len(plan.layers):
            break
        arrows = table.add_row()
        anchors: dict[int, tuple[int, list[str]]] = {}  # first column → (span, labels)
        for e in plan.adjacent:
            s, t = at[e.source], at[e.target]
            if s.layer == index:
                anchor = t if t.span <= s.span else s
                anchors.setdefault(anchor.column, (anchor.span, []))[1].append(e.label)
        covered: set[int] = set()
        for column, (span, labels) in sorted(anchors.items()):
            if covered & set(range(column, column + span)):  # overlapping spans: keep the arrows, not the merge
                span = 1
            cell = arrows.cells[column]
            if span > 1:
                cell = cell.merge(arrows.cells[column + span - 1])
            _arrow_cell(cell, labels)
            covered.update(range(column, column + span))
        for column in set(range(plan.width)) - covered:
            page.set_cell_borders(arrows.cells[column], "nil")
    page.fixed_layout(table, [column_mm] * plan.width)
    page.mark_rows(table, header_rows=0, rows_split=False)  # a chart's row of boxes stays whole
