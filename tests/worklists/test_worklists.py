"""Work lists: my upcoming and overdue steps (phase ends and the Jeugdwet deadlines), and the team's active
trajectories by status and phase with their clocks, within what each user may see, in constant queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.core.errors import NotFound
from kring.trajectories import services
from kring.trajectories.models import FamilyPlanRight
from kring.worklists import queries as worklists
from tests.factories import actor, make_case

D = datetime.date
TODAY = D(2026, 11, 23)


def offer(world, case=None, on=D(2026, 10, 1), method="fnb", user=None):
    case = case or world.a.case
    user = user or world.a.case_worker
    user.__dict__.pop("_kring_scope", None)  # the scope is kept per user object; a new case was made
    return services.offer_trajectory(actor(user), case.pk, method, on)


def accept(world, t, on, case=None, user=None):
    case = case or world.a.case
    return services.change_status(actor(user or world.a.case_worker), case.pk, t.pk, "accepted", on)


def test_my_steps_show_the_current_phase_end_with_its_state(world):
    t = accept(world, offer(world), D(2026, 10, 1))  # preparation (8 weeks) ends 26 November
    steps = worklists.my_steps(actor(world.a.case_worker), TODAY)
    assert [(s.kind, s.due_on, s.state) for s in steps] == [("phase_end", D(2026, 11, 26), "due_soon")]
    step = steps[0]
    assert step.case_number == world.a.case.number and step.trajectory_id == t.pk
    assert step.url
    assert [s.state for s in worklists.my_steps(actor(world.a.case_worker), D(2026, 11, 27))] == ["overdue"]
    assert [s.state for s in worklists.my_steps(actor(world.a.case_worker), D(2026, 11, 1))] == ["upcoming"]
    assert AccessLogEntry.objects.filter(
        user=world.a.case_worker, record_type="trajectory", record_id=str(t.pk), action="list"
    ).exists()


def test_my_steps_are_only_my_cases(world):
    accept(world, offer(world), D(2026, 10, 1))
    # Not on the case team: the lead (who sees it in the team list), a colleague, the other organisation.
    for user in (world.a.lead, world.a.other_worker, world.a.researcher, world.b.case_worker):
        assert worklists.my_steps(actor(user), TODAY) == []


def test_the_coordinator_sees_the_steps_of_trajectories_they_coordinate(world):
    t = accept(world, offer(world), D(2026, 10, 1))
    assert worklists.my_steps(actor(world.a.coordinator), TODAY) == []
    services.allocate_coordinator(actor(world.a.lead), world.a.case.pk, t.pk, world.a.coordinator.pk)
    world.a.coordinator._kring_scope = None
    assert [s.trajectory_id for s in worklists.my_steps(actor(world.a.coordinator), TODAY)] == [t.pk]


def test_an_offered_or_ended_trajectory_has_no_phase_step(world):
    t = offer(world)
    assert worklists.my_steps(actor(world.a.case_worker), TODAY) == []
    accept(world, t, D(2026, 10, 1))
    services.change_status(
        actor(world.a.case_worker), world.a.case.pk, t.pk, "abandoned", D(2026, 10, 5), reason="family_withdrew"
    )
    assert worklists.my_steps(actor(world.a.case_worker), TODAY) == []


def test_jeugdwet_deadlines_are_on_my_work_list(world):
    services.save_family_plan_right(
        actor(world.a.case_worker),
        world.a.case.pk,
        {
            "offered_on": D(2026, 10, 1),
            "offered_by_party": "provider",
            "reasonable_term_until": D(2026, 11, 20),
            "written_copy_requested_on": D(2026, 11, 16),
        },
    )
    steps = worklists.my_steps(actor(world.a.case_worker), TODAY)
    assert [(s.kind, s.due_on, s.state) for s in steps] == [
        ("family_plan_term", D(2026, 11, 20), "overdue"),
        ("written_copy", D(2026, 11, 30), "due_soon"),
    ]
    assert all(s.trajectory_id is None for s in steps)
    assert worklists.my_steps(actor(world.a.other_worker), TODAY) == []
    # Dropping the offer closes the term and starts the six weeks of the professional plan.
    services.save_family_plan_right(
        actor(world.a.case_worker),
        world.a.case.pk,
        {
            "parents_answer": "declined",
            "parents_answered_on": D(2026, 11, 2),
            "dropped_on": D(2026, 11, 3),
            "drop_ground": "parents_declined",
            "written_copy_given_on": D(2026, 11, 20),
        },
        expected_version=FamilyPlanRight.objects.get().version,
    )
    steps = worklists.my_steps(actor(world.a.case_worker), TODAY)
    assert [(s.kind, s.due_on) for s in steps] == [("professional_plan", D(2026, 12, 15))]


# ---- the team's work list ----------------------------------------------------------------------------------


def team_list(world, user, **filters):
    return worklists.team_worklist(actor(user), world.a.team.pk, worklists.TeamFilter(**filters), TODAY)


def two_cases(world):
    """The world's case (with its case worker) and a second case of the team without them."""
    other = make_case(world.a.team, case_worker=world.a.other_worker)
    first = accept(world, offer(world), D(2026, 10, 1))
    second = offer(world, case=other, on=D(2026, 11, 2), user=world.a.other_worker)
    return first, second, other


def test_the_lead_sees_all_the_teams_trajectories_with_clocks_and_counts(world):
    first, second, _other = two_cases(world)
    result = team_list(world, world.a.lead)
    assert result.is_lead
    assert [t.pk for t in result.rows] == [first.pk, second.pk]  # next due first; none due last
    assert result.counts["accepted"] == 1 and result.counts["offered"] == 1 and result.counts["preparing"] == 0
    assert result.total == 2 and result.page.paginator.count == 2
    row = result.rows[0]
    assert row.clocks.weeks_since_offer == round((TODAY - D(2026, 10, 1)).days / 7, 1)
    assert row.clocks.weeks_to_plan is None and row.clocks.weeks_to_abandonment is None
    assert row.next_due_on == D(2026, 11, 26) and row.due_state == "due_soon"
    assert row.phase_name
    logged = set(
        AccessLogEntry.objects.filter(user=world.a.lead, record_type="trajectory", action="list").values_list(
            "record_id", flat=True
        )
    )
    assert logged == {str(first.pk), str(second.pk)}


def test_members_see_only_their_own_cases_and_outsiders_nothing(world):
    first, second, _other = two_cases(world)
    assert [t.pk for t in team_list(world, world.a.case_worker).rows] == [first.pk]
    assert not team_list(world, world.a.case_worker).is_lead
    assert [t.pk for t in team_list(world, world.a.other_worker).rows] == [second.pk]
    for outsider in (world.a.researcher, world.a.coordinator, world.b.lead, world.b.case_worker):
        with pytest.raises(NotFound):
            team_list(world, outsider)


def test_filters_status_phase_and_overdue(world):
    first, second, _other = two_cases(world)
    assert [t.pk for t in team_list(world, world.a.lead, status="offered").rows] == [second.pk]
    assert [t.pk for t in team_list(world, world.a.lead, phase="preparation").rows] == [first.pk]
    assert team_list(world, world.a.lead, phase="meeting").rows == []
    assert team_list(world, world.a.lead, overdue_only=True).rows == []
    late = worklists.team_worklist(
        actor(world.a.lead), world.a.team.pk, worklists.TeamFilter(overdue_only=True), D(2026, 12, 1)
    )
    assert [t.pk for t in late.rows] == [first.pk] and late.overdue == 1
    assert ("preparation", late.phases[0][1]) == late.phases[0]


def test_ended_trajectories_are_not_on_the_work_list(world):
    first, second, _other = two_cases(world)
    services.change_status(
        actor(world.a.case_worker), world.a.case.pk, first.pk, "abandoned", D(2026, 10, 5), reason="family_withdrew"
    )
    assert [t.pk for t in team_list(world, world.a.lead).rows] == [second.pk]


def test_clock_to_abandonment_and_plan(world):
    t = accept(world, offer(world), D(2026, 10, 1))
    # The allocation starts the preparation; the meeting and the plan are recorded by hand, with a note.
    services.allocate_coordinator(actor(world.a.lead), world.a.case.pk, t.pk, world.a.coordinator.pk, on=D(2026, 10, 2))
    worker = actor(world.a.case_worker)
    why = "Op papier vastgelegd."
    services.change_status(worker, world.a.case.pk, t.pk, "meeting_held", D(2026, 10, 29), note=why)
    services.change_status(worker, world.a.case.pk, t.pk, "plan_made", D(2026, 10, 29), note=why)
    row = team_list(world, world.a.lead).rows[0]
    assert row.clocks.weeks_to_plan == 4.0 and row.clocks.weeks_since_offer == 4.0


def test_pages_are_paged(world):
    for _ in range(3):
        case = make_case(world.a.team, case_worker=world.a.case_worker)
        offer(world, case=case)
    result = worklists.team_worklist(
        actor(world.a.lead), world.a.team.pk, worklists.TeamFilter(page=2), TODAY, per_page=2
    )
    assert len(result.rows) == 1 and result.page.number == 2 and result.page.paginator.count == 3
    beyond = worklists.team_worklist(
        actor(world.a.lead), world.a.team.pk, worklists.TeamFilter(page=99), TODAY, per_page=2
    )
    assert beyond.page.number == 2


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_team_page_costs_the_same_queries_whatever_the_number_of_trajectories(world, client):
    client.force_login(world.a.lead)
    url = reverse("worklists:team", args=[world.a.team.pk])
    t = accept(world, offer(world), D(2026, 10, 1))
    services.allocate_coordinator(actor(world.a.lead), world.a.case.pk, t.pk, world.a.coordinator.pk)
    client.get(url)  # warm the session and caches
    few = _page_queries(client, url)
    for i in range(12):
        case = make_case(world.a.team, case_worker=world.a.case_worker)
        other = offer(world, case=case)
        if i % 2:
            other = accept(world, other, D(2026, 10, 2), case=case)
            services.allocate_coordinator(actor(world.a.lead), case.pk, other.pk, world.a.coordinator.pk)
    many = _page_queries(client, url)
    assert few == many
    assert few <= 15
    # A filtered page that finds nothing skips fetching and logging rows: never more queries.
    # (The allocation moved the accepted ones on to preparing: the method's table.)
    assert _page_queries(client, url + "?status=preparing&overdue=on") <= many
    assert _page_queries(client, url + "?status=preparing") == many


def test_work_pages(world, client):
    accept(world, offer(world), D(2026, 10, 1))
    client.force_login(world.a.case_worker)
    page = client.get(reverse("worklists:mine"))
    assert page.status_code == 200
    text = page.content.decode()
    assert world.a.case.number in text
    assert reverse("worklists:team", args=[world.a.team.pk]) in text
    team_page = client.get(reverse("worklists:team", args=[world.a.team.pk]))
    assert team_page.status_code == 200 and world.a.case.number in team_page.content.decode()
    assert client.get(reverse("worklists:team", args=[world.b.team.pk])).status_code == 404
    assert client.get(reverse("worklists:team", args=[world.a.team.pk]) + "?status=nonsense&page=x").status_code == 200
    client.force_login(world.b.lead)
    assert client.get(reverse("worklists:team", args=[world.a.team.pk])).status_code == 404
    assert world.a.case.number not in client.get(reverse("worklists:mine")).content.decode()


def test_work_pages_need_login(client):
    assert client.get(reverse("worklists:mine")).status_code == 302
