"""职权: create, update and delete a unit's powers (its staff or an admin)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from tortoise.transactions import in_transaction

from domain import codes
from domain.access import Viewer, check_power_scope, require_power_content, require_unit_content
from domain.audit import record
from domain.change_feed import enqueue
from domain.change_notices import power_changed
from domain.comment_models import CommentDraft
from domain.disclosures import disclosure_workdays
from domain.enums import (
    DisclosureScope,
    DisclosureTiming,
    ExerciseMode,
    PowerCategory,
    PowerStatus,
    RevisionStatus,
    Role,
    SearchEntity,
    SearchOp,
)
from domain.errors import FieldError, ValidationFailed, Validator
from domain.models import DisclosureRecord, OperationRecord, Power, Unit
from domain.revisions import close as close_revision
from domain.revisions import refuse_published, revision_of_draft
from domain.services.common import (
    LABELS,
    apply_changes,
    clean_fields,
    duplicates_as,
    in_use,
    snapshot,
    visible_power,
)
from domain.workdays import check_day_count
from domain.workflow_models import Inspection

FIELDS = (
    "code",
    "name",
    "category",
    "exercise_mode",
    "description",
    "confidential",
    "confidentiality_reason",
    "confidentiality_basis",
    "disclosure_scope",
    "disclosure_form",
    "disclosure_timing",
    "disclosure_deadline",
    "fee_basis",
    "fee_standard",
    "time_limit",
    "time_limit_days",
    "online",
)
REQUIRED = ("code", "name", "category", "exercise_mode", "disclosure_scope", "disclosure_timing")
REQUIRED_ON_CREATE = tuple(name for name in REQUIRED if name != "code")  # a missing code is generated


@dataclass
class PowerData:
    unit_id: int
    name: str
    category: PowerCategory
    code: str = ""
    exercise_mode: ExerciseMode = ExerciseMode.EXCLUSIVE
    description: str = ""
    confidential: bool = False
    confidentiality_reason: str = ""
    confidentiality_basis: str = ""
    disclosure_scope: DisclosureScope = DisclosureScope.PUBLIC
    disclosure_form: str = ""
    disclosure_timing: DisclosureTiming = DisclosureTiming.LONG_TERM
    disclosure_deadline: str = ""
    fee_basis: str = ""
    fee_standard: str = ""
    time_limit: str = ""
    time_limit_days: int | None = None
    online: bool = False  # 可网上办理


class PowerChanges(TypedDict, total=False):
    """What update_power may change: not the unit, and not the status (the review lifecycle owns it)."""

    code: str
    name: str
    category: PowerCategory
    exercise_mode: ExerciseMode
    description: str
    confidential: bool
    confidentiality_reason: str
    confidentiality_basis: str
    disclosure_scope: DisclosureScope
    disclosure_form: str
    disclosure_timing: DisclosureTiming
    disclosure_deadline: str
    fee_basis: str
    fee_standard: str
    time_limit: str
    time_limit_days: int | None
    online: bool


def _duplicate_code(code: object) -> str:
    return f"职权编码 {code} 已被使用 (power code {code} is taken)"


NO_CATEGORY = "职权编码含类别字母，须先给出有效的职权类别 (a code carries the category's letters: give a valid category)"
CHOSEN_BY_SERVER = (
    "职权编码由系统按单位和类别依序分配，只有系统管理员可以指定或更改 "
    "(the server allocates power codes in order; only an administrator may choose or change one)"
)


#: What only a power still being registered (DRAFT) may change: its identity and who may see it.
#: Later, confidentiality and disclosure change through review, never by a unit's own edit.
DRAFT_ONLY = ("code", "category", "confidential", "disclosure_scope")


async def _clean(
    v: Validator,
    viewer: Viewer,
    unit: Unit,
    values: dict[str, Any],
    power: Power | None = None,
    required: tuple[str, ...] = REQUIRED,
) -> dict[str, Any]:
    cleaned = clean_fields(v, Power, values, allowed=FIELDS, required=required)
    if cleaned.get("disclosure_deadline"):  # 事项办结后七个工作日内公开: its number is a limit too
        deadline = disclosure_workdays(cleaned["disclosure_deadline"])
        check_day_count(v, "disclosure_deadline", LABELS["disclosure_deadline"], deadline)
    if power is None or cleaned.get("disclosure_scope", power.disclosure_scope) != power.disclosure_scope:
        check_power_scope(v, viewer, cleaned.get("disclosure_scope"))  # staff never hide a power from themselves
    if power is not None and power.status != PowerStatus.DRAFT and viewer.role != Role.ADMIN:
        for name in DRAFT_ONLY:
            if name in cleaned and cleaned[name] != getattr(power, name):
                v.add(
                    name,
                    f"职权已进入「{power.status.label}」阶段，该项须经审核调整 "
                    f"(only a DRAFT power's {name} can be edited; this one is {power.status.value})",
                    "locked",
                )
    if power is not None and any(cleaned.get(n, getattr(power, n)) != getattr(power, n) for n in ("code", "category")):
        if await revision_of_draft(power.id) is not None:
            v.add(
                "code" if cleaned.get("code", power.code) != power.code else "category",
                "职权编码和类别不随修订改变 (a revision keeps the power's code and category)",
                "locked",
            )
            return cleaned
    code = cleaned.get("code")
    category = cleaned.get("category") or (power.category if power else None)
    if code and (power is None or code != power.code) and not any(e.field == "code" for e in v.errors):
        # The form first: it depends on the input alone. File names and paths are built from codes.
        problem = codes.power_code_problem(code, unit.code, category) if category else NO_CATEGORY
        if problem is not None:
            v.add("code", problem, "invalid")
        elif viewer.role != Role.ADMIN:
            # Only who sees every power chooses a code: to anyone else "taken" would tell that a power
            # they may not see (a LEADERSHIP one, another unit's) holds it. Everyone's answer is this one.
            v.add("code", CHOSEN_BY_SERVER, "forbidden")
        elif await Power.exists(code=code):
            v.add("code", _duplicate_code(code), "duplicate")
    return cleaned


#: A power under review or decided is frozen: the reviewers decide on what the unit lead signed.
#: It changes again once the review sends it back (ADJUST → DRAFT) or, published, with a change notice.
FROZEN = frozenset(
    {PowerStatus.DECLARED, PowerStatus.IN_REVIEW, PowerStatus.APPROVED, PowerStatus.ABOLISHED, PowerStatus.REMOVED}
)


async def power_for_edit(viewer: Viewer, power_id: int) -> Power:
    """The power, if `viewer` may see it (NotFound), change its unit's content (PermissionDenied) and
    the power is not frozen by its review (ValidationFailed, code `locked`; a PUBLISHED or APPROVED
    one, code `published`, changes through a revision: domain.revisions): for the power, its bases
    and its flow chart alike."""
    power = await visible_power(viewer, power_id)
    require_power_content(viewer, power)
    refuse_published(power)  # nobody edits what the public sees, nor an approved power, in place
    if power.status in FROZEN and viewer.role != Role.ADMIN:
        raise ValidationFailed(
            [
                FieldError(
                    "status",
                    f"职权处于「{power.status.label}」阶段，不能修改；审核退回调整后方可修改 "
                    f"(a {power.status.value} power is frozen until the review sends it back)",
                    "locked",
                )
            ]
        )
    return power


async def create_power(viewer: Viewer, data: PowerData) -> Power:
    """Register a power of a unit (清理登记); it starts as DRAFT.

    Without a code it gets the next one of its unit and category (36072308CF-0001, domain.codes).
    """
    require_unit_content(viewer, data.unit_id)
    values = asdict(data)
    unit_id = values.pop("unit_id")
    async with in_transaction():
        v = Validator()
        unit = await Unit.get_or_none(id=unit_id)
        v.check(unit is not None, "unit_id", "单位不存在 (unit not found)", "not_found")
        cleaned = await _clean(v, viewer, unit, values, required=REQUIRED_ON_CREATE) if unit else {}
        if unit is not None and not cleaned.get("code") and (problem := codes.unit_code_problem(unit.code)):
            v.add("code", problem, "invalid")  # a unit without a standard code has no range to take from
        v.raise_if_any()
        assert unit is not None
        if cleaned["code"]:
            await codes.reserve_power_codes([cleaned["code"]])
        else:  # the counter row is locked until this transaction ends: no two writers get one serial
            cleaned["code"] = await codes.allocate_power_code(unit.code, cleaned["category"])
        with duplicates_as("code", _duplicate_code(cleaned["code"])):  # a concurrent explicit code
            power = await Power.create(unit_id=unit_id, status=PowerStatus.DRAFT, **cleaned)
        await enqueue(SearchEntity.POWER, [power.id])
        await record(viewer, "power.create", "power", power.id, unit_id=unit_id, **snapshot(power, (*FIELDS, "status")))
    return power


def _recode(power: Power, cleaned: dict[str, Any]) -> bool:
    """Whether a category change without a new code needs one: a standard code carries the category's
    letters (a code outside the standard, from before it was enforced, is left as it is)."""
    if cleaned.get("category", power.category) == power.category or cleaned.get("code", power.code) != power.code:
        return False
    current = codes.parse_power_code(power.code)
    return current is not None and current.category == power.category


async def update_power(viewer: Viewer, power_id: int, changes: PowerChanges) -> Power:
    """Change a power's name, category, rules, confidentiality or code."""
    with duplicates_as("code", _duplicate_code(changes.get("code"))):
        async with in_transaction():
            power = await power_for_edit(viewer, power_id)
            v = Validator()
            unit = await Unit.get(id=power.unit_id)
            cleaned = await _clean(v, viewer, unit, dict(changes), power)
            v.raise_if_any()
            if _recode(power, cleaned):  # the letters follow the category: a fresh serial of the new one
                cleaned["code"] = await codes.allocate_power_code(unit.code, cleaned["category"])
            diff = apply_changes(power, cleaned)
            if "code" in diff:
                await codes.reserve_power_codes([power.code])
            if diff:
                await power.save()
                await enqueue(SearchEntity.POWER, [power.id])
                await record(viewer, "power.update", "power", power.id, changes=diff)
                await power_changed(viewer, power, "power.update", changes=diff)
    return power


async def delete_power(viewer: Viewer, power_id: int) -> None:
    """Delete a power registered by mistake: only a DRAFT without disclosure or operation records.

    A power that has entered review leaves the catalogue through a review decision (废止 / 剔除).
    """
    async with in_transaction():
        power = await visible_power(viewer, power_id)  # its own rule below: only a DRAFT goes
        require_power_content(viewer, power)
        if power.status in (PowerStatus.PUBLISHED, PowerStatus.APPROVED):
            raise in_use(
                "id",
                f"职权处于「{power.status.label}」阶段，不能删除：请提出废止或剔除的修订（openPowerRevision，"
                "withdrawal: ABOLISH / REMOVE），经申报、审核决定后生效 "
                f"(a {power.status.value} power leaves through a withdrawal revision: openPowerRevision)",
            )
        if power.status != PowerStatus.DRAFT:
            raise in_use(
                "id",
                f"职权已进入「{power.status.label}」阶段，只能通过审核决定废止或剔除，不能删除 "
                f"(only a DRAFT power can be deleted; this one is {power.status.value})",
            )
        for query, zh, en in (
            (DisclosureRecord.filter(power_id=power.id), "公开记录", "disclosure records"),
            (OperationRecord.filter(power_id=power.id), "运行记录", "operation records"),
            (CommentDraft.filter(power_id=power.id), "公示稿及公众意见", "a comment version put up for comment"),
            (Inspection.filter(power_id=power.id), "检查记录", "inspections"),
        ):
            if await query.exists():
                raise in_use("id", f"该职权已有{zh}，不能删除 (the power has {en})")
        revision = await revision_of_draft(power.id)
        if revision is not None:  # deleting a revision's draft discards the revision
            await close_revision(viewer, revision, RevisionStatus.DISCARDED)
        await power.delete()
        await enqueue(SearchEntity.POWER, [power_id], SearchOp.DELETE)
        await record(viewer, "power.delete", "power", power_id, unit_id=power.unit_id, **snapshot(power, ("code", "name")))
