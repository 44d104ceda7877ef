"""Issue 24, items 1 and 2: a unit"s 三定 functions (职能) and the powers that carry them (四个对应); 整改 of an
inspection"s findings, with the unit"s replies and their evidence (stored files); 责任追究."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain import data_version
from domain.enums import RectificationStatus, Sanction


async def versioned(apps, schema_editor) -> None:
    """SQLite: the new tables raise the data version as every other table does."""
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0031_change_feed_events")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Rectification",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("inspection", fields.ForeignKeyField("qingquan.Inspection", source_field="inspection_id", db_constraint=True, to_field="id", related_name="rectifications", on_delete=OnDelete.RESTRICT)),
                ("unit", fields.ForeignKeyField("qingquan.Unit", source_field="unit_id", db_constraint=True, to_field="id", related_name="rectifications", on_delete=OnDelete.RESTRICT)),
                ("status", fields.CharEnumField(default=RectificationStatus.OPEN, description="OPEN: OPEN\nREPLIED: REPLIED\nRETURNED: RETURNED\nACCEPTED: ACCEPTED\nCLOSED: CLOSED", enum_type=RectificationStatus, max_length=16)),
                ("finding", fields.TextField(description="发现的问题", unique=False)),
                ("requirement", fields.TextField(description="整改要求", unique=False)),
                ("workdays", fields.IntField(description="整改期限 in working days, from issued_on (or the last return)")),
                ("issued_on", fields.DateField()),
                ("issued_by", fields.CharField(max_length=200)),
                ("due_on", fields.DateField(description="the last working day of the deadline now running")),
                ("due_provisional", fields.BooleanField(default=False, description="counted on weekends alone")),
                ("round", fields.IntField(default=0, description="replies so far")),
                ("reply", fields.TextField(default="", description="整改情况 (the latest reply)", unique=False)),
                ("replied_on", fields.DateField(null=True)),
                ("replied_by", fields.CharField(default="", max_length=200)),
                ("review_opinion", fields.TextField(default="", description="验收意见 or 退回理由", unique=False)),
                ("reviewed_on", fields.DateField(null=True)),
                ("reviewed_by", fields.CharField(default="", max_length=200)),
                ("closed_on", fields.DateField(null=True)),
                ("closed_by", fields.CharField(default="", max_length=200)),
            ],
            options={"table": "rectification", "app": "qingquan", "indexes": [Index(fields=["unit_id"]), Index(fields=["inspection_id"]), Index(fields=["status", "due_on"])], "pk_attr": "id", "table_description": "整改 of a finding of an inspection: the requirement and its deadline in working days, the reply of"},
            bases=["Timestamped"],
        ),
        ops.CreateModel(
            name="Accountability",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("unit", fields.ForeignKeyField("qingquan.Unit", source_field="unit_id", db_constraint=True, to_field="id", related_name="accountabilities", on_delete=OnDelete.RESTRICT)),
                ("inspection", fields.ForeignKeyField("qingquan.Inspection", source_field="inspection_id", null=True, db_constraint=True, to_field="id", related_name="accountabilities", on_delete=OnDelete.RESTRICT)),
                ("rectification", fields.ForeignKeyField("qingquan.Rectification", source_field="rectification_id", null=True, db_constraint=True, to_field="id", related_name="accountabilities", on_delete=OnDelete.RESTRICT)),
                ("person", fields.CharField(description="责任人 (personal data)", max_length=50)),
                ("post", fields.CharField(default="", description="职务", max_length=100)),
                ("violation", fields.TextField(description="违规事实", unique=False)),
                ("sanction", fields.CharEnumField(description="ADMONITION: ADMONITION\nTALK: TALK\nCIRCULATED_CRITICISM: CIRCULATED_CRITICISM\nORDERED_INSPECTION: ORDERED_INSPECTION\nWARNING: WARNING\nDEMERIT: DEMERIT\nMAJOR_DEMERIT: MAJOR_DEMERIT\nDEMOTION: DEMOTION\nDISMISSAL_FROM_POST: DISMISSAL_FROM_POST\nEXPULSION: EXPULSION\nOTHER: OTHER", enum_type=Sanction, max_length=32)),
                ("sanction_detail", fields.TextField(default="", description="处理决定 in words", unique=False)),
                ("basis", fields.TextField(description="处理依据", unique=False)),
                ("decided_on", fields.DateField()),
                ("recorded_by", fields.CharField(max_length=200)),
            ],
            options={"table": "accountability", "app": "qingquan", "indexes": [Index(fields=["unit_id"]), Index(fields=["inspection_id"]), Index(fields=["rectification_id"])], "pk_attr": "id", "table_description": "责任追究: who did what, the sanction and its basis (oversight roles only)."},
            bases=["Timestamped"],
        ),
        ops.CreateModel(
            name="RectificationEvidence",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("rectification", fields.ForeignKeyField("qingquan.Rectification", source_field="rectification_id", db_constraint=True, to_field="id", related_name="evidence", on_delete=OnDelete.CASCADE)),
                ("round", fields.IntField(description="the reply it came with")),
                ("file", fields.ForeignKeyField("qingquan.StoredFile", source_field="file_id", db_constraint=True, to_field="id", related_name="rectification_evidence", on_delete=OnDelete.RESTRICT)),
            ],
            options={"table": "rectification_evidence", "app": "qingquan", "indexes": [Index(fields=["rectification_id"]), Index(fields=["file_id"])], "pk_attr": "id", "table_description": "A file the unit attached to a reply (佐证材料), kept byte for byte as uploads are."},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="UnitFunction",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("unit", fields.ForeignKeyField("qingquan.Unit", source_field="unit_id", db_constraint=True, to_field="id", related_name="functions", on_delete=OnDelete.RESTRICT)),
                ("ordinal", fields.IntField(description="its number in the 三定方案 (1, 2, …)")),
                ("title", fields.CharField(description="职能, as the 三定方案 words it", max_length=500)),
                ("description", fields.TextField(default="", description="具体内容 or notes", unique=False)),
                ("source", fields.CharField(default="", description="the 三定方案 it comes from (文号)", max_length=200)),
            ],
            options={"table": "unit_function", "app": "qingquan", "unique_together": (("unit", "ordinal"),), "pk_attr": "id", "table_description": "One function (职能) of a unit, from its 三定方案, numbered as the 方案 numbers them."},
            bases=["Timestamped"],
        ),
        ops.CreateModel(
            name="PowerFunction",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("power", fields.ForeignKeyField("qingquan.Power", source_field="power_id", db_constraint=True, to_field="id", related_name="function_links", on_delete=OnDelete.CASCADE)),
                ("function", fields.ForeignKeyField("qingquan.UnitFunction", source_field="function_id", db_constraint=True, to_field="id", related_name="power_links", on_delete=OnDelete.CASCADE)),
            ],
            options={"table": "power_function", "app": "qingquan", "unique_together": (("power", "function"),), "indexes": [Index(fields=["function_id"])], "pk_attr": "id", "table_description": "A power carries out a function of its unit (or of the unit above its office)."},
            bases=["Model"],
        ),
        ops.RunPython(versioned),
    ]
