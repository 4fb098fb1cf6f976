"""THE test of issue 15 item 5: a full demo case is closed, its retention ends, it is destroyed, and then every table
(every text and JSON column, the field-history tables included) and the document storage are searched for the names
of its persons, their dates of birth (ISO and Dutch formats) and its case number: nothing is found. The other demo
cases are untouched."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from kring.accounts.models import Role, User
from kring.audit.models import AccessLogEntry
from kring.cases.choices import CaseStatus, ClosureReason
from kring.cases.models import Case, CaseTeamMember, Person
from kring.core.actor import Actor
from kring.core.backup import backed_up_models
from kring.documents.models import Document
from kring.documents.services import add_document
from kring.journal.models import JournalEntry
from kring.measures.models import Registration
from kring.meetings.models import Meeting
from kring.network.models import NetworkMember
from kring.plans.models import Plan
from kring.retention import services
from kring.retention.destruction import KEPT_BY_NUMBER, KEPT_OWN, case_bound_models, case_id_tables
from kring.retention.models import DestroyedCase, RetentionPeriod
from kring.retention.tasks import run_batch

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


def date_forms(day: datetime.date) -> list[str]:
    return [
        day.isoformat(),
        f"{day.day:02d}-{day.month:02d}-{day.year}",
        f"{day.day}-{day.month}-{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day} {MONTHS[day.month - 1]} {day.year}",
    ]


def full_case():
    """The demo case with the most of: journal, documents, network, plan, meeting, registration. The demo world keeps
    its documents on the first case of each organisation, so the chosen case gets a letter through the documents
    service (a plain-text file that names the child, the birth date and the case number, so the file store's search
    can find something)."""
    kinds = [JournalEntry, NetworkMember, Plan, Meeting, Registration]

    def score(case):
        return sum(model.objects.filter(case=case).exists() for model in kinds)

    case = max(Case.objects.order_by("pk"), key=score)
    assert score(case) == len(kinds), "no full demo case"
    worker = CaseTeamMember.objects.filter(case=case).select_related("user").first()
    child = case.persons.filter(is_central=True).first()
    letter = f"Over {child.full_name}, geboren {date_forms(child.birth_date)[1]}, dossier {case.number}.\n"
    add_document(
        Actor(worker.user, path="test"),
        case.pk,
        {"title": "Brief van school", "kind": "letter_received", "person": child.pk},
        "brief.txt",
        letter.encode(),
    )
    assert Document.objects.filter(case=case).exists()
    return case


def text_of_every_table() -> dict[str, list[str]]:
    """Every value of every text or JSON column of every table, per table."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField | models.BinaryField)
        ]
        if not columns:
            continue
        values = []
        for row in model._base_manager.values_list(*columns):
            for value in row:
                if value is None:
                    continue
                values.append(
                    bytes(value).decode("utf-8", "replace") if isinstance(value, bytes | memoryview) else str(value)
                )
        found[model._meta.label] = values
    return found


def hits(needles: list[str], tables: dict[str, list[str]], files: dict[str, str]) -> list[str]:
    """Where a needle stands as a whole word (JBR-2026-0001 is not found in JBR-2026-00012)."""
    found = []
    for needle in needles:
        pattern = re.compile(rf"(?<![\w]){re.escape(needle)}(?![\w])", re.IGNORECASE)
        for table, values in tables.items():
            if any(pattern.search(value) for value in values):
                found.append(f"{needle!r} in table {table}")
        for name, content in files.items():
            if pattern.search(content) or pattern.search(name):
                found.append(f"{needle!r} in file {name}")
    return found


def stored_files(location: Path) -> dict[str, str]:
    return {
        str(path.relative_to(location)): path.read_bytes().decode("utf-8", "replace")
        for path in location.rglob("*")
        if path.is_file()
    }


def rows_per_case(exclude: int) -> dict:
    """For every other case: its rows in every case-bound table, by foreign key to the case."""
    result = {}
    for model, links in case_bound_models().items():
        for field in links:
            if field.related_model is Case:
                counts = (
                    model._base_manager.exclude(**{field.attname: exclude})
                    .values(field.attname)
                    .annotate(n=models.Count("pk"))
                    .values_list(field.attname, "n")
                )
                result[(model._meta.label, field.name)] = dict(counts)
    return result


@pytest.mark.django_db
def test_a_destroyed_demo_case_leaves_no_name_birth_date_or_number_in_any_table_or_file(
    document_store, django_capture_on_commit_callbacks
):
    call_command("demo_world", stdout=io.StringIO())
    case = full_case()
    persons = list(Person.objects.filter(case=case))
    names = sorted({p.full_name for p in persons if p.last_name})
    births = [p.birth_date for p in persons if p.birth_date]
    needles = names + [case.number] + [form for day in births for form in date_forms(day)]
    assert names and births
    assert stored_files(document_store), "the demo case's documents were stored"
    # The search finds them before the destruction (so it can fail).
    before = hits(needles, text_of_every_table(), stored_files(document_store))
    assert any(case.number in h for h in before) and any(names[0] in h for h in before)

    member = CaseTeamMember.objects.filter(case=case).select_related("user").first()
    actor = Actor(user=member.user, ip_address="127.0.0.1", path="/test/")
    if case.status != CaseStatus.CLOSED:
        from kring.cases.services import update_case

        update_case(actor, case.pk, {"status": CaseStatus.CLOSED, "closure_reason": ClosureReason.GOALS_REACHED}, None)
    period = RetentionPeriod.objects.get(case=case)
    RetentionPeriod.objects.filter(pk=period.pk).update(retain_until=datetime.date(2000, 1, 1))
    others = rows_per_case(exclude=case.pk)
    files_before = set(stored_files(document_store))

    # The privacy officer of the case's organisation approves the batch; the worker's task destroys it.
    officer = User.objects.get(
        memberships__organisation=case.organisation, memberships__role=Role.PRIVACY_OFFICER, memberships__active=True
    )
    officer_actor = Actor(user=officer, ip_address="127.0.0.1", path="/retention/approve/")
    assert [p.case_id for p in services.due_for_destruction(officer_actor)] == [case.pk]
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.approve_batch(officer_actor, [case.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert run_batch.call(batch.pk) == [case.pk]
    summary = DestroyedCase.objects.get()

    assert not Case.objects.filter(pk=case.pk).exists()
    found = hits(needles, text_of_every_table(), stored_files(document_store))
    assert found == []
    assert rows_per_case(exclude=case.pk) == others
    assert len(stored_files(document_store)) < len(files_before)
    # What stays: the access log's entries (with the destruction among them) and an anonymous count.
    assert AccessLogEntry.objects.filter(case_id=case.pk, action="delete", record_type="case").exists()
    assert AccessLogEntry.objects.filter(case_id=case.pk).count() > 1
    assert DestroyedCase.objects.get(pk=summary.pk).counts["cases.person"] == len(persons)


def test_every_table_that_refers_to_a_case_or_person_is_destroyed_with_it():
    """A table added later that refers to a case or a person (directly or through another such table) is part of the
    destruction; the only tables that name a case otherwise are known and keep no personal data."""
    bound = set(case_bound_models())
    for model in backed_up_models():
        label = model._meta.label_lower
        refers = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model in bound and f.related_model is not model
        ]
        if refers and label not in KEPT_OWN:
            assert model in bound, label
        by_number = [
            f.name
            for f in model._meta.concrete_fields
            if not f.is_relation and f.name in {"case_id", "person_id", "case", "person", "case_number"}
        ]
        if by_number:
            assert label in KEPT_BY_NUMBER or model in case_id_tables(), f"{label} refers to a case by {by_number}"
