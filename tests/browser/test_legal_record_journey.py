"""The case file as a legal record, in one browser journey (issue 15, "Must show"): a case worker writes a journal
entry and uploads a document, a privacy officer answers a subject-access request for the mother (the PDF read back:
her journal entry present, the entry never to be shown to her absent; the zip's JSON holding the entry and the
document's checksum), the case is closed, its retention ends, the privacy officer approves its destruction, the
worker's task destroys it, and every table and the document store are searched for the case's names, dates of birth
and case number: nothing is found.

Screenshots of the main steps are saved in the test's tmp_path (``NN-step.png``)."""

import datetime
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from kring.cases.choices import CaseStatus
from kring.cases.models import Case, Person
from kring.documents.models import DocumentVersion
from kring.journal.models import JournalEntry
from kring.privacy.models import SubjectAccessRequest, WithheldItem
from kring.retention.models import DestructionBatch, RetentionPeriod
from kring.retention.tasks import run_batch

from ..conftest import documents_stored_in
from ..factories import PASSWORD, make_parent
from ..retention.test_destruction import date_forms, hits, stored_files, text_of_every_table
from .conftest import assert_accessible, enter_authenticator_code
from .test_foundation_journey import log_in, log_out

pytestmark = pytest.mark.browser

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # the world's privacy officer's authenticator (tests/conftest.py)

# Dates of birth no other row of the test world carries (the world's other case has children born 2015-03-01), so
# a date found after the destruction can only be this family's.
BIRTH_DATES = {
    "Kind0": datetime.date(2016, 8, 14),
    "Kind1": datetime.date(2018, 2, 27),
    "Mira": datetime.date(1987, 11, 23),
    "Frank": datetime.date(1984, 4, 9),
}
SHARED = "Huisbezoek bij Mira: zij vertelt dat de kinderen beter slapen sinds de nieuwe afspraken."
HIDDEN = "Frank belt: hij wil niet dat Mira weet waar hij nu woont."


def letter_pdf(lines: list[str]) -> bytes:
    """A small but complete PDF (one page of Helvetica text, cross-reference table and all); its text stream is not
    compressed, so a search of the file store finds the words in it."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    text = "BT /F1 12 Tf 16 TL 72 770 Td " + " T* ".join(f"({line}) Tj" for line in escaped) + " ET"
    stream = text.encode("latin-1")
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def rows_with_dates(days: list[datetime.date]) -> list[str]:
    """Tables with a date column holding one of ``days`` (the search helper of tests/retention reads text columns;
    a date of birth is stored as a date, in the persons' table and its field history)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            is_day = isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
            if is_day and model._base_manager.filter(**{f"{field.attname}__in": days}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def log_in_with_code(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    enter_authenticator_code(page, SECRET)


def pdf_text(path) -> str:
    return " ".join("\n".join(p.extract_text() for p in PdfReader(Path(path)).pages).split())


def test_journal_document_subject_access_and_destruction(
    page, live_server, world, browser, browser_context_args, settings, tmp_path
):
    # The document store in a folder of this test only, so its search below sees this journey's files alone.
    store = tmp_path / "documents"
    settings.STORAGES = documents_stored_in(store)
    shots = iter(range(1, 100))
    # The machine's other work can slow a page beyond the usual 15 seconds; the journey is long, so more patience.
    page.set_default_timeout(30_000)

    def shot(target, name):
        target.screenshot(path=tmp_path / f"{next(shots):02d}-{name}.png", full_page=True)

    case, worker, officer = world.a.case, world.a.case_worker, world.a.privacy_officer
    mother = make_parent(case, "Mira", "moeder")
    father = make_parent(case, "Frank", "vader")
    for person in case.persons.all():
        person.birth_date = BIRTH_DATES[person.first_name]
        person.save()  # through save(): the field history records these dates too, and must lose them
    child = case.persons.get(is_central=True)
    letter = letter_pdf(
        [
            "Basisschool De Linde, aan Mira Ouder",
            f"Over {child.full_name}, geboren {date_forms(child.birth_date)[1]}, dossier {case.number}.",
            "Het gaat beter in de klas.",
        ]
    )
    assert "Het gaat beter in de klas." in " ".join(PdfReader(io.BytesIO(letter)).pages[0].extract_text().split())
    upload = tmp_path / "brief-school.pdf"
    upload.write_bytes(letter)

    # --- The case worker writes two entries: one for the family, one never to be shown to the mother.
    log_in(page, live_server, worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Journaal").click()
    for text, category, about, hidden in ((SHARED, "home_visit", mother, None), (HIDDEN, "phone_call", father, mother)):
        page.get_by_role("link", name="Een journaalnotitie schrijven").click()
        when = timezone.localtime() - datetime.timedelta(days=2 if hidden is None else 1)
        page.fill("#id_occurred_at", when.strftime("%Y-%m-%dT%H:%M"))
        page.select_option("#id_category", category)
        page.fill("#id_text", text)
        page.locator(f"#id_persons input[value='{about.pk}']").check()
        page.get_by_label("Mag met het gezin gedeeld worden").check()
        if hidden is not None:
            page.locator(f"#id_hidden_from input[value='{hidden.pk}']").check()
        page.get_by_role("button", name="Opslaan").click()
        expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/journal/")
    entries = page.locator("article.journal-entry")
    expect(entries).to_have_count(2)
    expect(page.locator("article.journal-entry", has_text="Frank belt")).to_contain_text("Nooit tonen aan: Mira Ouder")
    shot(page, "journal")
    shared_entry = JournalEntry.objects.get(text=SHARED)
    hidden_entry = JournalEntry.objects.get(text=HIDDEN)
    assert list(hidden_entry.hidden_from.all()) == [mother]

    # --- A letter from school about the mother's child, uploaded as a real PDF; its download is the same file.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Documenten").click()
    page.get_by_role("link", name="Een document toevoegen").click()
    page.get_by_label("Bestand").set_input_files(upload)
    page.get_by_label("Titel").fill("Brief van school")
    page.get_by_label("Soort document").select_option(label="verslag")
    page.get_by_label("Gaat over de persoon").select_option(label="Mira Ouder")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("main")).to_contain_text("Het document is toegevoegd.")
    checksum = hashlib.sha256(letter).hexdigest()
    expect(page.locator("main")).to_contain_text(checksum[:16])
    shot(page, "document")
    with page.expect_download() as download:
        page.get_by_role("link", name="brief-school.pdf").click()
    downloaded = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == checksum
    assert DocumentVersion.objects.get(document__case=case).sha256 == checksum
    assert len(stored_files(store)) == 1
    log_out(page, live_server)

    # --- The privacy officer answers the mother's request for access.
    log_in_with_code(page, live_server, officer.email)
    page.get_by_role("link", name="Inzageverzoeken").click()
    page.get_by_role("link", name="Nieuw verzoek vastleggen").click()
    page.fill("#id_name", "Mira Ouder")
    page.get_by_role("button", name="Zoeken").click()
    page.get_by_role("link", name="Mira Ouder").click()
    page.fill("#id_requested_by", "de moeder zelf, aan de balie")
    page.get_by_label("Identiteit gecontroleerd").check()
    page.fill("#id_identity_check", "paspoort getoond")
    page.get_by_role("button", name="Verzoek vastleggen").click()
    expect(page.locator("h1")).to_contain_text("Mira Ouder")
    page.get_by_role("button", name="Overzicht maken").click()
    expect(page.get_by_role("link", name="Brief downloaden (pdf)")).to_be_visible()
    assert_accessible(page)
    shot(page, "subject-access")

    with page.expect_download() as download:
        page.get_by_role("link", name="Brief downloaden (pdf)").click()
    answer = pdf_text(download.value.path())
    assert "zij vertelt dat de kinderen beter slapen" in answer
    assert "Brief van school" in answer
    assert "Frank belt" not in answer and "waar hij nu woont" not in answer

    with page.expect_download() as download:
        page.get_by_role("link", name="Alles downloaden (zip)").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        journal = json.loads(archive.read("journal.json"))
        documents = json.loads(archive.read("documents.json"))
        assert [entry["text"] for entry in journal] == [SHARED]
        assert [(d["title"], d["sha256"]) for d in documents] == [("Brief van school", checksum)]
        assert hashlib.sha256(archive.read(documents[0]["file"])).hexdigest() == checksum
        assert HIDDEN not in archive.read("journal.json").decode()
    request = SubjectAccessRequest.objects.get()
    assert request.person == mother
    withheld = WithheldItem.objects.get(request=request)
    assert withheld.record_id == str(hidden_entry.pk) and shared_entry.pk != hidden_entry.pk

    # --- The case worker, at their own computer, closes the case: its retention period starts.
    context = browser.new_context(**browser_context_args)
    worker_page = context.new_page()
    worker_page.set_default_timeout(30_000)
    log_in(worker_page, live_server, worker.email)
    worker_page.goto(f"{live_server.url}/cases/{case.pk}/")
    worker_page.get_by_role("link", name="Dossier bewerken").click()
    worker_page.select_option("#id_status", label="afgesloten")
    worker_page.select_option("#id_closure_reason", label="doelen bereikt")
    worker_page.get_by_role("button", name="Opslaan").click()
    expect(worker_page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    expect(worker_page.locator("main")).to_contain_text("Het dossier is opgeslagen.")
    period = RetentionPeriod.objects.get(case=case)
    expect(worker_page.locator("section.retention")).to_contain_text(
        f"Bewaard tot {period.retain_until.day} ", ignore_case=True
    )
    shot(worker_page, "closed-case")
    context.close()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    # Youth care in the Netherlands: kept at least 20 years after the end of care (Jeugdwet art. 7.3.8, the rule kept in kring/retention/rules.toml).
    assert period.end_of_care == timezone.localdate()
    assert period.retain_until >= period.end_of_care.replace(year=period.end_of_care.year + 20)

    # Twenty years cannot pass in a test: the end of the retention period is moved to yesterday in the database,
    # as if the years had gone by. Nothing else about the case changes.
    RetentionPeriod.objects.filter(pk=period.pk).update(retain_until=timezone.localdate() - datetime.timedelta(days=1))

    # What the search looks for, and proof that it finds it while the case exists (so the search can fail).
    persons = list(Person.objects.filter(case=case))
    assert len(persons) == 4
    names = sorted(p.full_name for p in persons)
    births = [p.birth_date for p in persons]
    needles = [case.number, *names, *(form for day in births for form in date_forms(day))]
    before = hits(needles, text_of_every_table(), stored_files(store))
    assert any(f"{case.number!r} in file" in h for h in before), before
    assert any("'Mira Ouder' in table" in h for h in before), before
    assert any(date_forms(child.birth_date)[1] in h for h in before), before
    assert {"cases.Person.birth_date", "cases.HistoricalPerson.birth_date"} <= set(rows_with_dates(births))

    # --- The privacy officer approves the destruction; the worker's task destroys the case.
    page.get_by_role("link", name="Bewaren en vernietigen").click()
    expect(page).to_have_url(f"{live_server.url}/retention/")
    expect(page.locator("main")).to_contain_text(case.number)
    shot(page, "retention-due")
    page.get_by_label("Ik keur goed dat deze dossiers definitief worden vernietigd").check()
    page.get_by_role("button", name="Vernietiging goedkeuren").click()
    expect(page.locator("main")).to_contain_text("De vernietiging is goedgekeurd")
    batch = DestructionBatch.objects.get()
    assert batch.case_ids == [case.pk] and batch.approved_by == officer
    assert run_batch.call(batch.pk) == [case.pk]  # what `manage.py db_worker` runs

    # --- Nothing of the family is left: no row, no text, no date of birth, no file.
    assert not Case.objects.filter(pk=case.pk).exists()
    assert hits(needles, text_of_every_table(), stored_files(store)) == []
    assert rows_with_dates(births) == []
    assert stored_files(store) == {}
    page.reload()
    expect(page.locator("main")).not_to_contain_text(case.number)
    expect(page.locator("main")).to_contain_text("Er zijn geen dossiers die vernietigd moeten worden.")
    shot(page, "retention-after")
    page.get_by_role("link", name="Inzageverzoeken").click()
    expect(page.locator("main")).not_to_contain_text("Mira Ouder")
