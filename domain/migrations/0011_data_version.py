"""The data version (domain/data_version.py): a row every committed write raises, through triggers on
every table, so that cached public responses are never served once anything has changed."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from domain import data_version


async def forward(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0010_database_identity")]

    operations = [ops.RunPython(forward)]
