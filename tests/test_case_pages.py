"""The case pages doing their work: the caseload (search, filters, paging, a constant number of queries), the
referral, the case page and its sub-pages, the interface language, and migrations that match the models."""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from kring.accounts.models import Team
from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseTeamMember, Consent, Person

from .factories import make_case


def _listed(response):
    assert response.status_code == 200
    return [case.number for case in response.context["cases"]]


# ---- caseload ------------------------------------------------------------------------------------------------


@pytest.fixture
def caseload_world(world):
    a = world.a
    a.ozturk = make_case(
        a.team,
        case_worker=a.case_worker,
        family_name="Familie Öztürk",
        persons=0,
        referral_date=datetime.date(2026, 3, 1),
    )
    Person.objects.create(case=a.ozturk, organisation=a.org, first_name="Ayşe", last_name="Öztürk", is_central=True)
    Person.objects.create(case=a.ozturk, organisation=a.org, first_name="Mehmet", last_name="Öztürk")
    a.senechal = make_case(
        a.team,
        case_worker=a.case_worker,
        family_name="Gezin S.",
        persons=0,
        legal_context="nl_supervision",
        status="active",
        referral_date=datetime.date(2026, 2, 1),
    )
    Person.objects.create(case=a.senechal, organisation=a.org, first_name="Zoë", last_name="Sénéchal", is_central=True)
    a.north = Team.objects.create(organisation=a.org, name="Team Noord")
    a.north_case = make_case(
        a.north, case_worker=a.case_worker, family_name="Familie Noord", referral_date=datetime.date(2026, 1, 1)
    )
    # The same name in B: never found by A's users.
    b_case = make_case(world.b.team, case_worker=world.b.case_worker, persons=0, family_name="Familie Öztürk")
    Person.objects.create(case=b_case, organisation=world.b.org, first_name="Ayşe", last_name="Öztürk", is_central=True)
    world.b.ozturk = b_case
    return world


@pytest.mark.parametrize("text", ["ozturk", "OZTÜRK", "öztürk", "oztu", "ayse", "Ayşe Öztürk", "ayse ozturk"])
def test_search_by_person_name_ignores_accents_and_case(caseload_world, client, text):
    w = caseload_world
    client.force_login(w.a.case_worker)
    assert _listed(client.get("/cases/", {"q": text})) == [w.a.ozturk.number]


def test_search_finds_every_person_of_the_case_not_only_the_central_one(caseload_world, client):
    w = caseload_world
    client.force_login(w.a.case_worker)
    assert _listed(client.get("/cases/", {"q": "mehmet"})) == [w.a.ozturk.number]
    assert _listed(client.get("/cases/", {"q": "senechal"})) == [w.a.senechal.number]
    assert _listed(client.get("/cases/", {"q": "zoe"})) == [w.a.senechal.number]
    assert _listed(client.get("/cases/", {"q": "nobody-by-this-name"})) == []


def test_search_by_case_number_and_family_name(caseload_world, client):
    w = caseload_world
    client.force_login(w.a.case_worker)
    assert _listed(client.get("/cases/", {"q": w.a.senechal.number})) == [w.a.senechal.number]
    assert _listed(client.get("/cases/", {"q": w.a.senechal.number.lower()})) == [w.a.senechal.number]
    assert _listed(client.get("/cases/", {"q": "  " + w.a.senechal.number + " "})) == [w.a.senechal.number]
    assert _listed(client.get("/cases/", {"q": "gezin s"})) == [w.a.senechal.number]
    # Another organisation's case number is not found.
    assert _listed(client.get("/cases/", {"q": w.b.ozturk.number})) == []


def test_search_is_logged_with_its_text(caseload_world, client):
    w = caseload_world
    client.force_login(w.a.case_worker)
    client.get("/cases/", {"q": "ozturk"})
    searched = AccessLogEntry.objects.filter(action="search", user=w.a.case_worker)
    assert {(e.record_type, e.case_id) for e in searched} == {
        ("case", w.a.ozturk.pk),
        ("person", w.a.ozturk.pk),
        ("case_search", None),
    }
    assert {e.detail for e in searched} == {"ozturk"}


def test_a_search_that_finds_nothing_is_logged_too(caseload_world, client):
    w = caseload_world
    client.force_login(w.a.case_worker)
    client.get("/cases/", {"q": "niemand-heet-zo"})
    searched = AccessLogEntry.objects.filter(action="search", user=w.a.case_worker)
    assert [(e.record_type, e.detail) for e in searched] == [("case_search", "niemand-heet-zo")]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["ozturk", "senechal", "case", "north_case"]),
        ({"status": "active"}, ["senechal"]),
        ({"status": "referred"}, ["ozturk", "case", "north_case"]),
        ({"status": "closed"}, []),
        ({"legal_context": "nl_supervision"}, ["senechal"]),
        ({"legal_context": "nl_voluntary"}, ["ozturk", "case", "north_case"]),
        ({"team": "NORTH"}, ["north_case"]),
        ({"team": "A", "status": "referred"}, ["ozturk", "case"]),
        ({"team": "A", "q": "ozturk"}, ["ozturk"]),
        ({"team": "NORTH", "q": "ozturk"}, []),
    ],
)
def test_caseload_filters(caseload_world, client, query, expected):
    w = caseload_world
    teams = {"NORTH": w.a.north.pk, "A": w.a.team.pk}
    query = {k: teams.get(v, v) for k, v in query.items()}
    client.force_login(w.a.case_worker)
    response = client.get("/cases/", query)
    assert _listed(response) == [getattr(w.a, name).number for name in expected]
    assert response.context["page"].paginator.count == len(expected)


def test_caseload_shows_central_persons_newest_referral_first(caseload_world, client):
    w = caseload_world
    client.force_login(w.a.case_worker)
    response = client.get("/cases/")
    cases = list(response.context["cases"])
    assert [c.referral_date for c in cases] == sorted((c.referral_date for c in cases), reverse=True)
    row = next(c for c in cases if c.pk == w.a.ozturk.pk)
    assert [p.full_name for p in row.central_persons] == ["Ayşe Öztürk"]
    body = response.content.decode()
    assert "Ayşe Öztürk" in body and "Mehmet" not in body


def test_team_filter_offers_only_own_organisations_teams(caseload_world, client):
    w = caseload_world
    client.force_login(w.a.case_worker)
    teams = set(client.get("/cases/").context["form"].fields["team"].queryset)
    assert teams == {w.a.team, w.a.north}


@pytest.fixture
def many_cases(world):
    def make(n):
        for i in range(n):
            make_case(
                world.a.team,
                case_worker=world.a.case_worker,
                family_name=f"Familie Stapel {i:02d}",
                referral_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
            )

    return make


def test_caseload_pages_by_25(world, client, many_cases):
    many_cases(25)  # with world's own case: 26 visible cases
    client.force_login(world.a.case_worker)
    first = client.get("/cases/")
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["cases"]) == 25
    body = first.content.decode()
    assert 'page=2"' in body
    second = client.get("/cases/", {"page": 2})
    assert len(second.context["cases"]) == 1
    assert second.context["page"].number == 2
    assert {c.pk for c in first.context["cases"]}.isdisjoint({c.pk for c in second.context["cases"]})
    assert client.get("/cases/", {"page": 3}).context["page"].number == 2
    # Paging keeps the filters.
    filtered = client.get("/cases/", {"q": "stapel", "page": 1})
    assert filtered.context["page"].paginator.count == 25
    assert "q=stapel&amp;page=2" not in filtered.content.decode()  # 25 fit on one page
    assert filtered.context["page"].paginator.num_pages == 1


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cases"])


@pytest.mark.parametrize("url", ["/cases/", "/cases/?q=familie", "/cases/?status=referred&page=1"])
def test_caseload_queries_do_not_grow_with_the_number_of_cases(world, client, many_cases, url):
    client.force_login(world.a.case_worker)
    client.get("/ping/")  # the session's first idle push is written once, not on every page
    many_cases(4)
    few, shown_few = _count_queries(client, url)
    many_cases(46)
    many, shown_many = _count_queries(client, url)
    assert (shown_few, shown_many) == (5, 25)
    assert many == few


def test_case_page_queries_do_not_grow_with_the_number_of_persons(world, client):
    client.force_login(world.a.case_worker)
    client.get("/ping/")  # the session's first idle push is written once, not on every page
    url = f"/cases/{world.a.case.pk}/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(20):
        person = Person.objects.create(case=world.a.case, organisation=world.a.org, first_name=f"Buur{i}")
        Consent.objects.create(
            case=world.a.case,
            organisation=world.a.org,
            person=person,
            purpose="research",
            given_on=datetime.date.today() - datetime.timedelta(days=30),
            recorded_by=world.a.case_worker,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Buur19" in response.content.decode()
    assert len(many) == len(few)


# ---- referral ------------------------------------------------------------------------------------------------


def test_referral_start_leads_to_the_organisations_form(world, client):
    client.force_login(world.a.case_worker)
    response = client.get("/cases/new/")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/new/{world.a.org.pk}/"


def test_referral_for_another_organisation_is_not_found(world, client):
    client.force_login(world.a.case_worker)
    assert client.get(f"/cases/new/{world.b.org.pk}/").status_code == 404
    assert client.get("/cases/new/987654/").status_code == 404


@pytest.mark.parametrize("role", ["researcher", "privacy_officer", "administrator"])
def test_only_case_roles_record_referrals(world, client, role):
    client.force_login(getattr(world.a, role))
    assert client.get("/cases/new/").status_code == 403
    assert client.get(f"/cases/new/{world.a.org.pk}/").status_code == 404


def test_referral_records_case_persons_and_case_worker(world, client):
    client.force_login(world.a.case_worker)
    form = client.get(f"/cases/new/{world.a.org.pk}/").content.decode()
    assert re.search(r'name="person-INITIAL_FORMS" value="1"', form)
    response = client.post(
        f"/cases/new/{world.a.org.pk}/",
        {
            "family_name": "Familie Öztürk",
            "team": world.a.team.pk,
            "legal_context": "nl_voluntary",
            "safety_concern": "some",
            "central_reason": "Ayşe is de jongste.",
            "referral_date": "2026-02-01",
            "referral_route": "school",
            "question": "Dat het thuis rustiger wordt.",
            "person-TOTAL_FORMS": "3",
            "person-INITIAL_FORMS": "1",
            "person-MIN_NUM_FORMS": "1",
            "person-MAX_NUM_FORMS": "12",
            "person-0-first_name": "Ayşe",
            "person-0-last_name": "Öztürk",
            "person-0-birth_date": "2016-05-01",
            "person-0-gender": "female",
            "person-0-is_central": "on",
            "person-0-in_household": "on",
            "person-1-first_name": "Fatma",
            "person-1-last_name": "Öztürk",
            "person-1-relation": "moeder",
            "person-1-gender": "female",
            "person-2-gender": "unknown",
        },
    )
    case = Case.objects.get(family_name="Familie Öztürk")
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/"
    assert case.number == "ORGA-2026-0001"
    assert (case.organisation, case.team, case.status, case.version) == (world.a.org, world.a.team, "referred", 1)
    persons = sorted((p.first_name, p.is_central, p.relation, p.organisation_id) for p in case.persons.all())
    assert persons == [("Ayşe", True, "", world.a.org.pk), ("Fatma", False, "moeder", world.a.org.pk)]
    assert [(m.user, m.role) for m in case.team_members.all()] == [(world.a.case_worker, CaseRole.CASE_WORKER)]
    detail = client.get(response["Location"])
    assert "Ayşe Öztürk" in detail.content.decode() and "ORGA-2026-0001" in detail.content.decode()


def test_case_numbers_count_up_per_organisation_and_year(world, client):
    numbers = []
    for org_key in ("a", "a", "b"):
        ns = getattr(world, org_key)
        client.force_login(ns.case_worker)
        response = client.post(
            f"/cases/new/{ns.org.pk}/",
            {
                "family_name": "Familie Nummer",
                "team": ns.team.pk,
                "legal_context": "nl_voluntary" if org_key == "a" else "vl_voluntary",
                "safety_concern": "none",
                "central_reason": "r",
                "referral_date": "2026-02-01",
                "referral_route": "family",
                "question": "v",
                "person-TOTAL_FORMS": "1",
                "person-INITIAL_FORMS": "1",
                "person-MIN_NUM_FORMS": "1",
                "person-MAX_NUM_FORMS": "12",
                "person-0-first_name": "Kind",
                "person-0-gender": "unknown",
                "person-0-is_central": "on",
            },
        )
        assert response.status_code == 302
        numbers.append(Case.objects.order_by("-pk").first().number)
    assert numbers == ["ORGA-2026-0001", "ORGA-2026-0002", "ORGB-2026-0001"]


# ---- case page and sub-pages ---------------------------------------------------------------------------------


def test_case_page_shows_the_case_its_persons_team_and_consent(world, client):
    case = world.a.case
    central = case.persons.get(is_central=True)
    Consent.objects.create(
        case=case,
        organisation=world.a.org,
        person=central,
        purpose="share_plan",
        given_on=datetime.date(2026, 1, 20),
        recorded_by=world.a.case_worker,
    )
    client.force_login(world.a.lead)
    client.cookies["django_language"] = "en"
    body = client.get(f"/cases/{case.pk}/").content.decode()
    with translation.override("en"):
        for text in [
            case.number,
            case.family_name,
            world.a.org.name,
            world.a.team.name,
            central.full_name,
            "case_worker@a.example.org",
            str(gettext("share the plan with those involved")),
            str(gettext("voluntary help")),
        ]:
            assert text in body, text


def test_closing_a_case_records_the_date_and_reopening_clears_it(world, client):
    case = world.a.case
    client.force_login(world.a.case_worker)
    data = {
        "family_name": case.family_name,
        "team": case.team_id,
        "legal_context": case.legal_context,
        "safety_concern": case.safety_concern,
        "central_reason": case.central_reason,
        "referral_date": case.referral_date.isoformat(),
        "referral_route": case.referral_route,
        "question": case.question,
        "status": "closed",
        "closure_reason": "goals_reached",
        "version": 1,
    }
    assert client.post(f"/cases/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on, case.version) == (
        "closed",
        "goals_reached",
        timezone.localdate(),
        2,
    )
    data.update(status="active", closure_reason="", version=2)
    assert client.post(f"/cases/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason, case.closed_on) == ("active", "", None)


def test_the_central_person_cannot_be_removed(world, client):
    central = world.a.case.persons.get(is_central=True)
    client.force_login(world.a.case_worker)
    response = client.post(f"/cases/{world.a.case.pk}/persons/{central.pk}/remove/", follow=True)
    assert response.status_code == 200
    assert Person.objects.filter(pk=central.pk).exists()
    with translation.override("nl"):
        assert gettext("A case needs at least one central person.") in response.content.decode()


def test_a_person_who_gave_consent_cannot_be_removed(world, client):
    other = world.a.case.persons.get(is_central=False)
    Consent.objects.create(
        case=world.a.case,
        organisation=world.a.org,
        person=other,
        purpose="research",
        given_on=datetime.date(2026, 1, 20),
        recorded_by=world.a.case_worker,
    )
    client.force_login(world.a.case_worker)
    response = client.post(f"/cases/{world.a.case.pk}/persons/{other.pk}/remove/", follow=True)
    assert Person.objects.filter(pk=other.pk).exists()
    with translation.override("nl"):
        assert gettext("This person gave consent; the consent record must stay.") in response.content.decode()


def test_the_last_case_worker_cannot_leave_the_case_team(world, client):
    member = CaseTeamMember.objects.get(case=world.a.case, user=world.a.case_worker)
    client.force_login(world.a.case_worker)
    response = client.post(f"/cases/{world.a.case.pk}/team/{member.pk}/remove/", follow=True)
    assert CaseTeamMember.objects.filter(pk=member.pk).exists()
    with translation.override("nl"):
        assert gettext("A case needs a case worker; add another one first.") in response.content.decode()


def test_team_page_offers_only_colleagues_with_a_case_role_not_yet_on_the_team(world, client):
    client.force_login(world.a.case_worker)
    offered = set(client.get(f"/cases/{world.a.case.pk}/team/").context["form"].fields["user"].queryset)
    assert offered == {world.a.coordinator, world.a.lead, world.a.other_worker}


def test_leaving_the_case_team_leads_back_to_the_caseload(world, client):
    client.force_login(world.a.lead)
    client.post(f"/cases/{world.a.case.pk}/team/", {"user": world.a.other_worker.pk, "role": "case_worker"})
    own = CaseTeamMember.objects.get(case=world.a.case, user=world.a.case_worker)
    client.force_login(world.a.case_worker)
    response = client.post(f"/cases/{world.a.case.pk}/team/{own.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.get(f"/cases/{world.a.case.pk}/").status_code == 404


# ---- language ------------------------------------------------------------------------------------------------


def test_pages_are_dutch_by_default_whatever_the_browser_asks(world, client):
    client.force_login(world.a.case_worker)
    response = client.get("/cases/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response["Content-Language"] == "nl"
    assert '<html lang="nl">' in response.content.decode()
    with translation.override("nl"):
        assert gettext("My caseload") in response.content.decode()


def test_language_cookie_switches_to_english(world, client):
    client.force_login(world.a.case_worker)
    client.cookies["django_language"] = "en"
    response = client.get("/cases/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "My caseload" in response.content.decode()


def test_unknown_language_cookie_falls_back_to_dutch(world, client):
    client.force_login(world.a.case_worker)
    client.cookies["django_language"] = "xx"
    assert client.get("/cases/")["Content-Language"] == "nl"


# ---- migrations ----------------------------------------------------------------------------------------------


def test_migrations_match_the_models(db):
    output = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=output, stderr=output)
    assert "No changes detected" in output.getvalue()


def test_names_are_shown_as_text_not_markup(world, client):
    script = "<script>alert(1)</script>"
    person = world.a.case.persons.get(is_central=True)
    client.force_login(world.a.case_worker)
    url = f"/cases/{world.a.case.pk}/persons/{person.pk}/"
    response = client.post(
        url, {"first_name": script, "last_name": "<b>x</b>", "gender": "unknown", "is_central": "on", "version": 1}
    )
    assert response.status_code == 302
    for page in ["/cases/", f"/cases/{world.a.case.pk}/", url, f"/cases/{world.a.case.pk}/history/"]:
        body = client.get(page).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, page
        assert script not in body and "<b>x</b>" not in body, page
