"""The journal's writes: validation, append-only entries, corrections, persons of the case, permission, the log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from kring.audit.models import AccessLogEntry
from kring.cases import services as case_services
from kring.core.errors import NotFound, StaleEdit
from kring.journal import services
from kring.journal.models import AppendOnlyError, EntryPerson, JournalEntry
from tests.factories import actor

from .helpers import family, when, write

pytestmark = pytest.mark.django_db


def test_an_entry_is_written_with_its_author_persons_and_visibility(world):
    case = world.a.case
    child, mother, father = family(case)
    entry = write(
        world.a.case_worker,
        case,
        persons=[child.pk, mother.pk],
        visibility="family",
        hidden_from=[father.pk],
        category="phone_call",
    )
    entry.refresh_from_db()
    assert entry.organisation_id == case.organisation_id
    assert entry.author == world.a.case_worker
    assert entry.author_name == world.a.case_worker.email
    assert entry.category == "phone_call"
    assert {p.pk for p in entry.persons.all()} == {child.pk, mother.pk}
    assert [p.pk for p in entry.hidden_from.all()] == [father.pk]
    assert entry.visibility == "family"
    assert entry.is_current
    assert entry.written_at <= timezone.now()


def test_bad_input_is_refused_per_field_and_nothing_is_saved(world):
    case = world.a.case
    with pytest.raises(ValidationError) as refused:
        services.write_entry(
            actor(world.a.case_worker),
            case.pk,
            {
                "occurred_at": timezone.now() + datetime.timedelta(days=2),
                "category": "gossip",
                "text": "   ",
                "visibility": "everyone",
            },
        )
    errors = refused.value.message_dict
    assert set(errors) >= {"occurred_at", "category", "text", "visibility"}
    assert not JournalEntry.objects.exists()


def test_a_person_of_another_case_is_refused_as_concerned_or_hidden(world):
    case, other = world.a.case, world.b.case
    stranger = other.persons.first()
    for field in ("persons", "hidden_from"):
        with pytest.raises(ValidationError) as refused:
            write(world.a.case_worker, case, **{field: [stranger.pk]})
        assert field in refused.value.message_dict
    assert not JournalEntry.objects.exists()


def test_an_entry_refuses_to_be_changed_or_deleted_in_place(world):
    entry = write(world.a.case_worker, world.a.case)
    entry.text = "Anders opgeschreven."
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.filter(pk=entry.pk).update(text="Stiekem veranderd.")
    with pytest.raises(AppendOnlyError):
        JournalEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.text.startswith("Huisbezoek")


def test_destroy_is_the_one_way_to_remove_entries_and_takes_corrections_first(world):
    case = world.a.case
    child, _mother, _father = family(case)
    entry = write(world.a.case_worker, case, persons=[child.pk])
    services.correct_entry(
        actor(world.a.case_worker),
        case.pk,
        entry.pk,
        {"occurred_at": when(), "category": "home_visit", "text": "Juist.", "correction_reason": "Tikfout."},
    )
    assert JournalEntry.objects.filter(case=case).destroy() == 2
    assert not JournalEntry.objects.exists()
    assert not EntryPerson.objects.exists()


def test_a_correction_is_a_new_version_and_the_old_one_stays(world):
    case = world.a.case
    child, mother, _father = family(case)
    original = write(world.a.case_worker, case, persons=[child.pk], text="Moeder was niet thuis.")
    correction = services.correct_entry(
        actor(world.a.lead),
        case.pk,
        original.pk,
        {
            "occurred_at": original.occurred_at,
            "category": "home_visit",
            "text": "Moeder was wel thuis; vader niet.",
            "persons": [child.pk, mother.pk],
            "correction_reason": "Verkeerd genoteerd.",
        },
    )
    original.refresh_from_db()
    assert original.text == "Moeder was niet thuis."
    assert not original.is_current
    assert original.corrected_by == correction
    assert correction.corrects == original and correction.is_current
    assert correction.correction_reason == "Verkeerd genoteerd."
    assert correction.author == world.a.lead
    assert list(JournalEntry.objects.filter(case=case).current()) == [correction]


def test_correcting_a_version_that_was_corrected_already_is_refused_as_stale(world):
    case = world.a.case
    original = write(world.a.case_worker, case)
    data = {"occurred_at": when(), "category": "home_visit", "text": "Versie twee.", "correction_reason": "Aanvulling."}
    second = services.correct_entry(actor(world.a.case_worker), case.pk, original.pk, data)
    with pytest.raises(StaleEdit) as stale:
        services.correct_entry(actor(world.a.lead), case.pk, original.pk, dict(data, text="Versie drie."))
    assert stale.value.changes[0][3] == world.a.case_worker.email
    assert JournalEntry.objects.filter(case=case).count() == 2
    # The current version can be corrected.
    third = services.correct_entry(actor(world.a.lead), case.pk, second.pk, dict(data, text="Versie drie."))
    assert third.corrects == second


def test_a_correction_needs_a_reason(world):
    case = world.a.case
    original = write(world.a.case_worker, case)
    with pytest.raises(ValidationError) as refused:
        services.correct_entry(
            actor(world.a.case_worker),
            case.pk,
            original.pk,
            {"occurred_at": when(), "category": "home_visit", "text": "Nieuw.", "correction_reason": " "},
        )
    assert "correction_reason" in refused.value.message_dict
    assert JournalEntry.objects.count() == 1


def test_an_entry_of_another_case_cannot_be_corrected_through_this_one(world):
    own = write(world.a.case_worker, world.a.case)
    other_case = world.a.case.__class__.objects.create(
        organisation=world.a.org,
        team=world.a.team,
        number="ORGA-X-1",
        family_name="Familie Ander",
        legal_context="nl_voluntary",
        safety_concern="some",
        central_reason="x",
        referral_date=datetime.date(2026, 1, 1),
        referral_route="professional",
        question="x",
    )
    case_services.add_team_member(actor(world.a.lead), other_case.pk, world.a.case_worker.pk, "case_worker")
    data = {"occurred_at": when(), "category": "other", "text": "x", "correction_reason": "x"}
    with pytest.raises(NotFound):
        services.correct_entry(actor(world.a.case_worker), other_case.pk, own.pk, data)


def test_only_the_case_team_with_an_editing_role_writes_and_refusals_are_logged(world):
    case = world.a.case
    for outsider in (world.a.other_worker, world.b.case_worker, world.a.researcher):
        with pytest.raises(NotFound):
            write(outsider, case)
    # A co-worker on the case team may read, not write.
    case_services.add_team_member(actor(world.a.lead), case.pk, world.a.coordinator.pk, "co_worker")
    before = AccessLogEntry.objects.filter(action="denied").count()
    with pytest.raises(PermissionDenied):
        write(world.a.coordinator, case)
    assert AccessLogEntry.objects.filter(action="denied").count() == before + 1
    # The lead of the owning team may write.
    assert write(world.a.lead, case).author == world.a.lead
    assert JournalEntry.objects.count() == 1


def test_each_write_is_in_the_access_log(world):
    case = world.a.case
    entry = write(world.a.case_worker, case)
    rows = AccessLogEntry.objects.filter(record_type="journal_entry", record_id=str(entry.pk), action="create")
    assert rows.count() == 1
    row = rows.get()
    assert (row.case_id, row.organisation_id, row.user_id) == (case.pk, case.organisation_id, world.a.case_worker.pk)
    correction = services.correct_entry(
        actor(world.a.case_worker),
        case.pk,
        entry.pk,
        {"occurred_at": when(), "category": "home_visit", "text": "Beter.", "correction_reason": "Aanvulling."},
    )
    assert AccessLogEntry.objects.filter(
        record_type="journal_entry", record_id=str(correction.pk), action="create"
    ).exists()


def test_a_person_named_in_the_journal_cannot_be_removed_from_the_case(world):
    case = world.a.case
    _child, mother, father = family(case)
    write(world.a.case_worker, case, persons=[mother.pk], hidden_from=[father.pk])
    for person in (mother, father):
        with pytest.raises(ValidationError):
            case_services.remove_person(actor(world.a.case_worker), case.pk, person.pk)
        assert case.persons.filter(pk=person.pk).exists()


def test_the_entry_names_its_author_as_they_were_named_then(world):
    user = world.a.case_worker
    user.first_name, user.last_name = "Anna", "de Wit"
    user.save()
    entry = write(user, world.a.case)
    user.first_name = "Anne"
    user.save()
    entry.refresh_from_db()
    assert entry.author_name == "Anna de Wit"


def test_a_case_with_a_journal_is_not_removed_with_it(world):
    write(world.a.case_worker, world.a.case)
    with pytest.raises(ProtectedError):
        world.a.case.delete()
