"""Reading generated .docx files back (python-docx and the raw OOXML), for the docgen tests."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.table import Table

from docgen.filing import Filing

CODE = re.compile(r"^\d{8}[A-Z]{2}-\d{4}$")


def open_docx(filing: Filing | bytes) -> Document:
    return docx.Document(io.BytesIO(filing.content if isinstance(filing, Filing) else filing))


def _parts(doc: Document) -> list:
    parts = {id(doc.part): doc.part}
    for section in doc.sections:
        for footer in (section.footer, section.even_page_footer):
            parts.setdefault(id(footer.part), footer.part)
    return list(parts.values())


def runs_without_east_asia(doc: Document) -> list[str]:
    """Texts of runs (body, tables, footers) whose w:rFonts names no w:eastAsia font."""
    bad = []
    for part in _parts(doc):
        for run in part.element.iter(qn("w:r")):
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            if fonts is None or not fonts.get(qn("w:eastAsia")):
                bad.append("".join(t.text or "" for t in run.iter(qn("w:t"))))
    return bad


def styles_without_east_asia(doc: Document) -> list[str]:
    bad = []
    for style in doc.styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            continue
        fonts = style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is None or not fonts.get(qn("w:eastAsia")):
            bad.append(style.name)
    return bad


def east_asian_font(style) -> str | None:  # type: ignore[no-untyped-def]
    fonts = style.element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    return None if fonts is None else fonts.get(qn("w:eastAsia"))


def all_text(doc: Document) -> str:
    """Every text of the body, its tables and footers, in document order, and the pictures' alt texts."""
    texts = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for part in _parts(doc) for p in part.element.iter(qn("w:p"))]
    return "\n".join(texts + alt_texts(doc))


def alt_texts(doc: Document) -> list[str]:
    """The alt text (title, description) of every picture in the body."""
    return [f"{pr.get('title', '')}\n{pr.get('descr', '')}" for pr in doc.element.body.iter(qn("wp:docPr"))]


def narrowest_cells(doc: Document) -> list[tuple[float, str]]:
    """(width in characters of the cell's own font size, text) of each table cell, narrowest first:
    the cell's width less its margins, over the size of its first run (or its style's)."""
    found = []
    for table in doc.tables:
        margins = table._tbl.tblPr.find(f"{qn('w:tblCellMar')}/{qn('w:left')}")
        margin = int(margins.get(qn("w:w"))) if margins is not None else 108  # twips, Word's default
        for tc in table._tbl.iter(qn("w:tc")):
            size = tc.find(f".//{qn('w:rPr')}/{qn('w:sz')}")
            style = tc.find(f".//{qn('w:pStyle')}")
            points = int(size.get(qn("w:val"))) / 2 if size is not None else doc.styles.get_by_id(
                style.get(qn("w:val")) if style is not None else "Normal", WD_STYLE_TYPE.PARAGRAPH
            ).font.size.pt
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            found.append(((tc.width.twips - 2 * margin) / 20 / points, text))
    return sorted(found)


PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(pdf: bytes) -> int:
    return len(PDF_PAGE.findall(pdf))


def row_flags(table: Table) -> list[tuple[bool, bool]]:
    """(tblHeader, cantSplit) of each row."""
    flags = []
    for tr in table._tbl.tr_lst:
        trpr = tr.trPr
        flags.append((trpr is not None and trpr.find(qn("w:tblHeader")) is not None, trpr is not None and trpr.find(qn("w:cantSplit")) is not None))
    return flags


def data_rows(table: Table) -> list[list[str]]:
    """Rows that print an item: the first cell is its 序号."""
    rows = []
    for tr in table._tbl.tr_lst:
        cells = ["".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.tc_lst]
        if cells and cells[0].strip().isdigit():
            rows.append(cells)
    return rows


@dataclass(frozen=True)
class PrintedText:
    """One line of text as a PDF prints it (pdftohtml, in pt from the page's top left)."""

    page: int
    top: float
    left: float
    width: float
    height: float
    size: float  # the font size, pt
    font: str  # the embedded font's name, subset prefix dropped: NotoSerifCJKjp-Regular
    text: str


@dataclass(frozen=True)
class PrintedPdf:
    texts: list[PrintedText]
    pictures: list[tuple[int, int, float]]  # (page, width in pixels, pixels an inch as printed)
    pages: int
    fonts: list[str]  # the embedded fonts' names (pdffonts), subset prefix dropped: NotoSerifCJKjp-Bold-VKana
    page_sizes: list[tuple[int, int]]  # width and height of each page, pt

    def fonts_by_characters(self) -> Counter[str]:
        """Characters of Chinese text printed in each font."""
        found: Counter[str] = Counter()
        for t in self.texts:
            found[t.font] += sum(ord(ch) > 0x2E7F for ch in t.text)
        return found


def printed(pdf: bytes) -> PrintedPdf:
    """A PDF read back with poppler-utils: every text line with its font and size (pdftohtml -xml) and
    every picture with its print resolution (pdfimages -list)."""
    with tempfile.TemporaryDirectory(prefix="qingquan-test-pdf-") as folder:
        path = Path(folder) / "filing.pdf"
        path.write_bytes(pdf)
        xml = subprocess.run(["pdftohtml", "-xml", "-i", "-stdout", "-zoom", "1", "-q", str(path)], capture_output=True, check=True).stdout
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
        embedded = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(xml)
    texts: list[PrintedText] = []
    pages = root.findall("page")
    for page in pages:
        fonts = {f.get("id"): (float(f.get("size") or 0), (f.get("family") or "").split("+")[-1]) for f in root.iter("fontspec")}
        for t in page.iter("text"):
            size, font = fonts[t.get("font")]
            text = "".join(t.itertext())
            if text.strip():
                number = int(page.get("number") or 0)
                box = [float(t.get(k) or 0) for k in ("top", "left", "width", "height")]
                texts.append(PrintedText(number, *box, size, font, text))
    pictures = []
    for line in listing.splitlines()[2:]:
        cells = line.split()
        if len(cells) > 12 and cells[2] == "image":
            pictures.append((int(cells[0]), int(cells[3]), float(cells[12])))
    names = [line.split()[0].split("+")[-1] for line in embedded.splitlines()[2:] if line.strip()]
    sizes = [(round(float(p.get("width") or 0)), round(float(p.get("height") or 0))) for p in pages]
    return PrintedPdf(texts, pictures, len(pages), names, sizes)


def pages_starting_without_a_number(pdf: PrintedPdf) -> list[str]:
    """Pages whose table, under its repeated header, starts with a row that has no 序号: the tail of a
    row broken across pages. The table's text is serif (表格文字), its header and category rows sans."""
    found = []
    for number in range(1, pdf.pages + 1):
        texts = [t for t in pdf.texts if t.page == number]
        header = next((t for t in texts if t.text.strip() == "序号"), None)
        if header is None:
            continue
        headings = {round(t.top) for t in texts if "Sans" in t.font}  # the header's lines, a category's row
        body = [t for t in texts if t.top > header.top + 1 and "Serif" in t.font and t.size < 10 and round(t.top) not in headings]
        if not body:
            continue
        first = min(body, key=lambda t: t.top)
        numbered = any(
            abs(t.top - first.top) <= 3 and re.match(r"\d+", t.text.strip()) and t.left < header.left + header.width for t in body
        )
        if not numbered:
            found.append(f"page {number} starts with {first.text!r}")
    return found
