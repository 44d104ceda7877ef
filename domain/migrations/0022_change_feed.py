"""The change feed (issue 20): the search outbox was a queue, and whichever host drained a row deleted
it, so every other host's index missed that change for good. Changes are now an ordered log every
index follows on its own (`change_feed`, domain/change_feed.py), with a position per consumer
(`change_consumer`), the pruned horizon (`change_feed_horizon`) and leases for what runs once per
database (`lease`, domain/leases.py).

On PostgreSQL each change also records its transaction's id (`xid`, xid8, by the database's default)
with an index on (xid, id), the order consumers read in; and a trigger notifies `qingquan_changes` once
per inserting statement, delivered at commit, which wakes every host's indexer. On SQLite `xid` is 0.

The rows of the old outbox are dropped, not moved: with several hosts each index already missed what
the others drained, so every index is rebuilt once (a manifest of before the feed names no build, and
the indexer rebuilds it while it goes on answering searches)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain.enums import SearchEntity, SearchOp

POSTGRES = [
    "ALTER TABLE change_feed ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
    "CREATE INDEX change_feed_xid_id ON change_feed (xid, id)",
    "CREATE FUNCTION qingquan_changes_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('qingquan_changes', ''); RETURN NULL; END $$",
    "CREATE TRIGGER change_feed_notify AFTER INSERT ON change_feed "
    "FOR EACH STATEMENT EXECUTE FUNCTION qingquan_changes_notify()",
]
SQLITE = [
    "ALTER TABLE change_feed ADD COLUMN xid INTEGER NOT NULL DEFAULT 0",
    "CREATE INDEX change_feed_xid_id ON change_feed (xid, id)",
]


async def feed_order_and_notify(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in POSTGRES if client.capabilities.dialect == "postgres" else SQLITE:
        await client.execute_script(statement)
    await client.execute_script("INSERT INTO change_feed_horizon (id, xid, position) VALUES (1, 0, 0)")


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0021_power_code_form")]

    initial = False

    operations = [
        ops.DeleteModel(name="SearchOutbox"),
        ops.CreateModel(
            name='Change',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entity', fields.CharEnumField(description='LEGAL_DOCUMENT: LEGAL_DOCUMENT\nLEGAL_ARTICLE: LEGAL_ARTICLE\nPOWER: POWER', enum_type=SearchEntity, max_length=20)),
                ('entity_id', fields.IntField()),
                ('op', fields.CharEnumField(default=SearchOp.UPSERT, description='UPSERT: UPSERT\nDELETE: DELETE', enum_type=SearchOp, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'change_feed', 'app': 'qingquan', 'indexes': [Index(fields=['entity', 'entity_id'])], 'pk_attr': 'id', 'table_description': 'One change to data that indexes and subscribers follow (the change feed, domain/change_feed.py),'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChangeConsumer',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=300)),
                ('build', fields.CharField(default='', description='The build of the index this position belongs to (named in the manifest of the index too).', max_length=64)),
                ('xid', fields.BigIntField(default=0, description='The last change applied: the id of the writing transaction (0 on SQLite) and of the change.')),
                ('position', fields.BigIntField(default=0)),
                ('last_seen', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'change_consumer', 'app': 'qingquan', 'pk_attr': 'name', 'table_description': 'Something that follows the change feed on its own (an embedded index of one host, a Meilisearch'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChangeFeedHorizon',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('xid', fields.BigIntField(default=0)),
                ('position', fields.BigIntField(default=0)),
            ],
            options={'table': 'change_feed_horizon', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': 'One row: every change at or below this (xid, position) has been pruned (a consumer behind it rebuilds).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Lease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=300)),
                ('holder', fields.CharField(max_length=200)),
                ('expires_at', fields.FloatField(description='Seconds since the epoch, by the clock of the database (never of a host).')),
            ],
            options={'table': 'lease', 'app': 'qingquan', 'pk_attr': 'name', 'table_description': 'Who does a job that must run once per database (webhook sending, pruning, a Meilisearch index),'},
            bases=['Model'],
        ),
        ops.RunPython(feed_order_and_notify),
    ]  # fmt: skip
