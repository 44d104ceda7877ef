"""Oversight that closes the loop (issue 24, items 3 to 6): the seven networks as things (a lead unit, their
powers), 民意测验 (public surveys and their answers), 通报 (bulletins), and inspections that name their
method and may target a power, a network or a survey."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.enums import BulletinStatus, InspectionMethod, Network
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
            name='Bulletin',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(default='', description='文号, e.g. 余清权办通报〔2026〕1号', max_length=100)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(description='正文: paragraphs separated by blank lines', unique=False)),
                ('status', fields.CharEnumField(default=BulletinStatus.DRAFT, description='DRAFT: DRAFT\nPUBLISHED: PUBLISHED', enum_type=BulletinStatus, max_length=16)),
                ('drafted_on', fields.DateField()),
                ('drafted_by', fields.CharField(max_length=200)),
                ('published_on', fields.DateField(null=True)),
                ('published_by', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'bulletin', 'app': 'qingquan', 'indexes': [Index(fields=['status', 'published_on'])], 'pk_attr': 'id', 'table_description': '通报: drafted by 县公开办 from the data, edited, then published (on the portal, and as a Word 通报).'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='NetworkPower',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharEnumField(description='ADMINISTRATIVE_LICENSING: ADMINISTRATIVE_LICENSING\nGOVERNMENT_PROCUREMENT: GOVERNMENT_PROCUREMENT\nCONSTRUCTION_BIDDING: CONSTRUCTION_BIDDING\nLAND_TRANSFER: LAND_TRANSFER\nSPECIAL_FUNDS: SPECIAL_FUNDS\nPROPERTY_RIGHTS_TRADING: PROPERTY_RIGHTS_TRADING\nCIVIL_SERVANT_RECRUITMENT: CIVIL_SERVANT_RECRUITMENT', enum_type=Network, max_length=40)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='network_links', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'network_power', 'app': 'qingquan', 'unique_together': (('network', 'power'),), 'indexes': [Index(fields=['power_id'])], 'pk_attr': 'id', 'table_description': 'A power that runs in a network (a power may run in more than one).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NetworkProfile',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharEnumField(unique=True, description='ADMINISTRATIVE_LICENSING: ADMINISTRATIVE_LICENSING\nGOVERNMENT_PROCUREMENT: GOVERNMENT_PROCUREMENT\nCONSTRUCTION_BIDDING: CONSTRUCTION_BIDDING\nLAND_TRANSFER: LAND_TRANSFER\nSPECIAL_FUNDS: SPECIAL_FUNDS\nPROPERTY_RIGHTS_TRADING: PROPERTY_RIGHTS_TRADING\nCIVIL_SERVANT_RECRUITMENT: CIVIL_SERVANT_RECRUITMENT', enum_type=Network, max_length=40)),
                ('lead_unit', fields.ForeignKeyField('qingquan.Unit', source_field='lead_unit_id', null=True, db_constraint=True, to_field='id', related_name='led_networks', on_delete=OnDelete.RESTRICT)),
                ('description', fields.TextField(default='', description='职责与范围', unique=False)),
            ],
            options={'table': 'network_profile', 'app': 'qingquan', 'indexes': [Index(fields=['lead_unit_id'])], 'pk_attr': 'id', 'table_description': 'One of the 七大网络: its lead unit (牵头单位) and what it covers. A network without a row has no lead yet.'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='Survey',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.RESTRICT)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', null=True, db_constraint=True, to_field='id', related_name='surveys', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('questions', fields.JSONField(description='[{"text": "…", "options": ["满意", "基本满意", …]}, …]', encoder=JSON_DUMPS, decoder=loads)),
                ('opens_on', fields.DateField()),
                ('closes_on', fields.DateField()),
                ('opened_by', fields.CharField(max_length=200)),
                ('response_count', fields.IntField(default=0)),
                ('summary', fields.TextField(default='', description='the published summary (公布的测评结果)', unique=False)),
                ('summary_published_on', fields.DateField(null=True)),
                ('summary_published_by', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'survey', 'app': 'qingquan', 'indexes': [Index(fields=['unit_id']), Index(fields=['power_id']), Index(fields=['opens_on', 'closes_on'])], 'pk_attr': 'id', 'table_description': '民意测验: a short public survey on a unit or one of its public powers, answered by anyone from'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('survey', fields.ForeignKeyField('qingquan.Survey', source_field='survey_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('choices', fields.JSONField(description='option index per question', encoder=JSON_DUMPS, decoder=loads)),
                ('received_on', fields.DateField()),
            ],
            options={'table': 'survey_response', 'app': 'qingquan', 'indexes': [Index(fields=['survey_id'])], 'pk_attr': 'id', 'table_description': 'One answer sheet: the option chosen for each question, nothing about who answered.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Inspection',
            name='method',
            field=fields.CharEnumField(default=InspectionMethod.OPEN, db_default=InspectionMethod.OPEN, description='明查暗访 …', enum_type=InspectionMethod, max_length=16),
        ),
        ops.AddField(
            model_name='Inspection',
            name='network',
            field=fields.CharEnumField(null=True, description='the network inspected, if one', enum_type=Network, max_length=40),
        ),
        ops.AddField(
            model_name='Inspection',
            name='power',
            field=fields.ForeignKeyField('qingquan.Power', source_field='power_id', null=True, description='the power inspected, when the inspection is of one', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddField(
            model_name='Inspection',
            name='survey',
            field=fields.ForeignKeyField('qingquan.Survey', source_field='survey_id', null=True, description='the 民意测验 a SURVEY inspection rests on', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT),
        ),
        ops.AddIndex(
            model_name='Inspection',
            index=Index(fields=['power_id']),
        ),
        ops.AddIndex(
            model_name='Inspection',
            index=Index(fields=['survey_id']),
        ),
        # after the tables exist, so that SQLite gives them their data-version triggers
        ops.RunPython(version_new_tables),
    ]
