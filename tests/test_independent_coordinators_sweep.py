"""An independent coordinator sees no case outside their assignments, before, during and after an assignment, on
every route (issue 16 "must show"; decisions 241 and 248).

The coordinator works at a coordinating office, not at the case's organisation A. The sweep walks every route that
takes a case id (read from Django's URL resolver, pages and /api/v1/ alike, as ``tests/security`` does) with each
method it answers to, and requires a refusal (403/404) logged once as denied for organisation A:

- (a) during the assignment, another case of organisation A, in the same team, with that case's records;
- (b) the assigned case before the assignment starts, and after it ended;
- (c) during the assignment, the assigned case with the other case's records.

And positively: during the assignment every GET route of the assigned case answers the independent coordinator as
it answers A's own coordinator on the case team, and they record on the case (the network, the trajectory, the
plan) with every write in A's access log. The caseload, its search, the work lists, the inbox and the API list
show no other case of A.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile, Role
from kring.audit.models import AccessLogEntry
from kring.cases.coordination import services as coordination
from kring.cases.editing import forget_scope
from kring.cases.models import Assignment
from kring.journal import services as journal_services
from kring.network import services as network_services
from kring.trajectories import services as trajectory_services
from kring.web.refusals import record_parameter
from tests.factories import actor, make_case, make_organisation, make_team, make_user
from tests.security.case_world import FIXED_VALUES, build_rich_case, record_ids
from tests.security.routes import case_routes

pytestmark = pytest.mark.django_db

API_METHODS = ("get", "post", "put", "patch", "delete")
DAY = datetime.timedelta(days=1)


def last_id() -> int:
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def methods_of(route) -> list[str]:
    view_class = getattr(route.callback, "view_class", None) or getattr(route.callback, "cls", None)
    if view_class is not None:
        return [m for m in API_METHODS if hasattr(view_class, m)]
    return ["get", "post"]


def ask(client, method, url, is_api):
    if is_api:
        return getattr(client, method)(url, data={}, content_type="application/json")
    return getattr(client, method)(url)


@pytest.fixture
def office_world(world):
    """A's case with a record of every kind, a second such case in the same team, and a coordinating office whose
    independent coordinator is assigned to the first case (from tomorrow: the tests move the dates)."""
    assigned = build_rich_case(world.a, "A")
    neighbour_ns = SimpleNamespace(**vars(world.a))
    neighbour_ns.case = make_case(world.a.team, case_worker=world.a.case_worker, persons=2)
    for user in (world.a.case_worker, world.a.coordinator, world.a.lead):
        forget_scope(user)  # the new case is theirs too
    neighbour = build_rich_case(neighbour_ns, "N")
    office = make_organisation("NL", name="Eigen Kracht Utrecht", code="eku")
    office.is_coordinating_office = True
    office.save()
    lead = make_user(office, Role.TEAM_LEAD, make_team(office), is_lead=True, email="lead@eku.example.org")
    coordinator = make_user(office, Role.COORDINATOR, email="coordinator@eku.example.org", first_name="Noor")
    CoordinatorProfile.objects.create(office=office, user=coordinator, languages="Nederlands, Arabisch")
    request = coordination.request_coordinator(actor(world.a.case_worker), assigned.case.pk, {"office": office})
    assignment = coordination.confirm_assignment(actor(lead), request.pk, coordinator.pk, timezone.localdate() + DAY)
    return SimpleNamespace(
        assigned=assigned, neighbour=neighbour, office=office, lead=lead, coordinator=coordinator, assignment=assignment
    )


def start_today(ow):
    Assignment.objects.filter(pk=ow.assignment.pk).update(starts_on=timezone.localdate())


def sweep_refusals(client, user, variants_for, organisation_id) -> tuple[int, list[str]]:
    """Request every case route with the values ``variants_for(route)`` gives (pairs of the values tried and, for
    a record under the assigned case, the assigned case's own values), each method; each must be refused and logged
    once as denied for ``organisation_id``. As in ``tests/security/test_07``: an empty body may be refused as invalid
    (400) before any record is read, if the same request with the assigned case's own records answers the same."""
    problems, tried = [], 0
    for route in case_routes():
        for values, own in variants_for(route):
            missing = [p for p in route.parameters if p not in values]
            if missing:
                problems.append(f"{route.name}: the case world cannot fill {missing}")
                continue
            url = route.url(values)
            for method in methods_of(route):
                start = last_id()
                response = ask(client, method, url, route.is_api)
                if response.status_code == 405:
                    continue
                tried += 1
                label = f"{method.upper()} {url} ({route.name})"
                denied = list(AccessLogEntry.objects.filter(id__gt=start, action="denied"))
                if response.status_code == 400 and own is not None and not denied:
                    same = ask(client, method, route.url(own), route.is_api)
                    if (same.status_code, same.content) != (400, response.content):
                        problems.append(f"{label} answered 400 where its own record answers {same.status_code}")
                elif response.status_code not in (403, 404):
                    problems.append(f"{label} answered {response.status_code}, not a refusal")
                elif len(denied) != 1:
                    problems.append(f"{label}: {len(denied)} denied entries, not one")
                elif denied[0].organisation_id != organisation_id or denied[0].user_id != user.pk:
                    problems.append(f"{label}: denied logged for organisation {denied[0].organisation_id}")
    return tried, problems


def values_of(rich, route):
    return {**FIXED_VALUES, **record_ids(rich, route.name)}


def test_during_the_assignment_no_other_case_of_the_organisation_opens_on_any_route(world, office_world, client):
    ow = office_world
    start_today(ow)
    client.force_login(ow.coordinator)
    tried, problems = sweep_refusals(
        client, ow.coordinator, lambda route: [(values_of(ow.neighbour, route), None)], world.a.org.pk
    )
    assert tried > 150
    assert not problems, "\n".join(problems)


def test_during_the_assignment_the_assigned_case_opens_no_record_of_another_case(world, office_world, client):
    ow = office_world
    start_today(ow)
    client.force_login(ow.coordinator)

    def variants(route):
        records = [p for p in route.record_parameters if record_parameter(route.name, p, route.pattern)]
        if not records:
            return []
        own, theirs = values_of(ow.assigned, route), values_of(ow.neighbour, route)
        return [({**own, **{p: theirs[p] for p in records}}, own)]

    tried, problems = sweep_refusals(client, ow.coordinator, variants, world.a.org.pk)
    assert tried > 100
    assert not problems, "\n".join(problems)


def test_before_the_start_and_after_the_end_the_assigned_case_opens_on_no_route(world, office_world, client):
    ow = office_world
    client.force_login(ow.coordinator)
    tried, problems = sweep_refusals(
        client, ow.coordinator, lambda route: [(values_of(ow.assigned, route), None)], world.a.org.pk
    )
    assert tried > 150
    assert not problems, "before the start:\n" + "\n".join(problems)

    start_today(ow)
    assert client.get(reverse("cases:detail", args=[ow.assigned.case.pk])).status_code == 200
    coordination.end_assignment(actor(ow.lead), ow.assignment.pk)
    tried, problems = sweep_refusals(
        client, ow.coordinator, lambda route: [(values_of(ow.assigned, route), None)], world.a.org.pk
    )
    assert tried > 150
    assert not problems, "after the end:\n" + "\n".join(problems)


# Routes whose answer depends on who the user is beyond their role on the case, with the reason.
ANSWERS_DIFFER: dict[str, str] = {}


def test_during_the_assignment_every_page_of_the_case_answers_as_for_a_coordinator_of_the_organisation(
    world, office_world, client
):
    """Each GET route of the assigned case answers the independent coordinator with the status it gives A's own
    coordinator on the case team (200 where it renders), and what they read is logged for organisation A."""
    ow = office_world
    start_today(ow)
    problems, rendered = [], 0
    for route in case_routes():
        if not route.allows_get() or route.name in ANSWERS_DIFFER:
            continue
        url = route.url(values_of(ow.assigned, route))
        client.force_login(world.a.coordinator)
        staff = client.get(url, HTTP_ACCEPT="application/json" if route.is_api else "text/html").status_code
        client.force_login(ow.coordinator)
        start = last_id()
        independent = client.get(url, HTTP_ACCEPT="application/json" if route.is_api else "text/html").status_code
        if staff != independent:
            problems.append(f"{url} ({route.name}): {independent} for the independent coordinator, {staff} for staff")
        if independent == 200:
            rendered += 1
            foreign = AccessLogEntry.objects.filter(id__gt=start, user=ow.coordinator).exclude(
                organisation_id=world.a.org.pk
            )
            if foreign.exists():
                problems.append(f"{url} ({route.name}) logged for another organisation than A")
    assert rendered >= 60, (rendered, problems)
    assert not problems, "\n".join(problems)


def test_the_independent_coordinator_records_on_the_case_and_every_write_is_in_as_log(world, office_world, client):
    ow = office_world
    start_today(ow)
    me = actor(ow.coordinator)
    case = ow.assigned.case
    start = last_id()
    aunt = network_services.add_network_person(
        me, case.pk, {"first_name": "Tante", "last_name": "Jansen"}, {"domain": "family", "safety": "safe"}
    )
    assert aunt.case_id == case.pk
    # The team lead allocates the independent coordinator to the trajectory; then they work on its plan.
    trajectory = trajectory_services.allocate_coordinator(
        actor(world.a.lead), case.pk, ow.assigned.trajectory.pk, ow.coordinator.pk
    )
    assert trajectory.coordinator == ow.coordinator
    journal_services.write_entry(
        me,
        case.pk,
        {
            "occurred_at": timezone.now() - datetime.timedelta(hours=1),
            "category": "home_visit",
            "text": "Voorbereidend huisbezoek bij moeder.",
            "persons": [ow.assigned.child.pk],
            "visibility": "team_only",
        },
    )
    writes = AccessLogEntry.objects.filter(id__gt=start, user=ow.coordinator, action__in=("create", "update"))
    assert writes.exists()
    assert set(writes.values_list("organisation_id", flat=True)) == {world.a.org.pk}
    client.force_login(ow.coordinator)
    for name in ("cases:detail", "network:map", "trajectories:detail", "meetings:detail"):
        values = values_of(ow.assigned, next(r for r in case_routes() if r.name == name))
        route = next(r for r in case_routes() if r.name == name)
        assert client.get(route.url(values)).status_code == 200, name
    # After the end the allocation no longer opens the case, and the case team lost the coordinator.
    coordination.end_assignment(actor(world.a.case_worker), ow.assignment.pk)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert not case.team_members.filter(user=ow.coordinator).exists()


def test_no_other_case_reaches_them_through_the_caseload_search_work_lists_inbox_or_api(world, office_world, client):
    ow = office_world
    start_today(ow)
    other = ow.neighbour.case
    client.force_login(ow.coordinator)
    pages = [
        reverse("cases:caseload"),
        reverse("cases:caseload") + f"?q={other.number}",
        reverse("cases:caseload") + f"?q={other.family_name}",
        reverse("cases:caseload") + "?q=SamN",
        reverse("worklists:mine"),
        reverse("worklists:team", args=[world.a.team.pk]),
        reverse("inbox:list"),
        reverse("cases_api:cases"),
        reverse("cases_api:cases") + f"?q={other.number}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        text = response.content.decode()
        # A search repeats what was searched for (the search box); what was found links to the case.
        searched = url.partition("?q=")[2]
        if searched:
            text = text.replace(searched, "")
        assert f"/cases/{other.pk}/" not in text and f'"id": {other.pk},' not in text, url
        assert other.number not in text and "SamN" not in text and "OmaN" not in text, url
    assert ow.assigned.case.number in client.get(reverse("cases:caseload")).content.decode()
    listed = AccessLogEntry.objects.filter(user=ow.coordinator, case_id=other.pk).exclude(action="denied")
    assert not listed.exists()
