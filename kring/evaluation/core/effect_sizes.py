"""Effect sizes (Cohen's d, risk difference, odds ratio), p-value adjustment and minimum detectable effects.
The methodological choices are listed in ``effects``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from .effect_models import Estimate, exp_estimate, z_critical
from .errors import EvaluationInputError, warning
from .proportions import wilson_interval

# --- effect sizes ----------------------------------------------------------------------------------------------


def cohens_d(treated: ArrayLike, control: ArrayLike, level: float = 0.95) -> Estimate:
    """Cohen's d with the pooled SD; interval by inverting the noncentral t (exact under normality)."""
    y1, y0 = np.asarray(treated, float), np.asarray(control, float)
    n1, n0 = len(y1), len(y0)
    if n1 < 2 or n0 < 2:
        raise EvaluationInputError("too_few_rows", n_treated=n1, n_control=n0, minimum=2)
    df = n1 + n0 - 2
    pooled = math.sqrt(((n1 - 1) * y1.var(ddof=1) + (n0 - 1) * y0.var(ddof=1)) / df)
    if pooled == 0:
        raise EvaluationInputError("no_variation", column="outcome")
    d = float((y1.mean() - y0.mean()) / pooled)
    scale = math.sqrt(n1 * n0 / (n1 + n0))
    t_obs = d * scale
    alpha = 1 - level
    z_critical(level)
    low, high = _nct_bound(t_obs, df, 1 - alpha / 2) / scale, _nct_bound(t_obs, df, alpha / 2) / scale
    se = math.sqrt((n1 + n0) / (n1 * n0) + d * d / (2 * (n1 + n0)))  # large-sample, for orientation
    correction = 1 - 3 / (4 * df - 1)
    return Estimate(
        "cohens_d",
        "difference",
        "standardised_difference",
        d,
        se,
        low,
        high,
        float(2 * stats.t.sf(abs(t_obs), df)),
        n1,
        n0,
        level,
        "noncentral t",
        (),
        {"pooled_sd": pooled, "hedges_g": d * correction},
    )


def _nct_bound(t_obs: float, df: int, target: float) -> float:
    """The noncentrality nc with P(T <= t_obs | nc) = target (the cdf falls as nc grows).

    Searched near the normal approximation nc = t_obs -/+ z sqrt(1 + t_obs^2 / (2 df)): far from it scipy's
    noncentral t returns NaN. If the search still fails, that approximation is returned.
    """
    spread = math.sqrt(1 + t_obs * t_obs / (2 * df))
    guess = t_obs - float(stats.norm.ppf(target)) * spread

    def f(nc: float) -> float:
        return float(stats.nct.cdf(t_obs, df, nc)) - target

    lo, hi = guess - spread - 0.5, guess + spread + 0.5
    for _ in range(20):
        f_lo, f_hi = f(lo), f(hi)
        if not (math.isfinite(f_lo) and math.isfinite(f_hi)):
            return guess
        if f_lo >= 0 >= f_hi:
            return float(optimize.brentq(f, lo, hi, xtol=1e-12))
        if f_lo < 0:
            lo -= spread
        if f_hi > 0:
            hi += spread
    return guess


def _check_two_by_two(k1: float, n1: float, k0: float, n0: float) -> None:
    for name, value in (("k1", k1), ("n1", n1), ("k0", k0), ("n0", n0)):
        if isinstance(value, bool) or int(value) != value or value < 0:
            raise EvaluationInputError("invalid_argument", argument=name, value=value)
    if k1 > n1 or k0 > n0 or n1 == 0 or n0 == 0:
        raise EvaluationInputError("invalid_argument", argument="counts", value=f"{k1}/{n1} vs {k0}/{n0}")


def risk_difference(k1: int, n1: int, k0: int, n0: int, level: float = 0.95) -> Estimate:
    """p1 - p0 with Newcombe's hybrid score interval (from each group's Wilson interval)."""
    _check_two_by_two(k1, n1, k0, n0)
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson_interval(k1, n1, level)
    l0, u0 = wilson_interval(k0, n0, level)
    # None only for an empty group, which _check_two_by_two refused
    assert l1 is not None and u1 is not None and l0 is not None and u0 is not None
    rd = p1 - p0
    low = rd - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = rd + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)  # Wald, for orientation only
    return Estimate(
        "newcombe",
        "difference",
        "risk_difference",
        rd,
        se,
        low,
        high,
        None,
        n1,
        n0,
        level,
        "Newcombe hybrid score",
        (),
        {"risk_treated": p1, "risk_control": p0},
    )


def odds_ratio(k1: int, n1: int, k0: int, n0: int, level: float = 0.95) -> Estimate:
    """Odds ratio with Woolf's interval; 0.5 added to every cell if any cell is zero (Haldane–Anscombe)."""
    _check_two_by_two(k1, n1, k0, n0)
    a: float
    b: float
    c: float
    d: float
    a, b, c, d = k1, n1 - k1, k0, n0 - k0
    warnings = []
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
        warnings.append(warning("zero_cell_correction"))
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return exp_estimate("woolf", "difference", log_or, se, n1, n0, level, "Woolf (logit)", warnings)


# --- multiple comparisons and power ------------------------------------------------------------------------


def adjust_pvalues(pvalues: Sequence[float | None], method: str) -> list[float | None]:
    """Holm (family-wise) or Benjamini–Hochberg (false discovery rate) adjusted p-values; None stays None."""
    if method not in ("holm", "fdr_bh"):
        raise EvaluationInputError("invalid_argument", argument="method", value=method)
    present = [(i, p) for i, p in enumerate(pvalues) if p is not None and math.isfinite(p)]
    for _, p_i in present:
        if not 0 <= p_i <= 1:
            raise EvaluationInputError("invalid_argument", argument="pvalues", value=p_i)
    adjusted: list[float | None] = [None] * len(pvalues)
    if not present:
        return adjusted
    p = np.array([p_i for _, p_i in present], float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    if method == "holm":
        # step-down: (m - i) p_(i), made non-decreasing
        values = np.maximum.accumulate(np.minimum((m - np.arange(m)) * ranked, 1.0))
    else:
        # step-up: m p_(i) / i, made non-increasing from the largest down
        values = np.minimum.accumulate((m * ranked / np.arange(1, m + 1))[::-1])[::-1]
        values = np.minimum(values, 1.0)
    result = np.empty(m)
    result[order] = values
    for (i, _), value in zip(present, result, strict=True):
        adjusted[i] = float(value)
    return adjusted


def _check_power_args(n_treated: float, n_control: float, alpha: float, power: float) -> None:
    for name, value in (("n_treated", n_treated), ("n_control", n_control)):
        if int(value) != value or value < 2:
            raise EvaluationInputError("invalid_argument", argument=name, value=value)
    if not 0 < alpha < 1:
        raise EvaluationInputError("invalid_argument", argument="alpha", value=alpha)
    if not 0 < power < 1:
        raise EvaluationInputError("invalid_argument", argument="power", value=power)


def minimum_detectable_effect(n_treated: int, n_control: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest standardised difference a two-sided two-sample t test detects with the given power."""
    _check_power_args(n_treated, n_control, alpha, power)
    df = n_treated + n_control - 2
    scale = math.sqrt(n_treated * n_control / (n_treated + n_control))
    critical = stats.t.ppf(1 - alpha / 2, df)

    def shortfall(d: float) -> float:
        nc = d * scale
        return stats.nct.sf(critical, df, nc) + stats.nct.cdf(-critical, df, nc) - power

    # bracket around the normal approximation: the t answer is a little larger, and far-off ncp values
    # make scipy's noncentral t return NaN
    approx = (stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)) / scale
    return float(optimize.brentq(shortfall, approx / 2, approx * 2, xtol=1e-12))


def minimum_detectable_difference(
    n_treated: int,
    n_control: int,
    base_rate: float,
    alpha: float = 0.05,
    power: float = 0.8,
    direction: str = "increase",
) -> float | None:
    """Smallest p1 - p0 (two-sided z test) detectable from a control rate p0; None if none reaches the power."""
    _check_power_args(n_treated, n_control, alpha, power)
    if not 0 < base_rate < 1:
        raise EvaluationInputError("invalid_argument", argument="base_rate", value=base_rate)
    if direction not in ("increase", "decrease"):
        raise EvaluationInputError("invalid_argument", argument="direction", value=direction)
    n1, n0, p0 = n_treated, n_control, base_rate
    z_alpha = stats.norm.ppf(1 - alpha / 2)

    def achieved(p1: float) -> float:
        pooled = (n1 * p1 + n0 * p0) / (n1 + n0)
        null_sd = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
        alt_sd = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        return stats.norm.cdf((abs(p1 - p0) - z_alpha * null_sd) / alt_sd) - power

    end = 1 - 1e-9 if direction == "increase" else 1e-9
    if achieved(end) < 0:
        return None
    start = p0 + 1e-9 if direction == "increase" else p0 - 1e-9
    low, high = sorted((start, end))
    p1 = optimize.brentq(achieved, low, high, xtol=1e-12)
    return float(p1 - p0)
