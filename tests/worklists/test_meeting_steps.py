"""Planned meetings on the work lists and in the reminders: for the case workers on the case team and the
coordinator only, at the lead days and not before, once however often the scan runs; cancelled meetings get
none, moved meetings get them for the new date; e-mails name no family member; constant queries."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format

from kring.audit.models import AccessLogEntry
from kring.meetings import services as meeting_services
from kring.meetings.choices import MeetingKind
from kring.meetings.models import Meeting
from kring.trajectories import services
from kring.trajectories.models import Reminder
from kring.worklists import queries as worklists
from kring.worklists import reminders
from tests.factories import actor, make_case

D = datetime.date
TODAY = D(2026, 11, 23)
MEETING_DAY = D(2026, 12, 10)  # far from the phase dates of the trajectory (preparation ends 27 December)
PLACE = "Buurthuis De Kring, Utrecht"


def started(world, case=None):
    """An fnb trajectory accepted on 1 November 2026 with world.a.coordinator as its coordinator."""
    case = case or world.a.case
    world.a.case_worker.__dict__.pop("_kring_scope", None)  # the scope is kept per user object
    worker = actor(world.a.case_worker)
    t = services.offer_trajectory(worker, case.pk, "fnb", D(2026, 10, 20))
    t = services.change_status(worker, case.pk, t.pk, "accepted", D(2026, 11, 1))
    t = services.allocate_coordinator(actor(world.a.lead), case.pk, t.pk, world.a.coordinator.pk, on=D(2026, 11, 1))
    mail.outbox.clear()  # the hand-off e-mails of the offer and the allocation (tests/inbox) are not counted here
    return t


def plan(world, t, day=MEETING_DAY, case=None, at=datetime.time(19, 0)):
    case = case or world.a.case
    start = datetime.datetime.combine(day, at)  # naive: the organisation's local time, as a form gives it
    return meeting_services.schedule_meeting(
        actor(world.a.case_worker),
        case.pk,
        t.pk,
        {
            "kind": "network_meeting",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "place": PLACE,
            "language": "Nederlands",
        },
    )


def meeting_steps(user, today=TODAY):
    user.__dict__.pop("_kring_scope", None)
    return [s for s in worklists.my_steps(actor(user), today) if s.kind == "meeting"]


def meeting_reminders(user=None):
    rows = Reminder.objects.filter(kind="meeting")
    if user is not None:
        rows = rows.filter(user=user)
    return list(rows.order_by("due_on", "-lead_days").values_list("subject", "due_on", "lead_days"))


# ---- the work list -------------------------------------------------------------------------------------------


def test_a_planned_meeting_is_a_step_for_the_case_worker_and_the_coordinator(world):
    t = started(world)
    meeting = plan(world, t)
    for user in (world.a.case_worker, world.a.coordinator):
        steps = meeting_steps(user)
        assert len(steps) == 1
        step = steps[0]
        assert (step.due_on, step.state, step.trajectory_id, step.case_number) == (
            MEETING_DAY,
            "upcoming",
            t.pk,
            world.a.case.number,
        )
        assert step.kind_label == str(MeetingKind.NETWORK_MEETING.label)
        assert step.place == PLACE and (step.starts_at.hour, step.starts_at.minute) == (19, 0)
        assert step.url == reverse("meetings:detail", args=[world.a.case.pk, meeting.pk])
        assert step.method_code == "fnb" and step.is_meeting
        assert AccessLogEntry.objects.filter(
            user=user, record_type="meeting", record_id=str(meeting.pk), action="list"
        ).exists()
    assert meeting_steps(world.a.case_worker, MEETING_DAY - datetime.timedelta(days=3))[0].state == "due_soon"


def test_outsiders_and_the_other_organisation_do_not_see_the_meeting(world):
    plan(world, started(world))
    for user in (
        world.a.lead,
        world.a.other_worker,
        world.a.researcher,
        world.a.administrator,
        world.b.case_worker,
        world.b.coordinator,
        world.b.lead,
    ):
        assert meeting_steps(user) == []
    assert (
        not AccessLogEntry.objects.filter(record_type="meeting", action="list")
        .exclude(user__in=[world.a.case_worker, world.a.coordinator])
        .exists()
    )


def test_a_past_meeting_never_recorded_as_held_is_overdue_and_held_or_cancelled_ones_are_gone(world):
    t = started(world)
    past = plan(world, t, day=D(2026, 11, 20))
    later = plan(world, t)
    steps = meeting_steps(world.a.case_worker)
    assert [(s.due_on, s.state) for s in steps] == [(D(2026, 11, 20), "overdue"), (MEETING_DAY, "upcoming")]
    Meeting.objects.filter(pk=past.pk).update(status="held")
    assert [s.due_on for s in meeting_steps(world.a.case_worker)] == [MEETING_DAY]
    meeting_services.cancel_meeting(actor(world.a.case_worker), world.a.case.pk, later.pk, "family ill", later.version)
    assert meeting_steps(world.a.case_worker) == []


def test_meetings_of_an_ended_trajectory_are_not_steps(world):
    t = started(world)
    plan(world, t)
    services.change_status(
        actor(world.a.case_worker), world.a.case.pk, t.pk, "abandoned", D(2026, 11, 5), reason="family_withdrew"
    )
    assert meeting_steps(world.a.case_worker) == []
    assert reminders.scan(MEETING_DAY).created == 0


# ---- reminders -----------------------------------------------------------------------------------------------


def test_meeting_reminders_at_the_lead_days_not_before_and_once(world):
    meeting = plan(world, started(world))
    subject = f"meeting:{meeting.pk}"
    day = datetime.timedelta(days=1)

    reminders.scan(MEETING_DAY - 8 * day)
    assert meeting_reminders() == []
    assert mail.outbox == []

    assert reminders.scan(MEETING_DAY - 7 * day).created == 2
    assert meeting_reminders(world.a.case_worker) == [(subject, MEETING_DAY, 7)]
    assert meeting_reminders(world.a.coordinator) == [(subject, MEETING_DAY, 7)]
    assert sorted(m.to[0] for m in mail.outbox) == [world.a.case_worker.email, world.a.coordinator.email]

    for days in (7, 7, 5, 2):
        assert reminders.scan(MEETING_DAY - days * day).created == 0
    assert len(mail.outbox) == 2

    assert reminders.scan(MEETING_DAY - day).created == 2
    assert reminders.scan(MEETING_DAY).created == 2
    assert reminders.scan(MEETING_DAY).created == 0
    assert meeting_reminders(world.a.case_worker) == [
        (subject, MEETING_DAY, 7),
        (subject, MEETING_DAY, 1),
        (subject, MEETING_DAY, 0),
    ]
    assert len(mail.outbox) == 6
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0
    # Nobody outside the case team.
    assert set(Reminder.objects.values_list("user_id", flat=True)) == {world.a.case_worker.pk, world.a.coordinator.pk}

    # Not recorded as held: one notice the day after, to record what happened.
    assert reminders.scan(MEETING_DAY + day).created == 2
    assert reminders.scan(MEETING_DAY + 3 * day).created == 0
    assert meeting_reminders(world.a.case_worker)[-1] == (subject, MEETING_DAY, -1)


def test_a_held_meeting_gets_no_overdue_notice(world):
    meeting = plan(world, started(world))
    Meeting.objects.filter(pk=meeting.pk).update(status="held")
    assert reminders.scan(MEETING_DAY + datetime.timedelta(days=1)).created == 0


def test_a_cancelled_meeting_gets_no_new_reminders(world):
    meeting = plan(world, started(world))
    reminders.scan(MEETING_DAY - datetime.timedelta(days=7))
    assert len(meeting_reminders()) == 2
    meeting_services.cancel_meeting(
        actor(world.a.case_worker), world.a.case.pk, meeting.pk, "family ill", meeting.version
    )
    for days in (1, 0, -1):
        assert reminders.scan(MEETING_DAY - datetime.timedelta(days=days)).created == 0
    assert len(meeting_reminders()) == 2
    # The earlier reminder no longer shows in the application.
    assert [r for r in reminders.unread(actor(world.a.case_worker)) if r.kind == "meeting"] == []


def test_a_moved_meeting_gets_reminders_for_the_new_date(world):
    meeting = plan(world, started(world))
    subject = f"meeting:{meeting.pk}"
    reminders.scan(MEETING_DAY - datetime.timedelta(days=7))
    new_day = MEETING_DAY + datetime.timedelta(days=7)
    start = datetime.datetime.combine(new_day, datetime.time(10, 30))
    meeting_services.update_meeting(
        actor(world.a.case_worker),
        world.a.case.pk,
        meeting.pk,
        {"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)},
        meeting.version,
    )
    # Nothing more for the old date.
    assert reminders.scan(MEETING_DAY - datetime.timedelta(days=1)).created == 0
    assert reminders.scan(MEETING_DAY).created == 2  # the new date is seven days away
    assert meeting_reminders(world.a.case_worker) == [(subject, MEETING_DAY, 7), (subject, new_day, 7)]
    assert "10:30" in mail.outbox[-1].body
    inbox = [r for r in reminders.unread(actor(world.a.case_worker)) if r.kind == "meeting"]
    assert [(r.due_on, r.lead_days) for r in inbox] == [(new_day, 7)]
    assert meeting_steps(world.a.case_worker)[0].due_on == new_day


def test_meeting_email_names_case_kind_time_and_place_and_no_family_member(world):
    meeting = plan(world, started(world))
    # Someone of the family on the invitation list, so their name exists around the meeting.
    meeting_services.invite_from_map(
        actor(world.a.case_worker), world.a.case.pk, meeting.pk, consent_reason="Mondeling toegestemd."
    )
    reminders.scan(MEETING_DAY - datetime.timedelta(days=7))
    assert mail.outbox
    for message in mail.outbox:
        body = message.body
        assert world.a.case.number in body
        assert "19:00" in body and PLACE in body and date_format(MEETING_DAY, "DATE_FORMAT") in body
        for person in world.a.case.persons.all():
            assert person.first_name not in body and person.last_name not in body
            assert person.first_name not in message.subject and person.last_name not in message.subject
        assert world.a.case.family_name not in body


def test_in_app_meeting_reminder_reads_like_the_email(world):
    plan(world, started(world))
    reminders.scan(MEETING_DAY - datetime.timedelta(days=1))
    inbox = reminders.unread(actor(world.a.case_worker))
    sentence = reminders.reminder_sentence(inbox[0], MEETING_DAY - datetime.timedelta(days=1))
    assert world.a.case.number in sentence and "19:00" in sentence and PLACE in sentence
    assert AccessLogEntry.objects.filter(user=world.a.case_worker, record_type="reminder").exists()


def test_the_scan_costs_the_same_queries_whatever_the_number_of_meetings(world):
    def repeated_scan_queries():
        reminders.scan(MEETING_DAY - datetime.timedelta(days=1))
        with CaptureQueriesContext(connection) as ctx:
            assert reminders.scan(MEETING_DAY - datetime.timedelta(days=1)).created == 0
        return len(ctx.captured_queries)

    plan(world, started(world))
    few = repeated_scan_queries()
    for _ in range(4):
        case = make_case(world.a.team, case_worker=world.a.case_worker)
        t = started(world, case=case)
        plan(world, t, case=case)
        plan(world, t, case=case, at=datetime.time(9, 0))
    assert repeated_scan_queries() == few
    assert len(meeting_reminders(world.a.case_worker)) == 9


# ---- the page ----------------------------------------------------------------------------------------------


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("user_key", ["case_worker", "coordinator"])
def test_my_work_page_shows_meetings_in_constant_queries(world, client, user_key):
    user = getattr(world.a, user_key)
    client.force_login(user)
    url = reverse("worklists:mine")
    meeting = plan(world, started(world))
    client.get(url)  # warm the session and caches
    few, text = _page_queries(client, url)
    assert reverse("meetings:detail", args=[world.a.case.pk, meeting.pk]) in text
    assert PLACE in text and "19:00" in text
    for i in range(5):
        case = make_case(world.a.team, case_worker=world.a.case_worker)
        t = started(world, case=case)
        plan(world, t, case=case, day=MEETING_DAY + datetime.timedelta(days=i))
        plan(world, t, case=case, day=D(2026, 11, 2 + i))  # past and never recorded as held
    many, text = _page_queries(client, url)
    assert few == many
    assert text.count(PLACE) == 11


def test_my_work_page_does_not_show_meetings_to_others(world, client):
    plan(world, started(world))
    for user in (world.a.other_worker, world.a.lead, world.b.case_worker):
        client.force_login(user)
        assert PLACE not in client.get(reverse("worklists:mine")).content.decode()
