"""Item 15: names refuse characters that turn the reading direction or cannot be seen, and are stored in NFC.

A right-to-left override makes "Jan<RLO>nesnaJ" show as another name in a list; a zero-width space makes two
records that look the same differ for search and for the eye. Accents, apostrophes, hyphens and spaces stay.
"""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from kring.accounts.models import Organisation, Team, User
from kring.cases.models import Case, Person
from kring.core.names import hidden_characters, normalise_name

from ..factories import person_form_data

RLO = "\u202e"
BAD_NAMES = [
    "Jan" + RLO + "nesnaJ",  # right-to-left override
    "Ali\u2066ce",  # left-to-right isolate
    "Mo\u200bhammed",  # zero-width space
    "Zo\u200de",  # zero-width joiner
    "\ufeffEmma",  # byte order mark
    "Noor\u2060",  # word joiner
    "Sem\u200f",  # right-to-left mark
    "Lina\u061c",  # Arabic letter mark
    "Tim\u00adon",  # soft hyphen (another format character)
    "Ruth\u0007",  # a control character
]
GOOD_NAMES = [
    "Zoë",
    "Anaïs-Marie",
    "O'Brien",
    "Van der Berg",
    "Ğülşen",
    "Jürgen ’t Hooft",
    "Łukasz",
    "محمد",
    "Þórunn",
    "李小龙",
]
MESSAGE_NL = "De naam bevat onzichtbare tekens of tekens die de leesrichting omdraaien"
MESSAGE_EN = "The name contains invisible characters or characters that reverse the reading direction"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_the_pure_check_finds_the_hidden_character(name):
    assert hidden_characters(name), name


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_the_pure_check_keeps_legitimate_names(name):
    assert hidden_characters(name) == []


def test_names_are_normalised_to_nfc():
    decomposed = "Zoe\u0308"  # e + combining diaeresis
    assert normalise_name(decomposed) == "Zoë" and unicodedata.is_normalized("NFC", normalise_name(decomposed))


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_NAMES[:4])
def test_the_person_page_refuses_the_name_with_a_clear_message(world, client, name):
    person = world.a.case.persons.first()
    client.force_login(world.a.case_worker)
    response = client.post(f"/cases/{world.a.case.pk}/persons/{person.pk}/", person_form_data(person, first_name=name))
    assert response.status_code == 200
    assert MESSAGE_NL in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Kind0"


@pytest.mark.django_db
def test_the_person_page_stores_a_decomposed_name_as_nfc(world, client):
    person = world.a.case.persons.first()
    client.force_login(world.a.case_worker)
    response = client.post(
        f"/cases/{world.a.case.pk}/persons/{person.pk}/",
        person_form_data(person, first_name="Zoe\u0308", last_name="Mu\u0308ller"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Zoë", "Müller")


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_the_api_refuses_the_name_with_400(world, field):
    client = APIClient()
    client.force_login(world.a.case_worker)
    body = {"first_name": "Noor", "last_name": "Visser", field: "Vis" + RLO + "ser"}
    before = Person.objects.count()
    response = client.post(f"/api/v1/cases/{world.a.case.pk}/persons/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert field in response.json()
    assert MESSAGE_EN in str(response.json()[field]) or MESSAGE_NL in str(response.json()[field])
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_the_api_accepts_accents_apostrophes_and_hyphens(world):
    client = APIClient()
    client.force_login(world.a.case_worker)
    response = client.post(
        f"/api/v1/cases/{world.a.case.pk}/persons/",
        {"first_name": "Anaïs-Marie", "last_name": "O'Brien"},
        format="json",
    )
    assert response.status_code == 201, response.json()


@pytest.mark.django_db
def test_the_case_family_name_refuses_hidden_characters(world, client):
    from ..factories import case_form_data

    case = world.a.case
    client.force_login(world.a.case_worker)
    response = client.post(f"/cases/{case.pk}/edit/", case_form_data(case, family_name="Familie\u200b Jansen"))
    assert response.status_code == 200 and MESSAGE_NL in response.content.decode()
    assert Case.objects.get(pk=case.pk).family_name == case.family_name


@pytest.mark.django_db
def test_user_organisation_and_team_names_refuse_hidden_characters(world):
    user = User(email="nieuw@a.example.org", first_name="Eva" + RLO, last_name="de Vries")
    with pytest.raises(ValidationError) as refused:
        user.full_clean(exclude=["password"])
    assert "first_name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        Organisation(name="Stichting\u200bKring", code="stk", jurisdiction="NL").full_clean()
    assert "name" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        Team(organisation=world.a.org, name="Team\u2067Noord").full_clean()
    assert "name" in refused.value.message_dict
    Team(organisation=world.a.org, name="Team 't Gooi-Noord").full_clean()
