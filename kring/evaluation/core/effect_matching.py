"""Nearest-neighbour matching on the logit of the propensity score, and the balance and overlap diagnostics.
The methodological choices are listed in ``effects``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .effect_estimators import PropensityScore, ipw_weights, propensity_on_data
from .effect_models import (
    DEFAULT_CALIPER,
    OVERLAP_SHARE,
    SMD_THRESHOLD,
    VARIANCE_NEIGHBOURS,
    Estimate,
    FloatArray,
    IndexArray,
    Outcome,
    PreparedData,
    normal_estimate,
    number_or_none,
    prepare,
)
from .errors import EvaluationInputError, warning


@dataclass(frozen=True)
class _Matches:
    treated_rows: IndexArray  # indices (into all rows) of matched treated
    lo: IndexArray  # per matched treated: range [lo, hi) in the sorted controls
    hi: IndexArray
    control_rows: IndexArray  # controls' row indices in sorted-logit order
    control_weight: FloatArray  # per sorted control: sum of 1/M_i over the treated it serves
    control_weight_sq: FloatArray  # per sorted control: sum of 1/M_i^2
    n_unmatched: int
    caliper: float | None


def _match_on_logit(logit: FloatArray, t: FloatArray, k: int, caliper: float | None) -> _Matches:
    """1:k nearest neighbours with replacement on the logit, ties at the k-th distance kept, within caliper."""
    control_rows = np.nonzero(t == 0)[0]
    treated_rows = np.nonzero(t == 1)[0]
    order = np.argsort(logit[control_rows], kind="stable")
    control_rows = control_rows[order]
    lc = logit[control_rows]
    lt = logit[treated_rows]
    n_c = len(lc)
    k = min(k, n_c)
    width = None if caliper is None else caliper * float(np.std(logit, ddof=1))
    pos = np.searchsorted(lc, lt)
    window = pos[:, None] + np.arange(-k, k)[None, :]
    valid = (window >= 0) & (window < n_c)
    distance = np.where(valid, np.abs(lc[np.clip(window, 0, n_c - 1)] - lt[:, None]), np.inf)
    kth = np.partition(distance, k - 1, axis=1)[:, k - 1]
    radius = kth if width is None else np.minimum(kth, width)
    slack = 1e-12 * (1 + np.abs(lt))  # equal scores computed alike are equal; this only absorbs rounding
    lo = np.searchsorted(lc, lt - radius - slack, side="left")
    hi = np.searchsorted(lc, lt + radius + slack, side="right")
    matched = hi > lo
    lo, hi = lo[matched], hi[matched]
    share = 1.0 / (hi - lo)
    diff = np.zeros(n_c + 1)
    diff_sq = np.zeros(n_c + 1)
    np.add.at(diff, lo, share)
    np.add.at(diff, hi, -share)
    np.add.at(diff_sq, lo, share**2)
    np.add.at(diff_sq, hi, -(share**2))
    return _Matches(
        treated_rows[matched],
        lo,
        hi,
        control_rows,
        np.cumsum(diff)[:-1],
        np.cumsum(diff_sq)[:-1],
        int((~matched).sum()),
        width,
    )


def _same_group_variance(logit_sorted: FloatArray, y_sorted: FloatArray, j: int) -> FloatArray:
    """Abadie–Imbens conditional variance per row: J/(J+1) (y - mean of its J nearest same-group rows)^2."""
    n = len(y_sorted)
    j = min(j, n - 1)
    if j < 1:
        return np.zeros(n)
    idx = np.arange(n)[:, None] + np.r_[np.arange(-j, 0), np.arange(1, j + 1)][None, :]
    valid = (idx >= 0) & (idx < n)
    clipped = np.clip(idx, 0, n - 1)
    distance = np.where(valid, np.abs(logit_sorted[clipped] - logit_sorted[:, None]), np.inf)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :j]
    neighbours = np.take_along_axis(clipped, nearest, axis=1)
    neighbour_mean: FloatArray = y_sorted[neighbours].mean(axis=1)
    return j / (j + 1) * (y_sorted - neighbour_mean) ** 2


def matching_weights(matches: _Matches, n: int) -> FloatArray:
    """Per row: 1 for matched treated, the summed 1/M_i for controls, 0 otherwise (for the balance table)."""
    w = np.zeros(n)
    w[matches.treated_rows] = 1.0
    w[matches.control_rows] = matches.control_weight
    return w


def matching_on_data(
    data: PreparedData[FloatArray], ps: PropensityScore, k: int, caliper: float | None, level: float
) -> tuple[Estimate, _Matches]:
    if int(k) != k or k < 1:
        raise EvaluationInputError("invalid_argument", argument="k", value=k)
    if caliper is not None and not caliper > 0:
        raise EvaluationInputError("invalid_argument", argument="caliper", value=caliper)
    m = _match_on_logit(ps.logit, data.t, int(k), caliper)
    warnings = list(data.warnings) + list(ps.warnings)
    if m.n_unmatched:
        warnings.append(warning("treated_unmatched", count=m.n_unmatched, n_treated=data.n_treated))
    y = data.y
    yc = y[m.control_rows]
    n1m = len(m.treated_rows)
    details = {
        "k": int(k),
        "caliper_sd": caliper,
        "caliper_width": number_or_none(m.caliper),
        "n_treated_matched": n1m,
        "n_controls_used": int((m.control_weight > 1e-12).sum()),
        "ties_kept": True,
    }
    if n1m == 0:
        return normal_estimate(
            "matching",
            "ATT",
            "difference",
            None,
            None,
            data.n_treated,
            data.n_control,
            level,
            "Abadie–Imbens",
            warnings,
            details,
        ), m
    prefix = np.concatenate(([0.0], np.cumsum(yc)))
    y0_hat = (prefix[m.hi] - prefix[m.lo]) / (m.hi - m.lo)
    effects = y[m.treated_rows] - y0_hat
    att = float(effects.mean())
    sigma2 = _same_group_variance(ps.logit[m.control_rows], yc, VARIANCE_NEIGHBOURS)
    used = m.control_weight > 0
    control_term = float(((m.control_weight**2 - m.control_weight_sq) * sigma2)[used].sum())
    var = (float(((effects - att) ** 2).sum()) + control_term) / n1m**2
    se = math.sqrt(var) if var > 0 else None
    return normal_estimate(
        "matching",
        "ATT",
        "difference",
        att,
        se,
        data.n_treated,
        data.n_control,
        level,
        "Abadie–Imbens, propensity score as known",
        warnings,
        details,
    ), m


def nearest_neighbour_matching(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    k: int = 1,
    caliper: float | None = DEFAULT_CALIPER,
    level: float = 0.95,
) -> Estimate:
    """ATT by 1:k nearest-neighbour matching with replacement on the logit of the propensity score."""
    data = prepare(df, treatment, outcome, covariates)
    return matching_on_data(data, propensity_on_data(data), k, caliper, level)[0]


# --- balance and overlap ------------------------------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _group_moments(X: FloatArray, w: FloatArray) -> tuple[list[float | None], list[float | None]]:
    """Weighted means and (biased) weighted variances of every column; None where the weights sum to 0."""
    total = w.sum()
    if total <= 0:
        return [None] * X.shape[1], [None] * X.shape[1]
    mean = w @ X / total
    var = w @ (X - mean) ** 2 / total
    return list(map(float, mean)), list(map(float, var))


def balance_rows(data: PreparedData[Outcome], weights: Mapping[str, FloatArray]) -> list[dict[str, Any]]:
    t = data.t == 1
    X1, X0 = data.X[t], data.X[~t]
    m1, m0 = X1.mean(axis=0), X0.mean(axis=0)
    v1 = X1.var(axis=0, ddof=1) if len(X1) > 1 else np.zeros(X1.shape[1])
    v0 = X0.var(axis=0, ddof=1) if len(X0) > 1 else np.zeros(X0.shape[1])
    sd = np.sqrt((v1 + v0) / 2)

    def smd(a: float | None, b: float | None, j: int) -> float | None:
        if a is None or b is None:
            return None
        return float((a - b) / sd[j]) if sd[j] > 0 else 0.0

    after = {label: (_group_moments(X1, w[t]), _group_moments(X0, w[~t])) for label, w in weights.items()}
    rows: list[dict[str, Any]] = []
    for j, name in enumerate(data.covariates):
        row: dict[str, Any] = {
            "covariate": name,
            "mean_treated": float(m1[j]),
            "mean_control": float(m0[j]),
            "smd": smd(m1[j], m0[j], j),
            "variance_ratio": _ratio(float(v1[j]), float(v0[j])),
            "after": {},
        }
        for label, ((wm1, wv1), (wm0, wv0)) in after.items():
            row["after"][label] = {
                "mean_treated": wm1[j],
                "mean_control": wm0[j],
                "smd": smd(wm1[j], wm0[j], j),
                "variance_ratio": _ratio(wv1[j], wv0[j]),
            }
        rows.append(row)
    return rows


def imbalance_warnings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: dict[str, list[str]] = {}
    for row in rows:
        for label, after in row["after"].items():
            if after["smd"] is not None and abs(after["smd"]) > SMD_THRESHOLD:
                found.setdefault(label, []).append(row["covariate"])
    return [
        warning("imbalance_after_adjustment", method=label, threshold=SMD_THRESHOLD, columns=columns)
        for label, columns in found.items()
    ]


def balance_table(
    df: pd.DataFrame, treatment: str, covariates: Sequence[str], weights: Mapping[str, Sequence[float]] | None = None
) -> list[dict[str, Any]]:
    """Per covariate: group means, SMD and variance ratio, before and after each given set of row weights.

    Without ``weights`` it fits the propensity score and reports after IPW (ATT, ATE) and after matching.
    Given weights must be in the order of ``df``'s complete rows.
    """
    data = prepare(df, treatment, None, covariates)
    used: Mapping[str, ArrayLike]
    if weights is None:
        ps = propensity_on_data(data)
        m = _match_on_logit(ps.logit, data.t, 1, DEFAULT_CALIPER)
        used = {
            "ipw_att": ipw_weights(ps.score, data.t, "ATT"),
            "ipw_ate": ipw_weights(ps.score, data.t, "ATE"),
            "matching": matching_weights(m, len(data.t)),
        }
    else:
        used = weights
    return balance_rows(data, {k: np.asarray(v, float) for k, v in used.items()})


def overlap_summary(score: ArrayLike, treatment: ArrayLike, bins: int = 20) -> dict[str, Any]:
    """Histogram of the propensity score per group on [0, 1] (plain lists) and the common support."""
    e = np.asarray(score, float)
    t = np.asarray(treatment, float) == 1
    if int(bins) != bins or bins < 1:
        raise EvaluationInputError("invalid_argument", argument="bins", value=bins)
    edges = np.linspace(0.0, 1.0, int(bins) + 1)
    e1, e0 = e[t], e[~t]
    low, high = max(e1.min(), e0.min()), min(e1.max(), e0.max())
    outside = (e < low) | (e > high)
    share1, share0 = float(outside[t].mean()), float(outside[~t].mean())
    warnings = []
    if share1 > OVERLAP_SHARE or share0 > OVERLAP_SHARE:
        warnings.append(warning("poor_overlap", share_treated=share1, share_control=share0))
    return {
        "bin_edges": [float(x) for x in edges],
        "treated": [int(x) for x in np.histogram(e1, edges)[0]],
        "control": [int(x) for x in np.histogram(e0, edges)[0]],
        "common_support": [float(low), float(high)],
        "share_outside": {"treated": share1, "control": share0, "all": float(outside.mean())},
        "n_outside": {"treated": int(outside[t].sum()), "control": int(outside[~t].sum())},
        "quantiles": {
            group: {q: float(np.quantile(values, p)) for q, p in (("min", 0), ("median", 0.5), ("max", 1))}
            for group, values in (("treated", e1), ("control", e0))
        },
        "warnings": warnings,
    }
