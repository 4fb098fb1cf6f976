"""Item 11: a small team writing at the same moment gets no "database is locked" (SQLite) and no error at all.

Five colleagues post to one case at once, each through the pages: edit a person, add a person, upload and confirm
a GEDCOM family tree, import a network document, record a consent, and one edits the case. The writers run in a
separate process (``concurrent_writers.py``) against a database of their own: on SQLite a fresh file with
Kring's own settings (the test run's SQLite database lives in memory, where locking works differently), on
PostgreSQL a fresh database. Before immediate transactions, SQLite answered some of these with a server error
("database is locked") when a transaction that began by reading tried to write after another had.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WRITERS, ROUNDS = 5, 3


def _postgres_database(name):
    """A fresh PostgreSQL database beside the test run's, and its URL."""
    import environ
    import psycopg

    url = os.environ["DATABASE_URL"]
    admin = environ.Env.db_url_config(url)
    params = {
        "host": admin["HOST"] or "127.0.0.1",
        "port": admin["PORT"] or 5432,
        "user": admin["USER"],
        "password": admin["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name, lambda: _drop(params, name)


def _drop(params, name):
    import psycopg

    with psycopg.connect(**params) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(env, *args, timeout=900):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_five_colleagues_writing_at_once_get_no_error(tmp_path):
    env = {
        **os.environ,
        "KRING_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("KRING_MODE", None)
    cleanup = None
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        env["DATABASE_URL"], cleanup = _postgres_database(f"{connection.settings_dict['NAME']}_concurrent")
    else:
        env.pop("DATABASE_URL", None)  # Kring's embedded default: the SQLite file under KRING_VAR_DIR
    try:
        migrated = _run(env, "manage.py", "migrate", "-v0")
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        done = _run(env, "-m", "tests.security.concurrent_writers", str(WRITERS), str(ROUNDS))
    finally:
        if cleanup:
            cleanup()
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == ("postgresql" if cleanup else "sqlite")
    assert result["errors"] == [], result["errors"]
    statuses = result["statuses"]
    server_errors = {name: codes for name, codes in statuses.items() if any(int(c) >= 500 for c in codes)}
    assert not server_errors, (server_errors, done.stderr[-3000:])
    # Every write went through: redirects after a save, the GEDCOM preview page after an upload.
    writes = WRITERS * ROUNDS
    assert statuses["person edit"] == {"302": writes}, statuses
    assert statuses["person add"] == {"302": writes}, statuses
    assert statuses["gedcom upload"] == {"200": writes}, statuses
    assert statuses["gedcom confirm"] == {"302": writes}, statuses
    assert statuses["json import"] == {"302": writes}, statuses
    assert statuses["consent"] == {"302": writes}, statuses
    assert statuses["case edit"] == {"302": ROUNDS}, statuses
    # The persons of the case, each writer's additions, three persons per GEDCOM import, one per JSON import.
    assert result["counts"]["persons"] == WRITERS + writes * (1 + 3 + 1)
