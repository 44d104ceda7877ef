"""Live events (issue 25, item 4): the change feed also carries EVENT rows, the audit events that subscribers
hear of (qingquan/live.py); only the column's description changes."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from domain.enums import SearchEntity


class Migration(migrations.Migration):
    dependencies = [('qingquan', '0025_webhook_errors')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Change',
            name='entity',
            field=fields.CharEnumField(description='LEGAL_DOCUMENT: LEGAL_DOCUMENT\nLEGAL_ARTICLE: LEGAL_ARTICLE\nPOWER: POWER\nEVENT: EVENT', enum_type=SearchEntity, max_length=20),
        ),
    ]
