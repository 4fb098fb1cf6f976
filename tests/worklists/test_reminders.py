"""Reminders: made at the right lead day and not before, once however often the scan runs, e-mailed once by the
worker, overdue notices, the organisation's settings, and only for the people on the case team."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from kring.cases.choices import CaseRole
from kring.cases.models import CaseTeamMember
from kring.trajectories import services
from kring.trajectories.models import FamilyPlanRight, Reminder, ReminderSettings
from kring.worklists import reminders, tasks
from tests.factories import actor, make_case

D = datetime.date
ACCEPTED = D(2026, 11, 1)


def started_trajectory(world, case=None, coordinator=True):
    """An fnb trajectory accepted on 1 November 2026: its first phase (preparation, 8 weeks) ends on 27 December."""
    case = case or world.a.case
    worker = actor(world.a.case_worker)
    t = services.offer_trajectory(worker, case.pk, "fnb", D(2026, 10, 20))
    t = services.change_status(worker, case.pk, t.pk, "accepted", ACCEPTED)
    if coordinator:
        t = services.allocate_coordinator(actor(world.a.lead), case.pk, t.pk, world.a.coordinator.pk, on=ACCEPTED)
    mail.outbox.clear()  # the hand-off e-mails of the offer and the allocation (tests/inbox) are not counted here
    return t


def due_of(t):
    return t.phases.get(code="preparation").planned_end


def reminders_for(user, **kw):
    return list(Reminder.objects.filter(user=user, **kw).values_list("kind", "due_on", "lead_days"))


def test_reminder_comes_on_its_lead_day_not_before_and_only_once(world):
    t = started_trajectory(world)
    due = due_of(t)
    assert due == D(2026, 12, 27)

    assert reminders.scan(due - datetime.timedelta(days=8)).created == 0
    assert not Reminder.objects.exists()
    assert mail.outbox == []

    first = reminders.scan(due - datetime.timedelta(days=7))
    assert first.created == 2  # the case worker and the coordinator
    assert reminders_for(world.a.case_worker) == [("phase_end", due, 7)]
    assert reminders_for(world.a.coordinator) == [("phase_end", due, 7)]
    assert sorted(m.to[0] for m in mail.outbox) == [world.a.case_worker.email, world.a.coordinator.email]

    # Again the same day, and on the following days before the next lead time: nothing new, no new mail.
    for day in (7, 7, 6, 2):
        assert reminders.scan(due - datetime.timedelta(days=day)).created == 0
    assert Reminder.objects.count() == 2
    assert len(mail.outbox) == 2

    assert reminders.scan(due - datetime.timedelta(days=1)).created == 2
    assert reminders.scan(due).created == 2
    assert reminders.scan(due).created == 0
    assert reminders_for(world.a.case_worker) == [("phase_end", due, 7), ("phase_end", due, 1), ("phase_end", due, 0)]
    assert len(mail.outbox) == 6
    assert Reminder.objects.filter(emailed_at__isnull=True).count() == 0


def test_overdue_notice_once_and_not_after_the_window(world):
    t = started_trajectory(world)
    due = due_of(t)
    assert reminders.scan(due + datetime.timedelta(days=1)).created == 2
    assert reminders.scan(due + datetime.timedelta(days=3)).created == 0
    assert reminders_for(world.a.case_worker) == [("phase_end", due, -1)]
    body = mail.outbox[0].body
    assert world.a.case.number in body
    # Mail goes out in the default language (Dutch): the overdue sentence, not the coming-up one.
    assert mail.outbox[0].subject == translation.gettext("Kring: overdue steps")
    Reminder.objects.all().delete()
    late = due + datetime.timedelta(days=reminders.OVERDUE_NOTICE_DAYS + 1)
    assert reminders.scan(late).created == 0


def test_nobody_outside_the_case_team_gets_one(world):
    started_trajectory(world)
    reminders.scan(D(2026, 12, 20))
    receivers = set(Reminder.objects.values_list("user_id", flat=True))
    assert receivers == {world.a.case_worker.pk, world.a.coordinator.pk}
    # The lead sees the case but is not on its case team; the others cannot see it at all.
    for outsider in (
        world.a.lead,
        world.a.other_worker,
        world.a.researcher,
        world.a.administrator,
        world.b.case_worker,
        world.b.lead,
    ):
        assert not Reminder.objects.filter(user=outsider).exists()
    assert {m.to[0] for m in mail.outbox} == {world.a.case_worker.email, world.a.coordinator.email}


def test_someone_who_left_the_case_team_gets_no_more_reminders(world):
    t = started_trajectory(world)
    CaseTeamMember.objects.filter(case=world.a.case, user=world.a.coordinator).delete()
    reminders.scan(due_of(t) - datetime.timedelta(days=7))
    assert set(Reminder.objects.values_list("user_id", flat=True)) == {world.a.case_worker.pk}


def test_email_names_the_case_number_and_no_family_member(world):
    started_trajectory(world)
    reminders.scan(D(2026, 12, 20))
    body = mail.outbox[0].body
    assert world.a.case.number in body
    for person in world.a.case.persons.all():
        assert person.first_name not in body and person.last_name not in body
    assert world.a.case.family_name not in body


def test_legal_deadlines_remind_the_case_workers(world):
    services.save_family_plan_right(
        actor(world.a.case_worker),
        world.a.case.pk,
        {"offered_on": D(2026, 11, 2), "offered_by_party": "provider", "reasonable_term_until": D(2026, 12, 14)},
    )
    CaseTeamMember.objects.create(
        case=world.a.case, organisation=world.a.org, user=world.a.coordinator, role=CaseRole.COORDINATOR
    )
    assert reminders.scan(D(2026, 12, 6)).created == 0
    assert reminders.scan(D(2026, 12, 7)).created == 1
    assert reminders_for(world.a.case_worker) == [("family_plan_term", D(2026, 12, 14), 7)]
    assert not Reminder.objects.filter(user=world.a.coordinator).exists()
    # Once the family group plan is made the term is done: no more reminders.
    record = services.save_family_plan_right(
        actor(world.a.case_worker),
        world.a.case.pk,
        {"family_plan_made_on": D(2026, 11, 20)},
        expected_version=FamilyPlanRight.objects.get().version,
    )
    assert record.family_plan_made_on == D(2026, 11, 20)
    assert reminders.scan(D(2026, 12, 13)).created == 0


def test_the_organisations_lead_times_and_email_switch(world):
    ReminderSettings.objects.create(organisation=world.a.org, lead_days=[3], email=False)
    t = started_trajectory(world)
    due = due_of(t)
    assert reminders.scan(due - datetime.timedelta(days=7)).created == 0
    assert reminders.scan(due - datetime.timedelta(days=3)).created == 2
    assert mail.outbox == []  # in the application only
    assert reminders_for(world.a.case_worker) == [("phase_end", due, 3)]


def test_a_scan_that_was_not_run_for_days_catches_up_with_one_reminder(world):
    t = started_trajectory(world)
    due = due_of(t)
    # First scan three days before: the 7-day reminder (the stage reached), not a pile of stale ones.
    assert reminders.scan(due - datetime.timedelta(days=3)).created == 2
    assert reminders_for(world.a.case_worker) == [("phase_end", due, 7)]


def test_ended_trajectories_are_not_reminded(world):
    t = started_trajectory(world)
    services.change_status(
        actor(world.a.case_worker), world.a.case.pk, t.pk, "abandoned", D(2026, 11, 10), reason="family_withdrew"
    )
    assert reminders.scan(D(2026, 12, 20)).created == 0


QUEUED = {
    "EMAIL_BACKEND": "kring.core.mail.QueuedEmailBackend",
    "KRING_DELIVERY_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}


@pytest.fixture
def worker_db(transactional_db):
    """A committed database, as the worker needs (it closes a connection left inside a transaction).

    pytest-django empties it afterwards with flush. On PostgreSQL the conftest lets that TRUNCATE pass the access
    log's guard; SQLite's row triggers would refuse it, so there the test's own log rows are removed first with
    the triggers stepped aside for that one statement and put back exactly as they were.
    """
    yield
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", ["audit_accesslogentry"]
        )
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute("DELETE FROM audit_accesslogentry")
        for _name, sql in saved:
            cursor.execute(sql)


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@override_settings(**QUEUED)
def test_the_worker_runs_the_scan_delivers_the_mail_and_schedules_the_next_run(world, worker_db):
    started_trajectory(world)
    run_worker()  # delivers the hand-off e-mails of the offer and the allocation (tests/inbox), queued on commit
    mail.outbox.clear()
    tasks.scan_reminders.enqueue(today="2026-12-20")
    assert mail.outbox == []

    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == [world.a.case_worker.email, world.a.coordinator.email]
    assert Reminder.objects.filter(emailed_at__isnull=False).count() == 2
    scans = DBTaskResult.objects.filter(task_path=tasks.scan_reminders.module_path)
    assert scans.filter(status="SUCCESSFUL").count() == 1
    waiting = scans.filter(status="READY")
    assert waiting.count() == 1  # the chain goes on: the next run is waiting, in the next hour
    assert waiting.get().run_after > scans.get(status="SUCCESSFUL").finished_at
    # Starting the chain again does not add a second one.
    assert tasks.ensure_scheduled() is False
    assert scans.filter(status="READY").count() == 1

    # The same day again through the worker: no new reminder, no new mail.
    tasks.scan_reminders.enqueue(today="2026-12-20")
    run_worker()
    assert len(mail.outbox) == 2
    assert Reminder.objects.count() == 2


def test_schedule_reminders_command_starts_the_chain_once(db):
    call_command("schedule_reminders", verbosity=0)
    call_command("schedule_reminders", verbosity=0)
    assert tasks.pending().count() == 1


def test_send_reminders_command(world, capsys):
    started_trajectory(world)
    call_command("send_reminders", "--date", "2026-12-20")
    assert "new: 2" in capsys.readouterr().out
    call_command("send_reminders", "--date", "2026-12-20")
    assert "new: 0" in capsys.readouterr().out


def test_next_run_is_in_the_next_hour():
    now = datetime.datetime(2026, 11, 23, 10, 30, tzinfo=datetime.UTC)
    assert tasks.next_run(now) == datetime.datetime(2026, 11, 23, 11, 5, tzinfo=datetime.UTC)
    early = datetime.datetime(2026, 11, 23, 10, 2, tzinfo=datetime.UTC)
    assert tasks.next_run(early) == datetime.datetime(2026, 11, 23, 10, 5, tzinfo=datetime.UTC)


def test_stage_picks_the_reached_lead_time():
    due = D(2026, 12, 27)
    assert reminders.stage(due, D(2026, 12, 19), [7, 1]) is None
    assert reminders.stage(due, D(2026, 12, 20), [7, 1]) == 7
    assert reminders.stage(due, D(2026, 12, 25), [7, 1]) == 7
    assert reminders.stage(due, D(2026, 12, 26), [7, 1]) == 1
    assert reminders.stage(due, due, [7, 1]) == 0
    assert reminders.stage(due, D(2026, 12, 28), [7, 1]) == -1


# ---- in the application and the settings page ---------------------------------------------------------------


def test_unread_reminders_on_my_work_page_and_mark_read(world, client):
    started_trajectory(world)
    reminders.scan(D(2026, 12, 20))
    client.force_login(world.a.case_worker)
    page = client.get(reverse("worklists:mine"))
    assert page.status_code == 200
    assert world.a.case.number in page.content.decode()
    mine = Reminder.objects.get(user=world.a.case_worker)
    response = client.post(reverse("worklists:mark_read"), {"reminder": [mine.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    # The coordinator's own reminder is untouched, and one cannot mark another person's reminder.
    theirs = Reminder.objects.get(user=world.a.coordinator)
    client.post(reverse("worklists:mark_read"), {"reminder": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reminders_of_a_case_no_longer_visible_are_not_shown(world):
    started_trajectory(world)
    reminders.scan(D(2026, 12, 20))
    CaseTeamMember.objects.filter(case=world.a.case, user=world.a.coordinator).delete()
    world.a.coordinator._kring_scope = None
    assert reminders.unread(actor(world.a.coordinator)) == []
    assert len(reminders.unread(actor(world.a.case_worker))) == 1


def test_reminder_settings_page_for_team_leads_only(world, client):
    url = reverse("worklists:reminder_settings")
    client.force_login(world.a.case_worker)
    assert client.get(url).status_code == 403
    client.force_login(world.a.lead)
    assert client.get(url).status_code == 200
    response = client.post(url, {"organisation": world.a.org.pk, "lead_days": "5, 2", "email": ""})
    assert response.status_code == 302
    saved = ReminderSettings.objects.get(organisation=world.a.org)
    assert saved.days() == [5, 2] and saved.email is False
    response = client.post(url, {"organisation": world.a.org.pk, "lead_days": "soon", "email": "on"})
    assert response.status_code == 200
    assert ReminderSettings.objects.get(organisation=world.a.org).days() == [5, 2]
    # Another organisation's settings cannot be set.
    response = client.post(url, {"organisation": world.b.org.pk, "lead_days": "3", "email": "on"})
    assert not ReminderSettings.objects.filter(organisation=world.b.org).exists()


def test_save_settings_refuses_outsiders_and_bad_days(world):
    with pytest.raises(PermissionDenied):
        reminders.save_settings(actor(world.a.case_worker), world.a.org.pk, "7", True)
    with pytest.raises(PermissionDenied):
        reminders.save_settings(actor(world.a.lead), world.b.org.pk, "7", True)
    for bad in ("", "0", "61", "x", "1,2,3,4,5,6"):
        with pytest.raises(ValidationError):
            reminders.save_settings(actor(world.a.lead), world.a.org.pk, bad, True)
    assert reminders.save_settings(actor(world.a.administrator), world.a.org.pk, "14; 3", True).days() == [14, 3]


def test_several_cases_in_one_scan(world):
    other = make_case(world.a.team, case_worker=world.a.case_worker)
    started_trajectory(world)
    started_trajectory(world, case=other, coordinator=False)
    assert reminders.scan(D(2026, 12, 20)).created == 3
    assert len(mail.outbox) == 2  # one e-mail per person, listing their reminders
    worker_mail = next(m for m in mail.outbox if m.to == [world.a.case_worker.email])
    assert world.a.case.number in worker_mail.body and other.number in worker_mail.body


def test_a_closed_case_leaves_the_work_lists_and_gets_no_reminders(world):
    from kring.cases import services as case_services
    from kring.worklists import queries as worklists

    t = started_trajectory(world)
    due = due_of(t)
    assert [s.trajectory_id for s in worklists.my_steps(actor(world.a.case_worker), due)] == [t.pk]
    case = world.a.case
    case.refresh_from_db()  # accepting the offer made the case active (a new version)
    case_services.update_case(
        actor(world.a.case_worker), case.pk, {"status": "closed", "closure_reason": "plan_in_place"}, case.version
    )
    assert worklists.my_steps(actor(world.a.case_worker), due) == []
    team = worklists.team_worklist(actor(world.a.lead), world.a.team.pk, worklists.TeamFilter(), due)
    assert team.total == 0
    assert reminders.scan(due).created == 0
