"""Issue 15 item 5, the gaps: a retention period lengthened by hand (never shortened below the rule), the retention
API for the privacy officer (periods, files due and a batch, requests judged with the entitled-person check and the
legal exceptions), and the answer to a request as a letter in Dutch with the legal term and the route of complaint,
with the answers owed shown earliest due first."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseStatus
from kring.cases.models import Case, ParentalAuthority, Person
from kring.core.actor import Actor
from kring.retention import services
from kring.retention.models import DestructionBatch, DestructionRequest, RetentionExtension, RetentionPeriod

from ..factories import make_api_token, make_case


def closed_case(team, worker, ended=False):
    case = make_case(team, worker, persons=2)
    case.status, case.closure_reason, case.closed_on = CaseStatus.CLOSED, "goals_reached", datetime.date(2026, 1, 10)
    case.save()
    if ended:
        RetentionPeriod.objects.filter(case=case).update(retain_until=datetime.date(2026, 1, 1))
    return case


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeezed(text: str) -> str:
    """Without any spaces: pypdf splits a word where the font kerns (\"T est\")."""
    return "".join(text.split())


def api(client, user):
    headers = {"HTTP_AUTHORIZATION": f"Token {make_api_token(user)}"}

    def call(method, path, data=None):
        return getattr(client, method)(path, data=data, content_type="application/json", **headers)

    return call


# ---- extension by hand ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_officer_lengthens_a_period_with_a_reason_and_it_is_never_shortened(world, client):
    case = closed_case(world.a.team, world.a.case_worker)
    period = RetentionPeriod.objects.get(case=case)
    rule_end = period.retain_until
    url = reverse("retention:period", args=[period.pk])
    client.force_login(world.a.privacy_officer)
    page = client.get(url)
    assert page.status_code == 200 and case.number in page.content.decode()
    form = {"current_until": rule_end.isoformat(), "reason": "legal_procedure", "explanation": "Rechtszaak 2031/17"}
    earlier = client.post(url, {**form, "new_until": (rule_end - datetime.timedelta(days=1)).isoformat()})
    same = client.post(url, {**form, "new_until": rule_end.isoformat()})
    unexplained = client.post(url, {**form, "explanation": " ", "new_until": "2050-01-01"})
    assert earlier.status_code == same.status_code == unexplained.status_code == 400
    assert "langer" in earlier.content.decode() or "later than" in earlier.content.decode()
    assert RetentionPeriod.objects.get(pk=period.pk).retain_until == rule_end
    assert not RetentionExtension.objects.exists()

    later = datetime.date(rule_end.year + 5, 6, 30)
    assert client.post(url, {**form, "new_until": later.isoformat()}).status_code == 302
    extension = RetentionExtension.objects.get()
    assert (extension.previous_until, extension.new_until, extension.recorded_by) == (
        rule_end,
        later,
        world.a.privacy_officer,
    )
    assert RetentionPeriod.objects.get(pk=period.pk).retain_until == later
    assert AccessLogEntry.objects.filter(case_id=case.pk, action="update", detail="retention extended").exists()
    # A form read before the change is refused, not applied over it.
    stale = client.post(url, {**form, "new_until": datetime.date(rule_end.year + 9, 1, 1).isoformat()})
    assert stale.status_code == 400
    assert RetentionPeriod.objects.get(pk=period.pk).retain_until == later
    # Saving the case again (a correction of the closing reason) keeps the later end.
    case = Case.objects.get(pk=case.pk)
    case.closure_reason = "moved"
    case.save()
    assert RetentionPeriod.objects.get(pk=period.pk).retain_until == later
    history = client.get(url).content.decode()
    assert "Rechtszaak 2031/17" in history


@pytest.mark.django_db
def test_an_extended_file_is_no_longer_due_and_others_cannot_extend(world, client):
    case = closed_case(world.a.team, world.a.case_worker, ended=True)
    period = RetentionPeriod.objects.get(case=case)
    actor = Actor(world.a.privacy_officer)
    assert [p.case_id for p in services.due_for_destruction(actor)] == [case.pk]
    # The rule's end (20 years after 2026) is the floor, even though the stored end had passed.
    with pytest.raises(Exception) as refused:
        services.extend_period(actor, period.pk, datetime.date(2030, 1, 1), "good_care", "Zorg voor het kind")
    assert "new_until" in refused.value.message_dict
    services.extend_period(actor, period.pk, datetime.date(2047, 1, 1), "good_care", "Broertje nog in zorg")
    assert services.due_for_destruction(actor) == []
    url = reverse("retention:period", args=[period.pk])
    client.force_login(world.b.privacy_officer)
    assert client.get(url).status_code == 404
    client.force_login(world.a.case_worker)
    assert client.post(url, {"new_until": "2060-01-01"}).status_code == 403
    assert AccessLogEntry.objects.filter(user=world.b.privacy_officer, action="denied").exists()
    assert AccessLogEntry.objects.filter(user=world.a.case_worker, action="denied").exists()


@pytest.mark.django_db
def test_the_officer_finds_a_file_by_number(world, client):
    case = closed_case(world.a.team, world.a.case_worker)
    open_case = make_case(world.a.team, world.a.case_worker)
    client.force_login(world.a.privacy_officer)
    found = client.get(reverse("retention:find"), {"number": case.number})
    assert found.status_code == 302 and found.url == reverse(
        "retention:period", args=[RetentionPeriod.objects.get(case=case).pk]
    )
    assert client.get(reverse("retention:find"), {"number": open_case.number}).status_code == 400
    assert client.get(reverse("retention:find"), {"number": "X-0000"}).status_code == 400


# ---- the API ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_reads_and_extends_periods_and_approves_a_batch(world, client):
    due = closed_case(world.a.team, world.a.case_worker, ended=True)
    kept = closed_case(world.a.team, world.a.case_worker)
    elsewhere = closed_case(world.b.team, world.b.case_worker, ended=True)
    call = api(client, world.a.privacy_officer)
    listed = call("get", "/api/v1/retention/periods/")
    assert listed.status_code == 200
    assert {p["case"] for p in listed.json()} == {due.pk, kept.pk}
    one = call("get", f"/api/v1/retention/periods/?case={kept.pk}").json()
    assert [p["case_number"] for p in one] == [kept.number]
    period = one[0]
    assert call("get", f"/api/v1/retention/periods/{period['id']}/").json()["retain_until"] == period["retain_until"]
    other = RetentionPeriod.objects.get(case=elsewhere)
    assert call("get", f"/api/v1/retention/periods/{other.pk}/").status_code == 404

    extend = f"/api/v1/retention/periods/{period['id']}/extensions/"
    body = {"new_until": "2030-01-01", "reason": "person_asked", "explanation": "Op verzoek van de jongere"}
    assert call("post", extend, body).status_code == 400
    later = datetime.date.fromisoformat(period["retain_until"]).replace(month=12, day=31).isoformat()
    created = call("post", extend, {**body, "new_until": later})
    assert created.status_code == 201 and created.json()["new_until"] == later
    assert call("get", f"/api/v1/retention/periods/{period['id']}/").json()["extensions"][0]["reason"] == "person_asked"
    assert call("post", extend, {**body, "new_until": later, "shorter": True}).status_code == 400

    assert [p["case"] for p in call("get", "/api/v1/retention/due/").json()] == [due.pk]
    assert call("post", "/api/v1/retention/batches/", {"cases": [due.pk], "confirm": False}).status_code == 400
    assert call("post", "/api/v1/retention/batches/", {"cases": [elsewhere.pk], "confirm": True}).status_code == 403
    approved = call("post", "/api/v1/retention/batches/", {"cases": [due.pk], "confirm": True})
    assert approved.status_code == 201 and approved.json()["case_ids"] == [due.pk]
    assert DestructionBatch.objects.get().approved_by == world.a.privacy_officer

    worker = api(client, world.a.case_worker)
    for path in ("/api/v1/retention/periods/", "/api/v1/retention/due/", "/api/v1/retention/requests/"):
        assert worker("get", path).status_code == 403
    assert worker("post", extend, {**body, "new_until": "2099-01-01"}).status_code == 403


@pytest.mark.django_db
def test_the_api_judges_a_request_with_the_entitled_person_and_the_legal_exceptions(world, client):
    case = closed_case(world.a.team, world.a.case_worker)
    child, parent = Person.objects.filter(case=case).order_by("-is_central", "pk")
    Person.objects.filter(pk=child.pk).update(birth_date=datetime.date(2018, 1, 1))
    call = api(client, world.a.privacy_officer)
    received = timezone.localdate().isoformat()
    made = call(
        "post", "/api/v1/retention/requests/", {"case": case.pk, "requested_by": child.pk, "received_on": received}
    )
    assert made.status_code == 201
    record = made.json()
    assert record["requester_entitled"] is False and record["decision"] == "pending"
    decide = f"/api/v1/retention/requests/{record['id']}/decision/"
    granted = {"decision": "granted", "legal_exception": "", "answer": "Ja.", "version": 1}
    assert call("post", decide, granted).status_code == 400  # an 8-year-old cannot have it destroyed alone
    assert call("post", decide, {**granted, "decision": "refused"}).status_code == 400  # no legal exception
    assert call("post", decide, {**granted, "decision": "pending"}).status_code == 400
    refused = call("post", decide, {**granted, "decision": "refused", "legal_exception": "not_entitled"})
    assert refused.status_code == 200 and refused.json()["has_letter"] is True
    assert call("post", decide, {**granted, "version": 2}).status_code == 400  # answered already
    elsewhere = closed_case(world.b.team, world.b.case_worker)
    foreign = {"case": elsewhere.pk, "requested_by": parent.pk, "received_on": received}
    assert call("post", "/api/v1/retention/requests/", foreign).status_code == 404
    assert api(client, world.b.privacy_officer)("get", f"/api/v1/retention/requests/{record['id']}/").status_code == 404

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
    by_parent = call(
        "post", "/api/v1/retention/requests/", {"case": case.pk, "requested_by": parent.pk, "received_on": received}
    ).json()
    assert by_parent["requester_entitled"] is True
    done = call("post", f"/api/v1/retention/requests/{by_parent['id']}/decision/", granted)
    assert done.status_code == 200 and done.json()["case"] is None and done.json()["answer"] == ""
    assert not Case.objects.filter(pk=case.pk).exists()
    letter = call("get", f"/api/v1/retention/requests/{by_parent['id']}/letter/")
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    text = pdf_text(letter.content)
    assert "vernietigd" in text
    assert squeezed(parent.last_name) not in squeezed(text) and squeezed(case.number) not in squeezed(text)


# ---- the answer letter and the answers owed ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refusal_is_a_letter_in_dutch_with_the_term_and_the_route_of_complaint(world, client):
    case = closed_case(world.a.team, world.a.case_worker)
    child = Person.objects.get(case=case, is_central=True)
    Person.objects.filter(pk=child.pk).update(birth_date=datetime.date(2010, 1, 1), address="Dorpsstraat 1, Utrecht")
    actor = Actor(world.a.privacy_officer)
    record = services.record_request(actor, case, child.pk, datetime.date(2026, 11, 30))
    client.force_login(world.a.privacy_officer)
    page = client.get(reverse("retention:request", args=[record.pk]))
    assert reverse("retention:letter", args=[record.pk]) not in page.content.decode()
    assert client.get(reverse("retention:letter", args=[record.pk])).status_code == 404
    services.decide_request(actor, record.pk, "refused", "others_interest", "Uw broertje is nog in zorg.", 1)
    answer = client.get(reverse("retention:letter", args=[record.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    text = squeezed(pdf_text(answer.content))
    assert squeezed(child.full_name) in text and "Dorpsstraat1,Utrecht" in text
    assert "30november2026" in text and "28februari2027" in text  # received, and due within three months
    assert "7.3.9" in text and "aanmerkelijkbelang" in text and "Uwbroertjeisnoginzorg." in text
    assert "AutoriteitPersoonsgegevens" in text and "UAVG" in text
    assert "VlaamseToezichtcommissie" not in text
    assert AccessLogEntry.objects.filter(
        user=world.a.privacy_officer, action="export", record_type="person", record_id=str(child.pk)
    ).exists()
    # When the file is destroyed later, the letter that names the requester goes with it.
    from kring.retention.destruction import destroy_case

    destroy_case(actor, case)
    kept = DestructionRequest.objects.get(pk=record.pk)
    assert bytes(kept.letter) == b"" and kept.decision == "refused"


@pytest.mark.django_db
def test_a_flemish_letter_names_the_flemish_supervisors_and_keeps_a_confidential_address_out(world):
    case = closed_case(world.b.team, world.b.case_worker)
    child = Person.objects.get(case=case, is_central=True)
    Person.objects.filter(pk=child.pk).update(
        birth_date=datetime.date(2010, 1, 1),
        address="Geheime straat 9",
        contact_confidentiality="address",
        confidentiality_reason="opvang",
    )
    actor = Actor(world.b.privacy_officer)
    record = services.record_request(actor, case, child.pk, datetime.date(2026, 11, 30))
    services.decide_request(actor, record.pk, "refused", "legal_duty", "Het decreet verplicht ons.", 1)
    _record, content = services.answer_letter(actor, record.pk)
    text = squeezed(pdf_text(content))
    assert "VlaamseToezichtcommissie" in text and "Gegevensbeschermingsautoriteit" in text
    assert "éénmaand" in text and "30december2026" in text
    assert "Geheimestraat" not in text and "AutoriteitPersoonsgegevens" not in text


@pytest.mark.django_db
def test_the_answers_owed_show_earliest_due_first_with_the_time_left(world, client):
    case = closed_case(world.a.team, world.a.case_worker)
    child = Person.objects.get(case=case, is_central=True)
    actor = Actor(world.a.privacy_officer)
    today = timezone.localdate()
    late = services.record_request(actor, case, child.pk, today - datetime.timedelta(days=100))
    fresh = services.record_request(actor, case, child.pk, today)
    assert [r.pk for r in services.open_requests(actor)] == [late.pk, fresh.pk]
    client.force_login(world.a.privacy_officer)
    page = client.get(reverse("retention:index")).content.decode()
    owed = page.split('class="overdue"')
    assert len(owed) == 2  # only the late one is overdue
    overdue_days = (today - late.due_on).days
    assert f"{overdue_days} dagen te laat" in page or f"{overdue_days} days overdue" in page
    first = page.index(reverse("retention:request", args=[late.pk]))
    assert first < page.index(reverse("retention:request", args=[fresh.pk]))
