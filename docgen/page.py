"""公文 page setup (GB/T 9704-2012) and the OOXML details python-docx has no API for.

Portrait: A4, top 37 mm, left 28 mm, text block 156 × 225 mm (so bottom 35 mm, right 26 mm),
22 lines of 28 characters (a document grid of lines and characters), East Asian language zh-CN. Landscape sections (the wide forms) turn the same text block on its
side: 225 mm wide, 156 mm high (top 28, bottom 26, left 37, right 35), binding edge at the top.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

# 字号 in points
SIZE_2 = Pt(22)  # 二号: title
SIZE_3 = Pt(16)  # 三号: body
SIZE_4 = Pt(14)  # 四号: page numbers
SIZE_SMALL_4 = Pt(12)  # 小四: flow-chart step names
SIZE_5 = Pt(10.5)  # 五号: notes, flow-chart details
SIZE_SMALL_5 = Pt(9)  # 小五: the forms' tables (ten columns across a landscape page)
TABLE_LINE_SPACING = Pt(12)
TABLE_CELL_MARGIN_MM = 1.0
TABLE_CELL_PADDING_MM = 0.8  # above and below a cell's text

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"

TEXT_WIDTH = Mm(156)
TEXT_HEIGHT = Mm(225)
LANDSCAPE_TEXT_WIDTH = TEXT_HEIGHT  # the block turned on its side
LANDSCAPE_TEXT_HEIGHT = TEXT_WIDTH
#: 225 mm / 22 lines, in twentieths of a point (w:linePitch)
LINE_PITCH = 579
#: 28 characters of 三号 across 156 mm (16 pt characters would fit 27): each is condensed by
#: 0.25 pt (w:spacing, in twentieths of a point). Word's character grid (docGrid linesAndChars)
#: would do the same in Word, but LibreOffice gives each 三号 character two cells of such a grid
#: (14 a line), so the PDF would be wrong; spacing reads the same in both.
CHAR_SPACING = -5
BODY_LINE_SPACING = Pt(28.95)


def set_fonts(rpr_parent: object, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set w:rFonts on a run or style (anything with `get_or_add_rPr`), `w:eastAsia` included."""
    fonts = rpr_parent.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    for hint in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(hint), None)


def setup_section(section: Section, *, landscape: bool) -> None:
    """A4 with the 公文 margins; landscape turns the text block on its side."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    if landscape:
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(28), Mm(26)
        section.left_margin, section.right_margin = Mm(37), Mm(35)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20 if landscape else 28)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))


def chinese_document(document: Document) -> None:
    """East Asian language zh-CN for every run (docDefaults) and for theme fonts (not ja-JP), the
    body size 三号 as the default, condensed to 28 characters a line (`CHAR_SPACING`)."""
    rpr = document.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for tag, value in (("w:sz", "32"), ("w:szCs", "32")):
        el = rpr.find(qn(tag))
        if el is not None:
            el.set(qn("w:val"), value)
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:lang")
    spacing.set(qn("w:val"), str(CHAR_SPACING))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


#: what follows w:snapToGrid in w:pPr (CT_PPrBase): Word rejects properties out of schema order
_PPR_AFTER_SNAP = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def off_grid(element: object) -> None:
    """Paragraph (or paragraph style) not snapped to the 22-line grid: for tables and charts."""
    ppr = element.get_or_add_pPr()  # type: ignore[attr-defined]
    if ppr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr.insert_element_before(snap, *_PPR_AFTER_SNAP)


def _page_field(paragraph: Paragraph) -> None:
    """`— PAGE —`: the number is a field, so Word and LibreOffice count the pages themselves."""

    def run(text: str | None = None, fld: str | None = None, instr: str | None = None) -> None:
        r = paragraph.add_run(text or "")
        set_fonts(r._r, PAGE_NUMBER_FONT, latin=PAGE_NUMBER_FONT)  # the digits too, not Times New Roman
        r.font.size = SIZE_4
        if fld:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), fld)
            r._r.append(el)
        if instr:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = instr
            r._r.append(el)

    run("— ")
    run(fld="begin")
    run(instr=" PAGE ")
    run(fld="separate")
    run("1")
    run(fld="end")
    run(" —")


def add_page_numbers(document: Document, section: Section) -> None:
    """Odd pages right, even pages left, each one character in (GB/T 9704 7.5)."""
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.left_indent = SIZE_4 if align == WD_ALIGN_PARAGRAPH.LEFT else None
        fmt.right_indent = SIZE_4 if align == WD_ALIGN_PARAGRAPH.RIGHT else None
        _page_field(paragraph)


def _row_flag(tr: object, tag: str) -> None:
    trpr = tr.get_or_add_trPr()  # type: ignore[attr-defined]
    if trpr.find(qn(tag)) is None:
        trpr.append(OxmlElement(tag))


def _full_width(tr: object) -> bool:
    """A row of one cell across the table: a heading such as a catalogue's category."""
    cells = tr.tc_lst  # type: ignore[attr-defined]
    return len(cells) == 1 and cells[0].grid_span > 1


def mark_rows(table: Table, header_rows: int, *, rows_split: bool = True, split: frozenset[int] = frozenset()) -> None:
    """Header rows repeat on every page (w:tblHeader). A row stays whole (w:cantSplit): a page
    never starts with the tail of a row under an empty 序号. Only the rows numbered in `split`
    (taller than a page) may break, and every row may with `rows_split`; a heading row never
    breaks and keeps with the row after it, so it never stands alone at the foot of a page."""
    for index, tr in enumerate(table._tbl.tr_lst):
        heading = index < header_rows or _full_width(tr)
        if heading or not rows_split or index not in split:
            _row_flag(tr, "w:cantSplit")
        else:
            trpr = tr.trPr
            flag = trpr.find(qn("w:cantSplit")) if trpr is not None else None
            if flag is not None:
                trpr.remove(flag)
        if index < header_rows:
            _row_flag(tr, "w:tblHeader")
        elif heading:
            for p in tr.iter(qn("w:p")):
                Paragraph(p, table).paragraph_format.keep_with_next = True


def fixed_layout(table: Table, widths_mm: list[float]) -> None:
    """Fixed column widths, so long cells wrap instead of widening the table: the grid's columns
    and every cell (a merged cell gets the sum of the columns it spans)."""
    table.autofit = False  # w:tblLayout type="fixed"
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        col.w = Mm(width)
    for tr in table._tbl.tr_lst:
        column = 0
        for tc in tr.tc_lst:
            tc.width = Mm(sum(widths_mm[column : column + tc.grid_span]))
            column += tc.grid_span


def cell_margins(table: Table, left_right_mm: float, top_bottom_mm: float = TABLE_CELL_PADDING_MM) -> None:
    """The table's cell margins (Word's default is 1.9 mm left and right, none above and below):
    narrow ones left and right leave room for text in a form of ten columns; a little above and
    below keeps the text off the cell's lines."""
    tblpr = table._tbl.tblPr
    margins = tblpr.find(qn("w:tblCellMar"))
    if margins is None:
        margins = OxmlElement("w:tblCellMar")
        look = tblpr.find(qn("w:tblLook"))
        if look is not None:
            look.addprevious(margins)
        else:
            tblpr.append(margins)
    for side in ("top", "left", "bottom", "right"):  # CT_TblCellMar's order: made anew, in that order
        for old in margins.findall(qn(f"w:{side}")):
            margins.remove(old)
        el = OxmlElement(f"w:{side}")
        margins.append(el)
        el.set(qn("w:w"), str(round(Mm(left_right_mm if side in ("left", "right") else top_bottom_mm).twips)))
        el.set(qn("w:type"), "dxa")


def set_cell_borders(cell: object, style: str = "single", size: int = 8) -> None:
    """Borders on all four sides of one cell (size in eighths of a point); `nil` removes them."""
    tcpr = cell._tc.get_or_add_tcPr()  # type: ignore[attr-defined]
    borders = tcpr.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        tcpr.append(borders)
    for side in ("top", "left", "bottom", "right"):
        el = borders.find(qn(f"w:{side}"))
        if el is None:
            el = OxmlElement(f"w:{side}")
            borders.append(el)
        el.set(qn("w:val"), style)
        if style != "nil":
            el.set(qn("w:sz"), str(size))
            el.set(qn("w:color"), "000000")
