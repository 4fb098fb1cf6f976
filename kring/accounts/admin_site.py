"""Kring's admin site: open to superusers and functional administrators, behind the one login."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from .models import Role


def administered_organisation_ids(user) -> set[int]:
    return {m.organisation_id for m in user.active_memberships() if m.role == Role.ADMINISTRATOR}


class KringAdminSite(admin.AdminSite):
    site_header = _("Kring administration")
    site_title = _("Kring administration")
    index_title = _("Organisations, teams and users")

    def has_permission(self, request):
        user = request.user
        return (
            user.is_active
            and user.is_authenticated
            and (user.is_superuser or bool(administered_organisation_ids(user)))
        )

    def login(self, request, extra_context=None):
        # One login for everybody, with its lockout and two-factor step.
        return redirect(f"{reverse('account_login')}?{urlencode({'next': request.GET.get('next', '/admin/')})}")
