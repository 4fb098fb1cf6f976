"""The transfer API: propose, the receiver's list, accept, refuse, send as a package, download it, take it in."""

import pytest
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry
from kring.cases.models import Case
from kring.transfer import keys, services
from kring.transfer.models import Transfer
from tests.factories import actor, make_api_token

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


PROPOSAL = {
    "legal_basis": "nl_court_measure",
    "basis_note": "Ondertoezichtstelling; de gecertificeerde instelling neemt over.",
    "reason": "De rechter sprak een OTS uit.",
    "include_journal": True,
}


def test_propose_list_and_accept_through_the_api(world):
    url = f"/api/v1/cases/{world.a.case.pk}/transfers/"
    refused = api(world.a.case_worker).post(url, {**PROPOSAL, "receiving_organisation": world.b.org.pk}, format="json")
    assert refused.status_code == 403
    unknown = api(world.a.lead).post(url, {**PROPOSAL, "colour": "red"}, format="json")
    assert unknown.status_code == 400 and set(unknown.json()) == {"colour"}
    invalid = api(world.a.lead).post(url, {"legal_basis": "guess"}, format="json")
    assert invalid.status_code == 400 and {"legal_basis", "basis_note", "reason"} <= set(invalid.json())
    assert not Transfer.objects.exists()
    created = api(world.a.lead).post(url, {**PROPOSAL, "receiving_organisation": world.b.org.pk}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "proposed" and body["sending_case"] == world.a.case.pk
    listed = api(world.a.case_worker).get(url).json()
    assert [t["id"] for t in listed] == [body["id"]]

    incoming = api(world.b.lead).get("/api/v1/transfers/").json()
    assert [t["id"] for t in incoming] == [body["id"]]
    assert incoming[0]["sending_case"] is None and incoming[0]["child_name"] == "Kind0"
    assert api(world.a.lead).get("/api/v1/transfers/").json() == []

    accept = f"/api/v1/transfers/{body['id']}/accept/"
    assert (
        api(world.b.other_worker)
        .post(accept, {"team": world.b.team.pk, "legal_context": "vl_voluntary", "version": 1}, format="json")
        .status_code
        == 404
    )
    stale = api(world.b.lead).post(
        accept, {"team": world.b.team.pk, "legal_context": "vl_voluntary", "version": 7}, format="json"
    )
    assert stale.status_code == 409
    done = api(world.b.lead).post(
        accept, {"team": world.b.team.pk, "legal_context": "vl_voluntary", "version": 1}, format="json"
    )
    assert done.status_code == 200, done.json()
    case = Case.objects.get(pk=done.json()["case"])
    assert case.organisation == world.b.org
    assert Case.objects.get(pk=world.a.case.pk).status == "closed"
    again = api(world.b.lead).post(
        f"/api/v1/transfers/{body['id']}/refuse/", {"reason": "Te laat", "version": 2}, format="json"
    )
    assert again.status_code == 400


def test_refuse_and_withdraw_through_the_api(world):
    url = f"/api/v1/cases/{world.a.case.pk}/transfers/"
    first = api(world.a.lead).post(url, {**PROPOSAL, "receiving_organisation": world.b.org.pk}, format="json").json()
    refused = api(world.b.coordinator).post(
        f"/api/v1/transfers/{first['id']}/refuse/", {"reason": "Geen plaats", "version": 1}, format="json"
    )
    assert refused.status_code == 200 and refused.json()["refusal_reason"] == "Geen plaats"
    second = api(world.a.lead).post(url, {**PROPOSAL, "receiving_organisation": world.b.org.pk}, format="json").json()
    assert (
        api(world.b.lead).post(f"/api/v1/transfers/{second['id']}/withdraw/", {"version": 1}, format="json").status_code
        == 404
    )
    withdrawn = api(world.a.lead).post(f"/api/v1/transfers/{second['id']}/withdraw/", {"version": 1}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


def test_a_package_through_the_api(world):
    url = f"/api/v1/cases/{world.a.case.pk}/transfers/"
    body = api(world.a.lead).post(url, {**PROPOSAL, "external_receiver": "Kring Gent"}, format="json").json()
    sent = api(world.a.lead).post(f"/api/v1/transfers/{body['id']}/export/", {"version": 1}, format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "exported"
    download = api(world.a.lead).get(f"/api/v1/transfers/{body['id']}/package/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    data = download.content
    assert api(world.b.lead).get(f"/api/v1/transfers/{body['id']}/package/").status_code == 404
    assert AccessLogEntry.objects.filter(action="export", record_type="transfer", record_id=str(body["id"])).exists()

    services.add_trusted_sender(
        actor(world.b.privacy_officer), world.b.org.pk, "Kring Utrecht", keys.public_key(world.a.org).public_key
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = api(world.b.case_worker).post(
        "/api/v1/transfers/import/",
        {"organisation": world.b.org.pk, "file": SimpleUploadedFile("p.zip", data, "application/zip")},
        format="multipart",
    )
    assert refused.status_code == 403
    bad = api(world.b.lead).post(
        "/api/v1/transfers/import/",
        {"organisation": world.b.org.pk, "file": SimpleUploadedFile("p.zip", data[:-30], "application/zip")},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()
    taken = api(world.b.lead).post(
        "/api/v1/transfers/import/",
        {"organisation": world.b.org.pk, "file": SimpleUploadedFile("p.zip", data, "application/zip")},
        format="multipart",
    )
    assert taken.status_code == 201, taken.json()
    incoming = Transfer.objects.get(pk=taken.json()["id"])
    accepted = api(world.b.lead).post(
        f"/api/v1/transfers/{incoming.pk}/accept/",
        {"team": world.b.team.pk, "legal_context": "vl_judicial", "version": incoming.version},
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    assert Case.objects.get(pk=accepted.json()["case"]).legal_context == "vl_judicial"
