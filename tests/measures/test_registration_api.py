"""The registration's REST API: instruments without licensed item text, the registration, outcomes per moment
and administrations, with the pages' permissions, validation, stale-version refusal and access log."""

import pytest
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry
from kring.measures.models import Administration, OutcomeMeasurement, Registration

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def base(rw):
    return f"/api/v1/cases/{rw.case.pk}/trajectories/{rw.trajectory.pk}/"


def test_instruments_are_listed_without_the_text_of_licensed_items(rw):
    client = api(rw.world.a.case_worker)
    listing = client.get("/api/v1/instruments/").json()
    codes = {i["code"] for i in listing}
    assert {"sos_safety_scale", "kring_satisfaction", "fes", "ssl_i_12", "zrm", "goal_attainment"} <= codes
    fes = client.get("/api/v1/instruments/fes/").json()
    assert fes["licence"] == "licence_required"
    assert all(item["text"] is None for item in fes["items"])
    own = client.get("/api/v1/instruments/kring_satisfaction/").json()
    assert all(item["text"]["nl"] for item in own["items"])
    assert client.get("/api/v1/instruments/nope/").status_code == 404


def test_registration_outcomes_and_administrations_round_trip(rw):
    client = api(rw.world.a.case_worker)
    assert client.get(base(rw) + "registration/").status_code == 404
    created = client.put(
        base(rw) + "registration/", {"problem_areas": ["housing"], "household": "single_parent"}, format="json"
    )
    assert created.status_code == 200, created.content
    assert created.json()["children_ages"] == [9]
    stale = client.put(base(rw) + "registration/", {"household": "kin", "version": 99}, format="json")
    assert stale.status_code == 409
    changed = client.put(base(rw) + "registration/", {"household": "kin", "version": 1}, format="json")
    assert changed.json()["household"] == "kin" and Registration.objects.get().version == 2

    outcome = client.put(
        base(rw) + "outcomes/t1/",
        {"measured_on": "2026-05-01", "placement": "in_network", "risk_level": "medium"},
        format="json",
    )
    assert outcome.status_code == 200, outcome.content
    assert [o["moment"] for o in client.get(base(rw) + "outcomes/").json()] == ["t1"]
    assert client.put(base(rw) + "outcomes/t8/", {}, format="json").status_code == 404

    entered = client.post(
        base(rw) + "administrations/",
        {
            "instrument": "kring_satisfaction",
            "mode": "items",
            "moment": "t1",
            "respondent": "parent",
            "administered_on": "2026-05-02",
            "values": {
                "useful": 4,
                "heard": 5,
                "talked_about": 2,
                "family_lead": 4,
                "professionals_decided": 2,
                "coordinator": 5,
                "own_plan": 4,
                "recommend": 5,
                "mark": 8,
            },
        },
        format="json",
    )
    assert entered.status_code == 201, entered.content
    scores = entered.json()["scores"]["scores"]
    assert scores["mark"]["value"] == 8
    listed = client.get(base(rw) + "administrations/").json()
    assert len(listed) == 1
    record = Administration.objects.get()
    gone = client.delete(base(rw) + f"administrations/{record.pk}/?version={record.version}")
    assert gone.status_code == 204 and not Administration.objects.exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"values": {"safety": 12}}, "values.safety"),
        ({"values": {"safety": 3}, "mode": "link"}, "mode"),
        ({"values": {}}, "values"),
        ({"values": {"safety": 3}, "respondent": "cat"}, "respondent"),
        ({"values": {"safety": 3}, "administered_on": "not a date"}, "administered_on"),
        ({"values": {"safety": 3}, "extra": 1}, "extra"),
        ({"values": "four"}, "values"),
    ],
)
def test_bad_administrations_get_400_naming_the_field_and_save_nothing(rw, payload, field):
    body = {
        "instrument": "sos_safety_scale",
        "mode": "items",
        "moment": "t0",
        "respondent": "parent",
        "administered_on": "2026-02-10",
        **payload,
    }
    response = api(rw.world.a.case_worker).post(base(rw) + "administrations/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert not Administration.objects.exists()


def test_outsiders_get_404_logged_and_co_workers_403(rw):
    stranger = api(rw.world.b.case_worker)
    assert stranger.get(base(rw) + "outcomes/").status_code == 404
    assert stranger.put(base(rw) + "outcomes/t0/", {"measured_on": "2026-02-03"}, format="json").status_code == 404
    assert AccessLogEntry.objects.filter(user=rw.world.b.case_worker, action="denied").exists()
    researcher = api(rw.world.a.researcher)
    assert researcher.get(base(rw) + "administrations/").status_code == 404
    co_worker = api(rw.world.a.other_worker)
    assert co_worker.get(base(rw) + "outcomes/").status_code == 200
    assert co_worker.put(base(rw) + "outcomes/t0/", {"measured_on": "2026-02-03"}, format="json").status_code == 403
    assert not OutcomeMeasurement.objects.exists()
