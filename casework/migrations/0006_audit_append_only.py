"""The audit log is append-only in the database itself (PostgreSQL).

A trigger refuses every UPDATE and DELETE on casework_auditevent, whoever
connects. Someone with the rights to disable the trigger can still edit rows,
but then the hash chain breaks (``manage.py verify_audit``), and a rewrite of
the whole chain is caught against an exported head (``export_audit_head``).
TRUNCATE is not trapped here (Django's test flush uses it); production should
give the application's database role no TRUNCATE right on the table.

On SQLite (the embedded default) nothing is installed.
"""

from django.db import migrations

STATEMENTS = [
    """
    CREATE OR REPLACE FUNCTION casework_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            MESSAGE = 'casework_auditevent is append-only: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    "DROP TRIGGER IF EXISTS casework_auditevent_append_only ON casework_auditevent",
    """
    CREATE TRIGGER casework_auditevent_append_only
        BEFORE UPDATE OR DELETE ON casework_auditevent
        FOR EACH ROW EXECUTE FUNCTION casework_auditevent_append_only()
    """,
]

DROP_STATEMENTS = [
    "DROP TRIGGER IF EXISTS casework_auditevent_append_only ON casework_auditevent",
    "DROP FUNCTION IF EXISTS casework_auditevent_append_only()",
]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in STATEMENTS:
            schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_STATEMENTS:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0005_workflow"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
