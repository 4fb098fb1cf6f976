"""Garbage in every field of every trajectory, meeting and work-list form and API call: the answer is a clear
refusal (4xx), never a server error, and nothing changes."""

import datetime

from kring.meetings.models import Invitation, Meeting
from kring.trajectories import services
from kring.trajectories.models import DurationOverride, FamilyPlanRight, SelectorRun, Trajectory
from tests.factories import actor
from tests.meetings.conftest import mw  # noqa: F401  (the fixture)

GARBAGE = ["", "x", "-1", "99999999999999999999", "2026-13-45T99:99", "<script>alert(1)</script>", "0", "1e9"]
JSON_GARBAGE = [
    '{"status": 5}',
    "[]",
    '"x"',
    '{"on": "2026-99-99", "version": "abc"}',
    "not json",
    '{"user": 99999999999999999999}',
]


def _snapshot():
    return (
        list(Trajectory.objects.values_list("id", "status", "version", "coordinator_id", "current_phase")),
        SelectorRun.objects.count(),
        FamilyPlanRight.objects.count(),
        DurationOverride.objects.count(),
        list(Meeting.objects.values_list("id", "version", "status", "place")),
        list(Invitation.objects.values_list("id", "version", "answer")),
    )


def _post_everywhere(client, urls, fields):
    refused = []
    for path in urls:
        for value in GARBAGE:
            response = client.post(path, {name: value for name in fields})
            refused.append((path, value, response.status_code))
        for name in fields:
            response = client.post(path, {name: ["a", "b"]})
            refused.append((path, name, response.status_code))
    return [r for r in refused if r[2] >= 500]


def test_trajectory_and_work_pages_refuse_garbage(world, client):
    case = world.a.case
    t = services.offer_trajectory(actor(world.a.case_worker), case.pk, "fnb", datetime.date(2026, 2, 1))
    client.force_login(world.a.lead)
    before = _snapshot()
    base = f"/cases/{case.pk}/trajectories/"
    urls = [
        base + "selector/",
        base + "offer/",
        base + "law/",
        base + f"{t.pk}/status/",
        base + f"{t.pk}/phase/",
        base + f"{t.pk}/coordinator/",
        "/organisation/durations/",
        "/work/reminder-settings/",
        "/work/reminders/read/",
        "/methods/our-offer/",
    ]
    fields = [
        "status",
        "on",
        "version",
        "reason",
        "method_code",
        "offered_on",
        "variant_code",
        "selector_run",
        "coordinator",
        "accept_case_worker",
        "organisation",
        "method",
        "phase",
        "default_weeks",
        "max_weeks",
        "safety_concern",
        "network_size",
        "conflicts",
        "earlier_attempts",
        "lead_days",
        "reminder",
        "dropped_on",
        "drop_ground",
        "exemption",
        "explored_on",
        "chosen_method",
    ]
    assert _post_everywhere(client, urls, fields) == []
    for path in [
        base + "selector/999999/",
        base + "999999/",
        "/work/team/999999/",
        "/organisation/durations/?organisation=abc",
        "/organisation/durations/?organisation=99999999999999999999",
        "/work/team/1/?page=abc&status=zzz&phase=<x>",
    ]:
        assert client.get(path).status_code < 500, path
    assert _snapshot() == before


def test_meeting_pages_and_apis_refuse_garbage(mw, client):
    case, meeting, trajectory = mw.case, mw.meeting, mw.trajectory
    client.force_login(mw.world.a.case_worker)
    client.post(f"/cases/{case.pk}/meetings/{meeting.pk}/invite/", {"person": [mw.oma.pk]})
    invitation = Invitation.objects.get(meeting=meeting, person=mw.oma)
    part = meeting.parts.first()
    before = _snapshot()
    base = f"/cases/{case.pk}/meetings/{meeting.pk}/"
    urls = [
        base + "edit/",
        base + "cancel/",
        base + "parts/",
        base + "invite/",
        base + "attendance/",
        base + "information/",
        base + f"invitations/{invitation.pk}/",
    ]
    fields = [
        "kind",
        "starts_at",
        "ends_at",
        "place",
        "language",
        "version",
        "cancel_reason",
        "label",
        "private",
        "person",
        f"role_{mw.oma.pk}",
        f"reason_{mw.oma.pk}",
        f"start_{part.pk}",
        f"end_{part.pk}",
        f"p{part.pk}_i{invitation.pk}",
        "answer",
        "mode",
        "represented_by_person",
        "preparation_contact_on",
        "text",
        "shared_on",
        "shared_with_all",
        "author_name",
    ]
    assert _post_everywhere(client, urls, fields) == []
    api = [
        f"/api/v1/cases/{case.pk}/trajectories/",
        f"/api/v1/cases/{case.pk}/trajectories/{trajectory.pk}/transitions/",
        f"/api/v1/cases/{case.pk}/trajectories/{trajectory.pk}/coordinator/",
        f"/api/v1/cases/{case.pk}/selector-runs/",
        f"/api/v1/cases/{case.pk}/family-plan-right/",
    ]
    for path in api:
        for body in JSON_GARBAGE:
            for method in (client.post, client.put):
                response = method(path, data=body, content_type="application/json")
                assert response.status_code < 500, (path, body)
    assert _snapshot() == before
