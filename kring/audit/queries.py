"""Reading the access log: only privacy officers, and only entries of their own organisations."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from kring.accounts.models import Role

from .models import AccessLogEntry


def officer_organisation_ids(user) -> set[int]:
    return {m.organisation_id for m in user.active_memberships() if m.role == Role.PRIVACY_OFFICER}


def access_log(user, *, user_id=None, case_id=None, date_from=None, date_until=None):
    organisation_ids = officer_organisation_ids(user)
    if not organisation_ids:
        raise PermissionDenied(_("Only privacy officers can read the access log."))
    # Entries without an organisation (e.g. refused access to an unknown case) are shown only when
    # the user who caused them works for one of the officer's organisations.
    entries = AccessLogEntry.objects.filter(
        Q(organisation_id__in=organisation_ids)
        | Q(organisation_id__isnull=True, user__memberships__organisation_id__in=organisation_ids)
    ).distinct()
    if user_id:
        entries = entries.filter(user_id=user_id)
    if case_id:
        entries = entries.filter(case_id=case_id)
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_until:
        entries = entries.filter(at__date__lte=date_until)
    return entries.order_by("-at", "-id")
