"""改引新版本: after a law is revised, the bases of published powers that cite an older version are
re-pointed to the matching articles of the new one (domain.library.compare.successors), in bulk
for a unit or the whole county — each power on a revision (domain.revisions), for review like any
change. Each power has its own result: re-pointed, left for the unit (an article the new version
no longer has), or skipped (its revision is already under review)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.change_feed import enqueue
from domain.enums import PowerStatus, RevisionStatus, Role, SearchEntity
from domain.errors import DomainError, IllegalTransition, PermissionDenied
from domain.library.compare import successors
from domain.models import LegalArticle, LegalDocument, Power, PowerBasis
from domain.revisions import REVISABLE, open_revision
from domain.services.common import not_found
from domain.workflow_models import PowerRevision


@dataclass
class Repointed:
    power: Power
    revision: PowerRevision | None = None
    repointed: int = 0
    unmatched: list[str] = field(default_factory=list)
    error: DomainError | None = None


async def _target(document_id: int) -> LegalDocument:
    document = await LegalDocument.get_or_none(id=document_id)
    if document is None:
        raise not_found("legal document", "法律文件")
    return document


async def _scope(viewer: access.Viewer, unit_id: int | None) -> Q:
    """The powers the caller may re-point: a unit's (its staff, or an admin), or the county's (admin)."""
    if viewer.role == Role.ADMIN:
        return Q(unit_id__in=sorted(await access.unit_subtree_ids(unit_id))) if unit_id is not None else Q()
    if viewer.role not in access.UNIT_ROLES or viewer.unit_id is None:
        raise PermissionDenied("只有单位工作人员或管理员可以改引依据 (only a unit's staff or an admin may re-point bases)")
    unit_id = unit_id if unit_id is not None else viewer.unit_id
    access.require_unit_content(viewer, unit_id)
    return Q(unit_id__in=sorted(await access.unit_subtree_ids(unit_id)))


async def repoint_bases(viewer: access.Viewer, document_id: int, unit_id: int | None = None) -> list[Repointed]:
    """Re-point, on a revision of each power, the bases citing older versions of the work of
    `document_id` to their successors in it. Powers by code."""
    new = await _target(document_id)
    scope = await _scope(viewer, unit_id)
    cited = await PowerBasis.filter(
        access.power_q(viewer, "power__"), article__document__work_id=new.work_id, power__status__in=list(REVISABLE)
    ).exclude(article__document_id=new.id).select_related("article", "power")
    in_scope = set(await Power.filter(scope, id__in=[b.power_id for b in cited]).values_list("id", flat=True))
    bases = [b for b in cited if b.power_id in in_scope]
    older_ids = {b.article.document_id for b in bases}
    rows = await LegalArticle.filter(document_id__in=[*older_ids, new.id]).order_by("document_id", "ordinal")
    after = [a for a in rows if a.document_id == new.id]
    successor: dict[int, LegalArticle] = {}
    for older_id in older_ids:
        successor.update(successors([a for a in rows if a.document_id == older_id], after))
    by_power: dict[int, list[PowerBasis]] = defaultdict(list)
    for basis in bases:
        by_power[basis.power_id].append(basis)
    results = []
    for power_bases in sorted(by_power.values(), key=lambda bs: bs[0].power.code):
        result = Repointed(power_bases[0].power)
        try:
            await _repoint_one(viewer, new, result, power_bases, successor)
        except DomainError as exc:  # this power's own refusal: the others go on
            result.error, result.revision, result.repointed = exc, None, 0
        results.append(result)
    return results


async def _repoint_one(
    viewer: access.Viewer,
    new: LegalDocument,
    result: Repointed,
    bases: list[PowerBasis],
    successor: dict[int, LegalArticle],
) -> None:
    async with in_transaction():
        power = result.power
        revision = await PowerRevision.filter(open_for=power.id).first()
        if revision is None:
            reason = f"《{new.title}》已修订，依据改引新版本（{new.version_date or '新版本'}）的相应条文"
            revision = await open_revision(viewer, power.id, reason)
        draft = await Power.get_or_none(id=revision.draft_id) if revision.draft_id else None
        if draft is None or draft.status != PowerStatus.DRAFT or revision.status != RevisionStatus.OPEN:
            raise_busy(revision)
        assert draft is not None
        result.revision = revision
        draft_bases = {b.article_id: b for b in await PowerBasis.filter(power_id=draft.id)}
        for basis in bases:
            copy = draft_bases.get(basis.article_id)
            target = successor.get(basis.article_id)
            if copy is None:
                continue  # the unit removed it on its draft already
            if target is None or target.id in draft_bases:
                result.unmatched.append(basis.article.label)
                continue
            await PowerBasis.filter(id=copy.id).update(article_id=target.id)
            draft_bases[target.id] = draft_bases.pop(basis.article_id)
            result.repointed += 1
        await enqueue(SearchEntity.POWER, [draft.id])
        await record(
            viewer, "basis.repoint", "power", draft.id, power_id=power.id, revision_id=revision.id,
            document_id=new.id, repointed=result.repointed, unmatched=result.unmatched,
        )  # fmt: skip


def raise_busy(revision: PowerRevision) -> None:
    raise IllegalTransition(
        "该职权的修订已申报或在审核中，请待审核决定后再改引依据 (the power's revision is already declared or in review)",
        "repoint",
        revision.status.value,
    )
