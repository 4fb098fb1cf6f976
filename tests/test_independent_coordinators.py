"""Independent coordinators (issue 16 item 6, decisions 240-249): the matching, the family's choice, the
assignment and what it lets the coordinator of another organisation see and do, hours and costs."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kring.accounts.models import CoordinatorProfile, Role
from kring.audit.models import AccessLogEntry
from kring.cases import queries as case_queries
from kring.cases.coordination import matching
from kring.cases.coordination import queries as coordination_queries
from kring.cases.coordination import services as coordination
from kring.cases.editing import can_edit_case, forget_scope
from kring.cases.models import Assignment, AssignmentRequestStatus
from kring.core.errors import NotFound
from tests.factories import actor, make_case, make_organisation, make_team, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


def make_office(key="office"):
    """A coordinating office with a team lead and three independent coordinators in its pool."""
    office = make_organisation("NL", name=f"Eigen Kracht {key}", code=f"ek{key}"[:20])
    office.is_coordinating_office = True
    office.region = "Utrecht"
    office.save()
    team = make_team(office, name="Pool")
    lead = make_user(office, Role.TEAM_LEAD, team, is_lead=True, email=f"lead@{key}.example.org")
    coordinators = {}
    for name, languages, regions, background in (
        ("fatima", "Nederlands, Arabisch, Berbers", "Utrecht", "Marokkaans"),
        ("ayse", "Nederlands, Turks", "Utrecht, Amersfoort", "Turks"),
        ("piet", "Nederlands, Engels", "Amersfoort", ""),
    ):
        user = make_user(office, Role.COORDINATOR, email=f"{name}@{key}.example.org", first_name=name.title())
        CoordinatorProfile.objects.create(
            office=office, user=user, languages=languages, regions=regions, cultural_background=background
        )
        coordinators[name] = user
    return office, lead, coordinators


def fresh(user):
    """The user as a new request reads them: no visibility sets or roles kept from before."""
    forget_scope(user)
    if hasattr(user, "_active_memberships"):
        del user._active_memberships
    return user


def assign(world, office, lead, coordinator, case=None, starts_on=None, **request):
    case = case or world.a.case
    asked = coordination.request_coordinator(actor(world.a.case_worker), case.pk, {"office": office, **request})
    return coordination.confirm_assignment(actor(lead), asked.pk, coordinator.pk, starts_on or TODAY())


# ---- matching ------------------------------------------------------------------------------------------------


def test_the_pool_is_ranked_on_language_then_region_then_culture_then_load_with_reasons():
    need = matching.Need(languages=("Arabisch", "tr"), region="Utrecht", culture="Marokkaans", starts_on=TODAY())
    c = dict(
        cultural_background="",
        available_from=None,
        available_until=None,
        max_assignments=3,
        current_assignments=0,
    )
    candidates = [
        matching.Candidate(1, "Piet", ("Nederlands", "Engels"), regions=("Utrecht",), **c),
        matching.Candidate(2, "Ayse", ("Turks",), regions=("Amersfoort",), **c),
        matching.Candidate(
            3, "Fatima", ("arabic",), regions=("utrecht",), **{**c, "cultural_background": "Marokkaans-Nederlands"}
        ),
        matching.Candidate(4, "Sara", ("Arabisch", "Turks"), regions=(), **{**c, "current_assignments": 3}),
        matching.Candidate(5, "Yusuf", ("ar",), regions=("Utrecht",), **{**c, "current_assignments": 2}),
    ]
    ranked = matching.rank(need, candidates)
    assert [m.candidate.name for m in ranked] == ["Fatima", "Yusuf", "Ayse", "Piet", "Sara"]
    fatima, yusuf, ayse, piet, sara = ranked
    assert ("speaks", "ar") in [(r.code, r.value) for r in fatima.reasons]
    assert ("does_not_speak", "tr") in [(r.code, r.value) for r in fatima.reasons]
    assert ("region", "Utrecht") in [(r.code, r.value) for r in fatima.reasons]
    assert "culture" in [r.code for r in fatima.reasons] and "culture" not in [r.code for r in yusuf.reasons]
    assert ("available", "2/3") in [(r.code, r.value) for r in yusuf.reasons]
    assert not sara.available and ("full", "3/3") in [(r.code, r.value) for r in sara.reasons]
    assert "other_region" in [r.code for r in ayse.reasons]
    assert piet.languages_spoken == 0


def test_a_coordinator_not_available_on_the_start_ranks_last_whatever_they_speak():
    need = matching.Need(languages=("Pools",), region="", culture="", starts_on=datetime.date(2026, 3, 1))
    base = dict(cultural_background="", regions=(), max_assignments=2, current_assignments=0)
    later = matching.Candidate(
        1, "Anna", ("Polski",), available_from=datetime.date(2026, 4, 1), available_until=None, **base
    )
    gone = matching.Candidate(2, "Ewa", ("pl",), available_from=None, available_until=datetime.date(2026, 2, 1), **base)
    free = matching.Candidate(3, "Jan", ("Nederlands",), available_from=None, available_until=None, **base)
    ranked = matching.rank(need, [later, gone, free])
    assert [m.candidate.name for m in ranked][0] == "Jan"
    assert ("not_yet", "2026-04-01") in [(r.code, r.value) for r in ranked[1].reasons + ranked[2].reasons]
    assert "no_longer" in [r.code for m in ranked for r in m.reasons]


def test_the_request_takes_the_persons_languages_and_the_region_and_the_case_page_ranks_the_office_pool(world):
    office, _lead, pool = make_office()
    child = world.a.case.persons.order_by("pk").first()
    child.language, child.document_language = "Arabisch", "ar"
    child.save()
    world.a.team.region = "Utrecht"
    world.a.team.save()
    request = coordination.request_coordinator(actor(world.a.case_worker), world.a.case.pk, {"office": office})
    assert request.languages == "Arabisch" and request.region == "Utrecht"
    shown = coordination_queries.case_coordination(actor(world.a.case_worker), world.a.case)
    (view,) = shown["requests"]
    assert [m.candidate.user_id for m in view.matches][:2] == [pool["fatima"].pk, pool["ayse"].pk]
    assert AccessLogEntry.objects.filter(
        record_type="assignment_request", record_id=str(request.pk), organisation_id=world.a.org.pk, action="view"
    ).exists()


def test_the_familys_choice_is_recorded_with_its_date_and_no_preference_too(world):
    office, lead, pool = make_office()
    request = coordination.request_coordinator(actor(world.a.case_worker), world.a.case.pk, {"office": office})
    chosen = coordination.record_family_choice(
        actor(world.a.case_worker), world.a.case.pk, request.pk, pool["ayse"].pk, TODAY(), request.version
    )
    assert (chosen.family_choice, chosen.family_choice_on, chosen.family_no_preference) == (
        pool["ayse"],
        TODAY(),
        False,
    )
    again = coordination.record_family_choice(
        actor(world.a.case_worker), world.a.case.pk, request.pk, None, TODAY(), chosen.version
    )
    assert again.family_no_preference and again.family_choice is None
    with pytest.raises(ValidationError):  # someone outside the pool
        coordination.record_family_choice(
            actor(world.a.case_worker), world.a.case.pk, request.pk, world.b.coordinator.pk
        )
    with pytest.raises(ValidationError):
        coordination.record_family_choice(
            actor(world.a.case_worker), world.a.case.pk, request.pk, pool["piet"].pk, TODAY() + DAY
        )
    # The office confirms the family's choice: the request is closed.
    assignment = coordination.confirm_assignment(actor(lead), request.pk, pool["ayse"].pk)
    request.refresh_from_db()
    assert request.status == AssignmentRequestStatus.CONFIRMED and assignment.case == world.a.case
    assert assignment.organisation == world.a.org and assignment.office == office


def test_only_the_cases_own_organisation_refers_and_only_the_office_confirms(world):
    office, lead, pool = make_office()
    with pytest.raises(NotFound):  # B's case worker does not see A's case
        coordination.request_coordinator(actor(world.b.case_worker), world.a.case.pk, {"office": office})
    request = coordination.request_coordinator(actor(world.a.case_worker), world.a.case.pk, {"office": office})
    with pytest.raises(NotFound):
        coordination.confirm_assignment(actor(world.a.lead), request.pk, pool["ayse"].pk)
    assert AccessLogEntry.objects.filter(
        user=world.a.lead, action="denied", record_type="assignment_request", organisation_id=world.a.org.pk
    ).exists()
    with pytest.raises(ValidationError):  # not of the pool
        coordination.confirm_assignment(actor(lead), request.pk, world.a.coordinator.pk)
    with pytest.raises(ValidationError):
        coordination.confirm_assignment(actor(lead), request.pk, pool["ayse"].pk, TODAY() - DAY)
    assert not Assignment.objects.exists()


# ---- visibility before, during and after ---------------------------------------------------------------------


def test_an_assignment_opens_its_case_only_from_its_start_until_its_end(world):
    office, lead, pool = make_office()
    coordinator = pool["fatima"]
    other = make_case(world.a.team, case_worker=world.a.case_worker)
    assignment = assign(world, office, lead, coordinator, starts_on=TODAY() + DAY)
    assert not case_queries.visible_cases(fresh(coordinator)).exists()  # before
    Assignment.objects.filter(pk=assignment.pk).update(starts_on=TODAY())
    visible = list(case_queries.visible_cases(fresh(coordinator)))
    assert visible == [world.a.case]  # during: that case, not its neighbour in the same team
    assert other not in visible
    assert can_edit_case(coordinator, world.a.case)
    coordination.end_assignment(actor(lead), assignment.pk)
    assert not case_queries.visible_cases(fresh(coordinator)).exists()  # after


def test_the_assignment_ends_with_the_coordinators_role_at_the_office(world):
    office, lead, pool = make_office()
    coordinator = pool["fatima"]
    assign(world, office, lead, coordinator)
    assert case_queries.can_see_case(fresh(coordinator), world.a.case.pk)
    coordinator.memberships.update(active=False)
    assert not case_queries.can_see_case(fresh(coordinator), world.a.case.pk)


def test_an_assignment_adds_one_query_to_the_scope_at_most(world, django_assert_max_num_queries):
    office, lead, pool = make_office()
    coordinator = pool["fatima"]
    assign(world, office, lead, coordinator)
    fresh(coordinator)
    with django_assert_max_num_queries(2):  # the memberships, and one for the led teams, case teams and assignments
        scope = case_queries.scope_for(coordinator)
    assert scope.assigned_case_ids == {world.a.case.pk}


# ---- hours and costs -------------------------------------------------------------------------------------------


def test_hours_and_costs_within_the_assignment_total_per_assignment_and_the_invoice_names_no_person(world, client):
    office, lead, pool = make_office()
    coordinator = pool["fatima"]
    assignment = assign(world, office, lead, coordinator)
    entry = coordination.record_time(
        actor(coordinator), assignment.pk, {"worked_on": TODAY(), "hours": "2.5", "travel_km": "31", "costs": "4.50"}
    )
    coordination.record_time(actor(coordinator), assignment.pk, {"worked_on": TODAY(), "hours": "1"})
    assert entry.case == world.a.case and entry.organisation == world.a.org
    for bad in (
        {"worked_on": TODAY() + DAY, "hours": "1"},  # the future
        {"worked_on": TODAY() - DAY, "hours": "1"},  # before the assignment
        {"worked_on": TODAY(), "hours": "25"},
        {"worked_on": TODAY(), "hours": "-1"},
        {"worked_on": TODAY(), "hours": "NaN"},
        {"worked_on": TODAY(), "hours": "0"},
    ):
        with pytest.raises(ValidationError):
            coordination.record_time(actor(coordinator), assignment.pk, bad)
    with pytest.raises(NotFound):  # another coordinator's assignment
        coordination.record_time(actor(pool["ayse"]), assignment.pk, {"worked_on": TODAY(), "hours": "1"})
    overview = coordination_queries.office_overview(actor(lead))
    (row,) = overview["assignments"]
    assert (row.total_hours, row.total_km, row.total_costs) == (Decimal("3.5"), Decimal("31"), Decimal("4.5"))
    client.force_login(lead)
    response = client.get(reverse("coordination:invoice"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert world.a.case.number in text and "2.50" in text
    for person in world.a.case.persons.all():
        assert person.first_name not in text and person.last_name not in text
    assert world.a.case.family_name not in text
    assert AccessLogEntry.objects.filter(user=lead, action="export", record_type="assignment_time_entry").count() == 2
    client.force_login(coordinator)  # not office staff
    assert client.get(reverse("coordination:invoice")).status_code == 403


# ---- pages -----------------------------------------------------------------------------------------------------


def test_the_pages_refer_choose_confirm_record_hours_and_end(world, client):
    office, lead, pool = make_office()
    child = world.a.case.persons.order_by("pk").first()
    child.language = "Turks"
    child.save()
    client.force_login(world.a.case_worker)
    url = reverse("cases:coordinator", args=[world.a.case.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Turks" in page.content.decode()
    response = client.post(
        url,
        {"action": "request", "office": office.pk, "languages": "Turks", "region": "Utrecht", "wished_start": TODAY()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = world.a.case.assignment_requests.get()
    page = client.get(url).content.decode()
    assert page.index(str(pool["ayse"])) < page.index(str(pool["fatima"]))  # Ayse speaks Turkish
    response = client.post(
        url,
        {
            "action": "choice",
            "request": request.pk,
            "version": request.version,
            "coordinator": pool["ayse"].pk,
            "chosen_on": TODAY(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.family_choice == pool["ayse"]
    # A bad date: a clear message, nothing stored.
    response = client.post(
        url,
        {
            "action": "choice",
            "request": request.pk,
            "version": request.version,
            "coordinator": "none",
            "chosen_on": "x",
        },
    )
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.family_choice == pool["ayse"]

    client.force_login(lead)
    office_page = client.get(reverse("coordination:office"))
    assert office_page.status_code == 200 and world.a.case.number in office_page.content.decode()
    assert child.first_name not in office_page.content.decode()  # the office reads no person of the family
    response = client.post(
        reverse("coordination:office"),
        {
            "action": "confirm",
            "request": request.pk,
            "version": request.version,
            "coordinator": pool["ayse"].pk,
            "starts_on": TODAY(),
        },
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert client.get(reverse("coordination:pool")).status_code == 200

    client.force_login(pool["ayse"])
    assert client.get(reverse("cases:detail", args=[world.a.case.pk])).status_code == 200
    response = client.post(
        reverse("coordination:hours"),
        {"assignment": assignment.pk, "worked_on": TODAY(), "hours": "3", "travel_km": "12", "costs": ""},
    )
    assert response.status_code == 302
    assert client.get(reverse("coordination:hours")).status_code == 200
    assert client.get(reverse("coordination:office")).status_code == 403  # not office staff
    assert client.post(url, {"action": "withdraw", "request": request.pk}).status_code == 403  # may not refer

    client.force_login(world.a.case_worker)
    response = client.post(url, {"action": "end", "assignment": assignment.pk, "version": assignment.version})
    assert response.status_code == 302
    client.force_login(pool["ayse"])
    assert client.get(reverse("cases:detail", args=[world.a.case.pk])).status_code == 404


def test_office_staff_keep_the_pool_profiles(world, client):
    office, lead, pool = make_office()
    profile = CoordinatorProfile.objects.get(user=pool["piet"])
    client.force_login(lead)
    page = client.get(reverse("coordination:pool"), {"office": office.pk, "user": pool["piet"].pk})
    assert page.status_code == 200
    data = {
        "office": office.pk,
        "user": pool["piet"].pk,
        "version": profile.version,
        "languages": "Nederlands, Pools",
        "regions": "Utrecht",
        "cultural_background": "",
        "available_from": "2026-01-01",
        "available_until": "2025-01-01",  # before the start: refused
        "max_assignments": 2,
        "active": "on",
    }
    assert client.post(reverse("coordination:pool"), data).status_code == 400
    profile.refresh_from_db()
    assert profile.languages == "Nederlands, Engels"
    assert client.post(reverse("coordination:pool"), {**data, "available_until": ""}).status_code == 302
    profile.refresh_from_db()
    assert profile.languages == "Nederlands, Pools" and profile.max_assignments == 2
    # Someone else's office: refused.
    client.force_login(world.a.lead)
    assert client.post(reverse("coordination:pool"), {**data, "available_until": ""}).status_code == 403


def test_a_stale_choice_is_refused_with_409_and_nothing_stored(world, client):
    office, _lead, pool = make_office()
    request = coordination.request_coordinator(actor(world.a.case_worker), world.a.case.pk, {"office": office})
    old_version = request.version
    coordination.record_family_choice(actor(world.a.lead), world.a.case.pk, request.pk, pool["piet"].pk)
    client.force_login(world.a.case_worker)
    response = client.post(
        reverse("cases:coordinator", args=[world.a.case.pk]),
        {
            "action": "choice",
            "request": request.pk,
            "version": old_version,
            "coordinator": pool["ayse"].pk,
            "chosen_on": TODAY(),
        },
    )
    assert response.status_code == 409
    request.refresh_from_db()
    assert request.family_choice == pool["piet"]


def test_the_navigation_offers_the_office_to_its_staff_and_the_hours_to_its_coordinators(world, client):
    office, lead, pool = make_office()
    office_link, hours_link = (f'href="{reverse(name)}"' for name in ("coordination:office", "coordination:hours"))
    client.force_login(lead)
    page = client.get(reverse("inbox:list")).content.decode()
    assert office_link in page and hours_link not in page
    client.force_login(pool["fatima"])
    page = client.get(reverse("inbox:list")).content.decode()
    assert hours_link in page and office_link not in page
    client.force_login(world.a.lead)
    page = client.get(reverse("inbox:list")).content.decode()
    assert office_link not in page and hours_link not in page


def test_the_api_lists_the_offices_assignments_to_its_staff_and_their_own_to_coordinators(world, client):
    office, lead, pool = make_office()
    assignment = assign(world, office, lead, pool["fatima"])
    coordination.record_time(actor(pool["fatima"]), assignment.pk, {"worked_on": TODAY(), "hours": "2"})
    url = reverse("cases_api:coordination_assignments")
    for user, expected in ((lead, [assignment.pk]), (pool["fatima"], [assignment.pk]), (pool["ayse"], [])):
        client.force_login(user)
        rows = client.get(url).json()
        assert [r["id"] for r in rows] == expected, user
    client.force_login(lead)
    (row,) = client.get(url).json()
    assert row["case_number"] == world.a.case.number and row["hours"] == "2.00" and row["active"] is True
    assert set(row) == {
        "id",
        "case_id",
        "case_number",
        "organisation",
        "office",
        "coordinator_id",
        "coordinator",
        "starts_on",
        "ends_on",
        "active",
        "hours",
        "travel_km",
        "costs",
    }
    assert AccessLogEntry.objects.filter(
        user=lead, action="list", record_type="coordinator_assignment", organisation_id=world.a.org.pk
    ).exists()


def test_the_inbox_tells_an_assigned_coordinator_of_their_case_while_the_assignment_lasts(world, client):
    """An independent coordinator holds no role at the case's organisation, yet it is their turn as much as a staff
    coordinator's: notify reaches them through an active assignment, and not before, after or for another case."""
    from kring.inbox import kinds
    from kring.inbox.models import Notification
    from kring.inbox.services import notify

    office, lead, pool = make_office()
    coordinator, stranger = pool["fatima"], pool["ayse"]
    assignment = assign(world, office, lead, coordinator)
    other = make_case(world.a.team, case_worker=world.a.case_worker)
    recipients = [coordinator, stranger, world.a.case_worker]
    notify(kinds.PLAN_SUBMITTED, recipients, organisation=world.a.org, case=world.a.case, key="plan-1")
    told = set(Notification.objects.filter(key="plan-1").values_list("recipient_id", flat=True))
    assert told == {coordinator.pk, world.a.case_worker.pk}  # not the office's coordinator without an assignment
    notify(kinds.PLAN_SUBMITTED, [coordinator], organisation=world.a.org, case=other, key="plan-2")
    assert not Notification.objects.filter(key="plan-2").exists()  # not another case of the organisation
    client.force_login(coordinator)
    assert world.a.case.number in client.get(reverse("inbox:list")).content.decode()
    coordination.end_assignment(actor(lead), assignment.pk)
    notify(kinds.PLAN_SUBMITTED, [coordinator], organisation=world.a.org, case=world.a.case, key="plan-3")
    assert not Notification.objects.filter(key="plan-3").exists()  # after the assignment
    # The coordinator's role at the office ended while an assignment was still open: not told either.
    again = assign(world, office, lead, stranger)
    stranger.memberships.update(active=False)
    notify(kinds.PLAN_SUBMITTED, [stranger], organisation=world.a.org, case=world.a.case, key="plan-4")
    assert again.pk and not Notification.objects.filter(key="plan-4").exists()
