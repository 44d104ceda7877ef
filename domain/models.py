"""Tortoise models of the registry: units, powers, the legal library, flow charts and records."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.exceptions import OperationalError
from tortoise.models import Model

from domain.enums import (
    ArticleKind,
    DisclosureChannel,
    DisclosureScope,
    DisclosureTiming,
    ExerciseMode,
    FlowStepKind,
    LegalLevel,
    LegalSource,
    LegalStatus,
    Network,
    OperationStage,
    PowerCategory,
    PowerStatus,
    ReviewSeat,
    Role,
    SearchEntity,
    SearchOp,
    UnitKind,
)

if TYPE_CHECKING:  # the leading group's members are in domain.workflow_models
    from domain.workflow_models import LeadingGroupMember


class Timestamped(Model):
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class Unit(Timestamped):
    """单位 / 科室: a node of the county's organisation tree."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True, description="单位编码 (region + serial)")
    name = fields.CharField(max_length=200, description="单位全称")
    short_name = fields.CharField(max_length=100, default="")
    kind = fields.CharEnumField(UnitKind, max_length=32)
    region_code = fields.CharField(max_length=12, description="行政区划代码")
    parent: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    sort_order = fields.IntField(default=0)

    class Meta:
        table = "unit"
        indexes = (("parent_id",),)
        ordering = ["sort_order", "id"]


class Position(Timestamped):
    """岗位: a post inside a unit, with its responsible person (责任人)."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="positions", on_delete=fields.RESTRICT
    )
    name = fields.CharField(max_length=200)
    holder = fields.CharField(max_length=100, default="", description="责任人")
    duties = fields.TextField(default="")

    class Meta:
        table = "position"
        ordering = ["id"]
        unique_together = (("unit", "name"),)


class LegalWork(Model):
    """One law across its versions (the 2017 and 2023 行政复议法 are one work)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=300, unique=True, description="normalised title")
    title = fields.CharField(max_length=300)

    class Meta:
        table = "legal_work"


class LegalDocument(Timestamped):
    """一件: one version of a law, regulation, rule, normative document or policy."""

    id = fields.IntField(primary_key=True)
    work: fields.ForeignKeyRelation[LegalWork] = fields.ForeignKeyField(
        "qingquan.LegalWork", related_name="versions", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=300)
    subtitle = fields.CharField(max_length=300, default="")
    level = fields.CharEnumField(LegalLevel, max_length=32)
    doc_type = fields.CharField(max_length=50, default="", description="法律 / 修改决定 / 修正案 …")
    doc_number = fields.CharField(max_length=100, default="", description="文号")
    issuer = fields.CharField(max_length=200, default="", description="制定机关")
    field = fields.CharField(max_length=50, default="", description="法律部门")
    promulgation_date = fields.DateField(null=True, description="公布日期")
    effective_date = fields.DateField(null=True, description="施行日期")
    repeal_date = fields.DateField(null=True, description="废止日期")
    version_date = fields.DateField(null=True, description="版本日期")
    status = fields.CharEnumField(LegalStatus, max_length=32)
    history = fields.TextField(default="", description="制定、修正历史")
    body = fields.TextField(default="", description="text outside articles (preamble)")
    source = fields.CharEnumField(LegalSource, max_length=32)
    source_ref = fields.CharField(max_length=500, description="id or path in the source")
    content_hash = fields.CharField(max_length=64)
    article_count = fields.IntField(default=0)

    class Meta:
        table = "legal_document"
        unique_together = (("work", "version_date"),)
        ordering = ["id"]


class LegalArticle(Model):
    """A 第X条 article, or a numbered paragraph of a document without articles."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyRelation[LegalDocument] = fields.ForeignKeyField(
        "qingquan.LegalDocument", related_name="articles", on_delete=fields.CASCADE
    )
    ordinal = fields.IntField(description="position in the document, from 1")
    number = fields.IntField(null=True, description="第X条 as an integer")
    label = fields.CharField(max_length=50, description="第四十二条 / 第3段")
    kind = fields.CharEnumField(ArticleKind, max_length=16, default=ArticleKind.ARTICLE)
    chapter_path = fields.CharField(max_length=500, default="", description="编 / 章 / 节")
    text = fields.TextField()

    class Meta:
        table = "legal_article"
        unique_together = (("document", "ordinal"),)
        ordering = ["document_id", "ordinal"]


class Power(Timestamped):
    """职权: one administrative power held by a unit, with its 行使规则."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True, description="职权编码")
    name = fields.CharField(max_length=300, description="职权全称 (不得使用简称)")
    category = fields.CharEnumField(PowerCategory, max_length=32)
    exercise_mode = fields.CharEnumField(ExerciseMode, max_length=32, default=ExerciseMode.EXCLUSIVE)
    status = fields.CharEnumField(PowerStatus, max_length=32, default=PowerStatus.DRAFT)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="powers", on_delete=fields.RESTRICT
    )
    description = fields.TextField(default="")
    confidential = fields.BooleanField(default=False, description="涉密不宜公开")
    confidentiality_reason = fields.TextField(default="")
    confidentiality_basis = fields.TextField(default="", description="保密依据")
    # 行使规则
    disclosure_scope = fields.CharEnumField(DisclosureScope, max_length=32, default=DisclosureScope.PUBLIC)
    disclosure_form = fields.CharField(max_length=200, default="", description="公开形式")
    disclosure_timing = fields.CharEnumField(
        DisclosureTiming, max_length=32, default=DisclosureTiming.LONG_TERM
    )
    disclosure_deadline = fields.CharField(max_length=200, default="", description="公开时限")
    fee_basis = fields.TextField(default="", description="收费依据")
    fee_standard = fields.TextField(default="", description="收费标准")
    time_limit = fields.CharField(max_length=200, default="", description="办理时限")
    time_limit_days = fields.IntField(null=True, description="办理时限 in working days")
    online = fields.BooleanField(
        default=False, db_default=False, description="可网上办理: residents may apply online (besides the appliable categories)"
    )

    class Meta:
        table = "power"
        #: the second: a category's page for the public (domain.access.PUBLIC_POWER's columns, then the page's
        #: order), whose count read every power of a province (issue 20)
        indexes = (("unit_id",), ("category", "status", "disclosure_scope", "confidential", "code"))
        ordering = ["id"]


class PowerBasis(Model):
    """职权依据: one article a power rests on, ordered from the highest legal rank down."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="bases", on_delete=fields.CASCADE
    )
    article: fields.ForeignKeyRelation[LegalArticle] = fields.ForeignKeyField(
        "qingquan.LegalArticle", related_name="cited_by", on_delete=fields.RESTRICT
    )
    ordinal = fields.IntField(default=0)
    note = fields.TextField(default="")

    class Meta:
        table = "power_basis"
        unique_together = (("power", "article"),)
        indexes = (("article_id",),)
        ordering = ["power_id", "ordinal", "id"]


class FlowChart(Timestamped):
    """一图: the flow chart of one power."""

    id = fields.IntField(primary_key=True)
    power: fields.OneToOneRelation[Power] = fields.OneToOneField(
        "qingquan.Power", related_name="flow_chart", on_delete=fields.CASCADE
    )
    title = fields.CharField(max_length=300, default="")
    complaint_channel = fields.TextField(default="", description="投诉举报途径")
    notes = fields.TextField(default="")

    class Meta:
        table = "flow_chart"


class FlowStep(Model):
    """A step of a flow chart: 条件, 承办岗位, 办理时限, 监督制约环节, 投诉举报途径, 公开."""

    id = fields.IntField(primary_key=True)
    chart: fields.ForeignKeyRelation[FlowChart] = fields.ForeignKeyField(
        "qingquan.FlowChart", related_name="steps", on_delete=fields.CASCADE
    )
    ordinal = fields.IntField(default=0)
    name = fields.CharField(max_length=200)
    kind = fields.CharEnumField(FlowStepKind, max_length=16, default=FlowStepKind.STEP)
    condition = fields.TextField(default="", description="条件")
    position: fields.ForeignKeyNullableRelation[Position] = fields.ForeignKeyField(
        "qingquan.Position", related_name="flow_steps", null=True, on_delete=fields.SET_NULL
    )
    time_limit = fields.CharField(max_length=100, default="", description="办理时限")
    time_limit_days = fields.IntField(null=True)
    supervision = fields.TextField(default="", description="监督制约环节")
    complaint_channel = fields.TextField(default="", description="投诉举报途径")
    disclosure_note = fields.TextField(default="", description="公开范围/形式/时限")

    class Meta:
        table = "flow_step"
        indexes = (("chart_id", "ordinal"), ("position_id",))
        ordering = ["chart_id", "ordinal", "id"]


class FlowEdge(Model):
    """程序与接口: a transition between two steps, with its condition."""

    id = fields.IntField(primary_key=True)
    chart: fields.ForeignKeyRelation[FlowChart] = fields.ForeignKeyField(
        "qingquan.FlowChart", related_name="edges", on_delete=fields.CASCADE
    )
    source: fields.ForeignKeyRelation[FlowStep] = fields.ForeignKeyField(
        "qingquan.FlowStep", related_name="outgoing", on_delete=fields.CASCADE
    )
    target: fields.ForeignKeyRelation[FlowStep] = fields.ForeignKeyField(
        "qingquan.FlowStep", related_name="incoming", on_delete=fields.CASCADE
    )
    label = fields.CharField(max_length=200, default="", description="条件 / 分支")

    class Meta:
        table = "flow_edge"
        indexes = (("chart_id",), ("source_id",), ("target_id",))
        ordering = ["chart_id", "id"]


class DisclosureRecord(Timestamped):
    """公开记录: when, where and to whom a power's exercise was disclosed."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="disclosure_records", on_delete=fields.CASCADE
    )
    scope = fields.CharEnumField(DisclosureScope, max_length=32)
    timing = fields.CharEnumField(DisclosureTiming, max_length=32)
    channel = fields.CharEnumField(DisclosureChannel, max_length=32)
    content = fields.TextField(default="")
    disclosed_on = fields.DateField()
    operation: fields.ForeignKeyNullableRelation[OperationRecord] = fields.ForeignKeyField(
        "qingquan.OperationRecord",
        related_name="disclosures",
        null=True,
        on_delete=fields.SET_NULL,
        description="the exercise this discloses, if one (domain.disclosures)",
    )

    class Meta:
        table = "disclosure_record"
        indexes = (("power_id", "disclosed_on"), ("operation_id",))
        ordering = ["power_id", "disclosed_on", "id"]


class OperationRecord(Timestamped):
    """附7 权力动态运行情况登记: one exercise of a power, DECISION → EXECUTION → RESULT."""

    id = fields.IntField(primary_key=True)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="operation_records", on_delete=fields.CASCADE
    )
    network = fields.CharEnumField(
        Network, max_length=40, null=True, description="七大网络, if the exercise runs in one (a penalty or an inspection may not)"
    )
    subject = fields.CharField(max_length=300, description="办理事项")
    applicant = fields.CharField(max_length=200, default="")
    stage = fields.CharEnumField(OperationStage, max_length=16, default=OperationStage.DECISION)
    scope = fields.CharEnumField(DisclosureScope, max_length=32, default=DisclosureScope.PUBLIC)
    handler = fields.CharField(max_length=100, default="", description="经办人")
    decision = fields.TextField(default="")
    decided_on = fields.DateField(null=True)
    execution = fields.TextField(default="")
    executed_on = fields.DateField(null=True)
    result = fields.TextField(default="")
    finished_on = fields.DateField(null=True)

    class Meta:
        table = "operation_record"
        # stage, finished_on: 电子监察's rounds read the cases under way and those done lately (domain/alarms.py)
        indexes = (("power_id",), ("stage",), ("finished_on",))
        ordering = ["power_id", "id"]


class AuditEvent(Model):
    """Append-only trail of who did what, when and why."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(auto_now_add=True)
    actor = fields.CharField(max_length=200, description="token name or `cli`")
    role = fields.CharEnumField(Role, max_length=16)
    action = fields.CharField(max_length=100)
    entity_type = fields.CharField(max_length=50)
    entity_id = fields.CharField(max_length=50)
    detail = fields.JSONField(default=dict)

    class Meta:
        table = "audit_event"
        ordering = ["id"]
        # a subject's events by action: the overdue check asks every few seconds which it has announced
        indexes = (("action", "entity_id"),)

    async def save(self, *args, **kwargs) -> None:  # type: ignore[override]
        if self._saved_in_db:
            raise OperationalError("audit events are append-only")
        await super().save(*args, **kwargs)

    async def delete(self, *args, **kwargs) -> None:  # type: ignore[override]
        raise OperationalError("audit events are append-only")


class ApiToken(Model):
    """An API token, of which only the SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    role = fields.CharEnumField(Role, max_length=16)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="tokens", null=True, on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=12)
    created_at = fields.DatetimeField(auto_now_add=True)
    seat = fields.CharEnumField(
        ReviewSeat, max_length=32, null=True, description="a REVIEWER's seat: one office or the leading group"
    )
    member: fields.ForeignKeyNullableRelation[LeadingGroupMember] = fields.ForeignKeyField(
        "qingquan.LeadingGroupMember", related_name="tokens", null=True, on_delete=fields.SET_NULL,
        description="the leading group's member (附1) who holds the token's seat",
    )  # fmt: skip
    expires_at = fields.DatetimeField(null=True, description="refused from this instant on (never if null)")
    last_used_at = fields.DatetimeField(null=True, description="the last request with it (to within minutes)")
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
        indexes = (("unit_id",), ("member_id",))


class Change(Model):
    """One change to data that indexes and subscribers follow (the change feed, domain/change_feed.py),
    written in the transaction of the write. On PostgreSQL the table also has `xid` (the writing
    transaction's id, xid8, filled in by the database: see migration 0022), on SQLite `xid` is 0."""

    id = fields.BigIntField(primary_key=True)
    entity = fields.CharEnumField(SearchEntity, max_length=20)
    entity_id = fields.IntField()
    op = fields.CharEnumField(SearchOp, max_length=10, default=SearchOp.UPSERT)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "change_feed"
        ordering = ["id"]
        indexes = (("entity", "entity_id"),)


class ChangeConsumer(Model):
    """Something that follows the change feed on its own (an embedded index of one host, a Meilisearch
    index): how far it has applied the feed, and when it was last seen (pruning waits for it)."""

    name = fields.CharField(max_length=300, primary_key=True)
    #: The build of the index this position belongs to (named in the manifest of the index too).
    build = fields.CharField(max_length=64, default="")
    #: The last change applied: the id of the writing transaction (0 on SQLite) and of the change.
    xid = fields.BigIntField(default=0)
    position = fields.BigIntField(default=0)
    last_seen = fields.DatetimeField()
    last_error = fields.TextField(default="")

    class Meta:
        table = "change_consumer"


class ChangeFeedHorizon(Model):
    """One row: every change at or below this (xid, position) has been pruned (a consumer behind it rebuilds)."""

    id = fields.IntField(primary_key=True)
    xid = fields.BigIntField(default=0)
    position = fields.BigIntField(default=0)

    class Meta:
        table = "change_feed_horizon"


class Lease(Model):
    """Who does a job that must run once per database (webhook sending, pruning, a Meilisearch index),
    until when: renewed every few seconds by its holder, taken over by another host once it expires."""

    name = fields.CharField(max_length=300, primary_key=True)
    holder = fields.CharField(max_length=200)
    #: Seconds since the epoch, by the clock of the database (never of a host).
    expires_at = fields.FloatField()

    class Meta:
        table = "lease"


class StoredFile(Model):
    """The original of an uploaded document (.docx or text), kept byte for byte with its checksum."""

    id = fields.IntField(primary_key=True)
    document: fields.ForeignKeyNullableRelation[LegalDocument] = fields.ForeignKeyField(
        "qingquan.LegalDocument", related_name="files", null=True, on_delete=fields.SET_NULL
    )
    filename = fields.CharField(max_length=300)
    content_type = fields.CharField(max_length=200)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64, db_index=True)
    data = fields.BinaryField()
    uploaded_by = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "stored_file"
        indexes = (("document_id",),)
        ordering = ["id"]
