"""The API for "no contact" marks and for a person's confidential contact details (decision 200): the case team
lists, records and ends marks under /api/v1/; both persons must be of the case and differ, a pair is marked once;
every read and write is in the access log; anyone outside the case team gets 404 and the refusal is logged."""

import datetime

import pytest
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases.models import NoContact, Person
from tests.test_api import api_client

pytestmark = pytest.mark.django_db


def _since():
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _persons(world):
    first, second = world.a.case.persons.order_by("pk")[:2]
    return first, second


def _base(world):
    return f"/api/v1/cases/{world.a.case.pk}/no-contact/"


def test_the_case_team_records_lists_and_ends_a_mark_and_each_step_is_logged(world):
    child, other = _persons(world)
    client = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="nl")
    since = _since()
    created = client.post(
        _base(world),
        {"person": child.pk, "kept_from": other.pk, "reason": "Contactverbod van de rechter."},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["person"] == child.pk and body["kept_from"] == other.pk
    assert body["person_name"] == child.full_name and body["since"] == timezone.localdate().isoformat()
    mark = NoContact.objects.get(pk=body["id"])
    assert mark.reason == "Contactverbod van de rechter." and mark.recorded_by == world.a.case_worker
    written = AccessLogEntry.objects.filter(id__gt=since, action="update", record_type="person")
    assert {int(r) for r in written.values_list("record_id", flat=True)} == {child.pk, other.pk}

    since = _since()
    listed = client.get(_base(world))
    assert listed.status_code == 200
    assert [(m["person"], m["kept_from"], m["kept_from_name"]) for m in listed.json()] == [
        (child.pk, other.pk, other.full_name)
    ]
    shown = AccessLogEntry.objects.filter(id__gt=since, action="view", record_type="person")
    assert {int(r) for r in shown.values_list("record_id", flat=True)} >= {child.pk, other.pk}

    since = _since()
    ended = client.delete(f"{_base(world)}{mark.pk}/")
    assert ended.status_code == 204
    assert not NoContact.objects.filter(pk=mark.pk).exists()
    assert mark.history.filter(history_type="-").exists()  # the history keeps what was ended
    assert AccessLogEntry.objects.filter(id__gt=since, action="update", record_type="person").count() == 2
    assert client.delete(f"{_base(world)}{mark.pk}/").status_code == 404


def test_bad_marks_are_refused_with_a_dutch_message_and_nothing_is_stored(world):
    child, other = _persons(world)
    stranger = world.b.case.persons.first()
    client = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="nl")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refusals = [
        ({"person": child.pk, "kept_from": child.pk, "reason": "x"}, "kept_from", "niet van zichzelf"),
        ({"person": child.pk, "kept_from": stranger.pk, "reason": "x"}, "kept_from", "dit dossier"),
        ({"person": stranger.pk, "kept_from": child.pk, "reason": "x"}, "person", "dit dossier"),
        ({"person": child.pk, "kept_from": other.pk}, "reason", "vereist"),
        ({"person": child.pk, "kept_from": other.pk, "reason": "x", "since": tomorrow}, "since", "toekomst"),
        ({"person": child.pk, "kept_from": other.pk, "reason": "x", "version": 1}, "version", "onbekend"),
    ]
    for data, field, words in refusals:
        response = client.post(_base(world), data, format="json")
        assert response.status_code == 400, (data, response.content)
        assert field in response.json(), (data, response.json())
        assert words in " ".join(response.json()[field]).lower(), (data, response.json())
    assert not NoContact.objects.exists()
    first = client.post(_base(world), {"person": child.pk, "kept_from": other.pk, "reason": "Dreiging."}, format="json")
    assert first.status_code == 201
    again = client.post(_base(world), {"person": child.pk, "kept_from": other.pk, "reason": "Nog eens."}, format="json")
    assert again.status_code == 400 and "bestaat al" in again.json()["kept_from"][0]
    # The other direction is another mark (a mark keeps one person's whereabouts from the other).
    reverse = client.post(_base(world), {"person": other.pk, "kept_from": child.pk, "reason": "Ook."}, format="json")
    assert reverse.status_code == 201
    assert NoContact.objects.count() == 2


def test_outside_the_case_team_the_marks_are_not_found_and_the_refusals_are_logged(world):
    child, other = _persons(world)
    mark = NoContact.objects.create(
        case=world.a.case,
        organisation=world.a.org,
        person=child,
        kept_from=other,
        reason="Dreiging.",
        recorded_by=world.a.case_worker,
    )
    for user in (world.a.other_worker, world.b.case_worker, world.a.researcher):
        client = api_client(user)
        since = _since()
        assert client.get(_base(world)).status_code in (403, 404)
        posted = client.post(
            _base(world), {"person": other.pk, "kept_from": child.pk, "reason": "Poging."}, format="json"
        )
        assert posted.status_code in (403, 404)
        assert client.delete(f"{_base(world)}{mark.pk}/").status_code in (403, 404)
        assert AccessLogEntry.objects.filter(id__gt=since, action="denied").count() >= 3, user
        assert "Dreiging" not in client.get(_base(world)).content.decode()
    assert list(NoContact.objects.values_list("pk", flat=True)) == [mark.pk]


def test_a_mark_of_another_case_cannot_be_ended_through_this_one(world):
    from tests.factories import make_case

    second = make_case(world.a.team, case_worker=world.a.case_worker, persons=2)
    one, two = second.persons.order_by("pk")[:2]
    mark = NoContact.objects.create(
        case=second, organisation=world.a.org, person=one, kept_from=two, reason="R.", recorded_by=world.a.case_worker
    )
    client = api_client(world.a.case_worker)
    assert client.delete(f"{_base(world)}{mark.pk}/").status_code == 404
    assert NoContact.objects.filter(pk=mark.pk).exists()


def test_the_person_api_sets_and_clears_confidential_contact_details(world):
    child, _other = _persons(world)
    client = api_client(world.a.case_worker, HTTP_ACCEPT_LANGUAGE="nl")
    url = f"/api/v1/cases/{world.a.case.pk}/persons/{child.pk}/"
    version = client.get(url).json()["version"]
    refused = client.patch(url, {"contact_confidentiality": "address", "version": version}, format="json")
    assert refused.status_code == 400 and "confidentiality_reason" in refused.json()
    assert Person.objects.get(pk=child.pk).contact_confidentiality == "none"
    marked = client.patch(
        url,
        {
            "address": "Schuilweg 3, 1234 AB Ergens",
            "contact_confidentiality": "address",
            "confidentiality_reason": "Verblijft in een opvang.",
            "version": version,
        },
        format="json",
    )
    assert marked.status_code == 200, marked.content
    assert marked.json()["contact_confidentiality"] == "address"
    # The case team sees the address with the mark.
    assert marked.json()["address"] == "Schuilweg 3, 1234 AB Ergens"
    stale = client.patch(url, {"contact_confidentiality": "none", "version": version}, format="json")
    assert stale.status_code == 409
    cleared = client.patch(
        url,
        {"contact_confidentiality": "none", "confidentiality_reason": "", "version": marked.json()["version"]},
        format="json",
    )
    assert cleared.status_code == 200 and cleared.json()["contact_confidentiality"] == "none"
    outsider = api_client(world.a.other_worker)
    assert outsider.get(url).status_code == 404
