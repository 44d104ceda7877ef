from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.enums import ComplaintStatus, Grade, InspectionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qingquan', '0004_workflow')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Complaint',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.RESTRICT)),
                ('power', fields.ForeignKeyField('qingquan.Power', source_field='power_id', null=True, db_constraint=True, to_field='id', related_name='complaints', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharEnumField(default=ComplaintStatus.RECEIVED, description='RECEIVED: RECEIVED\nACCEPTED: ACCEPTED\nREJECTED: REJECTED\nHANDLED: HANDLED\nANSWERED: ANSWERED', enum_type=ComplaintStatus, max_length=16)),
                ('subject', fields.CharField(description='投诉事项', max_length=200)),
                ('content', fields.TextField(description='投诉内容', unique=False)),
                ('complainant_name', fields.CharField(default='', description='投诉人 (personal data)', max_length=50)),
                ('complainant_phone', fields.CharField(default='', description='联系电话 (personal data)', max_length=30)),
                ('received_on', fields.DateField()),
                ('due_on', fields.DateField(description='deadline of the step the complaint waits for')),
                ('due_provisional', fields.BooleanField(default=False, description='counted on weekends alone')),
                ('accepted_on', fields.DateField(null=True, description='受理 or 不予受理 date')),
                ('decided_by', fields.CharField(default='', max_length=200)),
                ('rejection_reason', fields.TextField(default='', description='不予受理的理由', unique=False)),
                ('handled_on', fields.DateField(null=True)),
                ('handled_by', fields.CharField(default='', max_length=200)),
                ('handling', fields.TextField(default='', description='处理情况', unique=False)),
                ('answered_on', fields.DateField(null=True)),
                ('answered_by', fields.CharField(default='', max_length=200)),
                ('answer', fields.TextField(default='', description='答复意见', unique=False)),
            ],
            options={'table': 'complaint', 'app': 'qingquan', 'indexes': [Index(fields=['status', 'due_on'])], 'pk_attr': 'id', 'table_description': '投诉举报: filed by anyone, about a power or a unit, accepted or rejected, handled and answered.'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='Inspection',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='ACCEPTANCE: ACCEPTANCE\nPERFORMANCE: PERFORMANCE\nSPECIAL: SPECIAL', enum_type=InspectionKind, max_length=16)),
                ('inspected_on', fields.DateField()),
                ('findings', fields.TextField(description='发现的问题', unique=False)),
                ('follow_up', fields.TextField(default='', description='整改要求', unique=False)),
                ('score', fields.IntField(description='0 to 100')),
                ('grade', fields.CharEnumField(description='derived from the score', enum_type=Grade, max_length=16)),
                ('inspector', fields.CharField(max_length=200)),
            ],
            options={'table': 'inspection', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': '检查验收 / 绩效评估 of a unit: findings, a score out of 100 and the grade (定级) it gives.'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='OperationStep',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('operation', fields.ForeignKeyField('qingquan.OperationRecord', source_field='operation_id', db_constraint=True, to_field='id', related_name='steps', on_delete=OnDelete.CASCADE)),
                ('flow_step', fields.ForeignKeyField('qingquan.FlowStep', source_field='flow_step_id', null=True, db_constraint=True, to_field='id', related_name='operation_steps', on_delete=OnDelete.SET_NULL)),
                ('step_name', fields.CharField(description="the flow step's name when started", max_length=200)),
                ('time_limit_days', fields.IntField(null=True, description='its time limit in working days when started')),
                ('handler', fields.CharField(description='经办人', max_length=100)),
                ('started_on', fields.DateField()),
                ('finished_on', fields.DateField(null=True)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'operation_step', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': 'One flow-chart step of an exercise of a power, timed for 电子监察 against its 办理时限.'},
            bases=['Timestamped'],
        ),
        ops.AddField(
            model_name='DisclosureRecord',
            name='operation',
            field=fields.ForeignKeyField('qingquan.OperationRecord', source_field='operation_id', null=True, description='the exercise this discloses, if one (domain.disclosures)', db_constraint=True, to_field='id', related_name='disclosures', on_delete=OnDelete.SET_NULL),
        ),
    ]
