"""Events for other county systems: webhooks registered by admins, each for a role (and a unit, for
unit roles), or by any token for itself (seeing as the token while it is valid), and their deliveries.

An event is queued in the transaction of the change that causes it: every change writes its audit
event in its own transaction (domain/audit.py), and a listener on that write turns the actions
below into deliveries — so a change cannot commit without its deliveries, nor they without it.
Overdue events have no write to ride on: `announce_overdue` finds the subjects fallen overdue and audits
each once (`change_notice.overdue`, `complaint.overdue`), which queues them like any other event.
A webhook gets only events about what its role may see (domain.access), with no personal data.
Sending, signing and retrying are the app's (qingquan/webhooks.py): no HTTP here.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Q
from tortoise.signals import post_save
from tortoise.transactions import in_transaction

from domain import access, change_feed
from domain.alarm_models import Alarm
from domain.audit import record
from domain.catalog import webhook_targets as targets
from domain.catalog.export import labelled
from domain.catalog.models import Webhook, WebhookDelivery
from domain.change_notices import notices_q
from domain.complaints import complaints_q
from domain.enums import DisclosureScope, PowerStatus, Role, SearchEntity
from domain.errors import NotFound, PermissionDenied, Validator
from domain.ids import global_id
from domain.models import ApiToken, AuditEvent, Power, Unit
from domain.rules import INACTIVE
from domain.tokens import token_status
from domain.workflow_models import ChangeNotice, Complaint

EVENTS: dict[str, str] = {
    "power.published": "职权公开运行",
    "power.revised": "已公开职权的修订生效",
    "power.withdrawn": "职权废止或剔除",
    "change_notice.opened": "变更说明待提交",
    "change_notice.overdue": "变更说明逾期",
    "complaint.filed": "收到投诉",
    "complaint.overdue": "投诉办理逾期",
    "case.alarm": "电子监察预警（黄牌到期、红牌超期）",
}
#: The audited actions of domain/alarms.py that are `case.alarm` events (a clearing is not).
ALARM_ACTIONS = frozenset({"alarm.raise", "alarm.escalate", "alarm.reopen"})
#: Who announces that a change notice or a complaint fell overdue (the audited action is the event).
OVERDUE_CHECK = access.Viewer(role=Role.ADMIN, name="overdue-check")
OVERDUE_EVENTS = frozenset({"change_notice.overdue", "complaint.overdue"})
WITHDRAWN = INACTIVE


def event_of(audit: AuditEvent) -> str | None:
    """The webhook event an audited change is, if any."""
    action, detail = audit.action, audit.detail or {}
    if action == "power.publish":
        return "power.published"
    if action == "power.revise" and detail.get("version") is not None:  # a published power's revision took effect
        return "power.revised"
    if action in ("power.withdraw", "power.decide") and detail.get("to_status") in {s.value for s in WITHDRAWN}:
        return "power.withdrawn"
    if action == "change_notice.open":
        return "change_notice.opened"
    if action == "complaint.file":
        return "complaint.filed"
    if action in ALARM_ACTIONS:
        return "case.alarm"
    if action in OVERDUE_EVENTS:
        return action
    return None


async def webhook_viewer(hook: Webhook) -> access.Viewer | None:
    """Who the webhook sees as: its role, scoped to its unit and the unit's offices for unit roles; a
    token's own webhook, as that token (its seat too), and nobody — it hears nothing — once the token
    is revoked or expired."""
    if hook.token_id is None:
        return await access.viewer_for(hook.role, hook.unit_id, name=f"webhook:{hook.id}")
    token = await ApiToken.get_or_none(id=hook.token_id)
    if token is None or token_status(token) != "active":
        return None
    return await access.viewer_for(token.role, token.unit_id, name=f"webhook:{hook.id}", token_id=token.id,
                                   seat=token.seat, member_id=token.member_id)  # fmt: skip




#: The payload's format: 2 names objects by the API's global ids, in camelCase, an enum's value beside its
#: label (`category` and `categoryLabel`); 1 (before issue 25) named them by database ids.
PAYLOAD_VERSION = 2


def _unit(unit: Unit) -> dict[str, Any]:
    return {"id": global_id("Unit", unit.id), "code": unit.code, "name": unit.name}


def _power(power: Power, unit: Unit) -> dict[str, Any]:
    return {"id": global_id("Power", power.id), "code": power.code, "name": power.name,
            **labelled("category", power.category), **labelled("exerciseMode", power.exercise_mode),
            **labelled("status", power.status), "unit": _unit(unit)}  # fmt: skip




@dataclass
class Subject:
    """What an event is about, and who may hear of it."""

    key: str  # power:12
    unit_id: int
    power: Power | None
    data: dict[str, Any]
    internal: bool  # change notices and complaints: their unit and oversight roles only
    record_scope: DisclosureScope | None = None  # an alarm: its exercise's 公开范围 (access.sees_alarm)

    def visible_to(self, viewer: access.Viewer | None) -> bool:
        if viewer is None:  # a revoked or expired token's webhook
            return False
        if self.record_scope is not None:
            assert self.power is not None
            return access.sees_alarm(viewer, self.power, self.record_scope)
        # a change notice of a power the viewer does not see (a LEADERSHIP one to its unit's staff) is as
        # hidden as the power
        if self.power is not None and not access.sees_power(viewer, self.power):
            return False
        if self.internal:
            return access.oversees_unit(viewer, self.unit_id)
        assert self.power is not None
        return True


async def _subject(event: str, entity_id: int, detail: dict[str, Any]) -> Subject | None:
    if event.startswith("power."):
        power = await Power.get_or_none(id=entity_id).select_related("unit")
        if power is None:
            return None
        data = _power(power, power.unit)
        if event == "power.withdrawn" and detail.get("from_status"):
            # who saw the power before it left the catalogue hears that it did
            power.status = PowerStatus(detail["from_status"])
        return Subject(f"power:{power.id}", power.unit_id, power, {"power": data}, internal=False)
    if event.startswith("change_notice."):
        notice = await ChangeNotice.get_or_none(id=entity_id).select_related("power__unit")
        if notice is None:
            return None
        data = {"changeNotice": {"id": global_id("ChangeNotice", notice.id), **labelled("status", notice.status),
                                 "openedOn": notice.opened_on.isoformat(), "dueOn": notice.due_on.isoformat()},
                "power": _power(notice.power, notice.power.unit)}  # fmt: skip
        return Subject(f"change_notice:{notice.id}", notice.power.unit_id, notice.power, data, internal=True)
    if event.startswith("case."):
        return await _alarm_subject(entity_id)
    complaint = await Complaint.get_or_none(id=entity_id).select_related("unit")
    if complaint is None:
        return None
    # no complainant, no content: personal data stays in the registry
    data = {"complaint": {"id": global_id("Complaint", complaint.id), **labelled("status", complaint.status),
                          "receivedOn": complaint.received_on.isoformat(), "dueOn": complaint.due_on.isoformat(),
                          "unit": _unit(complaint.unit)}}  # fmt: skip
    return Subject(f"complaint:{complaint.id}", complaint.unit_id, None, data, internal=True)


async def _alarm_subject(alarm_id: int) -> Subject | None:
    """电子监察's alarm: its level and dates, the step and post, the power; never the exercise's subject or
    applicant (personal data stays in the registry)."""
    alarm = await Alarm.get_or_none(id=alarm_id).select_related("operation__power__unit", "step", "position")
    if alarm is None:
        return None
    op = alarm.operation
    data = {
        "alarm": {"id": global_id("Alarm", alarm.id), **labelled("kind", alarm.kind), **labelled("level", alarm.level),
                  "limitDays": alarm.limit_days,
                  "dueOn": alarm.due_on.isoformat(), "raisedOn": alarm.raised_on.isoformat(),
                  "cleared": alarm.cleared_at is not None, "step": alarm.step.step_name if alarm.step else None,
                  "position": alarm.position.name if alarm.position else None},
        "operation": {"id": global_id("OperationRecord", op.id), **labelled("stage", op.stage)},
        "power": _power(op.power, op.power.unit),
    }  # fmt: skip
    return Subject(f"alarm:{alarm.id}", op.power.unit_id, op.power, data, internal=True, record_scope=op.scope)


def envelope(event: str, subject: Subject, at: datetime.datetime) -> dict[str, Any]:
    return {"version": PAYLOAD_VERSION, "event": event, "eventLabel": EVENTS[event], "occurredAt": at.isoformat(),
            **subject.data}  # fmt: skip


async def _subscribed(event: str, using_db: BaseDBAsyncClient | None = None) -> list[Webhook]:
    hooks = await Webhook.filter(active=True).using_db(using_db) if using_db else await Webhook.filter(active=True)
    return [h for h in hooks if not h.events or event in h.events]


async def queue(event: str, entity_id: int, detail: dict[str, Any], at: datetime.datetime,
                using_db: BaseDBAsyncClient | None = None) -> int:  # fmt: skip
    """Queue the event for every webhook subscribed to it whose role may see its subject."""
    hooks = await _subscribed(event, using_db)
    if not hooks:
        return 0
    subject = await _subject(event, entity_id, detail)
    if subject is None:
        return 0
    rows = [
        WebhookDelivery(webhook_id=hook.id, event=event, subject=subject.key, payload=envelope(event, subject, at), next_attempt_at=at)
        for hook in hooks
        if subject.visible_to(await webhook_viewer(hook))
    ]
    if rows:
        await WebhookDelivery.bulk_create(rows, using_db=using_db)
    return len(rows)


@post_save(AuditEvent)
async def _queue_from_audit(sender: type[AuditEvent], instance: AuditEvent, created: bool,
                            using_db: BaseDBAsyncClient | None, update_fields: Any) -> None:  # fmt: skip
    event = event_of(instance) if created else None
    if event is not None:
        await queue(event, int(instance.entity_id), instance.detail or {}, instance.at, using_db)
        # and for the subscribers of every host, in the change feed (qingquan/live.py)
        await change_feed.enqueue(SearchEntity.EVENT, [instance.id], using_db=using_db)


async def audited_event(audit_id: int) -> tuple[str, Subject, AuditEvent] | None:
    """The event an audit event of the change feed is, what it is about and when: None when it is gone."""
    audit = await AuditEvent.get_or_none(id=audit_id)
    event = event_of(audit) if audit is not None else None
    if audit is None or event is None:
        return None
    subject = await _subject(event, int(audit.entity_id), audit.detail or {})
    return (event, subject, audit) if subject is not None else None


async def announce_overdue(today: datetime.date) -> int:
    """Announce each change notice and complaint that has fallen overdue by `today`, once: an audit event
    whose listener queues the webhooks' deliveries and the change feed's row in its transaction (so the
    subscribers of every host hear it, with the webhooks' rule of who may see it). Returns how many."""
    announced = 0
    for event, entity_type, model, query in (
        ("change_notice.overdue", "change_notice", ChangeNotice, notices_q),
        ("complaint.overdue", "complaint", Complaint, complaints_q),
    ):
        late = await model.filter(query(OVERDUE_CHECK, overdue=True, on=today)).order_by("id").values_list("id", "due_on")
        if not late:
            continue
        # only the late subjects' events are read: the webhook sender asks every few seconds, forever
        told = set(await AuditEvent.filter(action=event, entity_id__in=[str(i) for i, _ in late]).values_list("entity_id", flat=True))
        for entity_id, due_on in late:
            if str(entity_id) not in told:
                async with in_transaction():
                    await record(OVERDUE_CHECK, event, entity_type, entity_id, due_on=due_on.isoformat())
                announced += 1
    return announced


# -- registration ---------------------------------------------------------------------------------


#: webhooks one token may register for itself (an admin's are not counted)
MAX_OWN_WEBHOOKS = 20


@dataclass
class WebhookData:
    name: str
    url: str
    role: Role | None = None  # None: the caller's own token's webhook
    unit_code: str | None = None
    events: tuple[str, ...] = ()
    secret: str = ""


async def _own_webhook(viewer: access.Viewer, data: WebhookData, v: Validator) -> int:
    """Check a webhook a token registers for itself: it sees as the token, so a role or a unit, if given,
    must be the token's own. Returns the token's id."""
    if viewer.token_id is None:
        raise PermissionDenied("登记回调须带令牌 (registering a webhook needs a token: it hears what the token may see)")
    v.check(data.role in (None, viewer.role), "role",
            "回调与令牌同权：不能指定其他角色 (a token's webhook sees as the token: no other role)", "forbidden")  # fmt: skip
    if data.unit_code:
        own = await Unit.get_or_none(id=viewer.unit_id) if viewer.unit_id is not None else None
        v.check(own is not None and own.code == data.unit_code.strip(), "unit",
                "回调与令牌同权：不能指定其他单位 (a token's webhook sees as the token: no other unit)", "forbidden")  # fmt: skip
    count = await Webhook.filter(token_id=viewer.token_id).count()
    v.check(count < MAX_OWN_WEBHOOKS, "url",
            f"每个令牌最多登记 {MAX_OWN_WEBHOOKS} 个回调 (a token may register at most {MAX_OWN_WEBHOOKS} webhooks)", "too_many")  # fmt: skip
    return viewer.token_id


async def register_webhook(viewer: access.Viewer, data: WebhookData, *, allow_private: bool = False) -> Webhook:
    """Register a county system's endpoint, at a public address unless `allow_private` (the operator's
    QINGQUAN_WEBHOOK_ALLOW_PRIVATE); the secret is generated unless given. An admin registers one for any
    role (and unit); any token — an admin's too, leaving the role out — registers its own, which hears
    what the token may see, as long as the token is valid."""
    v = Validator()
    token_id = None
    if data.role is None or viewer.role != Role.ADMIN:
        token_id = await _own_webhook(viewer, data, v)
    name = data.name.strip()
    v.check(0 < len(name) <= 100, "name", "名称应为 1–100 个字符 (name must be 1–100 characters)", "invalid")
    url = data.url.strip()
    parts = urlsplit(url)
    well_formed = parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 500
    v.check(well_formed, "url", "应为 http(s) 地址 (url must be an http or https URL)", "invalid")
    if well_formed and (refusal := await targets.registration_refusal(url, allow_private=allow_private)):
        v.add("url", refusal, "private_address")
    unknown = [e for e in data.events if e not in EVENTS]
    v.check(not unknown, "events", f"未知的事件：{', '.join(unknown)} (known: {', '.join(EVENTS)})", "invalid")
    unit = None
    if token_id is not None:
        role, unit_id = viewer.role, viewer.unit_id
    elif data.role in access.UNIT_ROLES:
        unit = await Unit.get_or_none(code=(data.unit_code or "").strip())
        v.check(unit is not None, "unit", "单位角色的回调须指定单位 (a unit role needs its unit)", "required")
    else:
        v.check(not data.unit_code, "unit", "只有单位角色指定单位 (only unit roles have a unit)", "invalid")
    if token_id is None:
        role, unit_id = data.role, unit.id if unit is not None else None
    secret = data.secret or secrets.token_urlsafe(32)
    v.check(16 <= len(secret) <= 128, "secret", "密钥应为 16–128 个字符 (secret must be 16–128 characters)", "invalid")
    v.raise_if_any()
    async with in_transaction():
        hook = await Webhook.create(name=name, url=url, secret=secret, events=list(dict.fromkeys(data.events)),
                                    role=role, unit_id=unit_id, token_id=token_id, created_by=viewer.name)  # fmt: skip
        await record(viewer, "webhook.register", "webhook", hook.id, url=hook.url, role=hook.role.value,
                     unit_id=hook.unit_id, events=hook.events, token_id=token_id)  # fmt: skip
    return hook


def visible_webhooks_q(viewer: access.Viewer) -> Q:
    """The webhooks a caller manages: an admin every one, another token its own, the public none."""
    if viewer.role == Role.ADMIN:
        return Q()
    return Q(token_id=viewer.token_id) if viewer.token_id is not None else Q(id__in=[])


async def remove_webhook(viewer: access.Viewer, webhook_id: int) -> None:
    """Remove a webhook the caller manages (another's answers as not found)."""
    async with in_transaction():
        hook = await Webhook.filter(visible_webhooks_q(viewer), id=webhook_id).first()
        if hook is None:
            raise NotFound("回调不存在 (webhook not found)")
        await hook.delete()
        await record(viewer, "webhook.remove", "webhook", webhook_id, url=hook.url)


async def webhooks(viewer: access.Viewer) -> list[Webhook]:
    """The webhooks the caller manages (visible_webhooks_q)."""
    return await Webhook.filter(visible_webhooks_q(viewer)).select_related("unit")


async def webhook(viewer: access.Viewer, webhook_id: int) -> Webhook | None:
    """One webhook the caller manages, or None."""
    return await Webhook.filter(visible_webhooks_q(viewer), id=webhook_id).select_related("unit").first()
