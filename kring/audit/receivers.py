"""The access log entries of what the accounts app reports through its signals (``kring.accounts.signals``).

Accounts comes before audit, so it cannot call ``log_access`` itself; it sends a signal and these write the
entries. Connected in ``AuditConfig.ready``.
"""

from django.dispatch import receiver

from kring.accounts.signals import admin_changed, session_refused
from kring.core.actor import Actor

from .models import Action
from .services import Access, log_access


@receiver(admin_changed)
def log_admin_change(sender, request, action, descriptions, **kwargs):
    """One entry per record and organisation it concerns, so every organisation's privacy officer sees it."""
    accesses, details = [], set()
    for record_type, record_id, organisation_ids, detail in descriptions:
        for organisation_id in sorted(organisation_ids) or [None]:
            accesses.append((Access(record_type, record_id, organisation_id=organisation_id), detail))
        details.add(detail)
    actor = Actor.from_request(request)
    # log_access writes one detail per call; records with different details go in separate calls.
    for detail in sorted(details):
        log_access(actor, action, [a for a, d in accesses if d == detail], detail=detail)


@receiver(session_refused)
def log_refused_session(sender, request, user, reason, record_type, **kwargs):
    """A session refused for want of the second factor, in the log of every organisation of the user."""
    organisation_ids = sorted({m.organisation_id for m in user.active_memberships()}) or [None]
    log_access(
        Actor.from_request(request),
        Action.DENIED,
        [Access(record_type, user.pk, organisation_id=o) for o in organisation_ids],
        detail=reason,
    )
