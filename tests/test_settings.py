"""Kring's settings read from the environment; production refuses to start with an unsafe configuration.

Every case starts a fresh Python process with an environment built here from nothing, so the settings module
is imported exactly as a server would import it and nothing leaks in from the shell running the tests.
"""

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAFE_KEY = secrets.token_urlsafe(64)
PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({name: getattr(s, name) for name in %r}, default=str))"
)


def run(args, tmp_path, **environment):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KRING_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kring.sqlite3'}",
    }
    env.update({key: value for key, value in environment.items() if value is not None})
    for key, value in environment.items():
        if value is None:
            env.pop(key, None)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def start(tmp_path, **environment):
    """Import Kring's settings and set Django up, as every server process does first."""
    return run(["-c", "import django; django.setup()"], tmp_path, **environment)


def read_settings(tmp_path, *names, **environment):
    result = run(["-c", PRINT_SETTINGS % (names,)], tmp_path, **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production(**overrides):
    environment = {
        "KRING_MODE": "production",
        "SECRET_KEY": SAFE_KEY,
        "ALLOWED_HOSTS": "kring.example.org",
        "TRUSTED_PROXY_COUNT": "1",
    }
    environment.update(overrides)
    return environment


def assert_refused(result, message):
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Unsafe production configuration" in result.stderr
    assert message in result.stderr, result.stderr


# --- Production refuses to start -------------------------------------------------------------------------------


def test_safe_production_configuration_starts(tmp_path):
    result = start(tmp_path, **production())
    assert result.returncode == 0, result.stderr


def test_production_refuses_debug(tmp_path):
    assert_refused(start(tmp_path, **production(DEBUG="true")), "DEBUG must be off")


@pytest.mark.parametrize(
    "key",
    [
        None,  # missing: the development default would be used
        "kring-development-only-not-secret",  # the development default, given explicitly
        "too-short-" + "x" * 20,
        "a" * 80,  # long but not random
        "",
    ],
)
def test_production_refuses_an_unsafe_secret_key(tmp_path, key):
    assert_refused(start(tmp_path, **production(SECRET_KEY=key)), "SECRET_KEY must be set")


def test_production_refuses_without_allowed_hosts(tmp_path):
    assert_refused(start(tmp_path, **production(ALLOWED_HOSTS=None)), "ALLOWED_HOSTS must name")
    assert_refused(start(tmp_path, **production(ALLOWED_HOSTS="")), "ALLOWED_HOSTS must name")


def test_production_names_every_problem_at_once(tmp_path):
    result = start(tmp_path, KRING_MODE="production", DEBUG="1")
    assert_refused(result, "DEBUG must be off")
    assert "SECRET_KEY must be set" in result.stderr
    assert "ALLOWED_HOSTS must name" in result.stderr


def test_manage_py_refuses_too(tmp_path):
    result = run(["manage.py", "check"], tmp_path, **production(SECRET_KEY=None))
    assert_refused(result, "SECRET_KEY must be set")


def test_unknown_mode_is_refused(tmp_path):
    result = start(tmp_path, KRING_MODE="prod")
    assert result.returncode != 0
    assert "KRING_MODE must be 'development' or 'production'" in result.stderr


def test_safe_production_passes_the_deployment_check(tmp_path):
    # The deployment check reaches the cache, so its table must exist, as the README's start-up order has it.
    assert run(["manage.py", "createcachetable"], tmp_path, **production()).returncode == 0
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_are_hardened(tmp_path):
    values = read_settings(
        tmp_path,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
        **production(ALLOWED_HOSTS="kring.example.org,kring.example.be"),
    )
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "ALLOWED_HOSTS": ["kring.example.org", "kring.example.be"],
    }


def test_development_needs_no_configuration(tmp_path):
    values = read_settings(tmp_path, "DEBUG", "KRING_MODE", "ALLOWED_HOSTS", DATABASE_URL=None)
    assert values["DEBUG"] is True
    assert values["KRING_MODE"] == "development"
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]
    # Its database is one SQLite file under the var directory.
    databases = read_settings(tmp_path, "DATABASES", DATABASE_URL=None)["DATABASES"]
    assert databases["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert databases["default"]["NAME"] == str(tmp_path / "var" / "kring.sqlite3")


# --- Database URL ----------------------------------------------------------------------------------------------


def test_database_url_sqlite(tmp_path):
    path = tmp_path / "elsewhere.sqlite3"
    default = read_settings(tmp_path, "DATABASES", DATABASE_URL=f"sqlite:///{path}")["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.sqlite3"
    assert default["NAME"] == str(path)
    assert "journal_mode=WAL" in default["OPTIONS"]["init_command"]
    assert default["ATOMIC_REQUESTS"] is False


def test_database_url_postgresql(tmp_path):
    url = "postgresql://kring:s3cr%40t@db.example.org:6543/kring_prod"
    default = read_settings(tmp_path, "DATABASES", DATABASE_URL=url, DB_CONN_MAX_AGE="120")["DATABASES"]["default"]
    assert default["ENGINE"] == "django.db.backends.postgresql"
    assert (default["NAME"], default["USER"], default["PASSWORD"]) == ("kring_prod", "kring", "s3cr@t")
    assert (default["HOST"], str(default["PORT"])) == ("db.example.org", "6543")
    assert default["CONN_MAX_AGE"] == 120
    assert "init_command" not in default.get("OPTIONS", {})


# --- Other settings from the environment ----------------------------------------------------------------------


def test_idle_minutes_and_lockout_come_from_the_environment(tmp_path):
    values = read_settings(
        tmp_path,
        "SESSION_IDLE_MINUTES",
        "SESSION_COOKIE_AGE",
        "MIDDLEWARE",
        "LOGIN_FAILURES_ALLOWED",
        "ACCOUNT_RATE_LIMITS",
        SESSION_IDLE_MINUTES="10",
        LOGIN_FAILURES_ALLOWED="3",
        LOGIN_LOCKOUT_MINUTES="60",
    )
    assert values["SESSION_IDLE_MINUTES"] == 10
    assert values["SESSION_COOKIE_AGE"] == 600
    assert "kring.core.middleware.IdleSessionMiddleware" in values["MIDDLEWARE"]
    assert values["LOGIN_FAILURES_ALLOWED"] == 3
    assert "3/60m/key" in values["ACCOUNT_RATE_LIMITS"]["login_failed"].split(",")


def test_defaults_for_idle_minutes_and_lockout(tmp_path):
    values = read_settings(tmp_path, "SESSION_COOKIE_AGE", "LOGIN_FAILURES_ALLOWED", "ACCOUNT_RATE_LIMITS", "CACHES")
    assert values["SESSION_COOKIE_AGE"] == 30 * 60
    assert values["LOGIN_FAILURES_ALLOWED"] == 5
    assert "5/15m/key" in values["ACCOUNT_RATE_LIMITS"]["login_failed"].split(",")
    # Without Redis the lockout counters live in the database, shared by every process.
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


def test_redis_url_moves_the_cache_to_redis(tmp_path):
    values = read_settings(tmp_path, "CACHES", REDIS_URL="redis://127.0.0.1:6379/0")
    assert values["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
        "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        "KEY_PREFIX": "",
    }
