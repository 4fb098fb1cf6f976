"""The demo world's journal: realistic entries on every case, one hidden from a named father, corrections."""

import pytest

from kring.cases.models import Case
from kring.journal.models import EntryHiddenFrom, JournalEntry
from kring.journal.queries import entries_visible_to_person
from kring.web.demo import build_world

pytestmark = pytest.mark.django_db


def test_the_demo_cases_have_a_journal_with_a_hidden_entry_and_a_correction():
    build_world()
    cases = Case.objects.all()
    assert cases.exists()
    assert set(JournalEntry.objects.values_list("case_id", flat=True).distinct()) == set(
        cases.values_list("pk", flat=True)
    )
    hidden = EntryHiddenFrom.objects.select_related("person", "entry").first()
    assert hidden is not None and hidden.person.relation == "vader"
    assert hidden.entry not in set(entries_visible_to_person(hidden.person))
    assert hidden.entry.visibility == "family"
    corrections = JournalEntry.objects.filter(corrects__isnull=False)
    assert corrections.exists()
    assert all(c.corrects.case_id == c.case_id and not c.corrects.is_current for c in corrections)
    assert not JournalEntry.objects.filter(text="").exists()
    count = JournalEntry.objects.count()
    build_world()
    assert JournalEntry.objects.count() == count
