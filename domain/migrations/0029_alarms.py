"""电子监察 (issue 23, item 3): alarms raised by the server on steps and cases at and past their due day, and the
indexes its rounds read steps and cases by."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain.enums import AlarmKind, AlarmLevel


class Migration(migrations.Migration):
    dependencies = [('qingquan', '0025_webhook_errors')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Alarm',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, description='what it is about: step:12 or case:7 (one alarm each)', max_length=40)),
                ('kind', fields.CharEnumField(description='STEP: STEP\nCASE: CASE', enum_type=AlarmKind, max_length=8)),
                ('level', fields.CharEnumField(description='YELLOW: YELLOW\nRED: RED', enum_type=AlarmLevel, max_length=8)),
                ('operation', fields.ForeignKeyField('qingquan.OperationRecord', source_field='operation_id', db_constraint=True, to_field='id', related_name='alarms', on_delete=OnDelete.CASCADE)),
                ('step', fields.ForeignKeyField('qingquan.OperationStep', source_field='step_id', null=True, db_constraint=True, to_field='id', related_name='alarms', on_delete=OnDelete.CASCADE)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', description='the unit holding the power', db_constraint=True, to_field='id', related_name='alarms', on_delete=OnDelete.RESTRICT)),
                ('position', fields.ForeignKeyField('qingquan.Position', source_field='position_id', null=True, description='the post holding the step (承办岗位), none for a case', db_constraint=True, to_field='id', related_name='alarms', on_delete=OnDelete.SET_NULL)),
                ('limit_days', fields.IntField(description='the time limit in working days')),
                ('due_on', fields.DateField(description='the last working day within the limit')),
                ('raised_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('raised_on', fields.DateField(description="the county's day it was raised (or, raised late, the day it was due past)")),
                ('escalated_at', fields.DatetimeField(null=True, description='when a YELLOW alarm turned RED', auto_now=False, auto_now_add=False)),
                ('cleared_at', fields.DatetimeField(null=True, description='when the step or case was seen done', auto_now=False, auto_now_add=False)),
                ('cleared_on', fields.DateField(null=True, description='the day the step or case was done')),
            ],
            options={'table': 'alarm', 'app': 'qingquan', 'indexes': [Index(fields=['unit_id', 'cleared_at']), Index(fields=['position_id']), Index(fields=['operation_id']), Index(fields=['step_id'])], 'pk_attr': 'id', 'table_description': "An alarm on a step (its 办理时限) or a whole case (the power's 承诺时限) that reached its due day."},
            bases=['Model'],
        ),
        # no data-version triggers: domain.data_version.UNVERSIONED (no cached public answer reads alarms)
        # the rounds read the steps and cases under way and those done lately
        ops.AddIndex(model_name='OperationRecord', index=Index(fields=['stage'])),
        ops.AddIndex(model_name='OperationRecord', index=Index(fields=['finished_on'])),
        ops.AddIndex(model_name='OperationStep', index=Index(fields=['finished_on'])),
    ]
