"""The pure rules of a trajectory: every step of the status machine, the phase plan, the clocks and the
Jeugdwet deadlines. No database."""

import datetime
import itertools

import pytest

from kring.trajectories.core import jeugdwet, schedule, states

D = datetime.date

LEGAL_STEPS = {
    ("offered", "accepted"),
    ("offered", "declined"),
    ("offered", "abandoned"),
    ("accepted", "preparing"),
    ("accepted", "abandoned"),
    ("preparing", "meeting_held"),
    ("preparing", "abandoned"),
    ("meeting_held", "plan_made"),
    ("meeting_held", "abandoned"),
    ("plan_made", "follow_up"),
    ("plan_made", "closed"),
    ("follow_up", "closed"),
    ("declined", "closed"),
    ("abandoned", "closed"),
}


def reason_for(target):
    return {"abandoned": "family_withdrew", "closed": "plan_in_place"}.get(target, "")


@pytest.mark.parametrize("current,target", sorted(itertools.product(states.STATUSES, repeat=2)))
def test_every_pair_of_statuses(current, target):
    if (current, target) in LEGAL_STEPS:
        states.check_transition(current, target, reason_for(target))
    else:
        with pytest.raises(states.IllegalTransition) as error:
            states.check_transition(current, target, reason_for(target))
        assert error.value.allowed == states.allowed_from(current)
        assert target not in error.value.allowed


def test_abandoning_and_closing_need_a_reason_from_the_list():
    with pytest.raises(states.MissingReason):
        states.check_transition("offered", "abandoned", "")
    with pytest.raises(states.MissingReason):
        states.check_transition("offered", "abandoned", "bored")
    with pytest.raises(states.MissingReason):
        states.check_transition("follow_up", "closed", "")
    states.check_transition("follow_up", "closed", "plan_carried_out")


def test_unknown_status_is_an_error():
    with pytest.raises(ValueError):
        states.check_transition("offered", "flying")
    with pytest.raises(ValueError):
        states.allowed_from("flying")


def test_closed_is_final_and_the_clock_statuses_end_before_a_plan():
    assert states.allowed_from("closed") == ()
    assert "plan_made" not in states.RUNNING and "offered" in states.RUNNING


PHASES = [
    schedule.PhaseSpec("preparation", 8, 8),
    schedule.PhaseSpec("meeting", 1, 1),
    schedule.PhaseSpec("execution", 13, 26),
    schedule.PhaseSpec("evaluation", 1),
]


def test_phase_plan_from_defaults():
    plan = schedule.plan_phases(PHASES, D(2026, 1, 5))
    assert [(p.planned_start, p.planned_end) for p in plan] == [
        (D(2026, 1, 5), D(2026, 3, 2)),
        (D(2026, 3, 2), D(2026, 3, 9)),
        (D(2026, 3, 9), D(2026, 6, 8)),
        (D(2026, 6, 8), D(2026, 6, 15)),
    ]
    assert plan[2].latest_end == D(2026, 9, 7)
    assert plan[3].latest_end is None


def test_actual_dates_shift_what_follows():
    plan = schedule.plan_phases(PHASES, D(2026, 1, 5), {"preparation": (D(2026, 1, 5), D(2026, 2, 2))})
    assert plan[1].planned_start == D(2026, 2, 2)
    assert plan[2].planned_end == D(2026, 2, 9) + datetime.timedelta(weeks=13)


def test_half_weeks_round_to_days():
    plan = schedule.plan_phases([schedule.PhaseSpec("a", 1.5)], D(2026, 1, 1))
    assert plan[0].planned_end == D(2026, 1, 11)  # 10.5 days: Python rounds half to even, so 10


def test_clocks():
    running = schedule.clocks(D(2026, 1, 1), D(2026, 4, 9))
    assert running.weeks_since_offer == 14.0 and running.running
    planned = schedule.clocks(D(2026, 1, 1), D(2026, 9, 1), plan_made_on=D(2026, 2, 26))
    assert planned.weeks_to_plan == 8.0 and planned.weeks_since_offer == 8.0 and not planned.running
    abandoned = schedule.clocks(D(2026, 1, 1), D(2026, 9, 1), abandoned_on=D(2026, 1, 15))
    assert abandoned.weeks_to_abandonment == 2.0 and abandoned.weeks_to_plan is None
    assert schedule.clocks(None, D(2026, 1, 1)).weeks_since_offer is None


@pytest.mark.parametrize(
    "today,done,expected",
    [
        (D(2026, 1, 1), None, "upcoming"),
        (D(2026, 1, 25), None, "due_soon"),
        (D(2026, 2, 1), None, "due_soon"),
        (D(2026, 2, 2), None, "overdue"),
        (D(2026, 3, 1), D(2026, 1, 30), "done"),
        (D(2026, 3, 1), D(2026, 2, 3), "done_late"),
    ],
)
def test_deadline_states(today, done, expected):
    assert schedule.Deadline("x", D(2026, 2, 1), done).state(today) == expected


def test_jeugdwet_deadlines_follow_the_law():
    record = jeugdwet.FamilyPlanRight(
        offered_on=D(2026, 1, 1),
        reasonable_term_until=D(2026, 2, 1),
        parents_answered_on=D(2026, 1, 10),
        parents_accepted=False,
        dropped_on=D(2026, 1, 12),
        drop_ground="parents_declined",
        written_copy_requested_on=D(2026, 2, 1),
    )
    assert jeugdwet.problems(record) == []
    found = {d.kind: d for d in jeugdwet.deadlines(record)}
    assert found["professional_plan"].due_on == D(2026, 2, 23)  # six weeks after dropping
    assert found["written_copy"].due_on == D(2026, 2, 15)  # fourteen days after the request
    assert found["family_plan_term"].done_on == D(2026, 1, 12)  # dropping ends the term


def test_jeugdwet_exemption_sets_no_deadlines_and_refuses_an_offer():
    exempt = jeugdwet.FamilyPlanRight(exemption="juvenile_probation")
    assert jeugdwet.deadlines(exempt) == []
    assert jeugdwet.problems(exempt) == []
    both = jeugdwet.FamilyPlanRight(exemption="juvenile_probation", offered_on=D(2026, 1, 1))
    assert [p.code for p in jeugdwet.problems(both)] == ["exempt_case_has_no_offer"]
    assert not jeugdwet.applies("nl_juvenile_probation")
    assert jeugdwet.applies("nl_supervision") and not jeugdwet.applies("vl_judicial")


@pytest.mark.parametrize(
    "record,code",
    [
        (jeugdwet.FamilyPlanRight(dropped_on=D(2026, 1, 2), offered_on=D(2026, 1, 1)), "ground_required"),
        (
            jeugdwet.FamilyPlanRight(
                offered_on=D(2026, 1, 1), dropped_on=D(2026, 1, 2), drop_ground="parents_declined"
            ),
            "parents_did_not_decline",
        ),
        (
            jeugdwet.FamilyPlanRight(offered_on=D(2026, 1, 5), dropped_on=D(2026, 1, 2), drop_ground="concrete_threat"),
            "dropped_before_offer",
        ),
        (jeugdwet.FamilyPlanRight(drop_ground="concrete_threat"), "ground_without_date"),
        (jeugdwet.FamilyPlanRight(reasonable_term_until=D(2026, 1, 5)), "term_without_offer"),
        (jeugdwet.FamilyPlanRight(offered_on=D(2026, 1, 5), reasonable_term_until=D(2026, 1, 5)), "term_before_offer"),
        (jeugdwet.FamilyPlanRight(professional_plan_adopted_on=D(2026, 1, 5)), "professional_plan_without_drop"),
        (jeugdwet.FamilyPlanRight(written_copy_given_on=D(2026, 1, 5)), "copy_without_request"),
        (
            jeugdwet.FamilyPlanRight(
                offered_on=D(2026, 1, 1),
                dropped_on=D(2026, 1, 2),
                drop_ground="concrete_threat",
                family_plan_made_on=D(2026, 1, 3),
            ),
            "dropped_but_plan_made",
        ),
    ],
)
def test_jeugdwet_rules(record, code):
    assert code in [p.code for p in jeugdwet.problems(record)]


def test_choice_values_match_the_core():
    from kring.trajectories.choices import AbandonmentReason, ClosureReason, DropGround, Exemption, Status

    assert tuple(Status.values) == states.STATUSES
    assert tuple(AbandonmentReason.values) == states.ABANDONMENT_REASONS
    assert tuple(ClosureReason.values) == states.CLOSURE_REASONS
    assert tuple(DropGround.values) == jeugdwet.DROP_GROUNDS
    assert tuple(v for v in Exemption.values if v) == jeugdwet.EXEMPTIONS


def test_the_work_list_index_covers_exactly_the_active_statuses():
    from kring.trajectories.models import Trajectory

    index = next(i for i in Trajectory._meta.indexes if i.name == "traj_team_active_due")
    ((lookup, statuses),) = index.condition.children
    assert lookup == "status__in" and set(statuses) == set(states.ACTIVE)
