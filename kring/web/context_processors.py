from django.contrib import admin
from django.utils.functional import SimpleLazyObject

from kring.accounts.models import CASE_ROLES, Role
from kring.inbox.queries import unread_count
from kring.plans.alerts.queries import header_alerts


def navigation(request):
    """What the navigation bar may offer this user; the pages themselves check again."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "nav_caseload": user.has_role(*CASE_ROLES),
        "nav_access_log": user.has_role(Role.PRIVACY_OFFICER),
        "nav_admin": admin.site.has_permission(request),
        "nav_organisation": user.has_role(Role.TEAM_LEAD, Role.ADMINISTRATOR),
        "nav_evaluation": user.has_role(Role.TEAM_LEAD, Role.ADMINISTRATOR, Role.RESEARCHER),
        # A coordinating office's staff and pool (decision 240): from the memberships read already.
        "nav_office": any(
            m.organisation.is_coordinating_office and m.role in (Role.TEAM_LEAD, Role.ADMINISTRATOR)
            for m in user.active_memberships()
        ),
        "nav_hours": any(
            m.organisation.is_coordinating_office and m.role == Role.COORDINATOR for m in user.active_memberships()
        ),
        # Counted when the page shows it, in one query (kring.inbox.queries.unread_count).
        "inbox_unread": SimpleLazyObject(lambda: unread_count(user)),
        # The cases with a safety alert nobody acknowledged, read when the header shows them (one query).
        "header_safety_alerts": SimpleLazyObject(lambda: header_alerts(user)),
    }
