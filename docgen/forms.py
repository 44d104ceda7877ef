"""The filings staff hand in (the plan's 附3–附7, the 一图 and the 文字材料), and their templates."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.enums import LabelledEnum

TEMPLATES = Path(__file__).resolve().parent / "templates"


class FilingForm(LabelledEnum):
    REGISTRATION = ("REGISTRATION", "附3、4 行政权力清理汇总登记表")
    CATALOG = ("CATALOG", "附5 行政权力目录表")
    CONFIDENTIAL = ("CONFIDENTIAL", "附6 涉密不宜公开权力目录")
    OPERATION_RECORDS = ("OPERATION_RECORDS", "附7 权力动态运行情况登记表")
    FLOW_CHARTS = ("FLOW_CHARTS", "一图 行政权力运行流程图")
    COVER_NOTE = ("COVER_NOTE", "文字材料 清权确权工作开展情况的报告")


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
}


def filename(form: FilingForm, unit_code: str, power_code: str | None = None) -> str:
    """`36072308-CATALOG.docx`, or with a power `36072308XK-0001-FLOW_CHARTS.docx`."""
    return f"{power_code or unit_code}-{form.value}.docx"
