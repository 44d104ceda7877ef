"""公开范围 of each published version (issue 11, item 5): a version published while its power was disclosed
to the leadership only (领导班子内公开) stays hidden from the unit's staff even after the power is
disclosed more widely, as a version that was not public then stays hidden from the public. Existing
versions get the scope their snapshot recorded (or, without one, the power's). The column has a
database default so that it can be added to a table that has rows."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from domain.enums import DisclosureScope


async def scopes_from_snapshots(apps, schema_editor) -> None:
    client = schema_editor.client
    recorded = (
        "json_extract(snapshot, '$.disclosure_scope')"
        if client.capabilities.dialect == "sqlite"
        else "(snapshot::jsonb ->> 'disclosure_scope')"
    )
    known = ", ".join(f"'{scope.value}'" for scope in DisclosureScope)
    await client.execute_query(
        f"UPDATE power_version SET scope = COALESCE("
        f"CASE WHEN {recorded} IN ({known}) THEN {recorded} END, "
        f"(SELECT power.disclosure_scope FROM power WHERE power.id = power_version.power_id), 'PUBLIC')"
    )


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0019_comment_periods")]

    initial = False

    operations = [
        ops.AddField(
            model_name="PowerVersion",
            name="scope",
            field=fields.CharEnumField(default=DisclosureScope.PUBLIC, db_default=DisclosureScope.PUBLIC, description="公开范围 in this version", enum_type=DisclosureScope, max_length=32),
        ),  # fmt: skip
        ops.RunPython(scopes_from_snapshots),
    ]
