"""Status follows the work (issue 14, items 1 and 3): the method's table of events moves the trajectory, its phase
and the case; every method's happy path and its abandonments are walked through the table; the stages where the
events happen really move the trajectory; and an accepted plan that counts closes the Jeugdwet term."""

import datetime
from typing import get_args

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kring.cases.models import Case
from kring.methods import schema
from kring.methods.catalogue import catalogue
from kring.trajectories import choices, services
from kring.trajectories.core import flow, states
from kring.trajectories.models import Trajectory, TrajectoryEvent
from tests.factories import actor
from tests.meetings.conftest import mw  # noqa: F401  (the fixture the stage tests build on)

D = datetime.date
METHODS = sorted(catalogue())
# The happy path as the stages report it, after the family's acceptance (a step by hand).
HAPPY_EVENTS = (
    flow.COORDINATOR_ALLOCATED,
    flow.MEETING_SCHEDULED,
    flow.MEETING_HELD,
    flow.PLAN_ACCEPTED,
    flow.REVIEW_HELD,
    flow.PLAN_CLOSED,
)


# ---- the pure core ---------------------------------------------------------------------------------------------


def test_the_schema_lists_equal_the_core_and_the_labels():
    assert set(get_args(schema.TrajectoryStatus)) == set(states.STATUSES)
    assert list(get_args(schema.FlowEvent)) == list(flow.EVENTS)
    assert set(get_args(schema.ClosureReasonCode)) == set(states.CLOSURE_REASONS)
    assert list(choices.FlowEvent.values) == list(flow.EVENTS)


TABLE = (
    flow.Step(flow.COORDINATOR_ALLOCATED, "preparing", "b", "active"),
    flow.Step(flow.MEETING_HELD, "meeting_held", "c"),
    flow.Step(flow.PLAN_ACCEPTED, "plan_made", "e", "active"),
    flow.Step(flow.PLAN_CLOSED, "closed", reason="plan_carried_out"),
    flow.Step(flow.ABANDONED, "abandoned"),
)
PHASES = ("a", "b", "c", "d", "e")


def test_an_event_moves_status_phase_and_case_once():
    move = flow.move_on(flow.COORDINATOR_ALLOCATED, "accepted", "a", PHASES, TABLE, "referred")
    assert (move.status, move.phase, move.case_status) == ("preparing", "b", "active")
    # Again from where it now stands: nothing changes (idempotent).
    again = flow.move_on(flow.COORDINATOR_ALLOCATED, "preparing", "b", PHASES, TABLE, "active")
    assert not again.changes


def test_phases_passed_over_are_named_and_phases_never_go_back():
    move = flow.move_on(flow.PLAN_ACCEPTED, "meeting_held", "c", PHASES, TABLE, "active")
    assert (move.status, move.phase, move.passed) == ("plan_made", "e", ("d",))
    # A second meeting after the plan: the status and the phase are further already, nothing moves back.
    assert not flow.move_on(flow.MEETING_HELD, "plan_made", "e", PHASES, TABLE, "active").changes


def test_an_open_offer_does_not_move_and_an_unknown_event_is_an_error():
    assert not flow.move_on(flow.MEETING_HELD, "offered", "", PHASES, TABLE, "referred").changes
    assert not flow.move_on(flow.REVIEW_HELD, "preparing", "b", PHASES, TABLE).changes  # no row: no change
    with pytest.raises(ValueError):
        flow.move_on("party", "preparing", "b", PHASES, TABLE)


def test_a_step_the_machine_forbids_is_refused_naming_the_possible_steps():
    with pytest.raises(flow.EventRefused) as error:
        flow.move_on(flow.PLAN_ACCEPTED, "preparing", "b", PHASES, TABLE)
    assert error.value.allowed == ("meeting_held", "abandoned")
    with pytest.raises(flow.EventRefused):
        flow.move_on(flow.MEETING_HELD, "abandoned", "", PHASES, TABLE)
    with pytest.raises(flow.EventRefused):  # after the plan, abandoning is no longer a step
        flow.move_on(flow.ABANDONED, "plan_made", "e", PHASES, TABLE, reason="safety")
    with pytest.raises(states.MissingReason):
        flow.move_on(flow.ABANDONED, "preparing", "b", PHASES, TABLE)


def test_ending_ends_the_phase_with_the_reason():
    move = flow.move_on(flow.ABANDONED, "preparing", "b", PHASES, TABLE, "active", reason="safety")
    assert (move.status, move.phase, move.reason, move.case_status) == ("abandoned", "", "safety", "")
    closed = flow.move_on(flow.PLAN_CLOSED, "plan_made", "e", PHASES, TABLE)
    assert (closed.status, closed.reason) == ("closed", "plan_carried_out")


def test_what_the_method_expects_next():
    assert [s.on for s in flow.expected("accepted", TABLE)] == [flow.COORDINATOR_ALLOCATED]
    assert [s.on for s in flow.expected("meeting_held", TABLE)] == [flow.PLAN_ACCEPTED]
    assert flow.expected("closed", TABLE) == ()


# ---- every method through its table ---------------------------------------------------------------------------


def _history(trajectory, event):
    return list(TrajectoryEvent.objects.filter(trajectory=trajectory, cause=event).order_by("id"))


def _offer_and_accept(world, method):
    worker = actor(world.a.case_worker)
    t = services.offer_trajectory(worker, world.a.case.pk, method, D(2026, 2, 1))
    return services.change_status(worker, world.a.case.pk, t.pk, "accepted", D(2026, 2, 2))


@pytest.mark.parametrize("method", METHODS)
def test_every_method_walks_its_happy_path_through_its_table(world, method):
    steps = services.flow_steps(method)
    phases = [p.code for p in catalogue()[method].phases]
    worker = actor(world.a.case_worker)
    t = _offer_and_accept(world, method)
    assert t.current_phase == phases[0]
    assert Case.objects.get(pk=world.a.case.pk).status == "active"  # the acceptance activated the case
    reached = []
    for event in HAPPY_EVENTS:
        before = Trajectory.objects.get(pk=t.pk)
        row = flow.step_for(event, steps)
        move = services.advance_on(event, t, worker, on=timezone.localdate(), note=f"test: {event}")
        t = Trajectory.objects.get(pk=t.pk)
        expected_status = row.status if row and row.status and move.status else before.status
        assert t.status == expected_status, (method, event)
        if t.status != before.status:
            reached.append(t.status)
            history = TrajectoryEvent.objects.get(trajectory=t, kind="status", to_value=t.status)
            assert (history.cause, history.by_id, history.note) == (event, world.a.case_worker.pk, f"test: {event}")
        if row and row.phase and t.status not in flow.ENDED:
            assert t.current_phase == row.phase or phases.index(t.current_phase) > phases.index(row.phase)
        assert Case.objects.get(pk=world.a.case.pk).status == "active"
    # Every method's table carries a trajectory all the way from acceptance to closure.
    assert reached == ["preparing", "meeting_held", "plan_made", "follow_up", "closed"], method
    assert t.closure_reason == "plan_carried_out" and t.current_phase == ""
    assert not t.phases.filter(started_on__isnull=False, ended_on__isnull=True).exists()
    # The same event again changes nothing: the trajectory does not move back.
    assert not services.advance_on(flow.MEETING_HELD, t, worker).changes


def _walk_to(world, method, target):
    worker = actor(world.a.case_worker)
    t = _offer_and_accept(world, method) if target != "offered" else None
    if t is None:
        return services.offer_trajectory(worker, world.a.case.pk, method, D(2026, 2, 1))
    for event in HAPPY_EVENTS:
        if t.status == target:
            break
        services.advance_on(event, t, worker)
    assert t.status == target
    return t


@pytest.mark.parametrize("method", METHODS)
def test_every_method_can_be_abandoned_until_the_plan_and_not_after(world, method):
    worker = actor(world.a.case_worker)
    for where in ("offered", "accepted", "preparing", "meeting_held"):
        t = _walk_to(world, method, where)
        case_status = Case.objects.get(pk=world.a.case.pk).status
        t = services.change_status(
            worker, world.a.case.pk, t.pk, "abandoned", timezone.localdate(), "safety", "Te onveilig."
        )
        assert (t.status, t.current_phase, t.abandonment_reason) == ("abandoned", "", "safety"), (method, where)
        [history] = _history(t, flow.ABANDONED)
        assert (history.from_value, history.reason, history.by_id) == (where, "safety", world.a.case_worker.pk)
        assert Case.objects.get(pk=world.a.case.pk).status == case_status  # abandoning never closes the case
        # Abandoning again changes nothing.
        assert not services.advance_on(flow.ABANDONED, t, worker, "safety").changes
    t = _walk_to(world, method, "plan_made")
    with pytest.raises(ValidationError) as error:
        services.advance_on(flow.ABANDONED, t, worker, "safety")
    assert "Possible next steps" in str(error.value) or "Mogelijke" in str(error.value)
    assert Trajectory.objects.get(pk=t.pk).status == "plan_made"
    Trajectory.objects.filter(pk=t.pk).update(status="closed")  # out of the way of a new offer
    declined = _walk_to(world, method, "offered")
    declined = services.change_status(worker, world.a.case.pk, declined.pk, "declined", timezone.localdate())
    assert declined.status == "declined" and _history(declined, flow.DECLINED)


# ---- the stages move the trajectory ----------------------------------------------------------------------------


def test_a_manual_step_that_an_event_takes_needs_a_note_and_is_in_the_history(world):
    t = _offer_and_accept(world, "signs_of_safety")
    worker = actor(world.a.case_worker)
    with pytest.raises(ValidationError) as error:
        services.change_status(worker, world.a.case.pk, t.pk, "preparing", D(2026, 2, 3))
    assert "note" in error.value.message_dict
    t = services.change_status(worker, world.a.case.pk, t.pk, "preparing", D(2026, 2, 3), note="Voorbereiding gestart.")
    history = TrajectoryEvent.objects.get(trajectory=t, to_value="preparing")
    assert (history.cause, history.note, history.by_id) == ("", "Voorbereiding gestart.", world.a.case_worker.pk)


def test_the_allocation_moves_a_coordinated_trajectory_and_after_a_late_acceptance_too(world):
    lead = actor(world.a.lead)
    worker = actor(world.a.case_worker)
    t = services.offer_trajectory(worker, world.a.case.pk, "fnb", D(2026, 2, 1))
    # Allocated while the offer is open: nothing moves before the family's answer.
    t = services.allocate_coordinator(lead, world.a.case.pk, t.pk, world.a.coordinator.pk, on=D(2026, 2, 2))
    assert t.status == "offered"
    t = services.change_status(worker, world.a.case.pk, t.pk, "accepted", D(2026, 2, 3))
    assert (t.status, t.current_phase) == ("preparing", "preparation")
    assert _history(t, flow.COORDINATOR_ALLOCATED)[0].to_value == "preparing"


@pytest.fixture
def held(mw):  # noqa: F811
    """The meetings fixture with its meeting held: the case worker and the coordinator attended the information."""
    from kring.meetings import services as meeting_services

    part = mw.meeting.parts.order_by("order").first()
    present = [(part.pk, f"u{mw.world.a.case_worker.pk}"), (part.pk, f"u{mw.world.a.coordinator.pk}")]
    meeting_services.record_attendance(
        mw.worker, mw.case.pk, mw.meeting.pk, present, expected_version=mw.meeting.version
    )
    return mw


def test_holding_the_meeting_moves_the_trajectory(held):
    t = Trajectory.objects.get(pk=held.trajectory.pk)
    assert (t.status, t.current_phase) == ("meeting_held", "meeting")
    assert t.phases.get(code="preparation").ended_on == t.meeting_held_on
    [status] = [e for e in _history(t, flow.MEETING_HELD) if e.kind == "status"]
    assert (status.from_value, status.by_id) == ("preparing", held.world.a.case_worker.pk)


def test_recording_a_meeting_of_an_abandoned_trajectory_is_refused(mw):  # noqa: F811
    from kring.meetings import services as meeting_services

    services.change_status(mw.worker, mw.case.pk, mw.trajectory.pk, "abandoned", timezone.localdate(), "safety")
    part = mw.meeting.parts.order_by("order").first()
    with pytest.raises(ValidationError) as error:
        meeting_services.record_attendance(
            mw.worker, mw.case.pk, mw.meeting.pk, [(part.pk, f"u{mw.world.a.case_worker.pk}")]
        )
    assert "__all__" in error.value.message_dict
    assert Trajectory.objects.get(pk=mw.trajectory.pk).status == "abandoned"
    assert mw.meeting.__class__.objects.get(pk=mw.meeting.pk).status == "planned"  # the whole write was refused


def test_accepting_the_plan_and_closing_it_at_a_review_move_the_trajectory(held):
    from kring.plans import follow_up
    from kring.plans.models import Review
    from tests.plans.conftest import accept, submitted_plan

    p = submitted_plan(held)
    accept(p)
    t = Trajectory.objects.get(pk=p.trajectory.pk)
    assert (t.status, t.current_phase, t.plan_made_on) == ("plan_made", "execution", timezone.localdate())
    [moved] = [e for e in _history(t, flow.PLAN_ACCEPTED) if e.kind == "status"]
    assert moved.by_id == p.world.a.case_worker.pk
    review = Review.objects.filter(plan=p.plan).order_by("planned_on").first()
    items = {p.sleep.pk: ("kept", ""), p.school.pk: ("kept", "")}
    follow_up.hold_review(p.coordinator, p.case.pk, review.pk, items, "continue")
    assert Trajectory.objects.get(pk=t.pk).status == "follow_up"
    second = Review.objects.filter(plan=p.plan, held_on__isnull=True).order_by("planned_on").first()
    follow_up.hold_review(p.coordinator, p.case.pk, second.pk, items, "close", note="Het plan loopt vanzelf.")
    t = Trajectory.objects.get(pk=t.pk)
    assert (t.status, t.closure_reason, t.current_phase) == ("closed", "plan_carried_out", "")
    [closed] = _history(t, flow.PLAN_CLOSED)
    assert (closed.by_id, closed.note) == (p.world.a.coordinator.pk, "Het plan loopt vanzelf.")


# ---- item 3: the Jeugdwet record is fed by every plan that counts ----------------------------------------------


def _right_overdue(world):
    """world.a.case (Dutch) with the family group plan offered and its reasonable term passed."""
    worker = actor(world.a.case_worker)
    today = timezone.localdate()
    services.save_family_plan_right(
        worker,
        world.a.case.pk,
        {
            "offered_on": today - datetime.timedelta(days=60),
            "offered_by_party": "provider",
            "reasonable_term_until": today - datetime.timedelta(days=5),
        },
    )


def _term_overdue(world) -> bool:
    from kring.worklists import queries as worklists

    steps = worklists.my_steps(actor(world.a.case_worker), timezone.localdate())
    return any(s.kind == "family_plan_term" and s.state == "overdue" for s in steps)


def _accepted_plan(world, method, presented=True, presented_on=None):
    from kring.plans import services as plan_services

    worker = actor(world.a.case_worker)
    t = _walk_to(world, method, "meeting_held")
    from kring.network.services import add_network_person

    oma = add_network_person(
        worker, world.a.case.pk, {"first_name": "Oma", "last_name": "Jansen"}, {"domain": "family", "safety": "safe"}
    )
    plan = plan_services.start_plan(worker, world.a.case.pk, t.pk)
    presented_on = presented_on or timezone.localdate()
    data = {"concerns": "Veilig slapen.", "presented_on": presented_on if presented else None}
    plan = plan_services.update_plan(worker, world.a.case.pk, plan.pk, data, plan.version)
    plan_services.add_agreement(
        worker,
        world.a.case.pk,
        plan.pk,
        {"what": "Oma belt elke avond.", "owner_person": oma.pk, "checker_user": world.a.case_worker.pk},
    )
    plan.refresh_from_db()
    plan = plan_services.submit_plan(worker, world.a.case.pk, plan.pk, plan.version)
    plan_services.decide_plan(worker, world.a.case.pk, plan.pk, "accepted", "Veilig genoeg.", {}, plan.version)
    return Trajectory.objects.get(pk=t.pk)


def test_a_safety_plan_accepted_with_the_network_closes_the_jeugdwet_term(world):
    _right_overdue(world)
    assert _term_overdue(world)
    t = _accepted_plan(world, "signs_of_safety")
    assert t.status == "plan_made"
    record = world.a.case.__class__.objects.get(pk=world.a.case.pk).family_plan_right
    assert record.family_plan_made_on == timezone.localdate() and record.next_due_on is None
    assert not _term_overdue(world)


def test_the_record_keeps_the_day_the_family_presented_its_plan_not_the_day_of_acceptance(world):
    """The term ended five days ago; the family presented its plan eight days ago, the case worker accepted it
    today: the plan was made in time."""
    from kring.trajectories import deadlines

    _right_overdue(world)
    presented_on = timezone.localdate() - datetime.timedelta(days=8)
    _accepted_plan(world, "fnb", presented_on=presented_on)
    record = world.a.case.__class__.objects.get(pk=world.a.case.pk).family_plan_right
    assert record.family_plan_made_on == presented_on
    (term,) = [d for d in deadlines.legal_deadlines(record) if d.kind == "family_plan_term"]
    assert term.done_on == presented_on < term.due_on  # made in time
    assert record.next_due_on is None
    assert not _term_overdue(world)


@pytest.mark.parametrize("method, presented", [("nvr", True), ("signs_of_safety", False)])
def test_a_plan_that_does_not_count_leaves_the_term_open(world, method, presented):
    _right_overdue(world)
    _accepted_plan(world, method, presented=presented)
    record = world.a.case.__class__.objects.get(pk=world.a.case.pk).family_plan_right
    assert record.family_plan_made_on is None
    assert _term_overdue(world)


def test_which_methods_plans_count_is_in_their_definitions():
    counts = {code: services.plan_is_family_plan(code, presented_with_network=True) for code in METHODS}
    assert {code for code, yes in counts.items() if yes} == {"fnb", "ekc", "family_finding", "signs_of_safety"}
    assert not services.plan_is_family_plan("signs_of_safety", presented_with_network=False)
    assert services.plan_is_family_plan("fnb", presented_with_network=False)


def test_a_broken_table_is_refused_at_start_up_naming_file_and_field(tmp_path):
    from kring.methods.catalogue import DEFINITIONS_DIR, MethodDefinitionError, load_file

    text = (DEFINITIONS_DIR / "fnb.toml").read_text()
    broken = tmp_path / "fnb.toml"
    broken.write_text(text.replace('phase = "execution"', 'phase = "holiday"', 1))
    with pytest.raises(MethodDefinitionError) as error:
        load_file(broken)
    assert "fnb.toml" in str(error.value) and "unknown phase 'holiday'" in str(error.value)
    broken.write_text(text.replace('reason = "plan_carried_out"', "", 1))
    with pytest.raises(MethodDefinitionError) as error:
        load_file(broken)
    assert "a closing step needs a reason" in str(error.value)
