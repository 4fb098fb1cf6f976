"""Review item 5: two-factor login holds for the API too, and API tokens are stored only as a digest.

A browser session of an administrator, privacy officer or superuser may use the API only when that session passed
the second factor (an authenticator code at login, or setting the authenticator up in this session). allauth asks
for the code before it logs in a user who has an authenticator, so a password-only session of such a user cannot
be made through the login page; a session without the second factor arises when the user has no authenticator
yet, or when the session was made otherwise (here: ``force_login``). Token calls stay exempt (decision 17).
"""

import hashlib

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from kring.accounts.models import ApiToken, User
from kring.audit.models import AccessLogEntry

from ..factories import PASSWORD, enable_totp, make_api_token, totp_code

CASES = "/api/v1/cases/"


def log_in(client, user, secret=None):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    if secret:
        assert response["Location"] == reverse("mfa_authenticate")
        assert client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}).status_code == 302
    return client


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.org", PASSWORD)


def two_factor_user(world, who, root):
    return root if who == "superuser" else getattr(world.a, who)


def assert_refused_for_missing_second_factor(response):
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "two-factor" in response.json()["detail"] or "twee stappen" in response.json()["detail"]


@pytest.mark.parametrize("who", ["administrator", "privacy_officer", "superuser"])
def test_password_only_session_without_an_authenticator_cannot_use_the_api(client, world, root, who):
    user = two_factor_user(world, who, root)
    user.authenticator_set.all().delete()
    log_in(client, user)
    assert_refused_for_missing_second_factor(client.get(CASES, HTTP_ACCEPT_LANGUAGE="en"))


@pytest.mark.parametrize("who", ["administrator", "privacy_officer"])
def test_session_that_skipped_the_second_factor_cannot_use_the_api(client, world, who):
    # Has an authenticator, but this session never entered a code.
    client.force_login(getattr(world.a, who), second_factor=False)
    assert_refused_for_missing_second_factor(client.get(CASES))
    assert_refused_for_missing_second_factor(client.post(CASES, {}, content_type="application/json"))


@pytest.mark.parametrize("who", ["administrator", "privacy_officer"])
def test_page_session_that_skipped_the_second_factor_ends(client, world, who):
    """A session opened before the authenticator was set up (here: made without the code) does not open pages:
    it is logged out and sent to the login, and the refusal is in the log of the user's organisation."""
    user = getattr(world.a, who)
    client.force_login(user, second_factor=False)
    page = "/access-log/" if who == "privacy_officer" else "/admin/"
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert AccessLogEntry.objects.filter(
        user=user, action="denied", record_type="login_session", organisation_id=world.a.org.pk
    ).exists()
    # After a login with both steps the same page opens.
    client.force_login(user)
    assert client.get(page).status_code == 200


def test_the_refusal_is_in_dutch_by_default_and_logged(client, world):
    client.force_login(world.a.privacy_officer, second_factor=False)
    response = client.get(CASES)
    assert response.status_code == 403 and "twee stappen" in response.json()["detail"]
    assert AccessLogEntry.objects.filter(user=world.a.privacy_officer, action="denied", path=CASES).exists()


@pytest.mark.parametrize("who", ["administrator", "privacy_officer"])
def test_session_that_passed_the_second_factor_may_use_the_api(client, world, who):
    user = getattr(world.a, who)
    user.authenticator_set.all().delete()
    secret = enable_totp(user)
    log_in(client, user, secret)
    assert client.get(CASES).status_code == 200


# allauth announces a new authenticator once its transaction commits; a test transaction never commits, so this
# test runs with real commits, as a request does.
@pytest.mark.django_db(transaction=True)
def test_setting_up_the_authenticator_in_this_session_counts_as_the_second_factor(client, world):
    user = world.a.administrator
    user.authenticator_set.all().delete()
    log_in(client, user)
    setup = reverse("mfa_activate_totp")
    reauthenticate = client.get(setup)["Location"]
    client.post(reauthenticate, {"password": PASSWORD})
    secret = client.get(setup).context["form"].secret
    assert client.post(setup, {"code": totp_code(secret)}).status_code == 302
    assert client.get(CASES).status_code == 200


def test_case_workers_need_no_second_factor_for_the_api(client, world):
    log_in(client, world.a.case_worker)
    assert client.get(CASES).status_code == 200


def test_token_calls_stay_exempt(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(world.a.administrator)}")
    assert api.get(CASES).status_code == 200


# --- Tokens: a digest in the database, the key shown once --------------------------------------------------------


def all_text_in_the_database() -> str:
    """Every value of every table, as text: the key must be in none of them."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_the_admin_shows_the_key_once_and_stores_only_its_digest(client, world):
    client.force_login(world.a.administrator)
    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": world.a.coordinator.pk, "label": "planning"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    key = response.context["key"]
    assert len(key) >= 40 and key in response.content.decode()
    token = ApiToken.objects.get(user=world.a.coordinator)
    assert token.digest == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < 12
    assert key not in all_text_in_the_database()
    for page in (
        reverse("admin:accounts_apitoken_changelist"),
        reverse("admin:accounts_apitoken_change", args=[token.pk]),
    ):
        body = client.get(page).content.decode()
        assert token.prefix in body and key not in body and token.digest not in body

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(CASES).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_wrong_or_revoked_key_is_refused(world):
    key = make_api_token(world.a.case_worker)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key[:-1]}x")
    assert api.get(CASES).status_code == 401
    ApiToken.objects.filter(user=world.a.case_worker).delete()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(CASES).status_code == 401


def test_a_token_of_a_deactivated_user_is_refused(world):
    key = make_api_token(world.a.case_worker)
    User.objects.filter(pk=world.a.case_worker.pk).update(is_active=False)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get(CASES).status_code == 401


def test_clear_tokens_of_the_old_table_become_digests_and_the_table_goes(world):
    from kring.accounts.api_tokens import import_clear_tokens

    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp NOT NULL, "
            "user_id bigint NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [old_key, "2026-01-02 03:04:05", world.a.coordinator.pk],
        )
    import_clear_tokens(ApiToken, connection)
    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=world.a.coordinator)
    assert token.digest == hashlib.sha256(old_key.encode()).hexdigest() and token.prefix == old_key[:8]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old_key}")
    assert api.get(CASES).status_code == 200  # integrations keep working with the key they have
