"""Logging in and out, lockout, password reset, two-factor login, idle sessions, sign-up and language.

These go through allauth's real pages with the test client and the real (database) cache, so a lockout here
is the same lockout a web worker would see.
"""

import datetime
import re

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from kring.accounts.models import Role, User

from .factories import PASSWORD, enable_totp, make_organisation, make_team, make_user, totp_code

LOGIN = "/accounts/login/"
PING = "/ping/"  # the smallest page that needs a login


@pytest.fixture(autouse=True)
def clean_cache(db):
    """Lockout counters live in the cache; no test may inherit another's failed attempts."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org():
    return make_organisation("NL")


@pytest.fixture
def case_worker(org):
    return make_user(org, Role.CASE_WORKER, make_team(org), email="hulpverlener@example.org")


def dutch(message) -> str:
    """An allauth message as a Dutch page shows it (HTML-escaped)."""
    with translation.override("nl"):
        return escape(str(message))


def log_in(client, email, password, **extra):
    return client.post(LOGIN, {"login": email, "password": password}, **extra)


def shared_cache_entries() -> int:
    """How many entries the shared cache holds, read from the store itself rather than through this process."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return sum(1 for _key in backend._cache.get_client().scan_iter(match=f"{backend.key_prefix}:*"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {backend._table}")
        return cursor.fetchone()[0]


def is_logged_in(client) -> bool:
    response = client.get(PING)
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and response["Location"].startswith(LOGIN), response
    return False


# --- Login and logout -------------------------------------------------------------------------------------------


def test_login_with_email_and_password(client, case_worker):
    response = log_in(client, case_worker.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert int(client.session["_auth_user_id"]) == case_worker.pk
    assert is_logged_in(client)


def test_login_ignores_case_of_the_email_address(client, case_worker):
    log_in(client, case_worker.email.upper(), PASSWORD)
    assert is_logged_in(client)


def test_wrong_password_shows_an_error_and_does_not_log_in(client, case_worker):
    response = log_in(client, case_worker.email, "not-the-password")
    assert response.status_code == 200
    content = response.content.decode()
    assert dutch(DefaultAccountAdapter.error_messages["email_password_mismatch"]) in content
    # The error is announced to screen readers, and the e-mail address is kept for the next try.
    assert 'role="alert"' in content
    assert f'value="{case_worker.email}"' in content
    assert not is_logged_in(client)


def test_unknown_address_gets_the_same_error_as_a_wrong_password(client, case_worker):
    response = log_in(client, "nobody@example.org", PASSWORD)
    assert dutch(DefaultAccountAdapter.error_messages["email_password_mismatch"]) in response.content.decode()
    assert not is_logged_in(client)


def test_inactive_user_cannot_log_in(client, case_worker):
    case_worker.is_active = False
    case_worker.save()
    log_in(client, case_worker.email, PASSWORD)
    assert not is_logged_in(client)


def test_logout_needs_a_post(client, case_worker):
    client.force_login(case_worker)
    response = client.get("/accounts/logout/")
    assert response.status_code == 200  # a confirmation page, not a logout
    assert is_logged_in(client)

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert "_auth_user_id" not in client.session
    assert not is_logged_in(client)


def test_every_page_offers_a_logout_button(client, case_worker):
    client.force_login(case_worker)
    content = client.get(PING).content.decode()
    assert re.search(r'<form method="post" action="/accounts/logout/"[^>]*>.*?<button type="submit"', content, re.S)


# --- Lockout ----------------------------------------------------------------------------------------------------


def test_account_is_locked_after_the_allowed_failures(client, case_worker):
    allowed = settings.LOGIN_FAILURES_ALLOWED
    assert allowed == 5  # the documented default
    mismatch = dutch(DefaultAccountAdapter.error_messages["email_password_mismatch"])
    locked = dutch(DefaultAccountAdapter.error_messages["too_many_login_attempts"])
    for _attempt in range(allowed):
        content = log_in(client, case_worker.email, "wrong-password").content.decode()
        assert mismatch in content and locked not in content

    # The counters are in the shared cache (the database's table, or Redis), where every web worker sees them.
    assert shared_cache_entries() > 0

    response = log_in(client, case_worker.email, PASSWORD)
    assert response.status_code == 200
    assert locked in response.content.decode()
    assert not is_logged_in(client)

    # The lockout is per account: a colleague behind the same address logs in as usual.
    colleague = make_user(email="collega@example.org")
    log_in(client, colleague.email, PASSWORD)
    assert is_logged_in(client)


def test_fewer_failures_than_allowed_do_not_lock(client, case_worker):
    for _attempt in range(settings.LOGIN_FAILURES_ALLOWED - 1):
        log_in(client, case_worker.email, "wrong-password")
    response = log_in(client, case_worker.email, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_lockout_is_lifted_when_the_cache_entry_is_gone(client, case_worker):
    for _attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        log_in(client, case_worker.email, "wrong-password")
    log_in(client, case_worker.email, PASSWORD)
    assert not is_logged_in(client)
    cache.clear()  # what the passing of LOGIN_LOCKOUT_MINUTES does
    log_in(client, case_worker.email, PASSWORD)
    assert is_logged_in(client)


# --- Password reset ---------------------------------------------------------------------------------------------


def request_reset_link(client, email) -> str:
    mail.outbox.clear()
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    match = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def set_password_from_link(client, link, password):
    response = client.get(link)
    # allauth moves the key out of the address into the session before showing the form.
    assert response.status_code == 302
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"password1": password, "password2": password})


def test_password_reset_by_email(client, case_worker):
    link = request_reset_link(client, case_worker.email)
    new_password = "a-brand-new-long-passphrase"
    response = set_password_from_link(client, link, new_password)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    client.logout()
    log_in(client, case_worker.email, PASSWORD)
    assert not is_logged_in(client)
    log_in(client, case_worker.email, new_password)
    assert is_logged_in(client)


def test_password_reset_link_works_only_once(client, case_worker):
    link = request_reset_link(client, case_worker.email)
    set_password_from_link(client, link, "a-brand-new-long-passphrase")
    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"]
    assert 'name="password1"' not in response.content.decode()
    case_worker.refresh_from_db()
    assert case_worker.check_password("a-brand-new-long-passphrase")


def test_password_reset_refuses_a_weak_password(client, case_worker):
    link = request_reset_link(client, case_worker.email)
    response = set_password_from_link(client, link, "12345")
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    case_worker.refresh_from_db()
    assert case_worker.check_password(PASSWORD)


def test_password_reset_unlocks_a_locked_account(client, case_worker):
    for _attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        log_in(client, case_worker.email, "wrong-password")
    log_in(client, case_worker.email, PASSWORD)
    assert not is_logged_in(client)

    link = request_reset_link(client, case_worker.email)
    set_password_from_link(client, link, "a-brand-new-long-passphrase")
    client.logout()
    log_in(client, case_worker.email, "a-brand-new-long-passphrase")
    assert is_logged_in(client)


# --- Two-factor login -------------------------------------------------------------------------------------------


def wrong_code(secret) -> str:
    return f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"


def test_user_with_an_authenticator_must_enter_a_code_after_the_password(client, case_worker):
    secret = enable_totp(case_worker)
    response = log_in(client, case_worker.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_logged_in(client)  # the password alone is not enough

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert dutch(DefaultMFAAdapter.error_messages["incorrect_code"]) in response.content.decode()
    assert not is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert is_logged_in(client)


def test_code_page_cannot_be_skipped(client, case_worker):
    enable_totp(case_worker)
    log_in(client, case_worker.email, PASSWORD)
    for path in ("/", "/cases/", PING):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), path


@pytest.fixture(params=["administrator", "privacy_officer", "superuser"])
def two_factor_user(request, org):
    if request.param == "superuser":
        return User.objects.create_superuser("root@example.org", PASSWORD)
    return make_user(
        org, request.param, email=f"{request.param}@example.org", is_staff=request.param == Role.ADMINISTRATOR
    )


# Setting the authenticator up counts as this session's second factor once allauth announces it, after its
# transaction commits; a test transaction never commits, so this test runs with real commits, as a request does.
@pytest.mark.django_db(transaction=True)
def test_roles_that_need_two_factor_are_sent_to_the_setup_page(client, two_factor_user):
    response = log_in(client, two_factor_user.email, PASSWORD)
    assert response.status_code == 302  # no authenticator yet, so no code asked
    setup = reverse("mfa_activate_totp")
    for path in ("/", PING, "/cases/", "/access-log/", "/admin/", "/cases/new/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == setup, path
    # The account pages stay open (no redirect loop): allauth asks for the password once more, then shows the
    # setup page with a new secret; entering a code from the app activates it, and the site opens.
    assert client.get(reverse("mfa_index")).status_code == 200
    response = client.get(setup)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    response = client.get(setup)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    secret = response.context["form"].secret
    assert client.get(PING)["Location"] == setup  # still not set up

    response = client.post(setup, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(PING).status_code == 200


def test_two_factor_is_optional_for_case_workers(client, case_worker):
    log_in(client, case_worker.email, PASSWORD)
    for path in (PING, "/cases/", "/cases/new/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert reverse("mfa_activate_totp") not in [url for url, _status in response.redirect_chain], path


# --- Idle sessions ----------------------------------------------------------------------------------------------


def test_session_lifetime_is_the_idle_time():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60
    assert "kring.core.middleware.IdleSessionMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def stored_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _last_push_a_minute_ago(client):
    from kring.core.middleware import IdleSessionMiddleware

    session = client.session
    session[IdleSessionMiddleware.KEY] -= IdleSessionMiddleware.IDLE_PUSH_SECONDS
    session.save()


def test_a_request_pushes_the_expiry_forward(client, case_worker):
    log_in(client, case_worker.email, PASSWORD)
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    _last_push_a_minute_ago(client)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    response = client.get(PING)
    assert response.status_code == 200
    assert abs(stored_expiry(client) - (timezone.now() + idle)) < datetime.timedelta(minutes=1)
    # The cookie itself ends with the browser; the server keeps the idle clock.
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]
    assert cookie["httponly"]


def test_the_expiry_is_written_at_most_once_a_minute(client, case_worker):
    """A page does not write the session row on every request: within the minute the push waits."""
    log_in(client, case_worker.email, PASSWORD)
    assert client.get(PING).status_code == 200
    pushed = stored_expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PING).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert stored_expiry(client) == pushed
    _last_push_a_minute_ago(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PING).status_code == 200
    assert [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert stored_expiry(client) > pushed


def test_idle_session_expires_and_asks_for_a_new_login(client, case_worker):
    log_in(client, case_worker.email, PASSWORD)
    assert client.get("/cases/").status_code == 200
    # Nothing happened for longer than the idle time: the stored expiry lies in the past.
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/cases/"
    assert not is_logged_in(client)


# --- Sign-up ----------------------------------------------------------------------------------------------------


def test_self_sign_up_is_closed(client, org):
    before = User.objects.count()
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert 'name="password1"' not in response.content.decode()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "zelf@example.org",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert User.objects.count() == before
    assert not User.objects.filter(email="zelf@example.org").exists()
    assert not is_logged_in(client)


def test_login_page_does_not_invite_sign_up(client):
    content = client.get(LOGIN).content.decode()
    assert "/accounts/signup/" not in content
    assert 'href="/accounts/password/reset/"' in content


# --- Language ---------------------------------------------------------------------------------------------------


def test_pages_are_dutch_by_default(client, case_worker):
    response = client.get(LOGIN)
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()
    with translation.override("nl"):
        assert escape(translation.gettext("Sign In")) in response.content.decode()
    # The browser's language does not change that; only the switch does.
    response = client.get(LOGIN, headers={"accept-language": "en"})
    assert response["Content-Language"] == "nl"
    client.force_login(case_worker)
    response = client.get("/cases/")
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()


def test_language_switch_sets_english(client, case_worker):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    response = client.get(LOGIN)
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Sign In" in response.content.decode()
    assert '<option value="en" selected>' in response.content.decode()

    client.post("/i18n/setlang/", {"language": "nl", "next": LOGIN})
    response = client.get(LOGIN)
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()


def test_language_switch_refuses_unknown_languages(client):
    client.post("/i18n/setlang/", {"language": "xx", "next": LOGIN})
    response = client.get(LOGIN)
    assert response["Content-Language"] == "nl"
