"""What an export for one person (a subject access request, item 6) may show of the journal."""

import pytest

from kring.journal import services
from kring.journal.queries import entries_visible_to_person
from tests.factories import actor

from .helpers import family, when, write

pytestmark = pytest.mark.django_db


def test_shareable_entries_not_hidden_from_the_person_and_only_their_current_versions(world):
    case = world.a.case
    child, mother, father = family(case)
    worker = world.a.case_worker
    team_only = write(worker, case, text="Alleen voor het team.")
    shared = write(worker, case, visibility="family", text="Met het gezin te delen.")
    hidden_from_father = write(worker, case, visibility="family", hidden_from=[father.pk], text="Niet voor vader.")
    corrected = write(worker, case, visibility="family", text="Eerste versie.")
    correction = services.correct_entry(
        actor(worker),
        case.pk,
        corrected.pk,
        {
            "occurred_at": when(),
            "category": "home_visit",
            "text": "Tweede versie.",
            "visibility": "family",
            "correction_reason": "Aangevuld.",
        },
    )
    other_case_entry = write(world.b.case_worker, world.b.case, visibility="family")

    for_mother = set(entries_visible_to_person(mother))
    for_father = set(entries_visible_to_person(father))
    assert for_mother == {shared, hidden_from_father, correction}
    assert for_father == {shared, correction}
    assert team_only not in for_mother | for_father
    assert other_case_entry not in for_mother
    assert set(entries_visible_to_person(child, include_corrected=True)) == {
        shared,
        hidden_from_father,
        corrected,
        correction,
    }


def test_a_correction_made_team_only_takes_the_shared_version_out_of_the_export(world):
    case = world.a.case
    _child, mother, _father = family(case)
    shared = write(world.a.case_worker, case, visibility="family")
    services.correct_entry(
        actor(world.a.case_worker),
        case.pk,
        shared.pk,
        {"occurred_at": when(), "category": "observation", "text": "Vertrouwelijk.", "correction_reason": "Te open."},
    )
    assert list(entries_visible_to_person(mother)) == []
