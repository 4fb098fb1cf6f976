"""Treatment effects for one or more outcomes: raw and adjusted differences, propensity scores, balance, power.

Plain data in (a pandas DataFrame and column names), plain data out (frozen dataclasses with ``as_dict()`` or
dicts of JSON values). No Django. Refusals raise ``EvaluationInputError(code, **params)``; warnings are
``{"code": ..., **params}`` dicts (see ``errors.MESSAGES``).

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

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast, overload

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import linalg, optimize, special, stats

from .errors import EvaluationInputError, warning
from .proportions import proportion, wilson_interval

SMALL_GROUP = 30
SMD_THRESHOLD = 0.1
OVERLAP_SHARE = 0.10
DEFAULT_CALIPER = 0.2
VARIANCE_NEIGHBOURS = 2  # J in Abadie–Imbens' conditional variance estimate
KINDS = ("continuous", "binary")

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]


# --- results ----------------------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    """A plain float for JSON, None for missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Estimate:
    """One estimate with its uncertainty. For odds ratios ``se`` is the SE of the log odds ratio."""

    method: str
    estimand: str  # "ATE", "ATT", "difference", "interaction", ...
    scale: str  # "difference", "odds_ratio", "risk_difference", "standardised_difference", ...
    estimate: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    n_treated: int
    n_control: int
    level: float = 0.95
    se_method: str = ""
    warnings: tuple[dict[str, Any], ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "estimand": self.estimand,
            "scale": self.scale,
            "estimate": _num(self.estimate),
            "se": _num(self.se),
            "ci_low": _num(self.ci_low),
            "ci_high": _num(self.ci_high),
            "p_value": _num(self.p_value),
            "n_treated": int(self.n_treated),
            "n_control": int(self.n_control),
            "level": self.level,
            "se_method": self.se_method,
            "warnings": [dict(w) for w in self.warnings],
            "details": dict(self.details),
        }


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise EvaluationInputError("invalid_argument", argument="level", value=level)
    return float(stats.norm.ppf(0.5 + level / 2))


def _normal_estimate(
    method: str,
    estimand: str,
    scale: str,
    est: Any,
    se: Any,
    n1: int,
    n0: int,
    level: float,
    se_method: str,
    warnings: Iterable[dict[str, Any]] = (),
    details: dict[str, Any] | None = None,
) -> Estimate:
    """Estimate with a normal-theory interval and two-sided p-value (None where se is unusable)."""
    est, se = _num(est), _num(se)
    low: float | None
    high: float | None
    p: float | None
    if est is None or se is None or se <= 0:
        low = high = p = None
    else:
        z = _z(level)
        low, high = est - z * se, est + z * se
        p = float(2 * stats.norm.sf(abs(est) / se))
    return Estimate(
        method, estimand, scale, est, se, low, high, p, n1, n0, level, se_method, tuple(warnings), details or {}
    )


def _t_estimate(
    method: str,
    estimand: str,
    scale: str,
    est: Any,
    se: Any,
    df: float,
    n1: int,
    n0: int,
    level: float,
    se_method: str,
    warnings: Iterable[dict[str, Any]] = (),
    details: dict[str, Any] | None = None,
) -> Estimate:
    est, se = _num(est), _num(se)
    low: float | None
    high: float | None
    p: float | None
    if est is None or se is None or se <= 0 or df <= 0:
        low = high = p = None
    else:
        _z(level)
        q = float(stats.t.ppf(0.5 + level / 2, df))
        low, high = est - q * se, est + q * se
        p = float(2 * stats.t.sf(abs(est) / se, df))
    return Estimate(
        method, estimand, scale, est, se, low, high, p, n1, n0, level, se_method, tuple(warnings), details or {}
    )


def _exp_estimate(
    method: str,
    estimand: str,
    beta: Any,
    se: Any,
    n1: int,
    n0: int,
    level: float,
    se_method: str,
    warnings: Iterable[dict[str, Any]] = (),
    details: dict[str, Any] | None = None,
) -> Estimate:
    """An odds ratio (or ratio of odds ratios) from a log-scale coefficient: exp(beta ± z se)."""
    beta, se = _num(beta), _num(se)
    if beta is None:
        return Estimate(
            method,
            estimand,
            "odds_ratio",
            None,
            None,
            None,
            None,
            None,
            n1,
            n0,
            level,
            se_method,
            tuple(warnings),
            details or {},
        )
    z = _z(level)
    ok = se is not None and se > 0
    with np.errstate(over="ignore"):
        return Estimate(
            method,
            estimand,
            "odds_ratio",
            _num(math.exp(min(beta, 700))),
            se,
            _num(math.exp(min(beta - z * se, 700))) if ok else None,
            _num(math.exp(min(beta + z * se, 700))) if ok else None,
            float(2 * stats.norm.sf(abs(beta) / se)) if ok else None,
            n1,
            n0,
            level,
            se_method,
            tuple(warnings),
            {"log_estimate": beta, **(details or {})},
        )


# --- input --------------------------------------------------------------------------------------------------


# The outcome of a _Data: a FloatArray, or None when the analysis has none (propensity score, balance).
Outcome = TypeVar("Outcome", bound=FloatArray | None)


@dataclass
class _Data(Generic[Outcome]):
    """Validated arrays for one analysis: t in {0, 1}, y (or None), X the covariates (n x k)."""

    t: FloatArray
    y: Outcome
    X: FloatArray
    covariates: list[str]
    extra: dict[str, FloatArray]
    warnings: list[dict[str, Any]]
    n_rows: int  # before dropping missing values
    n_dropped: int
    # the design and fits shared by the estimators of one evaluation
    design_cache: FloatArray | None = None
    ols_cache: dict[bool, _OLS] = field(default_factory=dict)  # by with_covariates

    def design(self) -> FloatArray:
        """[1, t, X], built once."""
        if self.design_cache is None:
            self.design_cache = np.column_stack([np.ones(len(self.t)), self.t, self.X])
        return self.design_cache

    def ols(self: _Data[FloatArray], with_covariates: bool) -> _OLS:
        """The OLS fit of y on [1, t] or [1, t, X], fitted once and shared by its classical and HC1 SEs."""
        if with_covariates not in self.ols_cache:
            design = self.design() if with_covariates else self.design()[:, :2]
            self.ols_cache[with_covariates] = _ols(design, self.y)
        return self.ols_cache[with_covariates]

    @property
    def n_treated(self) -> int:
        return int(self.t.sum())

    @property
    def n_control(self) -> int:
        return int(len(self.t) - self.t.sum())


def _as_float(df: pd.DataFrame, column: str) -> FloatArray:
    series = df[column]
    if pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64").to_numpy()
    elif pd.api.types.is_numeric_dtype(series.dtype):
        # float64 before any arithmetic: Stata files bring int8 columns, and int8 age**2 overflows
        values = series.astype("float64").to_numpy(na_value=np.nan)
    else:
        converted = pd.to_numeric(series, errors="coerce")
        bad = converted.isna() & series.notna()
        if bad.any():
            examples = [str(v) for v in pd.unique(series[bad])[:3]]
            raise EvaluationInputError("not_numeric", column=column, examples=examples)
        values = converted.astype("float64").to_numpy(na_value=np.nan)
    # astype("float64") made them float64; pandas-stubs type a float Series' values as floating[Any] only
    return cast(FloatArray, values)


def _binary(values: FloatArray, column: str, code: str) -> None:
    present = values[~np.isnan(values)]
    bad = present[(present != 0) & (present != 1)]
    if len(bad):
        raise EvaluationInputError(code, column=column, values=[_num(v) for v in np.unique(bad)[:5]])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise EvaluationInputError("invalid_argument", argument="kind", value=kind)


@overload
def _prepare(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Iterable[str],
    kind: str = "continuous",
    extra: Iterable[str] = (),
) -> _Data[FloatArray]: ...


@overload
def _prepare(
    df: pd.DataFrame,
    treatment: str,
    outcome: None,
    covariates: Iterable[str],
    kind: str = "continuous",
    extra: Iterable[str] = (),
) -> _Data[None]: ...


def _prepare(
    df: pd.DataFrame,
    treatment: str,
    outcome: str | None,
    covariates: Iterable[str],
    kind: str = "continuous",
    extra: Iterable[str] = (),
) -> _Data[FloatArray] | _Data[None]:
    """Validate and turn the used columns into float arrays; drop incomplete rows listwise (with a warning)."""
    if not isinstance(df, pd.DataFrame):
        raise EvaluationInputError("invalid_argument", argument="df", value=type(df).__name__)
    _check_kind(kind)
    covariates = list(dict.fromkeys(c for c in covariates if c not in (treatment, outcome)))
    extra = [c for c in dict.fromkeys(extra) if c not in covariates and c not in (treatment, outcome)]
    used = [treatment] + ([outcome] if outcome is not None else []) + covariates + extra
    for column in used:
        if column not in df.columns:
            raise EvaluationInputError("missing_column", column=column)
    columns = {column: _as_float(df, column) for column in used}
    _binary(columns[treatment], treatment, "treatment_not_binary")
    if outcome is not None and kind == "binary":
        _binary(columns[outcome], outcome, "outcome_not_binary")
    matrix = np.column_stack([columns[c] for c in used]) if used else np.empty((len(df), 0))
    complete = np.isfinite(matrix).all(axis=1)
    n_rows, n_dropped = len(df), int((~complete).sum())
    warnings = []
    if n_dropped:
        warnings.append(warning("rows_dropped_missing", count=n_dropped, n_rows=n_rows))
        matrix = matrix[complete]
    t = matrix[:, 0]
    offset = 2 if outcome is not None else 1
    X = matrix[:, offset : offset + len(covariates)]
    extras = {c: matrix[:, offset + len(covariates) + i] for i, c in enumerate(extra)}
    if outcome is None:
        return _checked(_Data(t, None, X, covariates, extras, warnings, n_rows, n_dropped), treatment, outcome)
    return _checked(_Data(t, matrix[:, 1], X, covariates, extras, warnings, n_rows, n_dropped), treatment, outcome)


def _checked(data: _Data[Outcome], treatment: str, outcome: str | None) -> _Data[Outcome]:
    """The complete rows checked: both groups, the outcome's variation, constant and collinear covariates; and
    a warning for each small group."""
    _check_groups(data, treatment)
    if data.y is not None and np.ptp(data.y) == 0:
        raise EvaluationInputError("no_variation", column=outcome)
    _drop_constant_covariates(data)
    _check_collinearity(data)
    for group, n in (("treated", data.n_treated), ("control", data.n_control)):
        if n < SMALL_GROUP:
            data.warnings.append(warning("small_group", group=group, n=n, minimum=SMALL_GROUP))
    return data


def _check_groups(data: _Data[Outcome], treatment: str) -> None:
    n1, n0 = data.n_treated, data.n_control
    if n1 == 0 or n0 == 0:
        raise EvaluationInputError("no_variation", column=treatment)
    if n1 < 2 or n0 < 2 or n1 + n0 < data.X.shape[1] + 3:
        raise EvaluationInputError(
            "too_few_rows", n_treated=n1, n_control=n0, minimum=max(2, math.ceil((data.X.shape[1] + 3) / 2))
        )


def _drop_constant_covariates(data: _Data[Outcome]) -> None:
    if not data.covariates:
        return
    constant = np.ptp(data.X, axis=0) == 0
    for name in np.array(data.covariates)[constant]:
        data.warnings.append(warning("constant_covariate_dropped", column=str(name)))
    if constant.any():
        data.X = data.X[:, ~constant]
        data.covariates = [c for c, drop in zip(data.covariates, constant, strict=True) if not drop]


def _check_collinearity(data: _Data[Outcome]) -> None:
    """Refuse covariates that are linear combinations of the treatment and earlier covariates.

    From the correlation matrix of [t, X] (centring takes care of the intercept), column by column: the
    share of a column's variance not explained by the independent columns before it, 1 - R^2. Below 1e-10
    the column is (numerically) a linear combination of them. Correlations make the test blind to units
    (earnings in euros next to 0/1 dummies), and a p x p matrix keeps it cheap on many rows.
    """
    if not data.covariates:
        return
    columns = np.column_stack([data.t, data.X])
    centred = columns - columns.mean(axis=0)
    norm = np.linalg.norm(centred, axis=0)
    norm[norm == 0] = 1.0
    corr = (centred.T @ centred) / np.outer(norm, norm)
    independent: list[int] = []
    dependent: list[str] = []
    for j in range(corr.shape[0]):
        if independent:
            sub = corr[np.ix_(independent, independent)]
            cross = corr[independent, j]
            unexplained = corr[j, j] - cross @ np.linalg.solve(sub, cross)
        else:
            unexplained = corr[j, j]
        if unexplained < 1e-10:
            dependent.append(data.covariates[j - 1])
        else:
            independent.append(j)
    if dependent:
        raise EvaluationInputError("collinear_covariates", columns=dependent)


# --- model fits -------------------------------------------------------------------------------------------


def _standardise(X: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Centre and scale every column but the leading intercept: X_s = X @ D, so beta = D beta_s.

    Designs here mix 0/1 dummies with earnings squared (1e9): unscaled, X'WX is too ill-conditioned for a
    Cholesky factor. The fit on X_s is the same model; D maps coefficients and covariances back.
    """
    p = X.shape[1]
    shift = X[:, 1:].mean(axis=0)
    scale = X[:, 1:].std(axis=0)
    scale[scale == 0] = 1.0
    d = np.eye(p)
    d[np.arange(1, p), np.arange(1, p)] = 1 / scale
    d[0, 1:] = -shift / scale
    return (X - np.r_[0.0, shift]) / np.r_[1.0, scale], d


@dataclass(frozen=True)
class _OLS:
    beta: FloatArray
    cov: dict[str, FloatArray]  # "classical" and "HC1"
    df: int

    def for_type(self, cov_type: str) -> FloatArray:
        if cov_type not in self.cov:
            raise EvaluationInputError("invalid_argument", argument="cov_type", value=cov_type)
        return self.cov[cov_type]


def _ols(X: FloatArray, y: FloatArray) -> _OLS:
    """OLS with classical and HC1 covariances. X must start with the intercept column.

    Normal equations on the centred and scaled design (whose condition number stays modest), Cholesky, and
    one step of iterative refinement: as accurate as QR here (the tests compare with statsmodels to 1e-10)
    at a fraction of its cost on 100,000 rows.
    """
    Xs, back = _standardise(X)
    n, p = Xs.shape
    gram = Xs.T @ Xs
    try:
        factor = linalg.cho_factor(gram)
    except linalg.LinAlgError:
        raise EvaluationInputError("collinear_covariates", columns=[]) from None
    beta = linalg.cho_solve(factor, Xs.T @ y)
    resid = y - Xs @ beta
    beta = beta + linalg.cho_solve(factor, Xs.T @ resid)
    resid = y - Xs @ beta
    bread = linalg.cho_solve(factor, np.eye(p))  # (X'X)^-1
    df = n - p
    scored = Xs * resid[:, None]
    classical = bread * (resid @ resid / df)
    hc1 = bread @ (scored.T @ scored) @ bread * (n / df)
    return _OLS(back @ beta, {"classical": back @ classical @ back.T, "HC1": back @ hc1 @ back.T}, df)


@dataclass(frozen=True)
class _Logit:
    beta: FloatArray
    cov: FloatArray
    fitted: FloatArray
    eta: FloatArray
    converged: bool
    separated: bool
    iterations: int


def _logit(X: FloatArray, y: FloatArray, max_iter: int = 60) -> _Logit:
    """Unpenalised ML logistic regression by Newton–Raphson with step halving. X starts with the intercept."""
    X, back = _standardise(X)
    n, p = X.shape
    beta: FloatArray = np.zeros(p)
    mean = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
    beta[0] = math.log(mean / (1 - mean))  # start at the marginal rate: fewer iterations

    def loglik(eta: FloatArray) -> float:
        return float(y @ eta - np.logaddexp(0.0, eta).sum())

    eta = X @ beta
    current = loglik(eta)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007  (the count is returned after the loop)
        fitted = _expit(eta)
        weight = fitted * (1 - fitted)
        gradient = X.T @ (y - fitted)
        hessian = (X * weight[:, None]).T @ X
        try:
            step = linalg.cho_solve(linalg.cho_factor(hessian), gradient)
        except (linalg.LinAlgError, ValueError):
            # numpy's stub widens lstsq's float64 solution to floating[Any]
            step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]  # type: ignore[assignment]
        factor = 1.0
        while True:
            candidate = beta + factor * step
            candidate_eta = X @ candidate
            value = loglik(candidate_eta)
            if value >= current - 1e-12 * (1 + abs(current)) or factor < 1e-8:
                break
            factor /= 2
        beta, eta = candidate, candidate_eta
        change = float(np.max(np.abs(factor * step)))
        improvement, current = value - current, value
        small_step = change < 1e-10 * (1 + float(np.max(np.abs(beta))))
        flat = abs(improvement) < 1e-13 * (1 + abs(current)) and change < 1e-6
        if small_step or flat:
            converged = True
            break
    fitted = _expit(eta)
    weight = fitted * (1 - fitted)
    hessian = (X * weight[:, None]).T @ X
    try:
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
    extreme = bool(np.any(np.minimum(fitted, 1 - fitted) < 1e-8))
    separated = (not converged and extreme) or not np.all(np.isfinite(cov))
    return _Logit(back @ beta, back @ cov @ back.T, fitted, eta, converged, separated, iterations)


def _expit(eta: FloatArray) -> FloatArray:
    return special.expit(eta)


def _fit_warnings(fit: _Logit, model: str) -> list[dict[str, Any]]:
    if fit.separated:
        return [warning("perfect_separation", model=model)]
    if not fit.converged:
        return [warning("not_converged", model=model)]
    return []


# --- difference in means and regression adjustment ------------------------------------------------------------


def _treatment_coefficient(
    data: _Data[FloatArray], fit: _OLS, cov_type: str, method: str, estimand: str, level: float, details: dict[str, Any]
) -> Estimate:
    """The treatment's coefficient of an OLS fit: a t interval with classical SEs, a normal one with HC1."""
    cov = fit.for_type(cov_type)
    se = math.sqrt(cov[1, 1])
    if cov_type == "classical":
        return _t_estimate(
            method,
            estimand,
            "difference",
            fit.beta[1],
            se,
            fit.df,
            data.n_treated,
            data.n_control,
            level,
            cov_type,
            data.warnings,
            details,
        )
    return _normal_estimate(
        method,
        estimand,
        "difference",
        fit.beta[1],
        se,
        data.n_treated,
        data.n_control,
        level,
        cov_type,
        data.warnings,
        details,
    )


def _difference_in_means(data: _Data[FloatArray], cov_type: str, level: float) -> Estimate:
    fit = data.ols(with_covariates=False)
    details = {"mean_treated": float(data.y[data.t == 1].mean()), "mean_control": float(data.y[data.t == 0].mean())}
    return _treatment_coefficient(data, fit, cov_type, "difference_in_means", "difference", level, details)


def difference_in_means(
    df: pd.DataFrame, treatment: str, outcome: str, *, cov_type: str = "classical", level: float = 0.95
) -> Estimate:
    """Mean(treated) - mean(control) as the OLS slope of outcome on treatment; cov_type 'classical' or 'HC1'."""
    return _difference_in_means(_prepare(df, treatment, outcome, ()), cov_type, level)


def _ancova(data: _Data[FloatArray], cov_type: str, level: float) -> Estimate:
    fit = data.ols(with_covariates=True)
    details = {"covariates": list(data.covariates)}
    return _treatment_coefficient(data, fit, cov_type, "regression_adjustment", "ATE", level, details)


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
    return _ancova(_prepare(df, treatment, outcome, covariates), cov_type, level)


@dataclass(frozen=True)
class LogisticAdjustment:
    odds_ratio: Estimate  # conditional (adjusted) odds ratio
    risk_difference: Estimate  # marginal, by g-computation

    def as_dict(self) -> dict[str, Any]:
        return {"odds_ratio": self.odds_ratio.as_dict(), "risk_difference": self.risk_difference.as_dict()}


def _logistic_adjustment(data: _Data[FloatArray], level: float, target: str = "ATE") -> LogisticAdjustment:
    if target not in ("ATE", "ATT"):
        raise EvaluationInputError("invalid_argument", argument="target", value=target)
    n = len(data.t)
    design = data.design()
    fit = _logit(design, data.y)
    warnings = list(data.warnings) + _fit_warnings(fit, "outcome")
    se_log = math.sqrt(fit.cov[1, 1]) if np.isfinite(fit.cov[1, 1]) and fit.cov[1, 1] > 0 else None
    odds = _exp_estimate(
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
    p1, p0 = _expit(treated_design @ fit.beta), _expit(control_design @ fit.beta)
    contrast = p1 - p0
    rd = float(contrast.mean())
    # influence function: (contrast_i - rd) over the target rows + gradient' * (coefficient influence)
    gradient = (treated_design * (p1 * (1 - p1))[:, None]).mean(axis=0) - (
        control_design * (p0 * (1 - p0))[:, None]
    ).mean(axis=0)
    var = float(gradient @ fit.cov @ gradient) + float(contrast.var(ddof=1)) / rows.sum()
    se = None if fit.separated or not math.isfinite(var) else math.sqrt(max(var, 0.0))
    risk = _normal_estimate(
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
    return _logistic_adjustment(_prepare(df, treatment, outcome, covariates, "binary"), level, target)


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
    _check_kind(kind)
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
            "coefficients": {k: _num(v) for k, v in self.coefficients.items()},
            "se": {k: _num(s) for k, s in zip(self.coefficients, se, strict=True)},
            "converged": self.converged,
            "separated": self.separated,
            "warnings": [dict(w) for w in self.warnings],
        }


def _propensity(data: _Data[Outcome]) -> PropensityScore:
    design = np.delete(data.design(), 1, axis=1)
    fit = _logit(design, data.t)
    names = ["(intercept)"] + list(data.covariates)
    # The sandwich's variance of mu1 - mu0 does not depend on how the score's coefficients are parametrised;
    # in the standardised basis the Jacobian stays invertible with earnings squared among the covariates.
    basis = _standardise(design)[0]
    return PropensityScore(
        fit.fitted,
        fit.eta,
        data.t,
        basis,
        dict(zip(names, map(float, fit.beta), strict=True)),
        fit.cov,
        fit.converged,
        fit.separated,
        tuple(_fit_warnings(fit, "propensity")),
    )


def propensity_score(df: pd.DataFrame, treatment: str, covariates: Sequence[str]) -> PropensityScore:
    """Unpenalised logistic regression of treatment on the covariates."""
    return _propensity(_prepare(df, treatment, None, covariates))


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


def _ipw(data: _Data[FloatArray], ps: PropensityScore, estimand: str, level: float) -> Estimate:
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
        "se_weights_fixed": _num(math.sqrt(var_fixed)),
        "effective_n_treated": _num(tw.sum() ** 2 / (tw**2).sum()),
        "effective_n_control": _num(cw.sum() ** 2 / (cw**2).sum()),
        "max_weight": _num(w.max()),
    }
    se = math.sqrt(var) if math.isfinite(var) and var > 0 else None
    return _normal_estimate(
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
    data = _prepare(df, treatment, outcome, covariates)
    return _ipw(data, _propensity(data), estimand, level)


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


def _matching(
    data: _Data[FloatArray], ps: PropensityScore, k: int, caliper: float | None, level: float
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
        "caliper_width": _num(m.caliper),
        "n_treated_matched": n1m,
        "n_controls_used": int((m.control_weight > 1e-12).sum()),
        "ties_kept": True,
    }
    if n1m == 0:
        return _normal_estimate(
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
    return _normal_estimate(
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
    data = _prepare(df, treatment, outcome, covariates)
    return _matching(data, _propensity(data), k, caliper, level)[0]


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


def _balance(data: _Data[Outcome], weights: Mapping[str, FloatArray]) -> list[dict[str, Any]]:
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


def _imbalance_warnings(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
    data = _prepare(df, treatment, None, covariates)
    used: Mapping[str, ArrayLike]
    if weights is None:
        ps = _propensity(data)
        m = _match_on_logit(ps.logit, data.t, 1, DEFAULT_CALIPER)
        used = {
            "ipw_att": ipw_weights(ps.score, data.t, "ATT"),
            "ipw_ate": ipw_weights(ps.score, data.t, "ATE"),
            "matching": matching_weights(m, len(data.t)),
        }
    else:
        used = weights
    return _balance(data, {k: np.asarray(v, float) for k, v in used.items()})


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
    _z(level)
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
    return _exp_estimate("woolf", "difference", log_or, se, n1, n0, level, "Woolf (logit)", warnings)


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


def _moderation(data: _Data[FloatArray], moderator: str, values: FloatArray, kind: str, level: float) -> Moderation:
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
        ols_fit = _ols(design, data.y)
        beta, cov, df = ols_fit.beta, ols_fit.cov["classical"], ols_fit.df
        interaction = _t_estimate(
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
            return _t_estimate("within_level", "conditional", "difference", est, se, df, n1, n0, level, "classical")

    else:
        logit_fit = _logit(design, data.y)
        beta, cov = logit_fit.beta, logit_fit.cov
        warnings += _fit_warnings(logit_fit, "outcome")
        interaction = _exp_estimate(
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
            return _exp_estimate("within_level", "conditional", est, se, n1, n0, level, "model-based")

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
                            "small_group", group=f"{moderator}={_num(value):g} {group}", n=count, minimum=SMALL_GROUP
                        )
                    )
            se = math.sqrt(var) if math.isfinite(var) and var > 0 else None
            effect = within(est, se, n1, n0)
            levels.append({"value": _num(value), "effect": effect.as_dict()})
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
    data = _prepare(df, treatment, outcome, covariates, kind, extra=moderators)
    return [_moderation(data, m, _moderator_values(data, m), kind, level) for m in moderators]


def _moderator_values(data: _Data[FloatArray], moderator: str) -> FloatArray:
    if moderator in data.extra:
        return data.extra[moderator]
    return data.X[:, data.covariates.index(moderator)]


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


def _binary_summaries(data: _Data[FloatArray], level: float, alpha: float, power: float) -> dict[str, Any]:
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


def _continuous_summaries(data: _Data[FloatArray], level: float, alpha: float, power: float) -> dict[str, Any]:
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
    data: _Data[FloatArray],
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
        result["regression"] = _logistic_adjustment(data, level).as_dict()
        warnings += result["regression"]["odds_ratio"]["warnings"]
    else:
        result["regression"] = {
            "classical": _ancova(data, "classical", level).as_dict(),
            "HC1": _ancova(data, "HC1", level).as_dict(),
        }
    ps = ps if ps is not None else _propensity(data)
    warnings += ps.warnings
    result["propensity"] = ps.as_dict()
    ipw_att, ipw_ate = _ipw(data, ps, "ATT", level), _ipw(data, ps, "ATE", level)
    result["ipw"] = {"ATT": ipw_att.as_dict(), "ATE": ipw_ate.as_dict()}
    matched, matches = _matching(data, ps, k, caliper, level)
    result["matching"] = matched.as_dict()
    warnings += matched.warnings
    n = len(t)
    balance = _balance(
        data,
        {
            "ipw_att": ipw_weights(ps.score, t, "ATT"),
            "ipw_ate": ipw_weights(ps.score, t, "ATE"),
            "matching": matching_weights(matches, n),
        },
    )
    result["balance"] = balance
    warnings += _imbalance_warnings(balance)
    result["overlap"] = overlap_summary(ps.score, t, bins)
    warnings += result["overlap"]["warnings"]
    return result


def _evaluate_prepared(
    data: _Data[FloatArray],
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
        "classical": _difference_in_means(data, "classical", level).as_dict(),
        "HC1": _difference_in_means(data, "HC1", level).as_dict(),
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
    data = _prepare(df, treatment, outcome, covariates, kind)
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
        _check_kind(kind)
    return kinds


def _evaluate_each(
    complete: pd.DataFrame,
    base: _Data[None],
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
            data = _prepare(complete, treatment, outcome, covariates, kind, extra=moderators)
            data.warnings[:0] = base.warnings[:1] if base.n_dropped else []
            entry = _evaluate_prepared(data, outcome, kind, ps, **options)
        except EvaluationInputError as error:
            results.append({"outcome": outcome, "kind": kind, "error": error.as_dict()})
            continue
        results.append(entry)
        for m in moderators:
            try:
                found = _moderation(data, m, _moderator_values(data, m), kind, level).as_dict()
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
    base = _prepare(df, treatment, None, covariates, extra=list(kinds) + list(moderators))
    complete = df
    if base.n_dropped:
        used = list(dict.fromkeys([treatment, *kinds, *covariates, *moderators]))
        values = np.column_stack([_as_float(df, c) for c in used])
        # numpy's stub allows a scalar for all(axis=1); on a 2-D array it is an array of one bool per row
        complete = df.loc[np.isfinite(values).all(axis=1)]  # type: ignore[index]
    ps = _propensity(base) if base.covariates else None
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
