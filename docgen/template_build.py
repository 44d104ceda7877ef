"""Write the default Word templates of docgen/templates/ (`python -m docgen.template_build`).

The templates are ordinary .docx files with docxtpl tags (`{{ r.name }}`, `{%tr for r in rows %}`):
staff may open them in Word, change wording, column widths or fonts, and put them back; the code
only supplies the values named in each template. Run this module again only to reset them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from docx import Document as new_document
from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from docgen import page
from docgen.forms import SPECS, TEMPLATES, FilingForm

#: (column heading, width in mm, cell expression) of each table form; widths add up to 225 mm.
#: The widths are where a template starts: a filing sets them from its content (docgen.columns).
Columns = Sequence[tuple[str, float, str]]

REGISTRATION: Columns = (
    ("序号", 10, "{{ r.no }}"), ("职权编码", 26, "{{ r.code }}"), ("职权名称", 30, "{{ r.name }}"),
    ("职权类别", 13, "{{ r.category }}"), ("行使方式", 13, "{{ r.mode }}"),
    ("职权依据（条文）", 48, "{{ r.basis }}"), ("公开的内容、范围、形式、时限", 33, "{{ r.disclosure }}"),
    ("收费依据及标准", 20, "{{ r.fee }}"), ("清理状态", 12, "{{ r.status }}"),
    ("备注（不公开理由、公示意见）", 20, "{{ r.notes }}"),
)  # fmt: skip
CATALOG: Columns = (
    ("序号", 8, "{{ r.no }}"), ("职权编码", 24, "{{ r.code }}"), ("职权名称", 28, "{{ r.name }}"),
    ("职权依据（条文）", 56, "{{ r.basis }}"), ("职权行使责任人（岗位：承办环节）", 34, "{{ r.posts }}"),
    ("公开范围", 12, "{{ r.scope }}"), ("公开形式", 17, "{{ r.form }}"), ("公开时限", 16, "{{ r.deadline }}"),
    ("收费依据及标准", 14, "{{ r.fee }}"), ("办理时限", 16, "{{ r.time_limit }}"),
)  # fmt: skip
CONFIDENTIAL: Columns = (
    ("序号", 12, "{{ r.no }}"), ("职权编码", 30, "{{ r.code }}"), ("项目名称", 45, "{{ r.name }}"),
    ("类别", 20, "{{ r.category }}"), ("不公开理由", 50, "{{ r.reason }}"), ("保密依据", 48, "{{ r.basis }}"),
    ("知悉范围", 20, "{{ r.scope }}"),
)  # fmt: skip
OPERATION_RECORDS: Columns = (
    ("序号", 10, "{{ r.no }}"), ("职权名称（编码）", 32, "{{ r.power }}"), ("运行网络", 18, "{{ r.network }}"),
    ("办理事项", 30, "{{ r.subject }}"), ("申请人", 18, "{{ r.applicant }}"), ("决策", 32, "{{ r.decision }}"),
    ("执行", 32, "{{ r.execution }}"), ("结果", 32, "{{ r.result }}"), ("公开范围", 21, "{{ r.scope }}"),
)  # fmt: skip
FUNCTIONS: Columns = (
    ("序号", 10, "{{ r.no }}"), ("职能（三定方案）", 45, "{{ r.function }}"), ("职权编码", 26, "{{ r.code }}"),
    ("职权名称", 34, "{{ r.name }}"), ("职权依据（条文）", 50, "{{ r.basis }}"), ("实施主体", 24, "{{ r.subject }}"),
    ("对应情况", 36, "{{ r.finding }}"),
)  # fmt: skip
#: forms whose rows come in groups, each under a heading row (`g.label`)
GROUPED = frozenset({FilingForm.CATALOG, FilingForm.FUNCTIONS})
POSTS: Columns = (
    ("序号", 8, "{{ r.no }}"), ("科室", 20, "{{ r.office }}"), ("岗位", 18, "{{ r.post }}"),
    ("责任人", 14, "{{ r.holder }}"), ("岗位职责", 36, "{{ r.duties }}"), ("承办的职权（编码）", 50, "{{ r.powers }}"),
    ("承办环节及办理时限", 45, "{{ r.steps }}"), ("在办环节", 14, "{{ r.open }}"), ("电子监察预警", 20, "{{ r.alarms }}"),
)  # fmt: skip
TABLES: dict[FilingForm, Columns] = {
    FilingForm.REGISTRATION: REGISTRATION,
    FilingForm.CATALOG: CATALOG,
    FilingForm.CONFIDENTIAL: CONFIDENTIAL,
    FilingForm.OPERATION_RECORDS: OPERATION_RECORDS,
    FilingForm.FUNCTIONS: FUNCTIONS,
    FilingForm.POSTS: POSTS,
}
SIGNATURES = "单位主要负责人（签字）：　　　　　　　　填表人：　　　　　　　　联系电话："


def _paragraph_style(doc: Document, name: str, font: str, size: Pt, *, bold: bool = False) -> None:
    style = doc.styles[name] if name in [s.name for s in doc.styles] else doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = doc.styles["Normal"]
    page.set_fonts(style.element, font)
    style.font.size = size
    style.font.bold = bold
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)


def _styles(doc: Document) -> None:
    """Body 3号 仿宋_GB2312 on the 28.95 pt grid; title 2号 方正小标宋简体; tables 小五."""
    _paragraph_style(doc, "Normal", page.BODY_FONT, page.SIZE_3)
    normal = doc.styles["Normal"].paragraph_format
    normal.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.line_spacing = page.BODY_LINE_SPACING
    _paragraph_style(doc, "公文标题", page.TITLE_FONT, page.SIZE_2)
    doc.styles["公文标题"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.styles["公文标题"].paragraph_format.line_spacing = Pt(35)
    _paragraph_style(doc, "公文正文", page.BODY_FONT, page.SIZE_3)
    doc.styles["公文正文"].paragraph_format.first_line_indent = Pt(32)
    _paragraph_style(doc, "附件标签", page.HEADING_FONT, page.SIZE_3)  # the plan's 附3、4 … 一件, top left (GB/T 9704 8.x)
    _paragraph_style(doc, "表格说明", page.BODY_FONT, page.SIZE_4)
    doc.styles["表格说明"].paragraph_format.line_spacing = Pt(22)
    page.off_grid(doc.styles["表格说明"].element)
    for name, font, bold in (("表头", page.HEADING_FONT, False), ("表格文字", page.BODY_FONT, False)):
        _paragraph_style(doc, name, font, page.SIZE_SMALL_5, bold=bold)
        fmt = doc.styles[name].paragraph_format
        fmt.line_spacing = page.TABLE_LINE_SPACING  # exactly: CJK fonts' own line height is half as much again
        page.off_grid(doc.styles[name].element)
    doc.styles["表头"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_style(doc, "一件等级", page.HEADING_FONT, page.SIZE_3)  # 一、法律
    _paragraph_style(doc, "一件文件", page.HEADING_FONT, page.SIZE_3)  # 《…》, centred
    doc.styles["一件文件"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph_style(doc, "一件说明", page.BODY_FONT, page.SIZE_5)  # 文号、机关、版本; 引用职权
    doc.styles["一件说明"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for name in ("一件等级", "一件文件", "一件说明"):
        doc.styles[name].paragraph_format.keep_with_next = True
    _paragraph_style(doc, "一件引用", page.BODY_FONT, page.SIZE_5)  # the powers citing an article
    doc.styles["一件引用"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for style in doc.styles:  # Word's built-in styles too: every style names its eastAsia font
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
            if fonts is None or fonts.get(qn("w:eastAsia")) is None:
                page.set_fonts(style.element, page.BODY_FONT)


def _document(landscape: bool) -> Document:
    doc = new_document()
    page.chinese_document(doc)
    _styles(doc)
    section = doc.sections[0]
    page.setup_section(section, landscape=landscape)
    page.add_page_numbers(doc, section)
    for paragraph in doc.paragraphs:  # python-docx's default document starts with an empty one
        paragraph._p.getparent().remove(paragraph._p)
    return doc


def _row(table, texts: Sequence[str], style: str) -> None:  # type: ignore[no-untyped-def]
    cells = table.add_row().cells
    for cell, text in zip(cells, texts, strict=True):
        cell.paragraphs[0].text = text
        cell.paragraphs[0].style = style


def _tag_row(table, tag: str) -> None:  # type: ignore[no-untyped-def]
    """A row holding only a docxtpl `{%tr … %}` tag; docxtpl removes it when rendering."""
    cells = table.add_row().cells
    merged = cells[0].merge(cells[-1])
    merged.paragraphs[0].text = tag
    merged.paragraphs[0].style = "表格文字"


def table_template(form: FilingForm) -> Document:
    columns = TABLES[form]
    doc = _document(landscape=True)
    doc.add_paragraph("{{ attachment }}", style="附件标签")
    doc.add_paragraph(SPECS[form].title, style="公文标题")
    doc.add_paragraph("填报单位（盖章）：{{ unit_name }}　　　　{{ scope_note }}　　　　填报日期：{{ date }}", style="表格说明")
    table = doc.add_table(rows=0, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _row(table, [c[0] for c in columns], "表头")
    if form in GROUPED:  # 按照类别编制: a heading row per category (per part, for 四个对应)
        _tag_row(table, "{%tr for g in groups %}")
        cells = table.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.paragraphs[0].text = "{{ g.label }}"
        merged.paragraphs[0].style = "表头"
    _tag_row(table, "{%tr for r in g.rows %}" if form in GROUPED else "{%tr for r in rows %}")
    _row(table, [c[2] for c in columns], "表格文字")
    _tag_row(table, "{%tr endfor %}")
    if form in GROUPED:
        _tag_row(table, "{%tr endfor %}")
    page.fixed_layout(table, [c[1] for c in columns])
    page.cell_margins(table, page.TABLE_CELL_MARGIN_MM)
    page.mark_rows(table, header_rows=1)
    doc.add_paragraph("{{ summary }}", style="表格说明")
    doc.add_paragraph(SIGNATURES, style="表格说明")
    return doc


def _tag(doc: Document, tag: str) -> None:
    """A paragraph holding only a docxtpl `{%p … %}` tag; docxtpl removes it when rendering."""
    doc.add_paragraph(tag, style="Normal")


def _portrait_heading(doc: Document, title: str, *, condition: str = "") -> None:
    """The plan's label (附3、4 … 一件) top left, then the unit and the filing's title, and the line saying what it holds."""
    doc.add_paragraph("{{ attachment }}", style="附件标签")
    if condition:
        _tag(doc, f"{{%p if {condition} %}}")
    for text in ("{{ unit_name }}", title):
        doc.add_paragraph(text, style="公文标题")
    doc.add_paragraph("{{ scope_note }}{{ summary }}", style="表格说明").alignment = WD_ALIGN_PARAGRAPH.CENTER


def flow_charts_template() -> Document:
    """The chart book's cover (the charts follow, one a page); a single power's chart has none."""
    doc = _document(landscape=False)
    _portrait_heading(doc, "行政权力运行流程图", condition="cover")
    _tag(doc, "{%p if missing %}")
    doc.add_paragraph("以下职权尚未绘制流程图，应予补绘：", style="表格说明")
    _tag(doc, "{%p for m in missing %}")
    doc.add_paragraph("{{ m }}", style="表格说明")
    for tag in ("{%p endfor %}", "{%p endif %}", "{%p endif %}"):
        _tag(doc, tag)
    return doc


def cover_note_template() -> Document:
    doc = _document(landscape=False)
    doc.add_paragraph("{{ unit_name }}关于清权确权工作开展情况的报告", style="公文标题")
    doc.add_paragraph("{{ scope_note }}", style="Normal").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("县政务公开办公室：", style="Normal")
    for text in (
        "按照《关于进一步深化政务公开开展清权确权工作实施方案》的部署，我单位按照“谁行使、谁清理”的原则，"
        "对本单位行使的行政权力进行了全面清理，编制了职权目录和运行流程图。现将有关情况报告如下。{{ public_note }}",
        "一、清理登记情况。{{ counted }}{{ total }}项，其中{{ by_category }}。",
        "二、审核确认情况。{{ by_status }}。",
        "三、目录编制和流程图。编制行政权力目录{{ catalog }}项，绘制运行流程图{{ charts }}幅，"
        "载明了职权名称、依据、责任人和行使规则。{{ missing_charts }}{{ confidential_note }}",
        "四、公开运行情况。登记权力动态运行记录{{ records }}条，按照规定的范围、形式和时限予以公开。",
    ):
        doc.add_paragraph(text, style="公文正文")
    # 正文下空一行编排附件说明 (GB/T 9704 7.3.6); the list, the signature and the date on one page
    doc.add_paragraph("", style="Normal").paragraph_format.keep_with_next = True
    _tag(doc, "{%p for a in attachments %}")
    # 附件：1．…, the next ones under the first name (three full-width spaces are as wide as 附件：)
    listed = doc.add_paragraph("{% if a.label %}{{ a.label }}{% else %}　　　{% endif %}{{ a.text }}", style="公文正文")
    listed.paragraph_format.keep_with_next = True
    _tag(doc, "{%p endfor %}")
    signature = [doc.add_paragraph("", style="Normal")]
    for text in ("{{ unit_name }}", "{{ date }}"):
        p = doc.add_paragraph(text, style="Normal")
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(64)
        signature.append(p)
    for p in signature[:-1]:  # 署名 and 成文日期 on one page
        p.paragraph_format.keep_with_next = True
    return doc


def legal_texts_template() -> Document:
    """一件: the cited articles' full texts by document, the documents by legal rank."""
    doc = _document(landscape=False)
    _portrait_heading(doc, "行政权力依据汇编")
    _tag(doc, "{%p for g in levels %}")
    doc.add_paragraph("{{ g.label }}", style="一件等级")
    _tag(doc, "{%p for d in g.documents %}")
    doc.add_paragraph("{{ d.title }}", style="一件文件")
    doc.add_paragraph("{{ d.meta }}", style="一件说明")
    _tag(doc, "{%p for a in d.articles %}")
    p = doc.add_paragraph("", style="公文正文")
    label = p.add_run("{{ a.label }}")
    page.set_fonts(label._r, page.HEADING_FONT)
    p.add_run("　{{ a.first }}")
    _tag(doc, "{%p for t in a.rest %}")  # an article's further paragraphs (款)
    doc.add_paragraph("{{ t }}", style="公文正文")
    _tag(doc, "{%p endfor %}")
    doc.add_paragraph("{{ a.cited_by }}", style="一件引用")
    for _ in range(3):
        _tag(doc, "{%p endfor %}")
    return doc


def build_templates(target: Path = TEMPLATES) -> list[Path]:
    """Write every default template into `target`; returns the paths written."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for form, spec in SPECS.items():
        if form in TABLES:
            doc = table_template(form)
        elif form is FilingForm.FLOW_CHARTS:
            doc = flow_charts_template()
        elif form is FilingForm.LEGAL_TEXTS:
            doc = legal_texts_template()
        else:
            doc = cover_note_template()
        doc.core_properties.title = spec.title
        doc.core_properties.author = "清权确权"
        path = target / spec.template
        doc.save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build_templates():
        print(path)
