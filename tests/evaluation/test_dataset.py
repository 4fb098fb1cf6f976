"""The minimum dataset: one row per trajectory with every declared variable, pseudonyms instead of ids, the
competing event and its week, outcomes per moment, and a data dictionary in Dutch and English."""

import pytest

from kring.evaluation import dataset
from kring.evaluation.core.disclosure import new_project_key, pseudonym
from kring.trajectories.models import Trajectory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def rows_by_id(small_world, key):
    rows = list(dataset.build_rows(Trajectory.objects.all(), project_key=key, today=TODAY, chunk_size=4))
    return {row["trajectory"]: row for row in rows}, rows


def test_every_row_has_exactly_the_declared_variables(small_world):
    key = new_project_key()
    _by_id, rows = rows_by_id(small_world, key)
    names = [v.name for v in dataset.variables()]
    assert len(names) == len(set(names))
    assert len(rows) == 6
    for row in rows:
        assert list(row) == names or set(row) == set(names)


def test_events_weeks_outcomes_and_fidelity(small_world):
    key = new_project_key()
    by_id, _rows = rows_by_id(small_world, key)
    t = small_world.t
    row = by_id[pseudonym(key, "trajectory", t.plan0.pk)]
    assert (row["event"], row["event_weeks"], row["plan_made"], row["weeks_to_plan"]) == ("plan", 0, 1, 0)
    assert row["t1_placement"] == "in_network" and row["t1_out_of_home"] == 1 and row["t1_placed_in_network"] == 1
    assert row["t1_safety_scale"] == pytest.approx(6.0)
    assert row["t1_sos_safety_scale_score"] == pytest.approx(6.0)
    assert row["t0_measured"] == 0 and row["t0_placement"] is None
    assert row["agreements"] == 3 and row["reviews_held"] == 2
    assert row["agreements_kept_share"] == pytest.approx(0.25)  # latest review: partly (0.5) and not kept (0)
    assert row["fid_reviews_on_time"] == 1
    assert by_id[pseudonym(key, "trajectory", t.declined1.pk)]["event"] == "abandoned"
    assert by_id[pseudonym(key, "trajectory", t.declined1.pk)]["event_weeks"] == 1
    running = by_id[pseudonym(key, "trajectory", t.running.pk)]
    assert (running["event"], running["event_weeks"]) == ("running", 4)
    assert by_id[pseudonym(key, "trajectory", t.regular.pk)]["regular_care"] == 1
    assert row["offer_quarter"] == "2026-Q1"


def test_no_direct_identifiers_in_any_row(small_world):
    key = new_project_key()
    _by_id, rows = rows_by_id(small_world, key)
    names = {p.first_name for t in Trajectory.objects.all() for p in t.case.persons.all()}
    numbers = {t.case.number for t in Trajectory.objects.all()}
    ids = {str(t.pk) for t in Trajectory.objects.all()} | {str(t.case_id) for t in Trajectory.objects.all()}
    for row in rows:
        values = {str(v) for v in row.values() if v is not None}
        assert not values & names and not values & numbers
        assert row["trajectory"] not in ids and row["case"] not in ids


def test_pseudonyms_are_stable_within_a_project_and_differ_across_projects(small_world):
    first, second = new_project_key(), new_project_key()
    a1 = sorted(rows_by_id(small_world, first)[0])
    a2 = sorted(rows_by_id(small_world, first)[0])
    b = sorted(rows_by_id(small_world, second)[0])
    assert a1 == a2
    assert not set(a1) & set(b)


def test_the_dictionary_names_every_variable_in_both_languages_with_its_codes():
    entries = dataset.dictionary()
    assert [e["name"] for e in entries] == [v.name for v in dataset.variables()]
    placement = next(e for e in entries if e["name"] == "t1_placement")
    assert {c["code"] for c in placement["codes"]} == {"at_home", "in_network", "outside_network", "unknown"}
    assert all(e["label_en"] for e in entries)
    fes = next(e for e in entries if e["name"] == "t1_fes_total")
    assert "Family Empowerment" in fes["label_en"]
