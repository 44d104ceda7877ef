"""A sheet's row that matches a known power and says something else of it: each difference (name,
category, bases, time limit, exercise rules) with the old and the new value, and how it is applied.

A blank cell, or a column the sheet lacks, says nothing (domain.catalog.rows.stated): an import
changes what the sheet states, never clears what another system left out. Bases are compared as the
articles cited, (law, article), so a power citing an older version of a law is not "changed" by a
sheet naming the same article; citations the library lacks cannot be applied and are reported as
unlinked, not as a change.

Applying (importCatalog's applyChanges, `catalog import --apply-changes`) takes the roads any edit
takes: a DRAFT is edited (update_power, create_basis / delete_basis); a PUBLISHED or APPROVED power
is changed by a revision (动态管理, domain.revisions: opened with the sheet's row as its reason, or
the open one continued while it is a draft), which the unit declares and the review decides before
the public sees it, with its change notice; a power under review is left to its review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain import access, revisions
from domain.catalog.citations import Citation
from domain.catalog.export import COLUMNS, deadline_text
from domain.catalog.rows import SheetRow, plain_name, stated
from domain.enums import LabelledEnum, PowerStatus
from domain.errors import FieldError, ValidationFailed
from domain.library.normalize import clean_text
from domain.models import LegalArticle, Power, PowerBasis
from domain.services.bases import BasisData, create_basis, delete_basis
from domain.services.powers import PowerChanges, update_power
from domain.workflow_models import PowerRevision

#: (work key, article label): an article as a sheet and a power cite it.
ArticleKey = tuple[str, str | None]
HEADERS = dict(COLUMNS)
#: What differences() reads of a known power (the importer loads no more of a whole catalogue).
READ = ("id", "code", "name", "status", "unit_id", "category", "exercise_mode", "time_limit", "fee_basis", "fee_standard",
        "disclosure_scope", "disclosure_form", "disclosure_timing", "disclosure_deadline")  # fmt: skip
#: The fields compared, in the sheet's order (公开时限 stands for the timing and its text).
COMPARED = ("name", "category", "exercise_mode", "basis", "time_limit", "fee_basis", "fee_standard",
            "disclosure_scope", "disclosure_form", "disclosure_deadline")  # fmt: skip


class ChangeRoute(StrEnum):
    """How a row's changes were applied."""

    EDIT = "EDIT"  # a DRAFT (清理登记) edited in place
    REVISION = "REVISION"  # a published or approved power: a revision's draft, to declare and review


@dataclass(frozen=True)
class FieldChange:
    """One difference of a matched row: the field (a column name of the import), its header, the
    power's value and the sheet's, as a person reads them."""

    field: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label}：「{self.old}」→「{self.new}」"


@dataclass(frozen=True)
class CitedBasis:
    """A basis of a known power, by the article it cites."""

    key: ArticleKey
    basis_id: int
    text: str  # 《title》第N条


async def cited_bases(power_ids: Sequence[int]) -> dict[int, list[CitedBasis]]:
    """The bases of these powers, in their order (one query)."""
    found: dict[int, list[CitedBasis]] = {i: [] for i in power_ids}
    if not power_ids:
        return found
    # values, not models: a whole catalogue's bases are read at once
    rows = await PowerBasis.filter(power_id__in=list(power_ids)).order_by("power_id", "ordinal", "id").values_list(
        "power_id", "id", "article__label", "article__document__title", "article__document__work__key"
    )
    for power_id, basis_id, label, title, work in rows:
        found[power_id].append(CitedBasis((work, label), basis_id, str(Citation(title, label))))
    return found


def _shown(value: object) -> str:
    if isinstance(value, LabelledEnum):
        return value.label
    return "" if value is None else str(value)


def _same(old: object, new: object) -> bool:
    """Texts that differ in white space alone are the same (a sheet's cells are trimmed, its line breaks its own)."""
    if old == new:
        return True
    return isinstance(old, str) and isinstance(new, str) and clean_text(old) == clean_text(new)


def differences(
    row: SheetRow, power: Power, bases: Sequence[CitedBasis], articles: Mapping[ArticleKey, LegalArticle]
) -> tuple[list[FieldChange], PowerChanges, dict[ArticleKey, LegalArticle] | None]:
    """What the row says differently of `power`: the changes as shown, the field values to write, and
    the articles its bases should be, in the sheet's order (None: the bases stay)."""
    said = stated(row)
    shown: list[FieldChange] = []
    values: dict[str, Any] = {}
    new_bases: dict[ArticleKey, LegalArticle] | None = None
    for name in COMPARED:
        if name == "name":
            if row.name != plain_name(power.name):
                shown.append(FieldChange(name, HEADERS[name], power.name, row.name))
                values["name"] = row.name
        elif name == "basis":
            cited = list(dict.fromkeys(c.key for c in row.citations if c.key in articles))
            if cited and set(cited) != {b.key for b in bases}:
                new_bases = {key: articles[key] for key in cited}
                new = "；".join(str(Citation(a.document.title, a.label)) for a in new_bases.values())
                shown.append(FieldChange(name, HEADERS[name], "；".join(b.text for b in bases), new))
        elif name == "disclosure_deadline":
            if "disclosure_timing" in said:
                timing, text = said["disclosure_timing"], said["disclosure_deadline"]
                if timing != power.disclosure_timing or not _same(power.disclosure_deadline, text):
                    old = deadline_text(power.disclosure_timing, power.disclosure_deadline)
                    shown.append(FieldChange(name, HEADERS[name], old, deadline_text(timing, text)))
                    values.update(disclosure_timing=timing, disclosure_deadline=text)
        elif name in said and not _same(getattr(power, name), said[name]):
            shown.append(FieldChange(name, HEADERS[name], _shown(getattr(power, name)), _shown(said[name])))
            values[name] = said[name]
            if name == "time_limit":
                values["time_limit_days"] = said["time_limit_days"]
    return shown, PowerChanges(**values), new_bases  # type: ignore[typeddict-item]


def revision_reason(filename: str, row: SheetRow, shown: Sequence[FieldChange]) -> str:
    """Why the revision is opened: the sheet, its row and what it changes (as the change notice explains it)."""
    text = f"依导入的表格「{filename}」第 {row.row} 行修订：" + "；".join(str(c) for c in shown)
    return text[: revisions.REASON_LIMIT]


UNDER_REVIEW = (
    "职权处于「{status}」阶段，导入的变更未采用：审核退回调整后再导入，或由审核决定 "
    "(a {value} power is under review: the sheet's changes were not applied)"
)
REVISION_UNDER_REVIEW = (
    "该职权的修订 {code} 已申报审核，导入的变更未采用：待审核决定后再导入 "
    "(the power's open revision {code} is under review: the sheet's changes were not applied)"
)


async def _target(viewer: access.Viewer, power: Power, reason: str) -> tuple[Power, ChangeRoute]:
    """The power whose fields take the change: the DRAFT itself, or a revision's draft."""
    if power.status == PowerStatus.DRAFT:
        return power, ChangeRoute.EDIT
    if power.status not in revisions.REVISABLE:
        message = UNDER_REVIEW.format(status=power.status.label, value=power.status.value)
        raise ValidationFailed([FieldError("status", message, "locked")])
    revision = await PowerRevision.filter(open_for=power.id).first()
    if revision is None:
        revision = await revisions.open_revision(viewer, power.id, reason)
    draft = await Power.get(id=revision.draft_id)
    if draft.status != PowerStatus.DRAFT:
        raise ValidationFailed([FieldError("status", REVISION_UNDER_REVIEW.format(code=draft.code), "locked")])
    return draft, ChangeRoute.REVISION


async def apply(
    viewer: access.Viewer, power: Power, values: PowerChanges, new_bases: Mapping[ArticleKey, LegalArticle] | None,
    reason: str,
) -> tuple[Power, ChangeRoute]:
    """Write a row's changes (inside the caller's transaction) by the road the power's status allows;
    returns the power changed (a revision's draft for a published one) and the road taken."""
    target, route = await _target(viewer, power, reason)
    if values:
        target = await update_power(viewer, target.id, values)
    if new_bases is not None:
        current = (await cited_bases([target.id]))[target.id]
        for basis in current:
            if basis.key not in new_bases:
                await delete_basis(viewer, basis.basis_id)
        kept = {b.key for b in current}
        for key, article in new_bases.items():
            if key not in kept:
                await create_basis(viewer, BasisData(power_id=target.id, article_id=article.id))
    return target, route


