"""一图 in the Word filing: the chart's layout drawn as a borderless table of boxed cells.

Why a table and not DrawingML shapes or a picture: a table is laid out by the word processor
itself, so it renders the same in Word and LibreOffice, wraps long Chinese text inside each box,
stays editable, and prints sharp; a picture needs CJK fonts where it is rasterised, and floating
shapes with connectors shift between Word and LibreOffice. Each layer of the layout is a row of
boxes (a DECISION's branches side by side); between layers a row of arrows carries the edge
labels ("↓ 符合"); an edge that skips layers or goes back is printed in its source box
("→ 转「…」"). Rows do not split across pages.
"""

from __future__ import annotations

from docx.document import Document, _Body
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell

from docgen import page
from docgen.chart import Chart, Layout, layout
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


def add_chart(doc: Document, chart: Chart, heading: str, *, new_page: bool) -> None:
    """Append one power's chart: its title, a line about the power, the boxes, the complaint channel.

    Built in a scratch body, then moved before the final section properties: python-docx finds
    the insertion point by scanning the whole body, which made a county's charts quadratic.
    """
    scratch = _Body(OxmlElement("w:body"), doc)
    _draw(scratch, chart, heading, new_page=new_page)
    end = doc.element.body.sectPr
    for element in list(scratch._element):
        if end is not None:
            end.addprevious(element)
        else:
            doc.element.body.append(element)


def _draw(doc: _Body, chart: Chart, heading: str, *, new_page: bool) -> None:
    if new_page:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    title = doc.add_paragraph(style="公文标题")
    title.paragraph_format.keep_with_next = True
    _run(title, chart.title, page.TITLE_FONT, page.SIZE_3)
    info = doc.add_paragraph(style="表格说明")
    info.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(info, heading, page.BODY_FONT, page.SIZE_5)

    plan = layout(chart)
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
    page.mark_rows(table, header_rows=0)
    for label, text in (("投诉举报途径", "；".join(chart.complaint_channels())), ("说明", chart.notes)):
        if text:
            p = doc.add_paragraph(style="表格说明")
            _run(p, f"{label}：", page.HEADING_FONT, page.SIZE_5)
            _run(p, text, page.BODY_FONT, page.SIZE_5)
