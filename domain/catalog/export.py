"""一表 out: a unit's catalogue (or the county's) as rows, for the viewer, written as xlsx, csv or json.

What a row holds is what `viewer` may see (access.power_q): the PUBLIC version is the same call with
the public viewer, and says so in its title and metadata.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.expressions import Subquery

from domain import access
from domain.catalog.cells import append_text_row, csv_row, print_setup
from domain.catalog.citations import Citation
from domain.enums import DisclosureTiming, LabelledEnum, Network, PowerCategory, Role
from domain.ids import global_id
from domain.library.normalize import clean_text
from domain.loop_models import NetworkPower
from domain.models import Power, PowerBasis, Unit
from domain.rules import INACTIVE


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"

    @property
    def media_type(self) -> str:
        return {
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "csv": "text/csv; charset=utf-8",
            "json": "application/json",
        }[self.value]


#: Left out of a catalogue: powers that have left it (废止 / 剔除).
CLOSED = INACTIVE  # withdrawn powers: in no catalogue
#: (field, column header) in sheet order; the headers are the first names sheets.HEADERS knows.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "职权编码"),
    ("name", "职权名称"),
    ("category", "职权类别"),
    ("exercise_mode", "行使方式"),
    ("unit", "实施主体"),
    ("basis", "设定依据"),
    ("time_limit", "办理时限"),
    ("fee_basis", "收费依据"),
    ("fee_standard", "收费标准"),
    ("disclosure_scope", "公开范围"),
    ("disclosure_form", "公开形式"),
    ("disclosure_deadline", "公开时限"),
    ("confidential", "涉密"),
    ("description", "说明"),
    ("status", "状态"),
)


@dataclass
class CatalogRow:
    code: str
    name: str
    category: str
    exercise_mode: str
    unit: str
    unit_code: str
    bases: list[str]
    time_limit: str
    time_limit_days: int | None
    fee_basis: str
    fee_standard: str
    disclosure_scope: str
    disclosure_form: str
    disclosure_deadline: str
    confidential: bool
    description: str
    status: str
    updated_at: datetime = field(repr=False)
    #: what the open data's format 2 names besides the labels above (to_json)
    power: Power | None = field(default=None, repr=False)

    def cell(self, name: str) -> str:
        if name == "basis":
            return "\n".join(self.bases)
        if name == "confidential":
            return "是" if self.confidential else "否"
        if name == "category":
            return PowerCategory(self.category).label
        return str(getattr(self, name))


@dataclass
class CatalogExport:
    """The rows and what they are: whose catalogue, as which role saw it."""

    title: str
    unit_code: str
    role: Role
    generated_at: datetime
    rows: list[CatalogRow]

    @property
    def public(self) -> bool:
        return self.role is Role.PUBLIC

    @property
    def last_modified(self) -> datetime | None:
        return max((r.updated_at for r in self.rows), default=None)


def deadline_text(timing: DisclosureTiming, deadline: str) -> str:
    """公开时限 as one cell: 及时公开：作出决定之日起7个工作日内 (the importer reads it back)."""
    return clean_text(f"{timing.label}：{deadline}".rstrip("："))


async def catalog_export(
    viewer: access.Viewer, unit: Unit | None, *, generated_at: datetime, network: Network | None = None
) -> CatalogExport:
    """The catalogue of `unit` and its offices (the whole county with None) as `viewer` may see it; with
    `network`, only the powers that run in that one of the 七大网络."""
    query = Power.filter(access.power_q(viewer)).exclude(status__in=CLOSED)
    if unit is not None:
        query = query.filter(unit_id__in=sorted(await access.unit_subtree_ids(unit.id)))
    if network is not None:
        query = query.filter(id__in=Subquery(NetworkPower.filter(network=network).values("power_id")))
    powers = await query.select_related("unit").order_by("unit_id", "code")
    order = {c: i for i, c in enumerate(PowerCategory)}
    powers.sort(key=lambda p: (p.unit.code, order[p.category], p.code))
    bases: dict[int, list[str]] = defaultdict(list)
    for basis in await PowerBasis.filter(power_id__in=[p.id for p in powers]).select_related(
        "article__document"
    ).order_by("power_id", "ordinal", "id"):
        bases[basis.power_id].append(str(Citation(basis.article.document.title, basis.article.label)))
    rows = [
        CatalogRow(
            code=p.code, name=p.name, category=p.category.value, exercise_mode=p.exercise_mode.label,
            unit=p.unit.name, unit_code=p.unit.code, bases=bases[p.id], time_limit=p.time_limit,
            time_limit_days=p.time_limit_days, fee_basis=p.fee_basis, fee_standard=p.fee_standard,
            disclosure_scope=p.disclosure_scope.label, disclosure_form=p.disclosure_form,
            disclosure_deadline=deadline_text(p.disclosure_timing, p.disclosure_deadline), confidential=p.confidential, description=p.description, status=p.status.label,
            updated_at=p.updated_at, power=p,
        )
        for p in powers
    ]  # fmt: skip
    name = (unit.name if unit else "全县") + (network.label if network else "")
    version = "公开版" if viewer.role is Role.PUBLIC else f"{viewer.role.label}版"
    return CatalogExport(f"{name}行政权力清单（{version}）", unit.code if unit else "", viewer.role, generated_at, rows)


def write(export: CatalogExport, fmt: ExportFormat) -> bytes:
    """The export as file content (CPU-bound for big catalogues: call off the event loop)."""
    if fmt is ExportFormat.JSON:
        return to_json(export)
    if fmt is ExportFormat.CSV:
        return to_csv(export)
    return to_xlsx(export)


#: The JSON format's versions: 2 (issue 25) names objects by the API's global ids, in camelCase, each enum by
#: its value with its label beside it; 1 mixed names (`exercise_mode`), labels and values. 2 is the default.
JSON_VERSIONS = (1, 2)


def to_json(export: CatalogExport, version: int = 2) -> bytes:
    if version == 1:
        return _dump({
            "title": export.title, "unit": export.unit_code or None, "role": export.role.value, "public": export.public,
            "generatedAt": export.generated_at.isoformat(), "count": len(export.rows),
            "powers": [
                {**{k: v for k, v in asdict(r).items() if k not in ("updated_at", "power")},
                 "categoryLabel": PowerCategory(r.category).label}
                for r in export.rows
            ],
        })  # fmt: skip
    return _dump({
        "version": 2, "title": export.title, "unitCode": export.unit_code or None, "role": export.role.value,
        "public": export.public, "generatedAt": export.generated_at.isoformat(), "count": len(export.rows),
        "powers": [_power_v2(r) for r in export.rows],
    })  # fmt: skip


def _power_v2(row: CatalogRow) -> dict[str, Any]:
    p = row.power
    assert p is not None
    return {
        "id": global_id("Power", p.id), "code": p.code, "name": p.name,
        **labelled("category", p.category), **labelled("exerciseMode", p.exercise_mode),
        "unit": {"id": global_id("Unit", p.unit_id), "code": row.unit_code, "name": row.unit},
        "bases": row.bases, "timeLimit": row.time_limit, "timeLimitDays": row.time_limit_days,
        "feeBasis": row.fee_basis, "feeStandard": row.fee_standard,
        **labelled("disclosureScope", p.disclosure_scope), "disclosureForm": row.disclosure_form,
        "disclosureDeadline": row.disclosure_deadline, "confidential": row.confidential,
        "description": row.description, **labelled("status", p.status),
    }  # fmt: skip


def labelled(name: str, value: LabelledEnum) -> dict[str, str]:
    """An enum as the API names it, and its Chinese label beside it (open data, webhook payloads)."""
    return {name: value.value, f"{name}Label": value.label}


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def to_csv(export: CatalogExport) -> bytes:
    """The header first, then a row a power: what other programs read (the title is the xlsx's)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["序号", *(header for _, header in COLUMNS)])
    for no, row in enumerate(export.rows, 1):
        writer.writerow(csv_row([no, *(row.cell(name) for name, _ in COLUMNS)]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def to_xlsx(export: CatalogExport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = "权力清单"
    width = len(COLUMNS) + 1
    append_text_row(ws, [export.title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["序号", *(header for _, header in COLUMNS)])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for no, row in enumerate(export.rows, 1):
        append_text_row(ws, [no, *(row.cell(name) for name, _ in COLUMNS)])
    wrap = Alignment(wrap_text=True, vertical="top")
    # widths (characters; a Chinese one takes two) summing to ~170: fitted to a landscape A4, text prints at ~9 pt
    # (the widths of old, 322 in all, printed it at 3–4 pt); long cells wrap
    for col, size in zip("ABCDEFGHIJKLMNOP", (4, 16, 20, 8, 7, 10, 26, 10, 8, 8, 8, 8, 10, 4, 12, 7), strict=True):
        ws.column_dimensions[col].width = size
    for cells in ws.iter_rows(min_row=3):
        for cell in cells:
            cell.alignment = wrap
    ws.freeze_panes = "A3"
    print_setup(ws, header_row=2, last_column=width)
    meta = book.create_sheet("说明")
    for pair in (
        ("标题", export.title),
        ("单位编码", export.unit_code or "全县"),
        ("角色", f"{export.role.value}（{export.role.label}）"),
        ("公开版", "是" if export.public else "否（含非公开内容，不得对外提供）"),
        ("生成时间", export.generated_at.isoformat()),
        ("职权数", str(len(export.rows))),
    ):
        append_text_row(meta, pair)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
