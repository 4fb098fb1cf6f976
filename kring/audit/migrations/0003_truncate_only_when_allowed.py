"""TRUNCATE of the access log stays refused, unless the session explicitly allows it.

Django's test runner empties every table with TRUNCATE between transactional tests; the test suite allows
that for its own connections with `SET kring.allow_audit_truncate = 'on'`. The application never sets it.
"""
from django.db import migrations

POSTGRES_UP = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_truncate ON audit_accesslogentry;",
    """CREATE OR REPLACE FUNCTION audit_accesslogentry_refuse_truncate() RETURNS trigger AS $$
       BEGIN
         IF coalesce(current_setting('kring.allow_audit_truncate', true), '') = 'on' THEN RETURN NULL; END IF;
         RAISE EXCEPTION 'access log entries are append-only';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON audit_accesslogentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_refuse_truncate();""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_truncate ON audit_accesslogentry;",
    "DROP FUNCTION IF EXISTS audit_accesslogentry_refuse_truncate();",
    """CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON audit_accesslogentry
       FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_refuse();""",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
