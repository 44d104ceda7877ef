from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.enums import ProgrammeStage
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qingquan', '0005_records_complaints')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StageDeadline',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stage', fields.CharEnumField(unique=True, description='MOBILIZATION: MOBILIZATION\nCLEANUP: CLEANUP\nCATALOGUE: CATALOGUE\nOPERATION: OPERATION\nACCEPTANCE: ACCEPTANCE', enum_type=ProgrammeStage, max_length=16)),
                ('deadline', fields.DateField()),
                ('set_by', fields.CharField(default='', max_length=200)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'stage_deadline', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': "The county's deadline for one stage of the programme (e.g. 清理审核 by 2008-05-15)."},
            bases=['Model'],
        ),
    ]
