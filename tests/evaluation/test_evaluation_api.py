"""The evaluation API: indicators (exact or suppressed by role), the effect evaluation, a report and an extract as
jobs with their progress and download, research projects and the data dictionary; bad input gets 400 and
outsiders 404."""

import pytest
from rest_framework.test import APIClient

from kring.accounts.models import Role
from kring.evaluation import services
from kring.evaluation.models import EvaluationJob
from tests.factories import actor, make_user

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_indicators_exact_for_the_lead_and_suppressed_for_the_researcher(small_world):
    lead = api(small_world.lead).get("/api/v1/indicators/", {"grouping": "method"}).json()
    fnb = next(r for r in lead["rows"] if r["key"] == "fnb")
    assert (fnb["offered"], fnb["plans"], lead["suppressed"]) == (5, 2, False)
    assert fnb["incidence"]["causes"]["plan"]["cif"][0] == pytest.approx(0.2)
    researcher = api(small_world.researcher).get("/api/v1/indicators/").json()
    assert researcher["suppressed"] is True
    assert all(r["offered"] is None and r["plan_rate"] is None for r in researcher["rows"])


@pytest.mark.parametrize(
    "query",
    [
        {"grouping": "galaxy"},
        {"date_from": "yesterday"},
        {"date_from": "2026-05-01", "date_to": "2026-01-01"},
        {"colour": "red"},
    ],
)
def test_bad_indicator_queries_get_400(small_world, query):
    assert api(small_world.lead).get("/api/v1/indicators/", query).status_code == 400


def test_people_without_an_evaluation_role_get_404(small_world):
    client = api(small_world.worker)
    assert client.get("/api/v1/indicators/").status_code == 404
    assert client.post("/api/v1/reports/", {}, format="json").status_code == 404
    assert api(small_world.lead).get("/api/v1/indicators/", {"organisation": 999999}).status_code == 404


def test_a_report_job_through_the_api(small_world):
    client = api(small_world.lead)
    created = client.post("/api/v1/reports/", {"moment": "t1"}, format="json")
    assert created.status_code == 202, created.content
    job_id = created.json()["id"]
    assert client.get(f"/api/v1/evaluation-jobs/{job_id}/").json()["status"] == "queued"
    services.run_job(job_id, today=TODAY)
    done = client.get(f"/api/v1/evaluation-jobs/{job_id}/").json()
    assert (done["status"], done["progress"]) == ("done", 100)
    download = client.get(done["download"])
    assert download.status_code == 200 and download.content[:5] == b"%PDF-"
    other = make_user(small_world.org, Role.TEAM_LEAD, small_world.team, is_lead=True)
    assert api(other).get(f"/api/v1/evaluation-jobs/{job_id}/").status_code == 404
    assert client.post("/api/v1/reports/", {"moment": "t7"}, format="json").status_code == 400


def test_effects_through_the_api(small_world):
    response = api(small_world.lead).post("/api/v1/effects/", {"method": "fnb"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["n_treated"] == 5 and body["n_control"] == 1
    assert {o["stem"] for o in body["outcomes"]} >= {"out_of_home", "plan_made"}
    same = api(small_world.lead).post("/api/v1/effects/", {"method": "fnb", "comparison": "fnb"}, format="json")
    assert same.status_code == 400


def test_projects_extracts_and_the_dictionary(small_world):
    admin = make_user(small_world.org, Role.ADMINISTRATOR, email="admin2@noord.example.org")
    project = services.create_project(
        actor(admin), {"name": "P", "organisations": [small_world.org], "members": [small_world.researcher]}
    )
    client = api(small_world.researcher)
    assert [p["name"] for p in client.get("/api/v1/research-projects/").json()] == ["P"]
    created = client.post(f"/api/v1/research-projects/{project.pk}/extracts/", {"format": "parquet"}, format="json")
    assert created.status_code == 202
    assert (
        client.post(f"/api/v1/research-projects/{project.pk}/extracts/", {"format": "xlsx"}, format="json").status_code
        == 400
    )
    assert (
        api(small_world.lead)
        .post(f"/api/v1/research-projects/{project.pk}/extracts/", {"format": "csv"}, format="json")
        .status_code
        == 404
    )
    services.run_job(created.json()["id"], today=TODAY)
    assert EvaluationJob.objects.get(pk=created.json()["id"]).status == "done"
    dictionary = APIClient().get("/api/v1/data-dictionary/").json()
    assert any(e["name"] == "t1_out_of_home" for e in dictionary)
