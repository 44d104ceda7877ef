"""The values each form's template is rendered with (docxtpl escapes them: autoescape is on)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from docgen.data import CATALOGUE_STATUSES, CLOSED_STATUSES, PowerSheet, Scope, clean, records, sheets
from domain import models as m
from domain import personal
from domain.enums import PowerCategory, PowerStatus

NUMERALS = "一二三四五六七八九十"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def common(scope: Scope, today: date) -> dict[str, Any]:
    return {
        "unit_name": scope.unit.name,
        "date": chinese_date(today),
        "scope_note": "" if scope.sees_unit_fully else "（公开版：仅含向社会公开的内容）",
    }


def fee(power: m.Power) -> str:
    if not power.fee_basis and not power.fee_standard:
        return "不收费"
    return clean(f"依据：{power.fee_basis or '无'}\n标准：{power.fee_standard or '无'}")


def by_category(powers: list[m.Power]) -> str:
    counts = Counter(p.category for p in powers)
    return "、".join(f"{c.label}{counts[c]}项" for c in PowerCategory if counts[c]) or "无"


async def registration(scope: Scope) -> tuple[dict[str, Any], int]:
    """附3、4: every power the unit cleared, whatever became of it, with the reason a power is not public."""
    powers = await scope.powers().order_by("code")
    rows = []
    for no, sheet in enumerate(await sheets(powers, with_charts=False), start=1):
        p = sheet.power
        secrecy = ""
        if p.confidential:
            secrecy = clean(f"{p.confidentiality_reason}\n保密依据：{p.confidentiality_basis or '（未提供，应予公开）'}")
        rows.append({
            "no": no, "code": p.code, "name": clean(p.name), "category": p.category.label,
            "mode": p.exercise_mode.label, "basis": "\n".join(sheet.bases) or "（无依据）",
            "disclosure": clean(f"{p.disclosure_scope.label}；{p.disclosure_form}；{p.disclosure_timing.label}，{p.disclosure_deadline}"),
            "fee": fee(p), "status": p.status.label, "secrecy": secrecy,
        })  # fmt: skip
    summary = f"共登记行政权力{len(rows)}项：{by_category(powers)}。"
    return {"rows": rows, "summary": summary}, len(rows)


async def catalog(scope: Scope) -> tuple[dict[str, Any], int]:
    """附5 一表: approved and published powers that are not confidential, by category."""
    powers = await scope.powers().filter(status__in=CATALOGUE_STATUSES, confidential=False).order_by("code")
    order = {c: i for i, c in enumerate(PowerCategory)}
    powers.sort(key=lambda p: (order[p.category], p.code))
    groups: list[dict[str, Any]] = []
    for no, sheet in enumerate(await sheets(powers), start=1):
        p = sheet.power
        if not groups or groups[-1]["category"] is not p.category:
            groups.append({"category": p.category, "rows": []})
        groups[-1]["rows"].append({
            "no": no, "code": p.code, "name": clean(p.name), "basis": "\n".join(sheet.bases) or "（无依据）",
            "posts": "\n".join(sheet.posts), "scope": p.disclosure_scope.label, "form": clean(p.disclosure_form),
            "deadline": clean(f"{p.disclosure_timing.label}：{p.disclosure_deadline}".rstrip("：")),
            "fee": fee(p), "time_limit": clean(p.time_limit),
        })  # fmt: skip
    for i, g in enumerate(groups):
        numeral = NUMERALS[i] if i < len(NUMERALS) else str(i + 1)
        g["label"] = f"{numeral}、{g['category'].label}（{len(g['rows'])}项）"
    return {"groups": groups, "summary": f"共列入目录行政权力{len(powers)}项。"}, len(powers)


async def confidential(scope: Scope) -> tuple[dict[str, Any], int]:
    """附6: the confidential powers (the caller was checked by access.require_confidential_list)."""
    powers = await scope.powers().filter(confidential=True).exclude(status__in=CLOSED_STATUSES).order_by("code")
    rows = [
        {
            "no": no, "code": p.code, "name": clean(p.name), "category": p.category.label,
            "reason": clean(p.confidentiality_reason),
            "basis": clean(p.confidentiality_basis) or "（未提供保密依据，应予公开）",
            "scope": p.disclosure_scope.label,
        }
        for no, p in enumerate(powers, start=1)
    ]  # fmt: skip
    return {"rows": rows, "summary": f"共列入涉密不宜公开权力{len(rows)}项。"}, len(rows)


def _stage(text: str, day: date | None) -> str:
    return clean(f"{text}\n（{chinese_date(day)}）" if day else text)


async def operation_records(scope: Scope) -> tuple[dict[str, Any], int]:
    """附7: each exercise of a power through 决策 → 执行 → 结果, its applicant (and the applicant's
    name inside the texts) withheld from who may not see personal data, as the API does."""
    found = await records(scope)
    rows = []
    for no, r in enumerate(found, start=1):
        text = personal.operation_record_text(scope.viewer, r.power.unit_id, r)
        rows.append({
            "no": no, "power": clean(f"{r.power.name}\n（{r.power.code}）"), "network": r.network.label,
            "subject": clean(text.subject), "applicant": clean(text.applicant_cell),
            "decision": _stage(text.decision, r.decided_on), "execution": _stage(text.execution, r.executed_on),
            "result": _stage(text.result, r.finished_on) or f"（{r.stage.label}阶段）",
            "handler": clean(r.handler), "scope": r.scope.label,
        })  # fmt: skip
    return {"rows": rows, "summary": f"共登记权力运行记录{len(rows)}条。"}, len(rows)


async def flow_charts(scope: Scope) -> tuple[dict[str, Any], list[PowerSheet]]:
    """一图: the chart of each catalogue power (or of the one power asked for)."""
    q = scope.powers()
    if scope.power is None:
        q = q.filter(status__in=CATALOGUE_STATUSES, confidential=False)
    found = [s for s in await sheets(await q.order_by("code")) if s.chart is not None]
    return {"summary": f"共{len(found)}幅"}, found


async def cover_note(scope: Scope) -> tuple[dict[str, Any], int]:
    """文字材料: the covering note, its numbers counted from what the caller may see."""
    powers = await scope.powers()
    status = Counter(p.status for p in powers)
    listed = [p for p in powers if p.status in CATALOGUE_STATUSES and not p.confidential]
    charts = await m.FlowChart.filter(power_id__in=[p.id for p in listed]).count()
    secret = [p for p in powers if p.confidential and p.status not in CLOSED_STATUSES]
    attachments = ["行政权力清理汇总登记表", "行政权力目录表"]
    note = ""
    if scope.sees_unit_fully:
        note = f"涉密不宜公开的权力{len(secret)}项，已逐项填写《涉密不宜公开权力目录》。"
        attachments.append("涉密不宜公开权力目录")
    attachments += ["权力动态运行情况登记表", "行政权力运行流程图"]
    context = {
        "total": len(powers),
        "by_category": by_category(powers),
        "by_status": "，".join(f"{s.label}{status[s]}项" for s in PowerStatus if status[s]) or "尚无",
        "catalog": len(listed),
        "charts": charts,
        "confidential_note": note,
        "records": len(await records(scope)),
        "attachments": "附件：" + "\n　　　".join(f"{i}．{a}" for i, a in enumerate(attachments, start=1)),
    }
    return context, len(powers)
