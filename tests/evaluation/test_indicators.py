"""Indicators on the small hand-checked world (see conftest): counts, plan rates with Wilson intervals, the
competing-risk curves with tied weeks and a plan in week 0, how the agreements were kept, and the outcomes."""

import math

import pytest

from kring.evaluation import indicators

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def by_key(rows):
    return {row.key: row for row in rows}


def test_counts_and_plan_rates_per_method(small_world):
    rows = by_key(indicators.compute([small_world.org.pk], "method", today=TODAY))
    fnb, regular = rows["fnb"], rows["regular_care"]
    assert (fnb.offered, fnb.accepted, fnb.plans, fnb.without_plan, fnb.running) == (5, 4, 2, 2, 1)
    assert (regular.offered, regular.plans) == (1, 1)
    low, high = wilson(2, 5)
    assert fnb.plan_rate["estimate"] == pytest.approx(0.4)
    assert fnb.plan_rate["low"] == pytest.approx(low, abs=1e-12)
    assert fnb.plan_rate["high"] == pytest.approx(high, abs=1e-12)
    assert fnb.plan_rate_accepted["estimate"] == pytest.approx(0.5)


def test_competing_risk_curves_with_a_plan_in_week_0_and_tied_weeks(small_world):
    fnb = by_key(indicators.compute([small_world.org.pk], "method", today=TODAY))["fnb"]
    curves = fnb.incidence
    assert curves["times"] == [0, 1, 2, 4]
    assert curves["n_at_risk"] == [5, 4, 3, 1]
    plan, abandoned = curves["causes"]["plan"], curves["causes"]["abandoned"]
    # Week 0: 1 plan of 5. Week 1: 1 declined of 4 (S = 0.8). Week 2: 1 plan and 1 abandoned of 3 (S = 0.6).
    assert plan["cif"] == pytest.approx([0.2, 0.2, 0.4, 0.4], abs=1e-12)
    assert abandoned["cif"] == pytest.approx([0.0, 0.2, 0.4, 0.4], abs=1e-12)
    assert [e + a for e, a in zip(plan["cif"], abandoned["cif"])] == pytest.approx(
        [1 - s for s in curves["event_free"]], abs=1e-12
    )
    assert plan["event_times"] == {"n": 2, "median": 1, "mean": 1.0, "min": 0, "max": 2}


def test_how_agreements_were_kept_leaves_out_those_no_longer_needed(small_world):
    """As on the plan page: the plan's latest review (partly and not kept; the first review's "kept" is history),
    partly kept counting half, "no longer needed" left out."""
    fnb = by_key(indicators.compute([small_world.org.pk], "method", today=TODAY))["fnb"]
    assert fnb.agreements["judged"] == 2
    assert (fnb.agreements["kept"], fnb.agreements["partly"], fnb.agreements["not_kept"]) == (0, 1, 1)
    kept = fnb.agreements["kept_rate"]
    assert kept["estimate"] == pytest.approx(0.25)
    # The interval holds whatever half a "partly" is worth: from 0 of 2 kept to 1 of 2 kept.
    assert kept["low"] == 0.0 and 0.5 < kept["high"] < 1.0


def test_outcomes_at_follow_up(small_world):
    rows = by_key(indicators.compute([small_world.org.pk], "method", today=TODAY))
    t1 = rows["fnb"].outcomes["t1"]
    assert t1["measured"] == 2
    assert (t1["shares"]["out_of_home"]["k"], t1["shares"]["out_of_home"]["n"]) == (1, 2)
    assert (t1["shares"]["placed_in_network"]["k"], t1["shares"]["placed_in_network"]["n"]) == (1, 1)
    assert t1["scores"]["sos_safety_scale.score"]["mean"] == pytest.approx(7.0)
    regular = rows["regular_care"].outcomes["t1"]["shares"]["out_of_home"]
    assert (regular["k"], regular["n"]) == (1, 1)


@pytest.mark.parametrize(
    "grouping, keys",
    [
        ("organisation", {"Noord"}),
        ("team", {"Team Noord"}),
        ("region", {"Utrecht"}),
        ("year", {"2026"}),
        ("quarter", {"2026-Q1"}),
        ("all", {"all"}),
    ],
)
def test_every_grouping_counts_all_six(small_world, grouping, keys):
    rows = indicators.compute([small_world.org.pk], grouping, today=TODAY)
    assert {row.key for row in rows} == keys
    assert sum(row.offered for row in rows) == 6
    assert sum(row.plans for row in rows) == 3


def test_other_organisations_and_periods_are_left_out(small_world):
    assert indicators.compute([small_world.org.pk + 1000], "method", today=TODAY) == []
    import datetime

    later = indicators.compute([small_world.org.pk], "method", today=TODAY, date_from=datetime.date(2026, 1, 6))
    assert later == []
