"""Power-code serial counters (seeded from the codes in use), the shared rate-limit table, and
API-token expiry and last use."""

import re

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

#: A standard power code (domain.codes), frozen here: unit code + category letters + "-" + 4 digits.
STANDARD_CODE = re.compile(r"^(\d{8}(?:\d{2})*[A-Z]{2}-)(\d{4})$")


async def seed_serials(apps, schema_editor) -> None:
    """One counter per prefix in use, at the highest serial taken: nothing handed out collides."""
    client = schema_editor.client
    _, rows = await client.execute_query("SELECT code FROM power")
    highest: dict[str, int] = {}
    for row in rows:
        match = STANDARD_CODE.match(row["code"])
        if match:
            highest[match[1]] = max(highest.get(match[1], 0), int(match[2]))
    insert = (
        "INSERT INTO power_code_serial (prefix, last_serial) VALUES (?, ?)"
        if client.capabilities.dialect == "sqlite"
        else "INSERT INTO power_code_serial (prefix, last_serial) VALUES ($1, $2)"
    )
    for prefix, serial in sorted(highest.items()):
        await client.execute_query(insert, [prefix, serial])


async def drop_serials(apps, schema_editor) -> None:
    await schema_editor.client.execute_query("DELETE FROM power_code_serial")


class Migration(migrations.Migration):
    dependencies = [('qingquan', '0007_complaint_receipt')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PowerCodeSerial',
            fields=[
                ('prefix', fields.CharField(primary_key=True, unique=True, db_index=True, description='e.g. 36072308CF-', max_length=40)),
                ('last_serial', fields.IntField(description='the highest serial used or handed out (the next is one more)')),
            ],
            options={'table': 'power_code_serial', 'app': 'qingquan', 'pk_attr': 'prefix', 'table_description': 'The last serial handed out (or taken by an explicit code) for one code prefix: unit + category.'},
            bases=['Model'],
        ),
        ops.RunPython(seed_serials, drop_serials),
        ops.CreateModel(
            name='RateLimitHit',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scope', fields.CharField(description='what is limited, e.g. `complaint`', max_length=32)),
                ('client', fields.CharField(description='the client address the ASGI server reports', max_length=64)),
                ('window_start', fields.BigIntField(description='start of the window, in seconds since the epoch')),
                ('window_end', fields.BigIntField(description='end of the window: the row is pruned after it')),
                ('hits', fields.IntField(default=1)),
            ],
            options={'table': 'rate_limit_hit', 'app': 'qingquan', 'unique_together': (('scope', 'client', 'window_start'),), 'indexes': [Index(fields=['window_end'])], 'pk_attr': 'id', 'table_description': 'The hits of one client address in one fixed window of a rate limit (e.g. anonymous complaints).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiToken',
            name='expires_at',
            field=fields.DatetimeField(null=True, description='refused from this instant on (never if null)', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ApiToken',
            name='last_used_at',
            field=fields.DatetimeField(null=True, description='the last request with it (to within minutes)', auto_now=False, auto_now_add=False),
        ),
    ]
