"""Webhooks through the API: admins register, list and remove any, other tokens their own, and see their
deliveries (registering and removing in webhooks_mutations)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.access import Viewer
from domain.catalog import webhooks as hooks
from domain.catalog.models import DeliveryStatus as DeliveryStatusModel
from domain.catalog.models import Webhook as WebhookModel
from domain.catalog.models import WebhookDelivery as DeliveryModel
from schema.context import Info
from schema.enums import Role, _enum
from schema.node import Node
from schema.relay import encode_id

DeliveryStatus = _enum(DeliveryStatusModel, description="投递状态")


@strawberry.type(description="One event sent (or to be sent) to a webhook.")
class WebhookDelivery(Node):
    id: strawberry.ID
    event: str
    subject: str = strawberry.field(description="what it is about: power:12, change_notice:3, complaint:7")
    status: DeliveryStatus  # type: ignore[valid-type]
    attempts: int
    next_attempt_at: datetime
    last_error: str
    response_status: int | None
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, d: DeliveryModel) -> WebhookDelivery:
        return cls(id=encode_id("WebhookDelivery", d.id), event=d.event, subject=d.subject, status=d.status,
                   attempts=d.attempts, next_attempt_at=d.next_attempt_at, last_error=d.last_error,
                   response_status=d.response_status, created_at=d.created_at, delivered_at=d.delivered_at)  # fmt: skip


@strawberry.type(description="A county system's endpoint for events, hearing only of what its role may see.")
class Webhook(Node):
    id: strawberry.ID
    db_id: strawberry.Private[int]
    name: str
    url: str
    role: Role  # type: ignore[valid-type]
    unit_code: str | None
    events: list[str] = strawberry.field(description="empty: every event")
    active: bool
    created_at: datetime
    own: bool = strawberry.field(description="registered by a token for itself: hears what that token may see")

    @classmethod
    def of(cls, hook: WebhookModel) -> Webhook:
        return cls(id=encode_id("Webhook", hook.id), db_id=hook.id, name=hook.name, url=hook.url, role=hook.role,
                   unit_code=hook.unit.code if hook.unit_id else None, events=hook.events, active=hook.active,
                   created_at=hook.created_at, own=hook.token_id is not None)  # fmt: skip

    @strawberry.field(description="deliveries, newest first")
    async def deliveries(self, status: DeliveryStatus | None = None, first: int = 50) -> list[WebhookDelivery]:
        query = DeliveryModel.filter(webhook_id=self.db_id)
        if status is not None:
            query = query.filter(status=status)
        rows = await query.order_by("-id").limit(max(1, min(first, 500)))
        return [WebhookDelivery.of(d) for d in rows]


@strawberry.type(description="A registered webhook and its secret (shown this once: it signs every delivery).")
class RegisteredWebhook:
    webhook: Webhook
    secret: str


async def webhook_node(viewer: Viewer, type_name: str, pk: int) -> Webhook | WebhookDelivery | None:
    """node(id) of a Webhook or a WebhookDelivery: of a webhook the caller manages (hooks.visible_webhooks_q)."""
    if type_name == "Webhook":
        hook = await hooks.webhook(viewer, pk)
        return Webhook.of(hook) if hook else None
    delivery = await DeliveryModel.filter(id=pk).first()
    if delivery is None or await hooks.webhook(viewer, delivery.webhook_id) is None:
        return None
    return WebhookDelivery.of(delivery)


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="Webhooks and their deliveries: every one for admins, a token's own for it (empty for the public)")
    async def webhooks(self, info: Info) -> list[Webhook]:
        return [Webhook.of(h) for h in await hooks.webhooks(info.context.viewer)]
