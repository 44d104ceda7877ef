"""三定方案 and 四个对应 (不遗漏、不越权): a unit's functions (职能) as its 三定方案 gives them, the powers that
carry each out, and the report the review reads per unit.

- Functions are entered one by one or imported from a sheet (domain.function_sheets: .xlsx / .csv, read as catalogue sheets are,
  domain.catalog.sheets) by the unit's staff or an admin. They are not public: the unit (and the units
  above it) and the oversight roles read them (access.oversees_unit).
- A power names the functions it carries out: functions of its own unit or of a unit above it (an office
  carries out its department's functions). Its unit's staff (or an admin) set them.
- The report (`correspondence`) is over the live powers the caller may see (access.power_q: a unit's staff
  not its LEADERSHIP powers) of the unit and its offices, and says per power whether the four correspond:
  职权—依据 (a basis in force, none ended: domain.rules), 职权—主体 (no other unit claims the same power:
  the rules' 职责不清 finding, told as the rules tell it), 职权—职能 (names a function); and per unit the
  functions no power carries and the powers that carry no function.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.functions import Max
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import RevisionStatus, RuleCode
from domain.errors import FieldError, NotFound, ValidationFailed, Validator
from domain.models import Power, PowerBasis, Unit
from domain.operations import check_text
from domain.oversight_models import PowerFunction, UnitFunction
from domain.rules import INACTIVE, Finding, check_powers
from domain.services.common import snapshot
from domain.workdays import today
from domain.workflow_models import PowerRevision

TITLE_LIMIT, SOURCE_LIMIT, DESCRIPTION_LIMIT = 500, 200, 5000
#: A 三定方案 lists a dozen or two functions; the bound keeps every list (and the report) small.
MAX_FUNCTIONS = 200
MAX_ORDINAL = 9999
FIELDS = ("ordinal", "title", "description", "source")
BASIS_CODES = frozenset(
    {RuleCode.NO_LEGAL_BASIS, RuleCode.BASIS_NOT_IN_FORCE, RuleCode.BASIS_NOT_YET_EFFECTIVE}
)
SUBJECT_CODES = frozenset({RuleCode.UNCLEAR_RESPONSIBILITY})


@dataclass
class FunctionData:
    unit_id: int
    title: str
    description: str = ""
    source: str = ""
    ordinal: int | None = None  # the next number when left out


def require_function_reader(viewer: access.Viewer, unit_id: int) -> None:
    """A unit's 三定 functions and its 四个对应 report: its own staff (or a unit above) and oversight roles."""
    if not access.oversees_unit(viewer, unit_id):
        raise access.PermissionDenied("你无权查看该单位的三定职能 (not allowed to see this unit's functions)")


def clean_function(v: Validator, data: FunctionData) -> dict[str, object]:
    cleaned: dict[str, object] = {
        "title": check_text(v, "title", "职能", data.title, limit=TITLE_LIMIT),
        "description": check_text(
            v, "description", "具体内容", data.description, required=False, limit=DESCRIPTION_LIMIT
        ),
        "source": check_text(v, "source", "三定方案", data.source, required=False, limit=SOURCE_LIMIT),
    }
    if data.ordinal is not None:
        v.check(
            1 <= data.ordinal <= MAX_ORDINAL,
            "ordinal",
            f"序号应为 1 到 {MAX_ORDINAL} (ordinal must be 1..{MAX_ORDINAL})",
            "out_of_range",
        )
        cleaned["ordinal"] = data.ordinal
    return cleaned


async def unit_for_edit(viewer: access.Viewer, unit_id: int) -> Unit:
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise ValidationFailed([FieldError("unit_id", "单位不存在 (unit not found)", "not_found")])
    access.require_unit_content(viewer, unit.id)
    return unit


def duplicate_ordinal(ordinal: int) -> FieldError:
    return FieldError(
        "ordinal",
        f"该单位已有序号为 {ordinal} 的职能 (the unit already has function number {ordinal})",
        "duplicate",
    )


async def create_function(viewer: access.Viewer, data: FunctionData) -> UnitFunction:
    """A function of a unit's 三定方案 (its staff or an admin)."""
    unit = await unit_for_edit(viewer, data.unit_id)
    v = Validator()
    cleaned = clean_function(v, data)
    v.raise_if_any()
    async with in_transaction():
        count = await UnitFunction.filter(unit_id=unit.id).count()
        if count >= MAX_FUNCTIONS:
            raise ValidationFailed(
                [
                    FieldError(
                        "unit_id",
                        f"每个单位最多 {MAX_FUNCTIONS} 项职能 (at most {MAX_FUNCTIONS} functions)",
                        "too_many",
                    )
                ]
            )
        if "ordinal" not in cleaned:
            top = (
                await UnitFunction.filter(unit_id=unit.id)
                .annotate(top=Max("ordinal"))
                .first()
                .values_list("top", flat=True)
            )
            cleaned["ordinal"] = min((top or 0) + 1, MAX_ORDINAL)
        elif await UnitFunction.exists(unit_id=unit.id, ordinal=cleaned["ordinal"]):
            raise ValidationFailed([duplicate_ordinal(int(cleaned["ordinal"]))])  # type: ignore[call-overload]
        function = await UnitFunction.create(unit_id=unit.id, **cleaned)
        await record(
            viewer,
            "unit_function.create",
            "unit_function",
            function.id,
            unit_id=unit.id,
            **snapshot(function, FIELDS),
        )
    return function


async def _function_for_edit(viewer: access.Viewer, function_id: int) -> UnitFunction:
    function = await UnitFunction.get_or_none(id=function_id)
    if function is None or not access.oversees_unit(viewer, function.unit_id):
        raise NotFound("职能不存在或无权查看 (function not found)")
    access.require_unit_content(viewer, function.unit_id)
    return function


async def update_function(
    viewer: access.Viewer, function_id: int, changes: dict[str, object]
) -> UnitFunction:
    """Change a function's number, wording, content or source (the fields given)."""
    function = await _function_for_edit(viewer, function_id)
    current = FunctionData(
        function.unit_id, function.title, function.description, function.source, function.ordinal
    )
    for name, value in changes.items():
        if value is not None:
            setattr(current, name, value)
    v = Validator()
    cleaned = clean_function(v, current)
    v.raise_if_any()
    async with in_transaction():
        if cleaned["ordinal"] != function.ordinal and await UnitFunction.exists(
            unit_id=function.unit_id, ordinal=cleaned["ordinal"]
        ):
            raise ValidationFailed([duplicate_ordinal(int(cleaned["ordinal"]))])  # type: ignore[call-overload]
        before = snapshot(function, FIELDS)
        for name, value in cleaned.items():
            setattr(function, name, value)
        await function.save()
        after = snapshot(function, FIELDS)
        diff = {k: [before[k], after[k]] for k in FIELDS if before[k] != after[k]}
        await record(
            viewer,
            "unit_function.update",
            "unit_function",
            function.id,
            unit_id=function.unit_id,
            changes=diff,
        )
    return function


async def delete_function(viewer: access.Viewer, function_id: int) -> None:
    """Remove a function; the powers that named it no longer do (the report then shows them)."""
    function = await _function_for_edit(viewer, function_id)
    async with in_transaction():
        links = await PowerFunction.filter(function_id=function.id).count()
        await function.delete()
        await record(viewer, "unit_function.delete", "unit_function", function_id, unit_id=function.unit_id,
                     links_removed=links, **snapshot(function, FIELDS))  # fmt: skip


async def functions_of(viewer: access.Viewer, unit_id: int) -> list[UnitFunction]:
    """The functions of a unit and of its offices, by unit then number."""
    require_function_reader(viewer, unit_id)
    units = await access.unit_subtree_ids(unit_id)
    return (
        await UnitFunction.filter(unit_id__in=sorted(units))
        .order_by("unit_id", "ordinal")
        .limit(MAX_FUNCTIONS * 5)
    )


async def _ancestors(unit_id: int) -> list[int]:
    """The unit and every unit above it, nearest first."""
    found: list[int] = []
    current: int | None = unit_id
    while current is not None and current not in found:
        found.append(current)
        current = await Unit.filter(id=current).first().values_list("parent_id", flat=True)
    return found


async def set_power_functions(viewer: access.Viewer, power_id: int, function_ids: list[int]) -> Power:
    """The functions a power carries out, all at once (an empty list: none): its unit's own or its
    parents' (an office carries out its department's). Its unit's staff or an admin."""
    power = await Power.get_or_none(id=power_id)
    if power is None:
        raise NotFound("职权不存在或无权查看 (power not found)")
    access.require_power_content(viewer, power)
    wanted = list(dict.fromkeys(function_ids))
    v = Validator()
    v.check(
        len(wanted) <= MAX_FUNCTIONS,
        "function_ids",
        f"最多 {MAX_FUNCTIONS} 项职能 (at most {MAX_FUNCTIONS})",
        "too_many",
    )
    v.raise_if_any()
    allowed = await _ancestors(power.unit_id)
    found = {f.id: f for f in await UnitFunction.filter(id__in=wanted)}
    for index, fid in enumerate(wanted):
        function = found.get(fid)
        if (
            function is None
            or not access.oversees_unit(viewer, function.unit_id)
            and function.unit_id not in allowed
        ):
            v.add(f"function_ids.{index}", "职能不存在或无权查看 (function not found)", "not_found")
        elif function.unit_id not in allowed:
            v.add(
                f"function_ids.{index}",
                "只能对应本单位或上级单位三定方案中的职能 (a function of another unit)",
                "other_unit",
            )
    v.raise_if_any()
    async with in_transaction():
        before = sorted(await PowerFunction.filter(power_id=power.id).values_list("function_id", flat=True))
        await PowerFunction.filter(power_id=power.id).exclude(function_id__in=wanted).delete()
        await PowerFunction.bulk_create(
            [PowerFunction(power_id=power.id, function_id=f) for f in wanted if f not in before]
        )
        await record(
            viewer,
            "power.functions",
            "power",
            power.id,
            unit_id=power.unit_id,
            before=before,
            after=sorted(wanted),
        )
    return power


# -- 四个对应 ------------------------------------------------------------------------------------------


@dataclass
class CorrespondenceRow:
    """One power of the report: 职权—依据—主体—职能."""

    power: Power
    functions: list[UnitFunction]
    bases: list[str]
    findings: list[Finding]

    @property
    def basis_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.code in BASIS_CODES]

    @property
    def subject_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.code in SUBJECT_CODES]

    @property
    def basis_in_force(self) -> bool:
        """职权—依据: at least one basis in force, and none ended or not yet in force."""
        return not self.basis_findings

    @property
    def subject_clear(self) -> bool:
        """职权—主体: no other unit claims the same power (职责不清)."""
        return not self.subject_findings

    @property
    def corresponds(self) -> bool:
        return self.basis_in_force and self.subject_clear and bool(self.functions)


@dataclass
class CorrespondenceReport:
    unit: Unit
    functions: list[UnitFunction]
    rows: list[CorrespondenceRow]
    carriers: dict[int, list[Power]]  # function id → the live powers (visible to the caller) that carry it

    @property
    def functions_without_power(self) -> list[UnitFunction]:
        return [f for f in self.functions if not self.carriers.get(f.id)]

    @property
    def powers_without_function(self) -> list[Power]:
        return [r.power for r in self.rows if not r.functions]

    @property
    def powers_basis_not_in_force(self) -> list[CorrespondenceRow]:
        return [r for r in self.rows if not r.basis_in_force]

    @property
    def complete(self) -> bool:
        """不遗漏、不越权: every function carried, every power corresponding in all four."""
        return not self.functions_without_power and all(r.corresponds for r in self.rows)


async def live_powers_q(viewer: access.Viewer, unit_ids: frozenset[int]) -> Q:
    """The powers a report counts: live (not abolished or removed, not an open revision's working copy),
    of these units, and visible to the caller."""
    drafts = await PowerRevision.filter(status=RevisionStatus.OPEN, draft_id__isnull=False).values_list(
        "draft_id", flat=True
    )
    q = access.power_q(viewer) & Q(unit_id__in=sorted(unit_ids)) & ~Q(status__in=list(INACTIVE))
    return q & ~Q(id__in=list(drafts)) if drafts else q


def _citation(basis: PowerBasis) -> str:
    document = basis.article.document
    return f"《{document.title}》{basis.article.label}"


async def correspondence(
    viewer: access.Viewer, unit_id: int, on: datetime.date | None = None
) -> CorrespondenceReport:
    """四个对应 of a unit and its offices, as the caller may see it (a fixed number of queries)."""
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise NotFound("没有该单位 (unit not found)")
    require_function_reader(viewer, unit.id)
    units = await access.unit_subtree_ids(unit.id)
    functions = await UnitFunction.filter(unit_id__in=sorted(units)).order_by("unit_id", "ordinal")
    powers = await Power.filter(await live_powers_q(viewer, units)).order_by("code")
    ids = [p.id for p in powers]
    links: dict[int, list[int]] = defaultdict(list)
    for power_id, function_id in await PowerFunction.filter(power_id__in=ids).values_list(
        "power_id", "function_id"
    ):
        links[power_id].append(function_id)
    known = {f.id: f for f in functions}
    missing = {fid for fids in links.values() for fid in fids if fid not in known}
    if missing:  # functions of a unit above this one, carried by its offices' powers
        known.update({f.id: f for f in await UnitFunction.filter(id__in=sorted(missing))})
    bases: dict[int, list[str]] = defaultdict(list)
    for basis in (
        await PowerBasis.filter(power_id__in=ids)
        .select_related("article__document")
        .order_by("power_id", "ordinal", "id")
    ):
        bases[basis.power_id].append(_citation(basis))
    findings: dict[int, list[Finding]] = defaultdict(list)
    for finding in await check_powers(powers, on or today(), viewer):
        if finding.code in BASIS_CODES | SUBJECT_CODES:
            findings[finding.power_id].append(finding)
    carriers: dict[int, list[Power]] = defaultdict(list)
    rows = []
    for power in powers:
        carried = sorted(
            (known[f] for f in links[power.id]),
            key=lambda f: (f.unit_id != power.unit_id, f.unit_id, f.ordinal),
        )
        for function in carried:
            carriers[function.id].append(power)
        rows.append(CorrespondenceRow(power, carried, bases[power.id], findings[power.id]))
    return CorrespondenceReport(unit, functions, rows, dict(carriers))


@dataclass(frozen=True)
class FunctionCounts:
    functions: int
    without_power: int
    powers_without_function: int


async def function_counts(viewer: access.Viewer, unit_ids: list[int]) -> dict[int, FunctionCounts]:
    """For the dashboard, per unit the caller oversees (others are left out): its functions, those no
    visible live power of the unit (or its offices) carries, and its live visible powers naming none.
    Four queries, whatever the number of units."""
    shown = [u for u in unit_ids if access.oversees_unit(viewer, u)]
    if not shown:
        return {}
    subtrees = await access.unit_subtrees(shown)
    everything = frozenset(u for ids in subtrees.values() for u in ids)
    functions = await UnitFunction.filter(unit_id__in=shown).values_list("id", "unit_id")
    powers = dict(await Power.filter(await live_powers_q(viewer, everything)).values_list("id", "unit_id"))
    carried: dict[int, set[int]] = defaultdict(set)  # function → units of the powers carrying it
    naming: set[int] = set()
    for power_id, function_id in await PowerFunction.filter(power_id__in=list(powers)).values_list(
        "power_id", "function_id"
    ):
        carried[function_id].add(powers[power_id])
        naming.add(power_id)
    result = {}
    for unit_id in shown:
        own = [fid for fid, u in functions if u == unit_id]
        subtree = subtrees[unit_id]
        result[unit_id] = FunctionCounts(
            functions=len(own),
            without_power=sum(1 for fid in own if not carried[fid] & subtree),
            powers_without_function=sum(1 for pid, u in powers.items() if u == unit_id and pid not in naming),
        )
    return result
