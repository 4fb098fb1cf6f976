"""Logging in through allauth's real login page, from a chosen client address, for the login-limit tests."""

from django.test import Client

LOGIN = "/accounts/login/"
PING = "/ping/"  # the smallest page that needs a login
PROXY = "10.0.0.1"  # the reverse proxy's own address, as Kring's web server sees every connection


def browser(address: str | None = None, proxy: str | None = None) -> Client:
    """A browser at `address`, connecting directly or, with `proxy`, through that reverse proxy."""
    if proxy:
        return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=address)
    return Client(REMOTE_ADDR=address or "127.0.0.1")


def log_in(client: Client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


def is_logged_in(client: Client) -> bool:
    return client.get(PING).status_code == 200


def page_text(response) -> str:
    return response.content.decode()


def dutch(message) -> str:
    """A message as the Dutch login page shows it (HTML-escaped)."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("nl"):
        return escape(str(message))


def too_many_attempts() -> str:
    from allauth.account.adapter import DefaultAccountAdapter

    return dutch(DefaultAccountAdapter.error_messages["too_many_login_attempts"])


def wrong_password() -> str:
    from allauth.account.adapter import DefaultAccountAdapter

    return dutch(DefaultAccountAdapter.error_messages["email_password_mismatch"])
