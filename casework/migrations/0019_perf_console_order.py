"""The console at national scale: a stored sort key and a searchable reference.

``console_rank`` and ``reference_key`` are stored generated columns (the
database computes them on every write). On PostgreSQL, reference search gets a
trigram index on ``reference_key`` so a part of a reference ("7K3M") is found
without reading every row, and the order index carries the columns the list
filters on (INCLUDE), so page 100 is an index-only walk like page 1; the
dashboard reads a unit's months from one covering index. SQLite
(the embedded default) keeps the plain index, which is fine at its scale.
"""

import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TRIGRAM_INDEX = "case_reference_trgm_idx"


ORDER_INDEX = "case_console_order_idx"
# What the list filters on (scope, filters): carried in the order index so a
# page is found by an index-only walk, without visiting the table.
ORDER_INDEX_INCLUDES = (
    "unit_id",
    "governorate_id",
    "assigned_officer_id",
    "status",
    "priority",
    "assignment_state",
    "first_contact_at",
)


DASHBOARD_INDEX = "case_dashboard_idx"


def postgresql_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The dashboard's months for one unit: an index-only range scan.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {DASHBOARD_INDEX} ON casework_case (unit_id, filed_at) "
        "INCLUDE (governorate_id, first_contact_at, resolved_at)",
        params=None,
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON casework_case "
        "USING gin (reference_key gin_trgm_ops)",
        params=None,
    )
    # The same index under the same name, covering the filtered columns.
    schema_editor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}", params=None)
    schema_editor.execute(
        f"CREATE INDEX {ORDER_INDEX} ON casework_case (console_rank, first_contact_due_at, id) "
        f"INCLUDE ({', '.join(ORDER_INDEX_INCLUDES)})",
        params=None,
    )


def postgresql_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {DASHBOARD_INDEX}", params=None)
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}", params=None)
    schema_editor.execute(f"DROP INDEX IF EXISTS {ORDER_INDEX}", params=None)
    schema_editor.execute(
        f"CREATE INDEX {ORDER_INDEX} ON casework_case (console_rank, first_contact_due_at, id)",
        params=None,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0018_audit_actions_merged_words"),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='console_rank',
            field=models.GeneratedField(db_persist=True, expression=models.Case(models.When(models.Q(('priority', 'urgent'), ('status__in', ['resolved', 'closed', 'withdrawn'])), then=models.Value(10)), models.When(models.Q(('priority', 'high'), ('status__in', ['resolved', 'closed', 'withdrawn'])), then=models.Value(11)), models.When(models.Q(('priority', 'normal'), ('status__in', ['resolved', 'closed', 'withdrawn'])), then=models.Value(12)), models.When(status__in=['resolved', 'closed', 'withdrawn'], then=models.Value(13)), models.When(models.Q(('first_contact_at__isnull', True), ('priority', 'urgent')), then=models.Value(0)), models.When(priority='urgent', then=models.Value(1)), models.When(models.Q(('first_contact_at__isnull', True), ('priority', 'high')), then=models.Value(2)), models.When(priority='high', then=models.Value(3)), models.When(models.Q(('first_contact_at__isnull', True), ('priority', 'normal')), then=models.Value(4)), models.When(priority='normal', then=models.Value(5)), default=models.Value(7)), output_field=models.PositiveSmallIntegerField(), verbose_name='queue order'),
        ),
        migrations.AddField(
            model_name='case',
            name='reference_key',
            field=models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Replace('reference', models.Value('-'), models.Value('')), output_field=models.CharField(max_length=16)),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['console_rank', 'first_contact_due_at', 'id'], name='case_console_order_idx'),
        ),
        # A no-op outside PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(postgresql_indexes_create, postgresql_indexes_drop, elidable=False),
    ]
