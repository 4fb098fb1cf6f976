"""Refusals and warnings as stable codes with parameters, so a caller can word (and translate) its own message.

The core never formats user-facing text in another language: it raises ``EvaluationInputError(code, **params)``
and returns warnings as ``{"code": ..., **params}`` dicts. ``MESSAGES`` holds one plain English template per code,
used by the command line and as a reference for whoever writes the translated messages.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # refusals
    "missing_column": "column {column!r} is not in the data",
    "not_numeric": "column {column!r} is not numeric (for example {examples})",
    "treatment_not_binary": "treatment column {column!r} must hold only 0/1 or true/false (found {values})",
    "outcome_not_binary": "binary outcome {column!r} must hold only 0/1 or true/false (found {values})",
    "too_few_rows": "too few rows: {n_treated} treated and {n_control} control, at least {minimum} per group needed",
    "no_variation": "column {column!r} has the same value in every row",
    "collinear_covariates": "covariates are linear combinations of others: {columns}",
    "too_many_levels": "column {column!r} has {levels} distinct text values, too many to use as categories",
    "moderator_not_binary": "text moderator {column!r} must have exactly two values (found {levels})",
    "unreadable_file": "the file could not be read ({reason})",
    "too_many_rows": "the file has {rows} rows; at most {limit} are read",
    "too_many_columns": "the file has {columns} columns; at most {limit} are read",
    "unsupported_format": "unsupported file format {format!r}; use CSV or Parquet",
    "invalid_argument": "invalid value for {argument}: {value}",
    "invalid_counts": "invalid event counts at time {time}: {reason}",
    "negative_time": "time {time} is negative",
    # warnings
    "small_group": "only {n} rows in the {group} group (fewer than {minimum})",
    "poor_overlap": "propensity scores overlap poorly: {share_treated:.1%} of treated and {share_control:.1%} of "
    "control rows lie outside the common support",
    "imbalance_after_adjustment": "after {method}, |SMD| > {threshold} for {columns}",
    "perfect_separation": "the {model} model separates the data perfectly or nearly so; its estimates are unreliable",
    "not_converged": "the {model} model did not converge",
    "rows_dropped_missing": "{count} rows with missing values dropped (of {n_rows})",
    "constant_covariate_dropped": "covariate {column!r} has one value only and was left out",
    "treated_unmatched": "{count} treated rows had no control within the caliper and were left out of matching",
    "zero_cell_correction": "a zero cell: 0.5 added to every cell for the odds ratio",
    "horizon_beyond_follow_up": "horizon {horizon} lies beyond the last observed time {last_time}",
}


def describe(code: str, params: dict[str, Any]) -> str:
    """Plain English for a code; falls back to ``code: k=v`` when the template does not fit the params."""
    template = MESSAGES.get(code)
    if template is not None:
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            pass
    details = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return f"{code}: {details}" if details else code


def warning(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, **params}


class EvaluationInputError(ValueError):
    """The input cannot be evaluated. ``code`` is stable; ``params`` are plain JSON values."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(describe(code, params))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, **self.params}
