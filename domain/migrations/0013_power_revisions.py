"""Published powers' revisions and the review that binds who decides (issue 11)."""

from tortoise import migrations
from tortoise.migrations import operations as ops

from domain import data_version


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0012_catalogue_exchange")]

    operations = [ops.RunPython(version_new_tables)]
