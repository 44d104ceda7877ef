"""领导小组 (附1) as mutations, for admins: `createLeadingGroupMember`, `updateLeadingGroupMember`,
`removeLeadingGroupMember`. The member type and `leadingGroup` are in schema.workflow.leading_group."""

from __future__ import annotations

import strawberry

from domain import leading_group as lg
from domain.errors import DomainError
from schema.context import Info
from schema.enums import GroupRole, ReviewSeat
from schema.mutation_base import Deleted, failure, given, pk, result
from schema.workflow.leading_group import LeadingGroupMember


@strawberry.input(description="A member of the leading group.")
class LeadingGroupMemberInput:
    name: str = strawberry.field(description="姓名")
    post: str = strawberry.field(description="职务, e.g. 县委常委、常务副县长")
    unit_id: strawberry.ID = strawberry.field(description="所在单位")
    group_role: GroupRole
    seat: ReviewSeat | None = strawberry.field(default=None, description="the office seat held for the group, if any")


@strawberry.input(description="Changes to a member: fields left out stay as they are; `seat: null` gives the seat up.")
class UpdateLeadingGroupMemberInput:
    name: str | None = strawberry.UNSET
    post: str | None = strawberry.UNSET
    unit_id: strawberry.ID | None = strawberry.UNSET
    group_role: GroupRole | None = strawberry.UNSET
    seat: ReviewSeat | None = strawberry.UNSET


LeadingGroupMemberResult = result("LeadingGroupMemberResult", LeadingGroupMember)
RemoveLeadingGroupMemberResult = result("RemoveLeadingGroupMemberResult", Deleted)


@strawberry.type
class LeadingGroupMutations:
    @strawberry.mutation(description="Add a member to the leading group (admins).")
    async def create_leading_group_member(self, info: Info, input: LeadingGroupMemberInput) -> LeadingGroupMemberResult:
        try:
            data = lg.MemberData(
                name=input.name, post=input.post, unit_id=pk(input.unit_id, "Unit", "unitId"),
                group_role=input.group_role, seat=input.seat,  # type: ignore[arg-type]
            )  # fmt: skip
            return LeadingGroupMember.from_model(await lg.create_member(info.context.viewer, data))
        except DomainError as exc:
            return failure(exc)

    @strawberry.mutation(description="Change a member of the leading group (admins).")
    async def update_leading_group_member(
        self, info: Info, id: strawberry.ID, input: UpdateLeadingGroupMemberInput
    ) -> LeadingGroupMemberResult:
        try:
            changes = given(input, {"unit_id": "Unit"})
            member = await lg.update_member(info.context.viewer, pk(id, "LeadingGroupMember"), changes)
            return LeadingGroupMember.from_model(member)
        except DomainError as exc:
            return failure(exc)

    @strawberry.mutation(
        description="Remove a member from the leading group (admins); refused while a working token depends on them."
    )
    async def remove_leading_group_member(self, info: Info, id: strawberry.ID) -> RemoveLeadingGroupMemberResult:
        try:
            member_id = pk(id, "LeadingGroupMember")
            await lg.remove_member(info.context.viewer, member_id)
            return Deleted.of("LeadingGroupMember", member_id)
        except DomainError as exc:
            return failure(exc)
