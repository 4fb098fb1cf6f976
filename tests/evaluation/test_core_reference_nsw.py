"""Dehejia & Wahba (1999, JASA, Table 3) on the NSW data shipped by causaldata (reference/evaluation.md §5.1).

Published (rounded) and recomputed values:

    NSW experimental difference in means     1,794 (633)   recomputed 1,794.3 (632.9); HC1 SE 670.8
    NSW regression-adjusted                  1,672 (638)               1,672.2 (638.4)
    NSW treated vs CPS-1, raw                -8,498 (712)              -8,497.5 (712.0)
    NSW treated vs CPS-1, regression-adj.    739 (547)                 738.8 (547.1)   (the paper prints 972)

The regression specification is age, age², educ, nodegree, black, hisp, re74, re75.
"""

from pathlib import Path

import causaldata
import numpy as np
import pandas as pd
import pytest

from kring.evaluation.core import effects

DATA = Path(causaldata.__file__).parent
REGRESSION = ["age", "age2", "educ", "nodegree", "black", "hisp", "re74", "re75"]
# The propensity score of Dehejia–Wahba for the CPS comparison: the list in their paper's CPS specification,
# including the educ x re74 interaction.
SCORE = [
    "age",
    "age2",
    "educ",
    "educ2",
    "marr",
    "nodegree",
    "black",
    "hisp",
    "re74",
    "re75",
    "re74_2",
    "re75_2",
    "u74",
    "u75",
    "educ_re74",
]
EXPERIMENTAL, EXPERIMENTAL_SE = 1794.3, 632.9


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    # The .dta columns are int8/float32. Squares must be taken in float64: int8 age**2 silently overflows
    # (37**2 wraps around) and moves the regression estimate by about 8 dollars.
    frame = frame.drop(columns="data_id").astype("float64")
    frame["age2"] = frame.age**2
    frame["educ2"] = frame.educ**2
    frame["re74_2"] = frame.re74**2
    frame["re75_2"] = frame.re75**2
    frame["u74"] = (frame.re74 == 0).astype(float)
    frame["u75"] = (frame.re75 == 0).astype(float)
    frame["educ_re74"] = frame.educ * frame.re74
    return frame.reset_index(drop=True)


@pytest.fixture(scope="module")
def nsw():
    frame = pd.read_stata(DATA / "nsw_mixtape" / "nsw_mixtape.dta")
    assert (frame.treat == 1).sum() == 185 and (frame.treat == 0).sum() == 260
    return _derive(frame)


@pytest.fixture(scope="module")
def cps():
    nsw = pd.read_stata(DATA / "nsw_mixtape" / "nsw_mixtape.dta")
    cps1 = pd.read_stata(DATA / "cps_mixtape" / "cps_mixtape.dta")
    assert len(cps1) == 15992 and (cps1.treat == 0).all()
    return _derive(pd.concat([nsw[nsw.treat == 1], cps1]))


def _close(estimate, recomputed, published, tolerance=0.05):
    """Equal to the recomputed value to its one decimal, and to the published one to its rounding."""
    assert abs(estimate - recomputed) <= tolerance, (estimate, recomputed)
    assert abs(estimate - published) <= 0.5, (estimate, published)


def test_experimental_difference_in_means(nsw):
    result = effects.difference_in_means(nsw, "treat", "re78")
    _close(result.estimate, 1794.3, 1794)
    _close(result.se, 632.9, 633)
    assert (result.n_treated, result.n_control) == (185, 260)
    robust = effects.difference_in_means(nsw, "treat", "re78", cov_type="HC1")
    assert abs(robust.se - 670.8) <= 0.05


def test_experimental_regression_adjusted(nsw):
    result = effects.ancova(nsw, "treat", "re78", REGRESSION)
    _close(result.estimate, 1672.2, 1672)
    _close(result.se, 638.4, 638)


def test_cps_raw_difference(cps):
    result = effects.difference_in_means(cps, "treat", "re78")
    _close(result.estimate, -8497.5, -8498)
    _close(result.se, 712.0, 712)


def test_cps_regression_adjusted(cps):
    result = effects.ancova(cps, "treat", "re78", REGRESSION)
    _close(result.estimate, 738.8, 739)
    _close(result.se, 547.1, 547)


@pytest.fixture(scope="module")
def cps_evaluation(cps):
    return effects.evaluate_outcome(cps, "treat", "re78", SCORE)


def test_cps_propensity_score_estimates_recover_the_experiment(cps_evaluation):
    """Tolerance tests only: the paper's own PS estimates were 1,774 (1,152) and 1,616 (751)."""
    ipw_att = cps_evaluation["ipw"]["ATT"]
    matching = cps_evaluation["matching"]
    for estimate in (ipw_att, matching):
        assert abs(estimate["estimate"] - EXPERIMENTAL) < min(EXPERIMENTAL_SE, estimate["se"]), estimate
        assert estimate["ci_low"] < EXPERIMENTAL < estimate["ci_high"]
    # the raw comparison is off by about 10,000 dollars; the adjusted ones are not
    assert cps_evaluation["raw"]["classical"]["estimate"] < -8000
    assert matching["details"]["n_treated_matched"] == 185  # the caliper leaves every treated row a match


def test_cps_balance_after_weighting_and_matching(cps_evaluation):
    balance = cps_evaluation["balance"]
    raw = max(abs(row["smd"]) for row in balance)
    after_ipw = max(abs(row["after"]["ipw_att"]["smd"]) for row in balance)
    after_matching = max(abs(row["after"]["matching"]["smd"]) for row in balance)
    assert raw > 2  # black: 84 % of the treated, 7 % of CPS-1
    assert after_ipw < 0.1 and after_matching < 0.1
    black = next(row for row in balance if row["covariate"] == "black")
    assert black["mean_treated"] == pytest.approx(156 / 185)
    assert black["after"]["ipw_att"]["mean_treated"] == pytest.approx(156 / 185)


def test_cps_overlap_is_flagged(cps_evaluation):
    """Most CPS-1 controls have a score below every treated one: Dehejia–Wahba discarded them."""
    overlap = cps_evaluation["overlap"]
    assert overlap["share_outside"]["control"] > 0.5
    assert sum(overlap["treated"]) == 185 and sum(overlap["control"]) == 15992
    codes = {w["code"] for w in cps_evaluation["warnings"]}
    assert "poor_overlap" in codes
    # the ATE is not identified from a CPS population that looks nothing like the treated: its weighting
    # leaves large imbalance, and the warning says so
    assert any(
        w["code"] == "imbalance_after_adjustment" and w["method"] == "ipw_ate" for w in cps_evaluation["warnings"]
    )


def test_nsw_experiment_needs_no_adjustment(nsw):
    """In the experiment the adjusted estimates stay near the raw difference, and no group is too small."""
    result = effects.evaluate_outcome(nsw, "treat", "re78", REGRESSION)
    for estimate in (result["ipw"]["ATT"], result["ipw"]["ATE"], result["regression"]["classical"]):
        assert abs(estimate["estimate"] - EXPERIMENTAL) < 300
    assert not any(w["code"] == "small_group" for w in result["warnings"])
    assert np.isfinite(result["effect_size"]["cohens_d"]["estimate"])
