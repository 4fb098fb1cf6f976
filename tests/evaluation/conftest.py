"""A small world of trajectories with known dates and outcomes, written straight into the tables (the indicators
only read them), so every figure of the indicators can be worked out by hand.

Organisation "Noord" (region Utrecht), all offered on Monday 5 January 2026; "today" is 2 February 2026:
- FNB: plan in week 0; plan in week 2; abandoned in week 2; declined in week 1; still running (censored, week 4).
- regular care: plan in week 3.
Outcomes at T1: the week-0 FNB plan placed within the network, the week-2 plan at home, the regular-care one
placed outside the network. Two reviews judged three agreements: kept, partly kept, not kept.
"""

import datetime
from types import SimpleNamespace

import pytest

from kring.accounts.models import Role
from kring.measures.models import Administration, AdministrationScore, OutcomeMeasurement
from kring.plans.models import Agreement, Plan, Review, ReviewItem
from kring.trajectories.models import Trajectory
from tests.factories import make_case, make_organisation, make_team, make_user

D = datetime.date
OFFERED = D(2026, 1, 5)
TODAY = D(2026, 2, 2)


def _trajectory(team, user, method, **dates):
    case = make_case(team, case_worker=user)
    return Trajectory.objects.create(
        case=case,
        organisation=team.organisation,
        team=team,
        method_code=method,
        method_version="1.0",
        offered_on=OFFERED,
        offered_by=user,
        **{"status": "offered", **dates},
    )


@pytest.fixture
def small_world(db):
    org = make_organisation("NL", name="Noord", code="noord")
    org.region = "Utrecht"
    org.save()
    team = make_team(org, name="Team Noord")
    lead = make_user(org, Role.TEAM_LEAD, team, is_lead=True, email="lead@noord.example.org")
    worker = make_user(org, Role.CASE_WORKER, team, email="worker@noord.example.org")
    researcher = make_user(org, Role.RESEARCHER, email="researcher@noord.example.org")
    week = datetime.timedelta(weeks=1)
    t = SimpleNamespace(
        plan0=_trajectory(team, worker, "fnb", plan_made_on=OFFERED, accepted_on=OFFERED, status="plan_made"),
        plan2=_trajectory(
            team, worker, "fnb", plan_made_on=OFFERED + 2 * week, accepted_on=OFFERED, status="plan_made"
        ),
        abandoned2=_trajectory(
            team,
            worker,
            "fnb",
            abandoned_on=OFFERED + 2 * week,
            accepted_on=OFFERED,
            status="abandoned",
            abandonment_reason="family_withdrew",
        ),
        declined1=_trajectory(team, worker, "fnb", declined_on=OFFERED + week, status="declined"),
        running=_trajectory(team, worker, "fnb", accepted_on=OFFERED, status="preparing"),
        regular=_trajectory(
            team, worker, "regular_care", plan_made_on=OFFERED + 3 * week, accepted_on=OFFERED, status="plan_made"
        ),
    )
    for trajectory, placement in ((t.plan0, "in_network"), (t.plan2, "at_home"), (t.regular, "outside_network")):
        OutcomeMeasurement.objects.create(
            case=trajectory.case,
            organisation=org,
            trajectory=trajectory,
            moment="t1",
            measured_on=OFFERED + 13 * week,
            placement=placement,
            recorded_by=worker,
        )
    for trajectory, value in ((t.plan0, 6.0), (t.plan2, 8.0)):
        record = Administration.objects.create(
            case=trajectory.case,
            organisation=org,
            trajectory=trajectory,
            instrument_code="sos_safety_scale",
            instrument_version="1.0",
            moment="t1",
            respondent="parent",
            administered_on=OFFERED + 13 * week,
            mode="items",
            responses={"safety": value},
            scores={},
            entered_by=worker,
        )
        AdministrationScore.objects.create(
            administration=record,
            organisation=org,
            trajectory=trajectory,
            instrument_code="sos_safety_scale",
            moment="t1",
            respondent="parent",
            score_code="score",
            value=value,
        )
    plan = Plan.objects.create(
        case=t.plan0.case,
        organisation=org,
        trajectory=t.plan0,
        plan_type="family_group_plan",
        status="accepted",
        accepted_on=OFFERED,
        written_by=worker,
    )
    agreements = [
        Agreement.objects.create(case=plan.case, organisation=org, plan=plan, what=f"Afspraak {i}", in_force=True)
        for i in range(3)
    ]
    first = Review.objects.create(
        case=plan.case,
        organisation=org,
        plan=plan,
        code="call",
        name="Belronde",
        planned_on=OFFERED + 4 * week,
        held_on=OFFERED + 4 * week,
    )
    second = Review.objects.create(
        case=plan.case,
        organisation=org,
        plan=plan,
        code="review",
        name="Evaluatie",
        planned_on=OFFERED + 12 * week,
        held_on=OFFERED + 12 * week,
    )
    ReviewItem.objects.create(review=first, agreement=agreements[0], keeping="kept")
    ReviewItem.objects.create(review=second, agreement=agreements[1], keeping="partly")
    ReviewItem.objects.create(review=second, agreement=agreements[2], keeping="not_kept")
    ReviewItem.objects.create(review=second, agreement=agreements[0], keeping="stopped")
    return SimpleNamespace(org=org, team=team, lead=lead, worker=worker, researcher=researcher, t=t, plan=plan)
