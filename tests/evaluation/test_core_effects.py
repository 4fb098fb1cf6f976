"""The estimators against statsmodels, against independent brute-force code, by simulation, and by hand."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import confint_proportions_2indep

from kring.evaluation.core import effects
from kring.evaluation.core.errors import EvaluationInputError


def synthetic(n=2000, seed=0, effect=1.0):
    """Treatment depends on x1, x2 (confounded); continuous and binary outcomes depend on both."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.binomial(1, 0.4, size=n).astype(float)
    x3 = rng.normal(size=n)
    t = rng.binomial(1, 1 / (1 + np.exp(-(-0.3 + 0.8 * x1 - 0.6 * x2))), size=n).astype(float)
    y = 2 + effect * t + 1.5 * x1 - x2 + 0.3 * x3 + rng.normal(size=n) * (1 + 0.5 * t)
    yb = rng.binomial(1, 1 / (1 + np.exp(-(-0.5 + 0.7 * t + 0.9 * x1 - 0.4 * x2)))).astype(float)
    return pd.DataFrame({"t": t, "y": y, "yb": yb, "x1": x1, "x2": x2, "x3": x3})


COVARIATES = ["x1", "x2", "x3"]


# --- OLS and logistic fits against statsmodels -------------------------------------------------------------


@pytest.mark.parametrize("cov_type", ["classical", "HC1"])
def test_ols_estimates_match_statsmodels(cov_type):
    df = synthetic()
    ours = effects.ancova(df, "t", "y", COVARIATES, cov_type=cov_type)
    fit = smf.ols("y ~ t + x1 + x2 + x3", df).fit(**({} if cov_type == "classical" else {"cov_type": "HC1"}))
    assert ours.estimate == pytest.approx(fit.params["t"], rel=1e-10)
    assert ours.se == pytest.approx(fit.bse["t"], rel=1e-10)
    assert ours.p_value == pytest.approx(fit.pvalues["t"], rel=1e-8)
    low, high = fit.conf_int().loc["t"]
    assert (ours.ci_low, ours.ci_high) == (pytest.approx(low, rel=1e-10), pytest.approx(high, rel=1e-10))
    raw = effects.difference_in_means(df, "t", "y", cov_type=cov_type)
    assert raw.estimate == pytest.approx(df.y[df.t == 1].mean() - df.y[df.t == 0].mean(), rel=1e-12)


def test_logistic_adjustment_matches_statsmodels_glm():
    df = synthetic()
    ours = effects.logistic_adjustment(df, "t", "yb", COVARIATES)
    glm = smf.glm("yb ~ t + x1 + x2 + x3", df, family=sm.families.Binomial()).fit()
    logit = smf.logit("yb ~ t + x1 + x2 + x3", df).fit(disp=0)
    assert ours.odds_ratio.details["log_estimate"] == pytest.approx(glm.params["t"], rel=1e-9)
    assert ours.odds_ratio.estimate == pytest.approx(math.exp(glm.params["t"]), rel=1e-9)
    # statsmodels' Logit takes the Hessian at the final estimate, as we do; GLM's IRLS one iteration earlier
    assert ours.odds_ratio.se == pytest.approx(logit.bse["t"], rel=1e-8)
    assert ours.odds_ratio.se == pytest.approx(glm.bse["t"], rel=1e-5)
    assert ours.odds_ratio.p_value == pytest.approx(logit.pvalues["t"], rel=1e-6)


def test_propensity_score_matches_glm_on_an_ill_conditioned_design():
    """Earnings squared (1e9) next to 0/1 dummies: the fit must still agree with statsmodels."""
    rng = np.random.default_rng(4)
    n = 3000
    earn = rng.gamma(1.0, 8000.0, size=n) * rng.binomial(1, 0.7, size=n)
    dummy = rng.binomial(1, 0.3, size=n).astype(float)
    t = rng.binomial(1, 1 / (1 + np.exp(-(-1 - 0.0001 * earn + 1.2 * dummy + 2e-9 * earn**2)))).astype(float)
    df = pd.DataFrame({"t": t, "earn": earn, "earn2": earn**2, "dummy": dummy})
    ps = effects.propensity_score(df, "t", ["earn", "earn2", "dummy"])
    glm = sm.GLM(t, sm.add_constant(df[["earn", "earn2", "dummy"]]), family=sm.families.Binomial()).fit()
    ours = np.array(list(ps.coefficients.values()))
    np.testing.assert_allclose(ours, glm.params.to_numpy(), rtol=1e-7)
    np.testing.assert_allclose(ps.score, glm.fittedvalues.to_numpy(), rtol=1e-8, atol=1e-12)
    assert ps.converged and not ps.separated


def test_logistic_with_a_perfect_predictor_is_flagged():
    df = synthetic(400, seed=2)
    df["perfect"] = df.t * 2 + df.x3 * 0.01  # separates treated from control
    result = effects.propensity_score(df, "t", ["perfect", "x1"])
    assert {"code": "perfect_separation", "model": "propensity"} in result.warnings
    df["yb"] = (df.x1 > 0).astype(float)
    adjusted = effects.logistic_adjustment(df, "t", "yb", ["x1"])
    assert {"code": "perfect_separation", "model": "outcome"} in adjusted.odds_ratio.warnings
    assert adjusted.odds_ratio.ci_low is None


# --- IPW ------------------------------------------------------------------------------------------------


def _psi(theta, Z, t, y, estimand):
    """The stacked estimating functions written out independently of the module."""
    p = Z.shape[1]
    beta, mu1, mu0 = theta[:p], theta[p], theta[p + 1]
    e = 1 / (1 + np.exp(-Z @ beta))
    if estimand == "ATT":
        w1, w0 = t, (1 - t) * e / (1 - e)
    else:
        w1, w0 = t / e, (1 - t) / (1 - e)
    return np.column_stack([Z * (t - e)[:, None], w1 * (y - mu1), w0 * (y - mu0)])


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_ipw_sandwich_matches_a_numerical_jacobian(estimand):
    df = synthetic(800, seed=1)
    result = effects.ipw(df, "t", "y", COVARIATES, estimand=estimand)
    Z = np.column_stack([np.ones(len(df)), df[COVARIATES].to_numpy()])
    t, y = df.t.to_numpy(), df.y.to_numpy()
    glm = sm.GLM(t, Z, family=sm.families.Binomial()).fit()
    e = glm.fittedvalues
    w = np.where(t == 1, 1, e / (1 - e)) if estimand == "ATT" else np.where(t == 1, 1 / e, 1 / (1 - e))
    mu1 = np.sum(w * t * y) / np.sum(w * t)
    mu0 = np.sum(w * (1 - t) * y) / np.sum(w * (1 - t))
    assert result.estimate == pytest.approx(mu1 - mu0, rel=1e-8)
    theta = np.r_[glm.params, mu1, mu0]
    n, k = len(y), len(theta)
    jac = np.zeros((k, k))
    for j in range(k):
        step = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        jac[:, j] = (_psi(up, Z, t, y, estimand).mean(0) - _psi(down, Z, t, y, estimand).mean(0)) / (2 * step)
    psi = _psi(theta, Z, t, y, estimand)
    a_inv = np.linalg.inv(jac)
    cov = a_inv @ (psi.T @ psi / n) @ a_inv.T / n
    c = np.zeros(k)
    c[-2], c[-1] = 1, -1
    assert result.se == pytest.approx(math.sqrt(c @ cov @ c), rel=1e-5)
    assert result.se_method.startswith("sandwich")
    # with the score taken as known: the plain weighted-mean sandwich
    fixed = math.sqrt(
        np.sum((w * t * (y - mu1)) ** 2) / np.sum(w * t) ** 2
        + np.sum((w * (1 - t) * (y - mu0)) ** 2) / np.sum(w * (1 - t)) ** 2
    )
    assert result.details["se_weights_fixed"] == pytest.approx(fixed, rel=1e-8)


def test_ipw_standard_errors_agree_with_the_bootstrap():
    df = synthetic(1500, seed=8)
    rng = np.random.default_rng(9)
    estimates = {"ATT": [], "ATE": []}
    for _ in range(250):
        sample = df.iloc[rng.integers(0, len(df), len(df))].reset_index(drop=True)
        for estimand in estimates:
            estimates[estimand].append(effects.ipw(sample, "t", "y", COVARIATES, estimand=estimand).estimate)
    for estimand, values in estimates.items():
        se = effects.ipw(df, "t", "y", COVARIATES, estimand=estimand).se
        assert se == pytest.approx(np.std(values, ddof=1), rel=0.15), estimand


def test_ipw_recovers_the_simulated_effect():
    df = synthetic(20000, seed=3, effect=1.0)
    for estimand in ("ATT", "ATE"):
        result = effects.ipw(df, "t", "y", COVARIATES, estimand=estimand)
        assert abs(result.estimate - 1.0) < 3 * result.se
    # the raw difference is confounded
    assert effects.difference_in_means(df, "t", "y").estimate > 1.5


def test_g_computation_risk_difference_and_its_se():
    df = synthetic(2000, seed=5)
    result = effects.logistic_adjustment(df, "t", "yb", COVARIATES).risk_difference
    glm = smf.glm("yb ~ t + x1 + x2 + x3", df, family=sm.families.Binomial()).fit()
    p1 = glm.predict(df.assign(t=1.0))
    p0 = glm.predict(df.assign(t=0.0))
    assert result.estimate == pytest.approx(float((p1 - p0).mean()), rel=1e-8)
    rng = np.random.default_rng(6)
    boot = []
    for _ in range(300):
        sample = df.iloc[rng.integers(0, len(df), len(df))].reset_index(drop=True)
        boot.append(effects.logistic_adjustment(sample, "t", "yb", COVARIATES).risk_difference.estimate)
    assert result.se == pytest.approx(np.std(boot, ddof=1), rel=0.15)
    att = effects.logistic_adjustment(df, "t", "yb", COVARIATES, target="ATT").risk_difference
    treated = df.t == 1
    assert att.estimate == pytest.approx(float((p1 - p0)[treated].mean()), rel=1e-8)


# --- matching ---------------------------------------------------------------------------------------------


def brute_force_matching(logit, t, y, k, width):
    """O(n^2) reference: for each treated, every control within the k-th distance (ties kept) and the caliper;
    Abadie–Imbens variance with J = 2 same-group neighbours for the controls' conditional variance."""
    treated, controls = np.nonzero(t == 1)[0], np.nonzero(t == 0)[0]
    weight = dict.fromkeys(controls, 0.0)
    weight_sq = dict.fromkeys(controls, 0.0)
    effects_, unmatched = [], 0
    for i in treated:
        distance = np.abs(logit[controls] - logit[i])
        kth = np.sort(distance)[min(k, len(controls)) - 1]
        radius = min(kth, width)
        chosen = controls[distance <= radius + 1e-12 * (1 + abs(logit[i]))]
        if len(chosen) == 0:
            unmatched += 1
            continue
        for j in chosen:
            weight[j] += 1 / len(chosen)
            weight_sq[j] += 1 / len(chosen) ** 2
        effects_.append(y[i] - y[chosen].mean())
    att = np.mean(effects_)
    control_term = 0.0
    for j in controls:
        if weight[j] == 0:
            continue
        others = controls[controls != j]
        order = np.argsort(np.abs(logit[others] - logit[j]), kind="stable")[:2]
        sigma2 = 2 / 3 * (y[j] - y[others[order]].mean()) ** 2
        control_term += (weight[j] ** 2 - weight_sq[j]) * sigma2
    var = (np.sum((np.array(effects_) - att) ** 2) + control_term) / len(effects_) ** 2
    return att, math.sqrt(var), unmatched


@pytest.mark.parametrize(("k", "caliper"), [(1, 0.2), (3, 0.2), (1, None), (2, 0.05)])
def test_matching_equals_a_brute_force_reference(k, caliper):
    df = synthetic(300, seed=11)
    ps = effects.propensity_score(df, "t", ["x2", "x1"])
    # round the logit so that ties really happen; the matching then works on exactly these values
    rounded = np.round(ps.logit, 1)
    width = np.inf if caliper is None else caliper * np.std(rounded, ddof=1)
    att, se, unmatched = brute_force_matching(rounded, df.t.to_numpy(), df.y.to_numpy(), k, width)
    data = effects._prepare(df, "t", "y", ["x2", "x1"])
    patched = effects.PropensityScore(
        effects._expit(rounded), rounded, ps.treatment, ps.design, ps.coefficients, ps.cov, ps.converged, ps.separated
    )
    ours, _ = effects._matching(data, patched, k, caliper, 0.95)
    assert ours.estimate == pytest.approx(att, rel=1e-12)
    # the J same-group neighbours can tie too, and then either may be picked: allow for that
    assert ours.se == pytest.approx(se, rel=0.02)
    count = next((w["count"] for w in ours.warnings if w["code"] == "treated_unmatched"), 0)
    assert count == unmatched


def test_matching_se_and_ties_on_a_tie_free_score_match_exactly():
    df = synthetic(250, seed=12)
    ps = effects.propensity_score(df, "t", COVARIATES)
    att, se, _ = brute_force_matching(ps.logit, df.t.to_numpy(), df.y.to_numpy(), 2, 0.2 * np.std(ps.logit, ddof=1))
    ours = effects.nearest_neighbour_matching(df, "t", "y", COVARIATES, k=2)
    assert ours.estimate == pytest.approx(att, rel=1e-12)
    assert ours.se == pytest.approx(se, rel=1e-12)


def test_matching_interval_covers_the_true_effect_in_simulation():
    """Abadie–Imbens' SE ignores the estimated score, so coverage is checked loosely: 90-99 %."""
    covered = 0
    reps = 150
    for seed in range(reps):
        df = synthetic(600, seed=100 + seed, effect=1.0)  # a constant effect of 1, so the ATT is 1
        result = effects.nearest_neighbour_matching(df, "t", "y", COVARIATES, k=2)
        covered += result.ci_low <= 1.0 <= result.ci_high
    assert 0.90 <= covered / reps <= 0.99


def test_matching_is_not_quadratic():
    """100,000 rows must match in well under a second (an O(n^2) loop would take minutes)."""
    import time

    rng = np.random.default_rng(1)
    n = 100_000
    logit = rng.normal(size=n)
    t = (rng.random(n) < 0.3).astype(float)
    start = time.perf_counter()
    matches = effects._match_on_logit(logit, t, 3, 0.2)
    assert time.perf_counter() - start < 2.0
    assert len(matches.treated_rows) + matches.n_unmatched == int(t.sum())
    assert matches.control_weight.sum() == pytest.approx(len(matches.treated_rows))


# --- balance and overlap ------------------------------------------------------------------------------------


def test_balance_table_by_hand():
    df = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0, 0], "x": [1.0, 2.0, 3.0, 0.0, 1.0, 1.0, 2.0]})
    rows = effects.balance_table(df, "t", ["x"], weights={"w": [1, 1, 1, 2, 0, 0, 2]})
    row = rows[0]
    # treated mean 2, var 1; control mean 1, var 2/3; pooled SD sqrt((1 + 2/3) / 2)
    assert row["mean_treated"] == 2 and row["mean_control"] == 1
    assert row["smd"] == pytest.approx(1 / math.sqrt((1 + 2 / 3) / 2), rel=1e-12)
    assert row["variance_ratio"] == pytest.approx(1.5, rel=1e-12)
    # weighted controls: 0 and 2 with weight 2 each: mean 1, so the SMD (same denominator) is unchanged
    after = row["after"]["w"]
    assert after["mean_control"] == 1 and after["smd"] == pytest.approx(row["smd"], rel=1e-12)
    # weighted variances: treated 2/3 (biased), controls 1
    assert after["variance_ratio"] == pytest.approx((2 / 3) / 1, rel=1e-12)


def test_overlap_summary():
    score = np.array([0.1, 0.2, 0.55, 0.9, 0.05, 0.3, 0.6, 0.95])
    t = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    result = effects.overlap_summary(score, t, bins=10)
    assert result["common_support"] == [0.1, 0.9]
    assert result["treated"] == [0, 1, 1, 0, 0, 1, 0, 0, 0, 1]
    assert sum(result["control"]) == 4
    assert result["share_outside"] == {"treated": 0.0, "control": 0.5, "all": 0.25}
    assert result["warnings"][0]["code"] == "poor_overlap"


# --- effect sizes -----------------------------------------------------------------------------------------


def test_cohens_d_and_its_interval():
    rng = np.random.default_rng(2)
    y1, y0 = rng.normal(0.5, 1, 40), rng.normal(0, 1, 30)
    d = effects.cohens_d(y1, y0)
    pooled = math.sqrt((39 * y1.var(ddof=1) + 29 * y0.var(ddof=1)) / 68)
    assert d.estimate == pytest.approx((y1.mean() - y0.mean()) / pooled, rel=1e-12)
    assert d.p_value == pytest.approx(stats.ttest_ind(y1, y0).pvalue, rel=1e-9)
    assert d.details["hedges_g"] == pytest.approx(d.estimate * (1 - 3 / (4 * 68 - 1)), rel=1e-12)
    # large samples: the noncentral-t interval approaches d ± 1.96 * the Hedges–Olkin SE
    big = effects.cohens_d(rng.normal(0.3, 1, 5000), rng.normal(0, 1, 5000))
    assert big.ci_low == pytest.approx(big.estimate - 1.959964 * big.se, abs=2e-3)
    assert big.ci_high == pytest.approx(big.estimate + 1.959964 * big.se, abs=2e-3)


def test_cohens_d_interval_coverage_in_small_samples():
    rng = np.random.default_rng(3)
    true_d, covered, reps = 0.8, 0, 300
    for _ in range(reps):
        d = effects.cohens_d(rng.normal(true_d, 1, 12), rng.normal(0, 1, 9))
        covered += d.ci_low <= true_d <= d.ci_high
    assert 0.92 <= covered / reps <= 0.98


def test_risk_difference_newcombe():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339
    result = effects.risk_difference(56, 70, 48, 80)
    assert result.estimate == pytest.approx(0.2, abs=1e-12)
    assert round(result.ci_low, 4) == 0.0524 and round(result.ci_high, 4) == 0.3339
    for counts in [(56, 70, 48, 80), (0, 10, 3, 12), (10, 10, 0, 10), (3, 77, 9, 59)]:
        ours = effects.risk_difference(*counts)
        low, high = confint_proportions_2indep(counts[0], counts[1], counts[2], counts[3], method="newcomb")
        assert (ours.ci_low, ours.ci_high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))


def test_odds_ratio_woolf():
    ours = effects.odds_ratio(30, 77, 15, 59)
    table = Table2x2(np.array([[30, 47], [15, 44]]))
    assert ours.estimate == pytest.approx(table.oddsratio, rel=1e-12)
    low, high = table.oddsratio_confint()
    assert (ours.ci_low, ours.ci_high) == (pytest.approx(low, rel=1e-12), pytest.approx(high, rel=1e-12))
    assert ours.p_value == pytest.approx(table.oddsratio_pvalue(), rel=1e-10)
    zero = effects.odds_ratio(0, 20, 5, 20)
    assert zero.estimate == pytest.approx((0.5 * 15.5) / (20.5 * 5.5), rel=1e-12)
    assert zero.warnings == ({"code": "zero_cell_correction"},)


# --- moderators -------------------------------------------------------------------------------------------


def test_moderator_interaction_and_effects_within_levels():
    df = synthetic(1500, seed=21)
    (mod,) = effects.moderator_effects(df, "t", "y", ["x2"], ["x1", "x3"])
    fit = smf.ols("y ~ t * x2 + x1 + x3", df).fit()
    assert mod.interaction.estimate == pytest.approx(fit.params["t:x2"], rel=1e-9)
    assert mod.interaction.se == pytest.approx(fit.bse["t:x2"], rel=1e-9)
    at_one = fit.t_test("t + t:x2 = 0")
    assert mod.levels[1]["value"] == 1
    assert mod.levels[1]["effect"]["estimate"] == pytest.approx(float(at_one.effect[0]), rel=1e-9)
    assert mod.levels[1]["effect"]["se"] == pytest.approx(float(at_one.sd[0, 0]), rel=1e-9)
    # without covariates the model is saturated: the effect within a level is that level's raw difference
    (plain,) = effects.moderator_effects(df, "t", "y", ["x2"])
    sub = df[df.x2 == 0]
    raw = sub.y[sub.t == 1].mean() - sub.y[sub.t == 0].mean()
    assert plain.levels[0]["effect"]["estimate"] == pytest.approx(raw, rel=1e-9)
    # a continuous moderator: the interaction only
    (cont,) = effects.moderator_effects(df, "t", "yb", ["x1"], ["x2"], kind="binary")
    glm = smf.glm("yb ~ t * x1 + x2", df, family=sm.families.Binomial()).fit()
    assert cont.interaction.details["log_estimate"] == pytest.approx(glm.params["t:x1"], rel=1e-8)
    assert cont.levels == ()


# --- multiple comparisons and power ------------------------------------------------------------------------


def test_adjust_pvalues_by_hand_and_against_statsmodels():
    p = [0.01, 0.04, 0.03, 0.005]
    # Holm: sorted .005 .01 .03 .04 times 4 3 2 1 = .02 .03 .06 .04 -> running max .02 .03 .06 .06
    assert effects.adjust_pvalues(p, "holm") == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # BH: sorted times 4/1 4/2 4/3 4/4 = .02 .02 .04 .04 -> running min from the top: same
    assert effects.adjust_pvalues(p, "fdr_bh") == pytest.approx([0.02, 0.04, 0.04, 0.02])
    rng = np.random.default_rng(0)
    many = list(rng.uniform(0, 0.2, 25))
    for method in ("holm", "fdr_bh"):
        np.testing.assert_allclose(effects.adjust_pvalues(many, method), multipletests(many, method=method)[1])
    assert effects.adjust_pvalues([0.01, None, 0.04], "holm") == [0.02, None, 0.04]
    with pytest.raises(EvaluationInputError):
        effects.adjust_pvalues(p, "hs")  # statsmodels' default is Holm–Šidák: we only take named methods


def test_minimum_detectable_effect():
    # reference §4.2: 77 vs 59 families, alpha .05, power .8 -> d ≈ 0.49
    d = effects.minimum_detectable_effect(77, 59)
    assert round(d, 2) == 0.49
    # statsmodels' own power function says it is exactly 80 %; its solver stops a little earlier
    assert TTestIndPower().power(d, 77, 0.05, ratio=59 / 77) == pytest.approx(0.8, abs=1e-10)
    solved = TTestIndPower().solve_power(nobs1=77, ratio=59 / 77, alpha=0.05, power=0.8)
    assert d == pytest.approx(solved, rel=1e-5)
    # slightly larger than the normal approximation (z.975 + z.8) * sqrt(1/77 + 1/59) = 0.4847
    assert 0.4847 < d < 0.495


def test_minimum_detectable_difference_in_proportions():
    # textbook: 20 % vs 30 % needs 294 per group (two-sided .05, power .8, no continuity correction);
    # so with 294 per group the detectable increase from 20 % is just under 10 points
    delta = effects.minimum_detectable_difference(294, 294, 0.2)
    assert 0.099 < delta < 0.1
    down = effects.minimum_detectable_difference(294, 294, 0.2, direction="decrease")
    assert -0.09 < down < -0.07
    assert effects.minimum_detectable_difference(3, 3, 0.5) is None  # no difference reaches 80 % power


# --- the entry points -----------------------------------------------------------------------------------


def test_evaluate_outcome_returns_plain_json():
    df = synthetic(600, seed=30)
    for outcome, kind in (("y", "continuous"), ("yb", "binary")):
        result = effects.evaluate_outcome(df, "t", outcome, COVARIATES, kind)
        text = json.dumps(result, allow_nan=False)
        assert json.loads(text) == result
        for key in (
            "raw",
            "regression",
            "propensity",
            "ipw",
            "matching",
            "balance",
            "overlap",
            "effect_size",
            "mde",
            "warnings",
        ):
            assert key in result
        assert result["n_treated"] + result["n_control"] == 600
    binary = effects.evaluate_outcome(df, "t", "yb", COVARIATES, "binary")
    assert set(binary["regression"]) == {"odds_ratio", "risk_difference"}
    assert binary["proportions"]["treated"]["n"] == binary["n_treated"]


def test_evaluate_outcome_warnings():
    df = synthetic(120, seed=31)
    small = pd.concat([df[df.t == 1].head(20), df[df.t == 0]])
    small.loc[small.index[3], "x1"] = np.nan
    result = effects.evaluate_outcome(small, "t", "y", COVARIATES)
    codes = [w["code"] for w in result["warnings"]]
    assert {"code": "rows_dropped_missing", "count": 1, "n_rows": len(small)} in result["warnings"]
    assert {"code": "small_group", "group": "treated", "n": 19, "minimum": 30} in result["warnings"]
    assert len(codes) == len({json.dumps(w, sort_keys=True) for w in result["warnings"]})  # no duplicates
    df["constant"] = 1.0
    with_constant = effects.evaluate_outcome(df, "t", "y", ["x1", "constant"])
    assert {"code": "constant_covariate_dropped", "column": "constant"} in with_constant["warnings"]
    assert with_constant["covariates"] == ["x1"]
    no_covariates = effects.evaluate_outcome(df, "t", "y")
    assert no_covariates["ipw"] is None and no_covariates["raw"]["classical"]["estimate"] is not None


def test_evaluate_applies_the_correction_across_outcomes():
    df = synthetic(800, seed=40)
    df["noise"] = np.random.default_rng(1).normal(size=len(df))
    df["flat"] = 1.0
    result = effects.evaluate(
        df, "t", ["y", "yb", "noise", "flat"], COVARIATES, moderators=["x2"], correction="holm", binary=["yb"]
    )
    by_name = {o["outcome"]: o for o in result["outcomes"]}
    assert by_name["flat"]["error"] == {"code": "no_variation", "column": "flat"}
    ipw = [by_name[o]["ipw"]["ATT"] for o in ("y", "yb", "noise")]
    expected = effects.adjust_pvalues([e["p_value"] for e in ipw], "holm")
    assert [e["p_adjusted"] for e in ipw] == pytest.approx(expected)
    interactions = [m["interaction"] for m in result["moderation"]]
    assert len(interactions) == 3
    assert [e["p_adjusted"] for e in interactions] == pytest.approx(
        effects.adjust_pvalues([e["p_value"] for e in interactions], "holm")
    )
    json.dumps(result, allow_nan=False)
    # a moderator with one value fails its own model only
    df["one_value"] = 1.0
    partly = effects.evaluate(df, "t", ["y"], ["x1"], moderators=["one_value", "x2"])
    assert partly["moderation"][0] == {
        "outcome": "y",
        "moderator": "one_value",
        "error": {"code": "no_variation", "column": "one_value"},
    }
    assert "interaction" in partly["moderation"][1] and "error" not in partly["outcomes"][0]
    uncorrected = effects.evaluate(df, "t", {"y": "continuous"}, COVARIATES, correction=None)
    assert "p_adjusted" not in uncorrected["outcomes"][0]["ipw"]["ATT"]


def test_evaluate_drops_incomplete_rows_once_for_all_outcomes():
    df = synthetic(300, seed=41)
    df.loc[:4, "yb"] = np.nan
    result = effects.evaluate(df, "t", {"y": "continuous", "yb": "binary"}, COVARIATES)
    assert result["n_rows_dropped"] == 5
    assert all(o["n"] == 295 for o in result["outcomes"])


@pytest.mark.parametrize(
    ("change", "call", "code"),
    [
        ({}, lambda df: effects.ancova(df, "t", "y", ["missing"]), "missing_column"),
        ({"x1": "word"}, lambda df: effects.ancova(df, "t", "y", ["x1"]), "not_numeric"),
        ({"t": 2.0}, lambda df: effects.ancova(df, "t", "y", ["x1"]), "treatment_not_binary"),
        ({"yb": 0.5}, lambda df: effects.logistic_adjustment(df, "t", "yb", ["x1"]), "outcome_not_binary"),
        ({"y": 3.0, "_all": True}, lambda df: effects.ancova(df, "t", "y", ["x1"]), "no_variation"),
        ({"t": 1.0, "_all": True}, lambda df: effects.ancova(df, "t", "y", ["x1"]), "no_variation"),
        (
            {},
            lambda df: effects.ancova(df.assign(x4=2 * df.x1 + df.x2), "t", "y", ["x1", "x2", "x4"]),
            "collinear_covariates",
        ),
        ({}, lambda df: effects.ancova(df.assign(x4=df.t), "t", "y", ["x1", "x4"]), "collinear_covariates"),
        ({}, lambda df: effects.evaluate_outcome(df, "t", "y", ["x1"], kind="ordinal"), "invalid_argument"),
        ({}, lambda df: effects.ipw(df, "t", "y", ["x1"], estimand="ATC"), "invalid_argument"),
        ({}, lambda df: effects.nearest_neighbour_matching(df, "t", "y", ["x1"], k=0), "invalid_argument"),
        ({}, lambda df: effects.difference_in_means(df, "t", "y", cov_type="HC9"), "invalid_argument"),
        ({}, lambda df: effects.evaluate(df, "t", ["y"], correction="bonferroni"), "invalid_argument"),
    ],
)
def test_refusals(change, call, code):
    df = synthetic(100, seed=50)
    everywhere = change.pop("_all", False)
    for column, value in change.items():
        df[column] = df[column].astype(object) if isinstance(value, str) else df[column]
        if everywhere:
            df[column] = value
        else:
            df.loc[df.index[0], column] = value
    with pytest.raises(EvaluationInputError) as caught:
        call(df)
    assert caught.value.code == code


def test_too_few_rows():
    df = synthetic(100, seed=51)
    one_treated = pd.concat([df[df.t == 1].head(1), df[df.t == 0]])
    with pytest.raises(EvaluationInputError) as caught:
        effects.difference_in_means(one_treated, "t", "y")
    assert caught.value.as_dict() == {
        "code": "too_few_rows",
        "n_treated": 1,
        "n_control": int((df.t == 0).sum()),
        "minimum": 2,
    }


def test_the_core_does_not_import_django():
    import subprocess
    import sys

    code = (
        "import sys; import kring.evaluation.core.effects, kring.evaluation.core.extract, "
        "kring.evaluation.core.competing_risks, kring.evaluation.core.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"}
    )
    assert out.stdout.strip() == "[]"
