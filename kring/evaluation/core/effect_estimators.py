"""Effect estimators on prepared data: difference in means, ANCOVA, logistic adjustment with g-computation,
the propensity score and IPW, and moderators. The methodological choices are listed in ``effects``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .effect_models import (
    SMALL_GROUP,
    Estimate,
    FloatArray,
    Outcome,
    PreparedData,
    check_kind,
    exp_estimate,
    expit,
    fit_logit,
    fit_ols,
    fit_warnings,
    normal_estimate,
    number_or_none,
    prepare,
    standardise,
    t_estimate,
    treatment_coefficient,
)
from .errors import EvaluationInputError, warning


def difference_in_means_on_data(data: PreparedData[FloatArray], cov_type: str, level: float) -> Estimate:
    fit = data.ols(with_covariates=False)
    details = {"mean_treated": float(data.y[data.t == 1].mean()), "mean_control": float(data.y[data.t == 0].mean())}
    return treatment_coefficient(data, fit, cov_type, "difference_in_means", "difference", level, details)


def difference_in_means(
    df: pd.DataFrame, treatment: str, outcome: str, *, cov_type: str = "classical", level: float = 0.95
) -> Estimate:
    """Mean(treated) - mean(control) as the OLS slope of outcome on treatment; cov_type 'classical' or 'HC1'."""
    return difference_in_means_on_data(prepare(df, treatment, outcome, ()), cov_type, level)


def ancova_on_data(data: PreparedData[FloatArray], cov_type: str, level: float) -> Estimate:
    fit = data.ols(with_covariates=True)
    details = {"covariates": list(data.covariates)}
    return treatment_coefficient(data, fit, cov_type, "regression_adjustment", "ATE", level, details)


def ancova(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    cov_type: str = "classical",
    level: float = 0.95,
) -> Estimate:
    """OLS ``outcome ~ treatment + covariates`` (ANCOVA when a baseline score is a covariate)."""
    return ancova_on_data(prepare(df, treatment, outcome, covariates), cov_type, level)


@dataclass(frozen=True)
class LogisticAdjustment:
    odds_ratio: Estimate  # conditional (adjusted) odds ratio
    risk_difference: Estimate  # marginal, by g-computation

    def as_dict(self) -> dict[str, Any]:
        return {"odds_ratio": self.odds_ratio.as_dict(), "risk_difference": self.risk_difference.as_dict()}


def logistic_adjustment_on_data(
    data: PreparedData[FloatArray], level: float, target: str = "ATE"
) -> LogisticAdjustment:
    if target not in ("ATE", "ATT"):
        raise EvaluationInputError("invalid_argument", argument="target", value=target)
    n = len(data.t)
    design = data.design()
    fit = fit_logit(design, data.y)
    warnings = list(data.warnings) + fit_warnings(fit, "outcome")
    se_log = math.sqrt(fit.cov[1, 1]) if np.isfinite(fit.cov[1, 1]) and fit.cov[1, 1] > 0 else None
    odds = exp_estimate(
        "logistic_regression",
        "conditional",
        fit.beta[1],
        None if fit.separated else se_log,
        data.n_treated,
        data.n_control,
        level,
        "model-based",
        warnings,
        {"covariates": list(data.covariates)},
    )
    rows = data.t == 1 if target == "ATT" else np.ones(n, dtype=bool)
    treated_design, control_design = design[rows].copy(), design[rows].copy()
    treated_design[:, 1], control_design[:, 1] = 1.0, 0.0
    p1, p0 = expit(treated_design @ fit.beta), expit(control_design @ fit.beta)
    contrast = p1 - p0
    rd = float(contrast.mean())
    # influence function: (contrast_i - rd) over the target rows + gradient' * (coefficient influence)
    gradient = (treated_design * (p1 * (1 - p1))[:, None]).mean(axis=0) - (
        control_design * (p0 * (1 - p0))[:, None]
    ).mean(axis=0)
    var = float(gradient @ fit.cov @ gradient) + float(contrast.var(ddof=1)) / rows.sum()
    se = None if fit.separated or not math.isfinite(var) else math.sqrt(max(var, 0.0))
    risk = normal_estimate(
        "g_computation",
        target,
        "risk_difference",
        rd,
        se,
        data.n_treated,
        data.n_control,
        level,
        "delta method, unconditional",
        warnings,
        {"risk_treated": float(p1.mean()), "risk_control": float(p0.mean())},
    )
    return LogisticAdjustment(odds, risk)


def logistic_adjustment(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    target: str = "ATE",
    level: float = 0.95,
) -> LogisticAdjustment:
    """Logistic ``outcome ~ treatment + covariates``: adjusted odds ratio and the g-computation risk difference."""
    return logistic_adjustment_on_data(prepare(df, treatment, outcome, covariates, "binary"), level, target)


def regression_adjustment(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    kind: str = "continuous",
    *,
    level: float = 0.95,
) -> Estimate | LogisticAdjustment:
    """``ancova`` for a continuous outcome (an Estimate), ``logistic_adjustment`` for a binary one."""
    check_kind(kind)
    if kind == "binary":
        return logistic_adjustment(df, treatment, outcome, covariates, level=level)
    return ancova(df, treatment, outcome, covariates, level=level)


# --- propensity score, weighting, matching -------------------------------------------------------------------


@dataclass(frozen=True)
class PropensityScore:
    """The fitted score e(x) = P(treated | x) per row (in the order of the rows kept), and the model."""

    score: FloatArray
    logit: FloatArray
    treatment: FloatArray
    design: FloatArray  # [1, covariates] centred and scaled: a well-conditioned basis for the IPW sandwich
    coefficients: dict[str, float]
    cov: FloatArray
    converged: bool
    separated: bool
    warnings: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        se = np.sqrt(np.diag(self.cov))
        return {
            "coefficients": {k: number_or_none(v) for k, v in self.coefficients.items()},
            "se": {k: number_or_none(s) for k, s in zip(self.coefficients, se, strict=True)},
            "converged": self.converged,
            "separated": self.separated,
            "warnings": [dict(w) for w in self.warnings],
        }


def propensity_on_data(data: PreparedData[Outcome]) -> PropensityScore:
    design = np.delete(data.design(), 1, axis=1)
    fit = fit_logit(design, data.t)
    names = ["(intercept)"] + list(data.covariates)
    # The sandwich's variance of mu1 - mu0 does not depend on how the score's coefficients are parametrised;
    # in the standardised basis the Jacobian stays invertible with earnings squared among the covariates.
    basis = standardise(design)[0]
    return PropensityScore(
        fit.fitted,
        fit.eta,
        data.t,
        basis,
        dict(zip(names, map(float, fit.beta), strict=True)),
        fit.cov,
        fit.converged,
        fit.separated,
        tuple(fit_warnings(fit, "propensity")),
    )


def propensity_score(df: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> PropensityScore:
    """Unpenalised logistic regression of treatment on the covariates."""
    return propensity_on_data(prepare(df, treatment, None, covariates))


def ipw_weights(score: ArrayLike, treatment: ArrayLike, estimand: str = "ATT") -> FloatArray:
    """ATT: 1 for treated, e/(1-e) for controls. ATE: 1/e for treated, 1/(1-e) for controls."""
    t = np.asarray(treatment, float)
    e = np.asarray(score, float)
    with np.errstate(divide="ignore"):
        if estimand == "ATT":
            return np.where(t == 1, 1.0, e / (1 - e))
        if estimand == "ATE":
            return np.where(t == 1, 1 / e, 1 / (1 - e))
    raise EvaluationInputError("invalid_argument", argument="estimand", value=estimand)


def _ipw_parts(
    ps: PropensityScore, y: FloatArray, estimand: str
) -> tuple[float, float, FloatArray, FloatArray, FloatArray]:
    """Estimate, the stacked estimating functions and their Jacobian (A = -mean d psi / d theta)."""
    t, e, Z = ps.treatment, ps.score, ps.design
    w = ipw_weights(e, t, estimand)
    tw, cw = t * w, (1 - t) * w
    mu1, mu0 = (tw @ y) / tw.sum(), (cw @ y) / cw.sum()
    r1, r0 = tw * (y - mu1), cw * (y - mu0)
    psi = np.column_stack([Z * (t - e)[:, None], r1, r0])
    n, p = Z.shape
    a = np.zeros((p + 2, p + 2))
    a[:p, :p] = (Z * (e * (1 - e))[:, None]).T @ Z / n
    odds = e / (1 - e)
    if estimand == "ATE":
        # d(1/e)/d beta = -(1-e)/e Z
        a[p, :p] = ((t * (y - mu1) * (1 - e) / e)[:, None] * Z).mean(axis=0)
    # ATE and ATT alike: d(1/(1-e))/d beta = d(e/(1-e))/d beta = e/(1-e) Z
    a[p + 1, :p] = -(((1 - t) * (y - mu0) * odds)[:, None] * Z).mean(axis=0)
    a[p, p] = tw.mean()
    a[p + 1, p + 1] = cw.mean()
    return mu1, mu0, psi, a, w


def ipw_on_data(data: PreparedData[FloatArray], ps: PropensityScore, estimand: str, level: float) -> Estimate:
    y = data.y
    mu1, mu0, psi, a, w = _ipw_parts(ps, y, estimand)
    n, p = len(y), ps.design.shape[1]
    warnings = list(data.warnings) + list(ps.warnings)
    contrast = np.zeros(p + 2)
    contrast[p], contrast[p + 1] = 1.0, -1.0
    try:
        a_inv = np.linalg.inv(a)
        cov = a_inv @ (psi.T @ psi / n) @ a_inv.T / n
        var = float(contrast @ cov @ contrast)
    except np.linalg.LinAlgError:
        var = float("nan")
    tw, cw = data.t * w, (1 - data.t) * w
    var_fixed = float((psi[:, p] ** 2).sum() / tw.sum() ** 2 + (psi[:, p + 1] ** 2).sum() / cw.sum() ** 2)
    details = {
        "mean_treated": float(mu1),
        "mean_control": float(mu0),
        "se_weights_fixed": number_or_none(math.sqrt(var_fixed)),
        "effective_n_treated": number_or_none(tw.sum() ** 2 / (tw**2).sum()),
        "effective_n_control": number_or_none(cw.sum() ** 2 / (cw**2).sum()),
        "max_weight": number_or_none(w.max()),
    }
    se = math.sqrt(var) if math.isfinite(var) and var > 0 else None
    return normal_estimate(
        "ipw",
        estimand,
        "difference",
        mu1 - mu0,
        se,
        data.n_treated,
        data.n_control,
        level,
        "sandwich, propensity score estimated",
        warnings,
        details,
    )


def ipw(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    *,
    estimand: str = "ATT",
    level: float = 0.95,
) -> Estimate:
    """Inverse-probability weighting (Hájek) for the ATT or ATE with the stacked sandwich SE."""
    data = prepare(df, treatment, outcome, covariates)
    return ipw_on_data(data, propensity_on_data(data), estimand, level)


# --- moderators -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moderation:
    moderator: str
    interaction: Estimate
    levels: tuple[dict[str, Any], ...]  # for a two-valued moderator: the effect within each value
    warnings: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "moderator": self.moderator,
            "interaction": self.interaction.as_dict(),
            "levels": [dict(level) for level in self.levels],
            "warnings": [dict(w) for w in self.warnings],
        }


def moderation_on_data(
    data: PreparedData[FloatArray], moderator: str, values: FloatArray, kind: str, level: float
) -> Moderation:
    t = data.t
    n = len(t)
    keep = [i for i, c in enumerate(data.covariates) if c != moderator]
    design = np.column_stack([np.ones(n), t, values, t * values, data.X[:, keep]])
    distinct = np.unique(values)
    warnings: list[dict[str, Any]] = []
    if len(distinct) < 2:
        raise EvaluationInputError("no_variation", column=moderator)
    within: Callable[[float, float | None, int, int], Estimate]  # the effect within one value of the moderator
    if kind == "continuous":
        ols_fit = fit_ols(design, data.y)
        beta, cov, df = ols_fit.beta, ols_fit.cov["classical"], ols_fit.df
        interaction = t_estimate(
            "interaction",
            "interaction",
            "difference",
            beta[3],
            math.sqrt(cov[3, 3]),
            df,
            data.n_treated,
            data.n_control,
            level,
            "classical",
        )

        def within(est: float, se: float | None, n1: int, n0: int) -> Estimate:
            return t_estimate("within_level", "conditional", "difference", est, se, df, n1, n0, level, "classical")

    else:
        logit_fit = fit_logit(design, data.y)
        beta, cov = logit_fit.beta, logit_fit.cov
        warnings += fit_warnings(logit_fit, "outcome")
        interaction = exp_estimate(
            "interaction",
            "interaction",
            beta[3],
            None if logit_fit.separated or not cov[3, 3] > 0 else math.sqrt(cov[3, 3]),
            data.n_treated,
            data.n_control,
            level,
            "model-based",
            warnings,
        )

        def within(est: float, se: float | None, n1: int, n0: int) -> Estimate:
            return exp_estimate("within_level", "conditional", est, se, n1, n0, level, "model-based")

    levels = []
    if len(distinct) == 2:
        for value in distinct:
            contrast = np.zeros(len(beta))
            contrast[1], contrast[3] = 1.0, value
            est = float(contrast @ beta)
            var = float(contrast @ cov @ contrast)
            rows = values == value
            n1, n0 = int(t[rows].sum()), int((1 - t[rows]).sum())
            for group, count in (("treated", n1), ("control", n0)):
                if count < SMALL_GROUP:
                    warnings.append(
                        warning(
                            "small_group",
                            group=f"{moderator}={number_or_none(value):g} {group}",
                            n=count,
                            minimum=SMALL_GROUP,
                        )
                    )
            se = math.sqrt(var) if math.isfinite(var) and var > 0 else None
            effect = within(est, se, n1, n0)
            levels.append({"value": number_or_none(value), "effect": effect.as_dict()})
    return Moderation(moderator, interaction, tuple(levels), tuple(warnings))


def moderator_effects(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    moderators: Sequence[str],
    covariates: Sequence[str] = (),
    kind: str = "continuous",
    *,
    level: float = 0.95,
) -> list[Moderation]:
    """Per moderator: the treatment x moderator interaction, adjusted for the covariates."""
    data = prepare(df, treatment, outcome, covariates, kind, extra=moderators)
    return [moderation_on_data(data, m, moderator_values(data, m), kind, level) for m in moderators]


def moderator_values(data: PreparedData[FloatArray], moderator: str) -> FloatArray:
    if moderator in data.extra:
        return data.extra[moderator]
    return data.X[:, data.covariates.index(moderator)]
