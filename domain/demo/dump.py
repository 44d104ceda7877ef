"""A canonical, id-free dump of the demo county: every row by its natural keys, sorted.

Two databases seeded from the same data give the same dump, whatever their ids or engine.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from domain.access import unit_subtree_ids
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


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _line(table: str, *values: Any) -> str:
    return "\t".join([table, *(_cell(v) for v in values)])


POWER_FIELDS = (
    "code", "name", "category", "exercise_mode", "status", "description", "confidential", "confidentiality_reason",
    "confidentiality_basis", "disclosure_scope", "disclosure_form", "disclosure_timing", "disclosure_deadline",
    "fee_basis", "fee_standard", "time_limit", "time_limit_days", "created_at", "updated_at",
)


async def canonical_dump(county_code: str) -> list[str]:
    """Every row of the county under `county_code` (units, positions, powers, bases, charts, records)."""
    county = await Unit.get_or_none(code=county_code)
    if county is None:
        return []
    ids = sorted(await unit_subtree_ids(county.id))
    units = await Unit.filter(id__in=ids).values(
        "id", "code", "name", "short_name", "kind", "region_code", "parent_id", "sort_order", "created_at", "updated_at"
    )
    code_of = {u["id"]: u["code"] for u in units}
    lines = [
        _line("unit", u["code"], u["name"], u["short_name"], u["kind"], u["region_code"],
              code_of.get(u["parent_id"], ""), u["sort_order"], u["created_at"], u["updated_at"])
        for u in units
    ]
    positions = await Position.filter(unit_id__in=ids).values(
        "id", "unit_id", "name", "holder", "duties", "created_at", "updated_at"
    )
    position_key = {p["id"]: f"{code_of[p['unit_id']]}/{p['name']}" for p in positions}
    lines += [
        _line("position", code_of[p["unit_id"]], p["name"], p["holder"], p["duties"], p["created_at"], p["updated_at"])
        for p in positions
    ]
    powers = await Power.filter(unit_id__in=ids).values("id", "unit_id", *POWER_FIELDS)
    power_code = {p["id"]: p["code"] for p in powers}
    pids = list(power_code)
    lines += [_line("power", code_of[p["unit_id"]], *(p[f] for f in POWER_FIELDS)) for p in powers]
    bases = await PowerBasis.filter(power_id__in=pids).values(
        "power_id", "ordinal", "note", "article__label", "article__document__title", "article__document__version_date"
    )
    lines += [
        _line("basis", power_code[b["power_id"]], b["ordinal"], b["article__document__title"],
              b["article__document__version_date"], b["article__label"], b["note"])
        for b in bases
    ]
    charts = await FlowChart.filter(power_id__in=pids).values(
        "id", "power_id", "title", "complaint_channel", "notes", "created_at", "updated_at"
    )
    chart_power = {c["id"]: power_code[c["power_id"]] for c in charts}
    lines += [
        _line("chart", chart_power[c["id"]], c["title"], c["complaint_channel"], c["notes"], c["created_at"], c["updated_at"])
        for c in charts
    ]
    steps = await FlowStep.filter(chart_id__in=list(chart_power)).values(
        "id", "chart_id", "ordinal", "name", "kind", "condition", "position_id", "time_limit", "time_limit_days",
        "supervision", "complaint_channel", "disclosure_note",
    )
    step_ordinal = {s["id"]: s["ordinal"] for s in steps}
    lines += [
        _line("step", chart_power[s["chart_id"]], s["ordinal"], s["name"], s["kind"], s["condition"],
              position_key.get(s["position_id"], ""), s["time_limit"], s["time_limit_days"], s["supervision"],
              s["complaint_channel"], s["disclosure_note"])
        for s in steps
    ]
    edges = await FlowEdge.filter(chart_id__in=list(chart_power)).values("chart_id", "source_id", "target_id", "label")
    lines += [
        _line("edge", chart_power[e["chart_id"]], step_ordinal[e["source_id"]], step_ordinal[e["target_id"]], e["label"])
        for e in edges
    ]
    for d in await DisclosureRecord.filter(power_id__in=pids).values(
        "power_id", "scope", "timing", "channel", "content", "disclosed_on", "created_at", "updated_at"
    ):
        lines.append(_line("disclosure", power_code[d.pop("power_id")], *d.values()))
    for o in await OperationRecord.filter(power_id__in=pids).values(
        "power_id", "network", "subject", "applicant", "stage", "scope", "handler", "decision", "decided_on",
        "execution", "executed_on", "result", "finished_on", "created_at", "updated_at",
    ):
        lines.append(_line("operation", power_code[o.pop("power_id")], *o.values()))
    return sorted(lines)


def fingerprint(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
