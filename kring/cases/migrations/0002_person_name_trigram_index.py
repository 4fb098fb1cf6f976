"""Name search over a million persons: a trigram index on PostgreSQL answers LIKE '%part%' from the index.

SQLite, the embedded default for small installations, scans; it has no trigram index.
"""
from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS cases_person_search_name_trgm "
            "ON cases_person USING gin (search_name gin_trgm_ops);"
        )
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS cases_case_family_name_trgm "
            "ON cases_case USING gin (upper(family_name::text) gin_trgm_ops);"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_person_search_name_trgm;")
        schema_editor.execute("DROP INDEX IF EXISTS cases_case_family_name_trgm;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
