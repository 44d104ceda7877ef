"""依申请公开 (issue 14, item 1): requests for government information, answered within 20 working days."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain import data_version
from domain.enums import (
    InformationDelivery,
    InformationRequestOutcome,
    InformationRequestStatus,
    WithholdingGround,
)


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0015_catalogue_fixes")]

    initial = False

    operations = [
        ops.CreateModel(
            name='InformationRequest',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='information_requests', on_delete=OnDelete.RESTRICT)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', null=True, db_constraint=True, to_field='id', related_name='information_requests', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=InformationRequestStatus.RECEIVED, description='RECEIVED: RECEIVED\nREGISTERED: REGISTERED\nANSWERED: ANSWERED', enum_type=InformationRequestStatus, max_length=16)),
                ('subject', fields.CharField(description='申请公开的政府信息的名称', max_length=200)),
                ('description', fields.TextField(default='', description='文号或者便于查询的其他特征性描述', unique=False)),
                ('delivery', fields.CharEnumField(default=InformationDelivery.ELECTRONIC, description='ELECTRONIC: ELECTRONIC\nPAPER: PAPER\nINSPECTION: INSPECTION', enum_type=InformationDelivery, max_length=16)),
                ('requester_name', fields.CharField(description='申请人姓名或者名称 (personal data)', max_length=100)),
                ('requester_id_number', fields.CharField(default='', description='身份证明 (personal data)', max_length=30)),
                ('requester_contact', fields.CharField(description='联系方式 (personal data)', max_length=100)),
                ('received_on', fields.DateField()),
                ('due_on', fields.DateField(description='答复期限: 20 working days after receipt, 40 once extended')),
                ('due_provisional', fields.BooleanField(default=False, description='counted on weekends alone')),
                ('registered_on', fields.DateField(null=True)),
                ('registered_by', fields.CharField(default='', max_length=200)),
                ('extended_on', fields.DateField(null=True, description='延长答复期限 (once)')),
                ('extended_by', fields.CharField(default='', max_length=200)),
                ('extension_reason', fields.TextField(default='', description='延长的理由', unique=False)),
                ('answered_on', fields.DateField(null=True)),
                ('answered_by', fields.CharField(default='', max_length=200)),
                ('outcome', fields.CharEnumField(null=True, description='DISCLOSED: DISCLOSED\nPARTIALLY_DISCLOSED: PARTIALLY_DISCLOSED\nWITHHELD: WITHHELD\nNOT_EXIST: NOT_EXIST\nNOT_THIS_AGENCY: NOT_THIS_AGENCY', enum_type=InformationRequestOutcome, max_length=24)),
                ('withholding_ground', fields.CharEnumField(null=True, description='不予公开的理由', enum_type=WithholdingGround, max_length=32)),
                ('answer', fields.TextField(default='', description='答复内容', unique=False)),
                ('receipt_hash', fields.CharField(default='', description='SHA-256 of the 查询码 given at filing', max_length=64)),
            ],
            options={'table': 'information_request', 'app': 'qingquan', 'indexes': [Index(fields=['status', 'due_on']), Index(fields=['unit_id']), Index(fields=['power_id'])], 'pk_attr': 'id', 'table_description': '依申请公开: anyone asks a unit for information, which the unit registers and answers within a deadline.'},
            bases=['Timestamped'],
        ),
        # after the table exists, so that SQLite gives it its data-version triggers
        ops.RunPython(version_new_tables),
    ]
