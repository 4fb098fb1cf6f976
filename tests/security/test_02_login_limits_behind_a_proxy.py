"""Item 2: behind a reverse proxy, login limits count per client, not per proxy, with one setting for both.

TRUSTED_PROXY_COUNT says how many reverse proxies stand in front of Kring. The login limits (allauth) and
Kring's own access log both take the client's address from it; with 0, X-Forwarded-For is ignored entirely.
"""

import pytest
from django.test import RequestFactory

from kring.core.actor import client_ip
from tests.factories import PASSWORD, make_user
from tests.test_settings import assert_refused, production, read_settings, start

from .logins import PROXY, browser, is_logged_in, log_in, page_text, too_many_attempts, wrong_password


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def test_fifty_colleagues_behind_the_proxy_log_in_at_nine(db, behind_one_proxy):
    colleagues = [make_user(email=f"collega{number}@example.org") for number in range(50)]
    for number, colleague in enumerate(colleagues):
        client = browser(f"198.51.100.{number + 1}", proxy=PROXY)
        response = log_in(client, colleague.email, PASSWORD)
        assert response.status_code == 302, (number, response.status_code)
        assert is_logged_in(client)


def test_one_clients_failures_do_not_lock_out_another_client(db, behind_one_proxy):
    colleague = make_user(email="collega@example.org")
    strangers = [make_user(email=f"ander{number}@example.org") for number in range(20)]
    guesser = browser("203.0.113.66", proxy=PROXY)
    for stranger in strangers:
        log_in(guesser, stranger.email, "wrong-password")

    response = log_in(browser("198.51.100.7", proxy=PROXY), colleague.email, PASSWORD)
    assert response.status_code == 302, page_text(response)
    # And the guesser, behind the same proxy, is the one who is stopped.
    assert too_many_attempts() in page_text(log_in(guesser, colleague.email, PASSWORD))


def test_the_access_log_and_the_login_limits_see_the_same_address(db, behind_one_proxy):
    """The address a login is counted under is the address the access log writes, from the one setting."""
    from allauth.account.adapter import get_adapter

    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.9"
    )
    assert client_ip(request) == "198.51.100.9"
    assert get_adapter(request).get_client_ip(request) == "198.51.100.9"


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (0, "192.0.2.1", PROXY),  # no trusted proxy: the header is anyone's to write and is ignored
        (1, "192.0.2.1, 198.51.100.9", "198.51.100.9"),  # the entry our proxy appended; the first was the client's
        (2, "192.0.2.1, 198.51.100.9, 10.0.0.2", "198.51.100.9"),  # two proxies: the outer one's entry
        (2, "198.51.100.9", "198.51.100.9"),  # fewer entries than proxies: each was appended by one of ours
        (1, "not-an-address", PROXY),  # a broken header falls back to the connection's address
        (1, "", PROXY),
    ],
)
def test_client_address_takes_the_entry_the_trusted_proxy_appended(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_without_a_trusted_proxy_a_client_cannot_spoof_its_address(db, settings):
    """Directly connected (TRUSTED_PROXY_COUNT=0), a forged X-Forwarded-For buys no fresh attempts."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    victim = make_user(email="slachtoffer@example.org")
    for attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        forged = browser(f"192.0.2.{attempt + 1}", proxy="203.0.113.66")
        assert wrong_password() in page_text(log_in(forged, victim.email, "wrong-password"))
    forged = browser("192.0.2.200", proxy="203.0.113.66")
    assert too_many_attempts() in page_text(log_in(forged, victim.email, PASSWORD))


# --- Production: the count must be stated -----------------------------------------------------------------------


def test_production_refuses_to_start_without_the_proxy_count(tmp_path):
    assert_refused(start(tmp_path, **production(TRUSTED_PROXY_COUNT=None)), "TRUSTED_PROXY_COUNT must say")


def test_production_refuses_a_negative_proxy_count(tmp_path):
    assert_refused(start(tmp_path, **production(TRUSTED_PROXY_COUNT="-1")), "TRUSTED_PROXY_COUNT must say")


def test_one_setting_feeds_allauth_django_and_the_api(tmp_path):
    names = ("TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_PROXY_COUNT", "SECURE_PROXY_SSL_HEADER", "REST_FRAMEWORK")
    behind = read_settings(tmp_path, *names, **production(TRUSTED_PROXY_COUNT="2"))
    assert behind["TRUSTED_PROXY_COUNT"] == behind["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind["REST_FRAMEWORK"]["NUM_PROXIES"] == 2

    # Served directly, no proxy header is believed: neither X-Forwarded-For nor X-Forwarded-Proto.
    direct = read_settings(tmp_path, *names, **production(TRUSTED_PROXY_COUNT="0"))
    assert direct["TRUSTED_PROXY_COUNT"] == direct["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0
    assert direct["SECURE_PROXY_SSL_HEADER"] is None
    assert direct["REST_FRAMEWORK"]["NUM_PROXIES"] == 0


def test_development_trusts_no_proxy_by_default(tmp_path):
    values = read_settings(tmp_path, "TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_PROXY_COUNT")
    assert values == {"TRUSTED_PROXY_COUNT": 0, "ALLAUTH_TRUSTED_PROXY_COUNT": 0}
