"""Catalogue exchange (issue 13): reference catalogues of other places, webhooks and their deliveries."""

from orjson import loads
from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from domain import data_version
from domain.catalog.models import DeliveryStatus
from domain.enums import PowerCategory, Role


async def version_new_tables(apps, schema_editor) -> None:
    await data_version.install(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [("qingquan", "0011_data_version")]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReferenceCatalog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('place', fields.CharField(unique=True, description='地方 / 部门, e.g. 张家港市环保局', max_length=100)),
                ('source_name', fields.CharField(default='', description='the file it was read from', max_length=300)),
                ('imported_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('imported_by', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'reference_catalog', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': "Another place's 权力清单 (邯郸, 张家港, 大庆 …), kept to compare ours with (not our powers)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReferencePower',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('catalog', fields.ForeignKeyField('qingquan.ReferenceCatalog', source_field='catalog_id', db_constraint=True, to_field='id', related_name='powers', on_delete=OnDelete.CASCADE)),
                ('row', fields.IntField(description='row number in the source sheet')),
                ('code', fields.CharField(default='', max_length=100)),
                ('name', fields.CharField(max_length=300)),
                ('category', fields.CharEnumField(null=True, description='LICENSING: LICENSING\nPENALTY: PENALTY\nCOERCION: COERCION\nLEVY: LEVY\nBENEFIT: BENEFIT\nINSPECTION: INSPECTION\nCONFIRMATION: CONFIRMATION\nREWARD: REWARD\nADJUDICATION: ADJUDICATION\nOTHER: OTHER', enum_type=PowerCategory, max_length=32)),
                ('category_text', fields.CharField(default='', max_length=100)),
                ('unit_name', fields.CharField(default='', description='实施主体', max_length=200)),
                ('basis_text', fields.TextField(default='', unique=False)),
                ('citations', fields.JSONField(default=list, description='[[work key, article number], …] read from basis_text', encoder=JSON_DUMPS, decoder=loads)),
                ('time_limit', fields.CharField(default='', max_length=200)),
                ('time_limit_days', fields.IntField(null=True)),
            ],
            options={'table': 'reference_power', 'app': 'qingquan', 'indexes': [Index(fields=['catalog_id'])], 'pk_attr': 'id', 'table_description': 'One row of a reference catalogue, as read (category mapped, bases parsed into citations).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Webhook',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('url', fields.CharField(max_length=500)),
                ('secret', fields.CharField(description='HMAC-SHA256 key of the signature header', max_length=128)),
                ('events', fields.JSONField(default=list, description="event names (empty: all events)", encoder=JSON_DUMPS, decoder=loads)),
                ('role', fields.CharEnumField(description='PUBLIC: PUBLIC\nUNIT_STAFF: UNIT_STAFF\nUNIT_LEAD: UNIT_LEAD\nREVIEWER: REVIEWER\nINSPECTOR: INSPECTOR\nADMIN: ADMIN', enum_type=Role, max_length=16)),
                ('unit', fields.ForeignKeyField('qingquan.Unit', source_field='unit_id', null=True, db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('created_by', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'webhook', 'app': 'qingquan', 'indexes': [Index(fields=['unit_id'])], 'pk_attr': 'id', 'table_description': "A county system's endpoint for events, seeing what its role (and unit) may see."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('webhook', fields.ForeignKeyField('qingquan.Webhook', source_field='webhook_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event', fields.CharField(max_length=50)),
                ('subject', fields.CharField(default='', description='what the event is about: power:12, complaint:3', max_length=100)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('response_status', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'qingquan', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['webhook_id', 'event', 'subject'])], 'pk_attr': 'id', 'table_description': 'One event for one webhook: queued in the transaction of the change, sent after and retried.'},
            bases=['Model'],
        ),
        # after the tables exist, so that SQLite gives them their data-version triggers
        ops.RunPython(version_new_tables),
    ]
