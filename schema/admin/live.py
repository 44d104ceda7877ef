"""Subscriptions: the events webhooks carry, live, over graphql-transport-ws (`/graphql`, WebSocket) and
GraphQL over SSE (`/graphql` with `Accept: text/event-stream`); qingquan/live.py delivers them."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.scalars import JSON

from domain import access
from domain import models as m
from domain.catalog.webhooks import EVENTS
from qingquan.live import LiveEvent, SubscriptionRefused, decode_position, encode_position
from resolvers.loaders import Loaders
from schema.catalogue.power import Power
from schema.context import Info
from schema.relay import encode_id

EventType = strawberry.enum(
    Enum("EventType", {name.replace(".", "_").upper(): name for name in EVENTS}),
    description="事件类型: the webhooks' events (`power.published` is POWER_PUBLISHED …)",
)


#: the global id's type of each kind of subject (domain/catalog/webhooks.py's `Subject.key`)
SUBJECT_TYPES = {"power": "Power", "change_notice": "ChangeNotice", "complaint": "Complaint", "alarm": "Alarm"}


@strawberry.type(description="An event as webhooks carry it, seen as the subscriber may see it.")
class Event:
    type: EventType  # type: ignore[valid-type]
    label: str = strawberry.field(description="事件名称 (中文)")
    occurred_at: datetime
    cursor: str = strawberry.field(description="subscribe with `events(after:)` this cursor to resume after this event")
    subject_id: strawberry.ID = strawberry.field(description="the global id of what the event is about (Power, ChangeNotice, Complaint, Alarm)")
    payload: JSON = strawberry.field(description="the webhook's JSON body for this event (README, *Catalogue exchange*)")
    power_db_id: strawberry.Private[int | None]

    @classmethod
    def of(cls, live: LiveEvent) -> Event:
        kind, _, pk = live.subject.key.partition(":")
        type_name = SUBJECT_TYPES[kind]
        return cls(
            type=EventType(live.event),
            label=EVENTS[live.event],
            occurred_at=live.at,
            cursor=encode_position(live.position),
            subject_id=encode_id(type_name, int(pk)),
            payload=live.payload,
            power_db_id=live.subject.power.id if live.subject.power is not None else None,
        )

    @strawberry.field(description="the power the event concerns, as the subscriber may see it now (null if not)")
    async def power(self, info: Info) -> Power | None:
        if self.power_db_id is None:
            return None
        found = await m.Power.filter(access.power_q(info.context.viewer), id=self.power_db_id).first()
        return Power.from_model(found) if found else None


@strawberry.type
class EventCursorQuery:
    @strawberry.field(description="the present end of the events: subscribe with `events(after:)` it to miss none from now")
    async def event_cursor(self, info: Info) -> str:
        hub = info.context.hub
        if hub is None:
            raise SubscriptionRefused("此服务不提供订阅 (subscriptions are not served here)", "unavailable")
        return await hub.cursor()


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="职权公开、修订、废止, 变更说明, 投诉, 电子监察预警: the webhooks' events the caller may see, as they happen "
        "(graphql-transport-ws or SSE; at most QINGQUAN_MAX_SUBSCRIPTIONS at once per token or address)"
    )
    async def events(
        self, info: Info, types: list[EventType] | None = None, after: str | None = None  # type: ignore[valid-type]
    ) -> AsyncGenerator[Event, None]:
        ctx = info.context
        if ctx.hub is None:
            raise SubscriptionRefused("此服务不提供订阅 (subscriptions are not served here)", "unavailable")
        start = decode_position(after) if after else None
        viewer = ctx.viewer
        key = f"token:{viewer.token_id}" if viewer.token_id is not None else f"address:{ctx.client_ip}"
        wanted = frozenset(t.value for t in types or ())
        async with ctx.hub.subscription(viewer, key, wanted, start, ctx.token) as subscriber:
            while True:
                item = await subscriber.queue.get()
                if item is None:  # the server stops: the subscription completes
                    return
                if isinstance(item, SubscriptionRefused):
                    raise item
                ctx.viewer = subscriber.viewer
                ctx.loaders = Loaders.for_viewer(subscriber.viewer)  # what the event's fields read is read afresh
                yield Event.of(item)
