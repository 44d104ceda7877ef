"""API tokens for admins: `apiTokens`, `createApiToken`, `setApiTokenExpiry`, `revokeApiToken`.

A token's secret is returned once, by `createApiToken`; neither it nor its hash is ever readable again.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import models as m
from domain import tokens
from domain.errors import DomainError
from resolvers.pagination import paginate
from resolvers.prefetch import now_or_later
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import ReviewSeat, Role
from schema.mutation_base import failure, optional_pk, pk, result
from schema.node import page_args, to_connection
from schema.relay import Connection, encode_id
from schema.workflow.leading_group import LeadingGroupMember, load_member


@strawberry.type(description="An API token, as admins see it: never its secret nor its hash.")
class ApiToken:
    id: strawberry.ID
    unit_id: strawberry.Private[int | None]
    member_id: strawberry.Private[int | None]
    name: str
    role: Role
    seat: ReviewSeat | None = strawberry.field(description="a REVIEWER's seat: one reviewing office, or the leading group")
    prefix: str = strawberry.field(description="the secret's first characters, to tell tokens apart")
    created_at: datetime
    last_used_at: datetime | None = strawberry.field(description="the last request with it, to within 10 minutes")
    expires_at: datetime | None = strawberry.field(description="refused from this instant on; null: never")
    revoked_at: datetime | None
    active: bool = strawberry.field(description="neither revoked nor expired: the token works")

    @classmethod
    def from_model(cls, token: m.ApiToken) -> ApiToken:
        return cls(
            id=encode_id("ApiToken", token.id),
            unit_id=token.unit_id,
            member_id=token.member_id,  # type: ignore[attr-defined]
            name=token.name,
            role=token.role,
            seat=token.seat,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            active=tokens.token_status(token) == "active",
        )

    @strawberry.field(description="the unit a UNIT_STAFF / UNIT_LEAD token is scoped to")
    def unit(self, info: Info) -> Unit | None:
        if self.unit_id is None:
            return None
        return now_or_later(info.context.loaders.unit_by_id, self.unit_id, lambda u: Unit.from_model(u) if u else None)

    @strawberry.field(description="the leading group's member (附1) whose seat a REVIEWER token holds, if bound to one")
    async def member(self, info: Info) -> LeadingGroupMember | None:
        return await load_member(info, self.member_id)


@strawberry.type(description="A new token: `secret` is shown this once; send it as `Authorization: Bearer …`.")
class CreatedApiToken:
    token: ApiToken
    secret: str


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
class TokenQuery:
    @strawberry.field(description="API tokens, newest first, revoked and expired ones included (admins)")
    async def api_tokens(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[ApiToken]:
        query = tokens.list_tokens(info.context.viewer)  # PermissionDenied: a GraphQL error, nothing listed
        limit, offset = page_args(first, after)
        settings = info.context.settings
        page = await paginate(
            query, first=limit, offset=offset, default=settings.default_page_size, maximum=settings.max_page_size
        )
        return to_connection(page, ApiToken.from_model)


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

