"""Issue 15, item 6: subject access and rectification, by the privacy officer of the person's organisation."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from kring.audit.models import AccessLogEntry
from kring.core.errors import NotFound
from kring.documents import services as document_services
from kring.journal.services import entry_access
from kring.privacy import rules, services
from kring.privacy.models import RectificationRequest, SubjectAccessRequest, WithheldItem
from tests.conftest import documents_stored_in
from tests.documents import samples
from tests.factories import actor
from tests.journal.helpers import family, write

pytestmark = pytest.mark.django_db

SHARED = "Moeder vertelt dat het slapen beter gaat."
HIDDEN = "Vader vertelt iets over moeder dat zij niet mag lezen."
TEAM = "Werkaantekening van het team."


@pytest.fixture(autouse=True)
def documents_in_a_folder_of_their_own(settings, tmp_path):
    settings.STORAGES = documents_stored_in(tmp_path / "documents")


@pytest.fixture
def w(world):
    a = world.a
    a.child, a.mother, a.father = family(a.case)
    worker = a.case_worker
    a.shared = write(worker, a.case, visibility="family", text=SHARED)
    a.hidden = write(worker, a.case, visibility="family", hidden_from=[a.mother.pk], text=HIDDEN)
    a.team_only = write(worker, a.case, text=TEAM)
    a.document = document_services.add_document(
        actor(worker),
        a.case.pk,
        {"title": "Verslag voor moeder", "kind": "report", "description": "", "person": a.mother.pk},
        "verslag.pdf",
        samples.PDF,
    )
    return world


def record(w, **changes):
    data = {
        "person_id": w.a.mother.pk,
        "requested_on": timezone.localdate() - datetime.timedelta(days=2),
        "requested_by": "de moeder zelf",
        "identity_checked": True,
        "identity_check": "paspoort aan de balie",
    }
    data.update(changes)
    return services.record_request(actor(w.a.privacy_officer), data)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_mothers_answer_holds_her_entries_not_the_hidden_one_and_records_what_is_withheld(w):
    officer = actor(w.a.privacy_officer)
    request = record(w)
    services.produce_export(officer, request.pk)
    text = pdf_text(services.export_pdf(officer, request.pk))
    assert "slapen beter" in text
    assert "niet mag lezen" not in text and "Werkaantekening" not in text
    withheld = {(i.record_type, i.record_id, i.reason) for i in WithheldItem.objects.filter(request=request)}
    assert withheld == {
        ("journal_entry", str(w.a.hidden.pk), "others_privacy"),
        ("journal_entry", str(w.a.team_only.pk), "team_only"),
    }
    # Recorded without copying the text.
    assert HIDDEN not in repr(list(WithheldItem.objects.values()))


def test_the_zip_holds_a_json_file_per_section_the_document_files_with_checksums_and_the_pdf(w):
    officer = actor(w.a.privacy_officer)
    request = record(w)
    archive = zipfile.ZipFile(io.BytesIO(services.export_zip(officer, request.pk)))
    names = set(archive.namelist())
    assert {f"{s}.json" for s in services.SECTIONS} <= names
    journal = json.loads(archive.read("journal.json"))
    assert [e["text"] for e in journal] == [SHARED]
    documents = json.loads(archive.read("documents.json"))
    assert len(documents) == 1
    content = archive.read(documents[0]["file"])
    assert content == samples.PDF
    assert documents[0]["sha256"] == hashlib.sha256(samples.PDF).hexdigest()
    checksums = json.loads(archive.read("checksums.json"))
    assert all(hashlib.sha256(archive.read(n)).hexdigest() == c for n, c in checksums.items())
    assert archive.read("overzicht.pdf").startswith(b"%PDF")


def test_the_access_log_section_lists_who_looked_at_her_records(w):
    from kring.audit.models import Action
    from kring.audit.services import log_access, person_access

    for user, first, last in ((w.a.other_worker, "Olga", "Collega"), (w.a.coordinator, "Cor", "Dinator")):
        user.first_name, user.last_name = first, last
        user.save()
    log_access(actor(w.a.other_worker), Action.VIEW, [person_access(w.a.mother)])
    log_access(actor(w.a.other_worker), Action.VIEW, [person_access(w.a.father)])  # not hers
    log_access(actor(w.a.coordinator), Action.VIEW, [entry_access(w.a.shared)])
    request = record(w)
    export = services.gather(actor(w.a.privacy_officer), request)
    rows = export.sections["access_log"]
    looked = [
        (r["who"], r["role"], r["record"], r["action"]) for r in rows if r["who"] in ("Olga Collega", "Cor Dinator")
    ]
    assert looked == [
        ("Olga Collega", "hulpverlener", "persoon", "bekeken"),
        ("Cor Dinator", "coördinator", "journaalnotitie", "bekeken"),
    ]


def test_the_export_is_logged_as_an_export_of_every_record(w):
    request = record(w)
    start = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    services.export_pdf(actor(w.a.privacy_officer), request.pk)
    exported = set(
        AccessLogEntry.objects.filter(id__gt=start, action="export", user=w.a.privacy_officer).values_list(
            "record_type", "record_id"
        )
    )
    assert ("journal_entry", str(w.a.shared.pk)) in exported
    assert ("journal_entry", str(w.a.hidden.pk)) not in exported
    assert ("document", str(w.a.document.pk)) in exported
    assert ("person", str(w.a.mother.pk)) in exported


def test_only_the_privacy_officer_of_the_organisation(w, client):
    request = record(w)
    with pytest.raises(NotFound):
        services.export_pdf(actor(w.b.privacy_officer), request.pk)
    with pytest.raises(PermissionDenied):
        services.export_pdf(actor(w.a.case_worker), request.pk)
    with pytest.raises(NotFound):
        record(w, person_id=w.b.case.persons.first().pk)
    url = reverse("privacy:pdf", args=[request.pk])
    client.force_login(w.b.privacy_officer)
    assert client.get(url).status_code == 404
    assert client.get(reverse("privacy:detail", args=[request.pk])).status_code == 404
    client.force_login(w.a.case_worker)
    before = AccessLogEntry.objects.filter(action="denied").count()
    assert client.get(url).status_code == 403
    assert client.get(reverse("privacy:index")).status_code == 403
    assert AccessLogEntry.objects.filter(action="denied").count() == before + 2
    client.force_login(w.a.privacy_officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_a_refused_request_of_another_organisation_is_logged_once_for_that_organisation(w, client):
    request = record(w)
    client.force_login(w.b.privacy_officer)
    start = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first()
    assert client.get(reverse("privacy:detail", args=[request.pk])).status_code == 404
    denied = list(AccessLogEntry.objects.filter(id__gt=start, action="denied"))
    assert [(d.organisation_id, d.record_type) for d in denied] == [(w.a.org.pk, "subject_access_request")]


def test_the_term_is_one_calendar_month_extendable_to_three():
    assert rules.due_on(datetime.date(2026, 1, 15)) == datetime.date(2026, 2, 15)
    assert rules.due_on(datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert rules.due_on(datetime.date(2026, 12, 10), 2) == datetime.date(2027, 3, 10)
    assert rules.extension_problems(2, "veel documenten") == {}
    assert rules.extension_problems(3, "x") == {"extended_months": "too_long"}
    assert rules.extension_problems(1, " ") == {"extension_reason": "reason_needed"}


def test_due_date_and_extension_rules(w):
    officer = actor(w.a.privacy_officer)
    request = record(w, requested_on=datetime.date(2026, 1, 31))
    assert request.due_on == datetime.date(2026, 2, 28)
    with pytest.raises(ValidationError) as error:
        services.extend_request(officer, request.pk, 1, "")
    assert "extension_reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.extend_request(officer, request.pk, 3, "te veel")
    assert "extended_months" in error.value.message_dict
    request.refresh_from_db()
    assert request.due_on == datetime.date(2026, 2, 28) and request.status == "received"
    services.extend_request(officer, request.pk, 2, "Het dossier is groot.")
    request.refresh_from_db()
    assert request.due_on == datetime.date(2026, 4, 30) and request.status == "extended"


def test_bad_requests_are_refused_and_save_nothing(w):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for changes, field in (
        ({"requested_on": tomorrow}, "requested_on"),
        ({"requested_by": " "}, "requested_by"),
        ({"identity_check": ""}, "identity_check"),
    ):
        with pytest.raises(ValidationError) as error:
            record(w, **changes)
        assert field in error.value.message_dict
    assert not SubjectAccessRequest.objects.exists()


def test_the_outcome_needs_an_export_or_a_reason(w):
    officer = actor(w.a.privacy_officer)
    request = record(w)
    with pytest.raises(ValidationError):
        services.close_request(officer, request.pk, "answered")
    with pytest.raises(ValidationError):
        services.close_request(officer, request.pk, "refused", "")
    services.produce_export(officer, request.pk)
    closed = services.close_request(officer, request.pk, "answered")
    assert closed.answered_on == timezone.localdate() and closed.answered_by == w.a.privacy_officer


def test_a_rectification_is_shown_beside_the_journal_entry_it_concerns(w, client):
    officer = actor(w.a.privacy_officer)
    rectification = services.record_rectification(
        officer,
        {
            "person_id": w.a.mother.pk,
            "record_type": "journal_entry",
            "record_id": w.a.shared.pk,
            "requested_on": timezone.localdate(),
            "asked": "Het was niet het slapen maar het eten.",
        },
    )
    services.decide_rectification(officer, rectification.pk, "partly", "Aangevuld met een nieuwe aantekening.")
    client.force_login(w.a.case_worker)
    page = client.get(reverse("journal:list", args=[w.a.case.pk])).content.decode()
    entry = page.split(f'id="entry-{w.a.shared.pk}"')[1].split("</article>")[0]
    assert "maar het eten" in entry and "Aangevuld met een nieuwe aantekening." in entry
    other = page.split(f'id="entry-{w.a.team_only.pk}"')[1].split("</article>")[0]
    assert "maar het eten" not in other


def test_a_rectification_must_concern_a_record_of_the_persons_case(w):
    officer = actor(w.a.privacy_officer)
    other_entry = write(w.b.case_worker, w.b.case, visibility="family")
    base = {"person_id": w.a.mother.pk, "requested_on": timezone.localdate(), "asked": "Klopt niet."}
    for changes, field in (
        ({"record_type": "journal_entry", "record_id": other_entry.pk}, "record_id"),
        ({"record_type": "nothing", "record_id": 1}, "record_type"),
        ({"record_type": "journal_entry", "record_id": w.a.shared.pk, "asked": ""}, "asked"),
        (
            {
                "record_type": "journal_entry",
                "record_id": w.a.shared.pk,
                "requested_on": timezone.localdate() + datetime.timedelta(days=3),
            },
            "requested_on",
        ),
    ):
        with pytest.raises(ValidationError) as error:
            services.record_rectification(officer, {**base, **changes})
        assert field in error.value.message_dict
    assert not RectificationRequest.objects.exists()


def test_pages_find_the_person_record_the_request_and_download(w, client):
    client.force_login(w.a.privacy_officer)
    found = client.get(reverse("privacy:new"), {"name": "Mira Ouder"}).content.decode()
    assert f"?person={w.a.mother.pk}" in found
    response = client.post(
        reverse("privacy:new") + f"?person={w.a.mother.pk}",
        {
            "requested_on": timezone.localdate().isoformat(),
            "requested_by": "de moeder zelf",
            "identity_checked": "on",
            "identity_check": "paspoort",
        },
    )
    request = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    bad = client.post(reverse("privacy:extend", args=[request.pk]), {"extended_months": "1", "extension_reason": ""})
    assert bad.status_code == 400
    assert client.post(reverse("privacy:produce", args=[request.pk])).status_code == 302
    page = client.get(reverse("privacy:index")).content.decode()
    assert "Mira Ouder" in page
    zipped = client.get(reverse("privacy:zip", args=[request.pk]))
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"


def test_the_api_records_and_reads_requests_for_privacy_officers_only(w, client):
    from tests.factories import make_api_token

    url = "/api/v1/privacy/subject-access/"
    body = {
        "person": w.a.mother.pk,
        "requested_on": timezone.localdate().isoformat(),
        "requested_by": "haar advocaat",
        "identity_checked": True,
        "identity_check": "volmacht en kopie paspoort",
    }

    def call(user, method, path, data=None):
        headers = {"HTTP_AUTHORIZATION": f"Token {make_api_token(user)}"}
        return getattr(client, method)(path, data=data, content_type="application/json", **headers)

    created = call(w.a.privacy_officer, "post", url, body)
    assert created.status_code == 201, created.content
    assert created.json()["due_on"] == rules.due_on(timezone.localdate()).isoformat()
    detail = f"{url}{created.json()['id']}/"
    assert call(w.a.privacy_officer, "get", detail).json()["person_name"] == "Mira Ouder"
    assert [r["id"] for r in call(w.a.privacy_officer, "get", url).json()] == [created.json()["id"]]
    assert call(w.b.privacy_officer, "get", detail).status_code == 404
    assert call(w.b.privacy_officer, "post", url, body).status_code == 404
    assert call(w.a.case_worker, "get", url).status_code == 403
    assert call(w.a.case_worker, "post", url, body).status_code == 403
    future = {**body, "requested_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}
    refused = call(w.a.privacy_officer, "post", url, future)
    assert refused.status_code == 400 and "requested_on" in refused.json()
    assert call(w.a.privacy_officer, "post", url, {**body, "status": "answered"}).status_code == 400
    assert SubjectAccessRequest.objects.count() == 1
