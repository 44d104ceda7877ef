"""领导小组 (附1) as data: the members of the county's 清权确权工作领导小组 — who, their post, the unit
they come from, 组长 / 副组长 / 成员 — and the seat each holds for it: one reviewing office (its
office, 县公开办, and 法制、保密、编办、物价 review; 县公开办 decides) or the group's own approval
(领导小组审定, held by its 组长 or 副组长).

Admins keep the list (create, update, remove: validated, audited, one transaction each); any signed-in
role reads it. A REVIEWER token is issued only for a seat some member holds (domain.tokens), and may be
bound to that member, whose approvals are then recorded as theirs (domain.lifecycle.approve). So
that no working token is left standing for a seat nobody holds, a member is not removed, nor their
seat changed, while an active token is bound to them or holds a seat they alone hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.timezone import now
from tortoise.transactions import in_transaction

from domain import access
from domain.audit import record
from domain.enums import GroupRole, ReviewSeat
from domain.errors import FieldError, NotFound, ValidationFailed, Validator
from domain.models import ApiToken, Unit
from domain.services.common import duplicates_as
from domain.workflow_models import LeadingGroupMember

NAME_LIMIT, POST_LIMIT = 50, 100
#: The group of the plan has members from 15 units; the list (and what reads it) stays bounded.
MEMBER_LIMIT = 200
#: Who may hold the leading group's own seat (its approval, 审定).
APPROVERS = frozenset({GroupRole.LEADER, GroupRole.DEPUTY})
FIELDS = ("name", "post", "unit_id", "group_role", "seat")


@dataclass
class MemberData:
    name: str
    post: str
    unit_id: int
    group_role: GroupRole
    seat: ReviewSeat | None = None


def _duplicate(name: str) -> str:
    return f"该单位已有名为「{name}」的领导小组成员 (the unit already has a member of that name)"


async def members(viewer: access.Viewer) -> list[LeadingGroupMember]:
    """The group, 组长 first, then 副组长, then 成员, each in the order they were entered (any signed-in role)."""
    access.require_staff(viewer)
    order = list(GroupRole)
    found = await LeadingGroupMember.all().order_by("id").limit(MEMBER_LIMIT)
    return sorted(found, key=lambda m: order.index(m.group_role))


async def _clean(v: Validator, values: dict[str, object], member: LeadingGroupMember | None) -> dict[str, object]:
    """`values` stripped and checked; `member` is the one being changed (None for a new one)."""
    cleaned = dict(values)
    for name, label, limit in (("name", "姓名", NAME_LIMIT), ("post", "职务", POST_LIMIT)):
        if name in cleaned:
            text = str(cleaned[name] or "").strip()
            cleaned[name] = text
            v.check(bool(text), name, f"{label}不能为空 ({name} is required)", "required")
            v.check(len(text) <= limit, name, f"{label}不能超过 {limit} 个字符 ({name} is too long)", "too_long")
    for name, label in (("unit_id", "所在单位"), ("group_role", "组内职务")):  # only the seat may be given up (None)
        v.check(name not in cleaned or cleaned[name] is not None, name, f"{label}不能为空 ({name} is required)", "required")
    if cleaned.get("unit_id") is not None:
        v.check(await Unit.exists(id=cleaned["unit_id"]), "unit_id", "单位不存在 (unit not found)", "not_found")
    role = cleaned.get("group_role", member.group_role if member else None)
    seat = cleaned.get("seat", member.seat if member else None)
    v.check(
        seat != ReviewSeat.LEADING_GROUP or role in APPROVERS,
        "seat",
        "领导小组审定席位只能由组长或副组长担任 (the leading group's own seat is held by its 组长 or 副组长)",
        "invalid",
    )
    if role == GroupRole.LEADER and (member is None or member.group_role != GroupRole.LEADER):
        v.check(
            not await LeadingGroupMember.exists(group_role=GroupRole.LEADER),
            "group_role",
            "领导小组已有组长 (the group already has its 组长)",
            "duplicate",
        )
    name = cleaned.get("name", member.name if member else "")
    unit_id = cleaned.get("unit_id", member.unit_id if member else None)
    if name and unit_id is not None and (member is None or (name, unit_id) != (member.name, member.unit_id)):
        taken = LeadingGroupMember.filter(name=name, unit_id=unit_id)
        v.check(not await (taken.exclude(id=member.id) if member else taken).exists(), "name", _duplicate(str(name)), "duplicate")
    return cleaned


def _active_tokens() -> Q:
    return Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now()))


async def _check_release(v: Validator, member: LeadingGroupMember, action: str) -> None:
    """`member` gives up their seat (removed, or the seat changed): not while a working token is bound
    to them, nor while one holds a seat nobody else holds."""
    bound = await ApiToken.filter(_active_tokens(), member_id=member.id).count()
    v.check(
        not bound,
        "id",
        f"该成员仍有 {bound} 个有效令牌，请先撤销后再{action} (revoke the member's {bound} active token(s) first)",
        "in_use",
    )
    if bound or member.seat is None:
        return
    if await LeadingGroupMember.filter(seat=member.seat).exclude(id=member.id).exists():
        return
    held = await ApiToken.filter(_active_tokens(), seat=member.seat).count()
    v.check(
        not held,
        "id",
        f"该成员是「{member.seat.label}」席位的唯一担任者，仍有 {held} 个该席位的有效令牌，请先撤销 "
        f"(the member alone holds the {member.seat.value} seat, for which {held} token(s) are active: revoke them first)",
        "in_use",
    )


async def create_member(viewer: access.Viewer, data: MemberData) -> LeadingGroupMember:
    access.require_admin(viewer)
    with duplicates_as("name", _duplicate(data.name.strip())):
        async with in_transaction():
            v = Validator()
            cleaned = await _clean(v, {f: getattr(data, f) for f in FIELDS}, None)
            v.check(
                await LeadingGroupMember.all().count() < MEMBER_LIMIT,
                "name",
                f"领导小组成员最多 {MEMBER_LIMIT} 名 (at most {MEMBER_LIMIT} members)",
                "too_many",
            )
            v.raise_if_any()
            member = await LeadingGroupMember.create(**cleaned)
            await record(viewer, "leading_group.create", "leading_group_member", member.id, **_snapshot(member))
    return member


async def _member(member_id: int) -> LeadingGroupMember:
    member = await LeadingGroupMember.get_or_none(id=member_id)
    if member is None:
        raise NotFound("领导小组成员不存在 (leading group member not found)")
    return member


async def update_member(viewer: access.Viewer, member_id: int, changes: dict[str, object]) -> LeadingGroupMember:
    """Change what is given of a member; a seat given as None gives the seat up."""
    access.require_admin(viewer)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationFailed([FieldError(unknown[0], f"不能修改 {unknown[0]} (cannot be changed)", "invalid")])
    with duplicates_as("name", _duplicate(str(changes.get("name", "")).strip())):
        async with in_transaction():
            member = await _member(member_id)
            v = Validator()
            cleaned = await _clean(v, changes, member)
            if "seat" in cleaned and cleaned["seat"] != member.seat:
                await _check_release(v, member, "变更其席位")
            v.raise_if_any()
            before = _snapshot(member)
            for name, value in cleaned.items():
                setattr(member, name, value)
            after = _snapshot(member)
            diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
            if diff:
                await member.save()
                await record(viewer, "leading_group.update", "leading_group_member", member.id, changes=diff)
    return member


async def remove_member(viewer: access.Viewer, member_id: int) -> None:
    """A member leaves the group; the reviews they approved keep the approver's name (approved_by)."""
    access.require_admin(viewer)
    async with in_transaction():
        member = await _member(member_id)
        v = Validator()
        await _check_release(v, member, "移除")
        v.raise_if_any()
        snapshot = _snapshot(member)
        await member.delete()
        await record(viewer, "leading_group.remove", "leading_group_member", member_id, **snapshot)


def _snapshot(member: LeadingGroupMember) -> dict[str, object]:
    return {
        "name": member.name, "post": member.post, "unit_id": member.unit_id,
        "group_role": member.group_role.value, "seat": member.seat.value if member.seat else None,
    }  # fmt: skip


async def check_token_seat(v: Validator, seat: ReviewSeat | None, member_id: int | None) -> ReviewSeat | None:
    """A REVIEWER token's seat, checked against the group (domain.tokens.create_token): the seat of the
    member it is bound to (when `seat` is left out, theirs), or a seat some member holds."""
    if member_id is not None:
        member = await LeadingGroupMember.get_or_none(id=member_id)
        if member is None:
            v.check(False, "member_id", "领导小组成员不存在 (leading group member not found)", "not_found")
            return seat
        v.check(
            member.seat is not None,
            "member_id",
            f"{member.name}未担任审核席位，不能为其签发审核令牌 (the member holds no seat)",
            "no_seat",
        )
        v.check(
            seat is None or seat == member.seat,
            "seat",
            f"{member.name}担任的是「{member.seat.label if member.seat else '无'}」席位 (the member holds another seat)",
            "mismatch",
        )
        return member.seat
    if seat is not None:
        v.check(
            await LeadingGroupMember.exists(seat=seat),
            "seat",
            f"领导小组名单中没有成员担任「{seat.label}」席位，请先登记担任该席位的成员 "
            f"(no member of the leading group holds the {seat.value} seat: add one first)",
            "unheld",
        )
    return seat
