"""Published powers' revisions and the review that binds who decides (issue 11): revisions drafted
on a copy of the power, the published versions they leave (history, asOf), and the network of a
附7 record made optional; reviewer tokens' seats (one office, or the leading group) and the leading
group's approval of review decisions."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.enums import Network, PowerStatus, ReviewDecision, RevisionKind, RevisionStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

from domain import data_version


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


async def decisions_before_approval_took_effect(apps, schema_editor) -> None:
    """Decisions made before the leading group's step took effect when made."""
    await schema_editor.client.execute_script(
        "UPDATE review SET approved_at = decided_at, approved_by = decided_by WHERE decision IS NOT NULL"
    )


async def restore_operation_index(apps, schema_editor) -> None:
    """SQLite alters a column by rebuilding its table, which loses the table's indexes."""
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script(
            'CREATE INDEX IF NOT EXISTS "idx_operation_r_power_i_29ece0" ON "operation_record" ("power_id")'
        )


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0012_catalogue_exchange")]

    initial = False

    operations = [
        ops.CreateModel(
            name='PowerRevision',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('draft', fields.ForeignKeyField('qingquan.Power', source_field='draft_id', null=True, description='the working copy while the revision is open', db_constraint=True, to_field='id', related_name='revision_drafts', on_delete=OnDelete.SET_NULL)),
                ('open_for', fields.IntField(null=True, unique=True, description="the power's id while the revision is open: one open revision per power")),
                ('kind', fields.CharEnumField(description='CHANGE: CHANGE\nWITHDRAWAL: WITHDRAWAL', enum_type=RevisionKind, max_length=16)),
                ('proposed', fields.CharEnumField(null=True, description='ABOLISH or REMOVE for a withdrawal', enum_type=ReviewDecision, max_length=16)),
                ('status', fields.CharEnumField(default=RevisionStatus.OPEN, description='OPEN: OPEN\nPUBLISHED: PUBLISHED\nWITHDRAWN: WITHDRAWN\nREJECTED: REJECTED\nDISCARDED: DISCARDED', enum_type=RevisionStatus, max_length=16)),
                ('reason', fields.TextField(description='修订理由 (变更说明)', unique=False)),
                ('opened_by', fields.CharField(max_length=200)),
                ('closed_by', fields.CharField(default='', max_length=200)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review', fields.ForeignKeyField('qingquan.Review', source_field='review_id', null=True, description='the review round that decided it', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(null=True, description='the version it published')),
            ],
            options={'table': 'power_revision', 'app': 'qingquan', 'indexes': [Index(fields=['power_id']), Index(fields=['draft_id']), Index(fields=['review_id'])], 'pk_attr': 'id', 'table_description': '修订: a change to (or the withdrawal of) a published power, drafted on a copy (`draft`, a DRAFT'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='PowerVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField(description='1 for the first publication')),
                ('unit_id', fields.IntField(description="the power's unit (it never changes)")),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_on', fields.DateField()),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('superseded_on', fields.DateField(null=True, description='the day a later version (or the withdrawal) took effect')),
                ('ended_as', fields.CharEnumField(null=True, description='ABOLISHED or REMOVED', enum_type=PowerStatus, max_length=32)),
                ('public', fields.BooleanField(description='disclosed to the public and not confidential in this version')),
                ('snapshot', fields.JSONField(description='fields, bases and flow chart as published', encoder=JSON_DUMPS, decoder=loads)),
                ('revision', fields.ForeignKeyField('qingquan.PowerRevision', source_field='revision_id', null=True, db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'power_version', 'app': 'qingquan', 'unique_together': (('power', 'number'),), 'indexes': [Index(fields=['published_on', 'superseded_on']), Index(fields=['unit_id']), Index(fields=['revision_id'])], 'pk_attr': 'id', 'table_description': 'One published version of a power, as it stood: readable after it is superseded (history, asOf).'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='OperationRecord',
            name='network',
            field=fields.CharEnumField(null=True, description='七大网络, if the exercise runs in one (a penalty or an inspection may not)', enum_type=Network, max_length=40),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='seat',
            field=fields.CharField(default='', description="a REVIEWER's seat (domain.enums.ReviewSeat): one office or the leading group", max_length=32),
        ),
        ops.AddField(
            model_name='Review',
            name='approval_opinion',
            field=fields.TextField(default='', description='领导小组意见 (why a decision was returned)', unique=False),
        ),
        ops.AddField(
            model_name='Review',
            name='approved_at',
            field=fields.DatetimeField(null=True, description='when the decision took effect', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Review',
            name='approved_by',
            field=fields.CharField(default='', description='领导小组审定: who approved the decision', max_length=200),
        ),
        ops.RunPython(decisions_before_approval_took_effect),
        ops.RunPython(restore_operation_index),
        ops.RunPython(version_new_tables),
    ]
