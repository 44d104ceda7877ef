"""电子监察's alarms, stored: raised by the server (domain/alarms.py), one per step or case, escalated
YELLOW → RED once, cleared when the step or case is done."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.enums import AlarmKind, AlarmLevel


class Alarm(Model):
    """An alarm on a step (its 办理时限) or a whole case (the power's 承诺时限) that reached its due day."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=40, unique=True, description="what it is about: step:12 or case:7 (one alarm each)")
    kind = fields.CharEnumField(AlarmKind, max_length=8)
    level = fields.CharEnumField(AlarmLevel, max_length=8)
    operation: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "qingquan.OperationRecord", related_name="alarms", on_delete=fields.CASCADE
    )
    step: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "qingquan.OperationStep", related_name="alarms", null=True, on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "qingquan.Unit", related_name="alarms", on_delete=fields.RESTRICT, description="the unit holding the power"
    )
    position: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "qingquan.Position", related_name="alarms", null=True, on_delete=fields.SET_NULL,
        description="the post holding the step (承办岗位), none for a case",
    )  # fmt: skip
    limit_days = fields.IntField(description="the time limit in working days")
    due_on = fields.DateField(description="the last working day within the limit")
    raised_at = fields.DatetimeField()
    raised_on = fields.DateField(description="the county's day it was raised (or, raised late, the day it was due past)")
    escalated_at = fields.DatetimeField(null=True, description="when a YELLOW alarm turned RED")
    cleared_at = fields.DatetimeField(null=True, description="when the step or case was seen done")
    cleared_on = fields.DateField(null=True, description="the day the step or case was done")

    class Meta:
        table = "alarm"
        ordering = ["-raised_at", "-id"]
        indexes = (("unit_id", "cleared_at"), ("position_id",), ("operation_id",), ("step_id",))
