"""Item 18 (found by the API tester): removing a person whom other records still name answered 500.

Removing the owner of an agreement is refused with a message on the page and a 409 in the API; the person,
the agreement and the access log stay as they were.
"""

import pytest
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.cases.models import Person
from kring.plans.models import Agreement
from tests.factories import make_api_token
from tests.security.case_world import build_rich_case


@pytest.fixture
def rich(world):
    return build_rich_case(world.a, "A")


def _removals_logged(person):
    return AccessLogEntry.objects.filter(record_type="person", record_id=str(person.pk), action="delete").count()


def test_page_refuses_to_remove_an_agreement_owner_with_a_message(world, rich, client):
    client.force_login(world.a.case_worker)
    url = reverse("cases:person_remove", args=[rich.case.pk, rich.oma.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "kan niet worden verwijderd" in text
    assert Person.objects.filter(pk=rich.oma.pk).exists()
    assert Agreement.objects.filter(pk=rich.agreement.pk, owner_person=rich.oma).exists()
    assert _removals_logged(rich.oma) == 0


def test_api_answers_409_for_an_agreement_owner(world, rich, client):
    key = make_api_token(world.a.case_worker)
    url = f"/api/v1/cases/{rich.case.pk}/persons/{rich.oma.pk}/"
    response = client.delete(url, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code in (400, 409), response.content
    assert Person.objects.filter(pk=rich.oma.pk).exists()
    assert _removals_logged(rich.oma) == 0


def test_a_person_nobody_names_is_still_removed(world, rich, client):
    client.force_login(world.a.case_worker)
    response = client.post(reverse("cases:person_remove", args=[rich.case.pk, rich.kees.pk]))
    assert response.status_code == 302
    assert not Person.objects.filter(pk=rich.kees.pk).exists()
    assert _removals_logged(rich.kees) == 1
