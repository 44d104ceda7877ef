"""Models of catalogue exchange: other places' catalogues kept for 对照, webhooks and their deliveries."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.enums import LabelledEnum, PowerCategory, Role


class DeliveryStatus(LabelledEnum):
    PENDING = ("PENDING", "待发送")
    DELIVERED = ("DELIVERED", "已送达")
    FAILED = ("FAILED", "发送失败（已放弃）")


class ReferenceCatalog(Model):
    """Another place's 权力清单 (邯郸, 张家港, 大庆 …), kept to compare ours with (not our powers)."""

    id = fields.IntField(primary_key=True)
    place = fields.CharField(max_length=100, unique=True, description="地方 / 部门, e.g. 张家港市环保局")
    source_name = fields.CharField(max_length=300, default="", description="the file it was read from")
    imported_at = fields.DatetimeField(auto_now=True)
    imported_by = fields.CharField(max_length=200, default="")
    vector_model = fields.CharField(max_length=100, default="", db_default="", description="the model of its items' name vectors ('' none)")

    class Meta:
        table = "reference_catalog"
        ordering = ["place"]


class ReferencePower(Model):
    """One row of a reference catalogue, as read (category mapped, bases parsed into citations)."""

    id = fields.IntField(primary_key=True)
    catalog: fields.ForeignKeyRelation[ReferenceCatalog] = fields.ForeignKeyField(
        "qingquan.ReferenceCatalog", related_name="powers", on_delete=fields.CASCADE
    )
    row = fields.IntField(description="row number in the source sheet")
    code = fields.CharField(max_length=100, default="")
    name = fields.CharField(max_length=300)
    category = fields.CharEnumField(PowerCategory, max_length=32, null=True)
    category_text = fields.CharField(max_length=100, default="")
    unit_name = fields.CharField(max_length=200, default="", description="实施主体")
    basis_text = fields.TextField(default="")
    citations = fields.JSONField(default=list, description="[[work key, article label], …] read from basis_text")
    time_limit = fields.CharField(max_length=200, default="")
    time_limit_days = fields.IntField(null=True)
    name_vector = fields.BinaryField(null=True, description="the name's embedding (float32) for 对照 by meaning")

    class Meta:
        table = "reference_power"
        indexes = (("catalog_id",),)
        ordering = ["catalog_id", "row", "id"]


class Webhook(Model):
    """A county system's endpoint for events, seeing what its role (and unit) may see."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    url = fields.CharField(max_length=500)
    secret = fields.CharField(max_length=128, description="HMAC-SHA256 key of the signature header")
    events = fields.JSONField(default=list, description="event names (empty: all events)")
    role = fields.CharEnumField(Role, max_length=16)
    unit: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "qingquan.Unit", related_name="webhooks", null=True, on_delete=fields.CASCADE
    )
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by = fields.CharField(max_length=200, default="")
    token: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "qingquan.ApiToken", related_name="webhooks", null=True, on_delete=fields.CASCADE,
        description="the token that registered it for itself: it hears what that token may see, while the token is valid",
    )  # fmt: skip

    class Meta:
        table = "webhook"
        indexes = (("unit_id",), ("token_id",))
        ordering = ["id"]


class WebhookDelivery(Model):
    """One event for one webhook: queued in the transaction of the change, sent after and retried."""

    id = fields.BigIntField(primary_key=True)
    webhook: fields.ForeignKeyRelation[Webhook] = fields.ForeignKeyField(
        "qingquan.Webhook", related_name="deliveries", on_delete=fields.CASCADE
    )
    event = fields.CharField(max_length=50)
    subject = fields.CharField(max_length=100, default="", description="what the event is about: power:12, complaint:3")
    payload = fields.JSONField(default=dict)
    status = fields.CharEnumField(DeliveryStatus, max_length=16, default=DeliveryStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    response_status = fields.IntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (("status", "next_attempt_at"), ("webhook_id", "event", "subject"))
        ordering = ["id"]
