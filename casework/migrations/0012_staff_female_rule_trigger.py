"""The female-officer rule, held by PostgreSQL itself.

Services (``casework.eligibility``) refuse first; these triggers refuse any
write that slips past them, raw SQL included: an open case whose victim asked
for a female officer may not be left with an assigned officer who is not
female, whether the write assigns the case or changes the officer's recorded
sex. Finished cases (resolved, closed, withdrawn) keep their history.
No-op on SQLite (the embedded default), which has no such triggers here.
"""

from django.db import migrations

FINISHED = "('resolved', 'closed', 'withdrawn')"

CREATE = f"""
CREATE OR REPLACE FUNCTION casework_case_female_rule() RETURNS trigger AS $$
BEGIN
    IF NEW.wants_female_officer AND NEW.assigned_officer_id IS NOT NULL
       AND NEW.status NOT IN {FINISHED}
       AND NOT EXISTS (
           SELECT 1 FROM casework_staffprofile
           WHERE id = NEW.assigned_officer_id AND sex = 'female'
       ) THEN
        RAISE EXCEPTION 'female_officer_required: case % needs a female officer', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER casework_case_female_rule
    BEFORE INSERT OR UPDATE OF assigned_officer_id, wants_female_officer, status
    ON casework_case
    FOR EACH ROW EXECUTE FUNCTION casework_case_female_rule();

CREATE OR REPLACE FUNCTION casework_staffprofile_female_rule() RETURNS trigger AS $$
BEGIN
    IF NEW.sex <> 'female' AND EXISTS (
           SELECT 1 FROM casework_case
           WHERE assigned_officer_id = NEW.id AND wants_female_officer
             AND status NOT IN {FINISHED}
       ) THEN
        RAISE EXCEPTION 'female_officer_required: staff profile % holds cases that need a female officer', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER casework_staffprofile_female_rule
    BEFORE UPDATE OF sex ON casework_staffprofile
    FOR EACH ROW EXECUTE FUNCTION casework_staffprofile_female_rule();
"""

DROP = """
DROP TRIGGER IF EXISTS casework_staffprofile_female_rule ON casework_staffprofile;
DROP FUNCTION IF EXISTS casework_staffprofile_female_rule();
DROP TRIGGER IF EXISTS casework_case_female_rule ON casework_case;
DROP FUNCTION IF EXISTS casework_case_female_rule();
"""


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("casework", "0011_staff_change_requests")]

    operations = [migrations.RunPython(_forwards, _backwards)]
