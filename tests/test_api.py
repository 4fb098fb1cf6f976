"""The REST API of the case file: same permissions, same validation and same access log as the pages.

Clients authenticate with a token, as an integration would. ``world`` (tests/conftest.py) gives two
organisations; a.case_worker is on the case team of a.case and a.lead leads the team that owns it.
"""

import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry, Action
from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseNumberSequence, CaseTeamMember, Consent, Person

from .factories import make_api_token, make_case, make_parent

CASES = "/api/v1/cases/"
TEN_MEGABYTES = "x" * (10 * 1024 * 1024)

# Who may read and change a.case, and who must get the same 404 as for a case that does not exist.
INSIDERS = [("a", "case_worker"), ("a", "lead")]
OUTSIDERS = [
    ("a", "other_worker"),
    ("b", "case_worker"),
    ("b", "lead"),
    ("a", "researcher"),
    ("a", "administrator"),
    ("a", "privacy_officer"),
]


def api_client(user, **headers):
    key = make_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", **headers)
    return client


def user_in(world, who):
    organisation_key, role = who
    return getattr(getattr(world, organisation_key), role)


def days_ago(days):
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def snapshot():
    """Everything of the case file in the database, to show that a refused request changed nothing."""
    return {
        "cases": list(Case.objects.order_by("pk").values()),
        "persons": list(Person.objects.order_by("pk").values()),
        "team": list(CaseTeamMember.objects.order_by("pk").values()),
        "consents": list(Consent.objects.order_by("pk").values()),
        "sequences": list(CaseNumberSequence.objects.order_by("pk").values()),
    }


def last_log_id():
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def log_since(log_id):
    return list(AccessLogEntry.objects.filter(id__gt=log_id).order_by("id"))


def referral(world, **changes):
    payload = {
        "organisation": "orga",
        "team": world.a.team.pk,
        "family_name": "Familie Peeters",
        "legal_context": "nl_voluntary",
        "safety_concern": "some",
        "central_reason": "Lotte is het kind om wie het gaat.",
        "referral_date": days_ago(3),
        "referral_route": "school",
        "question": "Wij willen dat Lotte weer naar school gaat.",
        "persons": [
            {
                "first_name": "Lotte",
                "last_name": "Peeters",
                "birth_date": "2014-05-02",
                "is_central": True,
                "in_household": True,
            },
            {"first_name": "Ann", "last_name": "Peeters", "relation": "moeder", "in_household": True},
        ],
    }
    payload.update(changes)
    return payload


def central_person(case):
    return case.persons.get(is_central=True)


def other_person(case):
    return case.persons.get(is_central=False)


def add_consent(world, **fields):
    case = world.a.case
    return Consent.objects.create(
        case=case,
        organisation=case.organisation,
        person=central_person(case),
        purpose="contact_network",
        given_on=fields.pop("given_on", datetime.date.fromisoformat(days_ago(10))),
        recorded_by=world.a.case_worker,
        **fields,
    )


@pytest.fixture
def co_worker(world):
    """a.coordinator on a.case's team as co-worker: may read the case, not change it."""
    CaseTeamMember.objects.create(
        case=world.a.case, organisation=world.a.org, user=world.a.coordinator, role=CaseRole.CO_WORKER
    )
    return world.a.coordinator


# --- Authentication -----------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"HTTP_AUTHORIZATION": "Token not-a-real-token"}])
def test_without_a_valid_token_the_api_answers_401(world, headers):
    client = APIClient()
    client.credentials(**headers)
    assert client.get(CASES).status_code == 401
    assert client.get(f"{CASES}{world.a.case.pk}/").status_code == 401
    assert AccessLogEntry.objects.count() == 0


# --- Case list ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_case_list_shows_the_users_cases_with_central_persons(world, who):
    response = api_client(user_in(world, who)).get(CASES)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [world.a.case.pk]
    row = body["results"][0]
    assert row["number"] == world.a.case.number
    assert row["organisation"] == "orga"
    assert row["version"] == 1
    assert [p["first_name"] for p in row["central_persons"]] == ["Kind0"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_case_list_is_empty_for_everyone_outside_the_case(world, who):
    response = api_client(user_in(world, who)).get(CASES)
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert world.a.case.pk not in ids
    # Each other-organisation user still sees their own organisation's case, nothing more.
    expected = [world.b.case.pk] if who in (("b", "case_worker"), ("b", "lead")) else []
    assert ids == expected


def test_case_list_is_logged_per_case_and_central_person(world):
    before = last_log_id()
    api_client(world.a.case_worker).get(CASES)
    entries = log_since(before)
    assert {(e.action, e.record_type, e.record_id) for e in entries} == {
        (Action.LIST, "case", str(world.a.case.pk)),
        (Action.LIST, "person", str(central_person(world.a.case).pk)),
    }
    assert all(e.user == world.a.case_worker and e.path == CASES for e in entries)


def test_case_list_filters_and_logs_a_search(world):
    second = make_case(
        world.a.team,
        case_worker=world.a.case_worker,
        family_name="Familie Özdemir",
        legal_context="nl_supervision",
        status="active",
    )
    client = api_client(world.a.case_worker)

    def ids(**params):
        response = client.get(CASES, params)
        assert response.status_code == 200
        return sorted(row["id"] for row in response.json()["results"])

    assert ids() == sorted([world.a.case.pk, second.pk])
    assert ids(status="active") == [second.pk]
    assert ids(legal_context="nl_voluntary") == [world.a.case.pk]
    assert ids(team=world.b.team.pk) == []
    assert ids(q="Özdemir") == [second.pk]
    before = last_log_id()
    assert ids(q=second.number.lower()) == [second.pk]
    assert {(e.action, e.detail) for e in log_since(before)} == {(Action.SEARCH, second.number.lower())}


def test_case_list_pages_link_to_each_other(world, settings):
    settings.KRING_CASELOAD_PAGE_SIZE = 1
    make_case(world.a.team, case_worker=world.a.case_worker)
    client = api_client(world.a.case_worker)
    first = client.get(CASES).json()
    assert first["count"] == 2 and len(first["results"]) == 1
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/cases/?page=2"
    second = client.get(first["next"]).json()
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/cases/"
    assert {first["results"][0]["id"], second["results"][0]["id"]} == set(
        Case.objects.filter(organisation=world.a.org).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("params", [{"status": "lost"}, {"team": "abc"}, {"page": "0"}, {"q": "x" * 101}])
def test_case_list_refuses_bad_filters(world, params):
    before = last_log_id()
    response = api_client(world.a.case_worker).get(CASES, params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)
    assert log_since(before) == []


# --- Case detail --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_case_detail_shows_case_persons_team_and_consents(world, who):
    consent = add_consent(world)
    case = world.a.case
    response = api_client(user_in(world, who)).get(f"{CASES}{case.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["family_name"], body["version"]) == (case.pk, case.family_name, 1)
    assert body["team"] == world.a.team.pk
    assert [p["first_name"] for p in body["persons"]] == ["Kind0", "Kind1"]
    assert all(p["version"] == 1 for p in body["persons"])
    assert [(m["user"], m["role"]) for m in body["team_members"]] == [(world.a.case_worker.pk, "case_worker")]
    assert [(c["id"], c["person"], c["is_active"]) for c in body["consents"]] == [
        (consent.pk, central_person(case).pk, True)
    ]


def test_case_detail_is_logged_for_the_case_and_every_person(world):
    case = world.a.case
    before = last_log_id()
    api_client(world.a.case_worker, REMOTE_ADDR="10.1.2.3").get(f"{CASES}{case.pk}/")
    entries = log_since(before)
    assert sorted((e.action, e.record_type, e.record_id) for e in entries) == sorted(
        [(Action.VIEW, "case", str(case.pk))] + [(Action.VIEW, "person", str(p.pk)) for p in case.persons.all()]
    )
    assert {(e.user_id, e.ip_address, e.case_id) for e in entries} == {(world.a.case_worker.pk, "10.1.2.3", case.pk)}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_case_detail_answers_outsiders_as_if_the_case_did_not_exist(world, who):
    client = api_client(user_in(world, who))
    missing = client.get(f"{CASES}999999/")
    before = last_log_id()
    refused = client.get(f"{CASES}{world.a.case.pk}/")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert [(e.action, e.record_type, e.record_id) for e in log_since(before)] == [
        (Action.DENIED, "case", str(world.a.case.pk))
    ]


def test_an_id_too_large_for_the_database_is_just_not_found(world):
    client = api_client(world.a.case_worker)
    huge = "9" * 30
    assert client.get(f"{CASES}{huge}/").status_code == 404
    assert client.get(f"{CASES}{world.a.case.pk}/persons/{huge}/").status_code == 404
    assert client.patch(f"{CASES}{huge}/", {"version": 1}, format="json").status_code == 404


# --- Referral (create a case) -------------------------------------------------------------------------


@pytest.mark.parametrize("who", [("a", "case_worker"), ("a", "coordinator"), ("a", "lead"), ("a", "other_worker")])
def test_case_roles_record_a_referral(world, who):
    user = user_in(world, who)
    before = last_log_id()
    response = api_client(user).post(CASES, referral(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert case.number == body["number"] == f"ORGA-{days_ago(3)[:4]}-0001"
    assert (case.organisation, case.team, case.status) == (world.a.org, world.a.team, "referred")
    assert response["Location"] == f"http://testserver/api/v1/cases/{case.pk}/"
    assert sorted((p.first_name, p.is_central) for p in case.persons.all()) == [("Ann", False), ("Lotte", True)]
    assert [p["first_name"] for p in body["persons"]] == ["Lotte", "Ann"]
    assert list(case.team_members.values_list("user", flat=True)) == [user.pk]
    # "moeder" typed at referral draws the parent link on the map (kring.network.intake): a logged write too
    created = {(e.action, e.record_type) for e in log_since(before) if e.action == Action.CREATE}
    assert created == {(Action.CREATE, "case"), (Action.CREATE, "person"), (Action.CREATE, "relationship")}
    assert [(r.kind, r.person_a.first_name, r.person_b.first_name) for r in case.relationships.all()] == [
        ("parent", "Ann", "Lotte")
    ]


@pytest.mark.parametrize(
    "who", [("a", "researcher"), ("a", "administrator"), ("a", "privacy_officer"), ("b", "case_worker"), ("b", "lead")]
)
def test_referral_is_refused_for_those_without_a_case_role_at_the_organisation(world, who):
    before = snapshot()
    response = api_client(user_in(world, who)).post(CASES, referral(world), format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"organisation": "nosuchorg"}, "organisation"),
        ({"organisation": TEN_MEGABYTES}, "organisation"),
        ({"family_name": TEN_MEGABYTES}, "family_name"),
        ({"referral_date": in_days(1)}, "referral_date"),
        ({"referral_date": "2026-02-30"}, "referral_date"),
        ({"legal_context": "vl_judicial"}, "legal_context"),  # a Flemish context at a Dutch organisation
        ({"team": 10**30}, "team"),
        ({"persons": []}, "persons"),
        ({"persons": [{"first_name": "Lotte", "is_central": False}]}, "persons"),
        ({"persons": [{"first_name": TEN_MEGABYTES, "is_central": True}]}, "persons"),
        ({"persons": [{"first_name": "Lotte", "is_central": True, "birth_date": in_days(1)}]}, "persons"),
        ({"persons": [{"first_name": "Lotte", "is_central": True, "email": "not-an-address"}]}, "persons"),
        ({"persons": [{"first_name": f"P{i}", "is_central": True} for i in range(13)]}, "persons"),
    ],
)
def test_bad_referral_is_refused_with_a_field_error_and_saves_nothing(world, changes, field):
    before = snapshot()
    response = api_client(world.a.case_worker).post(CASES, referral(world, **changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_referral_with_a_team_of_another_organisation_is_refused(world):
    before = snapshot()
    response = api_client(world.a.case_worker).post(CASES, referral(world, team=world.b.team.pk), format="json")
    assert response.status_code == 400
    assert "team" in response.json()
    assert snapshot() == before


def test_unknown_organisation_code_gets_a_message_on_that_field(world):
    response = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="en").post(
        CASES, referral(world, organisation="nosuchorg"), format="json"
    )
    assert response.json()["organisation"] == ["There is no organisation with this code."]


def test_a_ten_megabyte_name_of_a_referred_person_is_refused_on_that_field(world):
    response = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="en").post(
        CASES, referral(world, persons=[{"first_name": TEN_MEGABYTES, "is_central": True}]), format="json"
    )
    assert response.status_code == 400
    assert response.json()["persons"]["0"]["first_name"] == ["Ensure this field has no more than 100 characters."]


@pytest.mark.parametrize("body", ["{not json", '{"family_name": "Peeters",}', "\xff\xfe"])
def test_malformed_json_is_refused_with_a_clear_message(world, body):
    before = snapshot()
    response = api_client(world.a.case_worker).post(CASES, body.encode("latin-1"), content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert snapshot() == before


def test_a_body_over_the_upload_limit_is_refused_in_json(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    before = snapshot()
    response = api_client(world.a.case_worker).post(CASES, referral(world, concerns="x" * 2000), format="json")
    assert response.status_code == 413
    assert response.json()["detail"]
    assert snapshot() == before


def test_unknown_or_read_only_fields_are_refused_not_ignored(world):
    before = snapshot()
    response = api_client(world.a.case_worker).patch(
        f"{CASES}{world.a.case.pk}/", {"familyname": "Typo", "number": "X-1", "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"familyname", "number"}
    assert snapshot() == before


def test_only_json_is_accepted(world):
    response = api_client(world.a.case_worker).post(CASES, {"family_name": "x"})  # multipart form
    assert response.status_code == 415
    assert Case.objects.count() == 2


def test_messages_are_dutch_by_default_and_english_on_request(world):
    dutch = api_client(world.a.case_worker).post(CASES, {}, format="json")
    english = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="en").post(CASES, {}, format="json")
    assert dutch["Content-Language"] == "nl"
    assert dutch.json()["family_name"] == ["Dit veld is vereist."]
    assert english["Content-Language"] == "en"
    assert english.json()["family_name"] == ["This field is required."]


# --- Change a case ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_case_team_and_team_lead_change_a_case(world, who):
    case = world.a.case
    before = last_log_id()
    response = api_client(user_in(world, who)).patch(
        f"{CASES}{case.pk}/",
        {"family_name": "Familie Janssens", "safety_concern": "serious", "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["family_name"], response.json()["version"]) == ("Familie Janssens", 2)
    case.refresh_from_db()
    assert (case.family_name, case.safety_concern, case.version) == ("Familie Janssens", "serious", 2)
    assert case.question == "Wij willen dat het thuis rustiger wordt."  # fields not sent stay as they were
    assert [(e.action, e.record_type) for e in log_since(before)] == [(Action.UPDATE, "case")]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_change_a_case(world, who):
    before, log_before = snapshot(), last_log_id()
    response = api_client(user_in(world, who)).patch(
        f"{CASES}{world.a.case.pk}/", {"family_name": "Gestolen", "version": 1}, format="json"
    )
    assert response.status_code == 404
    assert snapshot() == before
    assert [(e.action, e.record_type, e.record_id) for e in log_since(log_before)] == [
        (Action.DENIED, "case", str(world.a.case.pk))
    ]


def test_a_co_worker_reads_but_cannot_change_a_case(world, co_worker):
    client = api_client(co_worker)
    assert client.get(f"{CASES}{world.a.case.pk}/").status_code == 200
    before = snapshot()
    response = client.patch(f"{CASES}{world.a.case.pk}/", {"family_name": "Anders", "version": 1}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_stale_change_is_refused_with_409_and_the_record_keeps_the_other_change(world):
    case = world.a.case
    original = case.family_name
    worker, lead = api_client(world.a.case_worker), api_client(world.a.lead)
    version = worker.get(f"{CASES}{case.pk}/").json()["version"]
    assert (
        lead.patch(f"{CASES}{case.pk}/", {"family_name": "Familie Lead", "version": version}, format="json").status_code
        == 200
    )
    before = snapshot()
    response = worker.patch(f"{CASES}{case.pk}/", {"family_name": "Familie Worker", "version": version}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"]
    assert [(c["was"], c["now"], c["changed_by"]) for c in body["changes"]] == [
        (original, "Familie Lead", "lead@a.example.org")
    ]
    assert snapshot() == before
    case.refresh_from_db()
    assert (case.family_name, case.version) == ("Familie Lead", 2)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"family_name": "Zonder versie"}, "version"),
        ({"family_name": TEN_MEGABYTES, "version": 1}, "family_name"),
        ({"status": "closed", "version": 1}, "closure_reason"),
        ({"closure_reason": "moved", "version": 1}, "closure_reason"),
        ({"referral_date": in_days(5), "version": 1}, "referral_date"),
        ({"team": "other organisation's team", "version": 1}, "team"),
        ({"legal_context": "vl_voluntary", "version": 1}, "legal_context"),
        ({"status": "finished", "version": 1}, "status"),
        ({"concerns": None, "version": 1}, "concerns"),
        ({"version": "one"}, "version"),
        ({"version": 10**30}, "version"),
    ],
)
def test_bad_case_changes_are_refused_on_the_field_and_change_nothing(world, changes, field):
    if changes.get("team") == "other organisation's team":
        changes = {**changes, "team": world.b.team.pk}
    before = snapshot()
    response = api_client(world.a.case_worker).patch(f"{CASES}{world.a.case.pk}/", changes, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_closing_a_case_with_a_reason_sets_the_closing_date(world):
    response = api_client(world.a.case_worker).patch(
        f"{CASES}{world.a.case.pk}/",
        {"status": "closed", "closure_reason": "goals_reached", "version": 1},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["closed_on"] == timezone.localdate().isoformat()


# --- Persons ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_persons_are_listed_for_the_case_team(world, who):
    case = world.a.case
    before = last_log_id()
    response = api_client(user_in(world, who)).get(f"{CASES}{case.pk}/persons/")
    assert response.status_code == 200
    assert [(p["id"], p["is_central"]) for p in response.json()] == [
        (central_person(case).pk, True),
        (other_person(case).pk, False),
    ]
    logged_persons = {e.record_id for e in log_since(before) if e.record_type == "person"}
    assert logged_persons == {str(p.pk) for p in case.persons.all()}


@pytest.mark.parametrize("who", INSIDERS)
def test_one_person_is_read_and_logged(world, who):
    person = other_person(world.a.case)
    before = last_log_id()
    response = api_client(user_in(world, who)).get(f"{CASES}{world.a.case.pk}/persons/{person.pk}/")
    assert response.status_code == 200
    assert (response.json()["first_name"], response.json()["version"]) == ("Kind1", 1)
    assert [(e.action, e.record_type, e.record_id) for e in log_since(before)] == [
        (Action.VIEW, "person", str(person.pk))
    ]


def test_a_person_of_another_case_is_not_found_through_this_case(world):
    foreign = central_person(world.b.case)
    response = api_client(world.a.case_worker).get(f"{CASES}{world.a.case.pk}/persons/{foreign.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_person_endpoint(world, who):
    case, person = world.a.case, other_person(world.a.case)
    client = api_client(user_in(world, who))
    before = snapshot()
    answers = [
        client.get(f"{CASES}{case.pk}/persons/"),
        client.post(f"{CASES}{case.pk}/persons/", {"first_name": "Indringer"}, format="json"),
        client.get(f"{CASES}{case.pk}/persons/{person.pk}/"),
        client.patch(f"{CASES}{case.pk}/persons/{person.pk}/", {"first_name": "X", "version": 1}, format="json"),
        client.delete(f"{CASES}{case.pk}/persons/{person.pk}/"),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert snapshot() == before


@pytest.mark.parametrize("who", INSIDERS)
def test_a_person_is_added(world, who):
    before = last_log_id()
    response = api_client(user_in(world, who)).post(
        f"{CASES}{world.a.case.pk}/persons/",
        {"first_name": "Oma", "last_name": "Jacobs", "relation": "grootmoeder", "birth_date": "1950-04-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.case, person.organisation, person.relation) == (world.a.case, world.a.org, "grootmoeder")
    assert [(e.action, e.record_id) for e in log_since(before)] == [(Action.CREATE, str(person.pk))]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"first_name": TEN_MEGABYTES}, "first_name"),
        ({"first_name": "Oma", "birth_date": in_days(1)}, "birth_date"),
        ({"first_name": "Oma", "birth_date": "1850-01-01"}, "birth_date"),
        ({"first_name": "Oma", "gender": "other"}, "gender_description"),
        ({"first_name": "Oma\x00"}, "first_name"),
        ({"last_name": "Zonder voornaam"}, "first_name"),
    ],
)
def test_bad_person_is_refused_on_the_field_and_saves_nothing(world, data, field):
    before = snapshot()
    response = api_client(world.a.case_worker).post(f"{CASES}{world.a.case.pk}/persons/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_a_co_worker_cannot_add_change_or_remove_persons(world, co_worker):
    case, person = world.a.case, other_person(world.a.case)
    client = api_client(co_worker)
    before = snapshot()
    assert client.post(f"{CASES}{case.pk}/persons/", {"first_name": "Oma"}, format="json").status_code == 403
    assert (
        client.patch(
            f"{CASES}{case.pk}/persons/{person.pk}/", {"first_name": "X", "version": 1}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"{CASES}{case.pk}/persons/{person.pk}/").status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", INSIDERS)
def test_a_person_is_changed(world, who):
    person = other_person(world.a.case)
    before = last_log_id()
    response = api_client(user_in(world, who)).patch(
        f"{CASES}{world.a.case.pk}/persons/{person.pk}/", {"phone": "0470 12 34 56", "version": 1}, format="json"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.phone, person.first_name, person.version) == ("0470 12 34 56", "Kind1", 2)
    assert [(e.action, e.record_id) for e in log_since(before)] == [(Action.UPDATE, str(person.pk))]


def test_stale_person_change_is_refused_with_409(world):
    person = other_person(world.a.case)
    url = f"{CASES}{world.a.case.pk}/persons/{person.pk}/"
    assert api_client(world.a.lead).patch(url, {"first_name": "Lien", "version": 1}, format="json").status_code == 200
    before = snapshot()
    response = api_client(world.a.case_worker).patch(url, {"first_name": "Lotte", "version": 1}, format="json")
    assert response.status_code == 409
    assert [(c["was"], c["now"]) for c in response.json()["changes"]] == [("Kind1", "Lien")]
    assert snapshot() == before


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_name": TEN_MEGABYTES, "version": 1}, "first_name"),
        ({"birth_date": in_days(1), "version": 1}, "birth_date"),
        ({"is_central": False, "version": 1}, "is_central"),  # the only central person
        ({"first_name": "Lotte"}, "version"),
    ],
)
def test_bad_person_change_is_refused_on_the_field_and_changes_nothing(world, changes, field):
    person = central_person(world.a.case)
    before = snapshot()
    response = api_client(world.a.case_worker).patch(
        f"{CASES}{world.a.case.pk}/persons/{person.pk}/", changes, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("who", INSIDERS)
def test_a_person_is_removed(world, who):
    person = other_person(world.a.case)
    before = last_log_id()
    response = api_client(user_in(world, who)).delete(f"{CASES}{world.a.case.pk}/persons/{person.pk}/")
    assert response.status_code == 204
    assert not Person.objects.filter(pk=person.pk).exists()
    assert [(e.action, e.record_id) for e in log_since(before)] == [(Action.DELETE, str(person.pk))]


def test_the_only_central_person_and_a_person_who_consented_stay(world):
    case = world.a.case
    client = api_client(world.a.case_worker)
    before = snapshot()
    response = client.delete(f"{CASES}{case.pk}/persons/{central_person(case).pk}/")
    assert response.status_code == 400
    assert "is_central" in response.json()
    assert snapshot() == before
    Consent.objects.create(
        case=case,
        organisation=case.organisation,
        person=other_person(case),
        purpose="research",
        given_on=timezone.localdate(),
        recorded_by=world.a.case_worker,
    )
    before = snapshot()
    response = client.delete(f"{CASES}{case.pk}/persons/{other_person(case).pk}/")
    assert response.status_code == 400
    assert "person" in response.json()
    assert snapshot() == before


# --- Case team ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_case_team_is_listed_and_logged(world, who):
    before = last_log_id()
    response = api_client(user_in(world, who)).get(f"{CASES}{world.a.case.pk}/team/")
    assert response.status_code == 200
    assert [(m["user"], m["email"], m["role"]) for m in response.json()] == [
        (world.a.case_worker.pk, "case_worker@a.example.org", "case_worker")
    ]
    assert [(e.action, e.record_type) for e in log_since(before)] == [(Action.VIEW, "case")]


@pytest.mark.parametrize("who", INSIDERS)
def test_a_colleague_joins_the_case_team(world, who):
    before = last_log_id()
    response = api_client(user_in(world, who)).post(
        f"{CASES}{world.a.case.pk}/team/", {"user": world.a.coordinator.pk, "role": "coordinator"}, format="json"
    )
    assert response.status_code == 201, response.json()
    member = CaseTeamMember.objects.get(pk=response.json()["id"])
    assert (member.user, member.role, member.organisation) == (world.a.coordinator, "coordinator", world.a.org)
    assert [(e.action, e.record_type, e.record_id) for e in log_since(before)] == [
        (Action.CREATE, "case_team", str(member.pk))
    ]
    # The new member now sees the case.
    assert api_client(world.a.coordinator).get(f"{CASES}{world.a.case.pk}/").status_code == 200


@pytest.mark.parametrize(
    "data, field",
    [
        ({"user": "researcher", "role": "co_worker"}, "user"),
        ({"user": "b_worker", "role": "co_worker"}, "user"),
        ({"user": "case_worker", "role": "co_worker"}, "user"),  # already on the team
        ({"user": "coordinator", "role": "boss"}, "role"),
        ({"user": 10**30, "role": "co_worker"}, "user"),
        ({"role": "co_worker"}, "user"),
    ],
)
def test_bad_case_team_member_is_refused_and_saves_nothing(world, data, field):
    users = {
        "researcher": world.a.researcher,
        "b_worker": world.b.case_worker,
        "case_worker": world.a.case_worker,
        "coordinator": world.a.coordinator,
    }
    if isinstance(data.get("user"), str):
        data = {**data, "user": users[data["user"]].pk}
    before = snapshot()
    response = api_client(world.a.case_worker).post(f"{CASES}{world.a.case.pk}/team/", data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("who", INSIDERS)
def test_a_colleague_leaves_the_case_team(world, who):
    member = CaseTeamMember.objects.create(
        case=world.a.case, organisation=world.a.org, user=world.a.coordinator, role=CaseRole.COORDINATOR
    )
    before = last_log_id()
    response = api_client(user_in(world, who)).delete(f"{CASES}{world.a.case.pk}/team/{member.pk}/")
    assert response.status_code == 204
    assert not CaseTeamMember.objects.filter(pk=member.pk).exists()
    assert [(e.action, e.record_type, e.record_id) for e in log_since(before)] == [
        (Action.DELETE, "case_team", str(member.pk))
    ]


def test_the_last_case_worker_stays_on_the_team(world):
    member = world.a.case.team_members.get(user=world.a.case_worker)
    before = snapshot()
    response = api_client(world.a.lead).delete(f"{CASES}{world.a.case.pk}/team/{member.pk}/")
    assert response.status_code == 400
    assert "user" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_case_team_endpoint(world, who):
    case = world.a.case
    member = case.team_members.get()
    client = api_client(user_in(world, who))
    before = snapshot()
    answers = [
        client.get(f"{CASES}{case.pk}/team/"),
        client.post(f"{CASES}{case.pk}/team/", {"user": user_in(world, who).pk, "role": "co_worker"}, format="json"),
        client.delete(f"{CASES}{case.pk}/team/{member.pk}/"),
    ]
    assert [a.status_code for a in answers] == [404] * 3
    assert snapshot() == before


def test_a_co_worker_cannot_change_the_case_team(world, co_worker):
    member = world.a.case.team_members.get(user=world.a.case_worker)
    client = api_client(co_worker)
    before = snapshot()
    assert (
        client.post(
            f"{CASES}{world.a.case.pk}/team/", {"user": world.a.other_worker.pk, "role": "co_worker"}, format="json"
        ).status_code
        == 403
    )
    assert client.delete(f"{CASES}{world.a.case.pk}/team/{member.pk}/").status_code == 403
    assert snapshot() == before


# --- Consent ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_consents_are_listed_and_the_persons_read_are_logged(world, who):
    consent = add_consent(world)
    before = last_log_id()
    response = api_client(user_in(world, who)).get(f"{CASES}{world.a.case.pk}/consents/")
    assert response.status_code == 200
    assert [(c["id"], c["purpose"], c["person_name"], c["version"]) for c in response.json()] == [
        (consent.pk, "contact_network", central_person(world.a.case).full_name, 1)
    ]
    assert str(consent.person_id) in {e.record_id for e in log_since(before) if e.record_type == "person"}


@pytest.mark.parametrize("who", INSIDERS)
def test_a_consent_is_recorded(world, who):
    person = make_parent(world.a.case)  # the child is too young to consent alone
    before = last_log_id()
    response = api_client(user_in(world, who)).post(
        f"{CASES}{world.a.case.pk}/consents/",
        {"person": person.pk, "purpose": "share_plan", "given_on": days_ago(2), "note": "mondeling"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    consent = Consent.objects.get(pk=response.json()["id"])
    assert (consent.person, consent.purpose, consent.recorded_by) == (person, "share_plan", user_in(world, who))
    assert response.json()["is_active"] is True
    assert [(e.action, e.record_type, e.record_id) for e in log_since(before)] == [
        (Action.CREATE, "consent", str(consent.pk))
    ]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"given_on": days_ago(2), "withdrawn_on": days_ago(5)}, "withdrawn_on"),  # withdrawn before given
        ({"given_on": in_days(1)}, "given_on"),
        ({"given_on": days_ago(2), "withdrawn_on": in_days(3)}, "withdrawn_on"),
        ({"given_on": days_ago(2), "purpose": "everything"}, "purpose"),
        ({"given_on": days_ago(2), "person": "foreign"}, "person"),
        ({"given_on": days_ago(2), "note": TEN_MEGABYTES}, "note"),
        ({"given_on": "yesterday"}, "given_on"),
    ],
)
def test_bad_consent_is_refused_on_the_field_and_saves_nothing(world, data, field):
    payload = {"person": central_person(world.a.case).pk, "purpose": "share_plan", **data}
    if payload["person"] == "foreign":
        payload["person"] = central_person(world.b.case).pk
    before = snapshot()
    response = api_client(world.a.case_worker).post(f"{CASES}{world.a.case.pk}/consents/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("who", INSIDERS)
def test_a_consent_is_withdrawn(world, who):
    consent = add_consent(world)
    before = last_log_id()
    response = api_client(user_in(world, who)).post(
        f"{CASES}{world.a.case.pk}/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": days_ago(1), "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["is_active"], response.json()["version"]) == (False, 2)
    consent.refresh_from_db()
    assert consent.withdrawn_on.isoformat() == days_ago(1)
    assert [(e.action, e.record_type, e.record_id) for e in log_since(before)] == [
        (Action.UPDATE, "consent", str(consent.pk))
    ]


@pytest.mark.parametrize(
    "data, field",
    [
        ({"withdrawn_on": days_ago(20), "version": 1}, "withdrawn_on"),  # before it was given, 10 days ago
        ({"withdrawn_on": in_days(2), "version": 1}, "withdrawn_on"),
        ({"withdrawn_on": days_ago(1)}, "version"),
        ({"version": 1}, "withdrawn_on"),
    ],
)
def test_bad_withdrawal_is_refused_and_the_consent_stays_in_force(world, data, field):
    consent = add_consent(world)
    before = snapshot()
    response = api_client(world.a.case_worker).post(
        f"{CASES}{world.a.case.pk}/consents/{consent.pk}/withdraw/", data, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_a_second_withdrawal_is_refused(world):
    consent = add_consent(world, withdrawn_on=datetime.date.fromisoformat(days_ago(3)))
    before = snapshot()
    response = api_client(world.a.case_worker).post(
        f"{CASES}{world.a.case.pk}/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": days_ago(1), "version": 1},
        format="json",
    )
    assert response.status_code == 400
    assert "withdrawn_on" in response.json()
    assert snapshot() == before


def test_a_withdrawal_based_on_an_old_version_is_refused_with_409(world):
    consent = add_consent(world)
    Consent.objects.filter(pk=consent.pk).update(version=2)  # someone else saved it since
    before = snapshot()
    response = api_client(world.a.case_worker).post(
        f"{CASES}{world.a.case.pk}/consents/{consent.pk}/withdraw/",
        {"withdrawn_on": days_ago(1), "version": 1},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    assert snapshot() == before


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_404_on_every_consent_endpoint(world, who):
    consent = add_consent(world)
    case = world.a.case
    client = api_client(user_in(world, who))
    before = snapshot()
    answers = [
        client.get(f"{CASES}{case.pk}/consents/"),
        client.post(
            f"{CASES}{case.pk}/consents/",
            {"person": consent.person_id, "purpose": "research", "given_on": days_ago(1)},
            format="json",
        ),
        client.post(
            f"{CASES}{case.pk}/consents/{consent.pk}/withdraw/",
            {"withdrawn_on": days_ago(1), "version": 1},
            format="json",
        ),
    ]
    assert [a.status_code for a in answers] == [404] * 3
    assert snapshot() == before


def test_a_co_worker_cannot_record_or_withdraw_consent(world, co_worker):
    consent = add_consent(world)
    client = api_client(co_worker)
    before = snapshot()
    assert (
        client.post(
            f"{CASES}{world.a.case.pk}/consents/",
            {"person": consent.person_id, "purpose": "research", "given_on": days_ago(1)},
            format="json",
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{CASES}{world.a.case.pk}/consents/{consent.pk}/withdraw/",
            {"withdrawn_on": days_ago(1), "version": 1},
            format="json",
        ).status_code
        == 403
    )
    assert snapshot() == before


# --- No server errors on odd input --------------------------------------------------------------------

ODD_BODIES = [
    [],
    "text",
    12,
    None,
    True,
    {"version": [1]},
    {"version": {"a": 1}},
    {"version": -1},
    {"first_name": {"nested": "object"}, "version": 1},
    {"birth_date": "0000-00-00", "version": 1},
    {"is_central": "maybe", "version": 1},
    {"persons": "not a list"},
    {"persons": [None]},
    {"persons": [[1, 2]]},
    {"team": True, "version": 1},
    {"team": 1.5, "version": 1},
    {"user": -5, "role": "co_worker"},
    {"person": None, "given_on": "2026-01-01", "purpose": "research"},
    {"organisation": None},
    {"organisation": ["orga"]},
    {"family_name": "\ud800", "version": 1},
]


@pytest.mark.parametrize("body", ODD_BODIES, ids=[f"body{i}" for i in range(len(ODD_BODIES))])
def test_odd_input_never_causes_a_server_error_or_a_change(world, body):
    case, person = world.a.case, other_person(world.a.case)
    consent = add_consent(world)
    client = api_client(world.a.case_worker)
    before = snapshot()
    requests = [
        ("post", CASES),
        ("patch", f"{CASES}{case.pk}/"),
        ("post", f"{CASES}{case.pk}/persons/"),
        ("patch", f"{CASES}{case.pk}/persons/{person.pk}/"),
        ("post", f"{CASES}{case.pk}/team/"),
        ("post", f"{CASES}{case.pk}/consents/"),
        ("post", f"{CASES}{case.pk}/consents/{consent.pk}/withdraw/"),
    ]
    for method, url in requests:
        raw = json.dumps(body, ensure_ascii=True)
        response = getattr(client, method)(url, raw, content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)
    assert snapshot() == before


# --- OpenAPI ------------------------------------------------------------------------------------------

CASE_PATHS = [
    "/api/v1/cases/",
    "/api/v1/cases/{case_id}/",
    "/api/v1/cases/{case_id}/persons/",
    "/api/v1/cases/{case_id}/persons/{person_id}/",
    "/api/v1/cases/{case_id}/team/",
    "/api/v1/cases/{case_id}/team/{member_id}/",
    "/api/v1/cases/{case_id}/consents/",
    "/api/v1/cases/{case_id}/consents/{consent_id}/withdraw/",
]


def test_openapi_document_lists_the_case_paths_and_their_bodies(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert set(CASE_PATHS) <= set(document["paths"])
    assert set(document["paths"]["/api/v1/cases/{case_id}/"]) == {"get", "patch"}
    assert set(document["paths"]["/api/v1/cases/{case_id}/persons/{person_id}/"]) == {"get", "patch", "delete"}
    schemas = document["components"]["schemas"]
    assert "version" in schemas["Case"]["properties"]
    # A change is read with its declared fields: everything optional except the version (no "Patched" copy).
    assert schemas["CaseChangesRequest"]["required"] == ["version"]
    assert {"organisation", "persons"} <= set(schemas["ReferralRequest"]["required"])
    patch = document["paths"]["/api/v1/cases/{case_id}/"]["patch"]
    assert {"200", "400", "403", "404", "409"} <= set(patch["responses"])
    assert "tokenAuth" in document["components"]["securitySchemes"]


def test_openapi_document_validates_without_warnings(db, tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert all(path in text for path in CASE_PATHS)
