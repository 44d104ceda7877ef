"""API tokens for admins: `apiTokens`, and in tokens_mutations `createApiToken`, `setApiTokenExpiry`, `revokeApiToken`.

A token's secret is returned once, by `createApiToken`; neither it nor its hash is ever readable again.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import models as m
from domain import tokens
from resolvers.pagination import paginate
from resolvers.prefetch import now_or_later
from schema.catalogue.unit import Unit
from schema.context import Info
from schema.enums import ReviewSeat, Role
from schema.node import Node, page_args, to_connection
from schema.relay import Connection, encode_id
from schema.workflow.leading_group import LeadingGroupMember, load_member


@strawberry.type(description="An API token, as admins see it: never its secret nor its hash.")
class ApiToken(Node):
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
