"""Search by meaning (issue 22): the vectors of articles and powers, stored in the database so that every
host searches with the same ones (search/semantic.py keeps them in memory, rebuilt from here)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain import data_version


async def version_new_tables(apps, schema_editor) -> None:
    """A vector added or dropped changes what a search answers: cached answers must not outlive it."""
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('qingquan', '0025_webhook_errors')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Embedding',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(description='article | power', max_length=10)),
                ('entity_id', fields.IntField()),
                ('model', fields.CharField(max_length=60)),
                ('text_hash', fields.CharField(max_length=32)),
                ('vector', fields.BinaryField(description="int8 × the model's dimensions (scaled to ±127, read back as a unit vector)")),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'search_embedding', 'app': 'qingquan', 'unique_together': (('kind', 'entity_id', 'model'),), 'indexes': [Index(fields=['model', 'text_hash'])], 'pk_attr': 'id', 'table_description': 'Vectors of articles and powers for the search by meaning (search/semantic.py).'},
            bases=['Model'],
        ),
        ops.RunPython(version_new_tables),
    ]
