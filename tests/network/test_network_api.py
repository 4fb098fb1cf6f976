"""The network's REST API: the same services and queries as the pages, so the same permissions and log."""

import datetime

import pytest
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry, Action
from kring.cases.models import CaseTeamMember, Person
from kring.network.models import NetworkMember, Relationship, SystemTie
from tests.factories import make_api_token, make_case

D = datetime.date


def api(user):
    key = make_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def w(world):
    case = world.a.case
    world.a.child = case.persons.get(is_central=True)
    world.a.mother = Person.objects.create(case=case, organisation=world.a.org, first_name="Mama", gender="female")
    world.a.url = f"/api/v1/cases/{case.pk}/network/"
    CaseTeamMember.objects.create(case=case, organisation=world.a.org, user=world.a.other_worker, role="co_worker")
    return world


def _rel(w, **extra):
    return {"kind": "parent", "subtype": "biological", "person_a": w.a.mother.pk, "person_b": w.a.child.pk, **extra}


def test_get_network_with_summary_and_log(w):
    client = api(w.a.case_worker)
    assert client.post(w.a.url + "relationships/", _rel(w), format="json").status_code == 201
    client.patch(w.a.url + f"members/{w.a.mother.pk}/", {"domain": "family", "ring": 1}, format="json")
    before = AccessLogEntry.objects.count()
    response = client.get(w.a.url)
    assert response.status_code == 200
    body = response.json()
    assert {p["id"] for p in body["persons"]} == set(w.a.case.persons.values_list("pk", flat=True))
    mother = next(p for p in body["persons"] if p["id"] == w.a.mother.pk)
    assert mother["network"]["domain"] == "family" and mother["network"]["version"] == 1
    assert body["relationships"][0]["subtype"] == "biological"
    assert body["summary"]["size"] == 2 and body["summary"]["by_domain"]["family"] == 1
    entries = AccessLogEntry.objects.order_by("id")[before:]
    assert sorted(e.record_type for e in entries) == ["case", "person", "person", "person"]


def test_get_network_at_a_moment(w):
    client = api(w.a.case_worker)
    client.post(w.a.url + "relationships/", _rel(w, start="2020-01-01"), format="json")
    assert client.get(w.a.url, {"at": "2019-01-01"}).json()["relationships"] == []
    assert len(client.get(w.a.url, {"at": "2021-01-01"}).json()["relationships"]) == 1
    assert client.get(w.a.url, {"at": "someday"}).status_code == 400


@pytest.mark.parametrize("who", ["b_case_worker", "researcher", "lead_b"])
def test_outsiders_get_404_everywhere(w, world, who):
    user = {"b_case_worker": world.b.case_worker, "researcher": w.a.researcher, "lead_b": world.b.lead}[who]
    client = api(user)
    assert client.get(w.a.url).status_code == 404
    assert client.get(w.a.url + "export.json").status_code == 404
    assert client.post(w.a.url + "relationships/", _rel(w), format="json").status_code == 404
    assert client.patch(w.a.url + f"members/{w.a.mother.pk}/", {"ring": 1}, format="json").status_code == 404
    assert client.post(w.a.url + "undo/").status_code == 404
    assert AccessLogEntry.objects.filter(action=Action.DENIED, case_id=w.a.case.pk).exists()
    assert not Relationship.objects.exists()


def test_co_worker_reads_but_cannot_change(w):
    client = api(w.a.other_worker)
    assert client.get(w.a.url).status_code == 200
    assert client.get(w.a.url + "export.json").status_code == 200
    assert client.post(w.a.url + "relationships/", _rel(w), format="json").status_code == 403
    assert client.put(w.a.url + f"members/{w.a.mother.pk}/", {"ring": 1}, format="json").status_code == 403
    assert (
        client.post(
            w.a.url + "system-ties/", {"system": "GP", "system_kind": "gp", "strength": "strong"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(w.a.url + "undo/").status_code == 403
    assert client.post(w.a.url + "import.json", {"format": "kring-network"}, format="json").status_code == 403
    assert not NetworkMember.objects.exists() and not Relationship.objects.exists()


def test_members_put_patch_and_stale(w):
    client = api(w.a.case_worker)
    url = w.a.url + f"members/{w.a.mother.pk}/"
    response = client.put(url, {"domain": "friends", "ring": 2, "safety": "safe", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    response = client.patch(url, {"ring": 1, "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    assert response.json()["domain"] == "friends"
    response = client.put(url, {"ring": 1, "version": 2}, format="json")
    assert response.json()["domain"] == "" and response.json()["safety"] == "unknown"
    client.post(w.a.url + "undo/")
    response = api(w.a.lead).patch(url, {"ring": 3, "version": 1}, format="json")
    assert response.status_code == 409 and response.json()["changes"]
    assert client.patch(url, {"ring": 9}, format="json").status_code == 400
    assert client.patch(url, {"colour": "red"}, format="json").status_code == 400
    other_person = make_case(w.a.team).persons.get()
    assert client.patch(w.a.url + f"members/{other_person.pk}/", {"ring": 1}, format="json").status_code == 404


def test_relationship_endpoints(w):
    client = api(w.a.case_worker)
    response = client.post(w.a.url + "relationships/", _rel(w), format="json")
    assert response.status_code == 201
    rel_id = response.json()["id"]
    assert client.post(w.a.url + "relationships/", _rel(w), format="json").status_code == 400  # duplicate
    bad = client.post(w.a.url + "relationships/", _rel(w, subtype="married", person_b=w.a.mother.pk), format="json")
    assert bad.status_code == 400 and {"subtype", "person_b"} <= set(bad.json())
    url = w.a.url + f"relationships/{rel_id}/"
    assert client.patch(url, {"note": "x"}, format="json").status_code == 400  # version missing
    assert client.patch(url, {"note": "x", "version": 1}, format="json").json()["version"] == 2
    assert client.patch(url, {"note": "y", "version": 1}, format="json").status_code == 409
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404


def test_system_tie_endpoints(w):
    client = api(w.a.case_worker)
    response = client.post(
        w.a.url + "system-ties/",
        {"system": "School", "system_kind": "school", "strength": "tenuous", "person": w.a.child.pk},
        format="json",
    )
    assert response.status_code == 201
    url = w.a.url + f"system-ties/{response.json()['id']}/"
    assert client.patch(url, {"strength": "strong", "person": None, "version": 1}, format="json").status_code == 200
    assert SystemTie.objects.get().person_id is None
    assert (
        client.post(
            w.a.url + "system-ties/", {"system": "X", "system_kind": "moon", "strength": "strong"}, format="json"
        ).status_code
        == 400
    )
    assert client.delete(url).status_code == 204


def test_persons_position_and_undo(w):
    client = api(w.a.case_worker)
    response = client.post(
        w.a.url + "persons/",
        {"person": {"first_name": "Opa", "gender": "male"}, "network": {"domain": "family", "ring": 2}},
        format="json",
    )
    assert response.status_code == 201
    person_id = response.json()["id"]
    assert response.json()["network"]["domain"] == "family"
    response = client.post(
        w.a.url + f"members/{person_id}/position/", {"map_kind": "circle", "x": 1, "y": 2}, format="json"
    )
    assert response.status_code == 200 and response.json()["positions"] == {"circle": [1.0, 2.0]}
    assert client.post(w.a.url + "undo/").json()["record_type"] == "member"
    response = client.post(w.a.url + "undo/")
    assert response.json() == {"undone": True, "record_type": "person", "record_id": str(person_id)}
    assert not Person.objects.filter(pk=person_id).exists()
    assert client.post(w.a.url + "undo/").json()["undone"] is False
    assert client.delete(w.a.url + f"persons/{w.a.mother.pk}/").status_code == 204


def test_export_and_import_json(w):
    client = api(w.a.case_worker)
    client.post(w.a.url + "relationships/", _rel(w), format="json")
    response = client.get(w.a.url + "export.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = response.json()
    assert AccessLogEntry.objects.filter(action=Action.EXPORT, case_id=w.a.case.pk, record_type="person").count() == 3
    other = make_case(w.a.team, case_worker=w.a.case_worker)
    url = f"/api/v1/cases/{other.pk}/network/import.json"
    response = client.post(url, document, format="json")
    assert response.status_code == 201
    assert response.json() == {"persons": 3, "relationships": 1, "system_ties": 0}
    document["version"] = 7
    response = client.post(url, document, format="json")
    assert response.status_code == 400 and response.json()["document"]
    assert other.persons.count() == 4


def test_map_svg(w):
    client = api(w.a.case_worker)
    client.post(w.a.url + "relationships/", _rel(w), format="json")
    for kind in ("genogram", "ecomap", "circle"):
        response = client.get(w.a.url + "map.svg", {"kind": kind})
        assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
        assert b"<svg" in response.content
    assert client.get(w.a.url + "map.svg", {"kind": "pie"}).status_code == 400
    assert api(w.b.case_worker).get(w.a.url + "map.svg").status_code == 404
