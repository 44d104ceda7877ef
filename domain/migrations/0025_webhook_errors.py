"""Webhook targets (issue 21, item 9): a delivery's lastError used to keep 200 characters of what the
receiver answered, or the exception's text — an internal service's answer when a webhook pointed inside.
Existing ones keep only what is kept now: the status code and its standard phrase, or a short reason."""

from http import HTTPStatus

from tortoise import migrations
from tortoise.migrations import operations as ops

FAILED = "请求失败 (request failed)"


def _phrase(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


async def short_errors(apps, schema_editor) -> None:
    client = schema_editor.client
    mark = (lambda n: "?") if client.capabilities.dialect == "sqlite" else (lambda n: f"${n}")
    statuses = await client.execute_query_dict(
        "SELECT DISTINCT response_status FROM webhook_delivery WHERE last_error <> '' AND response_status IS NOT NULL"
    )
    for row in statuses:
        status = int(row["response_status"])
        await client.execute_query(
            f"UPDATE webhook_delivery SET last_error = {mark(1)} WHERE last_error <> '' AND response_status = {mark(2)}",
            [_phrase(status), status],
        )
    await client.execute_query(
        f"UPDATE webhook_delivery SET last_error = {mark(1)} WHERE last_error <> '' AND response_status IS NULL", [FAILED]
    )


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0022_change_feed")]

    initial = False

    operations = [ops.RunPython(short_errors)]
