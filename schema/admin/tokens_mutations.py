"""API tokens as mutations, for admins: `createApiToken`, `setApiTokenExpiry`, `revokeApiToken`. A token's
secret is returned once, by `createApiToken`. The types and `apiTokens` are in schema.admin.tokens."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import tokens
from domain.errors import DomainError
from schema.admin.tokens import ApiToken, CreatedApiToken
from schema.context import Info
from schema.enums import ReviewSeat, Role
from schema.mutation_base import failure, optional_pk, pk, result


@strawberry.input(description="A new API token; unit roles (UNIT_STAFF, UNIT_LEAD) need `unitId`.")
class CreateApiTokenInput:
    name: str = strawberry.field(description="who holds it, e.g. 电子监察系统")
    role: Role
    unit_id: strawberry.ID | None = None
    expires_at: datetime | None = strawberry.field(default=None, description="in the future; null: never")
    seat: ReviewSeat | None = strawberry.field(
        default=None,
        description="REVIEWER only: the office whose opinions it enters, or the leading group (领导小组); a seat some "
        "member of the leading group holds (the member's own when `memberId` is given)",
    )
    member_id: strawberry.ID | None = strawberry.field(
        default=None, description="REVIEWER only: the leading group's member whose seat it holds (their approvals are recorded as theirs)"
    )


CreateApiTokenResult = result("CreateApiTokenResult", CreatedApiToken)
RevokeApiTokenResult = result("RevokeApiTokenResult", ApiToken)


SetApiTokenExpiryResult = result("SetApiTokenExpiryResult", ApiToken)


@strawberry.type
class TokenMutations:
    @strawberry.mutation(description="Create an API token (admins); its secret is in the answer, and only there.")
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreateApiTokenResult:
        try:
            token, secret = await tokens.create_token(
                input.role,  # type: ignore[arg-type]
                name=input.name,
                unit_id=optional_pk(input.unit_id, "Unit", "unitId"),
                expires_at=input.expires_at,
                seat=input.seat,  # type: ignore[arg-type]
                member_id=optional_pk(input.member_id, "LeadingGroupMember", "memberId"),
                actor=info.context.viewer,
            )
        except DomainError as exc:
            return failure(exc)
        return CreatedApiToken(token=ApiToken.from_model(token), secret=secret)

    @strawberry.mutation(description="Revoke an API token (admins): its next request, on any server, is a 401.")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> RevokeApiTokenResult:
        try:
            return ApiToken.from_model(await tokens.revoke_token(info.context.viewer, pk(id, "ApiToken")))
        except DomainError as exc:
            return failure(exc)

    @strawberry.mutation(description="Give an API token an expiry in the future, or none (`expiresAt: null`) (admins).")
    async def set_api_token_expiry(
        self, info: Info, id: strawberry.ID, expires_at: datetime | None
    ) -> SetApiTokenExpiryResult:
        try:
            token = await tokens.set_token_expiry(info.context.viewer, pk(id, "ApiToken"), expires_at)
        except DomainError as exc:
            return failure(exc)
        return ApiToken.from_model(token)
