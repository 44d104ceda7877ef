"""公示 and 征求意见 (issue 14, item 2): comment periods on draft powers, their frozen comment versions
(公示稿) and the public's comments."""

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain import data_version
from domain.enums import CommentHiddenReason, CommentStatus


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0018_utc_instants")]

    initial = False

    operations = [
        ops.CreateModel(
            name='CommentPeriod',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='comment_periods', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(description='公示标题', max_length=200)),
                ('starts_on', fields.DateField(description='first day of the period (county date)')),
                ('ends_on', fields.DateField(description='last day of the period: `workdays` working days from starts_on')),
                ('workdays', fields.IntField(description='length of the period in working days')),
                ('ends_provisional', fields.BooleanField(default=False, description='counted on weekends alone')),
                ('opened_by', fields.CharField(max_length=200)),
                ('closed_at', fields.DatetimeField(null=True, description='closed early (提前结束)', auto_now=False, auto_now_add=False)),
                ('closed_on', fields.DateField(null=True)),
                ('closed_by', fields.CharField(default='', max_length=200)),
                ('close_reason', fields.TextField(default='', description='why it was closed early', unique=False)),
            ],
            options={'table': 'comment_period', 'app': 'qingquan', 'indexes': [Index(fields=['unit_id']), Index(fields=['starts_on', 'ends_on'])], 'pk_attr': 'id', 'table_description': '公示: a unit puts some of its DRAFT powers up for public comment from `starts_on` to `ends_on`.'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='CommentDraft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.ForeignKeyField('qingquan.CommentPeriod', source_field='period_id', db_constraint=True, to_field='id', related_name='drafts', on_delete=OnDelete.CASCADE)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='comment_drafts', on_delete=OnDelete.RESTRICT)),
                ('unit_id', fields.IntField(description="the power's unit (it never changes)")),
                ('ordinal', fields.IntField(description='position in the period, from 1')),
                ('code', fields.CharField(max_length=40)),
                ('name', fields.CharField(max_length=300)),
                ('snapshot', fields.JSONField(description='fields, rules, bases (with article text) and flow chart as opened', encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'comment_draft', 'app': 'qingquan', 'unique_together': (('period', 'power'),), 'indexes': [Index(fields=['power_id']), Index(fields=['unit_id'])], 'pk_attr': 'id', 'table_description': "公示稿: a DRAFT power as it stood when the period opened (in the snapshot format of domain.versions, the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PublicComment',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('draft', fields.ForeignKeyField('qingquan.CommentDraft', source_field='draft_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('unit_id', fields.IntField(description='the unit holding the period (who moderates)')),
                ('body', fields.TextField(description='意见内容', unique=False)),
                ('commenter_name', fields.CharField(default='', description='姓名 (personal data)', max_length=50)),
                ('commenter_contact', fields.CharField(default='', description='联系方式 (personal data)', max_length=100)),
                ('received_on', fields.DateField()),
                ('status', fields.CharEnumField(default=CommentStatus.RECEIVED, description='RECEIVED: RECEIVED\nPUBLISHED: PUBLISHED\nANSWERED: ANSWERED\nHIDDEN: HIDDEN', enum_type=CommentStatus, max_length=16)),
                ('answer', fields.TextField(default='', description='答复', unique=False)),
                ('hidden_reason', fields.CharEnumField(null=True, description='OFF_TOPIC: OFF_TOPIC\nABUSIVE: ABUSIVE\nADVERTISING: ADVERTISING\nPERSONAL_DATA: PERSONAL_DATA\nDUPLICATE: DUPLICATE\nUNLAWFUL: UNLAWFUL', enum_type=CommentHiddenReason, max_length=24)),
                ('hidden_note', fields.TextField(default='', description='不予公开的说明', unique=False)),
                ('moderated_by', fields.CharField(default='', max_length=200)),
                ('moderated_on', fields.DateField(null=True)),
            ],
            options={'table': 'public_comment', 'app': 'qingquan', 'indexes': [Index(fields=['draft_id', 'status']), Index(fields=['unit_id', 'status'])], 'pk_attr': 'id', 'table_description': "意见: a comment the public left on a 公示稿 (the name and contact of its author are personal data)."},
            bases=['Timestamped'],
        ),
        # after the tables exist, so that SQLite gives them their data-version triggers
        ops.RunPython(version_new_tables),
    ]
