"""一表 in: another system's sheet read into a unit's powers, or kept as another place's reference
catalogue. Every row gets a fate: CREATED (a new DRAFT, with the powers it may duplicate:
domain.catalog.duplicates), MATCHED (a known power, the same), CHANGED (a known power the row says
something else of: domain.catalog.changes) or REFUSED, with the reasons. A dry run, a run that fails,
or an all-or-nothing run with a refused row writes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tortoise.transactions import in_transaction

from domain import access, codes
from domain.audit import record
from domain.catalog import changes, meaning
from domain.catalog.changes import ArticleKey, ChangeRoute, CitedBasis, FieldChange, cited_bases, differences
from domain.catalog.citations import Citation, link_citations
from domain.catalog.duplicates import Duplicates, PossibleDuplicate
from domain.catalog.export import CLOSED
from domain.catalog.meaning import NameEmbedding
from domain.catalog.models import ReferenceCatalog, ReferencePower
from domain.catalog.rows import SheetRow, name_key, sheet_rows, stated
from domain.catalog.sheets import Sheet, read_sheet
from domain.enums import Role
from domain.errors import DomainError, FieldError, NotFound, ValidationFailed
from domain.models import LegalArticle, Power, Unit
from domain.services.bases import BasisData, create_basis
from domain.services.powers import PowerData, create_power

#: Bigger files are refused before they are parsed.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Rows imported between two turns of the event loop (a refused or matched row awaits nothing).
YIELD_EVERY = 200


class RowFate(StrEnum):
    CREATED = "CREATED"
    MATCHED = "MATCHED"
    CHANGED = "CHANGED"
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
    #: a matched row's differences (CHANGED, or REFUSED when they could not be applied)
    changes: list[FieldChange] = field(default_factory=list)
    #: how the changes were applied (None: reported only), and the revision's draft that holds them
    applied: ChangeRoute | None = None
    draft_code: str = ""
    #: a new row's possible duplicates among the powers the importer may see
    duplicates: list[PossibleDuplicate] = field(default_factory=list)


@dataclass
class ImportResult:
    target: str  # unit code, or the reference's place
    dry_run: bool
    headers: dict[str, str]
    unknown_headers: list[str]
    rows: list[RowReport] = field(default_factory=list)
    apply_changes: bool = False
    all_or_nothing: bool = False
    #: whether anything was written: not in a dry run, nor when all-or-nothing met a refused row
    written: bool = False

    def count(self, fate: RowFate) -> int:
        return sum(1 for r in self.rows if r.fate is fate)

    @property
    def rolled_back(self) -> bool:
        """All-or-nothing met a refused row: nothing was written."""
        return self.all_or_nothing and not self.dry_run and not self.written


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
    note = f"设定依据（文库中未找到对应条文）：{'；'.join(unlinked)}" if unlinked else ""
    description = "\n".join(t for t in (row.values.get("description", ""), note) if t)
    confidential = row.values.get("confidential", "") in ("是", "涉密", "Y", "y", "true")
    return PowerData(unit_id=unit.id, code=_kept_code(viewer, unit, row), description=description,
                     confidential=confidential, **stated(row))  # fmt: skip


async def import_into_unit(
    viewer: access.Viewer, unit_code: str, filename: str, data: bytes,
    *, mapping: Mapping[str, str] | None = None, dry_run: bool = False, apply_changes: bool = False,
    all_or_nothing: bool = False, progress: Callable[[int, int], object] | None = None,
) -> ImportResult:  # fmt: skip
    """Read a sheet into the unit's powers: new ones as DRAFT (with the visible powers they may
    duplicate), known ones (same code or name) MATCHED, or CHANGED where the row says something else of
    them — applied with `apply_changes` (domain.catalog.changes). With `all_or_nothing` one refused row
    leaves everything unwritten. `progress(done, total)` is called after each row."""
    unit = await Unit.get_or_none(code=unit_code.strip())
    if unit is None:
        raise NotFound(f"没有编码为 {unit_code} 的单位 (no unit with code {unit_code})")
    access.require_unit_content(viewer, unit.id)
    sheet, rows = await _read(filename, data, mapping)
    result = ImportResult(unit.code, dry_run, sheet.headers, sheet.unknown_headers,
                          apply_changes=apply_changes, all_or_nothing=all_or_nothing)  # fmt: skip
    run = await _UnitImport.start(viewer, unit, filename, rows, apply_changes)
    try:
        async with in_transaction():
            for done, row in enumerate(rows, 1):
                result.rows.append(await run.row(row))
                if progress is not None:
                    progress(done, len(rows))
                if done % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # refused and matched rows await nothing: let others run
            refused = result.count(RowFate.REFUSED)
            if dry_run or (all_or_nothing and refused):
                raise _DryRun
            if result.count(RowFate.CREATED) or run.applied:
                await record(viewer, "catalog.import", "unit", unit.id, filename=filename,
                             created=result.count(RowFate.CREATED), matched=result.count(RowFate.MATCHED),
                             changed=result.count(RowFate.CHANGED), applied=run.applied, refused=refused)  # fmt: skip
        result.written = True
    except _DryRun:
        pass
    return result


NOT_APPLIED = (
    "与已有职权 {code} 有 {n} 处不同，未采用：采用变更请选 applyChanges（命令行 --apply-changes） "
    "(differs from {code} in {n} fields: not applied without applyChanges / --apply-changes)"
)
EDITED = "已修改清理登记中的职权 {code} (the DRAFT {code} was edited)"
REVISED = (
    "变更已写入修订 {draft}：经单位申报、审核通过后生效，此前公众仍看到公开的版本 "
    "(revision {draft} holds the changes: declared and reviewed before the public sees them)"
)
TWICE = "本次导入的第 {row} 行已修改该职权，未再修改 (row {row} of this sheet already changed this power)"


class _UnitImport:
    """One import into a unit: what it matches rows with, and what it has done so far."""

    def __init__(
        self, viewer: access.Viewer, unit: Unit, filename: str, articles: Mapping[ArticleKey, LegalArticle],
        existing: list[Power], apply_changes: bool,
    ) -> None:  # fmt: skip
        self.viewer, self.unit, self.filename, self.articles = viewer, unit, filename, articles
        self.by_code = {p.code: p for p in existing}
        self.by_name = {name_key(p.name): p for p in existing}
        self.apply_changes = apply_changes
        self.bases: dict[int, list[CitedBasis]] = {}
        self.duplicates = Duplicates()
        self.changed_by: dict[int, int] = {}  # power id → the row that changed it
        self.applied = 0

    @classmethod
    async def start(
        cls, viewer: access.Viewer, unit: Unit, filename: str, rows: list[SheetRow], apply_changes: bool
    ) -> _UnitImport:
        articles = await link_citations([c for r in rows for c in r.citations])
        unit_ids = sorted(await access.unit_subtree_ids(unit.id))
        # a power that left the catalogue (废止 / 剔除) is not matched: a row naming it again is a new DRAFT
        existing = await Power.filter(access.power_q(viewer), unit_id__in=unit_ids).exclude(status__in=CLOSED).only(*changes.READ)
        run = cls(viewer, unit, filename, articles, existing, apply_changes)
        matched: set[int] = set()
        new_keys: set[ArticleKey] = set()  # what rows without a match cite: their possible duplicates do too
        for row in rows:
            if row.problems_as_ours:
                continue
            if (known := run.match(row)) is not None:
                matched.add(known.id)
            else:
                new_keys.update(c.key for c in row.citations if c.key in articles)
        run.bases = await cited_bases(sorted(matched))
        run.duplicates = await Duplicates.citing(viewer, new_keys)
        return run

    def match(self, row: SheetRow) -> Power | None:
        known = self.by_code.get(row.code) if row.code else None
        return known or self.by_name.get(name_key(row.name))

    async def row(self, row: SheetRow) -> RowReport:
        report = RowReport(row.row, RowFate.REFUSED, row.name, row.code, list(row.problems_as_ours))
        for citation in row.citations:
            (report.linked if citation.key in self.articles else report.unlinked).append(str(citation))
        if report.reasons:
            return report
        known = self.match(row)
        if known is not None:
            return await self._known(row, known, report)
        cited = {c.key: self.articles[c.key] for c in row.citations if c.key in self.articles}
        report.duplicates = self.duplicates.of(row.name, list(cited))
        report.reasons.extend(str(d) for d in report.duplicates)
        try:
            # a savepoint per row: a refused row leaves the rows before it in place
            async with in_transaction():
                power = await create_power(self.viewer, _power_data(self.viewer, self.unit, row, report.unlinked))
                for article in dict.fromkeys(cited.values()):
                    await create_basis(self.viewer, BasisData(power_id=power.id, article_id=article.id))
        except ValidationFailed as exc:
            report.duplicates, report.reasons = [], [f"{e.field}: {e.message}" for e in exc.errors]
            return report
        report.fate, report.code = RowFate.CREATED, power.code
        if row.code and power.code != row.code:
            report.reasons.append(CODE_NOT_KEPT)
        self.by_name[name_key(row.name)] = self.by_code[power.code] = power
        texts = {key: str(Citation(a.document.title, a.label)) for key, a in cited.items()}
        self.bases[power.id] = [CitedBasis(key, 0, text) for key, text in texts.items()]  # compared, never deleted
        self.duplicates.add(power.code, power.name, texts)
        return report

    async def _known(self, row: SheetRow, known: Power, report: RowReport) -> RowReport:
        report.code = known.code
        shown, values, new_bases = differences(row, known, self.bases.get(known.id, []), self.articles)
        if not shown:
            report.fate = RowFate.MATCHED
            report.reasons.append(f"与已有职权 {known.code} 相同 (matches an existing power)")
            return report
        report.fate, report.changes = RowFate.CHANGED, shown
        if not self.apply_changes:
            report.reasons.append(NOT_APPLIED.format(code=known.code, n=len(shown)))
            return report
        if known.id in self.changed_by:
            report.fate = RowFate.REFUSED
            report.reasons.append(TWICE.format(row=self.changed_by[known.id]))
            return report
        try:
            async with in_transaction():  # the row's savepoint, as a new row's
                target, route = await changes.apply(
                    self.viewer, known, values, new_bases, changes.revision_reason(self.filename, row, shown)
                )
        except DomainError as exc:
            report.fate = RowFate.REFUSED
            report.reasons.extend([f"{e.field}: {e.message}" for e in exc.errors] or [exc.message])
            return report
        self.applied += 1
        self.changed_by[known.id] = self.changed_by[target.id] = row.row
        report.applied = route
        if route is ChangeRoute.REVISION:
            report.draft_code = target.code
            report.reasons.append(REVISED.format(draft=target.code))
        else:
            report.code = target.code  # a new category brings a new code
            report.reasons.append(EDITED.format(code=target.code))
        self.by_name[name_key(target.name)] = target
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
    result.written = True
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
