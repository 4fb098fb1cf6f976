"""Item 14: production refuses ALLOWED_HOSTS that let any host in and a secret key that could be guessed.

The settings refuse them at start-up in production; `manage.py check --deploy` reports the same as errors when
it is run on a configuration that is not (yet) in production mode.
"""

import secrets

import pytest

from kring.core.deployment import allowed_hosts_problem, secret_key_problem
from tests.test_settings import assert_refused, production, run, start

DEVELOPMENT_KEY = "kring-development-only-not-secret"


@pytest.mark.parametrize("hosts", ["*", "kring.example.org,*", ".", ".nl", "*.example.org"])
def test_production_refuses_wildcard_allowed_hosts(tmp_path, hosts):
    assert_refused(start(tmp_path, **production(ALLOWED_HOSTS=hosts)), "ALLOWED_HOSTS must name")


def test_production_accepts_a_subdomain_pattern_of_a_real_domain(tmp_path):
    result = start(tmp_path, **production(ALLOWED_HOSTS=".kring.example.org,kring.example.be"))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "changeme" * 7,
        "secret" * 10,
        "abcdefghij" * 5,  # ten different characters, but one piece repeated
        "django-insecure-q7Vt2mXbN9pL4sR8wK1zC6hJ3fD0yG5uE2aTnW8oB7iM4kQ",  # Django's own development prefix
        "please-replace-this-with-a-long-random-value-for-kring",
        "my-super-secret-production-key-for-the-youth-care-organisation",
        "0123456789" * 5 + "x",
        "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffff",  # six different characters
    ],
)
def test_production_refuses_a_guessable_secret_key(tmp_path, key):
    assert_refused(start(tmp_path, **production(SECRET_KEY=key)), "SECRET_KEY must be set")


def test_random_keys_of_the_usual_kinds_are_accepted():
    """No false refusal for keys made the usual ways: Django's generator, base64 and hexadecimal."""
    from django.core.management.utils import get_random_secret_key

    for _attempt in range(2000):
        for key in (get_random_secret_key(), secrets.token_urlsafe(40), secrets.token_hex(25)):
            assert secret_key_problem(key, DEVELOPMENT_KEY) is None, key


def test_the_rules_say_why():
    assert "development key" in secret_key_problem(DEVELOPMENT_KEY, DEVELOPMENT_KEY)
    assert "shorter" in secret_key_problem("x" * 49, DEVELOPMENT_KEY)
    assert "different characters" in secret_key_problem("changeme" * 7, DEVELOPMENT_KEY)
    assert "repeated" in secret_key_problem("0123456789" * 5 + "x", DEVELOPMENT_KEY)
    assert "placeholder" in secret_key_problem("changeme-" + secrets.token_hex(30), DEVELOPMENT_KEY)
    assert allowed_hosts_problem(["kring.example.org", ".kring.example.org", "127.0.0.1"]) is None
    assert "any host" in allowed_hosts_problem(["*"])
    assert "wildcard" in allowed_hosts_problem(["."])


def test_check_deploy_reports_them_outside_production_mode_too(tmp_path):
    """Someone who runs the deployment check before switching KRING_MODE still hears about both."""
    result = run(["manage.py", "check", "--deploy"], tmp_path, SECRET_KEY="changeme" * 7, ALLOWED_HOSTS="*")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "kring.E002" in output and "SECRET_KEY" in output
    assert "kring.E003" in output and "ALLOWED_HOSTS" in output
