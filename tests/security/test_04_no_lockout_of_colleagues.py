"""Item 4: nobody can lock a colleague out by typing wrong passwords for their address.

Failures count per (account, client address) pair, so a stranger's failures elsewhere do not lock the owner out;
a per-address limit stops one address from spraying many accounts; a per-account limit stops guessing from many
addresses, but never for a browser the owner has logged in with before (a signed cookie), where the right password
keeps working: at worst that browser is slowed to one try per LOGIN_KNOWN_DEVICE_WAIT_SECONDS.
"""

import time

import pytest

from kring.accounts.adapters import KringAccountAdapter
from tests.factories import PASSWORD, make_user

from .logins import browser, dutch, is_logged_in, log_in, page_text, too_many_attempts, wrong_password

ATTACKER = "203.0.113.66"
VICTIM = "198.51.100.20"


@pytest.fixture
def victim(db):
    return make_user(email="slachtoffer@example.org")


def known_browser(user, address):
    """A browser at `address` in which `user` has logged in before (and then logged out)."""
    client = browser(address)
    assert log_in(client, user.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert not is_logged_in(client)
    return client


def slowed_down() -> str:
    return dutch(KringAccountAdapter.error_messages["login_slowed_down"])


def test_a_strangers_failures_do_not_lock_the_owner_out(victim, settings):
    attacker = browser(ATTACKER)
    for attempt in range(10):
        content = page_text(log_in(attacker, victim.email, f"guess-{attempt}"))
        expected = wrong_password() if attempt < settings.LOGIN_FAILURES_ALLOWED else too_many_attempts()
        assert expected in content, attempt

    # The owner, at another address and in a browser that never logged in before, gets in.
    owner = browser(VICTIM)
    response = log_in(owner, victim.email, PASSWORD)
    assert response.status_code == 302, page_text(response)
    assert is_logged_in(owner)

    # The attacker keeps being refused, even with the right password: brute force from one address stops.
    assert too_many_attempts() in page_text(log_in(attacker, victim.email, PASSWORD))
    assert not is_logged_in(attacker)


def test_brute_force_of_one_account_from_one_address_is_stopped(victim, settings):
    attacker = browser(ATTACKER)
    for attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        assert wrong_password() in page_text(log_in(attacker, victim.email, f"guess-{attempt}"))
    for _attempt in range(3):
        assert too_many_attempts() in page_text(log_in(attacker, victim.email, PASSWORD))
    assert not is_logged_in(attacker)


def test_one_address_cannot_spray_many_accounts(db, settings):
    per_address = settings.LOGIN_FAILURES_ALLOWED * 4
    accounts = [make_user(email=f"medewerker{number}@example.org") for number in range(per_address + 1)]
    sprayer = browser(ATTACKER)
    for account in accounts[:per_address]:
        assert wrong_password() in page_text(log_in(sprayer, account.email, "Welkom2026!"))
    assert too_many_attempts() in page_text(log_in(sprayer, accounts[-1].email, PASSWORD))
    # The accounts themselves stay open to their owners elsewhere.
    assert log_in(browser(VICTIM), accounts[-1].email, PASSWORD).status_code == 302


def test_guessing_from_many_addresses_stops_but_the_owners_own_browser_gets_in(victim, settings):
    owner = known_browser(victim, VICTIM)
    per_account = settings.LOGIN_FAILURES_ALLOWED * 10
    for attempt in range(per_account):
        address = f"192.0.2.{attempt // settings.LOGIN_FAILURES_ALLOWED + 1}"
        assert wrong_password() in page_text(log_in(browser(address), victim.email, f"guess-{attempt}"))

    # A fresh address with the right password is refused now: the account is under attack.
    assert too_many_attempts() in page_text(log_in(browser("192.0.2.250"), victim.email, PASSWORD))
    # The browser the owner used before still gets in with the right password.
    response = log_in(owner, victim.email, PASSWORD)
    assert response.status_code == 302, page_text(response)
    assert is_logged_in(owner)


def test_a_colleague_at_the_same_address_cannot_lock_out_a_known_browser(victim):
    """In an office behind one address, a colleague's wrong guesses do not lock the owner's own browser."""
    owner = known_browser(victim, VICTIM)
    colleague = browser(VICTIM)
    for attempt in range(10):
        log_in(colleague, victim.email, f"guess-{attempt}")
    assert too_many_attempts() in page_text(log_in(colleague, victim.email, PASSWORD))

    response = log_in(owner, victim.email, PASSWORD)
    assert response.status_code == 302, page_text(response)
    assert is_logged_in(owner)


def test_a_known_browser_is_slowed_down_not_refused(victim, settings):
    settings.LOGIN_KNOWN_DEVICE_WAIT_SECONDS = 1
    owner = known_browser(victim, VICTIM)
    for attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        assert wrong_password() in page_text(log_in(owner, victim.email, f"typo-{attempt}"))

    # Past the allowance, one try per wait: the first is heard, the next right away is asked to wait.
    assert wrong_password() in page_text(log_in(owner, victim.email, "another-typo"))
    assert slowed_down() in page_text(log_in(owner, victim.email, PASSWORD))
    assert not is_logged_in(owner)
    time.sleep(2.1)  # the wait, and the database cache counts expiry in whole seconds
    response = log_in(owner, victim.email, PASSWORD)
    assert response.status_code == 302, page_text(response)
    assert is_logged_in(owner)


def test_a_forged_or_foreign_cookie_is_no_known_browser(victim, db):
    stranger_account = make_user(email="vreemde@example.org")
    stranger = known_browser(stranger_account, ATTACKER)  # known for their own account only
    forged = browser(ATTACKER)
    forged.cookies["kring_known_device"] = "forged-value"
    for client in (stranger, forged):
        for attempt in range(5):
            log_in(client, victim.email, f"guess-{attempt}")
        assert too_many_attempts() in page_text(log_in(client, victim.email, PASSWORD))


def test_a_password_change_ends_the_known_browsers(victim, settings):
    """The mark is tied to the password: a browser known under the old password is a stranger afterwards."""
    owner = known_browser(victim, VICTIM)
    victim.set_password("a-brand-new-long-passphrase")
    victim.save()
    for attempt in range(settings.LOGIN_FAILURES_ALLOWED):
        log_in(owner, victim.email, f"guess-{attempt}")
    assert too_many_attempts() in page_text(log_in(owner, victim.email, "a-brand-new-long-passphrase"))


def test_the_known_browser_cookie_is_signed_http_only_and_names_no_account(victim, settings):
    client = browser(VICTIM)
    log_in(client, victim.email, PASSWORD)
    cookie = client.cookies["kring_known_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == settings.LOGIN_KNOWN_DEVICE_DAYS * 86400
    from django.core import signing

    content = signing.loads(cookie.value, salt="kring.accounts.known-browser")
    assert str(victim.pk) not in content["accounts"] and victim.email not in cookie.value
