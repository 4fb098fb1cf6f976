"""The demo world gets meetings through the services: planned ones for trajectories in preparation, held ones
with attendance where private time stayed private; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from kring.core.actor import Actor
from kring.meetings import queries
from kring.meetings.models import Attendance, Invitation, Meeting
from kring.trajectories.models import Trajectory

pytestmark = pytest.mark.django_db


def test_demo_world_has_meetings_and_is_idempotent():
    call_command("demo_world", stdout=StringIO())
    active = Trajectory.objects.filter(status__in=("preparing", "meeting_held", "plan_made", "follow_up"))
    assert active.exists()
    assert set(Meeting.objects.values_list("trajectory_id", flat=True)) == set(active.values_list("pk", flat=True))
    assert Invitation.objects.exists()
    held = Meeting.objects.filter(status="held")
    assert held.exists() and Attendance.objects.filter(present=True).exists()
    for meeting in held:
        view = queries.meeting_detail(Actor(meeting.trajectory.coordinator), meeting.case_id, meeting.pk)
        assert view.private_time_holds in (True, None)
        assert view.contributions
    counts = (Meeting.objects.count(), Invitation.objects.count(), Attendance.objects.count())
    call_command("demo_world", stdout=StringIO())
    assert (Meeting.objects.count(), Invitation.objects.count(), Attendance.objects.count()) == counts
