"""检查验收 / 绩效评估 / 定级 (the plan's stage five): an inspector records an inspection of a unit
with its findings, follow-ups (整改要求), a score out of 100 and the grade the score gives.

Inspections are not public: oversight roles see them all, a unit its own (access.internal_q).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import Grade, InspectionKind
from domain.errors import Validator
from domain.models import Unit
from domain.operations import check_not_future, check_text
from domain.services.common import clean_fields, snapshot
from domain.workdays import today
from domain.workflow_models import Inspection

#: 定级: the lowest score of each grade, best first (优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, else 不合格).
GRADE_FLOORS: tuple[tuple[int, Grade], ...] = ((90, Grade.EXCELLENT), (80, Grade.GOOD), (60, Grade.PASS), (0, Grade.FAIL))
MAX_SCORE = 100


def grade_for(score: int) -> Grade:
    """The grade a score of 0..100 gives."""
    if not 0 <= score <= MAX_SCORE:
        raise ValueError(f"score must be 0..{MAX_SCORE}, not {score}")
    return next(grade for floor, grade in GRADE_FLOORS if score >= floor)


@dataclass
class InspectionData:
    unit_id: int
    kind: InspectionKind
    inspected_on: datetime.date
    findings: str
    score: int
    follow_up: str = ""


async def record_inspection(
    viewer: access.Viewer, data: InspectionData, on: datetime.date | None = None
) -> Inspection:
    """登记检查结果 (INSPECTOR): the grade is derived from the score, never given."""
    on = on or today()
    access.require_inspector(viewer)
    v = Validator()
    values = {"kind": data.kind, "inspected_on": data.inspected_on}
    cleaned = clean_fields(v, Inspection, values, allowed=values)
    cleaned["findings"] = check_text(v, "findings", "发现的问题", data.findings)
    cleaned["follow_up"] = check_text(v, "follow_up", "整改要求", data.follow_up, required=False)
    score_ok = isinstance(data.score, int) and not isinstance(data.score, bool) and 0 <= data.score <= MAX_SCORE
    v.check(score_ok, "score", f"得分应为 0 到 {MAX_SCORE} 的整数 (score must be 0..{MAX_SCORE})", "out_of_range")
    check_not_future(v, "inspected_on", data.inspected_on, on)
    v.check(await Unit.exists(id=data.unit_id), "unit_id", "单位不存在 (unit not found)", "not_found")
    v.raise_if_any()
    async with in_transaction():
        inspection = await Inspection.create(
            unit_id=data.unit_id, score=data.score, grade=grade_for(data.score), inspector=viewer.name, **cleaned
        )
        await record(
            viewer, "inspection.create", "inspection", inspection.id, unit_id=data.unit_id,
            **snapshot(inspection, ("kind", "inspected_on", "score", "grade")),
        )  # fmt: skip
    return inspection
