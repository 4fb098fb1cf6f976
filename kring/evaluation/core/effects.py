"""Treatment effects for one or more outcomes: raw and adjusted differences, propensity scores, balance, power.

Plain data in (a pandas DataFrame and column names), plain data out (frozen dataclasses with ``as_dict()`` or
dicts of JSON values). No Django. Refusals raise ``EvaluationInputError(code, **params)``; warnings are
``{"code": ..., **params}`` dicts (see ``errors.MESSAGES``).

This module combines the estimators per outcome and over outcomes, and re-exports the public names of its
siblings: ``effect_models`` (result types, input preparation, OLS and logistic fits), ``effect_estimators``
(difference in means, ANCOVA, logistic adjustment, propensity score, IPW, moderators), ``effect_matching``
(matching, balance, overlap) and ``effect_sizes`` (effect sizes, p-value adjustment, minimum detectable effects).

Methodological choices, in one place:

* **OLS** is solved by QR here (validated against statsmodels in the tests). Classical standard errors use
  the t distribution with n - p degrees of freedom; HC1 (robust) ones the normal, as statsmodels does.
* **Logistic regression** (propensity score and binary outcomes) is the plain, unpenalised maximum-likelihood
  fit (Newton–Raphson with step halving), the same model as statsmodels ``GLM(Binomial)`` (the tests check
  coefficients and standard errors against it) but several times faster on 100,000 rows. No penalty and no
  undersampling, unlike psmpy. If it does not converge, the fit is flagged ``perfect_separation`` when fitted
  probabilities went to 0 or 1, else ``not_converged``.
* **Marginal risk difference** for binary outcomes: g-computation (standardisation) over all rows (ATE) or
  the treated (ATT): mean predicted risk with treatment set to 1 minus set to 0. Its SE is the delta method
  for the coefficients plus the sampling variance of the covariate distribution (both parts of the
  influence function; they are uncorrelated), i.e. an unconditional SE.
* **IPW**: normalised (Hájek) weighted means; ATT weights 1 for the treated and e/(1-e) for controls, ATE
  weights 1/e and 1/(1-e). The SE is the M-estimation sandwich of the stacked equations (logistic score +
  the two weighted means), so the **uncertainty of the estimated propensity score is included** (Lunceford
  & Davidian 2004). The sandwich with the weights taken as known is reported too (``se_weights_fixed``).
* **Matching**: nearest neighbour on the logit of the propensity score, 1:k with replacement, ties at the
  k-th distance all kept (as Abadie–Imbens and Stata's ``teffects`` do), caliper 0.2 SD of the logit over
  all rows (Austin 2011); treated rows with no control inside the caliper are left out (a warning counts
  them), so the estimand is the ATT of the matched treated. Sorted search on the 1-D logit: O(n log n).
  SE: Abadie–Imbens (2006) for the population ATT, conditional variances from the 2 nearest same-group
  neighbours, **treating the propensity score as known** (the Abadie–Imbens 2016 correction for an
  estimated score is not applied; for the ATT it can go either way). No bias correction.
* **Balance**: standardised mean difference = difference in means over sqrt((s1² + s0²)/2) of the
  *unadjusted* groups, before and after, so a change reflects the means and not a changed denominator
  (Austin 2009). After weighting or matching the means and variances are weighted. Variance ratio s1²/s0².
  |SMD| > 0.1 after adjustment gives ``imbalance_after_adjustment``.
* **Overlap**: common support = [max of the group minima, min of the group maxima] of the score;
  ``poor_overlap`` when more than 10 % of either group lies outside it.
* **Effect sizes**: Cohen's d with the pooled SD and a noncentral-t interval (exact under normality), and
  Hedges' g; risk difference with Newcombe's hybrid score interval (method 10, from two Wilson intervals);
  odds ratio with Woolf's logit interval, 0.5 added to every cell when one is zero.
* **Moderators**: ``outcome ~ treatment * moderator + covariates``; the interaction on the model's scale,
  and for a two-valued moderator the effect within each value from the same model.
* **Minimum detectable effect**: exact power of the two-sample t test (noncentral t); for proportions, the
  two-proportion z test (pooled under the null, unpooled under the alternative).
* **Multiple comparisons**: ``holm`` or ``fdr_bh`` only, always named (statsmodels' default is Holm–Šidák).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import effect_matching, effect_models
from .effect_estimators import (
    LogisticAdjustment,
    Moderation,
    PropensityScore,
    ancova,
    ancova_on_data,
    difference_in_means,
    difference_in_means_on_data,
    ipw,
    ipw_on_data,
    ipw_weights,
    logistic_adjustment,
    logistic_adjustment_on_data,
    moderation_on_data,
    moderator_effects,
    moderator_values,
    propensity_on_data,
    propensity_score,
    regression_adjustment,
)
from .effect_matching import (
    balance_rows,
    balance_table,
    imbalance_warnings,
    matching_on_data,
    matching_weights,
    nearest_neighbour_matching,
    overlap_summary,
)
from .effect_models import (
    DEFAULT_CALIPER,
    KINDS,
    OVERLAP_SHARE,
    SMALL_GROUP,
    SMD_THRESHOLD,
    VARIANCE_NEIGHBOURS,
    Estimate,
    FloatArray,
    IndexArray,
    Outcome,
    PreparedData,
    as_float,
    check_kind,
    prepare,
)
from .effect_sizes import (
    adjust_pvalues,
    cohens_d,
    minimum_detectable_difference,
    minimum_detectable_effect,
    odds_ratio,
    risk_difference,
)
from .errors import EvaluationInputError
from .proportions import proportion

# The tests reach these internals through this module.
_prepare = prepare
_expit = effect_models.expit
_propensity = propensity_on_data
_matching = matching_on_data
_match_on_logit = effect_matching._match_on_logit

__all__ = [
    "SMALL_GROUP",
    "SMD_THRESHOLD",
    "OVERLAP_SHARE",
    "DEFAULT_CALIPER",
    "VARIANCE_NEIGHBOURS",
    "KINDS",
    "FloatArray",
    "IndexArray",
    "Estimate",
    "Outcome",
    "difference_in_means",
    "ancova",
    "LogisticAdjustment",
    "logistic_adjustment",
    "regression_adjustment",
    "PropensityScore",
    "propensity_score",
    "ipw_weights",
    "ipw",
    "matching_weights",
    "nearest_neighbour_matching",
    "balance_table",
    "overlap_summary",
    "cohens_d",
    "risk_difference",
    "odds_ratio",
    "Moderation",
    "moderator_effects",
    "adjust_pvalues",
    "minimum_detectable_effect",
    "minimum_detectable_difference",
    "evaluate_outcome",
    "evaluate",
]


# --- one outcome, several outcomes -----------------------------------------------------------------------


def _dedupe(warnings: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    result: list[dict[str, Any]] = []
    for w in warnings:
        key = repr(sorted(w.items()))
        if key not in seen:
            seen.add(key)
            result.append(dict(w))
    return result


def _binary_summaries(data: PreparedData[FloatArray], level: float, alpha: float, power: float) -> dict[str, Any]:
    """A binary outcome unadjusted: the proportions (Wilson), risk difference and odds ratio, and the smallest
    detectable differences up and down from the control rate."""
    t, y = data.t, data.y
    n1, n0 = data.n_treated, data.n_control
    k1, k0 = int(y[t == 1].sum()), int(y[t == 0].sum())
    summaries: dict[str, Any] = {
        "proportions": {
            "treated": proportion(k1, n1, level).as_dict(),
            "control": proportion(k0, n0, level).as_dict(),
        },
        "effect_size": {
            "risk_difference": risk_difference(k1, n1, k0, n0, level).as_dict(),
            "odds_ratio": odds_ratio(k1, n1, k0, n0, level).as_dict(),
        },
    }
    rd_up = minimum_detectable_difference(n1, n0, k0 / n0, alpha, power, "increase") if 0 < k0 < n0 else None
    rd_down = minimum_detectable_difference(n1, n0, k0 / n0, alpha, power, "decrease") if 0 < k0 < n0 else None
    summaries["mde"] = {
        "standardised": minimum_detectable_effect(n1, n0, alpha, power),
        "base_rate": k0 / n0,
        "increase": rd_up,
        "decrease": rd_down,
        "alpha": alpha,
        "power": power,
    }
    return summaries


def _continuous_summaries(data: PreparedData[FloatArray], level: float, alpha: float, power: float) -> dict[str, Any]:
    """A continuous outcome unadjusted: Cohen's d, and the smallest detectable effect (also in outcome units)."""
    t, y = data.t, data.y
    d = cohens_d(y[t == 1], y[t == 0], level)
    mde = minimum_detectable_effect(data.n_treated, data.n_control, alpha, power)
    return {
        "effect_size": {"cohens_d": d.as_dict()},
        "mde": {
            "standardised": mde,
            "in_outcome_units": mde * d.details["pooled_sd"],
            "alpha": alpha,
            "power": power,
        },
    }


def _adjusted_estimates(
    data: PreparedData[FloatArray],
    kind: str,
    ps: PropensityScore | None,
    level: float,
    k: int,
    caliper: float | None,
    bins: int,
    warnings: list[dict[str, Any]],
) -> dict[str, Any]:
    """The covariate-adjusted estimators: regression, the propensity score (fitted unless given), IPW, matching,
    balance before and after, and overlap. Their warnings are added to ``warnings``, in that order."""
    result: dict[str, Any] = {}
    t = data.t
    if kind == "binary":
        result["regression"] = logistic_adjustment_on_data(data, level).as_dict()
        warnings += result["regression"]["odds_ratio"]["warnings"]
    else:
        result["regression"] = {
            "classical": ancova_on_data(data, "classical", level).as_dict(),
            "HC1": ancova_on_data(data, "HC1", level).as_dict(),
        }
    ps = ps if ps is not None else propensity_on_data(data)
    warnings += ps.warnings
    result["propensity"] = ps.as_dict()
    ipw_att, ipw_ate = ipw_on_data(data, ps, "ATT", level), ipw_on_data(data, ps, "ATE", level)
    result["ipw"] = {"ATT": ipw_att.as_dict(), "ATE": ipw_ate.as_dict()}
    matched, matches = matching_on_data(data, ps, k, caliper, level)
    result["matching"] = matched.as_dict()
    warnings += matched.warnings
    n = len(t)
    balance = balance_rows(
        data,
        {
            "ipw_att": ipw_weights(ps.score, t, "ATT"),
            "ipw_ate": ipw_weights(ps.score, t, "ATE"),
            "matching": matching_weights(matches, n),
        },
    )
    result["balance"] = balance
    warnings += imbalance_warnings(balance)
    result["overlap"] = overlap_summary(ps.score, t, bins)
    warnings += result["overlap"]["warnings"]
    return result


def _evaluate_prepared(
    data: PreparedData[FloatArray],
    outcome: str,
    kind: str,
    ps: PropensityScore | None,
    *,
    level: float,
    k: int,
    caliper: float | None,
    bins: int,
    alpha: float,
    power: float,
) -> dict[str, Any]:
    """One outcome on prepared data: the raw difference, the unadjusted summaries of its kind, and (when there
    are covariates) the adjusted estimators; warnings deduplicated at the end."""
    n1, n0 = data.n_treated, data.n_control
    result: dict[str, Any] = {
        "outcome": outcome,
        "kind": kind,
        "n": n1 + n0,
        "n_treated": n1,
        "n_control": n0,
        "n_rows_dropped": data.n_dropped,
        "covariates": list(data.covariates),
    }
    warnings: list[dict[str, Any]] = list(data.warnings)
    result["raw"] = {
        "classical": difference_in_means_on_data(data, "classical", level).as_dict(),
        "HC1": difference_in_means_on_data(data, "HC1", level).as_dict(),
    }
    if kind == "binary":
        result.update(_binary_summaries(data, level, alpha, power))
        warnings += result["effect_size"]["odds_ratio"]["warnings"]
    else:
        result.update(_continuous_summaries(data, level, alpha, power))

    if not data.covariates:
        # nothing to adjust for: the adjusted estimators would only repeat the raw difference
        result.update(regression=None, propensity=None, ipw=None, matching=None, balance=[], overlap=None)
    else:
        result.update(_adjusted_estimates(data, kind, ps, level, k, caliper, bins, warnings))
    result["warnings"] = _dedupe(warnings)
    return result


def evaluate_outcome(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str] = (),
    kind: str = "continuous",
    *,
    level: float = 0.95,
    k: int = 1,
    caliper: float | None = DEFAULT_CALIPER,
    bins: int = 20,
    alpha: float = 0.05,
    power: float = 0.8,
) -> dict[str, Any]:
    """Everything for one outcome as a plain dict of JSON values (estimates are ``Estimate.as_dict()``):

    ``outcome, kind, n, n_treated, n_control, n_rows_dropped, covariates`` (those used);
    ``raw``: {"classical", "HC1"} difference in means; for binary outcomes also ``proportions``
    {"treated", "control"} with Wilson intervals;
    ``regression``: continuous {"classical", "HC1"} ANCOVA, binary {"odds_ratio", "risk_difference"};
    ``propensity``: the score model; ``ipw``: {"ATT", "ATE"}; ``matching``: the ATT;
    ``balance``: one row per covariate with "after" {"ipw_att", "ipw_ate", "matching"};
    ``overlap``: histogram bins and common support; ``effect_size``: {"cohens_d"} or
    {"risk_difference", "odds_ratio"}; ``mde``: minimum detectable effect; ``warnings``: deduplicated.
    Without covariates ``regression``, ``propensity``, ``ipw``, ``matching`` and ``overlap`` are None.
    """
    data = prepare(df, treatment, outcome, covariates, kind)
    return _evaluate_prepared(
        data, outcome, kind, None, level=level, k=k, caliper=caliper, bins=bins, alpha=alpha, power=power
    )


# p-values corrected across outcomes, one family per estimator: (label, path into the outcome's dict)
_FAMILIES = (
    ("raw", ("raw", "classical")),
    ("raw_HC1", ("raw", "HC1")),
    ("regression", ("regression", "classical")),
    ("regression_HC1", ("regression", "HC1")),
    ("regression_odds_ratio", ("regression", "odds_ratio")),
    ("regression_risk_difference", ("regression", "risk_difference")),
    ("ipw_att", ("ipw", "ATT")),
    ("ipw_ate", ("ipw", "ATE")),
    ("matching", ("matching",)),
)


def _dig(tree: Any, path: Sequence[str]) -> Any:
    """The JSON value at ``path`` in ``tree``, or None where a step is missing or None."""
    for key in path:
        if not isinstance(tree, dict) or tree.get(key) is None:
            return None
        tree = tree[key]
    return tree


def _outcome_kinds(outcomes: Sequence[str] | Mapping[str, str], binary: Sequence[str]) -> dict[str, str]:
    """Outcome -> "continuous" or "binary" (checked); refuses no outcomes."""
    kinds = (
        dict(outcomes)
        if isinstance(outcomes, Mapping)
        else {o: ("binary" if o in binary else "continuous") for o in outcomes}
    )
    if not kinds:
        raise EvaluationInputError("invalid_argument", argument="outcomes", value=[])
    for kind in kinds.values():
        check_kind(kind)
    return kinds


def _evaluate_each(
    complete: pd.DataFrame,
    base: PreparedData[None],
    kinds: dict[str, str],
    ps: PropensityScore | None,
    treatment: str,
    covariates: Sequence[str],
    moderators: Sequence[str],
    options: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each outcome on the complete rows with the shared propensity score, and its moderator models; an outcome
    or a moderator model that cannot be evaluated gets its error instead of failing the others."""
    level = options["level"]
    results: list[dict[str, Any]] = []
    moderation: list[dict[str, Any]] = []
    for outcome, kind in kinds.items():
        try:
            data = prepare(complete, treatment, outcome, covariates, kind, extra=moderators)
            data.warnings[:0] = base.warnings[:1] if base.n_dropped else []
            entry = _evaluate_prepared(data, outcome, kind, ps, **options)
        except EvaluationInputError as error:
            results.append({"outcome": outcome, "kind": kind, "error": error.as_dict()})
            continue
        results.append(entry)
        for m in moderators:
            try:
                found = moderation_on_data(data, m, moderator_values(data, m), kind, level).as_dict()
            except EvaluationInputError as error:
                # a moderator without variation fails that model only, not the outcome
                moderation.append({"outcome": outcome, "moderator": m, "error": error.as_dict()})
                continue
            moderation.append({"outcome": outcome, **found})
    return results, moderation


def _correct_pvalues(results: list[dict[str, Any]], moderation: list[dict[str, Any]], correction: str) -> None:
    """Adds ``p_adjusted``: per estimator across outcomes, and across all moderator interactions."""
    for _, path in _FAMILIES:
        estimates = [_dig(entry, path) for entry in results]
        present = [e for e in estimates if e is not None]
        adjusted = adjust_pvalues([e["p_value"] for e in present], correction)
        for e, p in zip(present, adjusted, strict=True):
            e["p_adjusted"] = p
    interactions = [m["interaction"] for m in moderation if "interaction" in m]
    for e, p in zip(interactions, adjust_pvalues([e["p_value"] for e in interactions], correction), strict=True):
        e["p_adjusted"] = p


def evaluate(
    df: pd.DataFrame,
    treatment: str,
    outcomes: Sequence[str] | Mapping[str, str],
    covariates: Sequence[str] = (),
    moderators: Sequence[str] = (),
    correction: str | None = "holm",
    *,
    binary: Sequence[str] = (),
    level: float = 0.95,
    k: int = 1,
    caliper: float | None = DEFAULT_CALIPER,
    bins: int = 20,
    alpha: float = 0.05,
    power: float = 0.8,
) -> dict[str, Any]:
    """Several outcomes on the same rows, with a multiple-comparison correction across outcomes.

    ``outcomes``: names (binary ones also listed in ``binary``) or a mapping name -> "continuous"/"binary".
    Rows missing any used column are dropped once for all outcomes, so every outcome has the same rows.
    ``correction`` ("holm", "fdr_bh" or None) is applied per estimator across outcomes, adding
    ``p_adjusted`` to each estimate; the moderator interactions of all outcomes form one more family.
    An outcome that cannot be evaluated gets ``{"outcome": name, "error": {"code": ...}}`` instead.
    """
    kinds = _outcome_kinds(outcomes, binary)
    if correction not in ("holm", "fdr_bh", None):
        raise EvaluationInputError("invalid_argument", argument="correction", value=correction)
    # listwise over every used column, then each outcome on those rows
    base = prepare(df, treatment, None, covariates, extra=list(kinds) + list(moderators))
    complete = df
    if base.n_dropped:
        used = list(dict.fromkeys([treatment, *kinds, *covariates, *moderators]))
        values = np.column_stack([as_float(df, c) for c in used])
        # numpy's stub allows a scalar for all(axis=1); on a 2-D array it is an array of one bool per row
        complete = df.loc[np.isfinite(values).all(axis=1)]  # type: ignore[index]
    ps = propensity_on_data(base) if base.covariates else None
    options = {"level": level, "k": k, "caliper": caliper, "bins": bins, "alpha": alpha, "power": power}
    results, moderation = _evaluate_each(complete, base, kinds, ps, treatment, covariates, moderators, options)
    if correction is not None:
        _correct_pvalues(results, moderation, correction)
    return {
        "treatment": treatment,
        "n": base.n_treated + base.n_control,
        "n_treated": base.n_treated,
        "n_control": base.n_control,
        "n_rows_dropped": base.n_dropped,
        "covariates": list(base.covariates),
        "moderators": list(moderators),
        "correction": correction,
        "outcomes": results,
        "moderation": moderation,
        "warnings": _dedupe(w for entry in results for w in entry.get("warnings", ())),
    }
