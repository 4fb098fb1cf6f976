"""Reading the inbox: the unread count for the header and the user's own notifications."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from kring.audit.services import Access, Action, log_access
from kring.cases.queries import visible_cases

from .models import Notification
from .rendering import render

PAGE_SIZE = 100


@dataclass(frozen=True)
class Item:
    """One notification as the inbox shows it: title and text in the active language."""

    notification: Notification
    title: str
    text: str


def unread_count(user) -> int:
    """How many unread notifications the user has: one COUNT over the partial index ``notification_unread``."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def inbox(actor, limit: int = PAGE_SIZE) -> list[Item]:
    """The user's own notifications, newest first, with their title and text in the active language; those
    about a case the user may no longer see are left out. Each one that names a case is in the access log."""
    user = actor.user
    rows = list(
        Notification.objects.filter(recipient=user)
        .filter(Q(case__isnull=True) | Q(case__in=visible_cases(user)))
        .select_related("case")
        .order_by("-created_at", "-id")[:limit]
    )
    named = [Access("notification", row.pk, row.case_id, row.organisation_id) for row in rows if row.case_id]
    if named:
        log_access(actor, Action.LIST, named)
    return [Item(row, *render(row)) for row in rows]
