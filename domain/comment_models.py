"""Tortoise models of 公示 and 征求意见 (domain/comment_periods.py): a unit's comment periods, the frozen
comment versions (公示稿) of the draft powers put up for comment, and the public's comments on them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.enums import CommentHiddenReason, CommentStatus
from domain.models import Power, Timestamped, Unit


class CommentPeriod(Timestamped):
    """公示: a unit puts some of its DRAFT powers up for public comment from `starts_on` to `ends_on`."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="comment_periods", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200, description="公示标题")
    starts_on = fields.DateField(description="first day of the period (county date)")
    ends_on = fields.DateField(description="last day of the period: `workdays` working days from starts_on")
    workdays = fields.IntField(description="length of the period in working days")
    ends_provisional = fields.BooleanField(default=False, description="counted on weekends alone")
    opened_by = fields.CharField(max_length=200)
    closed_at = fields.DatetimeField(null=True, description="closed early (提前结束)")
    closed_on = fields.DateField(null=True)
    closed_by = fields.CharField(max_length=200, default="")
    close_reason = fields.TextField(default="", description="why it was closed early")

    class Meta:
        table = "comment_period"
        indexes = (("unit_id",), ("starts_on", "ends_on"))
        ordering = ["-starts_on", "-id"]


class CommentDraft(Model):
    """公示稿: a DRAFT power as it stood when the period opened (in the snapshot format of domain.versions, the
    bases with their articles' text), shown to the public during the period: never the draft itself."""

    id = fields.IntField(primary_key=True)
    period: fields.ForeignKeyRelation[CommentPeriod] = fields.ForeignKeyField(
        "qingquan.CommentPeriod", related_name="drafts", on_delete=fields.CASCADE
    )
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="comment_drafts", on_delete=fields.RESTRICT  # what the public was shown stays
    )
    unit_id = fields.IntField(description="the power's unit (it never changes)")
    ordinal = fields.IntField(description="position in the period, from 1")
    code = fields.CharField(max_length=40)
    name = fields.CharField(max_length=300)
    snapshot = fields.JSONField(description="fields, rules, bases (with article text) and flow chart as opened")

    class Meta:
        table = "comment_draft"
        unique_together = (("period", "power"),)
        indexes = (("power_id",), ("unit_id",))
        ordering = ["period_id", "ordinal"]


class PublicComment(Timestamped):
    """意见: a comment the public left on a 公示稿 (the name and contact of its author are personal data)."""

    id = fields.IntField(primary_key=True)
    draft: fields.ForeignKeyRelation[CommentDraft] = fields.ForeignKeyField(
        "qingquan.CommentDraft", related_name="comments", on_delete=fields.CASCADE
    )
    unit_id = fields.IntField(description="the unit holding the period (who moderates)")
    body = fields.TextField(description="意见内容")
    commenter_name = fields.CharField(max_length=50, default="", description="姓名 (personal data)")
    commenter_contact = fields.CharField(max_length=100, default="", description="联系方式 (personal data)")
    received_on = fields.DateField()
    status = fields.CharEnumField(CommentStatus, max_length=16, default=CommentStatus.RECEIVED)
    answer = fields.TextField(default="", description="答复")
    hidden_reason = fields.CharEnumField(CommentHiddenReason, max_length=24, null=True)
    hidden_note = fields.TextField(default="", description="不予公开的说明")
    moderated_by = fields.CharField(max_length=200, default="")
    moderated_on = fields.DateField(null=True)

    class Meta:
        table = "public_comment"
        indexes = (("draft_id", "status"), ("unit_id", "status"))
        ordering = ["draft_id", "id"]
