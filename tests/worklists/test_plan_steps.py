"""The plan's agreements and reviews on the work lists and in the reminders: agreements in force for the case
workers and the professional who checks them, open reviews for the case workers and the coordinator; an overdue
safety agreement marked, and alerted once with one e-mail; each reminder once however often the scan runs;
nothing for closed cases; sentences that name only the case number; constant queries."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, override

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseTeamMember
from kring.plans import follow_up as plan_follow_up
from kring.plans.links import services as link_services
from kring.plans.models import Agreement, Review
from kring.trajectories.models import Reminder
from kring.worklists import queries as worklists
from kring.worklists import reminders
from tests.factories import actor
from tests.meetings.conftest import mw  # noqa: F401  (the fixtures the plan fixtures build on)
from tests.plans.conftest import accepted, pw  # noqa: F401

DAY = datetime.timedelta(days=1)


def plan_steps(user, today):
    user.__dict__.pop("_kring_scope", None)  # the scope is kept per user object
    return [s for s in worklists.my_steps(actor(user), today) if s.kind in ("agreement", "review")]


def first_review(p):
    return Review.objects.filter(plan=p.plan).order_by("planned_on").first()


def plan_path(p):
    return f"/cases/{p.case.pk}/plans/{p.trajectory.pk}/"


def reminders_of(kind, **kw):
    return list(
        Reminder.objects.filter(kind=kind, **kw)
        .order_by("user_id", "due_on", "-lead_days")
        .values_list("user_id", "subject", "due_on", "lead_days")
    )


# ---- my work -------------------------------------------------------------------------------------------------


def test_agreements_in_force_are_steps_for_the_case_worker_who_also_checks(accepted):
    p = accepted
    today = p.sleep.due_on - 7 * DAY  # the day the plan was accepted
    steps = plan_steps(p.world.a.case_worker, today)
    assert [(s.kind, s.what, s.due_on, s.state, s.safety) for s in steps] == [
        ("agreement", p.sleep.what, p.sleep.due_on, "due_soon", True),
        ("agreement", p.school.what, p.school.due_on, "upcoming", False),
    ]
    step = steps[0]
    assert step.url == plan_path(p) == reverse("plans:plan", args=[p.case.pk, p.trajectory.pk])
    assert (step.case_number, step.trajectory_id, step.method_code) == (p.case.number, p.trajectory.pk, "fnb")
    assert not step.is_safety_overdue
    for agreement in (p.sleep, p.school):
        assert AccessLogEntry.objects.filter(
            user=p.world.a.case_worker, action="list", record_type="agreement", record_id=str(agreement.pk)
        ).exists()
    # Beyond the window: not yet on the list.
    assert [s.what for s in plan_steps(p.world.a.case_worker, p.sleep.due_on - 29 * DAY)] == []


def test_agreements_are_not_steps_for_others(accepted):
    p = accepted
    today = p.sleep.due_on - 7 * DAY
    # The coordinator neither works on the case as its case worker nor checks an agreement: no agreement steps.
    assert plan_steps(p.world.a.coordinator, today) == []
    for user in (p.world.a.lead, p.world.a.other_worker, p.world.a.researcher, p.world.b.case_worker):
        assert plan_steps(user, today) == []
    assert (
        not AccessLogEntry.objects.filter(record_type="agreement", action="list")
        .exclude(user=p.world.a.case_worker)
        .exists()
    )


def test_the_professional_who_checks_an_agreement_sees_that_one(accepted):
    p = accepted
    colleague = p.world.a.other_worker
    CaseTeamMember.objects.create(
        case=p.case, organisation=p.case.organisation, user=colleague, role=CaseRole.CO_WORKER
    )
    Agreement.objects.filter(pk=p.school.pk).update(checker_user=colleague)
    steps = plan_steps(colleague, p.sleep.due_on - 7 * DAY)
    assert [s.what for s in steps] == [p.school.what]


def test_only_agreements_in_force_and_still_running(pw):
    p = pw  # submitted, not yet accepted: nothing in force
    today = p.sleep.due_on - 7 * DAY
    assert plan_steps(p.world.a.case_worker, today) == []
    from tests.plans.conftest import accept

    accept(p)
    assert len(plan_steps(p.world.a.case_worker, today)) == 2
    plan_follow_up.record_report(p.worker, p.case.pk, p.school.pk, "done")
    assert [s.what for s in plan_steps(p.world.a.case_worker, today)] == [p.sleep.what]
    Agreement.objects.filter(pk=p.sleep.pk).update(status="stopped")
    assert plan_steps(p.world.a.case_worker, today) == []


def test_an_overdue_safety_agreement_is_marked(accepted, client):
    p = accepted
    today = p.sleep.due_on + DAY
    steps = {s.what: s for s in plan_steps(p.world.a.case_worker, today)}
    assert steps[p.sleep.what].state == "overdue" and steps[p.sleep.what].is_safety_overdue
    assert steps[p.school.what].state == "due_soon" and not steps[p.school.what].is_safety_overdue
    # On the page (whose date is the real today: the safety agreement is overdue from tomorrow on).
    Agreement.objects.filter(pk=p.sleep.pk).update(due_on=p.sleep.due_on - 8 * DAY)
    client.force_login(p.world.a.case_worker)
    text = client.get(reverse("worklists:mine")).content.decode()
    with override("nl"):
        assert gettext("safety agreement overdue") in text
    assert plan_path(p) in text


def test_open_reviews_are_steps_for_the_case_worker_and_the_coordinator(accepted):
    p = accepted
    review = first_review(p)
    today = review.planned_on - 3 * DAY
    for user in (p.world.a.case_worker, p.world.a.coordinator):
        steps = [s for s in plan_steps(user, today) if s.kind == "review"]
        assert [(s.what, s.due_on, s.state, s.url) for s in steps] == [
            (review.name, review.planned_on, "due_soon", plan_path(p))
        ]
        assert AccessLogEntry.objects.filter(
            user=user, action="list", record_type="plan_review", record_id=str(review.pk)
        ).exists()
    for user in (p.world.a.lead, p.world.a.other_worker, p.world.b.coordinator):
        assert plan_steps(user, today) == []
    # Overdue while not held; gone once held.
    late = [s for s in plan_steps(p.world.a.coordinator, review.planned_on + 10 * DAY) if s.kind == "review"]
    assert [(s.what, s.state) for s in late] == [(review.name, "overdue")]
    Review.objects.filter(pk=review.pk).update(held_on=review.planned_on)
    assert [s for s in plan_steps(p.world.a.coordinator, review.planned_on + 10 * DAY) if s.kind == "review"] == []


def test_a_closed_case_has_no_plan_steps_and_no_plan_reminders(accepted):
    p = accepted
    Case.objects.filter(pk=p.case.pk).update(status="closed")
    mail.outbox.clear()  # the hand-off e-mails of making the plan (tests/inbox) are not what this test counts
    review = first_review(p)
    for today in (p.sleep.due_on - 7 * DAY, p.sleep.due_on + DAY, review.planned_on):
        assert plan_steps(p.world.a.case_worker, today) == []
        assert plan_steps(p.world.a.coordinator, today) == []
        reminders.scan(today)
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_my_steps_cost_the_same_queries_whatever_the_number_of_agreements_and_reviews(accepted):
    p = accepted
    user = p.world.a.case_worker
    today = p.sleep.due_on - 7 * DAY

    def counted():
        user.__dict__.pop("_kring_scope", None)
        with CaptureQueriesContext(connection) as ctx:
            steps = worklists.my_steps(actor(user), today)
        return len(ctx.captured_queries), len(steps)

    few, n_few = counted()
    for i in range(6):
        Agreement.objects.create(
            plan=p.plan,
            case=p.case,
            organisation=p.case.organisation,
            what=f"Extra {i}",
            owner_person=p.mw.piet,
            checker_user=user,
            due_on=today + i * DAY,
            in_force=True,
            is_safety=bool(i % 2),
        )
        Review.objects.create(
            plan=p.plan,
            case=p.case,
            organisation=p.case.organisation,
            code="extra",
            name=f"Extra review {i}",
            planned_on=today + i * DAY,
        )
    many, n_many = counted()
    assert n_many == n_few + 12
    assert many == few


# ---- the reminder scan -----------------------------------------------------------------------------------------


def mails_about(reminder_row):
    """The e-mails that carry this reminder's sentence (the scan e-mails other steps of the case too)."""
    reminder = Reminder.objects.select_related("case").get(pk=reminder_row.pk)
    with override("nl"):
        sentence = reminders.reminder_sentence(reminder, reminder.created_at.date())
    sentence = sentence.split("(")[0]  # without the days left, which depend on the day of the e-mail
    return [m for m in mail.outbox if sentence in m.body]


def test_agreement_reminders_at_the_lead_days_and_once(accepted):
    p = accepted
    worker = p.world.a.case_worker
    subject = plan_follow_up.agreement_subject(p.sleep.pk)
    reminders.scan(p.sleep.due_on - 8 * DAY)
    assert reminders_of("agreement") == []

    reminders.scan(p.sleep.due_on - 7 * DAY)
    # The case worker, who is also the checker: one reminder, not two.
    assert reminders_of("agreement") == [(worker.pk, subject, p.sleep.due_on, 7)]
    reminder = Reminder.objects.get(kind="agreement")
    assert reminder.trajectory_id == p.trajectory.pk and reminder.emailed_at is not None
    assert [m.to for m in mails_about(reminder)] == [[worker.email]]
    for day in (7, 7, 5):  # again, and on the days before the next lead time: nothing new, no new mail
        reminders.scan(p.sleep.due_on - day * DAY)
    assert reminders_of("agreement") == [(worker.pk, subject, p.sleep.due_on, 7)]
    assert len(mails_about(reminder)) == 1
    reminders.scan(p.sleep.due_on - DAY)
    reminders.scan(p.sleep.due_on)
    reminders.scan(p.sleep.due_on)
    assert reminders_of("agreement", subject=subject) == [
        (worker.pk, subject, p.sleep.due_on, 7),
        (worker.pk, subject, p.sleep.due_on, 1),
        (worker.pk, subject, p.sleep.due_on, 0),
    ]
    # The coordinator neither is a case worker nor checks it.
    assert not Reminder.objects.filter(user=p.world.a.coordinator, kind="agreement").exists()

    # Piet's agreement, checked by Oma (a network member): the case worker is reminded.
    reminders.scan(p.school.due_on - 7 * DAY)
    reminders.scan(p.school.due_on - 7 * DAY)
    school = Reminder.objects.get(kind="agreement", subject=plan_follow_up.agreement_subject(p.school.pk))
    assert (school.user_id, school.due_on, school.lead_days) == (worker.pk, p.school.due_on, 7)
    messages = mails_about(school)
    assert len(messages) == 1
    assert p.case.number in messages[0].body
    for secret in (p.school.what, "Piet", "Oma", p.case.family_name):
        assert secret not in messages[0].body


def test_an_ordinary_overdue_agreement_gets_one_notice_and_no_safety_alert(accepted):
    p = accepted
    subject = plan_follow_up.agreement_subject(p.school.pk)
    after = p.school.due_on + DAY
    for day in (after, after, after + 2 * DAY):
        reminders.scan(day)
    assert reminders_of("agreement", subject=subject) == [(p.world.a.case_worker.pk, subject, p.school.due_on, -1)]
    assert not Reminder.objects.filter(kind="safety_alert", subject=subject).exists()


def test_an_overdue_safety_agreement_alerts_each_case_worker_once_with_one_email(accepted):
    p = accepted
    second = p.world.a.other_worker
    CaseTeamMember.objects.create(case=p.case, organisation=p.case.organisation, user=second, role=CaseRole.CASE_WORKER)
    after = p.sleep.due_on + DAY
    reminders.scan(after)
    alerts = Reminder.objects.filter(kind="safety_alert")
    assert sorted(alerts.values_list("user_id", "subject", "due_on", "lead_days")) == sorted(
        [
            (p.world.a.case_worker.pk, plan_follow_up.agreement_subject(p.sleep.pk), p.sleep.due_on, -1),
            (second.pk, plan_follow_up.agreement_subject(p.sleep.pk), p.sleep.due_on, -1),
        ]
    )
    assert all(a.emailed_at for a in alerts)
    with override("nl"):
        # The alert reaches them through their inbox, which e-mails it (the kind's title, the case number).
        subject = gettext("Kring: %(title)s") % {"title": gettext("Safety alert")}
    safety_mails = [m for m in mail.outbox if m.subject == subject]
    assert sorted(m.to for m in safety_mails) == sorted([[p.world.a.case_worker.email], [second.email]])
    for message in safety_mails:
        assert p.case.number in message.body
        assert p.sleep.what not in message.body and "Oma" not in message.body
    # No ordinary overdue notice beside the alert.
    assert not Reminder.objects.filter(
        kind="agreement", subject=plan_follow_up.agreement_subject(p.sleep.pk), lead_days=-1
    ).exists()
    # The scan runs every hour, and on the following days: never a second alert or e-mail.
    for day in (after, after, after + DAY, after + 5 * DAY):
        reminders.scan(day)
    assert alerts.count() == 2
    assert len([m for m in mail.outbox if m.subject == subject]) == 2


def test_the_safety_alert_email_of_the_scan_is_queued(accepted, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "kring.core.mail.QueuedEmailBackend"
    p = accepted
    with django_capture_on_commit_callbacks(execute=True):
        reminders.scan(p.sleep.due_on + DAY)
    with override("nl"):
        # The alert reaches them through their inbox, which e-mails it (the kind's title, the case number).
        subject = gettext("Kring: %(title)s") % {"title": gettext("Safety alert")}
    queued = [r.args_kwargs["args"][0] for r in DBTaskResult.objects.filter(status="READY")]
    assert [(m["subject"], m["to"]) for m in queued if m["subject"] == subject] == [
        (subject, [p.world.a.case_worker.email])
    ]
    assert Reminder.objects.filter(kind="safety_alert").count() == 1


def test_review_reminders_for_the_case_worker_and_the_coordinator_once(accepted):
    p = accepted
    review = first_review(p)
    subject = reminders.review_subject(review.pk)
    reminders.scan(review.planned_on - 8 * DAY)
    assert reminders_of("review") == []
    reminders.scan(review.planned_on - 7 * DAY)
    reminders.scan(review.planned_on - 7 * DAY)
    expected = [
        (p.world.a.case_worker.pk, subject, review.planned_on, 7),
        (p.world.a.coordinator.pk, subject, review.planned_on, 7),
    ]
    assert reminders_of("review") == sorted(expected)
    reminders.scan(review.planned_on)
    reminders.scan(review.planned_on)
    expected += [
        (p.world.a.case_worker.pk, subject, review.planned_on, 0),
        (p.world.a.coordinator.pk, subject, review.planned_on, 0),
    ]
    assert reminders_of("review") == sorted(expected, key=lambda r: (r[0], r[2], -r[3]))
    # Held: no overdue notice.
    Review.objects.filter(pk=review.pk).update(held_on=review.planned_on)
    reminders.scan(review.planned_on + DAY)
    assert not Reminder.objects.filter(kind="review", lead_days=-1).exists()


def test_reviews_of_an_ended_trajectory_are_left_alone(accepted):
    from kring.trajectories.models import Trajectory

    p = accepted
    review = first_review(p)
    Trajectory.objects.filter(pk=p.trajectory.pk).update(status="closed")
    reminders.scan(review.planned_on)
    assert reminders_of("review") == []
    assert [s for s in plan_steps(p.world.a.case_worker, review.planned_on) if s.kind == "review"] == []


# ---- what the reminders say --------------------------------------------------------------------------------------


def _sentence(reminder, today):
    reminder = Reminder.objects.select_related("case").get(pk=reminder.pk)
    return reminders.reminder_sentence(reminder, today)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_plan_reminders_read_well_and_name_only_the_case_number(accepted, language):
    p = accepted
    number = p.case.number
    review = first_review(p)
    reminders.scan(p.sleep.due_on - 7 * DAY)
    reminders.scan(review.planned_on - 7 * DAY)
    reminders.scan(p.sleep.due_on + DAY)
    plan_follow_up.record_report(p.worker, p.case.pk, p.school.pk, "help_needed", "Auto kapot.")
    mine = Reminder.objects.filter(user=p.world.a.case_worker)
    due = mine.get(kind="agreement", subject=plan_follow_up.agreement_subject(p.sleep.pk), lead_days=7)
    review_due = mine.get(kind="review", lead_days=7)
    alert = mine.get(kind="safety_alert")
    help_asked = mine.get(kind="agreement", subject__startswith="help:")
    with override(language):
        expected = {
            due.pk: ngettext(
                "Case %(number)s: an agreement of the plan is due on %(date)s (in %(days)s day).",
                "Case %(number)s: an agreement of the plan is due on %(date)s (in %(days)s days).",
                7,
            )
            % {"number": number, "date": date_format(p.sleep.due_on, "DATE_FORMAT"), "days": 7},
            review_due.pk: ngettext(
                "Case %(number)s: a review of the plan is planned on %(date)s (in %(days)s day).",
                "Case %(number)s: a review of the plan is planned on %(date)s (in %(days)s days).",
                7,
            )
            % {"number": number, "date": date_format(review.planned_on, "DATE_FORMAT"), "days": 7},
            alert.pk: gettext(
                "Case %(number)s: a safety agreement was due on %(date)s and has not been reported "
                "done. Check the safety at once."
            )
            % {"number": number, "date": date_format(p.sleep.due_on, "DATE_FORMAT")},
            help_asked.pk: gettext("Case %(number)s: help was asked with an agreement of the plan.")
            % {"number": number},
        }
        got = {
            due.pk: _sentence(due, p.sleep.due_on - 7 * DAY),
            review_due.pk: _sentence(review_due, review.planned_on - 7 * DAY),
            alert.pk: _sentence(alert, p.sleep.due_on + DAY),
            help_asked.pk: _sentence(help_asked, p.sleep.due_on),
        }
    assert got == expected
    for sentence in got.values():
        assert number in sentence
        for secret in (p.sleep.what, p.school.what, "Oma", "Piet", p.case.family_name, review.name):
            assert secret not in sentence


def test_a_request_for_help_is_not_hidden_by_the_reminder_of_the_due_day(accepted):
    p = accepted
    reminders.scan(p.school.due_on)  # the reminder on the day, read by the case worker
    reminders.mark_read(actor(p.world.a.case_worker))
    plan_follow_up.record_report(p.worker, p.case.pk, p.school.pk, "help_needed", "Auto kapot.")
    inbox = reminders.unread(actor(p.world.a.case_worker))
    assert [(r.kind, r.subject) for r in inbox] == [("agreement", f"help:{p.school.pk}")]


def test_the_my_work_page_links_plan_reminders_to_the_plan(accepted, client):
    p = accepted
    plan_follow_up.record_report(p.worker, p.case.pk, p.sleep.pk, "not_done", "Oma was ziek.")
    client.force_login(p.world.a.case_worker)
    text = client.get(reverse("worklists:mine")).content.decode()
    assert p.case.number in text
    with override("nl"):
        assert gettext("open the plan") in text
    assert f'href="{plan_path(p)}"' in text


def test_members_with_a_link_get_one_email_before_their_agreement_is_due(accepted):  # noqa: F811
    p = accepted
    today = datetime.date.today()
    type(p.mw.oma).objects.filter(pk=p.mw.oma.pk).update(email="oma@example.org")
    type(p.mw.piet).objects.filter(pk=p.mw.piet.pk).update(email="piet@example.org")
    Agreement.objects.filter(pk=p.sleep.pk).update(due_on=today + datetime.timedelta(days=7))  # Oma's: 7 days
    Agreement.objects.filter(pk=p.school.pk).update(due_on=today + datetime.timedelta(days=7))  # Piet's
    link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk)  # only Oma has a link
    mail.outbox.clear()
    reminders.scan(today)
    reminders.scan(today)
    to_members = [m for m in mail.outbox if m.to[0].endswith("@example.org") and m.to[0].startswith(("oma", "piet"))]
    assert [m.to for m in to_members] == [["oma@example.org"]]
    body = to_members[0].body
    assert date_format(today + datetime.timedelta(days=7), "DATE_FORMAT") in body
    for secret in (p.case.number, p.sleep.what, "Oma", p.case.family_name):
        assert secret not in body
    # A revoked link: no more reminders for the next lead time.
    link = p.plan.links.get()
    link_services.revoke_link(p.coordinator, p.case.pk, link.pk)
    mail.outbox.clear()
    reminders.scan(today + datetime.timedelta(days=6))
    assert not [m for m in mail.outbox if m.to == ["oma@example.org"]]
