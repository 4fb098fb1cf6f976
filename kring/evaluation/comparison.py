"""Effect evaluation on Kring's own registration: a method against regular care (or method A against method B)
on each outcome at a follow-up moment, adjusted for the outcome at baseline and the case characteristics, with
the estimators of ``core.effects``. The rows come from the minimum dataset (``dataset.build_rows``), so the
analysis sees exactly what a research extract would hold.
"""

from __future__ import annotations

import pandas as pd

from kring.trajectories.models import Trajectory

from . import dataset
from .core import effects
from .core.effect_disclosure import effect_cells, protected_outcome
from .core.errors import EvaluationInputError

# Outcomes at a follow-up moment: (stem, kind); binary stems are made 0/1 from the registered codes.
OUTCOMES = (
    ("out_of_home", "binary"),
    ("high_risk", "binary"),
    ("maltreatment", "binary"),
    ("professional_care", "binary"),
    ("supervision_order", "binary"),
    ("without_help", "binary"),
    ("safety_scale", "continuous"),
    ("satisfaction", "continuous"),
    ("social_support", "continuous"),
    ("empowerment", "continuous"),
    ("goals_realised", "continuous"),
)
# Outcomes of the trajectory itself (no baseline).
TRAJECTORY_OUTCOMES = (("plan_made", "binary"), ("ended_as_planned", "binary"))
# Case characteristics every model adjusts for (numeric columns of the frame).
COVARIATES = ("safety_serious", "children", "child_age_mean", "informal_network_size", "supervision_context")
# Family characteristics tried as moderators (0/1 columns).
MODERATORS = (
    "high_conflict_divorce_yes",
    "migration_background_yes",
    "parent_intellectual_disability_yes",
    "small_network",
    "young_children",
)
YES_NO = {"yes": 1.0, "no": 0.0}
ORGANISATION = "organisation_id"  # the frame's column of each row's organisation
SUPERVISION = {"nl_supervision", "nl_provisional_supervision", "nl_guardianship", "vl_judicial"}


def _binary_codes(series: pd.Series) -> pd.Series:
    return series.map(YES_NO).astype(float)


# The columns of the minimum dataset an analysis uses (the rest, such as every instrument's own score columns,
# would only cost memory and time on a quarter of a million rows).
def _analysis_columns(moments) -> list[str]:
    names = [
        "method",
        "safety_concern",
        "legal_context",
        "children",
        "child_age_mean",
        "informal_network_size",
        "high_conflict_divorce",
        "migration_background",
        "parent_intellectual_disability",
        "plan_made",
        "ended_as_planned",
    ]
    for m in moments:
        names += [
            f"{m}_{stem}"
            for stem in (
                "maltreatment",
                "professional_care",
                "supervision_order",
                "without_help",
                "out_of_home",
                "high_risk",
            )
        ]
        names += [f"{m}_{stem}" for stem, *_rest in dataset.INSTRUMENT_OUTCOMES]
    return names


def frame(trajectories, *, today, moment="t1") -> pd.DataFrame:
    """The minimum dataset of these trajectories as a data frame (no identifiers), with the analysis columns."""
    columns = _analysis_columns(("t0", moment))
    table = {name: [] for name in columns}
    for row in dataset.build_rows(trajectories, project_key=None, today=today):
        for name in columns:
            table[name].append(row[name])
    df = pd.DataFrame(table)
    if df.empty:
        return df
    # Never an output column: only to check a suppressed comparison's counts per organisation (issue 12, item 9).
    df[ORGANISATION] = list(trajectories.order_by("id").values_list("organisation_id", flat=True))
    for stem in ("maltreatment", "professional_care", "supervision_order", "without_help"):
        for m in ("t0", moment):
            df[f"{m}_{stem}_bin"] = _binary_codes(df[f"{m}_{stem}"])
    df["safety_serious"] = df["safety_concern"].isin(["serious", "acute"]).astype(float)
    df["supervision_context"] = df["legal_context"].isin(SUPERVISION).astype(float)
    for name in ("high_conflict_divorce", "migration_background", "parent_intellectual_disability"):
        df[f"{name}_yes"] = _binary_codes(df[name])
    for column in ("children", "child_age_mean", "informal_network_size", "plan_made", "ended_as_planned"):
        df[column] = pd.to_numeric(df[column], errors="coerce")
    df["small_network"] = (df["informal_network_size"] < 5).astype(float).where(df["informal_network_size"].notna())
    df["young_children"] = (df["child_age_mean"] < 6).astype(float).where(df["child_age_mean"].notna())
    for m in ("t0", moment):
        for stem in ("out_of_home", "high_risk", *[s for s, *_r in dataset.INSTRUMENT_OUTCOMES]):
            df[f"{m}_{stem}"] = pd.to_numeric(df[f"{m}_{stem}"], errors="coerce")
    return df


def trajectories_in(organisation_ids, methods, date_from=None, date_to=None):
    query = Trajectory.objects.filter(organisation_id__in=list(organisation_ids), method_code__in=list(methods))
    if date_from:
        query = query.filter(offered_on__gte=date_from)
    if date_to:
        query = query.filter(offered_on__lte=date_to)
    return query


def _column(stem: str, moment: str) -> str:
    if stem in ("maltreatment", "professional_care", "supervision_order", "without_help"):
        return f"{moment}_{stem}_bin"
    return f"{moment}_{stem}"


def compare(
    organisation_ids,
    *,
    method: str,
    comparison: str = dataset.REGULAR_CARE,
    moment: str = "t1",
    today,
    date_from=None,
    date_to=None,
    correction: str = "holm",
    progress=None,
    df=None,
    threshold: int | None = None,
    published_groups=None,
) -> dict:
    """The method against the comparison on every outcome; a plain dict (JSON) for the page, report and API.

    Each outcome at ``moment`` is adjusted for the same outcome at T0 (when it was measured) and the case
    characteristics. An outcome the data cannot answer (too few rows, no variation) carries its error code
    instead of estimates. P-values are corrected across outcomes per estimator (Holm by default).

    ``threshold``: for a reader without exact figures (a researcher), the smallest count that may be published
    (issue 12, item 9). The comparison is then refused, without the sizes of its groups, when a group holds fewer
    trajectories, or when ``published_groups`` (method code -> the offers the indicator tables publish for it, None
    where hidden) hides a group's size there: a size shown here would undo that table's suppression. Each outcome
    is cut down by ``core.effect_disclosure.protected_outcome``, and p-values are corrected across the outcomes
    shown only, so a hidden outcome's p-value leaves no trace in the others."""
    if method == comparison:
        raise EvaluationInputError("invalid_argument", argument="comparison", value=comparison)
    if df is None:
        df = frame(
            trajectories_in(organisation_ids, [method, comparison], date_from, date_to), today=today, moment=moment
        )
    elif not df.empty:  # a frame of several methods, made once for a whole report
        df = df[df["method"].isin([method, comparison])].copy()
    result = {
        "method": method,
        "comparison": comparison,
        "moment": moment,
        "correction": correction,
        "n_treated": 0,
        "n_control": 0,
        "outcomes": [],
        "moderation": [],
    }
    if df.empty:
        return {**result, "suppressed": True} if threshold is not None else result
    df["treated"] = (df["method"] == method).astype(float)
    result["n_treated"], result["n_control"] = int(df["treated"].sum()), int((1 - df["treated"]).sum())
    if threshold is not None and _refused(result, threshold, published_groups):
        return {**result, "n_treated": None, "n_control": None, "suppressed": True}
    wanted = [(stem, kind, _column(stem, moment), _column(stem, "t0")) for stem, kind in OUTCOMES]
    wanted += [(stem, kind, stem, None) for stem, kind in TRAJECTORY_OUTCOMES]
    for index, (stem, kind, column, baseline) in enumerate(wanted):
        if column not in df or df[column].notna().sum() == 0:
            result["outcomes"].append(
                {
                    "stem": stem,
                    "kind": kind,
                    "column": column,
                    "baseline": baseline,
                    "error": {"code": "not_registered", "column": column},
                    "moderation": [],
                }
            )
            continue  # nothing to estimate, so no progress to report
        result["outcomes"].append(_outcome(df, stem, kind, column, baseline, threshold))
        if progress:
            progress(index + 1, len(wanted))
    _correct(result, correction)
    if threshold is not None:
        result["suppressed"] = False
    return result


def _outcome(df, stem, kind, column, baseline, threshold) -> dict:
    """One outcome: the estimators adjusted for the case characteristics and the baseline (when measured), each
    moderator, and for a reader without exact figures only what ``protected_outcome`` lets through."""
    covariates = [c for c in COVARIATES if df[c].notna().any()]
    if baseline and baseline in df and df[baseline].notna().sum() > 0:
        covariates.append(baseline)
    entry = {"stem": stem, "kind": kind, "column": column, "baseline": baseline}
    try:
        entry.update(effects.evaluate_outcome(df, "treated", column, covariates, kind))
    except EvaluationInputError as error:
        entry["error"] = error.as_dict()
    entry["moderation"] = [] if "error" in entry else _moderation(df, column, covariates, kind)
    if threshold is not None:
        entry = protected_outcome(
            entry, effect_cells(df, "treated", column, covariates, kind, MODERATORS, part=ORGANISATION), threshold
        )
    return entry


def _moderation(df, column, covariates, kind) -> list:
    effects_found = []
    for moderator in MODERATORS:
        try:
            found = effects.moderator_effects(df, "treated", column, [moderator], covariates, kind=kind)
        except EvaluationInputError as error:
            effects_found.append({"moderator": moderator, "error": error.as_dict()})
        else:
            effects_found += [m.as_dict() for m in found]
    return effects_found


def _refused(result, threshold, published_groups) -> bool:
    sizes = (result["n_treated"], result["n_control"])
    if min(sizes) < threshold:
        return True
    if published_groups is None:
        return False
    shown = (published_groups.get(result["method"]), published_groups.get(result["comparison"]))
    return shown != sizes


def main_estimate(entry: dict) -> dict | None:
    """The estimate a summary shows first: the regression-adjusted difference (risk difference for a binary
    outcome), else the raw difference."""
    if "error" in entry:
        return None
    regression = entry.get("regression")
    if regression:
        return regression.get("risk_difference") if entry["kind"] == "binary" else regression.get("classical")
    return (entry.get("raw") or {}).get("classical")


def _correct(result, correction):
    """Holm (or Benjamini–Hochberg) across the outcomes, for the main estimate and for each moderator."""
    estimates = [main_estimate(e) for e in result["outcomes"]]
    present = [e for e in estimates if e is not None and e.get("p_value") is not None]
    for estimate, p in zip(present, effects.adjust_pvalues([e["p_value"] for e in present], correction)):
        estimate["p_adjusted"] = p
    interactions = [
        m["interaction"]
        for e in result["outcomes"]
        for m in e.get("moderation", [])
        if m.get("interaction") and m["interaction"].get("p_value") is not None
    ]
    for estimate, p in zip(interactions, effects.adjust_pvalues([e["p_value"] for e in interactions], correction)):
        estimate["p_adjusted"] = p
