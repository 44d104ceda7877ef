"""An index for a subject's audit events by action: the webhook sender's round asks every few seconds which
overdue change notices and complaints it has announced (`change_notice.overdue`, `complaint.overdue`: an
audit event each, domain/catalog/webhooks.py), which scanned the whole append-only trail. It also joins the
migrations' branches (0027, 0028, 0032 and 0040 were all leaves)."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [
        ('qingquan', '0027_reference_vectors'), ('qingquan', '0028_online_cases'),
        ('qingquan', '0032_functions_rectifications'), ('qingquan', '0040_power_category_index'),
    ]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['action', 'entity_id']),
        ),
    ]
