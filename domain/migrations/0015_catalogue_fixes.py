"""Reference citations keep article labels (第一百三十三条之一 is not 第一百三十三条), and webhook
deliveries no longer raise the data version: sending them changes nothing a cached answer shows."""

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.data import JSON_DUMPS
from tortoise.migrations import operations as ops

from domain import data_version


async def unversion_deliveries(apps, schema_editor) -> None:
    """SQLite: the deliveries' bump triggers go; the altered table, which SQLite rebuilds, gets back its
    triggers and its index on catalog_id (tortoise's rebuild keeps neither)."""
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    index = schema_editor._generate_index_name_for_table("idx", "reference_power", ["catalog_id"])
    await client.execute_query(f'CREATE INDEX IF NOT EXISTS "{index}" ON "reference_power" ("catalog_id")')
    for event in ("insert", "update", "delete"):
        await client.execute_query(f'DROP TRIGGER IF EXISTS "webhook_delivery_version_{event}"')
    await data_version.install(client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0014_thesaurus")]

    operations = [
        ops.AlterField(
            model_name="ReferencePower",
            name="citations",
            field=fields.JSONField(
                default=list, description="[[work key, article label], …] read from basis_text",
                encoder=JSON_DUMPS, decoder=loads,
            ),  # fmt: skip
        ),
        ops.RunPython(unversion_deliveries),
    ]
