"""The journal's API: list with filters and pages, write, correct; refusals as the other endpoints answer them."""

import pytest
from django.urls import reverse

from kring.journal.models import JournalEntry
from kring.journal.queries import PAGE_SIZE

from .helpers import family, when, write

pytestmark = pytest.mark.django_db


def _url(case):
    return reverse("journal_api:journal", args=[case.pk])


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_write_and_list_entries(world, client):
    case = world.a.case
    child, mother, father = family(case)
    client.force_login(world.a.case_worker)
    answer = _post(
        client,
        _url(case),
        {
            "occurred_at": when(2).isoformat(),
            "category": "email",
            "text": "E-mail van moeder over de planning.",
            "persons": [mother.pk, child.pk],
            "visibility": "family",
            "hidden_from": [father.pk],
        },
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["category"] == "email" and body["visibility"] == "family"
    assert sorted(body["persons"]) == sorted([mother.pk, child.pk])
    assert body["hidden_from"] == [father.pk]
    assert body["is_current"] is True and body["corrected_by"] is None and body["corrects"] is None
    listing = client.get(_url(case)).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]
    assert client.get(_url(case), {"category": "decision"}).json()["count"] == 0
    assert client.get(_url(case), {"person": mother.pk}).json()["count"] == 1
    assert client.get(_url(case), {"person": father.pk}).json()["count"] == 0


def test_pages_of_the_journal(world, client):
    case = world.a.case
    for i in range(30):
        write(world.a.case_worker, case, occurred_at=when(i + 1), text=f"Notitie {i}.")
    client.force_login(world.a.case_worker)
    first = client.get(_url(case)).json()
    assert first["count"] == 30 and len(first["results"]) == PAGE_SIZE and first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 30 - PAGE_SIZE and second["next"] is None


def test_bad_input_and_unknown_fields_are_refused(world, client):
    case = world.a.case
    stranger = world.b.case.persons.first()
    client.force_login(world.a.case_worker)
    answer = _post(
        client, _url(case), {"occurred_at": when().isoformat(), "category": "home_visit", "text": "x", "mood": 3}
    )
    assert answer.status_code == 400 and set(answer.json()) == {"mood"}
    answer = _post(client, _url(case), {"occurred_at": "gisteren", "category": "home_visit", "text": "x"})
    assert answer.status_code == 400 and set(answer.json()) == {"occurred_at"}
    answer = _post(
        client,
        _url(case),
        {"occurred_at": when().isoformat(), "category": "home_visit", "text": "x", "persons": [stranger.pk]},
    )
    assert answer.status_code == 400 and "persons" in answer.json()
    assert client.get(_url(case), {"category": "nonsense"}).status_code == 400
    assert not JournalEntry.objects.exists()


def test_corrections_and_a_stale_correction(world, client):
    case = world.a.case
    original = write(world.a.case_worker, case)
    client.force_login(world.a.case_worker)
    url = reverse("journal_api:corrections", args=[case.pk, original.pk])
    data = {
        "occurred_at": when().isoformat(),
        "category": "home_visit",
        "text": "Gecorrigeerd.",
        "correction_reason": "Tikfout in de naam.",
    }
    answer = _post(client, url, data)
    assert answer.status_code == 201, answer.json()
    assert answer.json()["corrects"] == original.pk
    again = _post(client, url, data)
    assert again.status_code == 409
    assert again.json()["changes"][0]["changed_by"] == world.a.case_worker.email
    listing = client.get(_url(case), {"versions": "all"}).json()
    by_id = {row["id"]: row for row in listing["results"]}
    assert by_id[original.pk]["is_current"] is False
    assert by_id[original.pk]["corrected_by"] == answer.json()["id"]
    assert client.get(_url(case)).json()["count"] == 1
    missing_reason = _post(
        client,
        reverse("journal_api:corrections", args=[case.pk, answer.json()["id"]]),
        dict(data, correction_reason=""),
    )
    assert missing_reason.status_code == 400


def test_outsiders_get_404_and_readers_403(world, client):
    case = world.a.case
    entry = write(world.a.case_worker, case)
    data = {"occurred_at": when().isoformat(), "category": "other", "text": "x", "correction_reason": "x"}
    for outsider in (world.a.other_worker, world.b.case_worker):
        client.force_login(outsider)
        assert client.get(_url(case)).status_code == 404
        assert _post(client, _url(case), {k: v for k, v in data.items() if k != "correction_reason"}).status_code == 404
        assert _post(client, reverse("journal_api:corrections", args=[case.pk, entry.pk]), data).status_code == 404
    from kring.cases import services as case_services
    from tests.factories import actor

    case_services.add_team_member(actor(world.a.lead), case.pk, world.a.coordinator.pk, "co_worker")
    client.force_login(world.a.coordinator)
    assert client.get(_url(case)).status_code == 200
    assert _post(client, _url(case), {k: v for k, v in data.items() if k != "correction_reason"}).status_code == 403
    assert JournalEntry.objects.count() == 1
