"""Questionnaires filled in by a network member through their personal link: only instruments whose questions
may be shown can be asked for; the link holder sees only their own, answers once, and the answers are scored and
registered with the link holder as respondent; everything else behind the link answers the same 404."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kring.audit.models import AccessLogEntry
from kring.measures import services
from kring.measures.models import Administration, AdministrationScore, QuestionnaireRequest
from kring.plans.links import services as link_services
from tests.plans.conftest import accept, submitted_plan

pytestmark = pytest.mark.django_db

ANSWERS = {
    "useful": 4,
    "heard": 5,
    "talked_about": 2,
    "family_lead": 4,
    "professionals_decided": 1,
    "coordinator": 5,
    "own_plan": 4,
    "recommend": 5,
    "mark": 8,
}


@pytest.fixture(autouse=True)
def clean_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def linked(mw):
    p = submitted_plan(mw)
    accept(p)
    link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, mw.oma.pk)
    other, other_token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, mw.piet.pk)
    return p, link, token, other, other_token


def ask(p, link, **data):
    return services.request_questionnaire(
        p.worker,
        p.case.pk,
        p.trajectory.pk,
        {"link": link.pk, "instrument": "kring_satisfaction", "moment": "t1", "respondent": "network_member", **data},
    )


def ask_link_id(p, link_id):
    return services.request_questionnaire(
        p.worker,
        p.case.pk,
        p.trajectory.pk,
        {"link": link_id, "instrument": "kring_satisfaction", "moment": "t1", "respondent": "network_member"},
    )


def test_only_instruments_that_may_be_shown_can_be_asked_for(linked):
    p, link, _token, _other, _other_token = linked
    with pytest.raises(ValidationError) as caught:
        ask(p, link, instrument="fes")
    assert "instrument" in caught.value.message_dict
    with pytest.raises(ValidationError):
        ask(p, link, respondent="professional")
    with pytest.raises(ValidationError):
        ask_link_id(p, 999999)
    ask(p, link)
    with pytest.raises(ValidationError):  # asked once per moment
        ask(p, link)
    assert QuestionnaireRequest.objects.count() == 1


def test_a_co_worker_cannot_ask(linked):
    p, link, *_rest = linked
    from kring.cases import services as case_services
    from tests.factories import actor

    case_services.add_team_member(p.worker, p.case.pk, p.world.a.other_worker.pk, "co_worker")
    with pytest.raises(PermissionDenied):
        services.request_questionnaire(
            actor(p.world.a.other_worker),
            p.case.pk,
            p.trajectory.pk,
            {"link": link.pk, "instrument": "kring_satisfaction", "moment": "t1", "respondent": "network_member"},
        )


def test_the_link_holder_fills_it_in_once_and_it_is_scored(linked):
    p, link, token, _other, other_token = linked
    request = ask(p, link)
    client = Client()
    home = client.get(f"/l/{token}/").content.decode()
    assert 'id="link-extras"' in home and f"/l/{token}/questionnaires/{request.pk}/" in home
    assert f"questionnaires/{request.pk}" not in client.get(f"/l/{other_token}/").content.decode()
    form = client.get(f"/l/{token}/questionnaires/{request.pk}/")
    assert form.status_code == 200 and "De hulp heeft ons echt verder geholpen." in form.content.decode()
    bad = client.post(f"/l/{token}/questionnaires/{request.pk}/", {"v_useful": "9"})
    assert bad.status_code == 400 and not Administration.objects.exists()
    sent = client.post(f"/l/{token}/questionnaires/{request.pk}/", {f"v_{k}": v for k, v in ANSWERS.items()})
    assert sent.status_code == 302
    administration = Administration.objects.get()
    assert (administration.mode, administration.respondent_person_id, administration.entered_by_id) == (
        "link",
        p.mw.oma.pk,
        None,
    )
    assert AdministrationScore.objects.get(administration=administration, score_code="mark").value == 8
    assert AccessLogEntry.objects.filter(
        record_type="instrument_administration", action="create", user__isnull=True
    ).exists()
    # Answered: the questionnaire is gone from the link and cannot be sent again.
    assert client.get(f"/l/{token}/questionnaires/{request.pk}/").status_code == 404
    assert (
        client.post(f"/l/{token}/questionnaires/{request.pk}/", {f"v_{k}": v for k, v in ANSWERS.items()}).status_code
        == 404
    )
    assert Administration.objects.count() == 1


def test_another_links_questionnaire_and_wrong_links_get_the_same_404(linked):
    p, link, token, other, other_token = linked
    request = ask(p, link)
    client = Client()
    assert client.get(f"/l/{other_token}/questionnaires/{request.pk}/").status_code == 404
    assert client.get(f"/l/{'x' * 43}/questionnaires/{request.pk}/").status_code == 404
    assert client.get(f"/l/{token}/questionnaires/99999999999999999999/").status_code == 404
    link_services.revoke_link(p.coordinator, p.case.pk, link.pk)
    assert client.get(f"/l/{token}/questionnaires/{request.pk}/").status_code == 404
    assert AccessLogEntry.objects.filter(record_type="personal_link", action="denied").exists()
