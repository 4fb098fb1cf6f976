from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import TWO_FACTOR_ROLES


class RequireTwoFactorMiddleware:
    """Administrators and privacy officers must set up an authenticator app before doing anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and needs_two_factor(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(request, _("Your role requires two-factor login. Set up an authenticator app first."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def needs_two_factor(user) -> bool:
    return user.is_superuser or user.has_role(*TWO_FACTOR_ROLES)
