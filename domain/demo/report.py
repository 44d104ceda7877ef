"""What a seed-demo run found and did: the county as it stands in the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.access import unit_subtree_ids
from domain.codes import power_code, unit_code
from domain.demo.spec import REGION_CODE, PowerSpec, UnitSpec
from domain.enums import PowerCategory, PowerStatus, UnitKind
from domain.library import ImportReport
from domain.models import (
    DisclosureRecord,
    FlowChart,
    FlowEdge,
    FlowStep,
    OperationRecord,
    Position,
    Power,
    PowerBasis,
    Unit,
)


@dataclass
class SeedReport:
    action: str = ""  # "seeded" or "verified"
    library: ImportReport | None = None
    units: int = 0
    offices: int = 0
    townships: int = 0
    positions: int = 0
    powers: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    confidential: int = 0
    confidential_without_basis: int = 0
    bases: int = 0
    charts: int = 0
    steps: int = 0
    edges: int = 0
    disclosure_records: int = 0
    operation_records: int = 0
    by_network: dict[str, int] = field(default_factory=dict)
    laws: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    loop_added: list[str] = field(default_factory=list)  # networks, surveys, bulletin (issue 24) added by this run
    leading_group_added: int = 0  # members of 附1 added to a county seeded before the group was data
    seconds: float = 0.0


async def count(report: SeedReport, county: Unit, powers: Sequence[PowerSpec]) -> None:
    """The county as it stands in the database (not as the specs say)."""
    ids = sorted(await unit_subtree_ids(county.id))
    kinds = Counter(await Unit.filter(id__in=ids).values_list("kind", flat=True))
    report.units = len(ids)
    report.offices = kinds[UnitKind.OFFICE]
    report.townships = kinds[UnitKind.TOWNSHIP]
    report.positions = await Position.filter(unit_id__in=ids).count()
    rows = await Power.filter(unit_id__in=ids).values("id", "category", "status", "confidential", "confidentiality_basis")
    pids = [r["id"] for r in rows]
    report.powers = len(rows)
    report.by_category = {c.value: n for c in PowerCategory if (n := sum(r["category"] == c for r in rows))}
    report.by_status = {s.value: n for s in PowerStatus if (n := sum(r["status"] == s for r in rows))}
    report.confidential = sum(bool(r["confidential"]) for r in rows)
    report.confidential_without_basis = sum(bool(r["confidential"]) and not r["confidentiality_basis"] for r in rows)
    report.bases = await PowerBasis.filter(power_id__in=pids).count()
    report.charts = await FlowChart.filter(power_id__in=pids).count()
    report.steps = await FlowStep.filter(chart__power_id__in=pids).count()
    report.edges = await FlowEdge.filter(chart__power_id__in=pids).count()
    report.disclosure_records = await DisclosureRecord.filter(power_id__in=pids).count()
    report.operation_records = await OperationRecord.filter(power_id__in=pids).count()
    networks = Counter(await OperationRecord.filter(power_id__in=pids).values_list("network", flat=True))
    report.by_network = {str(k): v for k, v in sorted(networks.items())}
    report.laws = sorted({b.law for p in powers for b in p.bases})

async def verify(report: SeedReport, units: Sequence[UnitSpec], powers: Sequence[PowerSpec]) -> None:
    """A county already there: check that every unit and power of the specs exists; change nothing."""
    serials: Counter[tuple[str, PowerCategory]] = Counter()
    codes: list[str] = []
    keys = {s.key: unit_code(REGION_CODE, s.serial) for s in units}
    for spec in powers:
        serials[(keys[spec.unit], spec.category)] += 1
        codes.append(power_code(keys[spec.unit], spec.category, serials[(keys[spec.unit], spec.category)]))
    have_units = set(await Unit.filter(code__in=list(keys.values())).values_list("code", flat=True))
    have_powers = set(await Power.filter(code__in=codes).values_list("code", flat=True))
    report.problems += [f"单位 {c} 缺失 (unit missing)" for c in keys.values() if c not in have_units]
    report.problems += [f"职权 {c} 缺失 (power missing)" for c in codes if c not in have_powers]
