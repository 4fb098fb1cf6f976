"""The plan stage's rules through its services: bottom lines and their versions, the plan and its agreements,
approval against the bottom lines, stale saves, private family time, reports and alerts, reviews and new
versions."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.core.errors import NotFound, StaleEdit
from kring.core.public_holidays import public_holidays
from kring.meetings.models import MeetingPart
from kring.plans import core, queries, services
from kring.plans import follow_up as plan_follow_up
from kring.plans.choices import PlanPart
from kring.plans.links import services as link_services
from kring.plans.models import Agreement, BottomLine, Plan, PlanDecision, Review
from kring.trajectories.models import FamilyPlanRight, Reminder, Trajectory
from tests.factories import actor
from tests.plans.conftest import accept

TODAY = datetime.date.today


def test_bottom_line_changes_are_versions(pw):
    line = services.update_bottom_line(pw.worker, pw.case.pk, pw.must.pk, {"text": "Nieuwe tekst"}, pw.must.version)
    assert line.version == 2
    history = list(line.history.order_by("history_date").values_list("text", flat=True))
    assert history == [pw.must.text, "Nieuwe tekst"]


def test_only_the_responsible_professional_sets_bottom_lines_and_decides(pw):
    with pytest.raises(PermissionDenied):
        services.add_bottom_line(pw.coordinator, pw.case.pk, pw.trajectory.pk, {"text": "x", "reason": "y"})
    with pytest.raises(PermissionDenied):
        services.decide_plan(
            pw.coordinator,
            pw.case.pk,
            pw.plan.pk,
            "accepted",
            "goed",
            {pw.must.pk: (True, "a"), pw.wish.pk: (True, "b")},
            pw.plan.version,
        )
    assert AccessLogEntry.objects.filter(action="denied", user=pw.world.a.coordinator).count() == 2
    assert PlanDecision.objects.count() == 0


def test_outsider_cannot_reach_a_plan(pw):
    with pytest.raises(NotFound):
        services.update_plan(actor(pw.world.b.case_worker), pw.case.pk, pw.plan.pk, {"concerns": "x"}, None)
    with pytest.raises(NotFound):
        queries.plan_view(actor(pw.world.a.other_worker), pw.case.pk, pw.trajectory.pk)


def test_a_plan_failing_a_non_negotiable_bottom_line_cannot_be_accepted(pw):
    with pytest.raises(ValidationError) as error:
        services.decide_plan(
            pw.worker,
            pw.case.pk,
            pw.plan.pk,
            "accepted",
            "Toch goed",
            {pw.must.pk: (False, "Geen slaapplek geregeld."), pw.wish.pk: (True, "ok")},
            pw.plan.version,
        )
    assert "outcome" in error.value.message_dict
    pw.plan.refresh_from_db()
    assert pw.plan.status == "submitted" and PlanDecision.objects.count() == 0
    decision = services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "Slaapplek ontbreekt",
        {pw.must.pk: (False, "Geen slaapplek geregeld."), pw.wish.pk: (True, "ok")},
        pw.plan.version,
    )
    pw.plan.refresh_from_db()
    assert pw.plan.status == "sent_back" and decision.outcome == "sent_back"
    assert [c.met for c in decision.checks.order_by("bottom_line__order")] == [False, True]


def test_a_failed_wish_does_not_block_acceptance_and_every_line_needs_a_judgement_with_a_reason(pw):
    with pytest.raises(ValidationError) as error:
        services.decide_plan(
            pw.worker, pw.case.pk, pw.plan.pk, "accepted", "goed", {pw.must.pk: (True, "ok")}, pw.plan.version
        )
    assert "checks" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.decide_plan(
            pw.worker,
            pw.case.pk,
            pw.plan.pk,
            "accepted",
            "goed",
            {pw.must.pk: (True, ""), pw.wish.pk: (False, "nee")},
            pw.plan.version,
        )
    decision = accept(pw)
    assert decision.outcome == "accepted"


def test_acceptance_makes_the_formal_plan_and_schedules_the_methods_reviews(pw):
    right = FamilyPlanRight.objects.create(
        case=pw.case,
        organisation=pw.case.organisation,
        offered_on=datetime.date(2026, 2, 1),
        offered_by=pw.world.a.case_worker,
    )
    decision = accept(pw)
    plan = Plan.objects.get(pk=pw.plan.pk)
    assert plan.status == "accepted" and plan.accepted_on == TODAY()
    assert decision.decided_by == pw.world.a.case_worker and decision.reason
    assert "4.1.2" in decision.formal_basis  # a Dutch organisation's family group plan
    assert decision.snapshot["agreements"][0]["what"] == pw.sleep.what
    trajectory = Trajectory.objects.get(pk=pw.trajectory.pk)
    assert trajectory.status == "plan_made" and trajectory.plan_made_on == TODAY()
    right.refresh_from_db()
    assert right.family_plan_made_on == TODAY()
    assert set(Agreement.objects.filter(plan=plan).values_list("in_force", flat=True)) == {True}
    # fnb: reviews after 13 and 26 weeks, on the next working day when that is a weekend or a public holiday
    holidays = public_holidays(pw.case.organisation.jurisdiction, range(TODAY().year, TODAY().year + 2))
    assert [(r.code, r.planned_on) for r in Review.objects.filter(plan=plan)] == [
        ("review", core.working_day(TODAY() + datetime.timedelta(days=91), holidays)),
        ("second_review", core.working_day(TODAY() + datetime.timedelta(days=182), holidays)),
    ]


def test_an_accepted_plan_is_fixed_until_a_new_version_starts(accepted):
    p = accepted
    with pytest.raises(ValidationError):
        services.update_plan(p.coordinator, p.case.pk, p.plan.pk, {"concerns": "anders"}, p.plan.version)
    plan = services.start_new_edition(p.coordinator, p.case.pk, p.plan.pk, p.plan.version)
    assert plan.edition == 2 and plan.status == "draft"
    # the agreements of the accepted version stay in force while the next one is drafted
    assert Agreement.objects.filter(plan=plan, in_force=True).count() == 2
    new = services.add_agreement(
        p.coordinator,
        p.case.pk,
        plan.pk,
        {"what": "Oma belt elke zondag.", "owner_person": p.mw.oma.pk, "checker_user": p.world.a.case_worker.pk},
        plan.version,
    )
    assert not new.in_force
    services.remove_agreement(p.coordinator, p.case.pk, p.school.pk, p.school.version)
    assert Agreement.objects.get(pk=p.school.pk).status == "stopped"  # was in force: kept, stopped
    plan.refresh_from_db()
    plan = services.submit_plan(p.coordinator, p.case.pk, plan.pk, plan.version)
    services.decide_plan(
        p.worker,
        p.case.pk,
        plan.pk,
        "accepted",
        "Beter zo",
        {p.must.pk: (True, "ja"), p.wish.pk: (True, "ja")},
        plan.version,
    )
    assert Agreement.objects.get(pk=new.pk).in_force
    assert not Agreement.objects.get(pk=p.school.pk).in_force
    assert list(PlanDecision.objects.filter(plan=plan).values_list("edition", flat=True)) == [2, 1]


def test_a_stale_save_is_refused_and_the_other_work_kept(pw):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "Slaapplek ontbreekt",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    plan = Plan.objects.get(pk=pw.plan.pk)
    opened = plan.version
    services.update_plan(pw.coordinator, pw.case.pk, plan.pk, {"concerns": "Versie van de coördinator"}, opened)
    with pytest.raises(StaleEdit) as error:
        services.update_plan(pw.worker, pw.case.pk, plan.pk, {"concerns": "Versie van de hulpverlener"}, opened)
    assert error.value.changes  # says what changed in between
    assert Plan.objects.get(pk=plan.pk).concerns == "Versie van de coördinator"
    # adding an agreement from a plan form opened before is refused too
    with pytest.raises(StaleEdit):
        services.add_agreement(
            pw.coordinator,
            pw.case.pk,
            plan.pk,
            {"what": "x", "owner_professional": "Juf", "checker_user": pw.world.a.case_worker.pk},
            opened,
        )
    agreement = Agreement.objects.get(pk=pw.school.pk)
    services.update_agreement(
        pw.coordinator, pw.case.pk, agreement.pk, {"frequency": "elke dinsdag"}, agreement.version
    )
    with pytest.raises(StaleEdit):
        services.update_agreement(pw.worker, pw.case.pk, agreement.pk, {"frequency": "nooit"}, agreement.version)
    assert Agreement.objects.get(pk=agreement.pk).frequency == "elke dinsdag"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"owner_person": None, "owner_professional": ""}, "owner_person"),
        ({"checker_person": None, "checker_user": None}, "checker_person"),
        ({"what": "  "}, "what"),
        ({"starts_on": datetime.date(2026, 5, 1), "ends_on": datetime.date(2026, 4, 1)}, "ends_on"),
        ({"backup_person": "oma"}, "backup_person"),
        ({"checker_user": 999999}, "checker_user"),
        ({"bottom_lines": [999999]}, "bottom_lines"),
        ({"owner_person": "abc"}, "owner_person"),
    ],
)
def test_an_agreement_needs_an_owner_a_checker_and_sane_dates(pw, changes, field):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "nog niet",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    changes = {k: (pw.mw.oma.pk if v == "oma" else v) for k, v in changes.items()}
    if field == "backup_person":
        changes = {"backup_person": pw.mw.piet.pk, "owner_person": pw.mw.piet.pk}
    before = Agreement.objects.get(pk=pw.school.pk)
    with pytest.raises(ValidationError) as error:
        services.update_agreement(pw.coordinator, pw.case.pk, before.pk, changes, before.version)
    assert field in error.value.message_dict
    after = Agreement.objects.get(pk=before.pk)
    assert (after.version, after.what, after.owner_person_id) == (before.version, before.what, before.owner_person_id)


def test_a_person_of_another_case_cannot_own_an_agreement(pw):
    stranger = pw.world.b.case.persons.first()
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "nog niet",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    plan = Plan.objects.get(pk=pw.plan.pk)
    with pytest.raises(ValidationError):
        services.add_agreement(
            pw.coordinator,
            pw.case.pk,
            plan.pk,
            {"what": "x", "owner_person": stranger.pk, "checker_user": pw.world.a.case_worker.pk},
            plan.version,
        )
    assert Agreement.objects.filter(plan=plan).count() == 2


def test_submission_needs_concerns_and_complete_agreements(mw):
    coordinator = actor(mw.world.a.coordinator)
    plan = services.start_plan(coordinator, mw.case.pk, mw.trajectory.pk)
    with pytest.raises(ValidationError) as error:
        services.submit_plan(coordinator, mw.case.pk, plan.pk, plan.version)
    assert len(error.value.message_dict["__all__"]) == 2  # no concerns, no agreements
    with pytest.raises(ValidationError):
        services.start_plan(coordinator, mw.case.pk, mw.trajectory.pk)  # one plan per trajectory
    assert Plan.objects.filter(trajectory=mw.trajectory).count() == 1


def test_nothing_is_written_into_the_plan_during_private_family_time(pw):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "nog niet",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    part = MeetingPart.objects.filter(meeting=pw.mw.meeting, private=True).first()
    part.started_at, part.ended_at = timezone.now(), None
    part.save()
    plan = Plan.objects.get(pk=pw.plan.pk)
    with pytest.raises(ValidationError):
        services.update_plan(pw.coordinator, pw.case.pk, plan.pk, {"concerns": "tijdens besloten tijd"}, plan.version)
    part.ended_at = timezone.now()
    part.save()
    services.update_plan(pw.coordinator, pw.case.pk, plan.pk, {"concerns": "na de presentatie"}, plan.version)


def test_deliberation_notes_are_kept_only_when_the_family_chooses(pw):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "nog niet",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    plan = Plan.objects.get(pk=pw.plan.pk)
    with pytest.raises(ValidationError) as error:
        services.update_plan(pw.coordinator, pw.case.pk, plan.pk, {"deliberation_notes": "wat oma zei"}, plan.version)
    assert "deliberation_kept" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.update_plan(
            pw.coordinator,
            pw.case.pk,
            plan.pk,
            {"deliberation_kept": True, "deliberation_notes": "wat oma zei"},
            plan.version,
        )
    assert "deliberation_chosen_by" in error.value.message_dict
    plan = services.update_plan(
        pw.coordinator,
        pw.case.pk,
        plan.pk,
        {"deliberation_kept": True, "deliberation_notes": "wat oma zei", "deliberation_chosen_by": "mama en oma"},
        plan.version,
    )
    assert plan.deliberation_notes == "wat oma zei"


def test_a_safety_agreement_not_done_alerts_the_case_worker_at_once(accepted):
    p = accepted
    report = plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "not_done", "Oma was ziek.")
    assert report.outcome == "not_done"
    alerts = Reminder.objects.filter(kind="safety_alert", case=p.case)
    assert list(alerts.values_list("user_id", flat=True)) == [p.world.a.case_worker.pk]
    assert alerts.get().emailed_at is not None
    assert p.case.number in mail.outbox[0].body and "Oma" not in mail.outbox[0].body
    assert len(mail.outbox) == 1
    # A second report the same day does not alert twice.
    plan_follow_up.record_report(p.coordinator, p.case.pk, p.sleep.pk, "not_done", "Nog steeds niet.")
    assert alerts.count() == 1
    # Help asked on an ordinary agreement: in the work list, no e-mail.
    plan_follow_up.record_report(p.coordinator, p.case.pk, p.school.pk, "help_needed", "Auto kapot.")
    assert Reminder.objects.filter(kind="agreement", case=p.case).count() == 1
    assert len(mail.outbox) == 1


def test_reports_only_on_agreements_in_force(pw):
    with pytest.raises(ValidationError):
        plan_follow_up.record_report(pw.coordinator, pw.case.pk, pw.sleep.pk, "done")
    assert Agreement.objects.get(pk=pw.sleep.pk).status == "open"


def test_a_review_judges_every_agreement_and_shows_how_well_the_plan_is_kept(accepted):
    p = accepted
    review = Review.objects.filter(plan=p.plan).order_by("planned_on").first()
    with pytest.raises(ValidationError):
        plan_follow_up.hold_review(p.coordinator, p.case.pk, review.pk, {p.sleep.pk: ("kept", "")}, "continue")
    with pytest.raises(ValidationError):
        plan_follow_up.hold_review(
            p.coordinator, p.case.pk, review.pk, {p.sleep.pk: ("kept", ""), p.school.pk: ("sort of", "")}, "continue"
        )
    plan_follow_up.hold_review(
        p.coordinator,
        p.case.pk,
        review.pk,
        {p.sleep.pk: ("kept", "goed"), p.school.pk: ("partly", "twee keer gemist")},
        "adjust",
        note="Schoolafspraak aanpassen",
    )
    view = queries.plan_view(p.worker, p.case.pk, p.trajectory.pk)
    assert [round(point.rate, 2) for point in view.keeping] == [0.75]
    assert view.plan.edition == 2 and view.plan.status == "draft"  # adjust: a new version
    with pytest.raises(ValidationError):
        plan_follow_up.hold_review(
            p.coordinator, p.case.pk, review.pk, {p.sleep.pk: ("kept", ""), p.school.pk: ("kept", "")}, "continue"
        )


def test_personal_link_sharing_needs_consent(accepted):
    p = accepted
    with pytest.raises(ValidationError):
        link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, [PlanPart.BOTTOM_LINES])
    link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk)
    assert token not in link.token_digest and len(token) >= 40
    with pytest.raises(ValidationError):
        link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk, valid_days=5000)


def test_plan_types_match_the_method_schema():
    from typing import get_args

    from kring.methods.schema import PlanType as SchemaPlanType
    from kring.plans.choices import PlanType

    assert set(get_args(SchemaPlanType)) == set(PlanType.values)


def test_core_approval_rules():
    lines = [core.Line(1, True), core.Line(2, False)]
    assert core.check_plan(lines, {1: core.Check(True, "a"), 2: core.Check(False, "b")}).can_accept
    failed = core.check_plan(lines, {1: core.Check(False, "a"), 2: core.Check(True, "b")})
    assert not failed.can_accept and failed.failed_non_negotiable == [1]
    assert core.check_plan(lines, {1: core.Check(True, "a")}).unchecked == [2]
    assert core.check_plan([], {}).can_accept
    assert core.keeping_rate(["kept", "not_kept", "stopped"]) == 0.5
    assert core.keeping_rate(["stopped"]) is None
    assert core.needs_safety_alert(True, True, TODAY() - datetime.timedelta(days=1), None, TODAY())
    assert not core.needs_safety_alert(False, True, TODAY() - datetime.timedelta(days=1), "not_done", TODAY())
    assert core.review_dates(datetime.date(2026, 1, 1), [core.Moment("a", 4)], frozenset()) == [
        ("a", datetime.date(2026, 1, 29))
    ]


def test_bottom_lines_are_withdrawn_not_deleted(pw):
    line = services.withdraw_bottom_line(pw.worker, pw.case.pk, pw.wish.pk, "School is al betrokken.", pw.wish.version)
    assert line.withdrawn_on == TODAY()
    assert BottomLine.objects.filter(pk=pw.wish.pk).exists()
    decision = services.decide_plan(
        pw.worker, pw.case.pk, pw.plan.pk, "accepted", "goed", {pw.must.pk: (True, "ja")}, pw.plan.version
    )
    assert [c.bottom_line_id for c in decision.checks.all()] == [pw.must.pk]


def test_when_the_trajectory_ends_its_agreements_leave_the_lists(accepted):
    from kring.trajectories import services as trajectory_services
    from kring.trajectories.core.states import CLOSURE_REASONS

    p = accepted
    Agreement.objects.filter(pk=p.sleep.pk).update(due_on=TODAY() - datetime.timedelta(days=2))
    assert [row[0] for row in queries.overdue_agreements(TODAY())] == [p.sleep.pk]
    trajectory_services.change_status(
        p.worker, p.case.pk, p.trajectory.pk, "closed", TODAY(), reason=CLOSURE_REASONS[0]
    )
    assert list(queries.overdue_agreements(TODAY())) == []
    with pytest.raises(ValidationError):
        plan_follow_up.record_report(p.coordinator, p.case.pk, p.school.pk, "done")
    assert Agreement.objects.get(pk=p.school.pk).status == "open"


def test_a_review_takes_the_safety_scale_again_and_saves_nothing_on_a_bad_score(accepted):
    from kring.plans.models import ReviewItem, SafetyScaleRating

    p = accepted
    review = Review.objects.filter(plan=p.plan).order_by("planned_on").first()
    items = {p.sleep.pk: ("kept", ""), p.school.pk: ("kept", "")}
    for bad in (
        [{"rater_user": p.world.a.case_worker.pk, "score": 11}],
        [{"person": p.mw.oma.pk, "rater_user": p.world.a.case_worker.pk, "score": 5}],
        [{"person": p.world.b.case.persons.first().pk, "score": 5}],
        ["7"],
    ):
        with pytest.raises(ValidationError) as error:
            plan_follow_up.hold_review(p.worker, p.case.pk, review.pk, items, "continue", ratings=bad)
        assert "ratings" in error.value.message_dict
    assert not ReviewItem.objects.exists() and not SafetyScaleRating.objects.exists()
    assert Review.objects.get(pk=review.pk).held_on is None
    plan_follow_up.hold_review(
        p.worker,
        p.case.pk,
        review.pk,
        items,
        "continue",
        ratings=[{"rater_user": p.world.a.case_worker.pk, "score": 6}, {"person": p.mw.oma.pk, "score": 8}],
    )
    assert sorted(SafetyScaleRating.objects.filter(review=review).values_list("score", flat=True)) == [6, 8]
    view = queries.plan_view(p.worker, p.case.pk, p.trajectory.pk)
    assert [r.score for r in next(r for r in view.reviews if r.pk == review.pk).scale] == [6, 8]
