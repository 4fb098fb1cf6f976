from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .two_factor import has_authenticator, needs_two_factor


class RequireTwoFactorMiddleware:
    """Administrators and privacy officers must set up an authenticator app before doing anything else.

    The API is left out here because a redirect means nothing to an API client: its session login
    (``two_factor.TwoFactorSessionAuthentication``) answers 403 instead, and token calls are exempt.
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and needs_two_factor(user)
            and not has_authenticator(user)
        ):
            messages.warning(request, _("Your role requires two-factor login. Set up an authenticator app first."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
