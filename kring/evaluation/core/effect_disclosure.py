"""What a reader without exact figures (a researcher, the public) may see of an effect evaluation (issue 12, item 9).

The rule of decision 49 for tables, carried over to a comparison of two groups: no published figure is a count
from 1 to ``threshold - 1``, or gives one away, and none is a single family's value. Applied here:

* **Group sizes.** The size of each group analysed for an outcome is published when it is at least the threshold
  and the families of the group left out of that outcome (no measurement, a missing characteristic) number 0 or
  at least the threshold; else it is the hidden mark (None). An outcome whose group of the method or of the
  comparison holds fewer than ``threshold`` families is not estimated for the reader at all: a mean over one
  family is that family's value.
* **Binary outcomes.** A share in a group is a count once its group size is known (share × n), and an interval
  around it gives the size back. So a binary outcome is shown only when, in each group, the families with the
  outcome and those without it each number 0 or at least the threshold. Otherwise it is not shown (``small_cells``).
* **Moderators.** The same per cell of group × value of the moderator (and, for a binary outcome, per cell with and
  without the outcome); a moderator with a smaller cell is not shown.
* **Weighting and matching.** A weighted mean dominated by a few weights is close to those families' values: the
  IPW estimate is shown only when the effective sample size of each group is at least the threshold. The matched
  estimate only when at least ``threshold`` treated families were matched and at least ``threshold`` comparison
  families were used. Matched and unmatched counts are published only when both are 0 or at least the threshold.
  The largest weight is never published (one family's weight).
* **Balance.** Per characteristic only the means, standardised differences and variance ratios before adjustment
  and the standardised differences after it; a 0/1 characteristic whose families with or without it in a group
  number 1 to ``threshold - 1`` is left out (its mean is a share, a share is a count).
* **Overlap.** The histogram of propensity scores keeps its bins, merged with their neighbours until every bin
  holds 0 or at least ``threshold`` families of each group (``merged_bins``); a smoothed density was not chosen
  because a kernel estimate over few families still shows each family's score as a bump. No common support (the
  largest of the minimum scores is one family's score), no quantiles, no minimum or maximum.
* **Warnings and errors** keep their code only: their parameters are counts and shares.
* **Several organisations** (a researcher of more than one): every count above is also checked per organisation,
  from the frame's organisation column (``effect_cells(part=...)``): an outcome is shown only when each
  organisation's group sizes and events are 0 or at least the threshold, a size only when its rest is too, a
  balance row or moderator only when each organisation's cells are. Matched counts and the overlap histogram
  are counted by the estimators without the organisation, so they are not shown over several organisations.

Everything is built from a list of the keys that may be published (nothing unknown passes), so a new key in the
estimators stays unpublished until it is added here. Plain data in and out, no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

__all__ = ["SMALL_CELLS", "effect_cells", "merged_bins", "protected_outcome", "safe_count"]

SMALL_CELLS = "small_cells"  # the error code of an outcome or moderator not shown to a reader without exact figures
_ESTIMATE_KEYS = (
    "method",
    "estimand",
    "scale",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "level",
    "se_method",
)
_DETAIL_KEYS = (
    "mean_treated",
    "mean_control",
    "risk_treated",
    "risk_control",
    "covariates",
    "pooled_sd",
    "hedges_g",
    "se_weights_fixed",
    "effective_n_treated",
    "effective_n_control",
    "k",
    "caliper_sd",
    "caliper_width",
    "ties_kept",
)


def _fine(value: int, threshold: int) -> bool:
    return value == 0 or value >= threshold


def safe_count(part: int | None, whole: int | None, threshold: int) -> int | None:
    """``part`` of ``whole`` when both it and the rest are 0 or at least ``threshold``; None otherwise."""
    if part is None or whole is None:
        return None
    part, whole = int(part), int(whole)
    return part if _fine(part, threshold) and _fine(whole - part, threshold) else None


# An estimate as shown (given the group sizes that may be shown): ``protected_outcome``'s ``estimate``.
class _EstimateView(Protocol):
    def __call__(
        self, value: Mapping[str, Any] | None, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None: ...


def merged_bins(
    treated: Sequence[int], control: Sequence[int], edges: Sequence[float], threshold: int
) -> tuple[list[int], list[int], list[float]] | None:
    """Neighbouring histogram bins merged, from the low end, until each holds 0 or at least ``threshold`` of each
    group; a short remainder at the high end is merged backwards. Returns ``(treated, control, edges)``, or None
    when even one bin over everything would hold too few (the caller refuses such groups before this)."""

    def fine(t: int, c: int) -> bool:
        return _fine(t, threshold) and _fine(c, threshold)

    groups: list[list[int]] = []
    current: list[int] | None = None
    for i, (t, c) in enumerate(zip(treated, control)):
        current = (
            [i, i + 1, int(t), int(c)]
            if current is None
            else [current[0], i + 1, current[2] + int(t), current[3] + int(c)]
        )
        if fine(current[2], current[3]):
            groups.append(current)
            current = None
    if current is not None:
        while groups and not fine(current[2], current[3]):
            previous = groups.pop()
            current = [previous[0], current[1], previous[2] + current[2], previous[3] + current[3]]
        groups.append(current)
    if not groups or not all(fine(g[2], g[3]) for g in groups):
        return None
    return (
        [g[2] for g in groups],
        [g[3] for g in groups],
        [float(edges[groups[0][0]])] + [float(edges[g[1]]) for g in groups],
    )


def _complete(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The rows the estimators keep: every used column present and finite (their listwise deletion)."""
    used = [c for c in dict.fromkeys(columns) if c in df.columns]
    if len(used) < len(list(dict.fromkeys(columns))):
        return df.iloc[0:0]
    values = df[used].apply(pd.to_numeric, errors="coerce").astype(float)
    complete: pd.DataFrame = df[np.isfinite(values.to_numpy()).all(axis=1)]
    return complete


def _is_binary(values: pd.Series) -> bool:
    present = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(present)) and set(present.unique()) <= {0.0, 1.0}


def effect_cells(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    kind: str,
    moderators: Sequence[str] = (),
    part: str | None = None,
) -> dict[str, Any]:
    """The counts the protection needs for one outcome, counted again from the analysed frame (the estimators'
    results do not carry all of them): group sizes, events per group, 0/1 characteristics per group, and the
    cells of every moderator.

    ``part`` names a column (the organisation) that splits the frame: when it holds more than one value, the
    same counts of each value's rows alone come under ``"parts"`` (value -> cells, a moderator's cells in the
    same order as the whole's), so each published count can be checked per organisation too."""
    cells = _cells(df, treatment, outcome, covariates, kind, moderators, None)
    if part is not None and part in df.columns and df[part].nunique() > 1:
        cells["parts"] = {
            value: _cells(df, treatment, outcome, covariates, kind, moderators, df[part] == value)
            for value in sorted(df[part].unique())
        }
    return cells


def _cells(
    df: pd.DataFrame,
    treatment: str,
    outcome: str,
    covariates: Sequence[str],
    kind: str,
    moderators: Sequence[str],
    within: pd.Series | None,
) -> dict[str, Any]:
    """``effect_cells`` of the rows ``within`` selects (all when None), the moderators' values of the whole."""
    covariates = [c for c in covariates if c not in (treatment, outcome)]
    if within is None:
        within = pd.Series(True, index=df.index)
    arm = (df[treatment].astype(float) == 1)[within]
    rows = _complete(df, [treatment, outcome, *covariates])
    rows_within = within.loc[rows.index]
    treated = rows[treatment].astype(float) == 1
    rows, treated = rows[rows_within], treated[rows_within]
    cells: dict[str, Any] = {
        "groups": (int(arm.sum()), int((~arm).sum())),
        "n": (int(treated.sum()), int((~treated).sum())),
        "events": None,
        "binary_covariates": {},
        "moderators": {},
    }
    if kind == "binary":
        y = rows[outcome].astype(float)
        cells["events"] = (int(y[treated].sum()), int(y[~treated].sum()))
    for name in covariates:
        if _is_binary(rows[name]):
            x = rows[name].astype(float)
            cells["binary_covariates"][name] = (int(x[treated].sum()), int(x[~treated].sum()))
    for moderator in moderators:
        if moderator not in df.columns:
            continue
        kept = _complete(df, [treatment, outcome, *covariates, moderator])
        t = kept[treatment].astype(float) == 1
        m = pd.to_numeric(kept[moderator], errors="coerce").astype(float)
        y = kept[outcome].astype(float)
        kept_within = within.loc[kept.index]
        found = []
        for value in sorted(m.unique()):
            for group in (t, ~t):
                inside = group & (m == value) & kept_within
                found.append(int(inside.sum()))
                if kind == "binary":
                    events = int(y[inside].sum())
                    found += [events, int(inside.sum()) - events]
        cells["moderators"][moderator] = found
    return cells


def _codes(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    seen, result = set(), []
    for item in items or ():
        code = item.get("code")
        if code not in seen:
            seen.add(code)
            result.append({"code": code})
    return result


def _estimate(
    estimate: Mapping[str, Any] | None,
    n_treated: int | None,
    n_control: int | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    if not estimate:
        return None
    result = {key: estimate[key] for key in _ESTIMATE_KEYS if key in estimate}
    result.update(n_treated=n_treated, n_control=n_control, warnings=_codes(estimate.get("warnings")))
    details = estimate.get("details") or {}
    result["details"] = {key: details[key] for key in _DETAIL_KEYS if key in details}
    result["details"].update(extra or {})
    return result


def _hidden(entry: Mapping[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    return {**base, "error": {"code": SMALL_CELLS}, "moderation": []}


def _too_small(entry: Mapping[str, Any], cells: Mapping[str, Any], parts: list[Any], threshold: int) -> bool:
    """Whether the outcome must be hidden: its counts disagree with the estimators', a group is under the
    threshold, an organisation's part of a group is small, or (binary) some count of events or non-events is."""
    n1, n0 = cells["n"]
    if (n1, n0) != (entry.get("n_treated"), entry.get("n_control")):
        return True  # the counts do not agree with the estimators': show nothing rather than guess
    if n1 < threshold or n0 < threshold:
        return True
    if not all(_fine(v, threshold) for p in parts[1:] for v in p["n"]):
        return True  # a mean over a few of one organisation's families, by subtraction
    if cells["events"] is not None:
        for p in parts:
            (k1, k0), (m1, m0) = p["events"], p["n"]
            if not all(_fine(v, threshold) for v in (k1, m1 - k1, k0, m0 - k0)):
                return True
    return False


def _shown_group_sizes(cells: Mapping[str, Any], parts: list[Any], threshold: int) -> tuple[int | None, int | None]:
    """The group sizes that may be shown (None where the difference with the whole group would be a small
    count), in every organisation's part too."""
    (g1, g0), (n1, n0) = cells["groups"], cells["n"]
    shown1, shown0 = safe_count(n1, g1, threshold), safe_count(n0, g0, threshold)
    for p in parts[1:]:
        shown1 = shown1 if safe_count(p["n"][0], p["groups"][0], threshold) is not None else None
        shown0 = shown0 if safe_count(p["n"][1], p["groups"][1], threshold) is not None else None
    return shown1, shown0


def _protected_proportions(
    proportions: Mapping[str, Any], shown1: int | None, shown0: int | None
) -> dict[str, dict[str, Any]]:
    """Each group's proportion and interval, with its counts only where its group size may be shown."""
    return {
        group: {
            "k": (value["k"] if shown is not None else None),
            "n": shown,
            "estimate": value["estimate"],
            "low": value["low"],
            "high": value["high"],
            "level": value["level"],
        }
        for (group, value), shown in zip(proportions.items(), (shown1, shown0))
    }


def _protected_propensity(propensity: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The score model's coefficients and flags, its warnings as codes only."""
    if not propensity:
        return None
    return {
        "coefficients": propensity.get("coefficients"),
        "se": propensity.get("se"),
        "converged": propensity.get("converged"),
        "separated": propensity.get("separated"),
        "warnings": _codes(propensity.get("warnings")),
    }


def protected_outcome(entry: Mapping[str, Any], cells: Mapping[str, Any], threshold: int = 5) -> dict[str, Any]:
    """One outcome of ``comparison.compare`` (``effects.evaluate_outcome`` with the comparison's own keys and
    ``moderation``) as a reader without exact figures may see it; ``cells`` from ``effect_cells``."""
    base = {key: entry[key] for key in ("stem", "kind", "column", "baseline") if key in entry}
    if "error" in entry:
        error = {"code": entry["error"].get("code")}
        if "column" in entry["error"]:
            error["column"] = entry["error"]["column"]
        return {**base, "error": error, "moderation": []}
    (g1, g0), (n1, n0) = cells["groups"], cells["n"]
    # Over several organisations each one's part of every count below must be 0 or at least the threshold too
    # (``effect_cells(part=...)``): this comparison minus the same over fewer organisations is then no small count.
    parts = [cells, *(cells.get("parts") or {}).values()]
    if _too_small(entry, cells, parts, threshold):
        return _hidden(entry, base)
    shown1, shown0 = _shown_group_sizes(cells, parts, threshold)
    both = shown1 is not None and shown0 is not None
    result = {
        **base,
        "outcome": entry.get("outcome"),
        "covariates": list(entry.get("covariates", [])),
        "n": n1 + n0 if both else None,
        "n_treated": shown1,
        "n_control": shown0,
        "n_rows_dropped": (g1 + g0) - (n1 + n0) if both else None,
    }

    def estimate(value: Mapping[str, Any] | None, extra: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        return _estimate(value, shown1, shown0, extra)

    result["raw"] = {name: estimate(value) for name, value in (entry.get("raw") or {}).items()}
    if "proportions" in entry:
        result["proportions"] = _protected_proportions(entry["proportions"], shown1, shown0)
    result["effect_size"] = {name: estimate(value) for name, value in (entry.get("effect_size") or {}).items()}
    mde = entry.get("mde") or {}
    result["mde"] = {
        key: mde[key]
        for key in ("standardised", "in_outcome_units", "base_rate", "increase", "decrease", "alpha", "power")
        if key in mde
    }
    regression = entry.get("regression")
    result["regression"] = {name: estimate(value) for name, value in regression.items()} if regression else None
    result["propensity"] = _protected_propensity(entry.get("propensity"))
    result["ipw"] = _protected_ipw(entry.get("ipw"), estimate, threshold)
    # Matched families and the overlap histogram are counted by the estimators, not per organisation: over
    # several organisations their counts are not shown (the matched estimate itself is).
    split = len(parts) > 1
    result["matching"] = _protected_matching(entry.get("matching"), n1, n0, estimate, threshold, split)
    result["balance"] = _protected_balance(entry.get("balance") or [], parts, threshold)
    result["overlap"] = None if split else _protected_overlap(entry.get("overlap"), n1, n0, threshold)
    result["warnings"] = _codes(entry.get("warnings"))
    result["moderation"] = [
        _protected_moderation(m, [p["moderators"].get(m.get("moderator")) for p in parts], threshold)
        for m in entry.get("moderation") or []
    ]
    return result


def _protected_ipw(ipw: Mapping[str, Any] | None, estimate: _EstimateView, threshold: int) -> dict[str, Any] | None:
    if not ipw:
        return None
    result: dict[str, Any] = {}
    for name, value in ipw.items():
        details = value.get("details") or {}
        effective = [details.get("effective_n_treated"), details.get("effective_n_control")]
        if any(e is None or e < threshold for e in effective):
            result[name] = {"error": {"code": SMALL_CELLS}}
        else:
            result[name] = estimate(value)
    return result


def _protected_matching(
    matching: Mapping[str, Any] | None,
    n1: int,
    n0: int,
    estimate: _EstimateView,
    threshold: int,
    split: bool = False,
) -> dict[str, Any] | None:
    if not matching:
        return None
    details = matching.get("details") or {}
    matched, used = details.get("n_treated_matched"), details.get("n_controls_used")
    if matched is None or used is None or matched < threshold or used < threshold:
        return {"error": {"code": SMALL_CELLS}}
    if split:
        return estimate(matching, {"n_treated_matched": None, "n_controls_used": None})
    return estimate(
        matching,
        {"n_treated_matched": safe_count(matched, n1, threshold), "n_controls_used": safe_count(used, n0, threshold)},
    )


def _protected_balance(rows: Sequence[Mapping[str, Any]], parts: list[Any], threshold: int) -> list[dict[str, Any]]:
    """``parts``: the cells of the whole, then of each organisation (``protected_outcome``)."""
    result = []
    for row in rows:
        name = row.get("covariate")
        if name in parts[0]["binary_covariates"]:
            counts = [(p["binary_covariates"].get(name, (0, 0)), p["n"]) for p in parts]
            if not all(
                _fine(v, threshold)
                for (ones1, ones0), (n1, n0) in counts
                for v in (ones1, n1 - ones1, ones0, n0 - ones0)
            ):
                continue
        result.append(
            {
                "covariate": name,
                "mean_treated": row.get("mean_treated"),
                "mean_control": row.get("mean_control"),
                "smd": row.get("smd"),
                "variance_ratio": row.get("variance_ratio"),
                "after": {label: {"smd": after.get("smd")} for label, after in (row.get("after") or {}).items()},
            }
        )
    return result


def _protected_overlap(overlap: Mapping[str, Any] | None, n1: int, n0: int, threshold: int) -> dict[str, Any] | None:
    if not overlap:
        return None
    merged = merged_bins(overlap["treated"], overlap["control"], overlap["bin_edges"], threshold)
    if merged is None:
        return None
    treated, control, edges = merged
    outside = overlap.get("n_outside") or {}
    out1 = safe_count(outside.get("treated"), n1, threshold)
    out0 = safe_count(outside.get("control"), n0, threshold)
    return {
        "bin_edges": edges,
        "treated": treated,
        "control": control,
        "merged": True,
        "n_outside": {"treated": out1, "control": out0},
        "share_outside": {
            "treated": None if out1 is None else out1 / n1,
            "control": None if out0 is None else out0 / n0,
            "all": None if out1 is None or out0 is None else (out1 + out0) / (n1 + n0),
        },
        "warnings": _codes(overlap.get("warnings")),
    }


def _protected_moderation(moderation: Mapping[str, Any], cells_per_part: list[Any], threshold: int) -> dict[str, Any]:
    """``cells_per_part``: the moderator's cells of the whole, then of each organisation."""
    name = moderation.get("moderator")
    if "error" in moderation:
        error = {"code": moderation["error"].get("code")}
        return {"moderator": name, "error": error}
    if any(cells is None or not all(_fine(v, threshold) for v in cells) for cells in cells_per_part):
        return {"moderator": name, "error": {"code": SMALL_CELLS}}
    return {
        "moderator": name,
        "interaction": _estimate(moderation.get("interaction"), None, None),
        "levels": [
            {"value": level.get("value"), "effect": _estimate(level.get("effect"), None, None)}
            for level in moderation.get("levels") or []
        ],
        "warnings": _codes(moderation.get("warnings")),
    }
