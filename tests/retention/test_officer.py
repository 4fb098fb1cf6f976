"""The privacy officer's path: only the privacy officer of the organisation sees the files due, approves a batch and
answers requests to destroy; others are refused (403/404) and the refusal is logged. The worker's task destroys the
approved cases. Requests: the legal term from the rules, the decision validated."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseStatus
from kring.cases.models import Case, ParentalAuthority, Person
from kring.core.actor import Actor
from kring.retention import services
from kring.retention.models import DestroyedCase, DestructionBatch, DestructionRequest, RetentionPeriod
from kring.retention.tasks import run_batch

from ..factories import make_case


def closed_case(team, worker, ended=True, **fields):
    case = make_case(team, worker, persons=2, **fields)
    case.status, case.closure_reason, case.closed_on = CaseStatus.CLOSED, "goals_reached", datetime.date(2026, 1, 10)
    case.save()
    if ended:
        RetentionPeriod.objects.filter(case=case).update(retain_until=datetime.date(2026, 1, 1))
    return case


@pytest.mark.django_db
def test_the_officer_approves_a_batch_and_the_worker_destroys_it(world, client, django_capture_on_commit_callbacks):
    due = closed_case(world.a.team, world.a.case_worker)
    kept = closed_case(world.a.team, world.a.case_worker, ended=False)
    elsewhere = closed_case(world.b.team, world.b.case_worker)
    client.force_login(world.a.privacy_officer)
    page = client.get(reverse("retention:index"))
    assert page.status_code == 200
    text = page.content.decode()
    assert due.number in text and kept.number not in text and elsewhere.number not in text
    refused = client.post(reverse("retention:approve"), {"cases": [due.pk]})
    assert refused.status_code == 400  # without the confirmation
    assert Case.objects.filter(pk=due.pk).exists()
    with django_capture_on_commit_callbacks(execute=False):
        answer = client.post(reverse("retention:approve"), {"cases": [due.pk], "confirm": "on"})
    assert answer.status_code == 302
    batch = DestructionBatch.objects.get()
    assert batch.case_ids == [due.pk] and batch.approved_by == world.a.privacy_officer
    assert run_batch.call(batch.pk) == [due.pk]
    assert not Case.objects.filter(pk=due.pk).exists()
    assert Case.objects.filter(pk__in=[kept.pk, elsewhere.pk]).count() == 2
    assert DestroyedCase.objects.get().counts["cases.person"] == 2
    entry = AccessLogEntry.objects.get(case_id=due.pk, action="delete")
    assert entry.user == world.a.privacy_officer and entry.detail == "destroyed"


@pytest.mark.django_db
def test_a_case_from_another_organisation_or_not_due_cannot_be_approved(world):
    elsewhere = closed_case(world.b.team, world.b.case_worker)
    not_due = closed_case(world.a.team, world.a.case_worker, ended=False)
    actor = Actor(world.a.privacy_officer)
    for case in (elsewhere, not_due):
        with pytest.raises(PermissionDenied):
            services.approve_batch(actor, [case.pk])
    assert not DestructionBatch.objects.exists()
    assert AccessLogEntry.objects.filter(action="denied", case_id=elsewhere.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_worker", "lead", "administrator", "researcher"])
def test_others_are_refused_and_the_refusal_is_logged(world, client, role):
    closed_case(world.a.team, world.a.case_worker)
    user = getattr(world.a, role)
    client.force_login(user)
    before = AccessLogEntry.objects.filter(user=user, action="denied").count()
    assert client.get(reverse("retention:index")).status_code == 403
    assert client.post(reverse("retention:approve"), {"cases": [1], "confirm": "on"}).status_code == 403
    assert AccessLogEntry.objects.filter(user=user, action="denied").count() > before


@pytest.mark.django_db
def test_another_organisations_officer_does_not_find_the_request(world, client):
    case = closed_case(world.a.team, world.a.case_worker)
    child = Person.objects.get(case=case, is_central=True)
    record = services.record_request(Actor(world.a.privacy_officer), case, child.pk, datetime.date(2026, 11, 30))
    client.force_login(world.b.privacy_officer)
    assert client.get(reverse("retention:request", args=[record.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(user=world.b.privacy_officer, action="denied").exists()


@pytest.mark.django_db
def test_a_request_is_answered_within_the_legal_term_and_validated(world, client, django_capture_on_commit_callbacks):
    case = closed_case(world.a.team, world.a.case_worker, ended=False)
    child, parent = Person.objects.filter(case=case).order_by("-is_central", "pk")
    Person.objects.filter(pk=parent.pk).update(birth_date=datetime.date(1985, 1, 1))
    Person.objects.filter(pk=child.pk).update(birth_date=datetime.date(2018, 1, 1))  # 8 years old
    actor = Actor(world.a.privacy_officer)
    record = services.record_request(actor, case, child.pk, datetime.date(2026, 11, 30))
    assert record.due_on == datetime.date(2027, 2, 28)  # three months (Jeugdwet art. 7.3.9)
    vl_case = closed_case(world.b.team, world.b.case_worker, ended=False)
    vl_child = Person.objects.get(case=vl_case, is_central=True)
    vl_record = services.record_request(
        Actor(world.b.privacy_officer), vl_case, vl_child.pk, datetime.date(2026, 11, 30)
    )
    assert vl_record.due_on == datetime.date(2026, 12, 30)  # one month (AVG art. 12)

    client.force_login(world.a.privacy_officer)
    url = reverse("retention:request", args=[record.pk])
    # A refusal needs its legal exception; an 8-year-old cannot have the file destroyed on her own.
    page = client.post(url, {"version": 1, "decision": "refused", "legal_exception": "", "answer": "Nee."})
    assert page.status_code == 400
    assert "Een afwijzing" in page.content.decode() or "refusal needs" in page.content.decode()
    page = client.post(url, {"version": 1, "decision": "granted", "legal_exception": "", "answer": "Ja."})
    assert page.status_code == 400
    assert DestructionRequest.objects.get(pk=record.pk).decision == "pending"
    assert Case.objects.filter(pk=case.pk).exists()
    # The parent holds authority over the child, so the parent's request can be granted: the file is destroyed.
    ParentalAuthority.objects.create(
        case=case,
        organisation=case.organisation,
        child=child,
        kind="parent",
        holder=parent,
        source="by_law",
        starts_on=datetime.date(2018, 1, 1),
        recorded_by=world.a.case_worker,
    )
    by_parent = services.record_request(actor, case, parent.pk, datetime.date(2026, 12, 1))
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("retention:request", args=[by_parent.pk]),
            {"version": 1, "decision": "granted", "legal_exception": "", "answer": "Uw dossier is vernietigd."},
        )
    assert page.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    kept = DestructionRequest.objects.get(pk=by_parent.pk)
    assert kept.decision == "granted" and kept.case is None and kept.requested_by is None and kept.answer == ""
    assert kept.answered_on is not None
    assert DestroyedCase.objects.get().reason == "request"
