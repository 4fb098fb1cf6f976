"""Item 3: with REDIS_URL set, logging in works, the login limits hold across processes through Redis, and
`manage.py check --deploy` fails when the configured cache cannot be reached.

These run against the real Redis at 127.0.0.1:6379 (REDIS_TEST_URL chooses another), each test under a key
prefix of its own, so they neither see nor disturb other runs sharing that Redis.
"""

import os
import subprocess
import sys
import uuid

import pytest

from tests.factories import PASSWORD, make_user
from tests.test_settings import ROOT, production, run

from .logins import browser, is_logged_in, log_in, page_text, too_many_attempts

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/12"


@pytest.fixture
def redis_cache(settings):
    prefix = f"kring-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": prefix,
        }
    }
    return prefix


def test_login_works_with_redis_as_the_cache(db, redis_cache):
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "RedisCache"
    user = make_user(email="hulpverlener@example.org")
    client = browser("198.51.100.5")
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 302, page_text(response)
    assert is_logged_in(client)


def test_failures_counted_by_another_process_hold_here(db, redis_cache):
    """A second Django process records failed attempts in Redis; this process refuses the pair afterwards."""
    user = make_user(email="hulpverlener@example.org")
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import RequestFactory\n"
        "from kring.accounts.login_throttle import admit\n"
        "for _ in range(settings.LOGIN_FAILURES_ALLOWED):\n"
        "    request = RequestFactory().post('/accounts/login/', REMOTE_ADDR='203.0.113.66')\n"
        f"    admit(request, {user.email!r})  # counted as a failure: never forgiven by a success\n"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": REDIS_TEST_URL,
        "CACHE_KEY_PREFIX": redis_cache,
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr

    assert too_many_attempts() in page_text(log_in(browser("203.0.113.66"), user.email, PASSWORD))
    assert log_in(browser("198.51.100.5"), user.email, PASSWORD).status_code == 302


def test_cache_key_prefix_comes_from_the_environment(tmp_path):
    from tests.test_settings import read_settings

    values = read_settings(tmp_path, "CACHES", REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX="kring-a")
    assert values["CACHES"]["default"]["KEY_PREFIX"] == "kring-a"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/0"


# --- check --deploy fails on a cache it cannot reach ------------------------------------------------------------


def deployment_check(tmp_path, **environment):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production(**environment))
    return result, result.stdout + result.stderr


def test_check_deploy_fails_when_redis_cannot_be_reached(tmp_path):
    result, output = deployment_check(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode != 0, output
    assert "kring.E001" in output, output


def test_check_deploy_fails_when_the_cache_table_is_missing(tmp_path):
    result, output = deployment_check(tmp_path)  # the database cache, and no createcachetable
    assert result.returncode != 0, output
    assert "kring.E001" in output and "createcachetable" in output, output


def test_check_deploy_passes_with_a_reachable_redis(tmp_path):
    result, output = deployment_check(tmp_path, REDIS_URL=REDIS_TEST_URL)
    assert result.returncode == 0, output
    assert "no issues" in output
