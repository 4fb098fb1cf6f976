"""Aalen–Johansen cumulative incidence for competing causes on discrete times (weeks), exact with ties.

Estimand: for each cause k, F_k(t) = P(T <= t, cause = k): "the share of trajectories that reached a plan by
week t", with abandonment as a competing cause. 1 - Kaplan–Meier with the competing cause censored would
overstate it, because it pretends abandoned trajectories could still reach a plan.

Conventions (the usual ones for grouped times, as in R's ``survival``/``cmprsk``):

* At each distinct time t_j, all events of all causes are processed together: n_j at risk, d_kj events of
  cause k, d_j = sum_k d_kj.
* Censorings at t_j are still at risk at t_j (events are taken to come first) and leave after it.
* Events at time 0 (a plan in week 0) are ordinary events at the first time: n_0 is everyone, so
  F_k(0) = d_k0 / n. Nothing is shifted or jittered.

Then, with S the overall event-free probability and S(t_{-1}) = 1:

    S(t_j)   = S(t_{j-1}) * (1 - d_j / n_j)
    F_k(t_j) = F_k(t_{j-1}) + S(t_{j-1}) * d_kj / n_j

so sum_k F_k(t) + S(t) = 1 at every t. With one cause, F = 1 - Kaplan–Meier.

Variance: the delta-method (Greenwood-type) estimator, obtained by treating the event counts at each time as
multinomial given n_j (independent over times) and differentiating F_k(t) in the discrete hazards
(Marubini & Valsecchi 1995; Pintilie 2006, eq. 4.5). With c_m = F_k(t) - F_k(t_m):

    Var F_k(t) = sum_{t_m <= t} [ c_m^2 d_m / (n_m (n_m - d_m))
                                  + S(t_{m-1})^2 d_km (n_m - d_km) / n_m^3
                                  - 2 c_m S(t_{m-1}) d_km / n_m^2 ]

With one cause it equals Greenwood's variance of 1 - KM. The pointwise interval is computed on the
log(-log F) scale and transformed back, F^exp(±z se / (F |log F|)), so it stays inside (0, 1); where F is 0
or 1, or se is 0, the interval is the point itself.

The core takes aggregated rows ``(time, {cause: n_events}, n_censored)`` so a database can count per week in
one GROUP BY; rows with the same time are added up (so per (week, cause) rows are fine).
``cumulative_incidence_from_records`` does the counting for individual ``(time, cause_or_None)`` data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from .errors import EvaluationInputError, warning

FloatArray = NDArray[np.float64]

HALF_TOLERANCE = 1e-12  # F_k reaching 0.5 up to floating-point rounding counts as reaching it


@dataclass(frozen=True)
class CauseIncidence:
    """One cause's curve over ``CumulativeIncidence.times`` and its summaries."""

    cause: str
    n_events: int
    events: tuple[int, ...]  # events of this cause at each time
    cif: tuple[float, ...]
    se: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    at_horizons: tuple[dict[str, Any], ...]  # {"horizon", "cif", "se", "low", "high"}; cif None beyond follow-up
    time_to_half: float | int | None  # first time the cumulative incidence reaches 50 %, if it does
    # descriptive, among those who had this event: {"n", "median", "mean", "min", "max"} (None if n == 0)
    event_times: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "n_events": self.n_events,
            "events": list(self.events),
            "cif": list(self.cif),
            "se": list(self.se),
            "ci_low": list(self.ci_low),
            "ci_high": list(self.ci_high),
            "at_horizons": [dict(row) for row in self.at_horizons],
            "time_to_half": self.time_to_half,
            "event_times": dict(self.event_times),
        }


@dataclass(frozen=True)
class CumulativeIncidence:
    """A life table over every distinct time (events or censorings) and one ``CauseIncidence`` per cause."""

    n: int
    n_censored: int
    times: tuple[float | int, ...]
    n_at_risk: tuple[int, ...]
    censored: tuple[int, ...]
    event_free: tuple[float, ...]  # overall S(t): no event of any cause by t
    causes: dict[str, CauseIncidence]
    level: float = 0.95
    warnings: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "n_censored": self.n_censored,
            "times": list(self.times),
            "n_at_risk": list(self.n_at_risk),
            "censored": list(self.censored),
            "event_free": list(self.event_free),
            "causes": {name: cause.as_dict() for name, cause in self.causes.items()},
            "level": self.level,
            "warnings": [dict(w) for w in self.warnings],
        }


def _count(value: Any, time: float) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        # Floats are refused rather than rounded: a fractional count means the caller's query is wrong.
        raise EvaluationInputError("invalid_counts", time=_plain_time(time), reason=f"count {value!r}")
    return int(value)


def _check_time(time: Any) -> float:
    try:
        value = float(time)
    except (TypeError, ValueError):
        raise EvaluationInputError("invalid_counts", time=repr(time), reason="time is not a number") from None
    if not math.isfinite(value):
        raise EvaluationInputError("invalid_counts", time=repr(time), reason="time is not finite")
    if value < 0:
        raise EvaluationInputError("negative_time", time=_plain_time(value))
    return value


def _plain_time(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def _grouped_rows(
    rows: Iterable[tuple[float, Mapping[str, int], int]], causes: Sequence[str] | None
) -> tuple[dict[float, tuple[Counter[str], list[int]]], list[str]]:
    """The rows checked and summed per time: {time: (events per cause, [censored])}, and the causes in report
    order (those given, else in order of first appearance); refuses a cause not among those given."""
    by_time: dict[float, tuple[Counter[str], list[int]]] = {}
    seen: list[str] = [str(c) for c in causes] if causes is not None else []
    for row in rows:
        try:
            time, events, censored = row
        except (TypeError, ValueError):
            raise EvaluationInputError(
                "invalid_counts", time="?", reason="row is not (time, events, censored)"
            ) from None
        t = _check_time(time)
        counter, cens = by_time.setdefault(t, (Counter(), [0]))
        cens[0] += _count(censored, t)
        for cause, n_events in (events or {}).items():
            if cause is None:
                raise EvaluationInputError("invalid_counts", time=_plain_time(t), reason="cause None")
            name = str(cause)
            if name not in seen:
                if causes is not None:
                    raise EvaluationInputError("invalid_counts", time=_plain_time(t), reason=f"unknown cause {name!r}")
                seen.append(name)
            counter[name] += _count(n_events, t)
    return by_time, seen


def _event_matrix(
    by_time: dict[float, tuple[Counter[str], list[int]]], seen: list[str]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The distinct times in order, the events per time and cause (a times x causes matrix), and the censored."""
    times = np.array(sorted(by_time), dtype=float)
    n_times = len(times)
    d = np.zeros((n_times, len(seen)), dtype=float)
    censored = np.zeros(n_times, dtype=float)
    for j, t in enumerate(times):
        counter, cens = by_time[float(t)]
        censored[j] = cens[0]
        for k, name in enumerate(seen):
            d[j, k] = counter.get(name, 0)
    return times, d, censored


def _horizon_warnings(horizons: Sequence[float], last_time: float | None) -> list[dict[str, Any]]:
    """A warning per horizon after the last observed time (the curve is not identified there)."""
    warnings: list[dict[str, Any]] = []
    for h in horizons:
        h_value = _check_time(h)
        if last_time is None or h_value > last_time:
            warnings.append(
                warning(
                    "horizon_beyond_follow_up",
                    horizon=_plain_time(h_value),
                    last_time=None if last_time is None else _plain_time(last_time),
                )
            )
    return warnings


def _at_horizons(
    horizons: Sequence[float],
    times: FloatArray,
    last_time: float | None,
    cif: FloatArray,
    se: FloatArray,
    low: FloatArray,
    high: FloatArray,
) -> list[dict[str, Any]]:
    """A curve read off at each horizon: its value at the last time up to it (0 before the first time, None
    beyond follow-up)."""
    at_horizons = []
    for h in horizons:
        h_value = _check_time(h)
        j = int(np.searchsorted(times, h_value, side="right")) - 1
        row: dict[str, Any]
        if last_time is None or h_value > last_time:
            row = {"horizon": _plain_time(h_value), "cif": None, "se": None, "low": None, "high": None}
        elif j < 0:
            row = {"horizon": _plain_time(h_value), "cif": 0.0, "se": 0.0, "low": 0.0, "high": 0.0}
        else:
            row = {
                "horizon": _plain_time(h_value),
                "cif": float(cif[j]),
                "se": float(se[j]),
                "low": float(low[j]),
                "high": float(high[j]),
            }
        at_horizons.append(row)
    return at_horizons


def cumulative_incidence(
    rows: Iterable[tuple[float, Mapping[str, int], int]],
    *,
    causes: Sequence[str] | None = None,
    horizons: Sequence[float] = (),
    level: float = 0.95,
) -> CumulativeIncidence:
    """Aalen–Johansen estimate from aggregated rows ``(time, {cause: n_events}, n_censored)``.

    ``causes`` fixes which causes are reported and in what order (a cause with no events gets a zero curve);
    by default every cause seen, in order of first appearance. ``horizons``: times at which to read off each
    CIF (e.g. weeks 4, 8, 12); a horizon after the last observed time gets cif None and a warning, since
    the estimate is not identified there.
    """
    if not 0 < level < 1:
        raise EvaluationInputError("invalid_argument", argument="level", value=level)
    by_time, seen = _grouped_rows(rows, causes)
    times, d, censored = _event_matrix(by_time, seen)
    n_times = len(times)

    d_all = d.sum(axis=1)
    removed = d_all + censored
    n_total = int(removed.sum())
    # at risk at t_j: everyone minus those who left at earlier times (censored at t_j still count)
    at_risk = n_total - np.concatenate(([0.0], np.cumsum(removed)[:-1]))

    with np.errstate(divide="ignore", invalid="ignore"):
        hazard_all = np.where(at_risk > 0, d_all / at_risk, 0.0)
    surv = np.cumprod(1.0 - hazard_all)
    surv_before = np.concatenate(([1.0], surv[:-1]))
    z = float(norm.ppf(0.5 + level / 2))
    last_time = float(times[-1]) if n_times else None
    plain_times = tuple(_plain_time(t) for t in times)
    warnings = _horizon_warnings(horizons, last_time)

    result_causes: dict[str, CauseIncidence] = {}
    for k, name in enumerate(seen):
        dk = d[:, k]
        with np.errstate(divide="ignore", invalid="ignore"):
            jump = np.where(at_risk > 0, surv_before * dk / at_risk, 0.0)
        cif = np.cumsum(jump)
        var = _delta_method_variance(cif, dk, d_all, at_risk, surv_before)
        se = np.sqrt(var)
        low, high = _loglog_interval(cif, se, z)
        reached = np.nonzero(cif >= 0.5 - HALF_TOLERANCE)[0]
        result_causes[name] = CauseIncidence(
            cause=name,
            n_events=int(dk.sum()),
            events=tuple(int(x) for x in dk),
            cif=tuple(float(x) for x in cif),
            se=tuple(float(x) for x in se),
            ci_low=tuple(float(x) for x in low),
            ci_high=tuple(float(x) for x in high),
            at_horizons=tuple(_at_horizons(horizons, times, last_time, cif, se, low, high)),
            time_to_half=plain_times[int(reached[0])] if len(reached) else None,
            event_times=_event_time_summary(times, dk),
        )

    return CumulativeIncidence(
        n=n_total,
        n_censored=int(censored.sum()),
        times=plain_times,
        n_at_risk=tuple(int(x) for x in at_risk),
        censored=tuple(int(x) for x in censored),
        event_free=tuple(float(x) for x in surv),
        causes=result_causes,
        level=level,
        warnings=tuple(warnings),
    )


def _delta_method_variance(
    cif: FloatArray, dk: FloatArray, d_all: FloatArray, at_risk: FloatArray, surv_before: FloatArray
) -> FloatArray:
    """The module docstring's variance at every t_j, as cumulative sums (O(J) per cause, no J x J matrix).

    sum_m a_m (F_j - F_m)^2 = F_j^2 sum a_m - 2 F_j sum a_m F_m + sum a_m F_m^2, and likewise for the cross
    term, so grouped data with many distinct times stay linear.
    """
    n = at_risk
    safe_n = np.where(n > 0, n, 1.0)
    remaining = n - d_all
    # when everyone left at risk has an event (n_m == d_m) nothing can happen later, so c_m = 0 there:
    # the term is 0, not 0/0
    a3 = np.where((n > 0) & (remaining > 0), d_all / (safe_n * np.where(remaining > 0, remaining, 1.0)), 0.0)
    a1 = np.where(n > 0, surv_before**2 * dk * (n - dk) / safe_n**3, 0.0)
    b2 = np.where(n > 0, surv_before * dk / safe_n**2, 0.0)
    term3 = cif**2 * np.cumsum(a3) - 2 * cif * np.cumsum(a3 * cif) + np.cumsum(a3 * cif**2)
    term2 = -2 * (cif * np.cumsum(b2) - np.cumsum(b2 * cif))
    var = np.cumsum(a1) + term2 + term3
    clipped: FloatArray = np.clip(var, 0.0, None)  # cancellation can leave -1e-18 where the variance is 0
    return clipped


def _loglog_interval(cif: FloatArray, se: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    low = cif.copy()
    high = cif.copy()
    inner = (cif > 0) & (cif < 1) & (se > 0)
    f = cif[inner]
    spread = np.exp(z * se[inner] / (f * np.abs(np.log(f))))
    low[inner] = f**spread
    high[inner] = f ** (1 / spread)
    return low, high


def _event_time_summary(times: FloatArray, dk: FloatArray) -> dict[str, Any]:
    """Median, mean, min and max of the event times of those who had this event (descriptive only)."""
    n = int(dk.sum())
    if n == 0:
        return {"n": 0, "median": None, "mean": None, "min": None, "max": None}
    with_events = times[dk > 0]
    cumulative = np.cumsum(dk)
    # the ordinary sample median: the middle order statistic, or the mean of the two middle ones
    lower = times[int(np.searchsorted(cumulative, (n - 1) // 2 + 1))]
    upper = times[int(np.searchsorted(cumulative, n // 2 + 1))]
    return {
        "n": n,
        "median": _plain_time((lower + upper) / 2),
        "mean": float((times * dk).sum() / n),
        "min": _plain_time(with_events[0]),
        "max": _plain_time(with_events[-1]),
    }


def cumulative_incidence_from_records(
    records: Iterable[tuple[float, str | None]],
    *,
    causes: Sequence[str] | None = None,
    horizons: Sequence[float] = (),
    level: float = 0.95,
) -> CumulativeIncidence:
    """Convenience: individual ``(time, cause)`` pairs, cause None meaning censored at that time."""
    counts: dict[float, tuple[Counter[str], list[int]]] = {}
    for record in records:
        time, cause = record
        t = _check_time(time)
        counter, cens = counts.setdefault(t, (Counter(), [0]))
        if cause is None:
            cens[0] += 1
        else:
            counter[str(cause)] += 1
    if causes is None:
        # order of first appearance in time, so the output order does not depend on the record order by chance
        ordered: list[str] = []
        for t in sorted(counts):
            for name in sorted(counts[t][0]):
                if name not in ordered:
                    ordered.append(name)
        causes = ordered
    rows = [(t, dict(counter), cens[0]) for t, (counter, cens) in sorted(counts.items())]
    return cumulative_incidence(rows, causes=causes, horizons=horizons, level=level)
