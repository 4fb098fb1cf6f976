"""The registration pages with the Django test client: the overview, the characteristics, an outcome moment and
instrument entry (items and totals), in Dutch and English; outsiders get 404 and are logged, a co-worker sees but
cannot open the forms, bad input and stale forms change nothing."""

import datetime

import pytest
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.measures import services
from kring.measures.models import Administration, OutcomeMeasurement, Registration

D = datetime.date
pytestmark = pytest.mark.django_db


def url(name, rw, **kwargs):
    if name == "list":
        return reverse("measures:list", kwargs={"pk": rw.case.pk})
    return reverse(f"measures:{name}", kwargs={"pk": rw.case.pk, "trajectory_id": rw.trajectory.pk, **kwargs})


def login(client, user):
    client.force_login(user)
    return client


def test_the_overview_opens_from_the_case_and_lists_the_moments(client, rw):
    login(client, rw.world.a.case_worker)
    listing = client.get(url("list", rw))
    assert listing.status_code == 200
    assert url("registration", rw) in listing.content.decode()
    page = client.get(url("registration", rw))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Registratie" in body and "T1: na 3 maanden" in body  # Dutch by default
    assert "nog niet vastgelegd" in body or "niet vastgelegd" in body
    assert 'href="%s"' % url("characteristics", rw) in body


def test_characteristics_are_saved_through_the_form(client, rw):
    login(client, rw.world.a.case_worker)
    response = client.post(
        url("characteristics", rw),
        {
            "problem_areas": ["parenting", "addiction"],
            "household": "two_parents",
            "high_conflict_divorce": "no",
            "migration_background": "unknown",
            "parent_intellectual_disability": "unknown",
            "ending": "",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.problem_areas == ["parenting", "addiction"]
    page = client.get(url("registration", rw)).content.decode()
    assert 'id="children-ages">9<' in page
    # A second form opened at version 1 is refused after the first saved.
    client.post(
        url("characteristics", rw),
        {
            "version": 1,
            "household": "kin",
            "high_conflict_divorce": "no",
            "migration_background": "unknown",
            "parent_intellectual_disability": "unknown",
        },
    )
    stale = client.post(
        url("characteristics", rw),
        {
            "version": 1,
            "household": "foster",
            "high_conflict_divorce": "no",
            "migration_background": "unknown",
            "parent_intellectual_disability": "unknown",
        },
    )
    assert stale.status_code == 409
    assert Registration.objects.get().household == "kin"


def test_an_outcome_moment_with_bad_input_shows_the_message_and_saves_nothing(client, rw):
    login(client, rw.world.a.case_worker)
    bad = client.post(
        url("outcome", rw, moment="t1"),
        {
            "measured_on": "2025-01-01",
            "informant": "professional",
            "maltreatment_indication": "no",
            "risk_level": "low",
            "professional_care": "yes",
            "supervision_order": "no",
            "placement": "at_home",
            "returned_home": "unknown",
            "without_help": "no",
        },
    )
    assert bad.status_code == 200
    assert "voordat het traject werd aangeboden" in bad.content.decode()
    assert not OutcomeMeasurement.objects.exists()
    good = client.post(
        url("outcome", rw, moment="t1"),
        {
            "measured_on": "2026-05-01",
            "informant": "professional",
            "maltreatment_indication": "no",
            "risk_level": "low",
            "professional_care": "yes",
            "supervision_order": "no",
            "placement": "in_network",
            "returned_home": "unknown",
            "without_help": "no",
        },
    )
    assert good.status_code == 302
    assert OutcomeMeasurement.objects.get().placement == "in_network"
    assert client.get(url("outcome", rw, moment="t9")).status_code == 404


def test_instruments_are_entered_from_paper_and_scored(client, rw):
    login(client, rw.world.a.case_worker)
    form = client.get(url("administration_add", rw, instrument_code="sos_safety_scale", mode="items"))
    assert form.status_code == 200
    response = client.post(
        url("administration_add", rw, instrument_code="sos_safety_scale", mode="items"),
        {
            "moment": "t0",
            "respondent": "parent",
            "respondent_person": rw.mw.oma.pk,
            "administered_on": "2026-02-10",
            "v_safety": "3",
        },
    )
    assert response.status_code == 302
    page = client.get(url("registration", rw)).content.decode()
    assert "<strong>3</strong>" in page


def test_a_licensed_instrument_says_so_and_shows_no_item_text(client, rw):
    login(client, rw.world.a.case_worker)
    body = client.get(url("administration_add", rw, instrument_code="fes", mode="items")).content.decode()
    assert 'id="licence-notice"' in body
    assert "auteursrecht" in body
    client.cookies["django_language"] = "en"
    english = client.get(url("administration_add", rw, instrument_code="fes", mode="totals")).content.decode()
    assert "protected by copyright" in english
    bad = client.post(
        url("administration_add", rw, instrument_code="fes", mode="totals"),
        {"moment": "t0", "respondent": "parent", "administered_on": "2026-02-10", "v_total": "9999"},
    )
    assert bad.status_code == 200 and not Administration.objects.exists()


def test_outsiders_get_404_and_are_logged_and_a_co_worker_cannot_open_the_forms(client, rw):
    login(client, rw.world.b.case_worker)
    for name, kwargs in (("registration", {}), ("characteristics", {}), ("outcome", {"moment": "t0"})):
        assert client.get(url(name, rw, **kwargs)).status_code == 404
    assert client.get(url("list", rw)).status_code == 404
    assert AccessLogEntry.objects.filter(action="denied", user=rw.world.b.case_worker).exists()
    login(client, rw.world.a.other_worker)
    assert client.get(url("registration", rw)).status_code == 200
    assert client.get(url("characteristics", rw)).status_code == 403
    refused = client.post(
        url("outcome", rw, moment="t0"),
        {
            "measured_on": "2026-02-03",
            "informant": "professional",
            "maltreatment_indication": "no",
            "risk_level": "low",
            "professional_care": "yes",
            "supervision_order": "no",
            "placement": "at_home",
            "returned_home": "unknown",
            "without_help": "no",
        },
    )
    assert refused.status_code == 403
    assert not OutcomeMeasurement.objects.exists()


def test_taking_out_an_administration(client, rw):
    record = services.record_administration(
        rw.worker,
        rw.case.pk,
        rw.trajectory.pk,
        {
            "instrument": "sos_safety_scale",
            "mode": "items",
            "moment": "t0",
            "respondent": "professional",
            "administered_on": D(2026, 2, 10),
        },
        {"safety": 7},
    )
    login(client, rw.world.a.case_worker)
    target = url("administration_remove", rw, administration_id=record.pk)
    assert client.get(target).status_code == 200
    assert client.post(target, {"version": record.version}).status_code == 302
    assert not Administration.objects.exists()
