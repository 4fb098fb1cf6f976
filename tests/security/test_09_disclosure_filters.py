"""Issue 12, item 9, differencing across filters: two suppressed tables of overlapping populations (this period and
a longer one; one organisation and all of them; a region and its only organisation) give away by subtraction what
each hides on its own.

The rule: a view with small counts hidden always covers the same population, every organisation whose figures the
user sees suppressed, over the whole period. A researcher who asks for a period or an organisation on the
dashboard, the indicators API, the effect comparison (page and API) or a report is refused (a form error or 400)
before anything is read; managers keep every filter with exact figures; a user who leads at one organisation and
does research at another sees the second one alone in the suppressed view, never both together; and the public
overview shows no region of a single organisation on its own.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from kring.accounts.models import Membership, Role
from kring.audit.models import AccessLogEntry
from kring.evaluation import queries, services
from kring.evaluation.models import EvaluationJob
from kring.trajectories.models import Trajectory
from tests.factories import actor, make_case, make_organisation, make_team, make_user

pytestmark = pytest.mark.django_db

D = datetime.date
OFFERED = D(2025, 6, 2)
COMPARE = {"method": "fnb", "comparison": "regular_care", "moment": "t1"}
ENTRY_LOGS = ("indicators", "effect_evaluation", "report")


def _organisation(name, region, trajectories=6):
    org = make_organisation("NL", name=name, code=name.lower())
    org.region = region
    org.save()
    team = make_team(org, name=f"Team {name}")
    worker = make_user(org, Role.CASE_WORKER, team)
    for i in range(trajectories):
        for method in ("fnb", "regular_care"):
            Trajectory.objects.create(
                case=make_case(team, case_worker=worker),
                organisation=org,
                team=team,
                method_code=method,
                method_version="1.0",
                offered_on=OFFERED + datetime.timedelta(days=40 * i),
                offered_by=worker,
                status="plan_made",
                accepted_on=OFFERED,
                plan_made_on=OFFERED + datetime.timedelta(days=40 * i + 7),
            )
    return org, team


@pytest.fixture
def two(db):
    a, team_a = _organisation("Aalst", "Utrecht")
    b, _team_b = _organisation("Berkel", "Brabant")
    researcher = make_user(a, Role.RESEARCHER)
    lead = make_user(a, Role.TEAM_LEAD, team_a, is_lead=True)
    both = make_user(a, Role.TEAM_LEAD, team_a, is_lead=True)  # lead at A, researcher at B
    Membership.objects.create(user=both, organisation=b, role=Role.RESEARCHER)
    return type("Two", (), dict(a=a, b=b, researcher=researcher, lead=lead, both=both))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _filters(two):
    return [
        {"date_from": "2025-09-01"},
        {"date_to": "2025-12-31"},
        {"date_from": "2025-06-01", "date_to": "2026-06-01"},
        {"organisation": two.a.pk},
    ]


def _reads(user):
    return AccessLogEntry.objects.filter(user=user, record_type__in=ENTRY_LOGS).count()


def test_a_researcher_asking_for_a_period_or_an_organisation_is_refused_everywhere(client, two):
    client.force_login(two.researcher)
    api = _api(two.researcher)
    for asked in _filters(two):
        page = client.get(reverse("evaluation:dashboard"), {"grouping": "method", **asked})
        assert page.status_code == 200 and page.context["view"] is None, asked
        assert page.context["form"].errors, asked
        assert 'id="indicators"' not in page.content.decode()

        answer = api.get("/api/v1/indicators/", {"grouping": "year", **asked})
        assert answer.status_code == 400, (asked, answer.content)
        assert "rows" not in answer.json()

        page = client.get(reverse("evaluation:compare"), {**COMPARE, **asked})
        assert page.context["result"] is None and page.context["form"].errors, asked

        answer = api.post("/api/v1/effects/", {**COMPARE, **asked}, format="json")
        assert answer.status_code == 400, (asked, answer.content)
        assert "outcomes" not in answer.json()

        client.post(reverse("evaluation:report_request"), {"moment": "t1", **asked})
        answer = api.post("/api/v1/reports/", {"moment": "t1", **asked}, format="json")
        assert answer.status_code == 400, (asked, answer.content)
        with pytest.raises(ValidationError):
            services.request_report(
                actor(two.researcher),
                organisation_ids=[asked["organisation"]] if "organisation" in asked else None,
                date_from=asked.get("date_from"),
                date_to=asked.get("date_to"),
            )
    assert not EvaluationJob.objects.exists()
    assert _reads(two.researcher) == 0, "a refused request read nothing"
    message = str(_api(two.researcher).get("/api/v1/indicators/", {"date_from": "2025-09-01"}).json())
    assert "period" in message or "periode" in message

    # Without a filter the researcher still has every breakdown, suppressed together.
    answer = api.get("/api/v1/indicators/", {"grouping": "quarter"})
    assert answer.status_code == 200 and answer.json()["suppressed"] is True
    assert answer.json()["organisation_ids"] == [two.a.pk]
    assert api.post("/api/v1/reports/", {"moment": "t1"}, format="json").status_code == 202


def test_a_manager_keeps_every_filter_with_exact_figures(client, two):
    client.force_login(two.lead)
    api = _api(two.lead)
    for asked in _filters(two):
        page = client.get(reverse("evaluation:dashboard"), {"grouping": "method", **asked})
        assert page.context["view"] is not None and not page.context["view"].suppressed, asked
        answer = api.get("/api/v1/indicators/", {"grouping": "year", **asked})
        assert answer.status_code == 200 and answer.json()["suppressed"] is False, asked
        page = client.get(reverse("evaluation:compare"), {**COMPARE, **asked})
        assert not page.context["form"].errors, (asked, page.context["form"].errors)
        assert api.post("/api/v1/effects/", {**COMPARE, **asked}, format="json").status_code == 200, asked
    rows = api.get("/api/v1/indicators/", {"date_from": "2025-09-01", "date_to": "2025-12-31"}).json()["rows"]
    assert {r["key"]: r["offered"] for r in rows} == {"fnb": 3, "regular_care": 3}  # exact, small ones too
    job = api.post("/api/v1/reports/", {"moment": "t1", "date_from": "2025-09-01"}, format="json")
    assert job.status_code == 202
    assert EvaluationJob.objects.get().params["date_from"] == "2025-09-01"


def test_lead_at_one_organisation_and_researcher_at_another_sees_the_other_alone_when_suppressed(client, two):
    api = _api(two.both)
    answers = [
        api.get("/api/v1/indicators/", query)
        for query in (
            {},
            {"view": "exact"},
            {"view": "suppressed"},
            {"organisation": two.a.pk},
            {"organisation": two.b.pk},
            {"view": "suppressed", "organisation": two.b.pk},
            {"view": "suppressed", "date_from": "2025-09-01"},
            {"view": "exact", "organisation": two.b.pk},
        )
    ]
    shown = [a.json() for a in answers if a.status_code == 200]
    for result in shown:
        if result["suppressed"]:
            assert result["organisation_ids"] == [two.b.pk], result["organisation_ids"]
        else:
            assert result["organisation_ids"] == [two.a.pk], result["organisation_ids"]
    assert any(r["suppressed"] for r in shown) and any(not r["suppressed"] for r in shown)
    assert [a.status_code for a in answers[-4:]] == [400, 400, 400, 400]

    client.force_login(two.both)
    page = client.get(reverse("evaluation:dashboard"), {"view": "suppressed", "grouping": "organisation"})
    assert page.context["view"].organisation_ids == [two.b.pk] and page.context["view"].suppressed
    page = client.get(reverse("evaluation:dashboard"))
    assert page.context["view"].organisation_ids == [two.a.pk] and not page.context["view"].suppressed
    compared = api.post("/api/v1/effects/", {**COMPARE, "view": "suppressed"}, format="json")
    assert compared.status_code == 200, compared.content
    assert (
        AccessLogEntry.objects.filter(user=two.both, record_type="effect_evaluation").get().organisation_id == two.b.pk
    )
    assert api.post("/api/v1/reports/", {"moment": "t1", "view": "suppressed"}, format="json").status_code == 202
    assert EvaluationJob.objects.get().organisation_ids == [two.b.pk]
    assert EvaluationJob.objects.get().params["suppressed"] is True


def test_the_public_overview_shows_no_region_of_a_single_organisation(client, two):
    # Utrecht: Aalst only; Brabant: Berkel, and Cuijk with no trajectories (it does not count); Limburg: two.
    _organisation("Cuijk", "Brabant", trajectories=0)
    _organisation("Delden", "Limburg")
    _organisation("Echt", "Limburg")
    page = client.get(reverse("evaluation:public"), {"per": "region"})
    keys = [shown["row"].key for shown in page.context["rows"]]
    assert "Utrecht" not in keys and "Brabant" not in keys, keys
    assert "Limburg" in keys
    rows = {r.key: r for r in queries.public_indicators(grouping="region", today=D(2026, 6, 1))}
    # Aalst and Berkel together in one row: no one organisation's view covers the same population.
    merged = [key for key in rows if key != "Limburg"]
    assert len(merged) == 1 and rows[merged[0]].offered == 24 and rows["Limburg"].offered == 24


def test_a_lone_single_organisation_region_is_merged_with_the_smallest_other_region(client, two):
    # Utrecht: Aalst alone; Brabant: Berkel and Cuijk. "Other regions" would be Aalst alone: Brabant joins it.
    _organisation("Cuijk", "Brabant")
    rows = queries.public_indicators(grouping="region", today=D(2026, 6, 1))
    keys = [r.key for r in rows]
    assert "Utrecht" not in keys and "Brabant" not in keys and len(keys) == 1, keys
