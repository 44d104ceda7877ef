"""领导小组 (附1) as data: the leading group's members and the seats they hold; API tokens bound to a
member, their seat an enum (null for none, no longer ''), and the member who approved a review."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain import data_version
from domain.enums import GroupRole, ReviewSeat


async def seats_and_triggers(apps, schema_editor) -> None:
    """A token without a seat (or with a string that names none) now has NULL; SQLite: the new table gets
    its data-version triggers, and api_token, which SQLite rebuilt to alter `seat`, its index on unit_id
    (tortoise's rebuild keeps none of its indexes)."""
    client = schema_editor.client
    seats = ", ".join(f"'{seat.value}'" for seat in ReviewSeat)
    await client.execute_query(f"UPDATE api_token SET seat = NULL WHERE seat NOT IN ({seats})")
    if client.capabilities.dialect != "sqlite":
        return
    index = schema_editor._generate_index_name_for_table("idx", "api_token", ["unit_id"])
    await client.execute_query(f'CREATE INDEX IF NOT EXISTS "{index}" ON "api_token" ("unit_id")')
    await data_version.install(client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0016_information_requests")]

    initial = False

    operations = [
        ops.CreateModel(
            name="LeadingGroupMember",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(description="姓名", max_length=50)),
                ("post", fields.CharField(description="职务, e.g. 县委常委、常务副县长", max_length=100)),
                ("unit", fields.ForeignKeyField("qingquan.Unit", source_field="unit_id", description="所在单位", db_constraint=True, to_field="id", related_name="leading_group_members", on_delete=OnDelete.RESTRICT)),
                ("group_role", fields.CharEnumField(description="组长, 副组长 or 成员", enum_type=GroupRole, max_length=16)),
                ("seat", fields.CharEnumField(null=True, description="the office seat held for the group, if any", enum_type=ReviewSeat, max_length=32)),
            ],
            options={"table": "leading_group_member", "app": "qingquan", "unique_together": (("unit", "name"),), "pk_attr": "id", "table_description": "A member of the county's 清权确权工作领导小组 (附1): who, from which unit, 组长 / 副组长 / 成员,"},
            bases=["Timestamped"],
        ),  # fmt: skip
        ops.AlterField(
            model_name="ApiToken",
            name="seat",
            field=fields.CharEnumField(null=True, description="a REVIEWER's seat: one office or the leading group", enum_type=ReviewSeat, max_length=32),
        ),  # fmt: skip
        ops.AddField(
            model_name="ApiToken",
            name="member",
            field=fields.ForeignKeyField("qingquan.LeadingGroupMember", source_field="member_id", null=True, description="the leading group's member (附1) who holds the token's seat", db_constraint=True, to_field="id", related_name="tokens", on_delete=OnDelete.SET_NULL),
        ),  # fmt: skip
        ops.AddIndex(model_name="ApiToken", index=Index(fields=["member_id"])),
        ops.AddField(
            model_name="Review",
            name="approved_member",
            field=fields.ForeignKeyField("qingquan.LeadingGroupMember", source_field="approved_member_id", null=True, description="the leading group's member who approved, when the approving token is bound to one", db_constraint=True, to_field="id", related_name="approvals", on_delete=OnDelete.SET_NULL),
        ),  # fmt: skip
        ops.AddIndex(model_name="Review", index=Index(fields=["approved_member_id"])),
        # after the table exists and api_token is rebuilt
        ops.RunPython(seats_and_triggers),
    ]
