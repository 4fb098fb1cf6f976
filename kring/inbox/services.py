"""Telling people: ``notify`` writes the notifications of one event and queues the e-mails; ``mark_read``.

The stages call ``notify`` where an event happens, in the transaction of that event: a notification of work that
is rolled back is rolled back with it, and its e-mail is only queued once the transaction commits (the mail
backend queues on commit; the worker delivers). The caller chooses the recipients (people who may see the case:
its case team, or the team lead of its team); ``notify`` skips people who are not active at the organisation and
anyone already told about the same event (same kind and key).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kring.accounts.models import Membership
from kring.cases.coordination.queries import assigned_coordinator_ids
from kring.cases.queries import visible_cases

from . import kinds
from .models import EmailPreference, Notification
from .rendering import render


def notify(
    kind: str,
    recipients: Iterable,
    *,
    organisation,
    case=None,
    link: str = "",
    key: str = "",
    params: dict | None = None,
) -> list[Notification]:
    """Tell ``recipients`` (users or user ids) about one event of ``kind``; returns the notifications made.

    ``params`` fill the kind's text (the case number is added from ``case``); they must name no person. ``key``
    identifies the event: with a key, a person is told about it once however often it is sent.
    """
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown kind of notification: {kind}")
    organisation_id = getattr(organisation, "pk", organisation)
    wanted = {getattr(r, "pk", r) for r in recipients if r is not None}
    if not wanted:
        return []
    values = dict(params or {})
    if case is not None:
        values.setdefault("case_number", case.number)
    users = _active_users(wanted, organisation_id, case)
    if key:
        told = set(
            Notification.objects.filter(recipient_id__in=[u.pk for u in users], kind=kind, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        users = [u for u in users if u.pk not in told]
    made = []
    for user in users:
        row = Notification(
            organisation_id=organisation_id,
            recipient=user,
            case=case,
            kind=kind,
            params=values,
            link=link[:300],
            key=key[:120] or None,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:  # told meanwhile by a concurrent call with the same key
            continue
        made.append(row)
    chosen = email_choices({row.recipient_id for row in made})
    _email([row for row in made if chosen.get((row.recipient_id, kind), kinds.KINDS[kind].email)])
    return made


def _active_users(ids, organisation_id, case=None) -> list:
    """The active users among ``ids`` who hold an active role at the organisation, or who are independent
    coordinators with an assignment to the case active today (they hold no role at the case's organisation, and
    see the case through that assignment alone: decision 249)."""
    allowed = Q(pk__in=Membership.objects.filter(organisation_id=organisation_id, active=True).values("user_id"))
    if case is not None:
        allowed |= Q(pk__in=assigned_coordinator_ids(case))
    return list(get_user_model().objects.filter(allowed, pk__in=ids, is_active=True).order_by("pk"))


def email_choices(user_ids) -> dict[tuple[int, str], bool]:
    """(user id, kind) -> e-mail on or off, for the kinds a person chose explicitly (one query)."""
    if not user_ids:
        return {}
    rows = EmailPreference.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "kind", "email")
    return {(user_id, kind): email for user_id, kind, email in rows}


def _email(rows: list[Notification]) -> None:
    """One e-mail per notification, in the recipient's language, through the worker (queued on commit). It says
    the kind and the case number, and where to look; nothing else."""
    if not rows:
        return
    base = settings.KRING_BASE_URL.rstrip("/")
    for row in rows:
        user = row.recipient
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            title, text = render(row)
            lines = [text, ""]
            if base and row.link:
                lines.append(_("Open it in Kring: %(url)s") % {"url": base + row.link})
            else:
                lines.append(_("Open your inbox in Kring for the details."))
            send_mail(_("Kring: %(title)s") % {"title": title}, "\n".join(lines), None, [user.email])
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())


def mark_read(user, ids=None) -> int:
    """Mark the user's own unread notifications read (all of them when ``ids`` is None); returns how many."""
    mine = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        mine = mine.filter(pk__in=[int(i) for i in ids])
    return mine.update(read_at=timezone.now())


def settle(kind: str, key: str) -> int:
    """Mark read everyone's unread notifications of one event once it is dealt with (a coordinator was allocated
    for the trajectory the team lead was told about)."""
    return Notification.objects.filter(kind=kind, key=key, read_at__isnull=True).update(read_at=timezone.now())


def open_notification(user, notification_id: int) -> str:
    """Mark one of the user's own notifications read and return where it leads ("" when it is not theirs)."""
    row = Notification.objects.filter(recipient=user, pk=notification_id).values_list("link", flat=True).first()
    if row is None:
        return ""
    mark_read(user, [notification_id])
    return row if row.startswith("/") and not row.startswith("//") else ""


def settle_hidden(user) -> int:
    """Mark read the user's unread notifications about cases they may no longer see (the inbox leaves those out),
    so the count in the header matches what the inbox shows."""
    hidden = Notification.objects.filter(recipient=user, read_at__isnull=True, case__isnull=False).exclude(
        case__in=visible_cases(user)
    )
    return hidden.update(read_at=timezone.now())


def email_preferences(user) -> dict[str, bool]:
    """Kind code -> whether the user gets it by e-mail: their choice, or the kind's default."""
    chosen = email_choices([user.pk])
    return {code: chosen.get((user.pk, code), kind.email) for code, kind in kinds.KINDS.items()}


@transaction.atomic
def save_email_preferences(user, chosen: Iterable[str]) -> None:
    """Set the user's e-mail choice for every kind: on for the codes in ``chosen``, off for the others."""
    on = set(chosen)
    for code in kinds.KINDS:
        EmailPreference.objects.update_or_create(user=user, kind=code, defaults={"email": code in on})
