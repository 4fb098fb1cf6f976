"""Issue 15, item 6, second round: meetings, Signs of Safety, measures, trajectories, consents and authority in the
answer; withholding any kind of record with a reason; the complete API; stale edits refused (decisions 205-209)."""

import datetime
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.cases.models import CapabilityJudgement, Consent, NoContact, ParentalAuthority
from kring.core.errors import StaleEdit
from kring.documents import services as document_services
from kring.measures.models import Administration, OutcomeMeasurement, Registration
from kring.meetings.models import Attendance, InformationContribution, Invitation, Meeting, MeetingPart
from kring.plans.models import DangerStatement, Plan, SafetyMapEntry, SafetyNetworkMember, SafetyScaleRating
from kring.privacy import services
from kring.privacy.gathering import gather
from kring.privacy.models import RectificationRequest, SubjectAccessRequest, WithheldItem
from kring.trajectories.models import Trajectory, TrajectoryEvent
from tests.conftest import documents_stored_in
from tests.documents import samples
from tests.factories import actor, make_api_token
from tests.journal.helpers import family, write

pytestmark = pytest.mark.django_db
D = datetime.date

SHARED_INFO = "De school meldt dat Sam elke dag op tijd is."
UNSHARED_INFO = "Nog niet gedeeld: zorg van de huisarts."
MAP_TEXT = "Oma haalt Sam elke dag van school."
DANGER = "Als er thuis geslagen wordt, raakt Sam gewond."
OTHERS_RATING = "Vader geeft een 3 omdat hij bang is."
OWN_RATING = "Ik geef een 7."
FATHERS_ANSWERS = "vader-vragenlijst"
MARK_REASON = "Moeder verblijft in een opvang."


@pytest.fixture(autouse=True)
def documents_in_a_folder_of_their_own(settings, tmp_path):
    settings.STORAGES = documents_stored_in(tmp_path / "documents")


def _case_bits(case):
    return {"case": case, "organisation_id": case.organisation_id}


def build(world, copies=1):
    """On world.a.case: a child (central), mother and father, and per kind of record ``copies`` records that concern
    the child, written straight into the tables (the stages' own rules are tested in their apps)."""
    a = world.a
    case, worker = a.case, a.case_worker
    child, mother, father = family(case)
    child.first_name, child.last_name = "Sam", "Kind"
    child.save()
    bits = _case_bits(case)
    t = Trajectory.objects.create(
        **bits,
        team=case.team,
        method_code="signs_of_safety",
        method_version="1",
        offered_on=D(2026, 2, 1),
        offered_by=worker,
        status="accepted",
    )
    TrajectoryEvent.objects.create(
        trajectory=t, organisation_id=case.organisation_id, kind="status", from_value="offered", to_value="accepted",
        on=D(2026, 2, 2), by=worker, note="Ouders stemden in.",
    )  # fmt: skip
    plan = Plan.objects.create(**bits, trajectory=t, plan_type="safety_plan", written_by=worker)
    start = timezone.make_aware(datetime.datetime(2026, 3, 2, 19, 0))
    for n in range(copies):
        meeting = Meeting.objects.create(
            **bits, trajectory=t, kind="network_meeting", starts_at=start + datetime.timedelta(days=n),
            ends_at=start + datetime.timedelta(days=n, hours=2), place="Buurthuis De Kring", created_by=worker,
        )  # fmt: skip
        part = MeetingPart.objects.create(
            meeting=meeting, organisation_id=case.organisation_id, kind="opening", order=1
        )
        for person in (child, father):
            invitation = Invitation.objects.create(
                meeting=meeting, **bits, person=person, role="child" if person == child else "parent",
                answer="yes", mode="in_person", invited_on=D(2026, 2, 20), invited_by=worker,
                preparation_note=f"Voorbereiding met {person.first_name}.",
            )  # fmt: skip
            Attendance.objects.create(
                part=part, organisation_id=case.organisation_id, invitation=invitation, present=True
            )
        InformationContribution.objects.create(
            meeting=meeting, organisation_id=case.organisation_id, author_name="Juf Anna", author_organisation="School",
            text=SHARED_INFO, shared_with_all=True, shared_on=D(2026, 2, 28), created_by=worker,
        )  # fmt: skip
        InformationContribution.objects.create(
            meeting=meeting, organisation_id=case.organisation_id, author_name="Dokter", text=UNSHARED_INFO,
            created_by=worker,
        )  # fmt: skip
        SafetyMapEntry.objects.create(**bits, plan=plan, column="strengths", text=MAP_TEXT, created_by=worker)
        DangerStatement.objects.create(**bits, plan=plan, statement=DANGER, safety_goal="Sam is thuis veilig.")
        SafetyScaleRating.objects.create(
            **bits, plan=plan, rated_on=D(2026, 3, 3), person=child, score=7, note=OWN_RATING, recorded_by=worker
        )
        SafetyScaleRating.objects.create(
            **bits, plan=plan, rated_on=D(2026, 3, 3), person=father, score=3, note=OTHERS_RATING, recorded_by=worker
        )
        Administration.objects.create(
            **bits, trajectory=t, instrument_code="sdq", instrument_version="1", moment="t0", respondent="child",
            respondent_person=child, administered_on=D(2026, 2, 3), mode="items", responses={"q1": 2},
        )  # fmt: skip
        Administration.objects.create(
            **bits, trajectory=t, instrument_code="sdq", instrument_version="1", moment="t0", respondent="parent",
            respondent_person=father, administered_on=D(2026, 2, 3), mode="items", responses={FATHERS_ANSWERS: 1},
        )  # fmt: skip
        Consent.objects.create(**bits, person=mother, purpose="share_plan", given_on=D(2026, 2, 2), recorded_by=worker)
        CapabilityJudgement.objects.create(
            **bits, child=child, purpose="share_plan", capable=False, judged_on=D(2026, 2, 2),
            note="Sam is acht jaar.", recorded_by=worker,
        )  # fmt: skip
        ParentalAuthority.objects.create(
            **bits, child=child, kind="parent", holder=mother, source="by_law", starts_on=D(2018, 1, 1),
            recorded_by=worker,
        )  # fmt: skip
    SafetyNetworkMember.objects.create(**bits, plan=plan, person=child, role="vertelt het aan oma")
    Registration.objects.create(**bits, trajectory=t, household="both_parents", updated_by=worker)
    OutcomeMeasurement.objects.create(
        **bits, trajectory=t, moment="t0", measured_on=D(2026, 2, 3), recorded_by=worker, note="Beginmeting."
    )
    NoContact.objects.create(**bits, person=child, kept_from=father, reason="Vader mag Sam niet benaderen.",
                             recorded_by=worker)  # fmt: skip
    NoContact.objects.create(**bits, person=mother, kept_from=child, reason=MARK_REASON, recorded_by=worker)
    document = document_services.add_document(
        actor(worker),
        case.pk,
        {"title": "Verslag over Sam", "kind": "report", "description": "", "person": child.pk},
        "verslag.pdf",
        samples.PDF,
    )
    return SimpleNamespace(world=world, child=child, mother=mother, father=father, trajectory=t, plan=plan,
                           document=document)  # fmt: skip


def ask(w, person):
    return services.record_request(
        actor(w.world.a.privacy_officer),
        {
            "person_id": person.pk,
            "requested_on": timezone.localdate() - datetime.timedelta(days=1),
            "requested_by": "de jongere zelf",
        },
    )


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def w(world):
    return build(world)


def test_the_childs_answer_holds_meetings_safety_measures_trajectory_consents_and_authority(w):
    officer = actor(w.world.a.privacy_officer)
    request = ask(w, w.child)
    archive = zipfile.ZipFile(io.BytesIO(services.export_zip(officer, request.pk)))
    section = {name: json.loads(archive.read(f"{name}.json")) for name in services.SECTIONS}
    meeting = section["meetings"][0]
    assert meeting["invited"] and meeting["present_in"] and meeting["preparation_note"] == "Voorbereiding met Sam."
    assert [c["text"] for c in section["meeting_information"]] == [SHARED_INFO]
    safety_texts = [e["text"] for e in section["safety"]]
    assert MAP_TEXT in safety_texts and DANGER in safety_texts and OWN_RATING in safety_texts
    assert OTHERS_RATING not in safety_texts
    assert "vertelt het aan oma" in safety_texts
    kinds = [m["what"] for m in section["measures"]]
    assert kinds.count("registratie") == 1 and kinds.count("uitkomstmeting") == 1
    assert [m["answers"] for m in section["measures"] if "answers" in m] == [{"q1": 2}]
    assert section["trajectories"][0]["history"][0]["note"] == "Ouders stemden in."
    assert section["consents"][0]["given_by"] == "Mira Ouder"  # given for the central child's care
    assert section["capability"][0]["reasons"] == "Sam is acht jaar."
    assert section["parental_authority"][0]["holder"] == "Mira Ouder"
    assert [n["reason"] for n in section["no_contact"]] == ["Vader mag Sam niet benaderen."]
    everything = json.dumps(section, ensure_ascii=False)
    for never in (UNSHARED_INFO, OTHERS_RATING, FATHERS_ANSWERS, MARK_REASON, "Voorbereiding met Frank"):
        assert never not in everything
    text = pdf_text(archive.read("overzicht.pdf"))
    assert "Bijeenkomsten" in text and "Oma haalt Sam" in text and "Veiligheid" in text


def test_what_rules_hold_back_is_recorded_per_kind_with_its_reason(w):
    officer = actor(w.world.a.privacy_officer)
    request = ask(w, w.child)
    services.produce_export(officer, request.pk)
    held = {(i.record_type, i.reason) for i in WithheldItem.objects.filter(request=request)}
    assert held == {
        ("meeting_information", "team_only"),
        ("safety_rating", "others_privacy"),
        ("instrument_administration", "others_privacy"),
        ("no_contact", "others_safety"),
    }
    text = pdf_text(services.export_pdf(officer, request.pk))
    assert "Niet getoond: 1 stuk. Reden: de veiligheid van een ander" in text
    assert MARK_REASON not in text and UNSHARED_INFO not in text


def test_the_mother_sees_no_meeting_she_was_not_invited_to_nor_the_childs_registration(w):
    officer = actor(w.world.a.privacy_officer)
    export = gather(officer, ask(w, w.mother))
    assert export.sections["meetings"] == [] and export.sections["measures"] == []
    assert [c["purpose"] for c in export.sections["consents"]]  # her own consent
    assert [n["kept_from"] for n in export.sections["no_contact"]] == ["Sam Kind"]


def test_every_record_shown_is_logged_as_exported_and_none_held_back(w):
    officer = actor(w.world.a.privacy_officer)
    request = ask(w, w.child)
    start = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    export = services.gather(officer, request)
    logged = set(AccessLogEntry.objects.filter(id__gt=start, action="export").values_list("record_type", "record_id"))
    assert {(i.kind, str(i.record_id)) for i in export.items} <= logged
    assert {"invitation", "safety_map_entry", "danger_statement", "registration", "trajectory"} <= {
        k for k, _ in logged
    }
    assert not {(h.kind, str(h.record_id)) for h in export.withheld} & logged


def test_the_officer_withholds_any_record_with_a_reason_and_the_letter_counts_it_without_content(w):
    officer = actor(w.world.a.privacy_officer)
    request = ask(w, w.child)
    entry = SafetyMapEntry.objects.get()
    services.withhold(
        officer,
        request.pk,
        {"record_type": "safety_map_entry", "record_id": entry.pk, "reason": "others_privacy",
         "explanation": "Noemt de buurvrouw die de melding deed."},
    )  # fmt: skip
    services.withhold(
        officer,
        request.pk,
        {"record_type": "document", "record_id": w.document.pk, "reason": "subject_protection",
         "explanation": "Advies van de psycholoog: eerst bespreken."},
    )  # fmt: skip
    services.produce_export(officer, request.pk)
    archive = zipfile.ZipFile(io.BytesIO(services.export_zip(officer, request.pk)))
    assert MAP_TEXT not in archive.read("safety.json").decode()
    assert json.loads(archive.read("documents.json")) == []
    assert not [n for n in archive.namelist() if n.startswith("documents/")]
    text = pdf_text(archive.read("overzicht.pdf"))
    assert MAP_TEXT not in text and "Verslag over Sam" not in text and "buurvrouw" not in text
    assert "Reden: de bescherming van de persoon zelf" in text
    by_hand = WithheldItem.objects.filter(request=request, marked_by__isnull=False)
    assert {(i.record_type, i.record_id) for i in by_hand} == {
        ("safety_map_entry", str(entry.pk)),
        ("document", str(w.document.pk)),
    }
    # Produced again: the officer's choices stay, the rules' items are recorded anew beside them.
    services.produce_export(officer, request.pk)
    assert WithheldItem.objects.filter(request=request, marked_by__isnull=False).count() == 2
    assert WithheldItem.objects.filter(request=request, marked_by__isnull=True).count() == 4
    services.release(officer, request.pk, by_hand.get(record_type="document").pk)
    assert gather(officer, request).sections["documents"][0]["title"] == "Verslag over Sam"


def test_withholding_refuses_what_the_answer_does_not_hold_and_needs_a_reason(w):
    officer = actor(w.world.a.privacy_officer)
    request = ask(w, w.child)
    other_rating = SafetyScaleRating.objects.get(person=w.father)
    base = {"record_type": "safety_map_entry", "record_id": SafetyMapEntry.objects.get().pk}
    for changes, field in (
        ({"record_type": "safety_rating", "record_id": other_rating.pk}, "record_id"),  # held back already
        ({"record_type": "case"}, "record_type"),
        ({"reason": "because"}, "reason"),
        ({"explanation": " "}, "explanation"),
        ({"record_id": 2**40}, "record_id"),
    ):
        data = {**base, "reason": "others_privacy", "explanation": "Zie dossier.", **changes}
        with pytest.raises(ValidationError) as error:
            services.withhold(officer, request.pk, data)
        assert field in error.value.message_dict, changes
        assert "\u00a0" not in str(error.value)
    assert not WithheldItem.objects.exists()


def test_a_stale_extension_or_answer_is_refused_with_what_changed(w, client):
    officer = actor(w.world.a.privacy_officer)
    request = ask(w, w.child)
    services.extend_request(officer, request.pk, 1, "Het dossier is groot.", expected_version=1)
    with pytest.raises(StaleEdit):
        services.extend_request(officer, request.pk, 2, "Nog groter.", expected_version=1)
    with pytest.raises(StaleEdit):
        services.close_request(officer, request.pk, "refused", "Kennelijk ongegrond.", expected_version=1)
    request.refresh_from_db()
    assert (request.extended_months, request.status, request.version) == (1, "extended", 2)
    client.force_login(w.world.a.privacy_officer)
    page = client.post(
        reverse("privacy:extend", args=[request.pk]),
        {"extended_months": "2", "extension_reason": "Nog groter.", "version": "1"},
    )
    assert page.status_code == 409
    body = page.content.decode()
    assert "Niet opgeslagen" in body
    assert "Het dossier is groot." in body  # the other officer's reason, shown as it is now
    assert 'name="version" value="2"' in body and "Nog groter." in body  # input kept, at the stored version
    again = client.post(
        reverse("privacy:extend", args=[request.pk]),
        {"extended_months": "2", "extension_reason": "Nog groter.", "version": "2"},
    )
    assert again.status_code == 302
    request.refresh_from_db()
    assert request.extended_months == 2


def test_a_stale_rectification_answer_is_refused(w, client):
    officer = actor(w.world.a.privacy_officer)
    entry = write(w.world.a.case_worker, w.world.a.case, visibility="family")
    rectification = services.record_rectification(
        officer,
        {"person_id": w.child.pk, "record_type": "journal_entry", "record_id": entry.pk,
         "requested_on": timezone.localdate(), "asked": "Het was dinsdag."},
    )  # fmt: skip
    services.decide_rectification(officer, rectification.pk, "granted", "Verbeterd.", expected_version=1)
    with pytest.raises(StaleEdit):
        services.decide_rectification(officer, rectification.pk, "refused", "Klopt wel.", expected_version=1)
    client.force_login(w.world.a.privacy_officer)
    page = client.post(
        reverse("privacy:rectification", args=[rectification.pk]),
        {"decision": "refused", "answer": "Klopt wel.", "version": "1"},
    )
    assert page.status_code == 409 and "Niet opgeslagen" in page.content.decode()
    rectification.refresh_from_db()
    assert (rectification.decision, rectification.answer, rectification.version) == ("granted", "Verbeterd.", 2)


def test_the_request_page_lists_the_records_and_withholds_one(w, client):
    client.force_login(w.world.a.privacy_officer)
    request = ask(w, w.child)
    entry = SafetyMapEntry.objects.get()
    page = client.get(reverse("privacy:detail", args=[request.pk])).content.decode()
    assert f'id="item-safety_map_entry-{entry.pk}"' in page and 'id="item-invitation-' in page
    bad = client.post(
        reverse("privacy:withhold", args=[request.pk]),
        {"record_type": "safety_map_entry", "record_id": entry.pk, "reason": "others_privacy", "explanation": ""},
    )
    assert bad.status_code == 400 and not WithheldItem.objects.exists()
    done = client.post(
        reverse("privacy:withhold", args=[request.pk]),
        {"record_type": "safety_map_entry", "record_id": entry.pk, "reason": "others_privacy", "explanation": "Bron."},
    )
    assert done.status_code == 302
    page = client.get(reverse("privacy:detail", args=[request.pk])).content.decode()
    assert f'id="item-safety_map_entry-{entry.pk}"' not in page and "Bron." in page
    item = WithheldItem.objects.get()
    assert client.post(reverse("privacy:release", args=[request.pk, item.pk])).status_code == 302
    assert not WithheldItem.objects.exists()


def _queries(callable_):
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured.captured_queries)


def test_the_answer_and_the_page_read_a_constant_number_of_queries(world, client):
    few = build(world, copies=1)
    officer = actor(world.a.privacy_officer)
    request = ask(few, few.child)
    small = _queries(lambda: gather(officer, SubjectAccessRequest.objects.get(pk=request.pk)))
    client.force_login(world.a.privacy_officer)
    client.get(reverse("privacy:detail", args=[request.pk]))  # the first page of a session reads the session itself
    page_small = _queries(lambda: client.get(reverse("privacy:detail", args=[request.pk])))
    # Twenty-five times as many records of every kind on a second case's child.
    from kring.cases.editing import forget_scope
    from tests.factories import make_case

    other = make_case(world.a.team, case_worker=world.a.case_worker)
    forget_scope(world.a.case_worker)  # the visibility sets cached on the user object before this case existed
    world.a.case = other
    many = build(world, copies=25)
    big_request = ask(many, many.child)
    assert len(gather(officer, big_request).items) > 200
    large = _queries(lambda: gather(officer, SubjectAccessRequest.objects.get(pk=big_request.pk)))
    page_large = _queries(lambda: client.get(reverse("privacy:detail", args=[big_request.pk])))
    assert large == small, (small, large)
    assert page_large == page_small, (page_small, page_large)
    assert page_large < 60


def test_the_api_answers_a_request_end_to_end(w, client):
    officer = w.world.a.privacy_officer
    headers = {"HTTP_AUTHORIZATION": f"Token {make_api_token(officer)}"}

    def call(method, path, data=None, user_headers=headers):
        return getattr(client, method)(
            "/api/v1/privacy/" + path, data=data, content_type="application/json", **user_headers
        )

    created = call(
        "post",
        "subject-access/",
        {"person": w.child.pk, "requested_on": timezone.localdate().isoformat(), "requested_by": "Sam zelf"},
    )
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    base = f"subject-access/{rid}/"
    extended = call("post", base + "extend/", {"extended_months": 1, "reason": "Veel stukken.", "version": 1})
    assert extended.status_code == 200 and extended.json()["version"] == 2
    stale = call("post", base + "extend/", {"extended_months": 2, "reason": "Meer.", "version": 1})
    assert stale.status_code == 409 and stale.json()["changes"]
    assert call("post", base + "extend/", {"extended_months": 5, "reason": "x", "version": 2}).status_code == 400
    items = call("get", base + "items/").json()
    entry = next(i for i in items if i["record_type"] == "danger_statement")
    withheld = call(
        "post",
        base + "withheld/",
        {**{k: entry[k] for k in ("record_type", "record_id")}, "reason": "others_safety", "explanation": "Bron."},
    )
    assert withheld.status_code == 201, withheld.content
    assert call("post", base + "outcome/", {"status": "answered", "version": 2}).status_code == 400  # no export yet
    produced = call("post", base + "export/")
    assert produced.status_code == 200 and produced.json()["exported_at"]
    assert {w["record_type"] for w in produced.json()["withheld"]} >= {"danger_statement", "no_contact"}
    pdf = call("get", base + "export/answer.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert DANGER not in pdf_text(pdf.content)
    archive = call("get", base + "export/answer.zip")
    assert archive.status_code == 200 and zipfile.ZipFile(io.BytesIO(archive.content)).read("meetings.json")
    released = call("delete", base + f"withheld/{withheld.json()['id']}/")
    assert released.status_code == 204
    answered = call("post", base + "outcome/", {"status": "answered", "version": 2})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    rect = call(
        "post",
        "rectifications/",
        {"person": w.child.pk, "record_type": "person", "record_id": w.child.pk,
         "requested_on": timezone.localdate().isoformat(), "asked": "Mijn naam is Samuel."},
    )  # fmt: skip
    assert rect.status_code == 201, rect.content
    decided = call(
        "post", f"rectifications/{rect.json()['id']}/decision/", {"decision": "granted", "answer": "Aangepast.",
                                                                  "version": 1}
    )  # fmt: skip
    assert decided.status_code == 200 and decided.json()["version"] == 2
    assert call("get", f"rectifications/{rect.json()['id']}/").json()["answer"] == "Aangepast."
    assert [r["id"] for r in call("get", "rectifications/").json()] == [rect.json()["id"]]
    assert RectificationRequest.objects.get().decision == "granted"
    # Anyone else: 403 for a case worker, 404 for the other organisation's privacy officer; both logged.
    worker = {"HTTP_AUTHORIZATION": f"Token {make_api_token(w.world.a.case_worker)}"}
    stranger = {"HTTP_AUTHORIZATION": f"Token {make_api_token(w.world.b.privacy_officer)}"}
    before = AccessLogEntry.objects.filter(action="denied").count()
    for path in (base + "items/", base + "export/answer.pdf", f"rectifications/{rect.json()['id']}/"):
        assert call("get", path, user_headers=worker).status_code == 403
        assert call("get", path, user_headers=stranger).status_code == 404
    assert AccessLogEntry.objects.filter(action="denied").count() == before + 6
