"""The meetings' REST API: same permissions, validation, stale-edit refusal and access log as the pages; the
endpoints are in the OpenAPI document."""

import pytest
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry
from kring.meetings.models import Invitation, Meeting
from tests.factories import make_api_token

pytestmark = pytest.mark.django_db


def api_client(user):
    key = make_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def base(mw):
    return f"/api/v1/cases/{mw.case.pk}/"


def test_list_create_and_update_meetings(mw):
    client = api_client(mw.world.a.case_worker)
    meetings = base(mw) + f"trajectories/{mw.trajectory.pk}/meetings/"
    response = client.get(meetings)
    assert response.status_code == 200 and [m["id"] for m in response.json()] == [mw.meeting.pk]
    assert [p["kind"] for p in response.json()[0]["parts"]] == [
        "information",
        "private_family_time",
        "plan_presentation",
    ]
    response = client.post(
        meetings,
        {
            "kind": "review",
            "starts_at": "2027-01-10T10:00:00+01:00",
            "ends_at": "2027-01-10T11:00:00+01:00",
            "place": "Kantoor",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert [p["kind"] for p in created["parts"]] == ["review"]
    response = client.post(
        meetings,
        {
            "kind": "review",
            "starts_at": "2027-01-10T10:00:00+01:00",
            "ends_at": "2027-01-10T09:00:00+01:00",
            "place": "K",
            "colour": "red",
        },
        format="json",
    )
    assert response.status_code == 400 and "colour" in response.json()
    detail = base(mw) + f"meetings/{created['id']}/"
    response = client.patch(detail, {"place": "Stadhuis", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.patch(detail, {"place": "Markt", "version": 1}, format="json")
    assert response.status_code == 409
    assert any(c["now"] == "Stadhuis" for c in response.json()["changes"])
    assert Meeting.objects.get(pk=created["id"]).place == "Stadhuis"
    response = client.post(detail + "cancel/", {"reason": "Verplaatst", "version": 2}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_outsiders_and_co_workers(mw):
    for user in (mw.world.b.case_worker, mw.world.a.other_worker):
        client = api_client(user)
        assert client.get(base(mw) + f"meetings/{mw.meeting.pk}/").status_code == 404
        assert client.get(base(mw) + f"meetings/{mw.meeting.pk}/invitations/").status_code == 404
        response = client.post(base(mw) + f"meetings/{mw.meeting.pk}/invitations/", {}, format="json")
        assert response.status_code == 404
    from kring.cases.models import CaseTeamMember

    CaseTeamMember.objects.create(
        case=mw.case, organisation=mw.world.a.org, user=mw.world.a.other_worker, role="co_worker"
    )
    client = api_client(mw.world.a.other_worker)
    assert client.get(base(mw) + f"meetings/{mw.meeting.pk}/").status_code == 200
    response = client.post(base(mw) + f"meetings/{mw.meeting.pk}/invitations/", {}, format="json")
    assert response.status_code == 403 and not Invitation.objects.exists()


def test_invite_answer_attendance_and_information(mw):
    client = api_client(mw.world.a.coordinator)
    meeting = base(mw) + f"meetings/{mw.meeting.pk}/"
    response = client.post(meeting + "invitations/", {}, format="json")
    assert response.status_code == 201
    assert {i["person"] for i in response.json()} == {mw.child.pk, mw.oma.pk, mw.piet.pk, mw.juf.pk}
    response = client.post(meeting + "invitations/", {"persons": [mw.kees.pk]}, format="json")
    assert response.status_code == 400 and "persons" in response.json()
    response = client.post(
        meeting + "invitations/",
        {"persons": [mw.kees.pk], "overrides": {str(mw.kees.pk): "Afspraak met de vader"}},
        format="json",
    )
    assert response.status_code == 201 and response.json()[0]["unsafe_override_reason"] == "Afspraak met de vader"
    oma = Invitation.objects.get(person=mw.oma)
    response = client.patch(
        meeting + f"invitations/{oma.pk}/", {"answer": "yes", "mode": "in_person", "version": 1}, format="json"
    )
    assert response.status_code == 200 and response.json()["answer"] == "yes"
    response = client.patch(meeting + f"invitations/{oma.pk}/", {"answer": "no", "version": 1}, format="json")
    assert response.status_code == 409
    listed = client.get(meeting + "invitations/").json()
    assert {i["person_name"] for i in listed} >= {"Oma Jansen", "Kees Onveilig"}

    grid = client.get(meeting + "attendance/").json()
    parts = {p["part"]: p for p in grid["parts"]}
    private = next(pid for pid, p in parts.items() if p["private"])
    information = min(parts)
    juf = Invitation.objects.get(person=mw.juf).pk
    family = [Invitation.objects.get(person=p).pk for p in (mw.child, mw.oma, mw.piet)]
    body = {
        "version": grid["version"],
        "parts": [
            {
                "part": information,
                "invitations": family + [juf],
                "users": [mw.world.a.coordinator.pk],
                "started_at": mw.meeting.starts_at.isoformat(),
                "ended_at": None,
            },
            {"part": private, "invitations": family, "users": [mw.world.a.coordinator.pk]},
        ],
    }
    response = client.put(meeting + "attendance/", body, format="json")
    assert response.status_code == 400 and "attendance" in response.json()
    body["parts"][1]["users"] = []
    response = client.put(meeting + "attendance/", body, format="json")
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["private_time"][0]["holds"] is True
    assert sorted(next(p for p in result["parts"] if p["part"] == private)["invitations"]) == sorted(family)
    assert client.put(meeting + "attendance/", body, format="json").status_code == 409

    response = client.post(
        meeting + "information/",
        {"author_name": "Juf Anna", "text": "Gaat goed op school.", "shared_with_all": True, "shared_on": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 201
    client.post(meeting + "information/", {"author_name": "Dr. X", "text": "Nog niet gedeeld."}, format="json")
    assert [c["text"] for c in client.get(meeting + "information/").json()] == ["Gaat goed op school."]
    assert AccessLogEntry.objects.filter(record_type="meeting_information", action="create").count() == 2


def test_openapi_document_lists_the_meeting_endpoints(mw):
    client = api_client(mw.world.a.case_worker)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].endswith("json") else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/cases/{case_id}/trajectories/{trajectory_id}/meetings/": {"get", "post"},
        "/api/v1/cases/{case_id}/meetings/{meeting_id}/": {"get", "patch"},
        "/api/v1/cases/{case_id}/meetings/{meeting_id}/invitations/": {"get", "post"},
        "/api/v1/cases/{case_id}/meetings/{meeting_id}/invitations/{invitation_id}/": {"patch"},
        "/api/v1/cases/{case_id}/meetings/{meeting_id}/attendance/": {"get", "put"},
        "/api/v1/cases/{case_id}/meetings/{meeting_id}/information/": {"get", "post"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    assert "409" in paths["/api/v1/cases/{case_id}/meetings/{meeting_id}/"]["patch"]["responses"]


# The lines the lead adds to SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] in config/settings.py: the meetings'
# "kind", "status" and "role" choice sets get their own names, so the schema builds without warnings.
MEETING_ENUM_NAME_OVERRIDES = {
    "MeetingKindEnum": "kring.meetings.choices.MeetingKind",
    "MeetingStatusEnum": "kring.meetings.choices.MeetingStatus",
    "MeetingPartKindEnum": "kring.meetings.choices.PartKind",
    "InvitationRoleEnum": "kring.meetings.choices.InvitationRole",
    # With a third "status" and a second "role" in the schema, the case file's sets need their names too.
    "CaseStatusEnum": "kring.cases.choices.CaseStatus",
    "CaseRoleEnum": "kring.cases.choices.CaseRole",
}


def test_openapi_document_validates_with_the_meeting_enum_names(db, tmp_path, monkeypatch):
    from django.core.management import call_command
    from drf_spectacular import plumbing
    from drf_spectacular.settings import spectacular_settings

    # drf-spectacular reads its settings once; give it the overrides as config/settings.py will, then forget them.
    overrides = {**spectacular_settings.ENUM_NAME_OVERRIDES, **MEETING_ENUM_NAME_OVERRIDES}
    monkeypatch.setattr(spectacular_settings, "ENUM_NAME_OVERRIDES", overrides)
    target = tmp_path / "schema.yaml"
    plumbing._load_enum_name_overrides.cache_clear()
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    finally:
        plumbing._load_enum_name_overrides.cache_clear()
    text = target.read_text()
    assert "MeetingKindEnum" in text and "InvitationRoleEnum" in text
