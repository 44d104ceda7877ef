"""Tortoise models of oversight that closes the loop (issue 24): the seven networks (七大网络) as things
with a lead unit and their powers, public surveys (民意测验) with their answers, and 公开办's bulletins (通报)."""

from __future__ import annotations

from orjson import loads
from tortoise import fields
from tortoise.fields.data import JSON_DUMPS
from tortoise.models import Model

from domain.enums import BulletinStatus, Network
from domain.models import Power, Timestamped, Unit


class NetworkProfile(Timestamped):
    """One of the 七大网络: its lead unit (牵头单位) and what it covers. A network without a row has no lead yet."""

    id = fields.IntField(primary_key=True)
    network = fields.CharEnumField(Network, max_length=40, unique=True)
    lead_unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="led_networks", null=True, on_delete=fields.RESTRICT
    )
    description = fields.TextField(default="", description="职责与范围")

    class Meta:
        table = "network_profile"
        indexes = (("lead_unit_id",),)


class NetworkPower(Model):
    """A power that runs in a network (a power may run in more than one)."""

    id = fields.IntField(primary_key=True)
    network = fields.CharEnumField(Network, max_length=40)
    power: fields.ForeignKeyRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="network_links", on_delete=fields.CASCADE
    )

    class Meta:
        table = "network_power"
        unique_together = (("network", "power"),)
        indexes = (("power_id",),)


class Survey(Timestamped):
    """民意测验: a short public survey on a unit or one of its public powers, answered by anyone from
    `opens_on` to `closes_on`; the unit and oversight roles read its results, the public its published summary."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "qingquan.Unit", related_name="surveys", on_delete=fields.RESTRICT
    )
    power: fields.ForeignKeyNullableRelation[Power] = fields.ForeignKeyField(
        "qingquan.Power", related_name="surveys", null=True, on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200)
    questions = fields.JSONField(
        encoder=JSON_DUMPS, decoder=loads, description='[{"text": "…", "options": ["满意", "基本满意", …]}, …]'
    )
    opens_on = fields.DateField()
    closes_on = fields.DateField()
    opened_by = fields.CharField(max_length=200)
    response_count = fields.IntField(default=0)
    summary = fields.TextField(default="", description="the published summary (公布的测评结果)")
    summary_published_on = fields.DateField(null=True)
    summary_published_by = fields.CharField(max_length=200, default="")

    class Meta:
        table = "survey"
        indexes = (("unit_id",), ("power_id",), ("opens_on", "closes_on"))
        ordering = ["-opens_on", "-id"]


class SurveyResponse(Model):
    """One answer sheet: the option chosen for each question, nothing about who answered."""

    id = fields.IntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "qingquan.Survey", related_name="responses", on_delete=fields.CASCADE
    )
    choices = fields.JSONField(encoder=JSON_DUMPS, decoder=loads, description="option index per question")
    received_on = fields.DateField()

    class Meta:
        table = "survey_response"
        indexes = (("survey_id",),)
        ordering = ["id"]


class Bulletin(Timestamped):
    """通报: drafted by 县公开办 from the data, edited, then published (on the portal, and as a Word 通报)."""

    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=100, default="", description="文号, e.g. 余清权办通报〔2026〕1号")
    title = fields.CharField(max_length=200)
    body = fields.TextField(description="正文: paragraphs separated by blank lines")
    status = fields.CharEnumField(BulletinStatus, max_length=16, default=BulletinStatus.DRAFT)
    drafted_on = fields.DateField()
    drafted_by = fields.CharField(max_length=200)
    published_on = fields.DateField(null=True)
    published_by = fields.CharField(max_length=200, default="")

    class Meta:
        table = "bulletin"
        indexes = (("status", "published_on"),)
        ordering = ["-id"]
