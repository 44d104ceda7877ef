"""An index for every foreign key (a parent's delete and every by-parent lookup used to scan the child
table), and, on SQLite, legal_document's unique (work, version_date), which a table rebuild of
0003 dropped (tortoise's SQLite ALTER rebuilds a table without its indexes)."""

import logging

from tortoise import migrations
from tortoise.exceptions import IntegrityError
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

log = logging.getLogger("qingquan.migrations")
#: the name tortoise gives the constraint on PostgreSQL, so that a later migration finds it by name
LEGAL_DOCUMENT_UNIQUE = "uid_legal_docum_work_id_ad3b5d"


async def restore_sqlite_unique(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return  # PostgreSQL never lost it
    columns = '"legal_document" ("work_id", "version_date")'
    try:
        await client.execute_query(f'CREATE UNIQUE INDEX IF NOT EXISTS "{LEGAL_DOCUMENT_UNIQUE}" ON {columns}')
    except IntegrityError:
        # duplicates got in while the constraint was missing: index the key anyway, and say so
        log.warning("legal_document has several rows for one (work, version_date): not made unique")
        await client.execute_query(f'CREATE INDEX IF NOT EXISTS "{LEGAL_DOCUMENT_UNIQUE}" ON {columns}')


async def noop(apps, schema_editor) -> None:
    pass


class Migration(migrations.Migration):
    dependencies = [('qingquan', '0008_counters_and_token_expiry')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='ApiToken',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='ChangeNotice',
            index=Index(fields=['power_id']),
        ),
        ops.AddIndex(
            model_name='Complaint',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='Complaint',
            index=Index(fields=['power_id']),
        ),
        ops.AddIndex(
            model_name='DisclosureRecord',
            index=Index(fields=['power_id', 'disclosed_on']),
        ),
        ops.AddIndex(
            model_name='DisclosureRecord',
            index=Index(fields=['operation_id']),
        ),
        ops.AddIndex(
            model_name='FlowEdge',
            index=Index(fields=['chart_id']),
        ),
        ops.AddIndex(
            model_name='FlowEdge',
            index=Index(fields=['source_id']),
        ),
        ops.AddIndex(
            model_name='FlowEdge',
            index=Index(fields=['target_id']),
        ),
        ops.AddIndex(
            model_name='FlowStep',
            index=Index(fields=['chart_id', 'ordinal']),
        ),
        ops.AddIndex(
            model_name='FlowStep',
            index=Index(fields=['position_id']),
        ),
        ops.AddIndex(
            model_name='HolidayDate',
            index=Index(fields=['holiday_year_id']),
        ),
        ops.AddIndex(
            model_name='Inspection',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='OperationRecord',
            index=Index(fields=['power_id']),
        ),
        ops.AddIndex(
            model_name='OperationStep',
            index=Index(fields=['operation_id', 'started_on']),
        ),
        ops.AddIndex(
            model_name='OperationStep',
            index=Index(fields=['flow_step_id']),
        ),
        ops.AddIndex(
            model_name='Power',
            index=Index(fields=['unit_id']),
        ),
        ops.AddIndex(
            model_name='PowerBasis',
            index=Index(fields=['article_id']),
        ),
        ops.AddIndex(
            model_name='StoredFile',
            index=Index(fields=['document_id']),
        ),
        ops.AddIndex(
            model_name='Unit',
            index=Index(fields=['parent_id']),
        ),
        ops.RunPython(restore_sqlite_unique, noop),
    ]
