"""领导小组 (附1) as data: `leadingGroup` (any signed-in role), and, for admins, in leading_group_mutations,
`createLeadingGroupMember`, `updateLeadingGroupMember`, `removeLeadingGroupMember`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import leading_group as lg
from domain import workflow_models as wm
from resolvers.prefetch import now_or_later
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import GroupRole, ReviewSeat
from schema.node import Node
from schema.relay import encode_id


@strawberry.type(
    description="A member of the county's 清权确权工作领导小组 (附1), and the seat they hold for it: one "
    "reviewing office (县公开办 is the group's office) or the group's approval (领导小组审定)."
)
class LeadingGroupMember(Node):
    id: strawberry.ID
    db_id: strawberry.Private[int]
    unit_id: strawberry.Private[int]
    name: str = strawberry.field(description="姓名")
    post: str = strawberry.field(description="职务")
    group_role: GroupRole = strawberry.field(description="组长, 副组长 or 成员")
    seat: ReviewSeat | None = strawberry.field(description="the seat held: REVIEWER tokens are issued for held seats")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, member: wm.LeadingGroupMember) -> LeadingGroupMember:
        return cls(
            id=encode_id("LeadingGroupMember", member.id), db_id=member.id, unit_id=member.unit_id, name=member.name,
            post=member.post, group_role=member.group_role, seat=member.seat, created_at=member.created_at,
            updated_at=member.updated_at,
        )  # fmt: skip

    @strawberry.field(description="所在单位: the unit the member comes from")
    def unit(self, info: Info) -> Unit | None:
        return now_or_later(info.context.loaders.unit_by_id, self.unit_id, lambda u: Unit.from_model(u) if u else None)


async def load_member(info: Info, member_id: int | None) -> LeadingGroupMember | None:
    """A member by database id (None if none or removed), batched per request."""
    if member_id is None:
        return None
    member = await info.context.loaders.leading_group_member_by_id.load(member_id)
    return LeadingGroupMember.from_model(member) if member else None


@strawberry.type
class LeadingGroupQuery:
    @strawberry.field(description="领导小组 (附1): its members, 组长 first, then 副组长 and 成员 (signed-in roles)")
    async def leading_group(self, info: Info) -> list[LeadingGroupMember]:
        return [LeadingGroupMember.from_model(m) for m in await lg.members(info.context.viewer)]
