"""Catalogue exchange (issue 13): reference catalogues of other places, webhooks and their deliveries."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from domain import data_version


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0011_data_version")]

    operations = [ops.RunPython(version_new_tables)]
