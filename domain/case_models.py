"""网上审批 / 办件 (issue 23): an application for a public power becomes a case that moves along the
power's flow chart (domain/cases.py). The applicant's name and contact are personal data."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.enums import CaseChannel, CaseOutcome, CaseStatus
from domain.models import OperationRecord, Power, Timestamped, Unit
from domain.workflow_models import PowerVersion


class ApplicationCase(Timestamped):
    """办件: one application for a power, and the case it became (its 附7 record is `operation`)."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="cases", on_delete=fields.RESTRICT
    )
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="cases", on_delete=fields.RESTRICT, description="the power's unit"
    )
    version: fields.ForeignKeyNullableRelation[PowerVersion] = fields.ForeignKeyField(
        "qingquan.PowerVersion", related_name="cases", null=True, on_delete=fields.SET_NULL,
        description="the published version the case started under",
    )  # fmt: skip
    operation: fields.OneToOneRelation[OperationRecord] = fields.OneToOneField(
        "qingquan.OperationRecord", related_name="case", on_delete=fields.RESTRICT
    )
    channel = fields.CharEnumField(CaseChannel, max_length=16, default=CaseChannel.ONLINE)
    status = fields.CharEnumField(CaseStatus, max_length=16, default=CaseStatus.OPEN)
    request = fields.TextField(description="申请事项")
    applicant_name = fields.CharField(max_length=100, description="申请人 (personal data)")
    applicant_contact = fields.CharField(max_length=100, description="联系方式 (personal data)")
    chart = fields.JSONField(description="the flow chart as the case started under it: steps and edges")
    current_step = fields.IntField(null=True, description="the key of the chart's step the case is at")
    step_unit_id = fields.IntField(null=True, description="the unit holding the current step's post (its staff handle it)")
    received_on = fields.DateField()
    outcome = fields.CharEnumField(CaseOutcome, max_length=16, null=True)
    reasons = fields.TextField(default="", description="决定理由")
    legal_basis = fields.TextField(default="", description="法律依据")
    closed_on = fields.DateField(null=True)
    closed_by = fields.CharField(max_length=200, default="")
    receipt_hash = fields.CharField(max_length=64, default="", description="SHA-256 of the 查询码 given at filing")

    class Meta:
        table = "application_case"
        indexes = (("unit_id", "status"), ("step_unit_id",), ("power_id", "status"), ("version_id",))
        ordering = ["id"]


class CaseTransition(Model):
    """One move of a case along an edge of its chart: who, when, the edge's condition, an opinion."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[ApplicationCase] = fields.ForeignKeyField(
        "qingquan.ApplicationCase", related_name="transitions", on_delete=fields.CASCADE
    )
    from_step = fields.IntField(null=True, description="the chart key left (null: filing)")
    to_step = fields.IntField()
    from_name = fields.CharField(max_length=200, default="")
    to_name = fields.CharField(max_length=200)
    condition = fields.CharField(max_length=200, default="", description="the edge's 条件 / 分支")
    opinion = fields.TextField(default="", description="办理意见")
    actor = fields.CharField(max_length=200)
    day = fields.DateField(description="the day of the move")
    at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_transition"
        indexes = (("case_id",),)
        ordering = ["case_id", "id"]


class CaseSuspension(Model):
    """补正: the case waits for the applicant's supplement, and its clock stops from `suspended_on` until
    `resumed_on`."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[ApplicationCase] = fields.ForeignKeyField(
        "qingquan.ApplicationCase", related_name="suspensions", on_delete=fields.CASCADE
    )
    reason = fields.TextField(description="需要补正的内容")
    suspended_on = fields.DateField()
    suspended_by = fields.CharField(max_length=200)
    resumed_on = fields.DateField(null=True)
    resumed_by = fields.CharField(max_length=200, default="")

    class Meta:
        table = "case_suspension"
        indexes = (("case_id",),)
        ordering = ["case_id", "id"]


class CaseAttachment(Model):
    """A file the applicant sent with the application, kept byte for byte (as uploads are) with its
    checksum; personal data like the applicant."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[ApplicationCase] = fields.ForeignKeyField(
        "qingquan.ApplicationCase", related_name="attachments", on_delete=fields.CASCADE
    )
    filename = fields.CharField(max_length=200)
    content_type = fields.CharField(max_length=100)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    data = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_attachment"
        indexes = (("case_id",),)
        ordering = ["case_id", "id"]
