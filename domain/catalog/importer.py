"""一表 in: another system's sheet read into a unit's powers (DRAFT), or kept as another place's
reference catalogue. Every row gets a fate; a dry run, or a run that fails, writes nothing."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum

from tortoise.transactions import in_transaction

from domain import access, codes
from domain.audit import record
from domain.catalog import meaning
from domain.catalog.citations import Citation, article_number, link_citations, parse_citations
from domain.catalog.export import CLOSED
from domain.catalog.meaning import NameEmbedding
from domain.catalog.models import ReferenceCatalog, ReferencePower
from domain.catalog.sheets import Sheet, category_of, group_heading, read_sheet
from domain.enums import DisclosureScope, DisclosureTiming, ExerciseMode, PowerCategory, Role
from domain.errors import FieldError, NotFound, ValidationFailed, Validator
from domain.models import LegalArticle, Power, Unit
from domain.services.bases import BasisData, create_basis
from domain.services.powers import PowerData, create_power
from domain.workdays import check_day_count

#: Bigger files are refused before they are parsed.
MAX_FILE_BYTES = 10 * 1024 * 1024
NAME_LIMIT = 300
#: Rows imported between two turns of the event loop (a refused or matched row awaits nothing).
YIELD_EVERY = 200
_DAYS = re.compile(r"([0-9零〇一二三四五六七八九十百两]+)\s*个?\s*(工作日|日|天)")
_AT_ONCE = re.compile(r"即办|当场|当即|立即")
_NAME_NOISE = re.compile(r"[\s\u3000（）()【】\[\]“”\"'、，,。.：:；;]+")


class RowFate(StrEnum):
    CREATED = "CREATED"
    MATCHED = "MATCHED"
    REFUSED = "REFUSED"


@dataclass
class RowReport:
    row: int
    fate: RowFate
    name: str
    code: str = ""
    reasons: list[str] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    target: str  # unit code, or the reference's place
    dry_run: bool
    headers: dict[str, str]
    unknown_headers: list[str]
    rows: list[RowReport] = field(default_factory=list)

    def count(self, fate: RowFate) -> int:
        return sum(1 for r in self.rows if r.fate is fate)


@dataclass
class SheetRow:
    """One data row, read and checked, before anything is written."""

    row: int
    name: str
    code: str
    category: PowerCategory | None
    category_text: str
    unit_name: str
    basis_text: str
    citations: list[Citation]
    time_limit: str
    time_limit_days: int | None
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)  # the row is refused, wherever it goes
    category_problem: str = ""  # refused as one of our powers; another place's categories are theirs

    @property
    def problems_as_ours(self) -> list[str]:
        return [*self.problems, self.category_problem] if self.category_problem else self.problems


def name_key(name: str) -> str:
    """A power name as compared: NFKC, no spaces, brackets or punctuation."""
    return _NAME_NOISE.sub("", unicodedata.normalize("NFKC", name))


def time_limit_days(text: str) -> int | None:
    """承诺5个工作日 → 5, 即办 → 0, 二十日 → 20; None if the text names no days."""
    if _AT_ONCE.search(text or ""):
        return 0
    m = _DAYS.search(unicodedata.normalize("NFKC", text or ""))
    return article_number(m[1]) if m else None


def sheet_rows(sheet: Sheet) -> list[SheetRow]:
    """The data rows with their problems; rows that only head a category (一、行政许可) are not rows."""
    col = sheet.columns

    def get(cells: list[str], name: str) -> str:
        i = col.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    group: PowerCategory | None = None
    seen: dict[str, int] = {}
    rows: list[SheetRow] = []
    for number, cells in sheet.rows:
        distinct = {c for c in cells if c}
        if len(distinct) == 1 and (heading := group_heading(next(iter(distinct)))) is not None:
            group = heading
            continue
        name = re.sub(r"\s+", "", get(cells, "name"))
        category_text = get(cells, "category")
        category = category_of(category_text) if category_text else group
        basis = get(cells, "basis")
        limit = get(cells, "time_limit")
        row = SheetRow(
            number, name, get(cells, "code"), category, category_text or (group.label if group else ""),
            get(cells, "unit"), basis, parse_citations(basis), limit, time_limit_days(limit),
            {k: get(cells, k) for k in col},
        )  # fmt: skip
        limit_check = Validator()
        check_day_count(limit_check, "time_limit", "办理时限", row.time_limit_days)
        row.problems += [e.message for e in limit_check.errors]
        if not name:
            row.problems.append("缺少职权名称 (no power name)")
        elif len(name) > NAME_LIMIT:
            row.problems.append(f"职权名称超过 {NAME_LIMIT} 个字符 (name too long)")
        elif name_key(name) in seen:
            row.problems.append(f"与第 {seen[name_key(name)]} 行重名 (same name as row {seen[name_key(name)]})")
        else:
            seen[name_key(name)] = number
        if category is None:
            row.category_problem = f"职权类别无法识别：「{category_text}」 (unknown category)" if category_text else "缺少职权类别 (no category)"
        if formulas := [sheet.headers[k] for k, i in col.items() if (number, i) in sheet.uncalculated]:
            row.problems.append(
                f"「{'」「'.join(formulas)}」是没有计算结果的公式，请先在表格程序中把公式转为数值 "
                f"(a formula without a value in {', '.join(formulas)}: paste the cells as values first)"
            )
        rows.append(row)
    return rows


def _sheet_and_rows(filename: str, data: bytes, mapping: Mapping[str, str] | None) -> tuple[Sheet, list[SheetRow]]:
    sheet = read_sheet(filename, data, mapping)
    return sheet, sheet_rows(sheet)


async def _read(filename: str, data: bytes, mapping: Mapping[str, str] | None) -> tuple[Sheet, list[SheetRow]]:
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed([FieldError("file", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB (file too large)", "too_large")])
    if not data:
        raise ValidationFailed([FieldError("file", "文件为空 (empty file)", "required")])
    # reading the sheet and checking its rows is CPU-bound (seconds for a full catalogue): off the loop
    return await asyncio.to_thread(_sheet_and_rows, filename, data, mapping)


class _DryRun(Exception):
    """Raised at the end of a dry run to roll everything back."""


def _enum_by_label(enum_type: type[Enum], text: str, default: Enum) -> Enum:
    for member in enum_type:
        if text and text in (member.value, getattr(member, "label", "")):
            return member
    return default


def _disclosure_timing(text: str) -> tuple[DisclosureTiming, str]:
    """长期公开：变更后二十个工作日内更新 → (LONG_TERM, 变更后二十个工作日内更新), as the export writes it."""
    head, sep, rest = text.partition("：")
    for timing in DisclosureTiming:
        if head.strip() == timing.label:
            return timing, rest.strip() if sep else ""
    return DisclosureTiming.LONG_TERM, text


#: Told on every row whose code was not kept, whoever imports and whatever holds the code.
CODE_NOT_KEPT = (
    "表中编码未采用，已依序分配新编码（仅系统管理员导入时保留本单位、本类别的标准编码） "
    "(the sheet's code was not kept and the next one was allocated: only an administrator's import "
    "keeps a standard code of this unit and category)"
)


def _kept_code(viewer: access.Viewer, unit: Unit, row: SheetRow) -> str:
    """The sheet's code if the power keeps it: exactly a code of this unit and category, and only in an
    admin's import. Anyone else's rows get the next serial, as createPower gives them (a kept code
    could be refused as taken by a power the importer may not see: that answer would tell it exists)."""
    assert row.category is not None
    keep = viewer.role == Role.ADMIN and codes.power_code_problem(row.code, unit.code, row.category) is None
    return row.code if keep else ""


def _power_data(viewer: access.Viewer, unit: Unit, row: SheetRow, unlinked: list[str]) -> PowerData:
    values = row.values
    timing, deadline = _disclosure_timing(values.get("disclosure_deadline", ""))
    note = f"设定依据（文库中未找到对应条文）：{'；'.join(unlinked)}" if unlinked else ""
    description = "\n".join(t for t in (values.get("description", ""), note) if t)
    assert row.category is not None
    return PowerData(
        unit_id=unit.id, name=row.name, category=row.category, code=_kept_code(viewer, unit, row),
        exercise_mode=_enum_by_label(ExerciseMode, values.get("exercise_mode", ""), ExerciseMode.EXCLUSIVE),  # type: ignore[arg-type]
        description=description, confidential=values.get("confidential", "") in ("是", "涉密", "Y", "y", "true"),
        disclosure_scope=_enum_by_label(DisclosureScope, values.get("disclosure_scope", ""), DisclosureScope.PUBLIC),  # type: ignore[arg-type]
        disclosure_form=values.get("disclosure_form", "")[:200], disclosure_timing=timing, disclosure_deadline=deadline[:200],
        fee_basis=values.get("fee_basis", ""),
        fee_standard=values.get("fee_standard", ""), time_limit=row.time_limit[:200], time_limit_days=row.time_limit_days,
    )  # fmt: skip


async def import_into_unit(
    viewer: access.Viewer, unit_code: str, filename: str, data: bytes,
    *, mapping: Mapping[str, str] | None = None, dry_run: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> ImportResult:  # fmt: skip
    """Read a sheet into the unit's powers: new ones as DRAFT, known ones (same code or name) matched.
    `progress(done, total)` is called after each row."""
    unit = await Unit.get_or_none(code=unit_code.strip())
    if unit is None:
        raise NotFound(f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})")
    access.require_unit_content(viewer, unit.id)
    sheet, rows = await _read(filename, data, mapping)
    result = ImportResult(unit.code, dry_run, sheet.headers, sheet.unknown_headers)
    articles = await link_citations([c for r in rows for c in r.citations])
    unit_ids = sorted(await access.unit_subtree_ids(unit.id))
    # a power that left the catalogue (废止 / 剔除) is not matched: a row naming it again is a new DRAFT
    existing = await Power.filter(access.power_q(viewer), unit_id__in=unit_ids).exclude(status__in=CLOSED).only("id", "code", "name")
    by_code = {p.code: p for p in existing}
    by_name = {name_key(p.name): p for p in existing}
    try:
        async with in_transaction():
            for done, row in enumerate(rows, 1):
                result.rows.append(await _import_row(viewer, unit, row, articles, by_code, by_name))
                if progress is not None:
                    progress(done, len(rows))
                if done % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # refused and matched rows await nothing: let others run
            if result.count(RowFate.CREATED):
                await record(viewer, "catalog.import", "unit", unit.id, filename=filename,
                             created=result.count(RowFate.CREATED), matched=result.count(RowFate.MATCHED),
                             refused=result.count(RowFate.REFUSED))  # fmt: skip
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


async def _import_row(
    viewer: access.Viewer, unit: Unit, row: SheetRow, articles: Mapping[tuple[str, int | None], LegalArticle],
    by_code: dict[str, Power], by_name: dict[str, Power],
) -> RowReport:  # fmt: skip
    report = RowReport(row.row, RowFate.REFUSED, row.name, row.code, list(row.problems_as_ours))
    for citation in row.citations:
        (report.linked if citation.key in articles else report.unlinked).append(str(citation))
    if report.reasons:
        return report
    known = by_code.get(row.code) if row.code else None
    known = known or by_name.get(name_key(row.name))
    if known is not None:
        report.fate, report.code = RowFate.MATCHED, known.code
        report.reasons.append(f"与已有职权 {known.code} 相同 (matches an existing power)")
        return report
    try:
        # a savepoint per row: a refused row leaves the rows before it in place
        async with in_transaction():
            power = await create_power(viewer, _power_data(viewer, unit, row, report.unlinked))
            for article in dict.fromkeys(articles[c.key] for c in row.citations if c.key in articles):
                await create_basis(viewer, BasisData(power_id=power.id, article_id=article.id))
    except ValidationFailed as exc:
        report.reasons.extend(f"{e.field}: {e.message}" for e in exc.errors)
        return report
    report.fate, report.code = RowFate.CREATED, power.code
    if row.code and power.code != row.code:
        report.reasons.append(CODE_NOT_KEPT)
    by_name[name_key(row.name)] = by_code[power.code] = power
    return report


async def import_reference(
    viewer: access.Viewer, place: str, filename: str, data: bytes,
    *, mapping: Mapping[str, str] | None = None, dry_run: bool = False, embedding: NameEmbedding | None = None,
) -> ImportResult:  # fmt: skip
    """Keep another place's catalogue (replacing an earlier one of the same place) to compare with;
    with `embedding`, each item keeps its name's vector (对照 by meaning reads it)."""
    access.require_admin(viewer)
    place = place.strip()
    if not place or len(place) > 100:
        raise ValidationFailed([FieldError("place", "地方名称应为 1–100 个字符 (place must be 1–100 characters)", "invalid")])
    sheet, rows = await _read(filename, data, mapping)
    result = ImportResult(place, dry_run, sheet.headers, sheet.unknown_headers)
    # a report and a model object per row: a second or more for a full catalogue, off the event loop
    result.rows, kept = await asyncio.to_thread(_reference_rows, rows)
    if dry_run:
        return result
    if embedding is not None and kept:  # the longest part of a large list's import: off the event loop
        names = [name_key(item.name) for item in kept]
        for item, vector in zip(kept, await asyncio.to_thread(meaning.vectors, embedding, names), strict=True):
            item.name_vector = vector.astype("float32").tobytes()
    async with in_transaction():
        await ReferenceCatalog.filter(place=place).delete()
        catalog = await ReferenceCatalog.create(
            place=place, source_name=filename[:300], imported_by=viewer.name,
            vector_model=embedding.model if embedding is not None and kept else "",
        )  # fmt: skip
        for item in kept:
            item.catalog = catalog
        await ReferencePower.bulk_create(kept, batch_size=500)
        await record(viewer, "catalog.reference_import", "reference_catalog", catalog.id, place=place, rows=len(kept))
    return result


def _reference_rows(rows: list[SheetRow]) -> tuple[list[RowReport], list[ReferencePower]]:
    reports: list[RowReport] = []
    kept: list[ReferencePower] = []
    for row in rows:
        # another place's categories are theirs: an unknown one is kept as text, not refused
        problems = row.problems
        report = RowReport(row.row, RowFate.REFUSED if problems else RowFate.CREATED, row.name, row.code, problems)
        report.linked = [str(c) for c in row.citations]
        reports.append(report)
        if not problems:
            kept.append(ReferencePower(
                row=row.row, code=row.code[:100], name=row.name, category=row.category,
                category_text=row.category_text[:100], unit_name=row.unit_name[:200], basis_text=row.basis_text,
                citations=[list(c.key) for c in row.citations], time_limit=row.time_limit[:200],
                time_limit_days=row.time_limit_days,
            ))  # fmt: skip
    return reports, kept
