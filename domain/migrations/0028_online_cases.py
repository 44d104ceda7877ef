"""网上审批 (issue 23): powers marked 可网上办理, and applications that become cases moving along their
power's flow chart — transitions, 补正 suspensions and attachments."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.enums import CaseChannel, CaseOutcome, CaseStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

from domain import data_version


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('qingquan', '0025_webhook_errors')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApplicationCase',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', description="the power's unit", db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.RESTRICT)),
                ('version', fields.ForeignKeyField('qingquan.PowerVersion', source_field='version_id', null=True, description='the published version the case started under', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.SET_NULL)),
                ('operation', fields.OneToOneField('qingquan.OperationRecord', source_field='operation_id', db_constraint=True, to_field='id', related_name='case', on_delete=OnDelete.RESTRICT)),
                ('channel', fields.CharEnumField(default=CaseChannel.ONLINE, description='ONLINE: ONLINE\nCOUNTER: COUNTER', enum_type=CaseChannel, max_length=16)),
                ('status', fields.CharEnumField(default=CaseStatus.OPEN, description='OPEN: OPEN\nSUSPENDED: SUSPENDED\nCLOSED: CLOSED', enum_type=CaseStatus, max_length=16)),
                ('request', fields.TextField(description='申请事项', unique=False)),
                ('applicant_name', fields.CharField(description='申请人 (personal data)', max_length=100)),
                ('applicant_contact', fields.CharField(description='联系方式 (personal data)', max_length=100)),
                ('chart', fields.JSONField(description='the flow chart as the case started under it: steps and edges', encoder=JSON_DUMPS, decoder=loads)),
                ('current_step', fields.IntField(null=True, description="the key of the chart's step the case is at")),
                ('step_unit_id', fields.IntField(null=True, description="the unit holding the current step's post (its staff handle it)")),
                ('received_on', fields.DateField()),
                ('outcome', fields.CharEnumField(null=True, description='GRANTED: GRANTED\nREFUSED: REFUSED', enum_type=CaseOutcome, max_length=16)),
                ('reasons', fields.TextField(default='', description='决定理由', unique=False)),
                ('legal_basis', fields.TextField(default='', description='法律依据', unique=False)),
                ('closed_on', fields.DateField(null=True)),
                ('closed_by', fields.CharField(default='', max_length=200)),
                ('receipt_hash', fields.CharField(default='', description='SHA-256 of the 查询码 given at filing', max_length=64)),
            ],
            options={'table': 'application_case', 'app': 'qingquan', 'indexes': [Index(fields=['unit_id', 'status']), Index(fields=['step_unit_id']), Index(fields=['power_id', 'status']), Index(fields=['version_id'])], 'pk_attr': 'id', 'table_description': '办件: one application for a power, and the case it became (its 附7 record is `operation`).'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='CaseAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('qingquan.ApplicationCase', source_field='case_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('filename', fields.CharField(max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('data', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_attachment', 'app': 'qingquan', 'indexes': [Index(fields=['case_id'])], 'pk_attr': 'id', 'table_description': 'A file the applicant sent with the application, kept byte for byte (as uploads are) with its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseSuspension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('qingquan.ApplicationCase', source_field='case_id', db_constraint=True, to_field='id', related_name='suspensions', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(description='需要补正的内容', unique=False)),
                ('suspended_on', fields.DateField()),
                ('suspended_by', fields.CharField(max_length=200)),
                ('resumed_on', fields.DateField(null=True)),
                ('resumed_by', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'case_suspension', 'app': 'qingquan', 'indexes': [Index(fields=['case_id'])], 'pk_attr': 'id', 'table_description': "补正: the case waits for the applicant's supplement, and its clock stops from `suspended_on` until"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseTransition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('qingquan.ApplicationCase', source_field='case_id', db_constraint=True, to_field='id', related_name='transitions', on_delete=OnDelete.CASCADE)),
                ('from_step', fields.IntField(null=True, description='the chart key left (null: filing)')),
                ('to_step', fields.IntField()),
                ('from_name', fields.CharField(default='', max_length=200)),
                ('to_name', fields.CharField(max_length=200)),
                ('condition', fields.CharField(default='', description="the edge's 条件 / 分支", max_length=200)),
                ('opinion', fields.TextField(default='', description='办理意见', unique=False)),
                ('actor', fields.CharField(max_length=200)),
                ('day', fields.DateField(description='the day of the move')),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_transition', 'app': 'qingquan', 'indexes': [Index(fields=['case_id'])], 'pk_attr': 'id', 'table_description': "One move of a case along an edge of its chart: who, when, the edge's condition, an opinion."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Power',
            name='online',
            field=fields.BooleanField(default=False, db_default=False, description='可网上办理: residents may apply online (besides the appliable categories)'),
        ),
        # after the tables exist, so that SQLite gives them their data-version triggers
        ops.RunPython(version_new_tables),
    ]
