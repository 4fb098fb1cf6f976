"""The editing API every stage uses to change case data: the lock-check-validate-compare-save-log sequence.

A service of any app changes a record of a case in this order, inside one transaction:

1. ``lock_case(case_id, user)``: re-read the case locked, and only if the user may still see it (else ``NotFound``);
2. a permission check: ``check_can_edit(user, case)`` here, or the stage's own rule built on it;
3. ``refuse_if_stale(record, expected_version, fields)``: the version the form started from against the stored one;
4. ``validate(record)``: the model's own validation, errors per field;
5. save, and ``log_access`` with the actor (the actor carries the path).

``logs_refusal`` wraps a service so that a refused change (``PermissionDenied``) is logged as denied after the
transaction rolled back. ``can_edit_case`` is the same rule as ``check_can_edit`` for pages that offer or hide tools.
"""

import functools
import inspect

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kring.audit.services import Action, log_access
from kring.core.editing import refuse_if_stale as refuse_record_if_stale
from kring.core.editing import validate  # noqa: F401 (part of the case editing API, record-generic)
from kring.core.errors import NotFound

from .choices import CaseRole
from .models import CaseTeamMember

# Who may change a case: its case worker(s), coordinator(s), team lead(s) on the case team, and the lead of the
# owning team; an independent coordinator assigned to the case counts as its coordinator. Co-workers may read only.
EDITING_CASE_ROLES = {CaseRole.CASE_WORKER, CaseRole.COORDINATOR, CaseRole.TEAM_LEAD}


def case_standing(user, case) -> tuple[str | None, bool]:
    """(the user's role on the case team, whether they lead the owning team), read in one query and kept on the
    case object for the rest of the request: a page asks several permission questions."""
    cache = case.__dict__.setdefault("_kring_standing", {})
    if user.pk not in cache:
        from kring.accounts.models import TeamMember

        role = CaseTeamMember.objects.filter(case_id=case.pk, user_id=user.pk).values("role")[:1]
        lead = TeamMember.objects.filter(team_id=case.team_id, user_id=user.pk, is_lead=True)
        row = (
            type(case)
            .objects.filter(pk=case.pk)
            .annotate(my_role=Subquery(role), my_lead=Exists(lead))
            .values_list("my_role", "my_lead")
            .first()
        )
        my_role, my_lead = row or (None, False)
        if my_role is None and _assigned_to(user, case):
            # An independent coordinator on an assignment active today acts with the coordinator's case role
            # (decision 241); the assignment is read with the visibility sets, so this costs no query.
            my_role = CaseRole.COORDINATOR
        cache[user.pk] = (my_role, my_lead)
    return cache[user.pk]


def _assigned_to(user, case) -> bool:
    from .queries import scope_for

    return case.pk in scope_for(user).assigned_case_ids


def check_can_edit(user, case):
    """Refuse (``PermissionDenied``) unless the user holds an editing role on the case team or leads its team."""
    role, leads = case_standing(user, case)
    if role in EDITING_CASE_ROLES or leads:
        return
    raise PermissionDenied(_("Only the case worker, the coordinator or the team lead can change this case."))


def logs_refusal(service):
    """Log a refused change as 'denied'. The entry is written after the service's transaction rolled back,
    so the refusal stays on record while nothing of the change does."""
    signature = inspect.signature(service)

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except PermissionDenied:
            from .queries import refused_case_access

            arguments = signature.bind(*args, **kwargs).arguments
            log_access(arguments["actor"], Action.DENIED, [refused_case_access(arguments["case_id"])])
            raise

    return wrapper


def can_edit_case(user, case) -> bool:
    """Whether the user may change this case (pages use it to offer or hide the editing tools)."""
    try:
        check_can_edit(user, case)
    except PermissionDenied:
        return False
    return True


def check_can_work_on(user, case, trajectory, refusal: str | Promise | None = None):
    """The one rule for work on a trajectory (its phases, meetings, plan): its coordinator, or whoever may change
    the case. ``refusal`` names what was refused ("this meeting", "this plan") in the message."""
    if trajectory.coordinator_id == user.pk:
        return
    try:
        check_can_edit(user, case)
    except PermissionDenied as error:
        if refusal is None:
            raise
        raise PermissionDenied(refusal) from error


def lock_case(case_id, user):
    """Re-read the case inside the transaction, locked, and only if the user may still see it."""
    from .queries import visible_cases

    case = visible_cases(user).select_for_update().select_related("organisation", "team").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def refuse_if_stale(instance, expected_version, fields):
    """Compare the form's starting version with the stored one; explain what changed in between, each value as the
    case's history page shows it."""
    from .queries import field_display

    refuse_record_if_stale(instance, expected_version, fields, display=field_display)


def forget_scope(user):
    """Drop the visibility sets cached on the user for this request, after a change of case team or owner."""
    if hasattr(user, "_kring_scope"):
        del user._kring_scope
