"""A child's personal link page in words for their age (issue 16 item 4): a 13-year-old gets the young person's
page, a 6-year-old the page to read with an adult, an adult the page as it was."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from kring.plans.links import services as link_services
from tests.factories import actor

pytestmark = pytest.mark.django_db


def aged(person, years, days=30):
    today = timezone.localdate()
    person.birth_date = today.replace(year=today.year - years) - datetime.timedelta(days=days)
    person.save()
    return person


def page_for(client, p, person, language="nl"):
    _link, token = link_services.create_link(actor(p.world.a.coordinator), p.case.pk, p.plan.pk, person.pk, [], 30)
    client.cookies["django_language"] = language
    response = client.get(reverse("plan_links:home", kwargs={"token": token}), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "years, says, not_says",
    [
        (13, "Jouw mening telt", "Voor de volwassene"),
        (9, "geef de link niet aan anderen", "Voor de volwassene"),
        (6, "Voor de volwassene: lees deze pagina samen met", "Jouw mening telt"),
    ],
)
def test_a_childs_link_page_speaks_to_their_age(accepted, client, years, says, not_says):
    child = aged(accepted.mw.child, years)
    page = page_for(client, accepted, child)
    assert says in page and not_says not in page
    assert f"Hoi {child.first_name}" in page and "112" in page
    assert "Als het plan niet houdt" not in page  # the adult's emergency wording


def test_the_thirteen_year_old_in_english_and_an_adult_unchanged(accepted, client):
    child = aged(accepted.mw.child, 13)
    assert "Your view counts" in page_for(client, accepted, child, "en")
    adult = page_for(client, accepted, aged(accepted.mw.oma, 70))
    assert "Jouw mening telt" not in adult and "Hoi Oma" not in adult
