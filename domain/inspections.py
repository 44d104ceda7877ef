"""检查验收 / 绩效评估 / 定级 (the plan's stage five): an inspector records an inspection of a unit
with its findings, follow-ups (整改要求), a score out of 100 and the grade the score gives.

An inspection names its method (明查, 暗访, 专项检查, 民意测验) and may be of a power or of one of the
seven networks rather than of a whole unit: it still belongs to one unit — the power's, the network's lead
unit (or the unit named), or the unit a 民意测验 (SURVEY, which must name its survey) was about.

Inspections are not public: oversight roles see them all, a unit its own (access.internal_q).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import Grade, InspectionKind, InspectionMethod, Network
from domain.errors import Validator
from domain.loop_models import NetworkProfile, Survey
from domain.models import Power, Unit
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
    unit_id: int | None
    kind: InspectionKind
    inspected_on: datetime.date
    findings: str
    score: int
    follow_up: str = ""
    method: InspectionMethod = InspectionMethod.OPEN
    power_id: int | None = None
    network: Network | None = None
    survey_id: int | None = None


async def _target_unit(v: Validator, data: InspectionData) -> int | None:
    """The unit an inspection belongs to, from what it targets; errors in `v`."""
    found: list[tuple[str, int]] = []  # (field, unit) each target names
    if data.unit_id is not None:
        if await Unit.exists(id=data.unit_id):
            found.append(("unit_id", data.unit_id))
        else:
            v.add("unit_id", "单位不存在 (unit not found)", "not_found")
    if data.power_id is not None:
        power = await Power.get_or_none(id=data.power_id)
        if power is None:
            v.add("power_id", "职权不存在 (power not found)", "not_found")
        else:
            found.append(("power_id", power.unit_id))
    if data.method is InspectionMethod.SURVEY:
        survey = await Survey.get_or_none(id=data.survey_id) if data.survey_id is not None else None
        if survey is None:
            v.add("survey_id", "民意测验须指明测验 (a SURVEY inspection names its survey)", "required" if data.survey_id is None else "not_found")
        else:
            found.append(("survey_id", survey.unit_id))
            if data.power_id is not None and survey.power_id not in (None, data.power_id):
                v.add("survey_id", "该测验不是关于所指职权的 (the survey is about another power)", "mismatch")
    elif data.survey_id is not None:
        v.add("survey_id", "只有民意测验可以指明测验 (only a SURVEY inspection names a survey)", "invalid")
    if data.network is not None and not found:
        profile = await NetworkProfile.get_or_none(network=data.network)
        if profile is None or profile.lead_unit_id is None:
            v.add("unit_id", "该网络尚无牵头单位，请指明被检查单位 (the network has no lead unit: name the unit)", "required")
        else:
            found.append(("network", profile.lead_unit_id))
    if not found:
        if not v.errors:
            v.add("unit_id", "请指明检查的单位、职权或网络 (name a unit, a power or a network)", "required")
        return None
    units = {unit for _, unit in found}
    if len(units) > 1:
        v.add(found[-1][0], "所指对象不属于同一单位 (the targets belong to different units)", "mismatch")
        return None
    return found[0][1]


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
    v.check(isinstance(data.method, InspectionMethod), "method", "检查方式不正确 (unknown method)")
    unit_id = await _target_unit(v, data)
    v.raise_if_any()
    async with in_transaction():
        inspection = await Inspection.create(
            unit_id=unit_id, score=data.score, grade=grade_for(data.score), inspector=viewer.name, method=data.method,
            power_id=data.power_id, network=data.network, survey_id=data.survey_id, **cleaned,
        )  # fmt: skip
        await record(
            viewer, "inspection.create", "inspection", inspection.id, unit_id=unit_id, power_id=data.power_id,
            **snapshot(inspection, ("kind", "method", "network", "inspected_on", "score", "grade")),
        )  # fmt: skip
    return inspection
