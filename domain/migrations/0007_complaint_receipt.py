from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qingquan', '0006_stage_deadlines')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Complaint',
            name='receipt_hash',
            field=fields.CharField(default='', description='SHA-256 of the 查询码 given to the complainant at filing', max_length=64),
        ),
    ]
