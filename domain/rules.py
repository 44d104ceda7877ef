"""The review rules of 清理审核, decided here once for the pre-review check and for decide():

- 凡无合法依据的，予以废止: a power without a basis in force can only be abolished.
- 已经失去法律效力的予以排除: a basis no longer in force (or not yet in force) is flagged.
- 凡无保密依据的，予以公开: a confidential power without 保密依据 cannot be approved as such.
- 凡职责不清的，依法予以确定: the same power claimed by two units is flagged for the reviewers.
- 每项权力都附一张流程图: a power is published only with a basis in force and a flow chart of at
  least two steps (publication_errors, for publish() and for a revision's approval).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from domain.access import Viewer, sees_power
from domain.enums import ExerciseMode, LegalStatus, PowerStatus, ReviewDecision, RuleCode, Severity, UnitKind
from domain.errors import FieldError
from domain.models import FlowStep, Power, PowerBasis, Unit

#: Statuses of powers that no longer claim anything.
INACTIVE = frozenset({PowerStatus.ABOLISHED, PowerStatus.REMOVED})
ENDED = frozenset({LegalStatus.AMENDED, LegalStatus.HISTORICAL, LegalStatus.REPEALED})
#: Exercise modes that claim a power alone; SHARED and ASSIST legitimately sit beside another unit.
SOLE_MODES = frozenset({ExerciseMode.EXCLUSIVE, ExerciseMode.LEAD})
#: fuzz.ratio of two normalised names from which they are taken for the same power.
SAME_NAME_SCORE = 90
APPROVING = frozenset({ReviewDecision.RETAIN, ReviewDecision.FILE})
#: A flow chart shows a procedure: at least two steps (受理 → 决定).
MIN_CHART_STEPS = 2


@dataclass(frozen=True)
class Finding:
    power_id: int
    code: RuleCode
    severity: Severity
    message: str
    article_ids: tuple[int, ...] = ()
    other_power_id: int | None = None
    other_unit_id: int | None = None


def normalize_name(name: str) -> str:
    """Full-width to half-width, no spaces or punctuation: 「对…的 行政处罚。」 and 「对…的行政处罚」 are one."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZS").lower()


def _numbers(name: str) -> list[str]:
    return re.findall(r"\d+", name)


async def check_powers(powers: Sequence[Power], today: datetime.date, viewer: Viewer) -> list[Finding]:
    """Every finding for `powers`, in a fixed number of queries, as `viewer` may read them: a
    finding never names (nor, if confidential, mentions) a power `viewer` may not see."""
    if not powers:
        return []
    ids = [p.id for p in powers]
    bases: dict[int, list[PowerBasis]] = defaultdict(list)
    for basis in await PowerBasis.filter(power_id__in=ids).select_related("article__document"):
        bases[basis.power_id].append(basis)
    steps: dict[int, int] = defaultdict(int)
    for power_id in await FlowStep.filter(chart__power_id__in=ids).values_list("chart__power_id", flat=True):
        steps[power_id] += 1
    findings: list[Finding] = []
    for power in powers:
        findings += _basis_findings(power, bases[power.id], today)
        if steps[power.id] < MIN_CHART_STEPS:
            findings.append(
                Finding(
                    power.id,
                    RuleCode.NO_FLOW_CHART,
                    Severity.BLOCKS_PUBLICATION,
                    "每项权力都须附流程图：尚无流程图或流程图不足两个环节，不能公开 "
                    f"(a flow chart of at least {MIN_CHART_STEPS} steps is needed before publication)",
                )
            )
        if power.confidential and not power.confidentiality_basis.strip():
            findings.append(
                Finding(
                    power.id,
                    RuleCode.CONFIDENTIAL_WITHOUT_BASIS,
                    Severity.BLOCKING,
                    "标记为涉密不宜公开但未提供保密依据，应予公开 (confidential without 保密依据: it must be disclosed)",
                )
            )
    findings += await _claimed_twice(powers, {pid: {b.article_id for b in bs} for pid, bs in bases.items()}, viewer)
    return findings


def _basis_findings(power: Power, bases: list[PowerBasis], today: datetime.date) -> list[Finding]:
    found: list[Finding] = []
    in_force = 0
    for basis in bases:
        doc = basis.article.document
        label = f"《{doc.title}》{basis.article.label}"
        if doc.status in ENDED or (doc.repeal_date is not None and doc.repeal_date <= today):
            found.append(
                Finding(
                    power.id,
                    RuleCode.BASIS_NOT_IN_FORCE,
                    Severity.WARNING,
                    f"依据{label}已失去法律效力（{doc.status.label}），应予排除 (basis no longer in force)",
                    (basis.article_id,),
                )
            )
        elif doc.status == LegalStatus.NOT_YET_EFFECTIVE or (
            doc.effective_date is not None and doc.effective_date > today
        ):
            found.append(
                Finding(
                    power.id,
                    RuleCode.BASIS_NOT_YET_EFFECTIVE,
                    Severity.WARNING,
                    f"依据{label}尚未施行 (basis not yet in force)",
                    (basis.article_id,),
                )
            )
        else:
            in_force += 1
    if not in_force:
        found.insert(
            0,
            Finding(
                power.id,
                RuleCode.NO_LEGAL_BASIS,
                Severity.BLOCKING,
                "无现行有效的法律依据，只能废止 (no legal basis in force: it can only be abolished)",
            ),
        )
    return found


async def _claimed_twice(powers: Sequence[Power], basis_sets: dict[int, set[int]], viewer: Viewer) -> list[Finding]:
    """职责不清: another unit, in an overlapping territory, claims a power of the same name or bases.

    Reported as `viewer` may see the other power (domain.access, as for fields): a visible one by
    name, with its power and unit; hidden ones in one anonymous finding per checked power, which
    tells neither their names, codes, units nor how many there are. A hidden confidential power is
    left out altogether: even an anonymous finding would tell that it exists (DESIGN: not its name,
    not its count), and the reviewers, who see it, get the finding in their own check.
    """
    checked = [p for p in powers if p.status not in INACTIVE and p.exercise_mode in SOLE_MODES]
    if not checked:
        return []
    org, territory = await _unit_places()
    others = [
        other
        for other in await Power.filter(
            category__in={p.category for p in checked},
            exercise_mode__in=list(SOLE_MODES),
            status__not_in=list(INACTIVE),
        ).only("id", "name", "unit_id", "category", "status", "disclosure_scope", "confidential")
        if not other.confidential or sees_power(viewer, other)
    ]
    other_bases: dict[int, set[int]] = defaultdict(set)
    for power_id, article_id in await PowerBasis.filter(power_id__in=[o.id for o in others]).values_list(
        "power_id", "article_id"
    ):
        other_bases[power_id].add(article_id)
    by_category: dict[object, list[Power]] = defaultdict(list)
    for other in others:
        by_category[other.category].append(other)
    findings: list[Finding] = []
    for power in checked:
        candidates = [
            o
            for o in by_category[power.category]
            if o.id != power.id
            and org[o.unit_id] != org[power.unit_id]
            and _overlap(territory[o.unit_id], territory[power.unit_id])
        ]
        names = [normalize_name(o.name) for o in candidates]
        mine = normalize_name(power.name)
        similar = {
            index
            for _name, score, index in process.extract(
                mine, names, scorer=fuzz.ratio, score_cutoff=SAME_NAME_SCORE, limit=None
            )
            if _numbers(candidates[index].name) == _numbers(power.name)
        }
        own = basis_sets.get(power.id) or set()
        hidden = False
        for index, other in enumerate(candidates):
            same_bases = bool(own) and own == other_bases.get(other.id)
            if not (index in similar or same_bases):
                continue
            if not sees_power(viewer, other):
                hidden = True
                continue
            why = "名称相同或相近" if index in similar else "依据完全相同"
            findings.append(
                Finding(
                    power.id,
                    RuleCode.UNCLEAR_RESPONSIBILITY,
                    Severity.WARNING,
                    f"职责不清：另一单位申报了{why}的职权「{other.name}」，请依法确定实施主体 "
                    "(the same power is claimed by another unit)",
                    other_power_id=other.id,
                    other_unit_id=other.unit_id,
                )
            )
        if hidden:
            findings.append(
                Finding(
                    power.id,
                    RuleCode.UNCLEAR_RESPONSIBILITY,
                    Severity.WARNING,
                    "职责不清：另有其他单位申报了名称相近或依据相同的职权，请依法确定实施主体，"
                    "必要时请县公开办协调 (another unit claims a power of the same name or legal basis; "
                    "it is not visible to you)",
                )
            )
    return findings


def _overlap(a: int | None, b: int | None) -> bool:
    """Two territories overlap unless they are two different townships (None is the whole county)."""
    return a is None or b is None or a == b


async def _unit_places() -> tuple[dict[int, int], dict[int, int | None]]:
    """For each unit: its organisation (itself, or the unit above its 科室) and its township, if any."""
    rows = {
        uid: (parent, kind) for uid, parent, kind in await Unit.all().values_list("id", "parent_id", "kind")
    }

    def org(uid: int) -> int:
        while rows[uid][1] == UnitKind.OFFICE and rows[uid][0] is not None:
            uid = rows[uid][0]
        return uid

    def township(uid: int | None) -> int | None:
        while uid is not None:
            if rows[uid][1] == UnitKind.TOWNSHIP:
                return uid
            uid = rows[uid][0]
        return None

    return {uid: org(uid) for uid in rows}, {uid: township(uid) for uid in rows}


def decision_errors(decision: ReviewDecision, findings: Iterable[Finding]) -> list[FieldError]:
    """Why the rules refuse `decision` for a power with these findings (empty when allowed)."""
    codes = {f.code for f in findings}
    errors: list[FieldError] = []
    if RuleCode.NO_LEGAL_BASIS in codes and decision != ReviewDecision.ABOLISH:
        errors.append(
            FieldError(
                "decision",
                "无合法依据的职权只能废止 (a power without a legal basis can only be abolished)",
                "no_legal_basis",
            )
        )
    if RuleCode.CONFIDENTIAL_WITHOUT_BASIS in codes and decision in APPROVING:
        errors.append(
            FieldError(
                "decision",
                "无保密依据的涉密职权不能保留或备案，应调整为公开 (confidential without 保密依据: adjust it to be disclosed)",
                "confidential_without_basis",
            )
        )
    return errors


def publication_errors(findings: Iterable[Finding]) -> list[FieldError]:
    """Why a power with these findings cannot be published (empty when it can): a basis in force,
    a flow chart of at least two steps, and 保密依据 for a confidential power."""
    codes = {f.code for f in findings}
    refusals = (
        (RuleCode.NO_LEGAL_BASIS, "bases", "无现行有效的法律依据，不能公开 (no legal basis in force)", "no_legal_basis"),
        (
            RuleCode.NO_FLOW_CHART,
            "flowChart",
            f"须附至少{MIN_CHART_STEPS}个环节的流程图方可公开 (a flow chart of at least {MIN_CHART_STEPS} steps is needed)",
            "no_flow_chart",
        ),
        (
            RuleCode.CONFIDENTIAL_WITHOUT_BASIS,
            "confidentiality",
            "无保密依据的涉密职权不能公开运行 (confidential without 保密依据)",
            "confidential_without_basis",
        ),
    )
    return [FieldError(field, message, code) for rule, field, message, code in refusals if rule in codes]
