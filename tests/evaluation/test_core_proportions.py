"""Wilson intervals: the textbook value, the edges, and agreement with statsmodels and scipy."""

import pytest
from scipy.stats import binomtest
from statsmodels.stats.proportion import proportion_confint

from kring.evaluation.core.errors import EvaluationInputError
from kring.evaluation.core.proportions import proportion, wilson_interval


def test_thirty_six_of_a_hundred():
    low, high = wilson_interval(36, 100)
    # reference §4.4: 0.2727-0.4576
    assert round(low, 4) == 0.2727 and round(high, 4) == 0.4576


@pytest.mark.parametrize(("k", "n"), [(0, 5), (5, 5), (1, 3), (17, 59), (77, 77), (250, 100000)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_agrees_with_statsmodels_and_scipy(k, n, level):
    low, high = wilson_interval(k, n, level)
    sm_low, sm_high = proportion_confint(k, n, alpha=1 - level, method="wilson")
    ci = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
    assert low == pytest.approx(sm_low, abs=1e-12) and high == pytest.approx(sm_high, abs=1e-12)
    assert low == pytest.approx(ci.low, abs=1e-12) and high == pytest.approx(ci.high, abs=1e-12)


def test_edges_and_no_denominator():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    empty = proportion(0, 0)
    assert (empty.estimate, empty.low, empty.high) == (None, None, None)
    p = proportion(36, 100)
    assert p.as_dict() == {"k": 36, "n": 100, "estimate": 0.36, "low": p.low, "high": p.high, "level": 0.95}


@pytest.mark.parametrize(
    ("k", "n", "level"), [(3, 2, 0.95), (-1, 4, 0.95), (1.5, 4, 0.95), (1, 4, 1.0), (True, 4, 0.95)]
)
def test_refusals(k, n, level):
    with pytest.raises(EvaluationInputError) as caught:
        wilson_interval(k, n, level)
    assert caught.value.code == "invalid_argument"
