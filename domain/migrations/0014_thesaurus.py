"""The search's thesaurus (issue 10): administrators' everyday words and legal terms."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from domain import data_version


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0013_power_revisions")]

    operations = [
        ops.CreateModel(
            name="ThesaurusEntry",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("word", fields.CharField(unique=True, description="as people type it, e.g. 低保", max_length=40)),
                ("terms", fields.CharField(description="the legal terms, separated by spaces", max_length=400)),
                ("enabled", fields.BooleanField(default=True, description="false: the word expands to nothing")),
                ("note", fields.CharField(default="", max_length=200)),
                ("updated_by", fields.CharField(default="", description="who changed it last", max_length=100)),
                ("created_at", fields.DatetimeField(auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True)),
            ],
            options={
                "table": "thesaurus_entry",
                "app": "qingquan",
                "pk_attr": "id",
                "table_description": "Everyday words and the legal terms they stand for (over search/thesaurus.tsv).",
            },
            bases=["Model"],
        ),
        ops.RunPython(version_new_tables),
    ]
