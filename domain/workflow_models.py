"""Tortoise models of the review workflow: reviews and their opinions, change notices, the
working-day calendar loaded by admins, and oversight: operation steps, complaints, inspections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from domain.enums import (
    ChangeNoticeStatus,
    ComplaintStatus,
    DisclosureScope,
    Grade,
    GroupRole,
    InformationDelivery,
    InformationRequestOutcome,
    InformationRequestStatus,
    InspectionKind,
    InspectionMethod,
    Network,
    PowerStatus,
    ProgrammeStage,
    ReviewDecision,
    ReviewOffice,
    ReviewSeat,
    RevisionKind,
    RevisionStatus,
    WithholdingGround,
)
from domain.models import FlowStep, OperationRecord, Power, Timestamped, Unit

if TYPE_CHECKING:  # 民意测验 are in domain.loop_models
    from domain.loop_models import Survey


class Review(Timestamped):
    """清理审核: one round of a power through declaration (申报), review and decision."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="reviews", on_delete=fields.CASCADE
    )
    round = fields.IntField(description="1 for the first declaration, 2 after an ADJUST, and so on")
    lead_opinion = fields.TextField(description="主要负责人签署意见")
    declared_by = fields.CharField(max_length=200)
    declared_at = fields.DatetimeField()
    submitted_by = fields.CharField(max_length=200, default="")
    submitted_at = fields.DatetimeField(null=True)
    decision = fields.CharEnumField(ReviewDecision, max_length=16, null=True)
    decision_reason = fields.TextField(default="", description="审核意见")
    required_changes = fields.TextField(default="", description="调整要求 (ADJUST)")
    decided_by = fields.CharField(max_length=200, default="")
    decided_at = fields.DatetimeField(null=True)
    approved_by = fields.CharField(max_length=200, default="", description="领导小组审定: who approved the decision")
    approved_at = fields.DatetimeField(null=True, description="when the decision took effect")
    approval_opinion = fields.TextField(default="", description="领导小组意见 (why a decision was returned)")
    approved_member: fields.ForeignKeyNullableRelation[LeadingGroupMember] = fields.ForeignKeyField(
        "qingquan.LeadingGroupMember", related_name="approvals", null=True, on_delete=fields.SET_NULL,
        description="the leading group's member who approved, when the approving token is bound to one",
    )  # fmt: skip

    class Meta:
        table = "review"
        ordering = ["power_id", "round"]
        unique_together = (("power", "round"),)
        indexes = (("approved_member_id",),)


class ReviewOpinion(Timestamped):
    """The opinion of one reviewing office (公开办, 法制, 保密, 编办, 物价) in a review."""

    id = fields.IntField(primary_key=True)
    review: fields.ForeignKeyRelation[Review] = fields.ForeignKeyField(
        "qingquan.Review", related_name="opinions", on_delete=fields.CASCADE
    )
    office = fields.CharEnumField(ReviewOffice, max_length=32)
    recommendation = fields.CharEnumField(ReviewDecision, max_length=16, null=True)
    opinion = fields.TextField()
    reviewer = fields.CharField(max_length=200)

    class Meta:
        table = "review_opinion"
        ordering = ["review_id", "id"]
        unique_together = (("review", "office"),)


class ChangeNotice(Timestamped):
    """变更说明: changes to a published power, to be explained within 20 working days."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="change_notices", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(ChangeNoticeStatus, max_length=16, default=ChangeNoticeStatus.OPEN)
    opened_on = fields.DateField()
    due_on = fields.DateField(description="20 working days after opened_on")
    due_provisional = fields.BooleanField(
        default=False, description="counted on weekends alone: a year without a holiday table"
    )
    changes = fields.JSONField(default=list, description="the changes this notice explains")
    explanation = fields.TextField(default="", description="变更说明")
    explained_by = fields.CharField(max_length=200, default="")
    explained_at = fields.DatetimeField(null=True)
    review_opinion = fields.TextField(default="")
    reviewed_by = fields.CharField(max_length=200, default="")
    reviewed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "change_notice"
        ordering = ["id"]
        indexes = (("status", "due_on"), ("power_id",))


class HolidayYear(Model):
    """A year's holiday table (国务院办公厅 节假日安排) loaded by an admin."""

    id = fields.IntField(primary_key=True)
    year = fields.IntField(unique=True)
    loaded_by = fields.CharField(max_length=200)
    loaded_at = fields.DatetimeField(auto_now=True)
    source = fields.CharField(max_length=300, default="")

    class Meta:
        table = "holiday_year"
        ordering = ["year"]


class HolidayDate(Model):
    """One day of a loaded year that breaks the weekend rule: a holiday or a make-up workday (调休)."""

    id = fields.IntField(primary_key=True)
    holiday_year: fields.ForeignKeyRelation[HolidayYear] = fields.ForeignKeyField(
        "qingquan.HolidayYear", related_name="days", on_delete=fields.CASCADE
    )
    day = fields.DateField(unique=True)
    workday = fields.BooleanField(description="true for a make-up workday, false for a holiday")
    name = fields.CharField(max_length=50, default="")

    class Meta:
        table = "holiday_date"
        ordering = ["day"]
        indexes = (("holiday_year_id",),)


# -- oversight: operation steps, complaints, inspections (domain/operations.py, complaints.py,
# inspections.py) -------------------------------------------------------------------------------


class OperationStep(Timestamped):
    """One flow-chart step of an exercise of a power, timed for 电子监察 against its 办理时限."""

    id = fields.IntField(primary_key=True)
    operation: fields.ForeignKeyRelation[OperationRecord] = fields.ForeignKeyField(
        "qingquan.OperationRecord", related_name="steps", on_delete=fields.CASCADE
    )
    flow_step: fields.ForeignKeyNullableRelation[FlowStep] = fields.ForeignKeyField(
        "qingquan.FlowStep", related_name="operation_steps", null=True, on_delete=fields.SET_NULL
    )
    step_name = fields.CharField(max_length=200, description="the flow step's name when started")
    time_limit_days = fields.IntField(null=True, description="its time limit in working days when started")
    handler = fields.CharField(max_length=100, description="经办人")
    started_on = fields.DateField()
    finished_on = fields.DateField(null=True)
    note = fields.TextField(default="")

    class Meta:
        table = "operation_step"
        ordering = ["operation_id", "started_on", "id"]
        # finished_on: 电子监察's rounds read the steps under way and those done lately (domain/alarms.py)
        indexes = (("operation_id", "started_on"), ("flow_step_id",), ("finished_on",))


class Complaint(Timestamped):
    """投诉举报: filed by anyone, about a power or a unit, accepted or rejected, handled and answered."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="complaints", on_delete=fields.RESTRICT
    )
    power: fields.ForeignKeyNullableRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="complaints", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharEnumField(ComplaintStatus, max_length=16, default=ComplaintStatus.RECEIVED)
    subject = fields.CharField(max_length=200, description="投诉事项")
    content = fields.TextField(description="投诉内容")
    complainant_name = fields.CharField(max_length=50, default="", description="投诉人 (personal data)")
    complainant_phone = fields.CharField(max_length=30, default="", description="联系电话 (personal data)")
    received_on = fields.DateField()
    due_on = fields.DateField(description="deadline of the step the complaint waits for")
    due_provisional = fields.BooleanField(default=False, description="counted on weekends alone")
    accepted_on = fields.DateField(null=True, description="受理 or 不予受理 date")
    decided_by = fields.CharField(max_length=200, default="")
    rejection_reason = fields.TextField(default="", description="不予受理的理由")
    handled_on = fields.DateField(null=True)
    handled_by = fields.CharField(max_length=200, default="")
    handling = fields.TextField(default="", description="处理情况")
    answered_on = fields.DateField(null=True)
    answered_by = fields.CharField(max_length=200, default="")
    answer = fields.TextField(default="", description="答复意见")
    receipt_hash = fields.CharField(
        max_length=64, default="", description="SHA-256 of the 查询码 given to the complainant at filing"
    )

    class Meta:
        table = "complaint"
        ordering = ["-received_on", "-id"]
        indexes = (("status", "due_on"), ("unit_id",), ("power_id",))


class Inspection(Timestamped):
    """检查验收 / 绩效评估 of a unit: findings, a score out of 100 and the grade (定级) it gives."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="inspections", on_delete=fields.RESTRICT
    )
    kind = fields.CharEnumField(InspectionKind, max_length=16)
    method = fields.CharEnumField(
        InspectionMethod, max_length=16, default=InspectionMethod.OPEN, db_default=InspectionMethod.OPEN, description="明查暗访 …"
    )
    power: fields.ForeignKeyNullableRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="inspections", null=True, on_delete=fields.RESTRICT,
        description="the power inspected, when the inspection is of one",
    )  # fmt: skip
    network = fields.CharEnumField(Network, max_length=40, null=True, description="the network inspected, if one")
    survey: fields.ForeignKeyNullableRelation[Survey] = fields.ForeignKeyField(
        "qingquan.Survey", related_name="inspections", null=True, on_delete=fields.RESTRICT,
        description="the 民意测验 a SURVEY inspection rests on",
    )  # fmt: skip
    inspected_on = fields.DateField()
    findings = fields.TextField(description="发现的问题")
    follow_up = fields.TextField(default="", description="整改要求")
    score = fields.IntField(description="0 to 100")
    grade = fields.CharEnumField(Grade, max_length=16, description="derived from the score")
    inspector = fields.CharField(max_length=200)

    class Meta:
        table = "inspection"
        ordering = ["-inspected_on", "-id"]
        indexes = (("unit_id",), ("power_id",), ("survey_id",))


class StageDeadline(Model):
    """The county's deadline for one stage of the programme (e.g. 清理审核 by 2008-05-15)."""

    id = fields.IntField(primary_key=True)
    stage = fields.CharEnumField(ProgrammeStage, max_length=16, unique=True)
    deadline = fields.DateField()
    set_by = fields.CharField(max_length=200, default="")
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "stage_deadline"
        ordering = ["id"]


# -- 动态管理: revisions of published powers and the versions they publish (domain/revisions.py) ------


class PowerRevision(Timestamped):
    """修订: a change to (or the withdrawal of) a published power, drafted on a copy (`draft`, a DRAFT
    power of the same unit) that goes through declare → review → decide while the public keeps
    seeing the published power."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="revisions", on_delete=fields.CASCADE
    )
    draft: fields.ForeignKeyNullableRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="revision_drafts", null=True, on_delete=fields.SET_NULL,
        description="the working copy while the revision is open",
    )
    open_for = fields.IntField(
        null=True, unique=True, description="the power's id while the revision is open: one open revision per power"
    )
    kind = fields.CharEnumField(RevisionKind, max_length=16)
    proposed = fields.CharEnumField(
        ReviewDecision, max_length=16, null=True, description="ABOLISH or REMOVE for a withdrawal"
    )
    status = fields.CharEnumField(RevisionStatus, max_length=16, default=RevisionStatus.OPEN)
    reason = fields.TextField(description="修订理由 (变更说明)")
    opened_by = fields.CharField(max_length=200)
    closed_by = fields.CharField(max_length=200, default="")
    closed_at = fields.DatetimeField(null=True)
    review: fields.ForeignKeyNullableRelation[Review] = fields.ForeignKeyField(
        "qingquan.Review", related_name="revisions", null=True, on_delete=fields.SET_NULL,
        description="the review round that decided it",
    )
    version = fields.IntField(null=True, description="the version it published")

    class Meta:
        table = "power_revision"
        ordering = ["power_id", "id"]
        indexes = (("power_id",), ("draft_id",), ("review_id",))


class PowerVersion(Model):
    """One published version of a power, as it stood: readable after it is superseded (history, asOf)."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="versions", on_delete=fields.CASCADE
    )
    number = fields.IntField(description="1 for the first publication")
    unit_id = fields.IntField(description="the power's unit (it never changes)")
    published_at = fields.DatetimeField()
    published_on = fields.DateField()
    superseded_at = fields.DatetimeField(null=True)
    superseded_on = fields.DateField(null=True, description="the day a later version (or the withdrawal) took effect")
    ended_as = fields.CharEnumField(PowerStatus, max_length=32, null=True, description="ABOLISHED or REMOVED")
    public = fields.BooleanField(description="disclosed to the public and not confidential in this version")
    scope = fields.CharEnumField(
        DisclosureScope, max_length=32, default=DisclosureScope.PUBLIC, db_default=DisclosureScope.PUBLIC,
        description="公开范围 in this version",
    )  # fmt: skip
    snapshot = fields.JSONField(description="fields, bases and flow chart as published")
    revision: fields.ForeignKeyNullableRelation[PowerRevision] = fields.ForeignKeyField(
        "qingquan.PowerRevision", related_name="versions", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "power_version"
        ordering = ["power_id", "number"]
        unique_together = (("power", "number"),)
        indexes = (("published_on", "superseded_on"), ("unit_id",), ("revision_id",))


# -- 依申请公开: requests for government information (domain/information_requests.py) ---------------


class InformationRequest(Timestamped):
    """依申请公开: anyone asks a unit for information, which the unit registers and answers within a deadline."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="information_requests", on_delete=fields.RESTRICT
    )
    power: fields.ForeignKeyNullableRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="information_requests", null=True, on_delete=fields.SET_NULL
    )
    status = fields.CharEnumField(InformationRequestStatus, max_length=16, default=InformationRequestStatus.RECEIVED)
    subject = fields.CharField(max_length=200, description="申请公开的政府信息的名称")
    description = fields.TextField(default="", description="文号或者便于查询的其他特征性描述")
    delivery = fields.CharEnumField(InformationDelivery, max_length=16, default=InformationDelivery.ELECTRONIC)
    requester_name = fields.CharField(max_length=100, description="申请人姓名或者名称 (personal data)")
    requester_id_number = fields.CharField(max_length=30, default="", description="身份证明 (personal data)")
    requester_contact = fields.CharField(max_length=100, description="联系方式 (personal data)")
    received_on = fields.DateField()
    due_on = fields.DateField(description="答复期限: 20 working days after receipt, 40 once extended")
    due_provisional = fields.BooleanField(default=False, description="counted on weekends alone")
    registered_on = fields.DateField(null=True)
    registered_by = fields.CharField(max_length=200, default="")
    extended_on = fields.DateField(null=True, description="延长答复期限 (once)")
    extended_by = fields.CharField(max_length=200, default="")
    extension_reason = fields.TextField(default="", description="延长的理由")
    answered_on = fields.DateField(null=True)
    answered_by = fields.CharField(max_length=200, default="")
    outcome = fields.CharEnumField(InformationRequestOutcome, max_length=24, null=True)
    withholding_ground = fields.CharEnumField(WithholdingGround, max_length=32, null=True, description="不予公开的理由")
    answer = fields.TextField(default="", description="答复内容")
    receipt_hash = fields.CharField(max_length=64, default="", description="SHA-256 of the 查询码 given at filing")

    class Meta:
        table = "information_request"
        ordering = ["-received_on", "-id"]
        indexes = (("status", "due_on"), ("unit_id",), ("power_id",))


# -- 领导小组 (附1): the leading group's members and the office seats they hold (domain/leading_group.py) --


class LeadingGroupMember(Timestamped):
    """A member of the county's 清权确权工作领导小组 (附1): who, from which unit, 组长 / 副组长 / 成员,
    and the seat they hold for it — one reviewing office (县公开办 acts for the group: 领导小组下设办公室),
    or the group's own approval (审定). Reviewer tokens are issued for seats members hold."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50, description="姓名")
    post = fields.CharField(max_length=100, description="职务, e.g. 县委常委、常务副县长")
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="leading_group_members", on_delete=fields.RESTRICT, description="所在单位"
    )
    group_role = fields.CharEnumField(GroupRole, max_length=16, description="组长, 副组长 or 成员")
    seat = fields.CharEnumField(
        ReviewSeat, max_length=32, null=True, description="the office seat held for the group, if any"
    )

    class Meta:
        table = "leading_group_member"
        ordering = ["id"]
        unique_together = (("unit", "name"),)
