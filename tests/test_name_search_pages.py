"""The caseload's name search as Dutch and Flemish people spell (issue 14, item 10): spellings, word order,
tussenvoegsels and accents, on the page and the API; what a user may see is unchanged, the search is in the access
log, the stored key is filled for existing persons, and on PostgreSQL the trigram index answers every form."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry
from kring.cases.models import Person, person_name_condition, person_search_key

from .factories import make_case

NAMES = {
    "meijer": ("Anna", "Meijer"),
    "jansen": ("Milan", "Jansen"),
    "vanderberg": ("Piet", "van der Berg"),
    "berg": ("Kees", "Berg"),
    "devries": ("Jan", "de Vries"),
    "vries": ("Joke", "Vries"),
    "muller": ("Jürgen", "Müller"),
    "sophie": ("Sophie", "Claes"),
}


@pytest.fixture
def named(world):
    """One case per name in organisation A (family names that do not give the person away), and in B a case
    holding every one of the names, which A's users must never find."""
    cases = {}
    for n, (key, (first, last)) in enumerate(NAMES.items()):
        case = make_case(world.a.team, case_worker=world.a.case_worker, persons=0, family_name=f"Gezin {n}")
        Person.objects.create(case=case, organisation=world.a.org, first_name=first, last_name=last, is_central=True)
        cases[key] = case.number
    other = make_case(world.b.team, case_worker=world.b.case_worker, persons=0, family_name="Gezin B")
    for first, last in NAMES.values():
        Person.objects.create(case=other, organisation=world.b.org, first_name=first, last_name=last)
    world.cases, world.other = cases, other
    return world


def listed(client, query):
    response = client.get("/cases/", {"q": query})
    assert response.status_code == 200
    return sorted(case.number for case in response.context["cases"])


@pytest.mark.parametrize(
    "query, expected",
    [
        ("Meyer", ["meijer"]),
        ("meier", ["meijer"]),
        ("Jansen Milan", ["jansen"]),
        ("milan JANSEN", ["jansen"]),
        ("Milan Peeters", []),
        ("van der Berg", ["berg", "vanderberg"]),
        ("Berg", ["berg", "vanderberg"]),
        ("Piet van der Berg", ["vanderberg"]),
        ("vanderberg", ["vanderberg"]),
        ("de Vries", ["devries", "vries"]),
        ("Vries", ["devries", "vries"]),
        ("Muller", ["muller"]),
        ("Müller", ["muller"]),
        ("jurgen", ["muller"]),
        ("Sofie", ["sophie"]),
        ("Klaas", ["sophie"]),
    ],
)
def test_the_caseload_finds_names_as_people_spell_them(named, client, query, expected):
    client.force_login(named.a.case_worker)
    assert listed(client, query) == sorted(named.cases[key] for key in expected)


def test_another_organisations_persons_are_never_found(named, client):
    client.force_login(named.a.case_worker)
    for query in ("Meyer", "Jansen Milan", "Berg", "Vries", "Muller", "Sofie"):
        assert named.other.number not in listed(client, query)
    client.force_login(named.b.case_worker)
    for query in ("Meyer", "Jansen Milan", "van der Berg", "de Vries", "Muller", "Sofie"):
        assert listed(client, query) == [named.other.number]


def test_the_api_searches_the_same_way(named):
    api = APIClient()
    api.force_login(named.a.case_worker)
    response = api.get("/api/v1/cases/", {"q": "Jansen Milan"})
    assert response.status_code == 200
    assert [row["number"] for row in response.json()["results"]] == [named.cases["jansen"]]


def test_the_search_is_in_the_access_log(named, client):
    client.force_login(named.a.case_worker)
    client.get("/cases/", {"q": "Meyer"})
    searched = AccessLogEntry.objects.filter(action="search", user=named.a.case_worker)
    assert {(e.record_type, e.detail) for e in searched} == {
        ("case", "Meyer"),
        ("person", "Meyer"),
        ("case_search", "Meyer"),
    }
    case_id = Person.objects.get(last_name="Meijer", organisation=named.a.org).case_id
    assert {e.case_id for e in searched if e.record_type != "case_search"} == {case_id}


def test_the_key_is_filled_on_save_and_by_the_migration_for_existing_persons(named):
    person = Person.objects.get(last_name="van der Berg", organisation=named.a.org)
    assert person.search_name == person_search_key("Piet", "van der Berg") == "piet van der berg vanderberg"
    person.last_name = "Meyer"
    person.save()
    assert Person.objects.get(pk=person.pk).search_name == "piet meyer myer"
    Person.objects.update(search_name="")
    migration = importlib.import_module("kring.cases.migrations.0005_person_search_key_dutch")
    migration.fill_keys(apps, None)
    for stored in Person.objects.all():
        assert stored.search_name == person_search_key(stored.first_name, stored.last_name) != ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_the_trigram_index_answers_every_typed_word_and_form(named):
    """The plan of the name lookup for several words with several forms each, with sequential scans priced out so
    a table this small still shows whether the index can answer the condition at all."""
    queryset = Person.objects.filter(person_name_condition("Meyer Anna van der Berg")).values_list("id")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cases_person_search_name_trgm" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert sql.count("LIKE") == 5  # meyer | myer, anna | ana, berg
