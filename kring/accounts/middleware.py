from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .two_factor import has_authenticator, log_refused_session, needs_two_factor, session_passed_second_factor


class RequireTwoFactorMiddleware:
    """Administrators and privacy officers must set up an authenticator app before doing anything else, and a
    session of theirs that did not pass the second factor ends.

    The API is left out here because a redirect means nothing to an API client: its session login
    (``two_factor.TwoFactorSessionAuthentication``) answers 403 instead, and token calls are exempt.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.ALLOWED_PREFIXES) or not needs_two_factor(user):
            return self.get_response(request)
        if not has_authenticator(user):
            messages.warning(request, _("Your role requires two-factor login. Set up an authenticator app first."))
            return redirect(reverse("mfa_activate_totp"))
        if not session_passed_second_factor(request, user):
            # A session that never entered a code (opened before the authenticator was set up elsewhere): it ends,
            # and the person logs in again with both steps.
            log_refused_session(request, user, "page session without the second factor")
            logout(request)
            messages.warning(
                request, _("Your role requires two-factor login. Log in again with your authenticator app.")
            )
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
