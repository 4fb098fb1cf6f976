"""The shared ground of the effect estimators: result types, input preparation and checks, and the model fits
(OLS by QR, logistic regression by Newton–Raphson). The methodological choices are listed in ``effects``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast, overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import linalg, special, stats

from .errors import EvaluationInputError, warning

SMALL_GROUP = 30
SMD_THRESHOLD = 0.1
OVERLAP_SHARE = 0.10
DEFAULT_CALIPER = 0.2
VARIANCE_NEIGHBOURS = 2  # J in Abadie–Imbens' conditional variance estimate
KINDS = ("continuous", "binary")

FloatArray = NDArray[np.float64]
IndexArray = NDArray[np.intp]


# --- results ----------------------------------------------------------------------------------------------


def number_or_none(value: Any) -> float | None:
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
            "estimate": number_or_none(self.estimate),
            "se": number_or_none(self.se),
            "ci_low": number_or_none(self.ci_low),
            "ci_high": number_or_none(self.ci_high),
            "p_value": number_or_none(self.p_value),
            "n_treated": int(self.n_treated),
            "n_control": int(self.n_control),
            "level": self.level,
            "se_method": self.se_method,
            "warnings": [dict(w) for w in self.warnings],
            "details": dict(self.details),
        }


def z_critical(level: float) -> float:
    if not 0 < level < 1:
        raise EvaluationInputError("invalid_argument", argument="level", value=level)
    return float(stats.norm.ppf(0.5 + level / 2))


def normal_estimate(
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
    est, se = number_or_none(est), number_or_none(se)
    low: float | None
    high: float | None
    p: float | None
    if est is None or se is None or se <= 0:
        low = high = p = None
    else:
        z = z_critical(level)
        low, high = est - z * se, est + z * se
        p = float(2 * stats.norm.sf(abs(est) / se))
    return Estimate(
        method, estimand, scale, est, se, low, high, p, n1, n0, level, se_method, tuple(warnings), details or {}
    )


def t_estimate(
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
    est, se = number_or_none(est), number_or_none(se)
    low: float | None
    high: float | None
    p: float | None
    if est is None or se is None or se <= 0 or df <= 0:
        low = high = p = None
    else:
        z_critical(level)
        q = float(stats.t.ppf(0.5 + level / 2, df))
        low, high = est - q * se, est + q * se
        p = float(2 * stats.t.sf(abs(est) / se, df))
    return Estimate(
        method, estimand, scale, est, se, low, high, p, n1, n0, level, se_method, tuple(warnings), details or {}
    )


def exp_estimate(
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
    beta, se = number_or_none(beta), number_or_none(se)
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
    z = z_critical(level)
    ok = se is not None and se > 0
    with np.errstate(over="ignore"):
        return Estimate(
            method,
            estimand,
            "odds_ratio",
            number_or_none(math.exp(min(beta, 700))),
            se,
            number_or_none(math.exp(min(beta - z * se, 700))) if ok else None,
            number_or_none(math.exp(min(beta + z * se, 700))) if ok else None,
            float(2 * stats.norm.sf(abs(beta) / se)) if ok else None,
            n1,
            n0,
            level,
            se_method,
            tuple(warnings),
            {"log_estimate": beta, **(details or {})},
        )


# --- input --------------------------------------------------------------------------------------------------


# The outcome of a PreparedData: a FloatArray, or None when the analysis has none (propensity score, balance).
Outcome = TypeVar("Outcome", bound=FloatArray | None)


@dataclass
class PreparedData(Generic[Outcome]):
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

    def ols(self: PreparedData[FloatArray], with_covariates: bool) -> _OLS:
        """The OLS fit of y on [1, t] or [1, t, X], fitted once and shared by its classical and HC1 SEs."""
        if with_covariates not in self.ols_cache:
            design = self.design() if with_covariates else self.design()[:, :2]
            self.ols_cache[with_covariates] = fit_ols(design, self.y)
        return self.ols_cache[with_covariates]

    @property
    def n_treated(self) -> int:
        return int(self.t.sum())

    @property
    def n_control(self) -> int:
        return int(len(self.t) - self.t.sum())


def as_float(df: pd.DataFrame, column: str) -> FloatArray:
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
        raise EvaluationInputError(code, column=column, values=[number_or_none(v) for v in np.unique(bad)[:5]])


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise EvaluationInputError("invalid_argument", argument="kind", value=kind)


@overload
def prepare(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Iterable[str],
    kind: str = "continuous",
    extra: Iterable[str] = (),
) -> PreparedData[FloatArray]: ...


@overload
def prepare(
    df: pd.DataFrame,
    treatment: str,
    outcome: None,
    covariates: Iterable[str],
    kind: str = "continuous",
    extra: Iterable[str] = (),
) -> PreparedData[None]: ...


def prepare(
    df: pd.DataFrame,
    treatment: str,
    outcome: str | None,
    covariates: Iterable[str],
    kind: str = "continuous",
    extra: Iterable[str] = (),
) -> PreparedData[FloatArray] | PreparedData[None]:
    """Validate and turn the used columns into float arrays; drop incomplete rows listwise (with a warning)."""
    if not isinstance(df, pd.DataFrame):
        raise EvaluationInputError("invalid_argument", argument="df", value=type(df).__name__)
    check_kind(kind)
    covariates = list(dict.fromkeys(c for c in covariates if c not in (treatment, outcome)))
    extra = [c for c in dict.fromkeys(extra) if c not in covariates and c not in (treatment, outcome)]
    used = [treatment] + ([outcome] if outcome is not None else []) + covariates + extra
    for column in used:
        if column not in df.columns:
            raise EvaluationInputError("missing_column", column=column)
    columns = {column: as_float(df, column) for column in used}
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
        return _checked(PreparedData(t, None, X, covariates, extras, warnings, n_rows, n_dropped), treatment, outcome)
    return _checked(
        PreparedData(t, matrix[:, 1], X, covariates, extras, warnings, n_rows, n_dropped), treatment, outcome
    )


def _checked(data: PreparedData[Outcome], treatment: str, outcome: str | None) -> PreparedData[Outcome]:
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


def _check_groups(data: PreparedData[Outcome], treatment: str) -> None:
    n1, n0 = data.n_treated, data.n_control
    if n1 == 0 or n0 == 0:
        raise EvaluationInputError("no_variation", column=treatment)
    if n1 < 2 or n0 < 2 or n1 + n0 < data.X.shape[1] + 3:
        raise EvaluationInputError(
            "too_few_rows", n_treated=n1, n_control=n0, minimum=max(2, math.ceil((data.X.shape[1] + 3) / 2))
        )


def _drop_constant_covariates(data: PreparedData[Outcome]) -> None:
    if not data.covariates:
        return
    constant = np.ptp(data.X, axis=0) == 0
    for name in np.array(data.covariates)[constant]:
        data.warnings.append(warning("constant_covariate_dropped", column=str(name)))
    if constant.any():
        data.X = data.X[:, ~constant]
        data.covariates = [c for c, drop in zip(data.covariates, constant, strict=True) if not drop]


def _check_collinearity(data: PreparedData[Outcome]) -> None:
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


def standardise(X: FloatArray) -> tuple[FloatArray, FloatArray]:
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


def fit_ols(X: FloatArray, y: FloatArray) -> _OLS:
    """OLS with classical and HC1 covariances. X must start with the intercept column.

    Normal equations on the centred and scaled design (whose condition number stays modest), Cholesky, and
    one step of iterative refinement: as accurate as QR here (the tests compare with statsmodels to 1e-10)
    at a fraction of its cost on 100,000 rows.
    """
    Xs, back = standardise(X)
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


def fit_logit(X: FloatArray, y: FloatArray, max_iter: int = 60) -> _Logit:
    """Unpenalised ML logistic regression by Newton–Raphson with step halving. X starts with the intercept."""
    X, back = standardise(X)
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
        fitted = expit(eta)
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
    fitted = expit(eta)
    weight = fitted * (1 - fitted)
    hessian = (X * weight[:, None]).T @ X
    try:
        cov = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        cov = np.full((p, p), np.nan)
    extreme = bool(np.any(np.minimum(fitted, 1 - fitted) < 1e-8))
    separated = (not converged and extreme) or not np.all(np.isfinite(cov))
    return _Logit(back @ beta, back @ cov @ back.T, fitted, eta, converged, separated, iterations)


def expit(eta: FloatArray) -> FloatArray:
    return special.expit(eta)


def fit_warnings(fit: _Logit, model: str) -> list[dict[str, Any]]:
    if fit.separated:
        return [warning("perfect_separation", model=model)]
    if not fit.converged:
        return [warning("not_converged", model=model)]
    return []


# --- difference in means and regression adjustment ------------------------------------------------------------


def treatment_coefficient(
    data: PreparedData[FloatArray],
    fit: _OLS,
    cov_type: str,
    method: str,
    estimand: str,
    level: float,
    details: dict[str, Any],
) -> Estimate:
    """The treatment's coefficient of an OLS fit: a t interval with classical SEs, a normal one with HC1."""
    cov = fit.for_type(cov_type)
    se = math.sqrt(cov[1, 1])
    if cov_type == "classical":
        return t_estimate(
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
    return normal_estimate(
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
