"""Item 14.4: one form records several purposes at once (all or nothing), and who gave consent is checked against
who may give it for the child, per age and jurisdiction."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kring.audit.models import AccessLogEntry
from kring.cases import services
from kring.cases.consent_rules import is_parent_relation
from kring.cases.models import Consent, Person
from tests.factories import actor

D = datetime.date
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def english():
    """The refusals are read in English here (their Dutch is checked by the translation test)."""
    with translation.override("en"):
        yield


def years_ago(years, days=0):
    """The birth date of somebody who turned ``years`` old ``days`` days ago."""
    day = min(TODAY.day, 28) if TODAY.month == 2 else TODAY.day
    return D(TODAY.year - years, TODAY.month, day) - datetime.timedelta(days=days)


def person(case, first, relation="", born=None, central=False):
    return Person.objects.create(
        case=case,
        organisation=case.organisation,
        first_name=first,
        last_name="Test",
        relation=relation,
        birth_date=born,
        is_central=central,
    )


def record(ns, giver, purposes, **fields):
    data = {"person": giver.pk, "purposes": purposes, "given_on": fields.pop("given_on", TODAY), **fields}
    return services.record_consents(actor(ns.case_worker), ns.case.pk, data)


def message_of(excinfo, field="person"):
    return " ".join(excinfo.value.message_dict[field])


def test_one_form_records_one_consent_per_purpose_and_logs_each(world):
    mother = person(world.a.case, "Mama", "moeder", D(1985, 4, 1))
    since = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    consents = record(world.a, mother, ["contact_network", "share_with_network", "share_with_professionals"])
    assert sorted(c.purpose for c in consents) == ["contact_network", "share_with_network", "share_with_professionals"]
    assert {c.person_id for c in Consent.objects.filter(case=world.a.case)} == {mother.pk}
    created = AccessLogEntry.objects.filter(id__gt=since, record_type="consent", action="create")
    assert sorted(int(e.record_id) for e in created) == sorted(c.pk for c in consents)


def test_a_bad_purpose_among_several_saves_none(world):
    mother = person(world.a.case, "Mama", "moeder", D(1985, 4, 1))
    with pytest.raises(ValidationError) as caught:
        record(world.a, mother, ["contact_network", "gossip"])
    assert "purpose" in caught.value.message_dict
    assert not Consent.objects.filter(case=world.a.case).exists()


def test_a_refused_giver_saves_none_of_the_purposes(world):
    neighbour = person(world.a.case, "Piet", "buurman", D(1970, 1, 1))
    with pytest.raises(ValidationError):
        record(world.a, neighbour, ["contact_network", "share_with_network"])
    assert not Consent.objects.filter(case=world.a.case).exists()


def test_no_purpose_is_refused(world):
    mother = person(world.a.case, "Mama", "moeder", D(1985, 4, 1))
    with pytest.raises(ValidationError) as caught:
        record(world.a, mother, [])
    assert "purpose" in caught.value.message_dict


@pytest.mark.parametrize(
    "key, age, allowed",
    [
        ("a", 16, True),  # the Netherlands: alone from sixteen
        ("a", 15, True),  # from twelve to fifteen together with a holder of authority (decision 157)
        ("a", 12, True),
        ("a", 11, False),
        ("b", 12, True),  # Flanders: a minor of twelve is presumed "bekwaam"
        ("b", 11, False),
    ],
)
def test_a_young_person_takes_part_in_consent_from_the_age_of_their_jurisdiction(world, key, age, allowed):
    ns = getattr(world, key)
    young = person(ns.case, "Jongere", "", years_ago(age), central=True)
    if allowed:
        assert record(ns, young, ["share_with_network"])[0].person == young
    else:
        with pytest.raises(ValidationError) as caught:
            record(ns, young, ["share_with_network"])
        assert "takes part in consent from 12" in message_of(caught)
        assert str(age) in message_of(caught)


def test_the_age_counts_on_the_day_the_consent_was_given(world):
    # Twelve today, eleven a week ago: a consent dated a week ago was not theirs to give.
    young = person(world.a.case, "Jongere", "", years_ago(12, days=3), central=True)
    with pytest.raises(ValidationError):
        record(world.a, young, ["share_with_network"], given_on=TODAY - datetime.timedelta(days=7))
    assert record(world.a, young, ["share_with_network"], given_on=TODAY)


def test_a_central_person_without_a_birth_date_cannot_consent_alone(world):
    young = person(world.a.case, "Jongere", "", None, central=True)
    with pytest.raises(ValidationError) as caught:
        record(world.a, young, ["share_with_network"])
    assert "birth date" in message_of(caught)


@pytest.mark.parametrize("relation", ["moeder", "Vader", "biologische moeder", "voogd", "wettelijk vertegenwoordiger"])
def test_a_parent_or_legal_representative_consents_for_a_younger_child(world, relation):
    giver = person(world.a.case, "Ouder", relation, D(1980, 1, 1))
    assert record(world.a, giver, ["contact_network"])[0].person == giver


@pytest.mark.parametrize("relation", ["oma", "buurman", "tante (zus van moeder)", "pleegmoeder", "stiefvader", ""])
def test_nobody_else_of_the_network_can_consent_for_the_child(world, relation):
    giver = person(world.b.case, "Iemand", relation, D(1960, 1, 1))
    with pytest.raises(ValidationError) as caught:
        record(world.b, giver, ["contact_network"])
    assert "holds no parental authority over" in message_of(caught)


def test_a_minor_cannot_consent_as_a_parent(world):
    young_mother = person(world.a.case, "Mama", "moeder", years_ago(17))
    with pytest.raises(ValidationError) as caught:
        record(world.a, young_mother, ["contact_network"])
    assert "minor" in message_of(caught)


def test_the_single_purpose_record_checks_the_giver_too(world):
    child = world.a.case.persons.get(is_central=True)  # born in 2015
    with pytest.raises(ValidationError):
        services.record_consent(
            actor(world.a.case_worker), world.a.case.pk, {"person": child.pk, "purpose": "research", "given_on": TODAY}
        )


@pytest.mark.parametrize(
    "relation, parent",
    [
        ("moeder", True),
        ("mama", True),
        ("Adoptiefvader", True),
        ("moeder (biologisch)", True),
        ("mother of Sam", True),
        ("legal representative", True),
        ("grootmoeder", False),
        ("oma (moederskant)", False),
        ("zus van vader", False),
        ("stief moeder", False),
        ("foster mother", False),
        ("gezinsvoogd", False),
        ("", False),
    ],
)
def test_which_relations_name_a_parent_or_legal_representative(relation, parent):
    assert is_parent_relation(relation) is parent


def test_the_form_ticks_the_purposes_asked_for_and_saves_them_at_once(world, client):
    mother = person(world.a.case, "Mama", "moeder", D(1985, 4, 1))
    client.force_login(world.a.case_worker)
    url = reverse("cases:consent_add", args=[world.a.case.pk])
    page = client.get(url + "?purpose=contact_network&purpose=share_with_network").content.decode()
    ticked = re.findall(r'<input type="checkbox" name="purpose" value="(\w+)"[^>]*\bchecked\b', page)
    assert sorted(ticked) == ["contact_network", "share_with_network"]
    response = client.post(
        url,
        {"person": mother.pk, "purpose": ["contact_network", "share_with_network"], "given_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert set(Consent.objects.filter(case=world.a.case).values_list("purpose", flat=True)) == {
        "contact_network",
        "share_with_network",
    }


def test_the_form_shows_why_a_giver_is_refused_beside_the_person(world, client):
    child = world.a.case.persons.get(is_central=True)
    client.force_login(world.a.case_worker)
    response = client.post(
        reverse("cases:consent_add", args=[world.a.case.pk]),
        {"person": child.pk, "purpose": ["contact_network"], "given_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["person"]
    assert not Consent.objects.filter(case=world.a.case).exists()


def test_a_consent_lapses_a_year_after_it_was_given(world):
    from kring.cases.models import CONSENT_TERM_DAYS
    from kring.trajectories.consents import purposes_in_force

    mother = person(world.a.case, "Mama", "moeder", D(1985, 4, 1))
    today = datetime.date.today()
    (old,) = record(world.a, mother, ["share_plan"], given_on=today - datetime.timedelta(days=CONSENT_TERM_DAYS))
    (recent,) = record(world.a, mother, ["research"], given_on=today - datetime.timedelta(days=CONSENT_TERM_DAYS - 1))
    assert (old.lapses_on, old.is_active) == (today, False)
    assert (recent.lapses_on, recent.is_active) == (today + datetime.timedelta(days=1), True)
    assert purposes_in_force(world.a.case.pk) == {"research"}
    assert not services.has_consent(world.a.case, "share_plan")
    assert services.has_consent(world.a.case, "research")
    # Given again, it holds for another year.
    record(world.a, mother, ["share_plan"], given_on=today)
    assert services.has_consent(world.a.case, "share_plan")


def test_the_case_page_says_when_each_consent_lapses(world, client):
    mother = person(world.a.case, "Mama", "moeder", D(1985, 4, 1))
    today = datetime.date.today()
    record(world.a, mother, ["share_plan"], given_on=today - datetime.timedelta(days=400))
    client.force_login(world.a.case_worker)
    with translation.override("nl"):
        html = client.get(reverse("cases:detail", args=[world.a.case.pk]), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    section = html[html.index('id="consent-h"') :]
    section = section[: section.index("</section>")]
    assert "Vervalt op" in section and "vervallen" in section
    assert "Intrekking registreren" not in section
