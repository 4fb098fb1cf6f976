"""Aalen–Johansen on discrete weeks: a hand-computed example with ties at week 0, identities, and 1 - KM."""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

from kring.evaluation.core.competing_risks import cumulative_incidence, cumulative_incidence_from_records
from kring.evaluation.core.errors import EvaluationInputError

# Ten trajectories. Week 0: 2 plans, 1 abandoned. Week 1: 1 plan, 1 censored. Week 2: 1 plan, 1 abandoned,
# 1 censored. Week 4: 2 plans.
HAND_ROWS = [
    (0, {"plan": 2, "abandoned": 1}, 0),
    (1, {"plan": 1}, 1),
    (2, {"plan": 1, "abandoned": 1}, 1),
    (4, {"plan": 2}, 0),
]


def test_hand_computed_example_with_ties_at_week_zero():
    result = cumulative_incidence(HAND_ROWS, horizons=[3, 4, 5])
    # At risk: week 0 all 10; week 1: 10 - 3 events = 7; week 2: 7 - 1 event - 1 censored = 5 (the one
    # censored in week 1 counted at risk in week 1); week 4: 5 - 2 events - 1 censored = 2.
    assert result.n == 10 and result.n_censored == 2
    assert result.times == (0, 1, 2, 4)
    assert result.n_at_risk == (10, 7, 5, 2)
    # S: 7/10 = .7; .7 * 6/7 = .6; .6 * 3/5 = .36; .36 * 0/2 = 0
    expected_s = [0.7, 0.6, 0.36, 0.0]
    # F_plan: 2/10 = .2; .2 + .7 * 1/7 = .3; .3 + .6 * 1/5 = .42; .42 + .36 * 2/2 = .78
    expected_plan = [0.2, 0.3, 0.42, 0.78]
    # F_abandoned: 1/10 = .1; .1; .1 + .6 * 1/5 = .22; .22
    expected_abandoned = [0.1, 0.1, 0.22, 0.22]
    plan, abandoned = result.causes["plan"], result.causes["abandoned"]
    np.testing.assert_allclose(result.event_free, expected_s, rtol=0, atol=1e-12)
    np.testing.assert_allclose(plan.cif, expected_plan, rtol=0, atol=1e-12)
    np.testing.assert_allclose(abandoned.cif, expected_abandoned, rtol=0, atol=1e-12)
    assert plan.events == (2, 1, 1, 2) and plan.n_events == 6

    # Variance of F_plan at week 0: binomial, S(-1)^2 d(n-d)/n^3 = 2*8/1000 = .016.
    # At week 1, over m = week 0 (c = .3 - .2 = .1) and m = week 1 (c = 0):
    #   c^2 d/(n(n-d)) = .01 * 3/70 = 3/7000;  S^2 d_k(n-d_k)/n^3 = .016;  -2 c S d_k/n^2 = -2*.1*2/100 = -.004;
    #   week 1: .7^2 * 1*6/7^3 = 6/700.  Sum: 3/7000 + .016 - .004 + 6/700 = .021 exactly.
    assert plan.se[0] ** 2 == pytest.approx(0.016, abs=1e-12)
    assert plan.se[1] ** 2 == pytest.approx(0.021, abs=1e-12)
    # F_abandoned at week 0: 1*9/1000 = .009
    assert abandoned.se[0] ** 2 == pytest.approx(0.009, abs=1e-12)
    # At week 4 everyone has had an event, F_plan = 1 - F_abandoned, so their variances are equal.
    assert plan.se[3] == pytest.approx(abandoned.se[3], abs=1e-12)

    # the plan CIF first reaches 50 % at week 4; abandonment never does
    assert plan.time_to_half == 4 and abandoned.time_to_half is None
    # plan weeks 0, 0, 1, 2, 4, 4: median (1 + 2) / 2 = 1.5, mean 11/6, range 0-4
    assert plan.event_times == {"n": 6, "median": 1.5, "mean": pytest.approx(11 / 6, abs=1e-12), "min": 0, "max": 4}
    assert abandoned.event_times == {"n": 2, "median": 1, "mean": 1.0, "min": 0, "max": 2}

    # horizons: week 3 reads week 2's step; week 4 is the last time; week 5 is beyond follow-up
    h3, h4, h5 = plan.at_horizons
    assert h3["cif"] == pytest.approx(0.42, abs=1e-12) and h3["se"] == pytest.approx(plan.se[2], abs=1e-15)
    assert h4["cif"] == pytest.approx(0.78, abs=1e-12)
    assert h5["cif"] is None
    assert result.warnings == ({"code": "horizon_beyond_follow_up", "horizon": 5, "last_time": 4},)


def test_interval_on_the_log_minus_log_scale_stays_inside_zero_one():
    result = cumulative_incidence(HAND_ROWS)
    plan = result.causes["plan"]
    # F = .2, se = sqrt(.016): F^exp(±1.96 se / (F |log F|))
    z = stats.norm.ppf(0.975)
    spread = math.exp(z * math.sqrt(0.016) / (0.2 * abs(math.log(0.2))))
    assert plan.ci_low[0] == pytest.approx(0.2**spread, abs=1e-12)
    assert plan.ci_high[0] == pytest.approx(0.2 ** (1 / spread), abs=1e-12)
    for cause in result.causes.values():
        for f, lo, hi in zip(cause.cif, cause.ci_low, cause.ci_high, strict=True):
            assert 0 <= lo <= f <= hi <= 1


def _random_records(seed, n=400, causes=("plan", "abandoned", "moved"), p=(0.4, 0.2, 0.1, 0.3)):
    rng = np.random.default_rng(seed)
    times = rng.integers(0, 30, size=n)  # weeks, many ties, week 0 included
    kinds = rng.choice(list(causes) + [None], size=n, p=list(p))
    return [(int(t), None if k is None else str(k)) for t, k in zip(times, kinds, strict=True)]


def test_cifs_plus_event_free_survival_is_one_at_every_time():
    result = cumulative_incidence_from_records(_random_records(3))
    total = np.sum([c.cif for c in result.causes.values()], axis=0) + np.array(result.event_free)
    np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-12)
    assert result.times[0] == 0


def test_one_cause_is_one_minus_kaplan_meier_with_greenwood_variance():
    records = _random_records(5, causes=("plan",), p=(0.6, 0.4))
    result = cumulative_incidence_from_records(records)
    plan = result.causes["plan"]
    times = np.array([t for t, _ in records], float)
    observed = np.array([k is not None for _, k in records])

    km = stats.ecdf(stats.CensoredData.right_censored(times, ~observed))
    np.testing.assert_allclose(1 - np.array(plan.cif), km.sf.evaluate(np.array(result.times)), atol=1e-12)

    sf = SurvfuncRight(times, observed.astype(int))
    at = np.searchsorted(sf.surv_times, np.array(result.times), side="right") - 1
    event_times = at >= 0
    np.testing.assert_allclose(np.array(plan.cif)[event_times], 1 - sf.surv_prob[at[event_times]], atol=1e-12)
    # the delta-method variance with one cause is Greenwood's
    np.testing.assert_allclose(np.array(plan.se)[event_times], sf.surv_prob_se[at[event_times]], atol=1e-12)


def test_variance_matches_a_numerical_delta_method():
    """Differentiate F_k(t) in the discrete hazards numerically and apply the multinomial covariance."""
    result = cumulative_incidence_from_records(_random_records(11, n=120))
    times = np.array(result.times)
    names = list(result.causes)
    n = np.array(result.n_at_risk, float)
    d = np.array([result.causes[c].events for c in names], float).T  # J x K
    lam = d / n[:, None]

    def cif(hazards, k, j):
        s_before, total = 1.0, 0.0
        for m in range(j + 1):
            total += s_before * hazards[m, k]
            s_before *= 1 - hazards[m].sum()
        return total

    for k, name in enumerate(names):
        for j in (0, len(times) // 2, len(times) - 1):
            grad = np.zeros_like(lam)
            step = 1e-7
            for m in range(j + 1):
                for kk in range(len(names)):
                    up, down = lam.copy(), lam.copy()
                    up[m, kk] += step
                    down[m, kk] -= step
                    grad[m, kk] = (cif(up, k, j) - cif(down, k, j)) / (2 * step)
            var = 0.0
            for m in range(j + 1):
                cov = (np.diag(lam[m]) - np.outer(lam[m], lam[m])) / n[m]
                var += grad[m] @ cov @ grad[m]
            assert result.causes[name].se[j] ** 2 == pytest.approx(var, rel=1e-6, abs=1e-14)


def test_records_and_aggregated_rows_agree_and_rows_with_one_time_add_up():
    records = _random_records(7)
    from_records = cumulative_incidence_from_records(records, causes=["plan", "abandoned", "moved"])
    # the way a GROUP BY (week, status) returns them: one row per week and cause, in any order
    rows = []
    for t, k in records:
        rows.append((t, {k: 1} if k else {}, 0 if k else 1))
    rows.reverse()
    aggregated = cumulative_incidence(rows, causes=["plan", "abandoned", "moved"])
    assert from_records.as_dict() == aggregated.as_dict()


def test_all_events_at_week_zero_and_empty_input():
    result = cumulative_incidence([(0, {"plan": 3, "abandoned": 1}, 0)], horizons=[0])
    assert result.causes["plan"].cif == (0.75,)
    assert result.causes["plan"].at_horizons[0]["cif"] == 0.75
    assert result.causes["plan"].time_to_half == 0
    assert result.event_free == (0.0,)

    empty = cumulative_incidence([], causes=["plan"], horizons=[4])
    assert empty.n == 0 and empty.times == ()
    assert empty.causes["plan"].at_horizons[0]["cif"] is None
    assert empty.causes["plan"].event_times["median"] is None


def test_a_cause_with_no_events_and_a_horizon_before_the_first_time():
    result = cumulative_incidence([(2, {"plan": 1}, 1)], causes=["plan", "abandoned"], horizons=[1])
    assert result.causes["abandoned"].cif == (0.0,)
    assert result.causes["plan"].at_horizons[0] == {"horizon": 1, "cif": 0.0, "se": 0.0, "low": 0.0, "high": 0.0}


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        ([(-1, {"plan": 1}, 0)], "negative_time"),
        ([(1, {"plan": 1.5}, 0)], "invalid_counts"),
        ([(1, {"plan": -1}, 0)], "invalid_counts"),
        ([(1, {"plan": 1}, True)], "invalid_counts"),
        ([(float("nan"), {"plan": 1}, 0)], "invalid_counts"),
        ([("week 1", {"plan": 1}, 0)], "invalid_counts"),
        ([(1, {"other": 1}, 0)], "invalid_counts"),  # a cause outside the declared ones
        ([(1, {None: 1}, 0)], "invalid_counts"),
        ([(1, {"plan": 1})], "invalid_counts"),
    ],
)
def test_refusals(rows, code):
    with pytest.raises(EvaluationInputError) as caught:
        cumulative_incidence(rows, causes=["plan"])
    assert caught.value.code == code


def test_json_round_trip():
    import json

    result = cumulative_incidence(HAND_ROWS, horizons=[2])
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()
