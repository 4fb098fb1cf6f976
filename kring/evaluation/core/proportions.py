"""Proportions with Wilson score intervals: always report the denominator with the estimate."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from scipy.stats import norm

from .errors import EvaluationInputError


def _z(level: float) -> float:
    if not 0 < level < 1:
        raise EvaluationInputError("invalid_argument", argument="level", value=level)
    return float(norm.ppf(0.5 + level / 2))


def _check_counts(k: int, n: int) -> None:
    for name, value in (("k", k), ("n", n)):
        if isinstance(value, bool) or int(value) != value:
            raise EvaluationInputError("invalid_argument", argument=name, value=value)
    if n < 0 or k < 0 or k > n:
        raise EvaluationInputError("invalid_argument", argument="k", value=f"{k} of {n}")


def wilson_interval(k: int, n: int, level: float = 0.95) -> tuple[float | None, float | None]:
    """Wilson score interval for k successes out of n; ``(None, None)`` when n == 0.

    Chosen over the Wald interval because it keeps inside [0, 1] and keeps close to its nominal coverage
    for small n and for proportions near 0 or 1 (the usual situation with tens of families).
    """
    _check_counts(k, n)
    if n == 0:
        return None, None
    z = _z(level)
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # Clamp rounding noise only: the exact bounds are 0 for k == 0 and 1 for k == n.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Proportion:
    k: int
    n: int
    estimate: float | None
    low: float | None
    high: float | None
    level: float = 0.95

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def proportion(k: int, n: int, level: float = 0.95) -> Proportion:
    """k of n with its Wilson interval; estimate None for n == 0 (no denominator, no rate)."""
    low, high = wilson_interval(k, n, level)
    return Proportion(int(k), int(n), None if n == 0 else k / n, low, high, level)
