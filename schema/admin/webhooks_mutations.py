"""Webhooks as mutations: `registerWebhook` (its secret is returned this once) and `removeWebhook`, by any token
for its own webhooks and by admins for any.
The types and `webhooks` are in schema.admin.webhooks."""

from __future__ import annotations

import strawberry

from domain.catalog import webhooks as hooks
from domain.enums import Role as DomainRole
from domain.errors import DomainError
from schema.admin.webhooks import RegisteredWebhook, Webhook
from schema.context import Info
from schema.enums import Role
from schema.mutation_base import Deleted, failure, pk, result


@strawberry.input
class RegisterWebhookInput:
    name: str
    url: str = strawberry.field(description="http(s), at a public address (not loopback, private or link-local)")
    role: Role | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="admins: the role it hears as (with `unitCode` for UNIT_STAFF / UNIT_LEAD); left out, the webhook "
        "is the calling token's own and hears what that token may see, while it is valid (any token)",
    )
    unit_code: str | None = strawberry.field(default=None, description="for UNIT_STAFF / UNIT_LEAD (admins)")
    events: list[str] = strawberry.field(default_factory=list, description=f"empty: all of {', '.join(hooks.EVENTS)}")
    secret: str | None = strawberry.field(default=None, description="16–128 characters; generated when left out")


RegisterWebhookResult = result("RegisterWebhookResult", RegisteredWebhook)
RemoveWebhookResult = result("RemoveWebhookResult", Deleted)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(description="Register a webhook for events (power published / revised / withdrawn, change notice opened / overdue, complaint filed / overdue): any token for itself, admins for any role")
    async def register_webhook(self, info: Info, input: RegisterWebhookInput) -> RegisterWebhookResult:
        role = DomainRole(input.role.value) if input.role is not None else None
        data = hooks.WebhookData(input.name, input.url, role, input.unit_code, tuple(input.events), input.secret or "")
        try:
            hook = await hooks.register_webhook(info.context.viewer, data, allow_private=info.context.settings.webhook_allow_private)
        except DomainError as exc:
            return failure(exc)
        await hook.fetch_related("unit")
        return RegisteredWebhook(webhook=Webhook.of(hook), secret=hook.secret)

    @strawberry.mutation(description="Remove a webhook and its deliveries: its token, or an admin")
    async def remove_webhook(self, info: Info, id: strawberry.ID) -> RemoveWebhookResult:
        try:
            webhook_id = pk(id, "Webhook")
            await hooks.remove_webhook(info.context.viewer, webhook_id)
        except DomainError as exc:
            return failure(exc)
        return Deleted.of("Webhook", webhook_id)
