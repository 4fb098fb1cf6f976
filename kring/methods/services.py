"""Writes to an organisation's method offer. Only its team leads and functional administrators maintain it.

Each service checks the permission, re-reads the record locked inside a transaction, validates
(``validate``), refuses stale edits, saves and logs (record type ``method_offer``, no case).
"""

import functools
import inspect

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kring.accounts.models import Organisation, Role
from kring.audit.services import Access, Action, log_access
from kring.core.editing import refuse_if_stale, validate
from kring.core.errors import NotFound
from kring.core.history import set_history_user

from .models import MethodOffer

RECORD_TYPE = "method_offer"
MAINTAINER_ROLES = frozenset({Role.TEAM_LEAD, Role.ADMINISTRATOR})
OFFER_FIELDS = [
    "method_code",
    "variants",
    "regions",
    "municipalities",
    "notes",
    "contact_email",
    "contact_phone",
    "contact_url",
    "referrers",
    "waiting_weeks",
    "active",
]


def can_maintain(user, organisation_id) -> bool:
    """Whether the user may maintain this organisation's offer (team lead or functional administrator there)."""
    return bool(getattr(user, "is_authenticated", False) and user.roles_in(organisation_id) & MAINTAINER_ROLES)


def maintainable_organisations(user) -> list[Organisation]:
    """The organisations whose offer the user maintains, by name."""
    if not getattr(user, "is_authenticated", False):
        return []
    organisations = {m.organisation.pk: m.organisation for m in user.active_memberships() if m.role in MAINTAINER_ROLES}
    return sorted(organisations.values(), key=lambda o: o.name)


def _access(offer_id, organisation_id) -> Access:
    return Access(RECORD_TYPE, offer_id, None, organisation_id)


def _logs_refusal(service):
    """A refused change is written to the log as 'denied', after the transaction rolled back.

    Not the case editing API's ``logs_refusal``: an offer belongs to an organisation, not to a case, so the refusal
    is logged against the offer (and its organisation); and methods comes before cases, so it may not import it.
    """
    signature = inspect.signature(service)

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except PermissionDenied:
            arguments = signature.bind(*args, **kwargs).arguments
            log_access(
                arguments["actor"],
                Action.DENIED,
                [_access(arguments.get("offer_id"), arguments["organisation_id"])],
            )
            raise

    return wrapper


def _check_can_maintain(user, organisation_id):
    if not can_maintain(user, organisation_id):
        raise PermissionDenied(
            _("Only the organisation's team leads and functional administrators can change its method offer.")
        )


def _display(field, value):
    """An offer's value as people read it: its lists (variants, regions, who may ask) joined, nothing as empty."""
    if value in (None, "", []):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def _refuse_if_stale(offer, expected_version):
    refuse_if_stale(offer, expected_version, OFFER_FIELDS, display=_display)


def _lock(organisation_id, offer_id) -> MethodOffer:
    offer = (
        MethodOffer.objects.select_for_update(of=("self",))
        .select_related("organisation", "updated_by")
        .filter(pk=offer_id, organisation_id=organisation_id)
        .first()
    )
    if offer is None:
        raise NotFound()
    return offer


@_logs_refusal
@transaction.atomic
def save_offer(actor, organisation_id, data: dict, *, offer_id=None, expected_version=None) -> MethodOffer:
    """Create (``offer_id`` None) or change one offer of the organisation.

    ``data`` holds fields of ``OFFER_FIELDS``; others are ignored. Changing an offer needs the version the form
    started from. Raises PermissionDenied, NotFound, ValidationError (by field) or StaleEdit.
    """
    user = actor.user
    _check_can_maintain(user, organisation_id)
    if offer_id is None:
        organisation = Organisation.objects.filter(pk=organisation_id).first()
        if organisation is None:
            raise NotFound()
        offer = MethodOffer(organisation=organisation)
        action = Action.CREATE
    else:
        offer = _lock(organisation_id, offer_id)
        if expected_version is None:
            raise ValidationError({"version": [_("The form did not say which version it started from.")]})
        _refuse_if_stale(offer, expected_version)
        action = Action.UPDATE
    for name, value in data.items():
        if name in OFFER_FIELDS:
            if name in ("municipalities", "notes", "contact_email", "contact_phone", "contact_url"):
                value = (value or "").strip()
            setattr(offer, name, value)
    if (
        offer.method_code
        and MethodOffer.objects.filter(organisation_id=organisation_id, method_code=offer.method_code)
        .exclude(pk=offer.pk)
        .exists()
    ):
        raise ValidationError(
            {"method_code": [_("Your organisation already offers this method; change that offer instead.")]}
        )
    validate(offer)
    if offer.pk:
        offer.version += 1
    offer.updated_by = user
    set_history_user(offer, user)
    offer.save()
    log_access(actor, action, [_access(offer.pk, organisation_id)])
    return offer


@_logs_refusal
@transaction.atomic
def remove_offer(actor, organisation_id, offer_id, *, expected_version=None) -> None:
    """Remove one offer of the organisation (it disappears from the public guide)."""
    _check_can_maintain(actor.user, organisation_id)
    offer = _lock(organisation_id, offer_id)
    _refuse_if_stale(offer, expected_version)
    set_history_user(offer, actor.user)
    offer.delete()
    log_access(actor, Action.DELETE, [_access(offer_id, organisation_id)])
