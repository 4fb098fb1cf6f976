"""Reading the access log: only privacy officers, and only entries of their own organisations.

The log grows by tens of millions of entries a month, so the page never counts it and never sorts more than a page:
it is read by keyset ("older than this entry"), newest first, within a period (by default the last 30 days), so on
PostgreSQL the planner reads only the months' partitions in the period and walks an index ending in ``at`` in
order: (organisation_id, at), (user_id, at) or (case_id, at) as the filter suggests (decision 168).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Membership, Role

from .models import AccessLogEntry

DEFAULT_DAYS = 30
PAGE_SIZE = 50


def officer_organisation_ids(user) -> set[int]:
    return {m.organisation_id for m in user.active_memberships() if m.role == Role.PRIVACY_OFFICER}


def _parts(user, *, user_id=None, case_id=None, date_from=None, date_until=None):
    """The officer's entries as two querysets: those of the organisations, and those without an organisation.

    Entries without an organisation (e.g. refused access to an unknown case) are shown only when the user who
    caused them works for one of the officer's organisations. Two parts rather than one OR, so each is read from
    its own index in order.
    """
    organisation_ids = officer_organisation_ids(user)
    if not organisation_ids:
        raise PermissionDenied(_("Only privacy officers can read the access log."))
    # As a literal list (one query) rather than a subquery: a semi-join would keep the planner from reading the
    # entries in order from the index and stopping after one page.
    members = sorted(
        set(Membership.objects.filter(organisation_id__in=organisation_ids).values_list("user_id", flat=True))
    )
    own = AccessLogEntry.objects.filter(organisation_id__in=sorted(organisation_ids))
    loose = AccessLogEntry.objects.filter(organisation_id__isnull=True, user_id__in=members)
    period = {}
    if date_from:
        period["at__gte"] = _start_of(date_from)
    if date_until:
        period["at__lt"] = _start_of(date_until + datetime.timedelta(days=1))
    narrowed = []
    for part in (own, loose):
        if user_id:
            part = part.filter(user_id=user_id)
        if case_id:
            part = part.filter(case_id=case_id)
        narrowed.append(part.filter(**period))
    return narrowed


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` where the officer is: a range on ``at`` itself, so partitions are pruned."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def default_period(date_from, date_until, today=None):
    """Without a start, the last DEFAULT_DAYS days up to the end; without an end, up to today.

    Both bounds are always given, so on PostgreSQL the planner reads only the months in between (and not the
    partitions made ahead, nor the DEFAULT partition).
    """
    date_until = date_until or today or timezone.localdate()
    if date_from is None:
        date_from = date_until - datetime.timedelta(days=DEFAULT_DAYS - 1)
    return date_from, date_until


def access_log(user, *, user_id=None, case_id=None, date_from=None, date_until=None):
    """The officer's entries, newest first, as one queryset (the CSV export reads it in chunks)."""
    own, loose = _parts(user, user_id=user_id, case_id=case_id, date_from=date_from, date_until=date_until)
    # One OR of the two parts' conditions: each keeps the period as a range on ``at``, so partitions are pruned.
    return (own | loose).order_by("-at", "-id")


@dataclass(frozen=True)
class Cursor:
    at: datetime.datetime
    id: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}~{self.id}"

    @classmethod
    def decode(cls, text) -> Cursor | None:
        """A cursor from the address; anything malformed is no cursor (the newest page)."""
        try:
            at, _sep, pk = str(text or "").partition("~")
            moment = datetime.datetime.fromisoformat(at)
            if timezone.is_naive(moment):
                return None
            return cls(moment, int(pk))
        except (TypeError, ValueError):
            return None


@dataclass
class LogPage:
    entries: list
    older: Cursor | None  # the last entry shown, when older entries follow
    newer: Cursor | None  # the first entry shown, when newer entries precede it
    is_newest: bool

    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)


def access_log_page(user, *, before=None, after=None, per_page=PAGE_SIZE, **filters) -> LogPage:
    """One page of the officer's entries, newest first: older than ``before``, or newer than ``after``.

    Two queries whatever the size of the log (one per part, each LIMIT per_page + 1); no count.
    """
    parts = _parts(user, **filters)
    going_back = after is not None and before is None
    found = []
    for part in parts:
        if going_back:
            part = part.filter(Q(at__gt=after.at) | Q(at=after.at, id__gt=after.id), at__gte=after.at)
            part = part.order_by("at", "id")
        else:
            if before is not None:
                part = part.filter(Q(at__lt=before.at) | Q(at=before.at, id__lt=before.id), at__lte=before.at)
            part = part.order_by("-at", "-id")
        found.extend(part.only(*_SHOWN)[: per_page + 1])
    found.sort(key=lambda e: (e.at, e.id), reverse=not going_back)
    more = len(found) > per_page
    found = found[:per_page]
    if going_back:
        found.reverse()
        newer = Cursor(found[0].at, found[0].id) if (found and more) else None
        older = Cursor(found[-1].at, found[-1].id) if found else None
        return LogPage(found, older, newer, is_newest=not more)
    older = Cursor(found[-1].at, found[-1].id) if (found and more) else None
    newer = Cursor(found[0].at, found[0].id) if (found and before is not None) else None
    return LogPage(found, older, newer, is_newest=before is None)


# What the page shows (``detail`` is in the CSV export only).
_SHOWN = (
    "id",
    "at",
    "user_label",
    "organisation_id",
    "case_id",
    "record_type",
    "record_id",
    "action",
    "ip_address",
    "path",
)
