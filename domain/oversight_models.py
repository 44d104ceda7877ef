"""Tortoise models of oversight that closes the loop (issue 24, items 1 and 2): a unit's 三定 functions
(职能) and the powers that carry them (四个对应), 整改 of an inspection's findings with the unit's
replies and their evidence, and 责任追究."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.enums import RectificationStatus, Sanction
from domain.models import Power, StoredFile, Timestamped, Unit
from domain.workflow_models import Inspection


class UnitFunction(Timestamped):
    """One function (职能) of a unit, from its 三定方案, numbered as the 方案 numbers them."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="functions", on_delete=fields.RESTRICT
    )
    ordinal = fields.IntField(description="its number in the 三定方案 (1, 2, …)")
    title = fields.CharField(max_length=500, description="职能, as the 三定方案 words it")
    description = fields.TextField(default="", description="具体内容 or notes")
    source = fields.CharField(max_length=200, default="", description="the 三定方案 it comes from (文号)")

    class Meta:
        table = "unit_function"
        unique_together = (("unit", "ordinal"),)
        ordering = ["unit_id", "ordinal"]


class PowerFunction(Model):
    """A power carries out a function of its unit (or of the unit above its office)."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="function_links", on_delete=fields.CASCADE
    )
    function: fields.ForeignKeyRelation[UnitFunction] = fields.ForeignKeyField(
        "qingquan.UnitFunction", related_name="power_links", on_delete=fields.CASCADE
    )

    class Meta:
        table = "power_function"
        unique_together = (("power", "function"),)
        indexes = (("function_id",),)


class Rectification(Timestamped):
    """整改 of a finding of an inspection: the requirement and its deadline in working days, the reply of
    the unit, the acceptance or return by 县公开办, and the closure (销号)."""

    id = fields.IntField(primary_key=True)
    inspection: fields.ForeignKeyRelation[Inspection] = fields.ForeignKeyField(
        "qingquan.Inspection", related_name="rectifications", on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="rectifications", on_delete=fields.RESTRICT
    )
    status = fields.CharEnumField(RectificationStatus, max_length=16, default=RectificationStatus.OPEN)
    finding = fields.TextField(description="发现的问题")
    requirement = fields.TextField(description="整改要求")
    workdays = fields.IntField(description="整改期限 in working days, from issued_on (or the last return)")
    issued_on = fields.DateField()
    issued_by = fields.CharField(max_length=200)
    due_on = fields.DateField(description="the last working day of the deadline now running")
    due_provisional = fields.BooleanField(default=False, description="counted on weekends alone")
    round = fields.IntField(default=0, description="replies so far")
    reply = fields.TextField(default="", description="整改情况 (the latest reply)")
    replied_on = fields.DateField(null=True)
    replied_by = fields.CharField(max_length=200, default="")
    review_opinion = fields.TextField(default="", description="验收意见 or 退回理由")
    reviewed_on = fields.DateField(null=True)
    reviewed_by = fields.CharField(max_length=200, default="")
    closed_on = fields.DateField(null=True)
    closed_by = fields.CharField(max_length=200, default="")

    class Meta:
        table = "rectification"
        ordering = ["-issued_on", "-id"]
        indexes = (("unit_id",), ("inspection_id",), ("status", "due_on"))


class RectificationEvidence(Model):
    """A file the unit attached to a reply (佐证材料), kept byte for byte as uploads are."""

    id = fields.IntField(primary_key=True)
    rectification: fields.ForeignKeyRelation[Rectification] = fields.ForeignKeyField(
        "qingquan.Rectification", related_name="evidence", on_delete=fields.CASCADE
    )
    round = fields.IntField(description="the reply it came with")
    file: fields.ForeignKeyRelation[StoredFile] = fields.ForeignKeyField(
        "qingquan.StoredFile", related_name="rectification_evidence", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "rectification_evidence"
        indexes = (("rectification_id",), ("file_id",))


class Accountability(Timestamped):
    """责任追究: who did what, the sanction and its basis (oversight roles only)."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="accountabilities", on_delete=fields.RESTRICT
    )
    inspection: fields.ForeignKeyNullableRelation[Inspection] = fields.ForeignKeyField(
        "qingquan.Inspection", related_name="accountabilities", null=True, on_delete=fields.RESTRICT
    )
    rectification: fields.ForeignKeyNullableRelation[Rectification] = fields.ForeignKeyField(
        "qingquan.Rectification", related_name="accountabilities", null=True, on_delete=fields.RESTRICT
    )
    person = fields.CharField(max_length=50, description="责任人 (personal data)")
    post = fields.CharField(max_length=100, default="", description="职务")
    violation = fields.TextField(description="违规事实")
    sanction = fields.CharEnumField(Sanction, max_length=32)
    sanction_detail = fields.TextField(default="", description="处理决定 in words")
    basis = fields.TextField(description="处理依据")
    decided_on = fields.DateField()
    recorded_by = fields.CharField(max_length=200)

    class Meta:
        table = "accountability"
        ordering = ["-decided_on", "-id"]
        indexes = (("unit_id",), ("inspection_id",), ("rectification_id",))
