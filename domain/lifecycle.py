"""The lifecycle of a power (DESIGN.md): DRAFT (清理登记, services.powers.create_power) →
declare() → DECLARED → submit() → IN_REVIEW → record_opinion() by each reviewing office (a reviewer
holds one seat: domain.enums.ReviewSeat) → decide() by 县公开办 → approve() by the leading group
(领导小组审定): APPROVED | DRAFT (调整) | ABOLISHED | REMOVED, and publish(): APPROVED → PUBLISHED.

Each step checks its role (domain.access), refuses a status it does not start from with
IllegalTransition, moves the status with a conditional UPDATE (two concurrent steps cannot both
win) and records an AuditEvent with who, when and why, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access, revisions
from domain.audit import record
from domain.change_feed import enqueue
from domain.enums import PowerStatus, ReviewDecision, ReviewOffice, ReviewSeat, RevisionKind, SearchEntity
from domain.errors import IllegalTransition, ValidationFailed, Validator
from domain.models import Power
from domain.rules import APPROVING, INACTIVE, Finding, check_powers, decision_errors, publication_errors
from domain.services.common import visible_power
from domain.versions import record_version
from domain.workdays import today
from domain.workflow_models import PowerRevision, Review, ReviewOpinion

#: Where each decision leaves the power (ADJUST sends it back to the unit).
DECIDED_STATUS: dict[ReviewDecision, PowerStatus] = {
    ReviewDecision.RETAIN: PowerStatus.APPROVED,
    ReviewDecision.FILE: PowerStatus.APPROVED,
    ReviewDecision.ADJUST: PowerStatus.DRAFT,
    ReviewDecision.ABOLISH: PowerStatus.ABOLISHED,
    ReviewDecision.REMOVE: PowerStatus.REMOVED,
}
ACTIONS_ZH = {
    "declare": "申报",
    "submit": "报送审核",
    "decide": "作出审核决定",
    "opinion": "提出审核意见",
    "publish": "公开",
    "approve": "审定",
}
TEXT_LIMIT = 4000


@dataclass(frozen=True)
class OpinionData:
    office: ReviewOffice
    opinion: str
    recommendation: ReviewDecision | None = None


@dataclass
class PreReviewReport:
    power_ids: list[int]
    findings: list[Finding] = field(default_factory=list)


def _require_status(power: Power, action: str, *allowed: PowerStatus) -> None:
    if power.status not in allowed:
        wanted = " / ".join(s.value for s in allowed)
        route = ""
        if power.status in revisions.REVISABLE and action != "publish":
            route = (
                "；已审核通过或公开运行的职权，其修改、废止或剔除须先提出修订（openPowerRevision），"
                "再申报、审核 (open a revision: openPowerRevision)"
            )
        raise IllegalTransition(
            f"职权处于「{power.status.label}」状态，不能{ACTIONS_ZH[action]}{route} "
            f"(cannot {action} a {power.status.value} power; it must be {wanted})",
            action,
            power.status.value,
        )


async def _move(
    viewer: access.Viewer, power: Power, action: str, to: PowerStatus, why: str, **detail: object
) -> None:
    """Set the status if nobody changed it meanwhile, and record the step."""
    old = power.status
    if not await Power.filter(id=power.id, status=old).update(status=to, updated_at=now()):
        current = await Power.get(id=power.id)
        _require_status(current, action, old)
    power.status = to
    await enqueue(SearchEntity.POWER, [power.id])
    await record(
        viewer,
        f"power.{action}",
        "power",
        power.id,
        from_status=old.value,
        to_status=to.value,
        why=why,
        **detail,
    )


def _text(v: Validator, name: str, label: str, value: str, *, required: bool) -> str:
    text = (value or "").strip()
    v.check(bool(text) or not required, name, f"{label}不能为空 ({name} is required)", "required")
    v.check(
        len(text) <= TEXT_LIMIT, name, f"{label}不能超过 {TEXT_LIMIT} 个字符 ({name} is too long)", "too_long"
    )
    return text


async def _open_review(power: Power) -> Review:
    """The round under way; a power declared before reviews were recorded (imported, seeded) gets one."""
    review = await Review.filter(power_id=power.id, approved_at__isnull=True).order_by("-round").first()
    if review is None:
        last = await Review.filter(power_id=power.id).order_by("-round").first()
        review = await Review.create(
            power=power,
            round=(last.round + 1) if last else 1,
            lead_opinion="（申报早于本系统记录）",
            declared_by="",
            declared_at=power.updated_at,
        )
    return review


async def declare(viewer: access.Viewer, power_id: int, lead_opinion: str) -> Power:
    """确认申报: the unit's lead signs the power off (主要负责人签署意见); a new review round opens."""
    async with in_transaction():
        power = await visible_power(viewer, power_id)
        access.require_declare(viewer, power.unit_id)
        v = Validator()
        opinion = _text(v, "lead_opinion", "主要负责人签署意见", lead_opinion, required=True)
        v.raise_if_any()
        _require_status(power, "declare", PowerStatus.DRAFT)
        last = await Review.filter(power_id=power.id).order_by("-round").first()
        review = await Review.create(
            power=power,
            round=(last.round + 1) if last else 1,
            lead_opinion=opinion,
            declared_by=viewer.name,
            declared_at=now(),
        )
        await _move(
            viewer, power, "declare", PowerStatus.DECLARED, opinion, review_id=review.id, round=review.round
        )
    return power


async def submit(viewer: access.Viewer, power_id: int) -> Power:
    """向县公开办申报: the unit sends a declared power to review."""
    async with in_transaction():
        power = await visible_power(viewer, power_id)
        access.require_power_content(viewer, power)
        _require_status(power, "submit", PowerStatus.DECLARED)
        review = await _open_review(power)
        review.submitted_by, review.submitted_at = viewer.name, now()
        await review.save(update_fields=["submitted_by", "submitted_at", "updated_at"])
        await _move(viewer, power, "submit", PowerStatus.IN_REVIEW, "报送县公开办审核", review_id=review.id)
    return power


async def _in_review(
    viewer: access.Viewer, power_id: int, action: str, seat: ReviewSeat | None = None
) -> tuple[Power, Review]:
    power = await visible_power(viewer, power_id)
    if seat is None:
        access.require_reviewer(viewer)
    else:
        access.require_seat(viewer, seat)
    _require_status(power, action, PowerStatus.IN_REVIEW)
    return power, await _open_review(power)


def _clean_opinions(v: Validator, opinions: Sequence[OpinionData], viewer: access.Viewer) -> list[OpinionData]:
    """Opinions as given, each of the office whose seat the viewer holds (每个部门只提出本部门意见)."""
    cleaned: list[OpinionData] = []
    for i, o in enumerate(opinions):
        v.check(
            viewer.seat is not None and o.office.value == viewer.seat.value,
            f"opinions.{i}.office",
            f"只能提出本部门的审核意见，不能代{o.office.label}提出 (a reviewer enters only its own office's opinion)",
            "other_office",
        )
        text = _text(v, f"opinions.{i}.opinion", f"{o.office.label}意见", o.opinion, required=True)
        v.check(
            all(c.office != o.office for c in cleaned),
            f"opinions.{i}.office",
            f"{o.office.label}的意见重复 (one opinion per office)",
            "duplicate",
        )
        cleaned.append(OpinionData(o.office, text, o.recommendation))
    return cleaned


async def _save_opinions(
    viewer: access.Viewer, power: Power, review: Review, opinions: list[OpinionData]
) -> None:
    for o in opinions:
        row, created = await ReviewOpinion.get_or_create(
            review=review,
            office=o.office,
            defaults={"opinion": o.opinion, "recommendation": o.recommendation, "reviewer": viewer.name},
        )
        if not created:
            row.opinion, row.recommendation, row.reviewer = o.opinion, o.recommendation, viewer.name
            await row.save()
        await record(
            viewer,
            "review.opinion",
            "review",
            review.id,
            power_id=power.id,
            office=o.office.value,
            opinion=o.opinion,
            recommendation=o.recommendation.value if o.recommendation else None,
        )


async def record_opinion(viewer: access.Viewer, power_id: int, opinion: OpinionData) -> Review:
    """One reviewing office's opinion (公开办, 法制, 保密, 编办, 物价) on a power in review; a later
    opinion of the same office replaces it, and the trail keeps both."""
    async with in_transaction():
        power, review = await _in_review(viewer, power_id, "opinion", ReviewSeat(opinion.office.value))
        v = Validator()
        cleaned = _clean_opinions(v, [opinion], viewer)
        v.raise_if_any()
        await _save_opinions(viewer, power, review, cleaned)
    return review


async def decide(
    viewer: access.Viewer,
    power_id: int,
    decision: ReviewDecision,
    reason: str = "",
    required_changes: str = "",
    opinions: Sequence[OpinionData] = (),
) -> Power:
    """审核备案: 县公开办 decides on a power in review once every office has given its opinion; the
    decision takes effect when the leading group approves it (approve()). A later decision of 县公开办
    replaces one not yet approved.

    The rules (domain.rules) refuse what the plan forbids: without a legal basis only ABOLISH, a
    confidential power without 保密依据 cannot be retained or filed. ADJUST needs the changes asked for.
    `opinions` given here are 县公开办's own.
    """
    async with in_transaction():
        power, review = await _in_review(viewer, power_id, "decide", ReviewSeat.OPENNESS_OFFICE)
        v = Validator()
        cleaned = _clean_opinions(v, opinions, viewer)
        reason = _text(v, "reason", "审核意见", reason, required=False)
        changes = _text(
            v, "required_changes", "调整要求", required_changes, required=decision == ReviewDecision.ADJUST
        )
        given = {o.office for o in cleaned}
        have = set(await ReviewOpinion.filter(review_id=review.id).values_list("office", flat=True))
        missing = [office for office in ReviewOffice if office not in given | have]
        v.check(
            not missing,
            "opinions",
            "尚缺以下部门的审核意见："
            + "、".join(o.label for o in missing)
            + f" (missing opinions: {', '.join(o.value for o in missing)})",
            "missing_opinions",
        )
        findings = await _check_decision(viewer, v, power, decision)
        v.raise_if_any()
        await _save_opinions(viewer, power, review, cleaned)
        review.decision, review.decision_reason, review.required_changes = decision, reason, changes
        review.decided_by, review.decided_at, review.approval_opinion = viewer.name, now(), ""
        await review.save()
        await record(
            viewer, "review.decide", "review", review.id, power_id=power.id, decision=decision.value, why=reason,
            required_changes=changes, findings=[f.code.value for f in findings],
        )  # fmt: skip
    return power


async def _check_decision(viewer: access.Viewer, v: Validator, power: Power, decision: ReviewDecision) -> list[Finding]:
    """The rules' refusals of `decision` (and, where it publishes at once, of publication) into `v`."""
    revision = await revisions.revision_of_draft(power.id)
    findings, publishes = await _decision_findings(viewer, power, revision, decision)
    v.errors += decision_errors(decision, findings)
    if publishes:
        v.errors += publication_errors(findings)
    return findings


async def approve(viewer: access.Viewer, power_id: int, approved: bool, opinion: str = "") -> Power:
    """领导小组审定: the leading group approves 县公开办's decision, which then takes effect (the power
    moves; a revision settles), or returns it with its opinion for 县公开办 to decide again."""
    async with in_transaction():
        power, review = await _in_review(viewer, power_id, "approve", ReviewSeat.LEADING_GROUP)
        v = Validator()
        text = _text(v, "opinion", "领导小组意见", opinion, required=not approved)
        v.raise_if_any()
        decision = review.decision
        if decision is None:
            raise IllegalTransition(
                "县公开办尚未作出审核决定，无可审定 (no decision of 县公开办 awaits approval)", "approve", power.status.value
            )
        if not approved:
            review.decision, review.decided_by, review.decided_at, review.approval_opinion = None, "", None, text
            await review.save()
            await record(viewer, "review.return", "review", review.id, power_id=power.id, decision=decision.value, why=text)
            return power
        findings = await _check_decision(viewer, v, power, decision)
        v.raise_if_any()
        review.approved_by, review.approved_at, review.approval_opinion = viewer.name, now(), text
        review.approved_member_id = viewer.member_id  # type: ignore[assignment]  # the member the token is bound to
        await review.save()
        await _move(
            viewer, power, "decide", DECIDED_STATUS[decision], review.decision_reason or decision.label,
            review_id=review.id, decision=decision.value, required_changes=review.required_changes,
            decided_by=review.decided_by, approved_by=viewer.name, approved_member_id=viewer.member_id,
            findings=[f.code.value for f in findings],
        )  # fmt: skip
        revision = await revisions.revision_of_draft(power.id)
        if revision is not None and decision != ReviewDecision.ADJUST:
            power = await revisions.settle(viewer, revision, power, decision, review)
    return power


async def _decision_findings(
    viewer: access.Viewer, power: Power, revision: PowerRevision | None, decision: ReviewDecision
) -> tuple[list[Finding], bool]:
    """The findings a decision is checked against, and whether it publishes at once: a revision's
    approval takes effect on the published power, so the publication rules hold there too. A
    withdrawal is judged on the power it would withdraw."""
    if revision is None:
        return await check_powers([power], today(), viewer), False
    original = await Power.get(id=revision.power_id)
    if revision.kind == RevisionKind.WITHDRAWAL:
        return await check_powers([original], today(), viewer), False
    publishes = decision in APPROVING and original.status == PowerStatus.PUBLISHED
    return await check_powers([power], today(), viewer), publishes


async def publish(viewer: access.Viewer, power_id: int) -> Power:
    """公开运行: an approved power goes into the published catalogue."""
    async with in_transaction():
        power = await visible_power(viewer, power_id)
        access.require_publish(viewer, power.unit_id)
        _require_status(power, "publish", PowerStatus.APPROVED)
        errors = publication_errors(await check_powers([power], today(), viewer))
        if errors:
            raise ValidationFailed(errors)
        await _move(viewer, power, "publish", PowerStatus.PUBLISHED, "公开运行")
        await record_version(power)
    return power


async def pre_review(
    viewer: access.Viewer, *, power_id: int | None = None, unit_id: int | None = None
) -> PreReviewReport:
    """审核前自查: the rules' findings for one power, or for every live power of a unit and its offices."""
    v = Validator()
    v.check(
        (power_id is None) != (unit_id is None),
        "powerId",
        "请给出职权或单位之一 (give a power or a unit)",
        "required",
    )
    v.raise_if_any()
    if power_id is not None:
        power = await visible_power(viewer, power_id)
        access.require_unit_workflow_view(viewer, power.unit_id)
        powers = [power]
    else:
        assert unit_id is not None
        access.require_unit_workflow_view(viewer, unit_id)
        subtree = await access.unit_subtree_ids(unit_id)
        powers = await Power.filter(
            access.power_q(viewer), unit_id__in=sorted(subtree), status__not_in=list(INACTIVE)
        ).order_by("code")
    return PreReviewReport([p.id for p in powers], await check_powers(powers, today(), viewer))
