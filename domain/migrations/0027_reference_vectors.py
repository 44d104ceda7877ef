"""对照 by meaning (issue 22, item 6): a reference catalogue's items keep their names' vectors, embedded
once when the list is imported (a district's 1,135 items take half a minute), with the model that made
them. Lists imported before have none: they are embedded when compared, until imported again."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0026_embeddings")]

    initial = False

    operations = [
        ops.AddField(
            model_name="ReferenceCatalog",
            name="vector_model",
            field=fields.CharField(default="", db_default="", description="the model of its items' name vectors ('' none)", max_length=100),
        ),
        ops.AddField(
            model_name="ReferencePower",
            name="name_vector",
            field=fields.BinaryField(null=True, description="the name's embedding (float32) for 对照 by meaning"),
        ),
    ]  # fmt: skip
