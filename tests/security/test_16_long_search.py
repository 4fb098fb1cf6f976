"""Item 16: a search or filter that cannot be used says so and shows nothing, never the whole list.

Before, a search text over the field's length made the form invalid, the view then applied no filter at all and
the caseload listed every case the user may see (and logged them all as listed).
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry, Action

from ..factories import make_case

TOO_LONG = "Jansen " * 40  # 280 characters, well over the 100 the search box takes


@pytest.fixture
def caseload(world):
    for n in range(3):
        make_case(world.a.team, case_worker=world.a.case_worker, family_name=f"Familie Zoekmij{n}")
    return world


@pytest.mark.django_db
def test_an_over_long_search_says_so_and_lists_no_case(caseload, client):
    client.force_login(caseload.a.case_worker)
    listed_before = AccessLogEntry.objects.filter(action=Action.LIST).count()
    response = client.get("/cases/", {"q": TOO_LONG})
    assert response.status_code == 200
    html = response.content.decode()
    assert "De zoekopdracht is te lang" in html
    assert 'aria-invalid="true"' in html
    assert "Zoekmij" not in html and caseload.a.case.number not in html
    # Nothing was shown, so nothing was listed in the access log.
    assert AccessLogEntry.objects.filter(action=Action.LIST).count() == listed_before


@pytest.mark.django_db
def test_an_over_long_search_in_english(caseload, client):
    client.force_login(caseload.a.case_worker)
    client.cookies["django_language"] = "en"
    html = client.get("/cases/", {"q": TOO_LONG}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Zoekmij" not in html
    assert "The search is too long" in html or "De zoekopdracht is te lang" in html


@pytest.mark.django_db
def test_an_invalid_filter_beside_the_search_lists_no_case_either(caseload, client):
    client.force_login(caseload.a.case_worker)
    html = client.get("/cases/", {"status": "no-such-status"}).content.decode()
    assert "Zoekmij" not in html and 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_a_search_within_the_limit_still_works(caseload, client):
    client.force_login(caseload.a.case_worker)
    html = client.get("/cases/", {"q": "Zoekmij1"}).content.decode()
    assert "Familie Zoekmij1" in html and "Familie Zoekmij2" not in html


@pytest.mark.django_db
def test_the_api_refuses_an_over_long_search_with_400(caseload):
    client = APIClient()
    client.force_login(caseload.a.case_worker)
    response = client.get("/api/v1/cases/", {"q": TOO_LONG})
    assert response.status_code == 400
    assert "q" in response.json()
    assert "results" not in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"case": "not-a-number"}, {"date_from": "2026-13-45"}, {"date_from": "2026-03-01", "date_until": "2026-02-01"}],
)
def test_an_invalid_access_log_filter_shows_no_entries(world, client, query):
    worker = Client()
    worker.force_login(world.a.case_worker)
    worker.get(f"/cases/{world.a.case.pk}/")  # something in the log
    client.force_login(world.a.privacy_officer)
    assert len(client.get("/access-log/").context["page"]) > 0
    response = client.get("/access-log/", query)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert len(response.context["page"]) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"phase": "x" * 200}, {"status": "no-such-status"}])
def test_an_invalid_team_work_list_filter_shows_no_trajectory(world, client, query):
    import datetime

    from kring.trajectories import services as trajectory_services

    from ..factories import actor

    trajectory_services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, "fnb", datetime.date.today())
    client.force_login(world.a.lead)
    url = f"/work/team/{world.a.team.pk}/"
    assert client.get(url).context["result"].rows, "the lead sees the team's trajectory without a filter"
    response = client.get(url, query)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert response.context["result"].rows == []
    assert world.a.case.number not in response.content.decode()
