"""Item 5 of issue 14, the hand-offs: each event tells the right person exactly once, nobody else, e-mails as
they chose and names nothing but the case number."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from kring.cases.models import Consent
from kring.inbox import kinds
from kring.inbox.models import Notification
from kring.inbox.services import save_email_preferences
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation
from kring.plans import services as plan_services
from kring.plans.models import Review
from kring.trajectories import services as trajectory_services
from kring.worklists import reminders
from tests.factories import actor
from tests.meetings.conftest import mw  # noqa: F401
from tests.plans.conftest import pw  # noqa: F401

D = datetime.date
NAMES = ("Sam", "Oma", "Jansen", "Piet", "Buurman", "Kees")


@pytest.fixture(autouse=True)
def direct_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def told(kind):
    """recipient id -> how many notifications of ``kind`` they got."""
    found = {}
    for user_id in Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True):
        found[user_id] = found.get(user_id, 0) + 1
    return found


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def assert_nothing_personal(message, case):
    text = message.subject + "\n" + message.body
    assert case.number in text
    assert case.family_name not in text
    for person in case.persons.all():
        assert person.first_name not in text.split() and person.last_name not in text.split()
    for name in NAMES:
        assert name not in text


def test_a_trajectory_without_coordinator_goes_to_the_team_lead_and_allocation_to_the_coordinator(world):
    a = world.a
    worker = actor(a.case_worker)
    t = trajectory_services.offer_trajectory(worker, a.case.pk, "fnb", D(2026, 2, 1))
    assert told(kinds.TRAJECTORY_WITHOUT_COORDINATOR) == {a.lead.pk: 1}
    (message,) = mails_to(a.lead)
    assert_nothing_personal(message, a.case)
    t = trajectory_services.change_status(worker, a.case.pk, t.pk, "accepted", D(2026, 2, 2))
    trajectory_services.allocate_coordinator(actor(a.lead), a.case.pk, t.pk, a.coordinator.pk)
    assert told(kinds.COORDINATOR_ALLOCATED) == {a.coordinator.pk: 1}
    assert told(kinds.TRAJECTORY_WITHOUT_COORDINATOR) == {a.lead.pk: 1}
    # Dealt with: the team lead's notice is settled.
    assert not Notification.objects.filter(recipient=a.lead, read_at__isnull=True).exists()
    assert not Notification.objects.filter(organisation=world.b.org).exists()
    assert_nothing_personal(mails_to(a.coordinator)[0], a.case)


def test_a_method_led_by_the_own_case_worker_tells_nobody_about_a_coordinator(world):
    trajectory_services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, "regular_care", D(2026, 2, 1))
    assert not Notification.objects.exists()


def _send_back(pw):  # noqa: F811
    """The case worker sends the submitted plan back, neither bottom line met yet."""
    pw.plan.refresh_from_db()
    plan_services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "Oma moet nog instemmen.",
        {pw.must.pk: (False, "Nog niet geregeld."), pw.wish.pk: (False, "Nog niet.")},
        pw.plan.version,
    )


def test_a_plan_submitted_goes_to_the_case_worker_and_sent_back_to_the_coordinator(pw):  # noqa: F811
    a = pw.world.a
    assert told(kinds.PLAN_SUBMITTED) == {a.case_worker.pk: 1}
    assert_nothing_personal(mails_to(a.case_worker)[-1], pw.case)
    _send_back(pw)
    assert told(kinds.PLAN_SENT_BACK) == {a.coordinator.pk: 1}
    assert_nothing_personal(mails_to(a.coordinator)[-1], pw.case)
    row = Notification.objects.get(kind=kinds.PLAN_SENT_BACK)
    assert row.link == f"/cases/{pw.case.pk}/plans/{pw.trajectory.pk}/"


def test_email_follows_the_coordinators_choice(pw):  # noqa: F811
    a = pw.world.a
    save_email_preferences(a.coordinator, chosen=[])
    mail.outbox.clear()
    _send_back(pw)
    assert told(kinds.PLAN_SENT_BACK) == {a.coordinator.pk: 1}
    assert mails_to(a.coordinator) == []


def test_a_rescheduled_meeting_tells_the_case_team_marks_the_invitations_and_re_invites(mw, client):  # noqa: F811
    a = mw.world.a
    invited = meeting_services.invite_from_map(mw.worker, mw.case.pk, mw.meeting.pk)
    Invitation.objects.filter(pk=invited[0].pk).update(answer="yes")
    meeting = mw.meeting
    meeting.refresh_from_db()
    later = timezone.localtime() + datetime.timedelta(days=5)
    later = later.replace(hour=14, minute=30, second=0, microsecond=0)
    meeting_services.update_meeting(
        mw.worker,
        mw.case.pk,
        meeting.pk,
        {"starts_at": later, "ends_at": later + datetime.timedelta(hours=2)},
        meeting.version,
    )
    # Everyone on the case team but the case worker who moved it: here the coordinator.
    assert told(kinds.MEETING_RESCHEDULED) == {a.coordinator.pk: 1}
    row = Notification.objects.get(kind=kinds.MEETING_RESCHEDULED)
    assert row.params["time"] == "14:30" and row.params["date"] == later.date().isoformat()
    assert_nothing_personal(mails_to(a.coordinator)[-1], mw.case)
    assert "14:30" in mails_to(a.coordinator)[-1].body
    assert Invitation.objects.filter(meeting=meeting, superseded_at__isnull=True).count() == 0
    # The meeting page marks the old invitations and offers the re-invite step.
    client.force_login(a.coordinator)
    page = client.get(f"/cases/{mw.case.pk}/meetings/{meeting.pk}/").content.decode()
    assert page.count("vervangen") >= len(invited)
    answer = client.post(f"/cases/{mw.case.pk}/meetings/{meeting.pk}/reinvite/")
    assert answer.status_code == 302
    renewed = Invitation.objects.filter(meeting=meeting)
    assert renewed.count() == len(invited)
    assert all(i.superseded_at is None and i.answer == "none" for i in renewed)
    assert {i.invited_by_id for i in renewed} == {a.coordinator.pk}
    # A change that does not move the meeting tells nobody.
    meeting.refresh_from_db()
    meeting_services.update_meeting(mw.worker, mw.case.pk, meeting.pk, {"place": "Elders"}, meeting.version)
    assert told(kinds.MEETING_RESCHEDULED) == {a.coordinator.pk: 1}


def test_re_invite_is_refused_to_a_colleague_who_may_not_change_the_meeting(mw, client):  # noqa: F811
    client.force_login(mw.world.a.other_worker)
    answer = client.post(f"/cases/{mw.case.pk}/meetings/{mw.meeting.pk}/reinvite/")
    assert answer.status_code in (403, 404)


def test_a_review_coming_up_is_told_once_from_the_hourly_scan(pw):  # noqa: F811
    from tests.plans.conftest import accept

    accept(pw)
    review = Review.objects.filter(plan=pw.plan).order_by("planned_on").first()
    a = pw.world.a
    for _ in range(2):
        reminders.scan(review.planned_on - datetime.timedelta(days=3))
    reminders.scan(review.planned_on)  # a later lead time of the same review: no second notification
    recipients = told(kinds.REVIEW_DUE)
    assert recipients.get(a.case_worker.pk) == 1
    assert set(recipients) <= {a.case_worker.pk, a.coordinator.pk}
    assert all(count == 1 for count in recipients.values())
    assert not Notification.objects.filter(organisation=pw.world.b.org).exists()


def test_a_consent_about_to_lapse_is_told_to_the_case_worker_once(world):
    a, b = world.a, world.b
    today = D(2026, 12, 7)
    for w in (a, b):
        Consent.objects.create(
            case=w.case,
            organisation=w.org,
            person=w.case.persons.first(),
            purpose="contact_network",
            given_on=today - datetime.timedelta(days=350),
            recorded_by=w.case_worker,
        )
    # A consent renewed since does not lapse.
    renewed = Consent.objects.create(
        case=a.case,
        organisation=a.org,
        person=a.case.persons.first(),
        purpose="research",
        given_on=today - datetime.timedelta(days=340),
        recorded_by=a.case_worker,
    )
    Consent.objects.create(
        case=a.case,
        organisation=a.org,
        person=renewed.person,
        purpose="research",
        given_on=today - datetime.timedelta(days=10),
        recorded_by=a.case_worker,
    )
    reminders.scan(today)
    reminders.scan(today)
    assert told(kinds.CONSENT_LAPSING) == {a.case_worker.pk: 1, b.case_worker.pk: 1}
    row = Notification.objects.get(kind=kinds.CONSENT_LAPSING, recipient=a.case_worker)
    assert row.params["date"] == (today + datetime.timedelta(days=15)).isoformat()
    assert_nothing_personal(mails_to(a.case_worker)[0], a.case)
