"""动态管理: a published power is never edited in place. A change — name, bases, flow chart, rules,
scope, confidentiality — or its withdrawal (废止 / 剔除) is a revision:

open_revision() copies the power (fields, bases, chart) into a draft: a DRAFT power of the same
unit, coded `<code>.R<n>`, hidden from the public like any draft. The unit edits the draft with the
ordinary mutations, and it goes through the ordinary declare → submit → opinions → decide
(domain.lifecycle). Meanwhile the public keeps seeing the published power. The decision settles the
revision (settle(), called by lifecycle.decide in its transaction):

- RETAIN / FILE of a change: the draft's content replaces the power's (same id and code), a new
  published version is recorded (domain.versions), and the change notice (变更说明) is put on
  record, explained by the revision's reason and accepted by the decision;
- RETAIN / FILE of a withdrawal: the power stays as published (the withdrawal is rejected);
- ABOLISH / REMOVE (of either kind): the power is ABOLISHED or REMOVED, its version ends;
- ADJUST: the draft goes back to the unit, as any power would.

The draft's review rounds move to the power, and the draft is deleted.
"""

from __future__ import annotations

from typing import Any

from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.cases import refuse_withdrawal_with_open_cases
from domain.change_feed import enqueue
from domain.change_notices import change_entry, open_notice, pending_notice
from domain.enums import (
    ChangeNoticeStatus,
    PowerStatus,
    ReviewDecision,
    RevisionKind,
    RevisionStatus,
    SearchEntity,
    SearchOp,
)
from domain.errors import FieldError, IllegalTransition, NotFound, ValidationFailed, Validator
from domain.library.impact import LAW_NEW_VERSION, version_order
from domain.models import FlowChart, FlowEdge, FlowStep, LegalDocument, Power, PowerBasis
from domain.rules import APPROVING
from domain.services.common import duplicates_as, visible_power
from domain.versions import SNAPSHOT_FIELDS, end_versions, record_version, snapshots
from domain.workflow_models import OperationStep, PowerRevision, Review

#: What a revision may start from: a published power, or an approved one not yet published (its
#: chart drawn after approval is then reviewed too).
REVISABLE = frozenset({PowerStatus.PUBLISHED, PowerStatus.APPROVED})
WITHDRAWALS = {ReviewDecision.ABOLISH: PowerStatus.ABOLISHED, ReviewDecision.REMOVE: PowerStatus.REMOVED}
REASON_LIMIT = 4000
OPEN_EXISTS = "该职权已有进行中的修订，请在该修订上修改 (the power already has an open revision)"


async def revision_of_draft(draft_id: int) -> PowerRevision | None:
    """The open revision whose working copy is `draft_id`; None for any other power."""
    return await PowerRevision.filter(draft_id=draft_id, status=RevisionStatus.OPEN).first()


async def _copy_content(source: Power, draft: Power) -> None:
    """The bases and the flow chart (steps, edges) of `source`, copied onto `draft`."""
    bases = await PowerBasis.filter(power_id=source.id)
    await PowerBasis.bulk_create(
        [PowerBasis(power_id=draft.id, article_id=b.article_id, ordinal=b.ordinal, note=b.note) for b in bases]
    )
    chart = await FlowChart.get_or_none(power_id=source.id)
    if chart is None:
        return
    copy = await FlowChart.create(
        power_id=draft.id, title=chart.title, complaint_channel=chart.complaint_channel, notes=chart.notes
    )
    steps = await FlowStep.filter(chart_id=chart.id)
    new_ids: dict[int, int] = {}
    for step in steps:  # one by one: the edges need each copy's id
        values = {f: getattr(step, f) for f in FlowStep._meta.db_fields if f not in ("id", "chart_id")}
        new_ids[step.id] = (await FlowStep.create(chart_id=copy.id, **values)).id
    await FlowEdge.bulk_create(
        [
            FlowEdge(chart_id=copy.id, source_id=new_ids[e.source_id], target_id=new_ids[e.target_id], label=e.label)
            for e in await FlowEdge.filter(chart_id=chart.id)
        ]
    )


async def open_revision(
    viewer: access.Viewer, power_id: int, reason: str, withdrawal: ReviewDecision | None = None
) -> PowerRevision:
    """提出修订 (or, with `withdrawal` ABOLISH / REMOVE, 提出废止 / 剔除) of a published power: its unit's
    staff (or an admin) get a draft to edit and declare; the published power stays as it is."""
    with duplicates_as("powerId", OPEN_EXISTS):
        async with in_transaction():
            power = await visible_power(viewer, power_id)
            access.require_power_content(viewer, power)
            v = Validator()
            text = (reason or "").strip()
            v.check(bool(text), "reason", "修订理由不能为空 (reason is required)", "required")
            v.check(len(text) <= REASON_LIMIT, "reason", f"修订理由不能超过 {REASON_LIMIT} 个字符 (reason is too long)", "too_long")
            v.check(
                withdrawal is None or withdrawal in WITHDRAWALS,
                "withdrawal",
                "撤销只能是废止或剔除 (a withdrawal is ABOLISH or REMOVE)",
                "invalid",
            )
            v.raise_if_any()
            if power.status not in REVISABLE:
                raise IllegalTransition(
                    f"职权处于「{power.status.label}」状态，不能提出修订；修订只适用于审核通过或公开运行的职权 "
                    f"(cannot revise a {power.status.value} power; it must be PUBLISHED or APPROVED)",
                    "revise",
                    power.status.value,
                )
            v.check(not await PowerRevision.exists(open_for=power.id), "powerId", OPEN_EXISTS, "duplicate")
            v.raise_if_any()
            if withdrawal is not None:
                await refuse_withdrawal_with_open_cases(power.id)
            number = await PowerRevision.filter(power_id=power.id).count() + 1
            kind = RevisionKind.WITHDRAWAL if withdrawal else RevisionKind.CHANGE
            values = {name: getattr(power, name) for name in SNAPSHOT_FIELDS if name != "code"}
            draft = await Power.create(
                code=f"{power.code}.R{number}", unit_id=power.unit_id, status=PowerStatus.DRAFT, **values
            )
            await _copy_content(power, draft)
            revision = await PowerRevision.create(
                power=power, draft=draft, open_for=power.id, kind=kind, proposed=withdrawal, reason=text,
                opened_by=viewer.name,
            )  # fmt: skip
            await enqueue(SearchEntity.POWER, [draft.id])
            await record(
                viewer, "power.revision.open", "power_revision", revision.id, power_id=power.id, draft_id=draft.id,
                kind=kind.value, proposed=withdrawal.value if withdrawal else None, why=text,
            )  # fmt: skip
    return revision


async def revision_for_edit(viewer: access.Viewer, revision_id: int) -> PowerRevision:
    """An open revision of a power the caller may see and whose unit's content they may change."""
    revision = await PowerRevision.filter(access.internal_q(viewer), id=revision_id).first()
    if revision is None:
        raise NotFound("修订不存在或无权查看 (revision not found)")
    power = await visible_power(viewer, revision.power_id)
    access.require_power_content(viewer, power)
    return revision


async def discard_revision(viewer: access.Viewer, revision_id: int) -> PowerRevision:
    """The unit withdraws its own revision before declaring it (a declared one is decided by review)."""
    async with in_transaction():
        revision = await revision_for_edit(viewer, revision_id)
        draft = await Power.get_or_none(id=revision.draft_id) if revision.draft_id else None
        if revision.status != RevisionStatus.OPEN or draft is None or draft.status != PowerStatus.DRAFT:
            status = draft.status.value if draft and revision.status == RevisionStatus.OPEN else revision.status.value
            raise IllegalTransition(
                "修订已申报或已结束，不能撤回 (only an open revision not yet declared can be discarded)", "discard", status
            )
        await close(viewer, revision, RevisionStatus.DISCARDED)
        await _drop_draft(draft)
    return revision


async def close(
    viewer: access.Viewer, revision: PowerRevision, status: RevisionStatus, review: Review | None = None, version: int | None = None
) -> None:
    revision.status, revision.open_for, revision.review, revision.version = status, None, review, version
    revision.closed_by, revision.closed_at = viewer.name, now()
    await revision.save()
    await record(
        viewer, f"power.revision.{status.value.lower()}", "power_revision", revision.id,
        power_id=revision.power_id, draft_id=revision.draft_id, version=version,
    )  # fmt: skip


async def _drop_draft(draft: Power) -> None:
    await draft.delete()  # its bases and chart go with it; the revision keeps its record
    await enqueue(SearchEntity.POWER, [draft.id], SearchOp.DELETE)


async def _move_reviews(draft: Power, power: Power) -> None:
    """The draft's review rounds become the power's next rounds (so its history shows them)."""
    last = await Review.filter(power_id=power.id).order_by("-round").first()
    start = last.round if last else 0
    for i, review in enumerate(await Review.filter(power_id=draft.id).order_by("round"), 1):
        await Review.filter(id=review.id).update(power_id=power.id, round=start + i)


async def _apply_content(draft: Power, power: Power) -> None:
    """The draft's fields, bases and chart replace the power's; runs of the power (附7 steps) keep
    their flow steps where the new chart has a step of the same name."""
    for name in SNAPSHOT_FIELDS:
        if name != "code":
            setattr(power, name, getattr(draft, name))
    await power.save()
    await PowerBasis.filter(power_id=power.id).delete()
    await PowerBasis.filter(power_id=draft.id).update(power_id=power.id)
    old = await FlowChart.get_or_none(power_id=power.id)
    new = await FlowChart.get_or_none(power_id=draft.id)
    if old is not None:
        if new is not None:
            by_name = {s.name: s.id for s in await FlowStep.filter(chart_id=new.id)}
            for step in await FlowStep.filter(chart_id=old.id):
                if step.name in by_name:
                    await OperationStep.filter(flow_step_id=step.id).update(flow_step_id=by_name[step.name])
        await old.delete()
    if new is not None:
        await FlowChart.filter(id=new.id).update(power_id=power.id)


async def _explained(power: Power, changes: list[dict[str, Any]]) -> set[int]:
    """Which of a notice's pending `changes` the approved revision explains besides its own entry:
    a new version of a law (law.new_version) once the power, as revised, rests on no older version
    of that law. Anything else is not the revision's to explain."""
    new_ids = {c.get("detail", {}).get("document_id") for c in changes if c.get("action") == LAW_NEW_VERSION}
    new_ids.discard(None)
    if not new_ids:
        return set()
    versions = {d.id: d for d in await LegalDocument.filter(id__in=sorted(new_ids))}
    cited = await LegalDocument.filter(
        work_id__in=sorted({d.work_id for d in versions.values()}), articles__cited_by__power_id=power.id
    ).distinct()
    settled = {
        doc_id for doc_id, new in versions.items()
        if not any(c.work_id == new.work_id and version_order(c) < version_order(new) for c in cited)
    }  # fmt: skip
    return {
        i for i, c in enumerate(changes)
        if c.get("action") == LAW_NEW_VERSION and c.get("detail", {}).get("document_id") in settled
    }  # fmt: skip


async def _explain_and_accept(
    viewer: access.Viewer, power: Power, revision: PowerRevision, review: Review, action: str, *, withdrawn: bool = False,
    **detail: object,
) -> None:
    """The change goes on record as explained by the revision's reason and accepted by the review
    that decided it — with the changes pending on the power's notice that the revision explains
    (_explained), and those alone: the others stay on the pending notice, unexplained, with its due
    date. When the revision explains every pending change, the pending notice is the one settled; a
    withdrawal explains them all (the power leaves the catalogue)."""
    entry = change_entry(viewer, action, revision_id=revision.id, **detail)
    notice = await pending_notice(power.id)
    if notice is None:
        notice = await open_notice(viewer, power, [entry], action)
    else:
        explained = set(range(len(notice.changes))) if withdrawn else await _explained(power, notice.changes)
        if len(explained) == len(notice.changes):
            notice.changes = [*notice.changes, entry]
        else:
            settled = [c for i, c in enumerate(notice.changes) if i in explained]
            notice.changes = [c for i, c in enumerate(notice.changes) if i not in explained]
            await notice.save(update_fields=["changes", "updated_at"])
            if settled:
                await record(
                    viewer, "change_notice.split", "change_notice", notice.id, power_id=power.id,
                    moved=[c["action"] for c in settled], revision_id=revision.id,
                )  # fmt: skip
            notice = await open_notice(viewer, power, [*settled, entry], action)
    at = now()
    old = notice.status
    notice.status, notice.explanation = ChangeNoticeStatus.ACCEPTED, revision.reason
    notice.explained_by, notice.explained_at = revision.opened_by, at
    notice.review_opinion = review.decision_reason or (review.decision.label if review.decision else "")
    notice.reviewed_by, notice.reviewed_at = viewer.name, at
    await notice.save()
    await record(
        viewer, "change_notice.review", "change_notice", notice.id, power_id=power.id, from_status=old.value,
        to_status=notice.status.value, why=notice.review_opinion, revision_id=revision.id,
    )  # fmt: skip


async def settle(
    viewer: access.Viewer, revision: PowerRevision, draft: Power, decision: ReviewDecision, review: Review
) -> Power:
    """What a decision on a revision's draft does to the published power (see the module); inside
    lifecycle.decide's transaction. Returns the power."""
    power = await Power.get(id=revision.power_id)
    published = power.status == PowerStatus.PUBLISHED
    at = now()
    version: int | None = None
    if decision in APPROVING and revision.kind == RevisionKind.CHANGE:
        before = (await snapshots([power]))[power.id]
        await _apply_content(draft, power)
        after = (await snapshots([power]))[power.id]
        changed = [key for key in after if before.get(key) != after.get(key)]
        if published:
            version = (await record_version(power, at=at, revision=revision)).number
            await _explain_and_accept(viewer, power, revision, review, "revision.publish", version=version, changed=changed)
        status = RevisionStatus.PUBLISHED
        await record(viewer, "power.revise", "power", power.id, revision_id=revision.id, version=version, changed=changed)
    elif decision in APPROVING:
        status = RevisionStatus.REJECTED
    else:
        ended = WITHDRAWALS[decision]
        await refuse_withdrawal_with_open_cases(power.id)
        if published:
            await _explain_and_accept(
                viewer, power, revision, review, "revision.withdraw", withdrawn=True, decision=decision.value
            )
            await end_versions(power, ended, at)
        old = power.status
        await Power.filter(id=power.id).update(status=ended, updated_at=at)
        power.status = ended
        status = RevisionStatus.WITHDRAWN
        await record(
            viewer, "power.withdraw", "power", power.id, from_status=old.value, to_status=ended.value,
            why=review.decision_reason or decision.label, revision_id=revision.id,
        )  # fmt: skip
    await _move_reviews(draft, power)
    await close(viewer, revision, status, review, version)
    await _drop_draft(draft)
    await enqueue(SearchEntity.POWER, [power.id])
    return power


def not_revisable_here(power: Power) -> FieldError:
    """Why a published power's own bases, chart or fields cannot be edited: the route to take."""
    return FieldError(
        "status",
        f"职权处于「{power.status.label}」阶段，不能直接修改（包括删除其依据或流程图）：请提出修订（openPowerRevision），"
        "经申报、审核通过后生效；废止或剔除同样以修订提出 "
        f"(a {power.status.value} power changes only through a revision: openPowerRevision)",
        "published",
    )


def refuse_published(power: Power) -> None:
    if power.status in REVISABLE:
        raise ValidationFailed([not_revisable_here(power)])
