"""The values each form's template is rendered with (docxtpl escapes them: autoescape is on)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from docgen.data import CATALOGUE_STATUSES, CLOSED_STATUSES, PowerSheet, Scope, clean, records, sheets
from docgen.forms import PLAN_LABELS, SPECS, FilingForm, attachments
from domain import models as m
from domain import personal
from domain.alarms import applied_clocks, case_timing
from domain.comment_periods import comment_summaries
from domain.enums import AlarmLevel, OperationStage, PowerCategory, PowerStatus
from domain.functions import correspondence
from domain.oversight_models import UnitFunction
from domain.workdays import WorkCalendar, today
from domain.workflow_models import OperationStep
from domain.workload import unit_workload

NUMERALS = "一二三四五六七八九十"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def common(scope: Scope, form: FilingForm, today: date) -> dict[str, Any]:
    return {
        "unit_name": scope.unit.name,
        "date": chinese_date(today),
        "scope_note": "" if scope.sees_unit_fully else "（公开版：仅含向社会公开的内容）",
        "attachment": PLAN_LABELS.get(form, ""),  # the plan's 附3、4–附7, 一图, 一件
    }


NO_FEE = ("", "无", "不收费", "免费")


def fee(power: m.Power) -> str:
    basis, standard = power.fee_basis.strip(), power.fee_standard.strip()
    if basis in NO_FEE and standard in NO_FEE:
        return "不收费"
    return clean(f"依据：{basis or '无'}\n标准：{standard or '无'}")


def by_category(powers: list[m.Power]) -> str:
    counts = Counter(p.category for p in powers)
    return "、".join(f"{c.label}{counts[c]}项" for c in PowerCategory if counts[c]) or "无"


async def registration(scope: Scope) -> tuple[dict[str, Any], int]:
    """附3、4: every power the unit cleared, whatever became of it, with the reason a power is not public."""
    powers = await scope.powers().order_by("code")
    comments = await comment_summaries([p.id for p in powers])  # 公示 and 征求意见, attached to the declaration
    rows = []
    for no, sheet in enumerate(await sheets(powers, with_charts=False), start=1):
        p = sheet.power
        secrecy = ""
        if p.confidential:
            secrecy = clean(f"{p.confidentiality_reason}\n保密依据：{p.confidentiality_basis or '（未提供，应予公开）'}")
        summary = comments.get(p.id)
        notes = "\n".join(x for x in (secrecy, clean(summary.note(scope.sees_unit_fully)) if summary else "") if x)
        rows.append({
            "no": no, "code": p.code, "name": clean(p.name), "category": p.category.label,
            "mode": p.exercise_mode.label, "basis": "\n".join(sheet.bases) or "（无依据）",
            "disclosure": clean(f"{p.disclosure_scope.label}；{p.disclosure_form}；{p.disclosure_timing.label}，{p.disclosure_deadline}"),
            "fee": fee(p), "status": p.status.label, "secrecy": secrecy, "notes": notes,
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


def _stage(text: str, day: date | None, responsible: str) -> str:
    lines = [text, f"（{chinese_date(day)}）" if day else "", f"责任人：{responsible}" if responsible and (text or day) else ""]
    return clean("\n".join(line for line in lines if line))


def _responsible(record: m.OperationRecord, steps: list[OperationStep]) -> dict[OperationStage, str]:
    """Who handled each stage: the handlers of the steps timed in it (a step belongs to the stage
    whose date it started on or before), else the record's 经办人."""
    ends = [(OperationStage.DECISION, record.decided_on), (OperationStage.EXECUTION, record.executed_on)]
    found: dict[OperationStage, list[str]] = {stage: [] for stage in OperationStage}
    for step in steps:
        stage = next((s for s, end in ends if end is not None and step.started_on <= end), OperationStage.RESULT)
        if step.handler and step.handler not in found[stage]:
            found[stage].append(step.handler)
    return {stage: "、".join(names) or clean(record.handler) for stage, names in found.items()}


async def operation_records(scope: Scope) -> tuple[dict[str, Any], int]:
    """附7: each exercise of a power through 决策 → 执行 → 结果 with who was responsible for each, its
    applicant (and the applicant's name inside the texts) withheld from who may not see personal
    data, as the API does."""
    found = await records(scope)
    steps: dict[int, list[OperationStep]] = {r.id: [] for r in found}
    for step in await OperationStep.filter(operation_id__in=list(steps)).order_by("operation_id", "started_on", "id"):
        steps[step.operation_id].append(step)
    rows = []
    calendar = await WorkCalendar.load()
    applied = await applied_clocks(list(steps))
    late = 0
    for no, r in enumerate(found, start=1):
        text = personal.operation_record_text(scope.viewer, r.power.unit_id, r)
        who = _responsible(r, steps[r.id])
        result = _stage(text.result, r.finished_on, who[OperationStage.RESULT]) or f"（{r.stage.label}阶段）"
        limit, started = applied.get(r.id, (r.power.time_limit_days, None))
        timing = case_timing(calendar, r, limit, today(), started) if r.stage == OperationStage.RESULT else None
        if timing is not None and timing.late:  # 电子监察: closed later than the power's 承诺时限
            late += 1
            result += f"\n【超过承诺时限】承诺{timing.limit}个工作日（{chinese_date(timing.due)}前），实际用时{timing.workdays}个工作日"
        rows.append({
            "no": no, "power": clean(f"{r.power.name}\n（{r.power.code}）"), "network": r.network.label if r.network else "—",
            "subject": clean(text.subject), "applicant": clean(text.applicant_cell),
            "decision": _stage(text.decision, r.decided_on, who[OperationStage.DECISION]),
            "execution": _stage(text.execution, r.executed_on, who[OperationStage.EXECUTION]),
            "result": result,
            "scope": r.scope.label,
        })  # fmt: skip
    network = f"{scope.network.label}：" if scope.network else ""
    summary = f"{network}共登记权力运行记录{len(rows)}条" + (f"，其中超过承诺时限办结{late}条。" if late else "。")
    return {"rows": rows, "summary": summary}, len(rows)


async def posts(scope: Scope) -> tuple[dict[str, Any], int]:
    """岗位职责及承办职权表 (附2 lists each member unit's 职责; this, each post's): every post of the unit and its
    offices with its 责任人 and 职责, the PUBLISHED powers and chart steps it holds and its work under way, as
    the viewer may see them (domain.workload: the public version neither a confidential power nor an alarm)."""
    found = await unit_workload(scope.viewer, scope.unit.id)
    offices = dict(await m.Unit.filter(id__in=sorted(scope.unit_ids)).values_list("id", "name"))
    rows = []
    for no, post in enumerate(found.posts, start=1):
        position = post.position
        steps: dict[str, list[str]] = {}  # a step (with its limit) and the powers whose charts have it here
        for step in post.steps:
            limit = f"（{step.time_limit_days}个工作日）" if step.time_limit_days is not None else ""
            steps.setdefault(f"{clean(step.name)}{limit}", []).append(step.chart.power.code)
        alarms = "—"
        if scope.sees_unit_fully:
            alarms = f"黄牌{post.alarms[AlarmLevel.YELLOW]}　红牌{post.alarms[AlarmLevel.RED]}" if post.alarms else "无"
        rows.append({
            "no": no, "office": "本单位" if position.unit_id == scope.unit.id else clean(offices.get(position.unit_id, "")),
            "post": clean(position.name), "holder": clean(position.holder), "duties": clean(position.duties),
            "powers": "\n".join(f"{p.code}　{clean(p.name)}" for p in post.powers) or "—",
            "steps": "\n".join(f"{name}：{'、'.join(codes)}" for name, codes in steps.items()) or "—",
            "open": str(len(post.open_steps)), "alarms": alarms,
        })  # fmt: skip
    held = len(found.powers)
    summary = f"共{len(rows)}个岗位，承办行政权力{held}项、流程环节{found.steps}个"
    summary += f"，在办环节{found.open_steps}个。" if found.open_steps else "。"
    return {"rows": rows, "summary": summary}, len(rows)


async def flow_charts(scope: Scope) -> tuple[dict[str, Any], list[PowerSheet]]:
    """一图: every catalogue power (or the one power asked for); those without a chart are listed
    on the cover as missing, never left out silently."""
    q = scope.powers()
    if scope.power is None:
        q = q.filter(status__in=CATALOGUE_STATUSES, confidential=False)
    found = await sheets(await q.order_by("code"))
    missing = [f"{s.power.code}　{clean(s.power.name)}" for s in found if s.chart is None]
    summary = f"共{len(found)}项职权，流程图{len(found) - len(missing)}幅"
    summary += f"，缺{len(missing)}幅（见下）。" if missing else "。"
    return {"summary": summary, "missing": missing, "cover": scope.power is None}, found


#: the covering note's words for a status where the label would repeat the total's ("共清理登记…N项")
STATUS_WORDS = {PowerStatus.DRAFT: "尚未申报（清理中）", PowerStatus.DECLARED: "已确认申报"}


async def cover_note(scope: Scope) -> tuple[dict[str, Any], int]:
    """文字材料: the covering note, its numbers counted from what the caller may see (the public
    version says its numbers are those of the public part)."""
    powers = await scope.powers()
    status = Counter(p.status for p in powers)
    listed = [p for p in powers if p.status in CATALOGUE_STATUSES and not p.confidential]
    charts = await m.FlowChart.filter(power_id__in=[p.id for p in listed]).count()
    secret = [p for p in powers if p.confidential and p.status not in CLOSED_STATUSES]
    note = ""
    if scope.sees_unit_fully:
        note = f"涉密不宜公开的权力{len(secret)}项，已逐项填写《涉密不宜公开权力目录》。"
    listed_forms = attachments(full=scope.sees_unit_fully)
    context = {
        "counted": "共清理登记行政权力" if scope.sees_unit_fully else "向社会公开的行政权力",
        "public_note": "" if scope.sees_unit_fully else "本公开版所列数字仅计向社会公开的部分。",
        "total": len(powers),
        "by_category": by_category(powers),
        "by_status": "，".join(f"{STATUS_WORDS.get(s, s.label)}{status[s]}项" for s in PowerStatus if status[s]) or "尚无",
        "catalog": len(listed),
        "charts": charts,
        "missing_charts": f"尚有{len(listed) - charts}项未绘制流程图。" if charts < len(listed) else "",
        "confidential_note": note,
        "records": len(await records(scope)),
        "attachments": [
            {"label": "附件：" if i == 1 else "", "text": f"{PLAN_LABELS[f]}　{SPECS[f].title}"} for i, f in enumerate(listed_forms, start=1)
        ],
    }
    return context, len(powers)


async def legal_texts(scope: Scope) -> tuple[dict[str, Any], int]:
    """一件: the full text of every article the scope's powers cite, grouped by document, the
    documents by legal rank, each with its 文号, issuer and version; only powers the viewer may
    see count, so an article cited by a hidden power alone is not printed."""
    powers = await scope.powers().exclude(status__in=CLOSED_STATUSES)
    codes = {p.id: p.code for p in powers}
    bases = await m.PowerBasis.filter(power_id__in=list(codes)).select_related("article__document").order_by("power_id", "ordinal")
    cited: dict[int, list[str]] = {}
    articles: dict[int, m.LegalArticle] = {}
    for b in bases:
        articles[b.article_id] = b.article
        cited.setdefault(b.article_id, []).append(codes[b.power_id])
    documents: dict[int, list[m.LegalArticle]] = {}
    for article in sorted(articles.values(), key=lambda a: (a.document.level.rank, a.document.title, a.document_id, a.ordinal)):
        documents.setdefault(article.document_id, []).append(article)
    levels: list[dict[str, Any]] = []
    for found in documents.values():
        d = found[0].document
        if not levels or levels[-1]["level"] is not d.level:
            levels.append({"level": d.level, "label": "", "documents": []})
        meta = [f"文号：{d.doc_number}" if d.doc_number else "", f"制定机关：{d.issuer}" if d.issuer else "",
                f"版本：{chinese_date(d.version_date)}" if d.version_date else "",
                f"施行：{chinese_date(d.effective_date)}" if d.effective_date else "", d.status.label]  # fmt: skip
        levels[-1]["documents"].append({
            "title": f"《{clean(d.title)}》", "meta": clean("　".join(x for x in meta if x)),
            "articles": [
                {"label": a.label, "first": paragraphs[0], "rest": paragraphs[1:], "cited_by": "引用职权：" + "、".join(sorted(set(cited[a.id])))}
                for a in found
                for paragraphs in [[line.strip() for line in clean(a.text).splitlines() if line.strip()] or [""]]
            ],
        })  # fmt: skip
    for i, group in enumerate(levels):
        numeral = NUMERALS[i] if i < len(NUMERALS) else str(i + 1)
        group["label"] = f"{numeral}、{group['level'].label}"
    count = sum(len(a) for a in documents.values())
    subject = f"{scope.power.code} {clean(scope.power.name)}" if scope.power else scope.unit.name
    summary = f"{subject}所引依据：法律文件{len(documents)}件，条文{count}条，按法律效力等级排列。"
    return {"levels": levels, "summary": summary}, count


def _function_label(function: UnitFunction) -> str:
    return clean(f"{function.ordinal}．{function.title}")


async def functions(scope: Scope) -> tuple[dict[str, Any], int]:
    """四个对应 (职权—依据—主体—职能) for the review: every live power the caller sees with its functions, bases
    and unit, what does not correspond, then the functions no power carries out (the caller was checked by
    domain.functions: the unit's staff and oversight roles)."""
    report = await correspondence(scope.viewer, scope.unit.id)
    units = {u.id: u.name for u in await m.Unit.filter(id__in=sorted({r.power.unit_id for r in report.rows}))}
    rows = []
    for no, r in enumerate(report.rows, start=1):
        problems = [f.message.split(" (")[0] for f in r.basis_findings + r.subject_findings]
        if not r.functions:
            problems.append("未对应三定职能（不越权：请核实职权来源）")
        rows.append({
            "no": no, "function": "\n".join(_function_label(f) for f in r.functions) or "（无）", "code": r.power.code,
            "name": clean(r.power.name), "basis": "\n".join(clean(b) for b in r.bases) or "（无依据）",
            "subject": clean(f"{units[r.power.unit_id]}（{r.power.exercise_mode.label}）"),
            "finding": clean("；".join(problems)) or "四个对应",
        })  # fmt: skip
    uncarried = [
        {"no": no, "function": _function_label(f), "code": "—", "name": "（无对应职权）", "basis": "—", "subject": "—",
         "finding": "不遗漏：该职能尚无职权承接"}
        for no, f in enumerate(report.functions_without_power, start=len(rows) + 1)
    ]  # fmt: skip
    groups = [{"label": f"一、职权对应情况（{len(rows)}项）", "rows": rows}]
    if uncarried:
        groups.append({"label": f"二、无对应职权的三定职能（{len(uncarried)}项）", "rows": uncarried})
    corresponding = sum(1 for r in report.rows if r.corresponds)
    summary = (
        f"三定职能{len(report.functions)}项，其中{len(uncarried)}项无对应职权；职权{len(rows)}项，四个对应{corresponding}项，"
        f"未对应职能{len(report.powers_without_function)}项，依据失效或缺失{len(report.powers_basis_not_in_force)}项。"
    )
    return {"groups": groups, "summary": summary}, len(rows) + len(uncarried)
