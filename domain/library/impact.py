"""Which powers a new version of a law touches: those resting on articles of an older version whose
text changed, or that vanished, in the newer one. Only powers the viewer may see are listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.access import Viewer, power_q
from domain.enums import Role
from domain.library.compare import ArticleChange, compare_versions, version_pair
from domain.models import LegalDocument, PowerBasis
from domain.services.common import not_found


@dataclass(frozen=True)
class AffectedBasis:
    """A basis (with its power and cited article loaded) whose article changed or vanished."""

    basis: PowerBasis
    change: ArticleChange


#: The action a change notice lists for a new version of a cited law.
LAW_NEW_VERSION = "law.new_version"


def version_order(document: LegalDocument) -> tuple[date, int]:
    """Older versions first: by version date (an undated version counts as oldest), then by id."""
    return (document.version_date or date.min, document.id)


async def newest_version(work_id: int) -> LegalDocument:
    """The latest version of a work by version date (an undated version counts as oldest)."""
    versions = await LegalDocument.filter(work_id=work_id)
    if not versions:
        raise not_found("legal work", "法律文件")
    return max(versions, key=version_order)


async def affected_bases(viewer: Viewer, older_id: int, newer_id: int | None = None) -> list[AffectedBasis]:
    """Bases citing articles of version `older_id` that changed or vanished in `newer_id`
    (default: the newest version of the same work), by power code then article order."""
    older = await LegalDocument.get_or_none(id=older_id)
    if older is None:
        raise not_found("legal document", "法律文件")
    if newer_id is None:
        newer_id = (await newest_version(older.work_id)).id
    bases = await PowerBasis.filter(power_q(viewer, "power__"), article__document_id=older.id).select_related(
        "power", "article"
    )
    if not bases:
        await version_pair(older.id, newer_id)  # a wrong pair is still an error
        return []
    comparison = await compare_versions(older.id, newer_id)
    affected = [
        AffectedBasis(basis, change)
        for basis in bases
        if (change := comparison.change_of(basis.article_id)) is not None
    ]
    return sorted(affected, key=lambda a: (a.basis.power.code, a.basis.article.ordinal))


async def affected_bases_of_work(viewer: Viewer, work_id: int) -> list[AffectedBasis]:
    """Bases citing any older version of a work whose article changed or vanished in its newest version."""
    newest = await newest_version(work_id)
    older = sorted(
        (d for d in await LegalDocument.filter(work_id=work_id) if d.id != newest.id), key=version_order
    )
    found: list[AffectedBasis] = []
    for version in older:
        found.extend(await affected_bases(viewer, version.id, newest.id))
    return found


#: Who opens the change notices a new version of a law causes (recorded in the audit trail).
IMPORT = Viewer(role=Role.ADMIN, name="law-import")


async def notify_new_version(new_id: int, work_id: int) -> int:
    """A new version of a work arrived: every published power resting on an article of an older version
    that changed or vanished gets a change notice (变更说明). Runs inside the importer's transaction.
    Returns the number of bases that were affected."""
    from domain.change_notices import power_changed  # change notices build on the library, not vice versa

    newest = await newest_version(work_id)
    if newest.id != new_id:
        return 0  # an older version filled in late changes nothing that is in force
    versions = sorted(
        set(
            await PowerBasis.filter(article__document__work_id=work_id)
            .exclude(article__document_id=new_id)
            .values_list("article__document_id", flat=True)
        )
    )
    affected = 0
    for version_id in versions:
        for item in await affected_bases(IMPORT, version_id, new_id):
            affected += 1
            await power_changed(
                IMPORT,
                item.basis.power,
                LAW_NEW_VERSION,
                document_id=new_id,
                article=item.basis.article.label,
                change=item.change.kind.value,
            )
    return affected
