"""Live events (issue 25, item 4): the change feed also carries EVENT rows, the audit events that subscribers
hear of (qingquan/live.py). Only the column's description changes, so the database is left alone: on SQLite
altering a column rebuilds the table from the model, which would lose the `xid` column migration 0022 adds
beside it."""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from domain.enums import SearchEntity


class AlterFieldDescription(ops.AlterField):
    """The field's description in the migrations' state; nothing in the database."""

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0030_token_webhooks")]

    initial = False

    operations = [
        AlterFieldDescription(
            model_name="Change",
            name="entity",
            field=fields.CharEnumField(
                description="LEGAL_DOCUMENT: LEGAL_DOCUMENT\nLEGAL_ARTICLE: LEGAL_ARTICLE\nPOWER: POWER\nEVENT: EVENT",
                enum_type=SearchEntity,
                max_length=20,
            ),
        ),
    ]
