"""What this stage has due: the planned meetings of active trajectories.

Offered to the work lists and the reminder scan through ``kring.trajectories.due`` (registered in apps.py). A
meeting is reminded of like a date: kind MEETING, subject ``meeting:<id>``, due on the meeting's local date. A
cancelled or held meeting is not read, so it gets no new reminders; a meeting moved to another day has a new date
and so gets its own.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kring.audit.services import Access
from kring.cases.choices import CaseStatus
from kring.trajectories.choices import DeadlineKind
from kring.trajectories.core import schedule
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.due import SOON_DAYS, DueDate, DueFound, ScanWindow, Step, StepQuery

from .choices import MeetingStatus
from .models import TIMEZONES, Meeting

PLANNED = MeetingStatus.PLANNED.value  # a meeting's status while it is neither held nor cancelled
MEETING_SUBJECT = "meeting:"


def meeting_subject(meeting_id) -> str:
    return f"{MEETING_SUBJECT}{meeting_id}"


def meeting_id_of(subject: str) -> int | None:
    """The meeting a reminder's subject names, or None."""
    if subject.startswith(MEETING_SUBJECT):
        try:
            return int(subject[len(MEETING_SUBJECT) :])
        except ValueError:
            return None
    return None


def local_time(starts_at, jurisdiction):
    """When a meeting starts in its organisation's own time zone."""
    return starts_at.astimezone(ZoneInfo(TIMEZONES.get(jurisdiction, settings.TIME_ZONE)))


def meeting_steps(ask: StepQuery) -> tuple[list[Step], list[Access]]:
    """The planned meetings of the active trajectories the user coordinates or whose case team they are on, from
    today on, and earlier ones never recorded as held (as overdue): one query."""
    kinds = dict(Meeting._meta.get_field("kind").flatchoices)
    meetings = (
        Meeting.objects.filter(status=PLANNED, trajectory__status__in=ACTIVE, case__in=ask.visible)
        .exclude(case__status=CaseStatus.CLOSED)
        .filter(Q(trajectory__coordinator=ask.user) | Q(case_id__in=ask.scope.case_ids))
        .order_by("starts_at", "id")
        .values_list(
            "id",
            "case_id",
            "case__number",
            "organisation_id",
            "organisation__jurisdiction",
            "trajectory_id",
            "trajectory__method_code",
            "kind",
            "starts_at",
            "place",
        )
    )
    steps, accesses = [], []
    for (
        meeting_id,
        case_id,
        number,
        organisation_id,
        jurisdiction,
        trajectory_id,
        method_code,
        kind,
        starts_at,
        place,
    ) in meetings:
        accesses.append(Access("meeting", meeting_id, case_id, organisation_id))
        local = local_time(starts_at, jurisdiction)
        steps.append(
            Step(
                case_id=case_id,
                case_number=number,
                organisation_id=organisation_id,
                trajectory_id=trajectory_id,
                method_code=method_code,
                kind=DeadlineKind.MEETING,
                kind_label=str(kinds.get(kind, kind)),
                what="",
                due_on=local.date(),
                state=schedule.Deadline(DeadlineKind.MEETING, local.date()).state(ask.today, SOON_DAYS),
                url=reverse("meetings:detail", args=[case_id, meeting_id]),
                starts_at=local,
                place=place,
            )
        )
    return steps, accesses


def meeting_reminders(window: ScanWindow) -> DueFound:
    """Planned meetings of active trajectories whose local date falls in the window; to the case workers and
    the coordinator. One query."""
    # Read a day wider on each side for the time zones; the window is applied to each meeting's local date.
    zone = timezone.get_default_timezone()
    meetings = (
        Meeting.objects.filter(
            status=PLANNED,
            trajectory__status__in=ACTIVE,
            starts_at__gte=datetime.combine(window.low - timedelta(days=1), time.min, tzinfo=zone),
            starts_at__lt=datetime.combine(window.high + timedelta(days=2), time.min, tzinfo=zone),
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
    found = DueFound()
    for meeting_id, case_id, org, trajectory_id, coordinator_id, starts_at, jurisdiction in meetings:
        found.cases.add(case_id)
        local_day = local_time(starts_at, jurisdiction).date()
        if window.low <= local_day <= window.high:
            found.dates.append(
                DueDate(
                    org,
                    case_id,
                    trajectory_id,
                    DeadlineKind.MEETING,
                    meeting_subject(meeting_id),
                    local_day,
                    coordinator_id,
                )
            )
    return found
