"""通报 as a Word document in the 公文 layout (GB/T 9704-2012): the issuing office's mark and the 文号 above a
red line, the title, the addressees, the text (its 一、二、… headings in 黑体), the issuer and the date."""

from __future__ import annotations

import asyncio
import io
import re
from dataclasses import dataclass
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from docgen import page
from docgen.contexts import chinese_date
from docgen.data import clean
from docgen.filing import Filing, ensure_east_asian_fonts
from docgen.template_build import _document
from domain.enums import UnitKind
from domain.loop_models import Bulletin
from domain.models import Unit

RED = RGBColor(0xE6, 0x00, 0x12)
ADDRESSEES = "各乡镇人民政府，县直各单位："
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")


@dataclass(frozen=True)
class BulletinText:
    issuer: str
    number: str
    title: str
    paragraphs: list[str]
    day: date


async def issuer() -> str:
    """The office that issues bulletins: the county's 清权确权 leading group's office."""
    county = await Unit.filter(parent_id=None, kind=UnitKind.COUNTY_GOVERNMENT).order_by("id").first()
    name = county.name.removesuffix("人民政府") if county else "县"
    return f"{name}清权确权工作领导小组办公室"


def _red_line(paragraph) -> None:  # type: ignore[no-untyped-def]
    """版头中的分隔线: a red rule under the paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc")  # fmt: skip


def render(text: BulletinText) -> bytes:
    """The .docx (CPU-bound: call off the event loop)."""
    doc = _document(landscape=False)
    mark = doc.add_paragraph(style="公文标题")
    run = mark.add_run(text.issuer)
    run.font.color.rgb = RED
    run.font.size = Pt(26)
    number = doc.add_paragraph(clean(text.number) or "　", style="Normal")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _red_line(number)
    doc.add_paragraph("", style="Normal")
    doc.add_paragraph(clean(text.title), style="公文标题")
    doc.add_paragraph("", style="Normal")
    doc.add_paragraph(ADDRESSEES, style="Normal")
    for line in text.paragraphs:
        p = doc.add_paragraph(style="公文正文")
        run = p.add_run(clean(line))
        if _HEADING.match(line) and len(line) <= 30:
            page.set_fonts(run._r, page.HEADING_FONT)
            p.paragraph_format.keep_with_next = True
    doc.add_paragraph("", style="Normal").paragraph_format.keep_with_next = True
    for value in (text.issuer, chinese_date(text.day)):
        p = doc.add_paragraph(value, style="Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(64)
        p.paragraph_format.keep_with_next = value == text.issuer
    doc.core_properties.title = clean(text.title)
    doc.core_properties.author = text.issuer
    ensure_east_asian_fonts(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


async def bulletin_filing(bulletin: Bulletin) -> Filing:
    """The bulletin (the caller checked it may read it) as a Word 通报."""
    from domain.bulletins import paragraphs

    text = BulletinText(
        issuer=await issuer(), number=bulletin.number, title=bulletin.title, paragraphs=paragraphs(bulletin.body),
        day=bulletin.published_on or bulletin.drafted_on,
    )
    content = await asyncio.to_thread(render, text)
    status = "" if bulletin.published_on else "（草稿）"
    return Filing(f"通报{bulletin.id}{status}.docx", content, len(text.paragraphs))
