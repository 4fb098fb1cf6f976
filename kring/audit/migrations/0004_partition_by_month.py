"""The access log, partitioned by month on PostgreSQL; retention allowed through one narrow path (decisions 164-166).

PostgreSQL: the table becomes ``PARTITION BY RANGE (at)`` with one partition per calendar month (UTC) and a DEFAULT
partition, so an insert never fails. Existing rows are copied into the partitions of their months. The primary key
is (id, at), as a partitioned table needs the partition key in it; ``id`` keeps its own sequence, so it stays unique
and Django keeps treating it as the key. The row trigger on the parent is inherited by every partition (PostgreSQL
13 and later), and each partition gets its own TRUNCATE trigger, since statement triggers are not inherited.
``audit_accesslogentry_ensure_partition(month)`` creates a month's partition (moving any entries of that month out
of the DEFAULT partition first); the retention job (``kring.audit.retention``) calls it for the coming months.

Deletes stay refused, with two exceptions the guard names exactly:
- the retention path sets ``kring.audit_retention_before`` and ``kring.audit_retention_organisation`` for its own
  transaction (``SET LOCAL``): only that organisation's entries from before that moment may then be deleted;
- ``ensure_partition`` moves entries out of the DEFAULT partition under ``kring.audit_moving_out_of_default``.
Updates are always refused. Like 0003's allowed TRUNCATE, this guards against slips in our own code, not against
someone who can run SQL as the table's owner (who could also drop the trigger).

SQLite: no partitions. A trigger cannot read a session setting there, so the retention path writes a permit row
(organisation, before) into ``audit_retention_permit`` in its own transaction, deletes, and removes the permit; the
trigger lets a delete through only when a permit covers the row (an organisation of NULL is the archive's permit:
every entry before that moment).

Indexes: (organisation_id, at), (user_id, at), (case_id, at). The single-column indexes on at, organisation_id and
user_id go: each composite serves the same lookups and every index costs on each of the log's many inserts.
"""

from django.conf import settings
from django.db import migrations, models

TABLE = "audit_accesslogentry"

COLUMNS = """
    id bigint NOT NULL,
    at timestamp with time zone NOT NULL,
    user_label varchar(254) NOT NULL,
    organisation_id bigint NULL,
    case_id bigint NULL,
    record_type varchar(40) NOT NULL,
    record_id varchar(64) NOT NULL,
    action varchar(10) NOT NULL,
    ip_address inet NULL,
    path varchar(300) NOT NULL,
    detail varchar(300) NOT NULL,
    user_id bigint NULL
"""

GUARD = r"""
CREATE OR REPLACE FUNCTION audit_accesslogentry_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF TG_TABLE_NAME = 'audit_accesslogentry_default'
       AND coalesce(current_setting('kring.audit_moving_out_of_default', true), '') = 'on' THEN
      RETURN OLD;
    END IF;
    IF coalesce(current_setting('kring.audit_retention_before', true), '') <> ''
       AND coalesce(current_setting('kring.audit_retention_organisation', true), '') <> ''
       AND OLD.at < current_setting('kring.audit_retention_before')::timestamptz
       AND OLD.organisation_id = current_setting('kring.audit_retention_organisation')::bigint THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'access log entries are append-only';
END; $$ LANGUAGE plpgsql;
"""

ENSURE_PARTITION = r"""
CREATE OR REPLACE FUNCTION audit_accesslogentry_ensure_partition(month date) RETURNS boolean AS $$
DECLARE
  first_day timestamptz := (date_trunc('month', month)::date)::timestamp AT TIME ZONE 'UTC';
  next_day timestamptz := ((date_trunc('month', month) + interval '1 month')::date)::timestamp AT TIME ZONE 'UTC';
  part text := 'audit_accesslogentry_p' || to_char(month, 'YYYY_MM');
  strays bigint := 0;
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  IF to_regclass('audit_accesslogentry_default') IS NOT NULL THEN
    EXECUTE format('SELECT count(*) FROM audit_accesslogentry_default WHERE at >= %L AND at < %L', first_day, next_day)
      INTO strays;
  END IF;
  IF strays = 0 THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_accesslogentry FOR VALUES FROM (%L) TO (%L)',
                   part, first_day, next_day);
  ELSE
    -- Entries of this month went to the DEFAULT partition while it had none; they move to the new one.
    EXECUTE format('CREATE TABLE %I (LIKE audit_accesslogentry INCLUDING DEFAULTS)', part);
    PERFORM set_config('kring.audit_moving_out_of_default', 'on', true);
    EXECUTE format('WITH moved AS (DELETE FROM audit_accesslogentry_default WHERE at >= %L AND at < %L RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved', first_day, next_day, part);
    PERFORM set_config('kring.audit_moving_out_of_default', 'off', true);
    EXECUTE format('ALTER TABLE audit_accesslogentry ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part, first_day, next_day);
  END IF;
  EXECUTE format('CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON %I '
                 'FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_refuse_truncate()', part);
  RETURN true;
END; $$ LANGUAGE plpgsql;
"""

def _postgres_forward(schema_editor):
    def execute(statement):
        schema_editor.execute(statement, None)  # no parameters: the functions' bodies hold % signs

    execute(f"CREATE TABLE audit_accesslogentry_partitioned ({COLUMNS}) PARTITION BY RANGE (at)")
    execute(f"ALTER TABLE {TABLE} RENAME TO audit_accesslogentry_unpartitioned")
    execute("ALTER TABLE audit_accesslogentry_partitioned RENAME TO audit_accesslogentry")
    execute("CREATE TABLE audit_accesslogentry_default PARTITION OF audit_accesslogentry DEFAULT")
    execute(GUARD)
    execute(ENSURE_PARTITION)
    # A partition for every month that has entries, and for this month and the next two.
    execute(
        """SELECT audit_accesslogentry_ensure_partition(m::date) FROM generate_series(
             date_trunc('month', least(coalesce((SELECT min(at) FROM audit_accesslogentry_unpartitioned), now()), now())
                        AT TIME ZONE 'UTC'),
             date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months',
             interval '1 month') AS m"""
    )
    execute("INSERT INTO audit_accesslogentry SELECT * FROM audit_accesslogentry_unpartitioned")
    execute("DROP TABLE audit_accesslogentry_unpartitioned")  # its identity sequence, indexes and triggers too
    execute("ALTER TABLE audit_accesslogentry ADD CONSTRAINT audit_accesslogentry_pkey PRIMARY KEY (id, at)")
    execute("CREATE SEQUENCE audit_accesslogentry_id_seq OWNED BY audit_accesslogentry.id")
    execute(
        "SELECT setval('audit_accesslogentry_id_seq', coalesce((SELECT max(id) FROM audit_accesslogentry), 0) + 1,"
        " false)"
    )
    execute("ALTER TABLE audit_accesslogentry ALTER COLUMN id SET DEFAULT nextval('audit_accesslogentry_id_seq')")
    execute("CREATE INDEX audit_acces_case_id_95290b_idx ON audit_accesslogentry (case_id, at)")
    execute("CREATE INDEX audit_acces_user_id_802c15_idx ON audit_accesslogentry (user_id, at)")
    execute("CREATE INDEX audit_log_organisation_at ON audit_accesslogentry (organisation_id, at)")
    execute(
        "ALTER TABLE audit_accesslogentry ADD CONSTRAINT audit_accesslogentry_user_id_df6d7662_fk_accounts_user_id "
        "FOREIGN KEY (user_id) REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED"
    )
    execute(
        "CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR DELETE ON audit_accesslogentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_guard()"
    )
    for table in ("audit_accesslogentry", "audit_accesslogentry_default"):
        execute(
            f"CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_refuse_truncate()"
        )


def _postgres_backward(schema_editor):
    def execute(statement):
        schema_editor.execute(statement, None)  # no parameters: the functions' bodies hold % signs

    plain = COLUMNS.replace("id bigint NOT NULL,", "id bigint GENERATED BY DEFAULT AS IDENTITY,", 1)
    execute(f"CREATE TABLE audit_accesslogentry_plain ({plain})")
    execute("INSERT INTO audit_accesslogentry_plain SELECT * FROM audit_accesslogentry")
    execute("DROP TABLE audit_accesslogentry")  # every partition and the owned sequence with it
    execute("DROP FUNCTION IF EXISTS audit_accesslogentry_ensure_partition(date)")
    execute("DROP FUNCTION IF EXISTS audit_accesslogentry_guard()")
    execute("ALTER TABLE audit_accesslogentry_plain RENAME TO audit_accesslogentry")
    execute("ALTER TABLE audit_accesslogentry ADD CONSTRAINT audit_accesslogentry_pkey PRIMARY KEY (id)")
    execute(
        "SELECT setval(pg_get_serial_sequence('audit_accesslogentry', 'id'),"
        " coalesce((SELECT max(id) FROM audit_accesslogentry), 0) + 1, false)"
    )
    execute("CREATE INDEX audit_acces_case_id_95290b_idx ON audit_accesslogentry (case_id, at)")
    execute("CREATE INDEX audit_acces_user_id_802c15_idx ON audit_accesslogentry (user_id, at)")
    execute("CREATE INDEX audit_accesslogentry_at_94f1fe6b ON audit_accesslogentry (at)")
    execute("CREATE INDEX audit_accesslogentry_organisation_id_3510e30b ON audit_accesslogentry (organisation_id)")
    execute("CREATE INDEX audit_accesslogentry_user_id_df6d7662 ON audit_accesslogentry (user_id)")
    execute(
        "ALTER TABLE audit_accesslogentry ADD CONSTRAINT audit_accesslogentry_user_id_df6d7662_fk_accounts_user_id "
        "FOREIGN KEY (user_id) REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED"
    )
    execute(
        "CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR DELETE ON audit_accesslogentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_accesslogentry_refuse()"
    )
    execute(
        "CREATE TRIGGER audit_accesslogentry_no_truncate BEFORE TRUNCATE ON audit_accesslogentry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_accesslogentry_refuse_truncate()"
    )


SQLITE_UP = [
    "DROP INDEX IF EXISTS audit_accesslogentry_at_94f1fe6b",
    "DROP INDEX IF EXISTS audit_accesslogentry_organisation_id_3510e30b",
    "DROP INDEX IF EXISTS audit_accesslogentry_user_id_df6d7662",
    "CREATE INDEX audit_log_organisation_at ON audit_accesslogentry (organisation_id, at)",
    # A NULL organisation is the archive's permit: every entry before that moment.
    "CREATE TABLE audit_retention_permit (organisation_id bigint NULL, before datetime NOT NULL)",
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete",
    """CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry
       WHEN NOT EXISTS (SELECT 1 FROM audit_retention_permit AS p
                        WHERE (p.organisation_id IS NULL OR p.organisation_id = OLD.organisation_id)
                          AND OLD.at < p.before)
       BEGIN SELECT RAISE(ABORT, 'access log entries are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_accesslogentry_no_delete",
    """CREATE TRIGGER audit_accesslogentry_no_delete BEFORE DELETE ON audit_accesslogentry
       BEGIN SELECT RAISE(ABORT, 'access log entries are append-only'); END;""",
    "DROP TABLE IF EXISTS audit_retention_permit",
    "DROP INDEX IF EXISTS audit_log_organisation_at",
    "CREATE INDEX audit_accesslogentry_at_94f1fe6b ON audit_accesslogentry (at)",
    "CREATE INDEX audit_accesslogentry_organisation_id_3510e30b ON audit_accesslogentry (organisation_id)",
    "CREATE INDEX audit_accesslogentry_user_id_df6d7662 ON audit_accesslogentry (user_id)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _postgres_forward(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _postgres_backward(schema_editor)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_truncate_only_when_allowed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="accesslogentry",
                    name="at",
                    field=models.DateTimeField(auto_now_add=True, verbose_name="when"),
                ),
                migrations.AlterField(
                    model_name="accesslogentry",
                    name="organisation_id",
                    field=models.BigIntegerField(blank=True, null=True, verbose_name="organisation"),
                ),
                migrations.AlterField(
                    model_name="accesslogentry",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddIndex(
                    model_name="accesslogentry",
                    index=models.Index(fields=["organisation_id", "at"], name="audit_log_organisation_at"),
                ),
            ],
        )
    ]
