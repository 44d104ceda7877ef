"""The filings staff hand in (the plan's 附3–附7, the 一图 and the 文字材料), and their templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.enums import LabelledEnum
from domain.filenames import safe_filename

TEMPLATES = Path(__file__).resolve().parent / "templates"


class FilingForm(LabelledEnum):
    REGISTRATION = ("REGISTRATION", "附3、4 行政权力清理汇总登记表")
    CATALOG = ("CATALOG", "附5 行政权力目录表")
    CONFIDENTIAL = ("CONFIDENTIAL", "附6 涉密不宜公开权力目录")
    OPERATION_RECORDS = ("OPERATION_RECORDS", "附7 权力动态运行情况登记表")
    FLOW_CHARTS = ("FLOW_CHARTS", "一图 行政权力运行流程图")
    COVER_NOTE = ("COVER_NOTE", "文字材料 清权确权工作开展情况的报告")
    LEGAL_TEXTS = ("LEGAL_TEXTS", "一件 行政权力依据汇编（所引条文全文）")
    FUNCTIONS = ("FUNCTIONS", "四个对应 职权与依据、主体、职能对应情况审查表（单位工作人员和监督人员）")
    POSTS = ("POSTS", "岗位职责及承办职权表（附2式：每个岗位的责任人、职责和承办的职权、环节）")


@dataclass(frozen=True)
class FormSpec:
    """How a form is printed: its template file, title, and whether its pages are landscape."""

    template: str
    title: str
    landscape: bool

    @property
    def path(self) -> Path:
        return TEMPLATES / self.template


SPECS: dict[FilingForm, FormSpec] = {
    FilingForm.REGISTRATION: FormSpec("registration.docx", "行政权力清理汇总登记表", True),
    FilingForm.CATALOG: FormSpec("catalog.docx", "行政权力目录表", True),
    FilingForm.CONFIDENTIAL: FormSpec("confidential.docx", "涉密不宜公开权力目录", True),
    FilingForm.OPERATION_RECORDS: FormSpec("operation_records.docx", "权力动态运行情况登记表", True),
    FilingForm.FLOW_CHARTS: FormSpec("flow_charts.docx", "行政权力运行流程图", False),
    FilingForm.COVER_NOTE: FormSpec("cover_note.docx", "清权确权工作开展情况的报告", False),
    FilingForm.LEGAL_TEXTS: FormSpec("legal_texts.docx", "行政权力依据汇编", False),
    FilingForm.FUNCTIONS: FormSpec("functions.docx", "职权与依据、主体、职能对应情况审查表", True),
    FilingForm.POSTS: FormSpec("posts.docx", "岗位职责及承办职权表", True),
}

#: the covering note's attachments, in its order; 附6 only in the full version
ATTACHMENTS = (
    FilingForm.REGISTRATION,
    FilingForm.CATALOG,
    FilingForm.CONFIDENTIAL,
    FilingForm.OPERATION_RECORDS,
    FilingForm.FLOW_CHARTS,
    FilingForm.LEGAL_TEXTS,
)
#: what the plan calls each filing (附3–附7 are its appendices; 一图 and 一件 its words for the charts and
#: the texts): the label top left of a filing, in the covering note's list and in the file's name
PLAN_LABELS = {
    FilingForm.REGISTRATION: "附3、4",
    FilingForm.CATALOG: "附5",
    FilingForm.CONFIDENTIAL: "附6",
    FilingForm.OPERATION_RECORDS: "附7",
    FilingForm.FLOW_CHARTS: "一图",
    FilingForm.LEGAL_TEXTS: "一件",
}


def attachments(*, full: bool) -> list[FilingForm]:
    """The forms the covering note attaches: the public version has no 附6."""
    return [f for f in ATTACHMENTS if full or f is not FilingForm.CONFIDENTIAL]


def filename(
    form: FilingForm, unit_name: str, power_code: str | None = None, network: str | None = None, suffix: str = ".docx"
) -> str:
    """`大余县国土资源局行政权力目录表(附5).docx`; a power's chart `…行政权力运行流程图(36072308XK-0001).docx`;
    one network's 附7 `…公共服务网权力动态运行情况登记表(附7).docx` (`.pdf` alike): always one safe path
    component (domain.filenames), whatever the names and codes hold."""
    label = power_code or PLAN_LABELS.get(form)
    return safe_filename(f"{unit_name}{network or ''}{SPECS[form].title}{f'（{label}）' if label else ''}{suffix}")
