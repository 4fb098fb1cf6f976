from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from kring.core.actor import client_ip

from . import login_throttle


class KringAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by functional administrators, never by self sign-up.

    Failed password logins are counted by `login_throttle` (per account and address, not per account alone), and
    the client's address is Kring's own, so the login limits and the access log agree behind a proxy.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "login_slowed_down": _(
            "Too many failed attempts from this browser. Please wait a minute before you try again."
        ),
    }

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        address = client_ip(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def pre_authenticate(self, request, **credentials):
        # Replaces allauth's count per account, which let anyone lock a colleague out.
        try:
            self._kring_attempt = login_throttle.admit(request, credentials.get("email", ""))
        except login_throttle.LoginRefused as refused:
            raise self.validation_error(refused.code) from None

    def authenticate(self, request, **credentials):
        self._kring_attempt = None
        user = super().authenticate(request, **credentials)
        if user is not None and self._kring_attempt is not None:
            self._kring_attempt.forgive()
        return user

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        # The whole login, second factor included, succeeded: this browser is now known for this account.
        login_throttle.remember_browser(request, response, user)
        return response

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # allauth's hook after a password reset by e-mail: the owner proved they read the mail.
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_throttle.forget_failures(request, credentials.get("email", ""))
