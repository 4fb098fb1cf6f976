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

Planned meetings (of active trajectories) are read by ``starts_at`` in the same window and reminded of like a
date: kind MEETING, subject ``meeting:<id>``, due on the meeting's local date. A cancelled or held meeting is not
read, so it gets no new reminders; a meeting moved to another day has a new date and so gets its own.

The plan's agreements in force, still to be carried out, are reminded of by their due date (kind AGREEMENT,
subject ``agreement:<id>``), to the case workers and the professional who checks them; the overdue ones are read
through ``plans.queries.overdue_agreements`` (the partial index on running agreements). An overdue safety
agreement gets no ordinary notice: ``plans.follow_up.alert_case_team`` makes a SAFETY_ALERT and e-mails it at once,
once. Open reviews of active trajectories are reminded of by their planned date (kind REVIEW, subject
``review:<id>``), to the case workers and the coordinator. Network members who own an agreement are not e-mailed
(a reminder needs a user; they see their agreements behind their personal link).

Who: the case workers on the case team, and for a trajectory (and its meetings) also its coordinator; only
people who are on the case team and hold an active case role at the organisation (need-to-know). E-mails name
the case number (and for a meeting its kind, time and place), never a family member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kring.accounts.models import CASE_ROLES, Membership, Organisation, Role
from kring.audit.services import Access, Action, log_access
from kring.cases.choices import CaseRole, CaseStatus
from kring.cases.models import CaseTeamMember
from kring.cases.queries import visible_cases
from kring.plans import follow_up as plan_follow_up
from kring.plans import queries as plan_queries
from kring.plans.choices import RUNNING_AGREEMENT
from kring.plans.models import Agreement, Review
from kring.trajectories import deadlines
from kring.trajectories.choices import DeadlineKind
from kring.trajectories.core import jeugdwet, schedule
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import FamilyPlanRight, Reminder, ReminderSettings, Trajectory, TrajectoryPhase

from .queries import PLANNED, meeting_support

OVERDUE = -1
# An overdue notice is made at most this many days after the date (a worker that was down longer does not
# send notices about things long past: the work lists show them).
OVERDUE_NOTICE_DAYS = 14
MAX_LEAD_DAYS = 60
MAX_LEAD_TIMES = 5
MEETING_SUBJECT = "meeting:"
REVIEW_SUBJECT = "review:"


@dataclass(frozen=True)
class MeetingInfo:
    """What a meeting reminder says besides the case number: the kind of meeting, when (local time), where."""

    kind: str
    starts_at: datetime
    place: str
    planned: bool


def meeting_subject(meeting_id) -> str:
    return f"{MEETING_SUBJECT}{meeting_id}"


def review_subject(review_id) -> str:
    return f"{REVIEW_SUBJECT}{review_id}"


def _meeting_id(subject: str) -> int | None:
    if subject.startswith(MEETING_SUBJECT):
        try:
            return int(subject[len(MEETING_SUBJECT) :])
        except ValueError:
            return None
    return None


def attach_meetings(reminders) -> None:
    """Give each meeting reminder its meeting's kind, local time and place (``reminder.meeting``): one query for
    all of them, none when there is no meeting reminder."""
    wanted = {}
    for reminder in reminders:
        reminder.meeting = None
        if reminder.kind == DeadlineKind.MEETING:
            meeting_id = _meeting_id(reminder.subject)
            if meeting_id is not None:
                wanted.setdefault(meeting_id, []).append(reminder)
    if not wanted:
        return
    Meeting, zones, _kinds = meeting_support()
    rows = Meeting.objects.filter(pk__in=list(wanted)).values_list(
        "id", "kind", "starts_at", "place", "status", "organisation__jurisdiction"
    )
    for meeting_id, kind, starts_at, place, status, jurisdiction in rows:
        local = starts_at.astimezone(ZoneInfo(zones.get(jurisdiction, settings.TIME_ZONE)))
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


def stage(due_on: date, today: date, lead_days: list[int]) -> int | None:
    """The reminder due today for a date: the smallest lead time already reached (0 on the day, -1 once
    overdue within the notice window), or None when no reminder is due yet (or any more)."""
    if today > due_on:
        return OVERDUE if (today - due_on).days <= OVERDUE_NOTICE_DAYS else None
    left = (due_on - today).days
    reached = [d for d in (*lead_days, 0) if d >= left]
    return min(reached) if reached else None


def _settings_by_organisation():
    found = {row.organisation_id: row for row in ReminderSettings.objects.all()}
    default = list(ReminderSettings.DEFAULT_LEAD_DAYS)
    days = {org: row.days() for org, row in found.items()}
    email = {org: row.email for org, row in found.items()}
    longest = max([max(default)] + [max(d) for d in days.values() if d])
    return (lambda org: days.get(org, sorted(default, reverse=True))), (lambda org: email.get(org, True)), longest


def _recipients(case_filter) -> dict[int, dict[int, str]]:
    """case id -> {user id: case role} of the people on the case team who hold an active case role there."""
    has_role = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"), active=True, role__in=CASE_ROLES
    )
    rows = (
        CaseTeamMember.objects.filter(case_filter, user__is_active=True)
        .filter(Exists(has_role))
        .values_list("case_id", "user_id", "role")
    )
    result: dict[int, dict[int, str]] = defaultdict(dict)
    for case_id, user_id, role in rows:
        result[case_id][user_id] = role
    return result


def scan(today: date | None = None) -> ScanResult:
    """Make the reminders due today and e-mail the new ones. Safe to run as often as one likes."""
    today = today or timezone.localdate()
    days_for, email_for, longest = _settings_by_organisation()
    low, high = today - timedelta(days=OVERDUE_NOTICE_DAYS), today + timedelta(days=longest)
    started = timezone.now()

    # Phase deadlines: the open (current) phases of active trajectories due in the window. An earlier date
    # long past keeps next_due_on low while the phase's maximum may still come up: those are found too.
    maximum_in_window = TrajectoryPhase.objects.filter(
        trajectory_id=OuterRef("pk"),
        started_on__isnull=False,
        ended_on__isnull=True,
        latest_end__gte=low,
        latest_end__lte=high,
    )
    # Closed cases are left alone whatever their trajectories' status.
    due = (
        Trajectory.objects.filter(status__in=ACTIVE, next_due_on__lte=high)
        .exclude(case__status=CaseStatus.CLOSED)
        .filter(Q(next_due_on__gte=low) | Exists(maximum_in_window))
    )
    phases = list(
        TrajectoryPhase.objects.filter(
            trajectory__in=due.values("pk"), started_on__isnull=False, ended_on__isnull=True
        ).values_list(
            "trajectory_id",
            "code",
            "planned_end",
            "latest_end",
            "trajectory__case_id",
            "trajectory__organisation_id",
            "trajectory__coordinator_id",
        )
    )
    # Legal deadlines of Dutch cases still open.
    rights = list(
        FamilyPlanRight.objects.filter(next_due_on__gte=low, next_due_on__lte=high, organisation__jurisdiction="NL")
        .exclude(case__status=CaseStatus.CLOSED)
        .only(
            *[
                f
                for f in (
                    "id",
                    "case_id",
                    "organisation_id",
                    "exemption",
                    "offered_on",
                    "reasonable_term_until",
                    "parents_answered_on",
                    "parents_answer",
                    "dropped_on",
                    "drop_ground",
                    "family_plan_made_on",
                    "professional_plan_adopted_on",
                    "written_copy_requested_on",
                    "written_copy_given_on",
                )
            ]
        )
    )
    # Planned meetings of active trajectories that start in the window (a day wider on each side for the time
    # zones; the stage below works on each meeting's local date).
    Meeting, zones, _kinds = meeting_support()
    zone = timezone.get_default_timezone()
    meetings = list(
        Meeting.objects.filter(
            status=PLANNED,
            trajectory__status__in=ACTIVE,
            starts_at__gte=datetime.combine(low - timedelta(days=1), time.min, tzinfo=zone),
            starts_at__lt=datetime.combine(high + timedelta(days=2), time.min, tzinfo=zone),
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .values_list(
            "id",
            "case_id",
            "organisation_id",
            "trajectory_id",
            "trajectory__coordinator_id",
            "starts_at",
            "organisation__jurisdiction",
        )
    )
    # The plan's agreements in force still to be carried out: those due from today to the end of the window, and
    # those overdue since the window's start (both read through the partial index on running agreements).
    upcoming = list(
        Agreement.objects.filter(
            in_force=True,
            status__in=[s.value for s in RUNNING_AGREEMENT],
            due_on__gte=today,
            due_on__lte=high,
            plan__trajectory__status__in=ACTIVE,
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .values_list(
            "id", "case_id", "organisation_id", "due_on", "is_safety", "checker_user_id", "plan__trajectory_id"
        )
    )
    # The members who carry these agreements hear of them too, before the date (through their own link).
    plan_follow_up.remind_members(
        today,
        [(row[0], row[2], row[3]) for row in upcoming],
        lambda org, due_on: stage(due_on, today, days_for(org)) if email_for(org) else None,
    )
    overdue_ids = [row[0] for row in plan_queries.overdue_agreements(today, since=low)]
    overdue = (
        list(
            Agreement.objects.filter(pk__in=overdue_ids)
            .select_related("plan")
            .only(
                "id",
                "case_id",
                "organisation_id",
                "due_on",
                "is_safety",
                "checker_user_id",
                "plan_id",
                "plan__trajectory_id",
            )
        )
        if overdue_ids
        else []
    )
    # Open reviews of active trajectories planned in the window.
    reviews = list(
        Review.objects.filter(
            held_on__isnull=True, planned_on__gte=low, planned_on__lte=high, plan__trajectory__status__in=ACTIVE
        )
        .exclude(case__status=CaseStatus.CLOSED)
        .values_list(
            "id", "case_id", "organisation_id", "planned_on", "plan__trajectory_id", "plan__trajectory__coordinator_id"
        )
    )
    if not phases and not rights and not meetings and not upcoming and not overdue and not reviews:
        return ScanResult(0, 0, 0)

    phase_cases = {row[4] for row in phases}
    right_cases = {r.case_id for r in rights}
    meeting_cases = {row[1] for row in meetings}
    plan_cases = {row[1] for row in upcoming} | {a.case_id for a in overdue} | {row[1] for row in reviews}
    team = _recipients(Q(case_id__in=(phase_cases | right_cases | meeting_cases | plan_cases)))

    candidates: list[Reminder] = []

    def remind(org, case_id, trajectory_id, kind, subject, due_on, users):
        lead = stage(due_on, today, days_for(org))
        if lead is None:
            return
        for user_id in users:
            candidates.append(
                Reminder(
                    organisation_id=org,
                    user_id=user_id,
                    case_id=case_id,
                    trajectory_id=trajectory_id,
                    kind=kind,
                    subject=subject[:60],
                    due_on=due_on,
                    lead_days=lead,
                )
            )

    for trajectory_id, code, planned_end, latest_end, case_id, org, coordinator_id in phases:
        members = team.get(case_id, {})
        users = {u for u, role in members.items() if role == CaseRole.CASE_WORKER}
        if coordinator_id in members:
            users.add(coordinator_id)
        subject = f"t{trajectory_id}:{code}"
        if planned_end:
            remind(org, case_id, trajectory_id, DeadlineKind.PHASE_END, subject, planned_end, users)
        if latest_end and latest_end != planned_end:
            remind(org, case_id, trajectory_id, DeadlineKind.PHASE_LATEST, subject, latest_end, users)
    for record in rights:
        members = team.get(record.case_id, {})
        users = {u for u, role in members.items() if role == CaseRole.CASE_WORKER}
        for deadline in schedule.open_deadlines(jeugdwet.deadlines(deadlines.as_core(record))):
            remind(
                record.organisation_id, record.case_id, None, deadline.kind, f"fpr{record.pk}", deadline.due_on, users
            )
    for meeting_id, case_id, org, trajectory_id, coordinator_id, starts_at, jurisdiction in meetings:
        members = team.get(case_id, {})
        users = {u for u, role in members.items() if role == CaseRole.CASE_WORKER}
        if coordinator_id in members:
            users.add(coordinator_id)
        local_day = starts_at.astimezone(ZoneInfo(zones.get(jurisdiction, settings.TIME_ZONE))).date()
        if low <= local_day <= high:
            remind(org, case_id, trajectory_id, DeadlineKind.MEETING, meeting_subject(meeting_id), local_day, users)

    def remind_of_agreement(agreement_id, case_id, org, due_on, checker_id, trajectory_id):
        members = team.get(case_id, {})
        users = {u for u, role in members.items() if role == CaseRole.CASE_WORKER}
        if checker_id in members:
            users.add(checker_id)
        remind(
            org,
            case_id,
            trajectory_id,
            DeadlineKind.AGREEMENT,
            plan_follow_up.agreement_subject(agreement_id),
            due_on,
            users,
        )

    for agreement_id, case_id, org, due_on, _is_safety, checker_id, trajectory_id in upcoming:
        remind_of_agreement(agreement_id, case_id, org, due_on, checker_id, trajectory_id)
    # Overdue: a safety agreement alerts the case team at once (below); any other gets the one overdue notice.
    safety = [a for a in overdue if a.is_safety]
    for a in overdue:
        if not a.is_safety:
            remind_of_agreement(a.pk, a.case_id, a.organisation_id, a.due_on, a.checker_user_id, a.plan.trajectory_id)
    for review_id, case_id, org, planned_on, trajectory_id, coordinator_id in reviews:
        members = team.get(case_id, {})
        users = {u for u, role in members.items() if role == CaseRole.CASE_WORKER}
        if coordinator_id in members:
            users.add(coordinator_id)
        remind(org, case_id, trajectory_id, DeadlineKind.REVIEW, review_subject(review_id), planned_on, users)

    alerts = 0
    for agreement in safety:
        # A safety alert and its e-mail, once per agreement and due date (the reminder's unique key).
        with transaction.atomic():
            alerts += plan_follow_up.alert_case_team(agreement, today)

    if not candidates:
        return ScanResult(alerts, alerts, alerts)
    with transaction.atomic():
        Reminder.objects.bulk_create(candidates, ignore_conflicts=True, batch_size=1000)
        # What is new: made from ``started`` on and not yet e-mailed. A concurrent scan that inserted first has
        # e-mailed (and marked) its rows in its own transaction, so they are not sent twice.
        new = Reminder.objects.filter(
            user_id__in={c.user_id for c in candidates},
            created_at__gte=started,
            emailed_at__isnull=True,
            due_on__gte=low - timedelta(days=1),
            due_on__lte=high,
        )
        created = new.count()
        emailed = _email(new.filter(organisation_id__in=_email_organisations(candidates, email_for)))
    return ScanResult(len(candidates) + alerts, created + alerts, emailed + alerts)


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
        "date": reminder.due_on.isoformat(),
        "days": max((reminder.due_on - (today or timezone.localdate())).days, 0),
    }
    if reminder.kind in PLAN_KINDS:
        return plan_sentence(reminder, values)
    if reminder.lead_days < 0:
        return _("Case %(number)s: %(kind)s was due on %(date)s and is overdue.") % values
    if reminder.lead_days == 0:
        return _("Case %(number)s: %(kind)s is due today (%(date)s).") % values
    return _("Case %(number)s: %(kind)s is due on %(date)s (in %(days)s days).") % values


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
        return _("Case %(number)s: a review of the plan is planned on %(date)s (in %(days)s days).") % values
    if reminder.subject.startswith(plan_follow_up.HELP_SUBJECT):
        return _("Case %(number)s: help was asked with an agreement of the plan.") % values
    if overdue:
        return (
            _("Case %(number)s: an agreement of the plan was due on %(date)s and has not been reported done.") % values
        )
    if on_the_day:
        return _("Case %(number)s: an agreement of the plan is due today (%(date)s).") % values
    return _("Case %(number)s: an agreement of the plan is due on %(date)s (in %(days)s days).") % values


def meeting_sentence(reminder: Reminder, today: date | None = None) -> str:
    """One line about a meeting: case number, kind of meeting, local date and time, place; no names."""
    info = reminder.meeting
    _meeting, _zones, kinds = meeting_support()
    values = {
        "number": reminder.case.number,
        "kind": str(kinds.get(info.kind, info.kind)),
        "date": info.starts_at.date().isoformat(),
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
    return _("Case %(number)s: %(kind)s on %(date)s at %(time)s, %(place)s (in %(days)s days).") % values


def email_text(items: list[Reminder]) -> tuple[str, str]:
    overdue = any(r.lead_days < 0 for r in items)
    subject = _("Kring: overdue steps") if overdue else _("Kring: steps coming up")
    lines = [_("This is a reminder from Kring about steps in your cases:"), ""]
    lines += [f"- {reminder_sentence(r)}" for r in items]
    lines += ["", _("Open your work list in Kring for the details.")]
    return subject, "\n".join(lines)


# ---- in the application ------------------------------------------------------------------------------------


def unread(actor, path: str = "", limit: int = 50) -> list[Reminder]:
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
        log_access(
            actor, Action.LIST, [Access("reminder", r.pk, r.case_id, r.organisation_id) for r in rows], path=path
        )
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
