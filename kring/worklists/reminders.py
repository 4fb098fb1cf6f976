"""Reminders of what is due: made by the background worker, shown in the application and sent by e-mail.

``scan(today)`` is one set-based pass. It reads only trajectories and Jeugdwet records whose ``next_due_on``
falls in the window [today - OVERDUE_NOTICE_DAYS, today + the longest lead time] (plus trajectories whose
current phase reaches its maximum in that window while an earlier date is long past), works out per open
deadline which reminder is due, and writes them with one INSERT ... ON CONFLICT DO NOTHING against the
unique constraint ``reminder_once``. Whatever was new is e-mailed in the same transaction and marked, so
however often the scan runs, each reminder is created and e-mailed once.

Which reminder: the lead times of the organisation (ReminderSettings, default 7 and 1 days), the day itself
(lead 0) and one overdue notice (lead -1, the day after). Only the most advanced stage reached is made, so a
scan that was not run for a few days catches up with one reminder, never with a pile of stale ones, and a
reminder is never made before its day.

What is due comes from the stages (``kring.trajectories.due``): each registered source reads its own dates in
the window (phase ends and Jeugdwet deadlines in ``trajectories.due_phases``, meetings in ``meetings.due``, the
plan's agreements and reviews in ``plans.due``, which also raises the safety alerts and e-mails the network
members who carry an agreement). The scan loops over them in their registered order.

Who: the case workers on the case team, and the one person a date names besides them (a trajectory's or
meeting's coordinator, who checks an agreement, a review's coordinator) when they are on the case team too; only
people who hold an active case role at the organisation (need-to-know): ``recipients``, one function for every
kind of date. E-mails name the case number (and for a meeting its kind, time and place), never a family member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kring.accounts.models import CASE_ROLES, Membership, Organisation, Role
from kring.audit.services import Access, Action, log_access
from kring.cases.choices import CaseRole
from kring.cases.models import CONSENT_TERM_DAYS, Case, CaseTeamMember, Consent
from kring.cases.queries import visible_cases
from kring.inbox import kinds as inbox_kinds
from kring.inbox.services import notify
from kring.meetings.due import PLANNED, local_time, meeting_id_of
from kring.plans.due import review_subject as review_subject  # known here too (tests)
from kring.plans.follow_up import HELP_SUBJECT
from kring.trajectories.choices import DeadlineKind
from kring.trajectories.due import OVERDUE_NOTICE_DAYS, DueDate, ScanWindow, due_sources
from kring.trajectories.due import stage as stage  # known here too (tests)
from kring.trajectories.models import Reminder, ReminderSettings

from .queries import meeting_support

MAX_LEAD_DAYS = 60
MAX_LEAD_TIMES = 5


@dataclass(frozen=True)
class MeetingInfo:
    """What a meeting reminder says besides the case number: the kind of meeting, when (local time), where."""

    kind: str
    starts_at: datetime
    place: str
    planned: bool


def attach_meetings(reminders) -> None:
    """Give each meeting reminder its meeting's kind, local time and place (``reminder.meeting``): one query for
    all of them, none when there is no meeting reminder."""
    wanted = {}
    for reminder in reminders:
        reminder.meeting = None
        if reminder.kind == DeadlineKind.MEETING:
            meeting_id = meeting_id_of(reminder.subject)
            if meeting_id is not None:
                wanted.setdefault(meeting_id, []).append(reminder)
    if not wanted:
        return
    Meeting, _zones, _kinds = meeting_support()
    rows = Meeting.objects.filter(pk__in=list(wanted)).values_list(
        "id", "kind", "starts_at", "place", "status", "organisation__jurisdiction"
    )
    for meeting_id, kind, starts_at, place, status, jurisdiction in rows:
        local = local_time(starts_at, jurisdiction)
        info = MeetingInfo(kind=kind, starts_at=local, place=place, planned=status == PLANNED)
        for reminder in wanted[meeting_id]:
            reminder.meeting = info


def _is_current(reminder) -> bool:
    """False for a meeting reminder whose meeting was cancelled, held or moved to another day since."""
    if reminder.kind != DeadlineKind.MEETING:
        return True
    info = getattr(reminder, "meeting", None)
    return info is not None and info.planned and info.starts_at.date() == reminder.due_on


@dataclass(frozen=True)
class ScanResult:
    candidates: int
    created: int
    emailed: int


def _settings_by_organisation():
    found = {row.organisation_id: row for row in ReminderSettings.objects.all()}
    default = list(ReminderSettings.DEFAULT_LEAD_DAYS)
    days = {org: row.days() for org, row in found.items()}
    email = {org: row.email for org, row in found.items()}
    longest = max([max(default)] + [max(d) for d in days.values() if d])
    return (lambda org: days.get(org, sorted(default, reverse=True))), (lambda org: email.get(org, True)), longest


def _case_teams(case_ids) -> dict[int, dict[int, str]]:
    """case id -> {user id: case role} of the people on the case team who hold an active case role there."""
    has_role = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"), active=True, role__in=CASE_ROLES
    )
    rows = (
        CaseTeamMember.objects.filter(case_id__in=case_ids, user__is_active=True)
        .filter(Exists(has_role))
        .values_list("case_id", "user_id", "role")
    )
    result: dict[int, dict[int, str]] = defaultdict(dict)
    for case_id, user_id, role in rows:
        result[case_id][user_id] = role
    return result


def recipients(members: dict[int, str], also: int | None) -> set[int]:
    """Who is reminded of a date: the case workers on the case team (``members``: user id -> case role), and
    ``also`` (the date's coordinator or checker) when they are on the case team too."""
    users = {user_id for user_id, role in members.items() if role == CaseRole.CASE_WORKER}
    if also in members:
        users.add(also)
    return users


def scan(today: date | None = None) -> ScanResult:
    """Make the reminders due today and e-mail the new ones. Safe to run as often as one likes."""
    today = today or timezone.localdate()
    days_for, email_for, longest = _settings_by_organisation()
    window = ScanWindow(
        today=today,
        low=today - timedelta(days=OVERDUE_NOTICE_DAYS),
        high=today + timedelta(days=longest),
        days_for=days_for,
        email_for=email_for,
    )
    started = timezone.now()
    with transaction.atomic():
        tell_lapsing_consents(today)
    found = [source.reminders(window) for source in due_sources() if source.reminders is not None]
    cases = set().union(*(part.cases for part in found))
    if not cases:
        return ScanResult(0, 0, 0)
    teams = _case_teams(cases)
    candidates = [reminder for part in found for due in part.dates for reminder in _reminders_of(due, window, teams)]
    alerts = 0
    for part in found:
        for alert in part.alerts:
            with transaction.atomic():
                alerts += alert()
    if not candidates:
        return ScanResult(alerts, alerts, alerts)
    with transaction.atomic():
        Reminder.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=1000)
        tell_reviews_due(candidates)
        # What is new: made from ``started`` on and not yet e-mailed. A concurrent scan that inserted first has
        # e-mailed (and marked) its rows in its own transaction, so they are not sent twice.
        new = Reminder.objects.filter(
            user_id__in={c.user_id for c in candidates},
            created_at__gte=started,
            emailed_at__isnull=True,
            due_on__gte=window.low - timedelta(days=1),
            due_on__lte=window.high,
        )
        created = new.count()
        emailed = _email(new.filter(organisation_id__in=_email_organisations(candidates, email_for)))
    return ScanResult(len(candidates) + alerts, created + alerts, emailed + alerts)


def _reminders_of(due: DueDate, window: ScanWindow, teams) -> list[Reminder]:
    """The reminders of one date due today (its lead time reached), one per recipient; none when none is due."""
    lead = window.stage(due.organisation_id, due.due_on)
    if lead is None:
        return []
    return [
        Reminder(
            organisation_id=due.organisation_id,
            user_id=user_id,
            case_id=due.case_id,
            trajectory_id=due.trajectory_id,
            kind=due.kind,
            subject=due.subject[:60],
            due_on=due.due_on,
            lead_days=lead,
        )
        for user_id in recipients(teams.get(due.case_id, {}), due.also)
    ]


def tell_reviews_due(candidates: list[Reminder]) -> int:
    """A review of the plan coming up, in the inbox of the people its reminders go to: once per review and date
    (the key), at the first lead time reached, however often the scan runs."""
    per_review: dict[tuple[int, str, date], set[int]] = defaultdict(set)
    for reminder in candidates:
        if reminder.kind == DeadlineKind.REVIEW and reminder.lead_days >= 0 and reminder.trajectory_id:
            per_review[(reminder.case_id, reminder.subject, reminder.due_on)].add(reminder.user_id)
    if not per_review:
        return 0
    cases = Case.objects.in_bulk({case_id for case_id, _subject, _due in per_review})
    trajectories = {(r.case_id, r.subject): r.trajectory_id for r in candidates if r.kind == DeadlineKind.REVIEW}
    told = 0
    for (case_id, subject, due_on), users in per_review.items():
        case = cases[case_id]
        told += len(
            notify(
                inbox_kinds.REVIEW_DUE,
                users,
                organisation=case.organisation_id,
                case=case,
                link=reverse("plans:plan", args=[case_id, trajectories[(case_id, subject)]]),
                key=f"{subject}:{due_on.isoformat()}",
                params={"date": due_on.isoformat()},
            )
        )
    return told


# A consent lapses a year after it was given (CONSENT_TERM_DAYS, decision 103): the case workers are told this many
# days before, once per consent. Only the newest consent of a person for a purpose counts; a new one replaces it.
CONSENT_NOTICE_DAYS = 30


def tell_lapsing_consents(today: date) -> int:
    """Tell the case workers of open cases about each consent that lapses within CONSENT_NOTICE_DAYS."""
    given_from = today - timedelta(days=CONSENT_TERM_DAYS)
    given_to = given_from + timedelta(days=CONSENT_NOTICE_DAYS)
    newer = Consent.objects.filter(
        person_id=OuterRef("person_id"), purpose=OuterRef("purpose"), given_on__gt=OuterRef("given_on")
    )
    rows = list(
        Consent.objects.filter(given_on__gt=given_from, given_on__lte=given_to, withdrawn_on__isnull=True)
        .exclude(case__status="closed")
        .exclude(Exists(newer))
        .select_related("case")
    )
    if not rows:
        return 0
    teams = _case_teams({row.case_id for row in rows})
    told = 0
    for consent in rows:
        workers = {user_id for user_id, role in teams.get(consent.case_id, {}).items() if role == CaseRole.CASE_WORKER}
        lapses_on = consent.given_on + timedelta(days=CONSENT_TERM_DAYS)
        told += len(
            notify(
                inbox_kinds.CONSENT_LAPSING,
                workers,
                organisation=consent.organisation_id,
                case=consent.case,
                link=reverse("cases:detail", args=[consent.case_id]),
                key=f"consent:{consent.pk}:{lapses_on.isoformat()}",
                params={"date": lapses_on.isoformat()},
            )
        )
    return told


def _email_organisations(candidates, email_for):
    return [org for org in {c.organisation_id for c in candidates} if email_for(org)]


def _email(reminders) -> int:
    """One e-mail per person with their new reminders; the reminders are marked as e-mailed."""
    rows = list(
        reminders.select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "case")
        .order_by("user_id", "due_on", "id")
    )
    if not rows:
        return 0
    attach_meetings(rows)
    per_user = defaultdict(list)
    for reminder in rows:
        per_user[reminder.user].append(reminder)
    for user, items in per_user.items():
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            subject, body = email_text(items)
        send_mail(subject, body, None, [user.email])
    Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(emailed_at=timezone.now())
    return len(rows)


def reminder_sentence(reminder: Reminder, today: date | None = None) -> str:
    """One line about one reminder, in the active language; names only the case number (need-to-know)."""
    if reminder.kind == DeadlineKind.MEETING and getattr(reminder, "meeting", None) is not None:
        return meeting_sentence(reminder, today)
    kind = str(dict(DeadlineKind.choices).get(reminder.kind, reminder.kind))
    values = {
        "number": reminder.case.number,
        "kind": kind,
        "date": date_format(reminder.due_on, "DATE_FORMAT"),
        "days": max((reminder.due_on - (today or timezone.localdate())).days, 0),
    }
    if reminder.kind in PLAN_KINDS:
        return plan_sentence(reminder, values)
    if reminder.lead_days < 0:
        return _("Case %(number)s: %(kind)s was due on %(date)s and is overdue.") % values
    if reminder.lead_days == 0:
        return _("Case %(number)s: %(kind)s is due today (%(date)s).") % values
    return (
        ngettext(
            "Case %(number)s: %(kind)s is due on %(date)s (in %(days)s day).",
            "Case %(number)s: %(kind)s is due on %(date)s (in %(days)s days).",
            values["days"],
        )
        % values
    )


PLAN_KINDS = (DeadlineKind.AGREEMENT, DeadlineKind.REVIEW, DeadlineKind.SAFETY_ALERT)


def plan_sentence(reminder: Reminder, values: dict) -> str:
    """One line about an agreement, a review or a safety alert: the case number and the date, nothing of what was
    agreed or by whom."""
    overdue, on_the_day = reminder.lead_days < 0, reminder.lead_days == 0
    if reminder.kind == DeadlineKind.SAFETY_ALERT:
        if overdue:
            return (
                _(
                    "Case %(number)s: a safety agreement was due on %(date)s and has not been reported done. Check "
                    "the safety at once."
                )
                % values
            )
        return (
            _(
                "Case %(number)s: a safety agreement was reported as not done, or help was asked with it. Check the "
                "safety at once."
            )
            % values
        )
    if reminder.kind == DeadlineKind.REVIEW:
        if overdue:
            return _("Case %(number)s: the review of the plan planned on %(date)s has not been recorded.") % values
        if on_the_day:
            return _("Case %(number)s: a review of the plan is planned today (%(date)s).") % values
        return (
            ngettext(
                "Case %(number)s: a review of the plan is planned on %(date)s (in %(days)s day).",
                "Case %(number)s: a review of the plan is planned on %(date)s (in %(days)s days).",
                values["days"],
            )
            % values
        )
    if reminder.subject.startswith(HELP_SUBJECT):
        return _("Case %(number)s: help was asked with an agreement of the plan.") % values
    if overdue:
        return (
            _("Case %(number)s: an agreement of the plan was due on %(date)s and has not been reported done.") % values
        )
    if on_the_day:
        return _("Case %(number)s: an agreement of the plan is due today (%(date)s).") % values
    return (
        ngettext(
            "Case %(number)s: an agreement of the plan is due on %(date)s (in %(days)s day).",
            "Case %(number)s: an agreement of the plan is due on %(date)s (in %(days)s days).",
            values["days"],
        )
        % values
    )


def meeting_sentence(reminder: Reminder, today: date | None = None) -> str:
    """One line about a meeting: case number, kind of meeting, local date and time, place; no names."""
    info = reminder.meeting
    _meeting, _zones, kinds = meeting_support()
    values = {
        "number": reminder.case.number,
        "kind": str(kinds.get(info.kind, info.kind)),
        "date": date_format(info.starts_at.date(), "DATE_FORMAT"),
        "time": info.starts_at.strftime("%H:%M"),
        "place": info.place,
    }
    if reminder.lead_days < 0:
        return (
            _(
                "Case %(number)s: the %(kind)s of %(date)s at %(time)s (%(place)s) was not recorded as held; "
                "record what happened."
            )
            % values
        )
    if reminder.lead_days == 0:
        return _("Case %(number)s: %(kind)s today (%(date)s) at %(time)s, %(place)s.") % values
    values["days"] = max((reminder.due_on - (today or timezone.localdate())).days, 0)
    return (
        ngettext(
            "Case %(number)s: %(kind)s on %(date)s at %(time)s, %(place)s (in %(days)s day).",
            "Case %(number)s: %(kind)s on %(date)s at %(time)s, %(place)s (in %(days)s days).",
            values["days"],
        )
        % values
    )


def email_text(items: list[Reminder]) -> tuple[str, str]:
    overdue = any(r.lead_days < 0 for r in items)
    subject = _("Kring: overdue steps") if overdue else _("Kring: steps coming up")
    lines = [_("This is a reminder from Kring about steps in your cases:"), ""]
    lines += [f"- {reminder_sentence(r)}" for r in items]
    lines += ["", _("Open your work list in Kring for the details.")]
    return subject, "\n".join(lines)


# ---- in the application ------------------------------------------------------------------------------------


def unread(actor, limit: int = 50) -> list[Reminder]:
    """The user's unread reminders, for cases they may still see."""
    rows = list(
        Reminder.objects.filter(user=actor.user, read_at__isnull=True, case__in=visible_cases(actor.user))
        .select_related("case")
        .order_by("due_on", "id")[:limit]
    )
    # A meeting reminder shows the meeting as it is now; one whose meeting was cancelled, held or moved to
    # another day since no longer holds (the moved meeting has its own reminders).
    attach_meetings(rows)
    rows = [r for r in rows if _is_current(r)]
    if rows:
        log_access(actor, Action.LIST, [Access("reminder", r.pk, r.case_id, r.organisation_id) for r in rows])
    return rows


def mark_read(actor, reminder_ids=None) -> int:
    """Mark the user's own reminders read (all unread ones when no ids are given)."""
    mine = Reminder.objects.filter(user=actor.user, read_at__isnull=True)
    if reminder_ids is not None:
        mine = mine.filter(pk__in=list(reminder_ids))
    return mine.update(read_at=timezone.now())


# ---- settings ------------------------------------------------------------------------------------------------


SETTINGS_ROLES = {Role.TEAM_LEAD, Role.ADMINISTRATOR}


def settings_organisations(user) -> list[Organisation]:
    """The organisations whose reminder settings the user may change: team lead or functional administrator."""
    found = {m.organisation_id: m.organisation for m in user.active_memberships() if m.role in SETTINGS_ROLES}
    return sorted(found.values(), key=lambda o: o.name)


def settings_for(organisation) -> ReminderSettings:
    return ReminderSettings.objects.filter(organisation=organisation).first() or ReminderSettings(
        organisation=organisation, lead_days=list(ReminderSettings.DEFAULT_LEAD_DAYS)
    )


def parse_lead_days(text: str) -> list[int]:
    """'7, 1' -> [7, 1]; whole days from 1 to MAX_LEAD_DAYS, at most MAX_LEAD_TIMES of them."""
    parts = [p for p in str(text or "").replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    try:
        values = sorted({int(p) for p in parts}, reverse=True)
    except ValueError:
        raise ValidationError(
            {"lead_days": [_("Give whole numbers of days, separated by commas, e.g. 7, 1.")]}
        ) from None
    if not values:
        raise ValidationError({"lead_days": [_("Give at least one number of days.")]})
    if any(v < 1 or v > MAX_LEAD_DAYS for v in values):
        raise ValidationError(
            {"lead_days": [_("Each number of days must be between 1 and %(max)s.") % {"max": MAX_LEAD_DAYS}]}
        )
    if len(values) > MAX_LEAD_TIMES:
        raise ValidationError({"lead_days": [_("Give at most %(n)s numbers of days.") % {"n": MAX_LEAD_TIMES}]})
    return values


@transaction.atomic
def save_settings(actor, organisation_id, lead_days_text: str, email: bool) -> ReminderSettings:
    organisation = next((o for o in settings_organisations(actor.user) if o.pk == int(organisation_id)), None)
    if organisation is None:
        raise PermissionDenied(_("Only team leads and functional administrators set the reminders."))
    values = parse_lead_days(lead_days_text)
    row = ReminderSettings.objects.select_for_update().filter(organisation=organisation).first() or ReminderSettings(
        organisation=organisation
    )
    row.lead_days = values
    row.email = bool(email)
    row.save()
    return row
