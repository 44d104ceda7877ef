"""Webhooks of any token (issue 25, item 7): a county system registers its own webhooks with its own token,
and hears only what that token may see (while it is valid). Admins' webhooks keep their role and no token."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0029_alarms")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Webhook",
            name="token",
            field=fields.ForeignKeyField("qingquan.ApiToken", source_field="token_id", null=True, description="the token that registered it for itself: it hears what that token may see, while the token is valid", db_constraint=True, to_field="id", related_name="webhooks", on_delete=OnDelete.CASCADE),
        ),  # fmt: skip
        ops.AddIndex(model_name="Webhook", index=Index(fields=["token_id"])),
    ]
