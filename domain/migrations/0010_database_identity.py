"""The database's identity (domain/identity.py): one row holding a random id made when the database
is migrated, so that a search index can tell the database it was built from."""

import uuid

from tortoise import migrations
from tortoise.migrations import operations as ops

CREATE = (
    "CREATE TABLE IF NOT EXISTS database_identity ("
    "id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), "
    "instance_id VARCHAR(32) NOT NULL, "
    "created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    mark = "?" if client.capabilities.dialect == "sqlite" else "$1"
    await client.execute_script(CREATE)
    await client.execute_query(
        f"INSERT INTO database_identity (id, instance_id) VALUES (1, {mark}) ON CONFLICT (id) DO NOTHING",
        [uuid.uuid4().hex],
    )


async def backward(apps, schema_editor) -> None:
    await schema_editor.client.execute_script("DROP TABLE IF EXISTS database_identity")


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0009_foreign_key_indexes")]

    operations = [ops.RunPython(forward, backward)]
