from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from domain.enums import ChangeNoticeStatus, ReviewDecision, ReviewOffice
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qingquan', '0003_search_outbox_and_files')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChangeNotice',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='change_notices', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(default=ChangeNoticeStatus.OPEN, description='OPEN: OPEN\nEXPLAINED: EXPLAINED\nACCEPTED: ACCEPTED\nRETURNED: RETURNED', enum_type=ChangeNoticeStatus, max_length=16)),
                ('opened_on', fields.DateField()),
                ('due_on', fields.DateField(description='20 working days after opened_on')),
                ('due_provisional', fields.BooleanField(default=False, description='counted on weekends alone: a year without a holiday table')),
                ('changes', fields.JSONField(default=list, description='the changes this notice explains', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('explanation', fields.TextField(default='', description='变更说明', unique=False)),
                ('explained_by', fields.CharField(default='', max_length=200)),
                ('explained_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('review_opinion', fields.TextField(default='', unique=False)),
                ('reviewed_by', fields.CharField(default='', max_length=200)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'change_notice', 'app': 'qingquan', 'indexes': [Index(fields=['status', 'due_on'])], 'pk_attr': 'id', 'table_description': '变更说明: changes to a published power, to be explained within 20 working days.'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='HolidayYear',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField(unique=True)),
                ('loaded_by', fields.CharField(max_length=200)),
                ('loaded_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('source', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'holiday_year', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': "A year's holiday table (国务院办公厅 节假日安排) loaded by an admin."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='HolidayDate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('holiday_year', fields.ForeignKeyField('qingquan.HolidayYear', source_field='holiday_year_id', db_constraint=True, to_field='id', related_name='days', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField(unique=True)),
                ('workday', fields.BooleanField(description='true for a make-up workday, false for a holiday')),
                ('name', fields.CharField(default='', max_length=50)),
            ],
            options={'table': 'holiday_date', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': 'One day of a loaded year that breaks the weekend rule: a holiday or a make-up workday (调休).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Review',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('round', fields.IntField(description='1 for the first declaration, 2 after an ADJUST, and so on')),
                ('lead_opinion', fields.TextField(description='主要负责人签署意见', unique=False)),
                ('declared_by', fields.CharField(max_length=200)),
                ('declared_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_by', fields.CharField(default='', max_length=200)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision', fields.CharEnumField(null=True, description='ABOLISH: ABOLISH\nREMOVE: REMOVE\nRETAIN: RETAIN\nADJUST: ADJUST\nFILE: FILE', enum_type=ReviewDecision, max_length=16)),
                ('decision_reason', fields.TextField(default='', description='审核意见', unique=False)),
                ('required_changes', fields.TextField(default='', description='调整要求 (ADJUST)', unique=False)),
                ('decided_by', fields.CharField(default='', max_length=200)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'review', 'app': 'qingquan', 'unique_together': (('power', 'round'),), 'pk_attr': 'id', 'table_description': '清理审核: one round of a power through declaration (申报), review and decision.'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='ReviewOpinion',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('review', fields.ForeignKeyField('qingquan.Review', source_field='review_id', db_constraint=True, to_field='id', related_name='opinions', on_delete=OnDelete.CASCADE)),
                ('office', fields.CharEnumField(description='OPENNESS_OFFICE: OPENNESS_OFFICE\nLEGAL_AFFAIRS: LEGAL_AFFAIRS\nSECRECY: SECRECY\nESTABLISHMENT: ESTABLISHMENT\nPRICING: PRICING', enum_type=ReviewOffice, max_length=32)),
                ('recommendation', fields.CharEnumField(null=True, description='ABOLISH: ABOLISH\nREMOVE: REMOVE\nRETAIN: RETAIN\nADJUST: ADJUST\nFILE: FILE', enum_type=ReviewDecision, max_length=16)),
                ('opinion', fields.TextField(unique=False)),
                ('reviewer', fields.CharField(max_length=200)),
            ],
            options={'table': 'review_opinion', 'app': 'qingquan', 'unique_together': (('review', 'office'),), 'pk_attr': 'id', 'table_description': 'The opinion of one reviewing office (公开办, 法制, 保密, 编办, 物价) in a review.'},
            bases=['Timestamped'],
        ),
    ]
