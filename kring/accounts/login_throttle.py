"""How many wrong passwords Kring hears, and from whom, without letting anyone lock a colleague out.

Decision: a single counter per account let anybody lock an account by typing five wrong passwords for its
address. Kring counts failed password logins instead (all within LOGIN_LOCKOUT_MINUTES, in the shared cache):

- per (account, client address) pair, LOGIN_FAILURES_ALLOWED: guessing one account from one address stops,
  while the owner at another address is untouched;
- per client address, four times that, over all accounts: one address cannot spray a common password over the
  staff list;
- per account, ten times that, over all addresses: guessing from many addresses stops too.

A browser the owner has logged in with before (a "known browser": a signed cookie, tied to the account's
current password, set after a completed login) is exempt from all three: other people's failures never refuse
it. It has a counter of its own instead, LOGIN_FAILURES_ALLOWED per (account, browser); past that it is slowed
down to one try per LOGIN_KNOWN_DEVICE_WAIT_SECONDS, never refused. A stolen cookie therefore buys an attacker
one guess a minute, not a way around the limits, and a password change ends every known browser.

Each attempt is counted before the password is checked and forgiven when it was right (as allauth does), so
parallel guesses cannot slip past the limit. The counting is allauth's own rate-limit machinery, with the
rates in ACCOUNT_RATE_LIMITS; allauth's per-address "login_failed" limit is no longer used for passwords.
"""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass, field

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

KNOWN_BROWSER_COOKIE = "kring_known_device"
_COOKIE_SALT = "kring.accounts.known-browser"
_MOST_ACCOUNTS_PER_BROWSER = 10  # a shared workstation remembers its last few accounts


class LoginRefused(Exception):
    """Too many failures: `code` is the adapter's error message key."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Attempt:
    """One counted login attempt; forgiven (taken back from every counter) when the password was right."""

    usages: list = field(default_factory=list)

    def forgive(self) -> None:
        for usage in self.usages:
            usage.rollback()


def admit(request, email: str) -> Attempt:
    """Count a password attempt for `email` from this request's client, or raise LoginRefused."""
    email = (email or "").strip().lower()
    browser = _known_browser_for(request, email)
    if browser:
        return _admit_known_browser(request, email, browser)
    address = _address_key(request)
    attempt = Attempt()
    for action, key in (
        ("kring_login_pair", f"{email}|{address}"),
        ("kring_login_address", None),
        ("kring_login_account", email),
    ):
        usage = ratelimit.consume(request, app="allauth.account", action=action, key=key)
        if usage is None:
            attempt.forgive()  # a refused attempt is not counted anywhere
            raise LoginRefused("too_many_login_attempts")
        attempt.usages.append(usage)
    return attempt


def _admit_known_browser(request, email: str, browser: str) -> Attempt:
    usage = ratelimit.consume(
        request, app="allauth.account", action="kring_login_known_device", key=f"{email}|{browser}"
    )
    if usage is not None:
        return Attempt([usage])
    # Past its own allowance the owner's browser is slowed down: one try per wait, then the next.
    wait_key = "kring:login-wait:" + hashlib.sha256(f"{email}|{browser}".encode()).hexdigest()
    if cache.add(wait_key, True, timeout=settings.LOGIN_KNOWN_DEVICE_WAIT_SECONDS):
        return Attempt()
    raise LoginRefused("login_slowed_down")


def forget_failures(request, email: str) -> None:
    """After a password reset by e-mail: the account's counters and this address's pair start afresh.

    Pairs of other addresses stay: whoever was guessing there did not prove they read the owner's mail.
    """
    email = (email or "").strip().lower()
    for action, key in (("kring_login_pair", f"{email}|{_address_key(request)}"), ("kring_login_account", email)):
        ratelimit.clear(request, app="allauth.account", action=action, key=key)


def _address_key(request) -> str:
    """The client address as the limits count it: an IPv6 client by its /64, which one household holds."""
    from allauth.account.adapter import get_adapter

    address = get_adapter(request).get_client_ip(request)
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


# --- Known browsers ---------------------------------------------------------------------------------------------


def _account_key(user) -> str:
    """The account as the cookie names it: not its id, which the browser's holder need not learn."""
    return salted_hmac(_COOKIE_SALT + ".account", str(user.pk)).hexdigest()[:20]


def _password_tie(user, browser: str) -> str:
    """Changes when the password changes, so a browser known under an old password is known no more."""
    return salted_hmac(_COOKIE_SALT, f"{user.pk}|{user.password}|{browser}").hexdigest()[:32]


def _read_cookie(request) -> dict:
    value = request.COOKIES.get(KNOWN_BROWSER_COOKIE)
    if not value:
        return {}
    try:
        data = signing.loads(value, salt=_COOKIE_SALT, max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return {}
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("browser"), str)
        or not isinstance(data.get("accounts"), dict)
    ):
        return {}
    return data


def _known_browser_for(request, email: str) -> str | None:
    """This browser's id when the owner of `email` completed a login in it under the current password."""
    data = _read_cookie(request)
    if not data or not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email).only("pk", "password").first()
    if user is None:
        return None
    tie = data["accounts"].get(_account_key(user))
    if tie and secrets.compare_digest(str(tie), _password_tie(user, data["browser"])):
        return data["browser"]
    return None


def remember_browser(request, response, user) -> None:
    """After a completed login: mark this browser as known for `user` (kept with up to nine other accounts)."""
    data = _read_cookie(request) or {"browser": secrets.token_urlsafe(18), "accounts": {}}
    account = _account_key(user)
    accounts = {key: tie for key, tie in data["accounts"].items() if key != account}
    accounts[account] = _password_tie(user, data["browser"])
    data["accounts"] = dict(list(accounts.items())[-_MOST_ACCOUNTS_PER_BROWSER:])
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        signing.dumps(data, salt=_COOKIE_SALT, compress=True),
        max_age=settings.LOGIN_KNOWN_DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
