"""Whether a browser session passed the second factor, and the API's session login that requires it.

allauth notes each step of a login in the session; after an authenticator code it notes the method "mfa". A user
who has an authenticator cannot get a session without that step through the login page (allauth asks for the
code before it logs them in). Setting up the authenticator app also proves the code, but allauth does not note
it, so Kring notes that itself.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied

from .models import TWO_FACTOR_ROLES
from .signals import session_refused

ACTIVATED_IN_SESSION_KEY = "kring_authenticator_activated_for"


def needs_two_factor(user) -> bool:
    return user.is_superuser or user.has_role(*TWO_FACTOR_ROLES)


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def session_passed_second_factor(request, user) -> bool:
    if request.session.get(ACTIVATED_IN_SESSION_KEY) == str(user.pk):
        return True
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


@receiver(authenticator_added)
def note_authenticator_set_up_in_this_session(sender, request, user, authenticator, **kwargs):
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session[ACTIVATED_IN_SESSION_KEY] = str(user.pk)


class TwoFactorSessionAuthentication(SessionAuthentication):
    """The browser session, for API calls; refused for roles that need two-factor login until it is passed.

    Token calls do not come through here: integrations hold a token issued by an administrator (decision 17).
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if not needs_two_factor(user):
            return result
        if not has_authenticator(user):
            refuse(
                request,
                user,
                "no authenticator",
                _("Your role requires two-factor login. Set up an authenticator app first."),
            )
        if not session_passed_second_factor(request._request, user):
            refuse(
                request,
                user,
                "second factor not passed in this session",
                _(
                    "Your role requires two-factor login, and this session did not pass the second step. Log in "
                    "again with your authenticator app, or use an API token."
                ),
            )
        return result


def refuse(request, user, reason, message):
    log_refused_session(request._request, user, reason, record_type="api_session")
    raise PermissionDenied(message)


def log_refused_session(request, user, reason, record_type="login_session"):
    """A session refused for want of the second factor; the access log (``signals.session_refused``) records it
    in the log of every organisation of the user."""
    session_refused.send(sender=None, request=request, user=user, reason=reason, record_type=record_type)


class TwoFactorSessionScheme(SessionScheme):
    """The OpenAPI document describes this session login as the plain cookie login it extends."""

    target_class = "kring.accounts.two_factor.TwoFactorSessionAuthentication"
