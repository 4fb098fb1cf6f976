"""The evaluation report: the three questions of the source study answered from the registered data.

1. How often does an offer lead to a plan, and how long does that take (and how long until an offer is given up)?
2. What are the outcomes compared with regular care?
3. Which family characteristics matter (do they change the effect)?

``build`` returns plain data (JSON): it is stored with the job, and the page and the PDF are both drawn from it
(``figures_for`` draws the SVG figures in the reader's language), so the page and the PDF always agree.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.methods.catalogue import catalogue
from kring.plans import core as plans_core
from kring.trajectories.models import Trajectory

from . import comparison, dataset, indicators, queries
from .core import figures
from .templatetags.evaluation_tags import HIDDEN

OUTCOME_LABELS = {
    "out_of_home": gettext_lazy("placed out of home"),
    "high_risk": gettext_lazy("high risk"),
    "maltreatment": gettext_lazy("indications of maltreatment"),
    "professional_care": gettext_lazy("professional care in use"),
    "supervision_order": gettext_lazy("supervision order"),
    "without_help": gettext_lazy("can carry on without help"),
    "safety_scale": gettext_lazy("safety scale (0-10)"),
    "satisfaction": gettext_lazy("client satisfaction (1-5)"),
    "social_support": gettext_lazy("social support (SSL-I-12)"),
    "empowerment": gettext_lazy("family empowerment (FES)"),
    "goals_realised": gettext_lazy("share of goals realised"),
    "plan_made": gettext_lazy("a plan was made"),
    "ended_as_planned": gettext_lazy("help ended as planned"),
}
MODERATOR_LABELS = {
    "high_conflict_divorce_yes": gettext_lazy("high-conflict divorce"),
    "migration_background_yes": gettext_lazy("migration background of a parent"),
    "parent_intellectual_disability_yes": gettext_lazy("a parent with a mild intellectual disability"),
    "small_network": gettext_lazy("small informal network (fewer than 5)"),
    "young_children": gettext_lazy("young children (mean age under 6)"),
}
COVARIATE_LABELS = {
    "safety_serious": gettext_lazy("serious or acute safety concern"),
    "children": gettext_lazy("number of children"),
    "child_age_mean": gettext_lazy("mean age of the children"),
    "informal_network_size": gettext_lazy("informal network size"),
    "supervision_context": gettext_lazy("under a child protection measure"),
}


def method_label(code: str) -> str:
    definition = catalogue().get(code)
    if definition is None:
        return code
    return definition.name.en if translation.get_language() == "en" else definition.name.nl


def _methods_present(organisation_ids, date_from, date_to) -> list[str]:
    query = Trajectory.objects.filter(organisation_id__in=organisation_ids)
    if date_from:
        query = query.filter(offered_on__gte=date_from)
    if date_to:
        query = query.filter(offered_on__lte=date_to)
    return sorted(set(query.values_list("method_code", flat=True).distinct()))


def plain_row(row: indicators.GroupIndicators) -> dict:
    return {
        "key": row.key,
        "offered": row.offered,
        "accepted": row.accepted,
        "plans": row.plans,
        "without_plan": row.without_plan,
        "running": row.running,
        "plan_rate": row.plan_rate,
        "plan_rate_accepted": row.plan_rate_accepted,
        "incidence": row.incidence,
        "agreements": row.agreements,
        "suppressed": sorted(getattr(row, "suppressed", set())),
    }


def build(
    organisation_ids, *, today, date_from=None, date_to=None, suppressed=False, moment="t1", progress=None
) -> dict:
    """The report's data. ``progress(percent, stage)`` is called as it goes (the job shows it)."""

    def step(percent, stage):
        if progress:
            progress(percent, stage)

    if suppressed and (date_from or date_to):
        # Suppressed figures are of the whole period only (issue 12, item 9), also for a job asked before.
        raise ValueError("a suppressed report covers the whole period")
    step(5, _("Counting offers and plans"))
    if suppressed:
        rows = queries.protected_rows(organisation_ids, "method", today=today)
    else:
        rows = indicators.compute(organisation_ids, "method", today=today, date_from=date_from, date_to=date_to)
    q1 = [plain_row(r) for r in rows]
    # A researcher's comparisons show no group size the table above hides (issue 12, item 9).
    disclosure = (
        {"threshold": queries.SMALL_CELL, "published_groups": {r["key"]: r["offered"] for r in q1}}
        if suppressed
        else {}
    )
    step(30, _("Comparing with regular care"))
    methods = [m for m in _methods_present(organisation_ids, date_from, date_to) if m != dataset.REGULAR_CARE]
    has_regular = dataset.REGULAR_CARE in _methods_present(organisation_ids, date_from, date_to)
    q2 = []
    # One frame of the minimum dataset for every comparison: regular care is read once, not once per method.
    shared = (
        comparison.frame(
            comparison.trajectories_in(organisation_ids, [*methods, dataset.REGULAR_CARE], date_from, date_to),
            today=today,
            moment=moment,
        )
        if has_regular and methods
        else None
    )
    for index, method in enumerate(methods if has_regular else []):

        def outcome_progress(done, total, index=index):
            share = (index + done / total) / max(len(methods), 1)
            step(30 + int(60 * share), _("Comparing with regular care"))

        result = comparison.compare(
            organisation_ids,
            method=method,
            moment=moment,
            today=today,
            date_from=date_from,
            date_to=date_to,
            progress=outcome_progress,
            df=shared,
            **disclosure,
        )
        q2.append(result)
    step(92, _("Writing the report"))
    return {
        "organisation_ids": list(organisation_ids),
        "today": today.isoformat(),
        "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None,
        "moment": moment,
        "suppressed": suppressed,
        "methods": q1,
        "comparisons": q2,
        "has_regular_care": has_regular,
    }


# ---- presenting ----------------------------------------------------------------------------------------------


def format_number(value, digits=2):
    if value is None:
        return "—"
    return formats.number_format(round(value, digits), digits, use_l10n=True, force_grouping=True)


def _pct(value):
    return "—" if value is None else f"{formats.number_format(value * 100, 0, use_l10n=True)} %"


def _kept(agreements) -> str:
    """The share of the agreements kept, rounded as the plan page and the dashboard round it."""
    share = ((agreements or {}).get("kept_rate") or {}).get("estimate")
    return "—" if share is None else f"{plans_core.percent(share)} %"


def format_interval(estimate, scale=1.0, digits=2):
    if not estimate or estimate.get("estimate") is None:
        return "—"
    e, low, high = (None if estimate.get(k) is None else estimate[k] * scale for k in ("estimate", "ci_low", "ci_high"))
    return f"{format_number(e, digits)} [{format_number(low, digits)}; {format_number(high, digits)}]"


def _decimal_comma() -> bool:
    return translation.get_language() != "en"


def presentation(data: dict) -> dict:
    """Tables and figures of a report in the current language, from ``build``'s data."""
    comma = _decimal_comma()
    methods, bars, curves, labels = [], [], {}, {}
    for row in data["methods"]:
        name = method_label(row["key"])
        methods.append(_method_row(row, name))
        bars.append(_rate_bar(row, name))
        if row.get("incidence"):
            _add_incidence_curves(curves, labels, row, name)
    return {
        "methods": methods,
        "figure_rate": figures.bar_with_intervals_svg(
            bars,
            title=_("Offers that led to a plan, per method"),
            x_label=_("share of offers with a plan"),
            no_data=_("No offers in this period."),
            decimal_comma=comma,
            figure_id="fig-plan-rate",
        ),
        "figure_curves": figures.cumulative_incidence_svg(
            curves,
            title=_("Cumulative incidence of a plan and of giving up, with a plan and giving up competing"),
            x_label=_("weeks since the offer"),
            y_label=_("share of offers"),
            labels=labels,
            horizon=52,
            band_label=_("95% interval"),
            no_data=_("No offers in this period."),
            decimal_comma=comma,
            figure_id="fig-incidence",
        ),
        "comparisons": [comparison_presentation(c, comma) for c in data["comparisons"]],
        "data": data,
    }


def _method_row(row: dict, name: str) -> dict:
    """Question 1 for one method: offers, plans, and the times until a plan and until giving up."""
    incidence = row.get("incidence")
    plan_times = abandon_times = {}
    at_12 = None
    if incidence:
        plan = incidence["causes"]["plan"]
        plan_times, abandon_times = plan["event_times"], incidence["causes"]["abandoned"]["event_times"]
        at_12 = next((h for h in plan["at_horizons"] if h["horizon"] == 12), None)
    rate = row.get("plan_rate")
    return {
        "name": name,
        "offered": row["offered"],
        "plans": row["plans"],
        "without_plan": row["without_plan"],
        "running": row["running"],
        "rate": format_interval({"estimate": rate["estimate"], "ci_low": rate["low"], "ci_high": rate["high"]}, 100, 0)
        if rate
        else "—",
        "plan_median": plan_times.get("median"),
        "plan_mean": format_number(plan_times.get("mean"), 1),
        "plan_range": (f"{plan_times['min']}–{plan_times['max']}" if plan_times.get("min") is not None else ""),
        "abandon_median": abandon_times.get("median"),
        "abandon_mean": format_number(abandon_times.get("mean"), 1),
        "abandon_range": (
            f"{abandon_times['min']}–{abandon_times['max']}" if abandon_times.get("min") is not None else ""
        ),
        "cif_12": _pct(at_12["cif"]) if at_12 and at_12.get("cif") is not None else "—",
        "kept": _kept(row.get("agreements")),
    }


def _rate_bar(row: dict, name: str) -> dict:
    rate = row.get("plan_rate")
    return {
        "label": name,
        "value": rate["estimate"] if rate else None,
        "low": rate["low"] if rate else None,
        "high": rate["high"] if rate else None,
        "note": _("too few to show") if not rate else "",
    }


def _add_incidence_curves(curves: dict, labels: dict, row: dict, name: str) -> None:
    """The method's curve of a plan (with its band) and of giving up, for the figure of cumulative incidence."""
    incidence = row["incidence"]
    plan, abandoned = incidence["causes"]["plan"], incidence["causes"]["abandoned"]
    curves[f"{row['key']}:plan"] = {
        "times": incidence["times"],
        "values": plan["cif"],
        "low": plan["ci_low"],
        "high": plan["ci_high"],
    }
    labels[f"{row['key']}:plan"] = _("%(method)s: plan") % {"method": name}
    curves[f"{row['key']}:abandoned"] = {"times": incidence["times"], "values": abandoned["cif"]}
    labels[f"{row['key']}:abandoned"] = _("%(method)s: given up") % {"method": name}


def _label(stem):
    return str(OUTCOME_LABELS.get(stem, stem))


def comparison_presentation(result: dict, comma: bool) -> dict:
    """Question 2 (and 3) for one method against regular care: the table of outcomes, the forest plots, the
    balance and overlap of the first outcome that has them, and the moderators."""
    name = method_label(result["method"])
    rows, binary_forest, continuous_forest, moderators = [], [], [], []
    balance_source = None
    for entry in result.get("outcomes", []):
        label = _label(entry["stem"])
        forest = binary_forest if entry["kind"] == "binary" else continuous_forest
        if "error" in entry:
            rows.append({"label": label, "error": _error_text(entry["error"])})
            forest.append({"label": label, "estimate": None, "low": None, "high": None, "note": _("not estimable")})
            continue
        rows.append(_outcome_row(entry, label))
        forest += _forest_point(entry, label)
        if balance_source is None and entry.get("balance"):
            balance_source = entry
        moderators += _moderator_rows(entry, label)
    balance, overlap = _balance_figures(balance_source, name, result["method"], comma)
    return {
        "method": result["method"],
        "name": name,
        "n_treated": result["n_treated"],
        "n_control": result["n_control"],
        "rows": rows,
        "forest_binary": figures.forest_plot_svg(
            binary_forest,
            title=_("%(method)s against regular care: adjusted risk differences (percentage points)")
            % {"method": name},
            x_label=_("difference in percentage points"),
            label_heading=_("outcome"),
            estimate_heading=_("estimate [95% interval]"),
            no_data=_("No outcome could be estimated."),
            decimal_comma=comma,
            figure_id=f"fig-forest-binary-{result['method']}",
        ),
        "forest_continuous": figures.forest_plot_svg(
            continuous_forest,
            title=_("%(method)s against regular care: adjusted differences in scores") % {"method": name},
            x_label=_("difference in score points"),
            label_heading=_("outcome"),
            estimate_heading=_("estimate [95% interval]"),
            no_data=_("No outcome could be estimated."),
            decimal_comma=comma,
            figure_id=f"fig-forest-continuous-{result['method']}",
        ),
        "balance": balance,
        "overlap": overlap,
        "moderators": moderators,
        "suppressed": result.get("suppressed", False),
        "favours": _("favours %(method)s") % {"method": name},
    }


def _scale(entry) -> int:
    """Binary outcomes are shown in percentage points."""
    return 100 if entry["kind"] == "binary" else 1


def _outcome_row(entry: dict, label: str) -> dict:
    main = comparison.main_estimate(entry)
    scale = _scale(entry)
    return {
        "label": label,
        "kind": entry["kind"],
        "n": f"{_count(entry['n_treated'])} / {_count(entry['n_control'])}",
        "raw": format_interval(entry["raw"]["classical"], scale),
        "adjusted": format_interval(main, scale),
        "ipw": format_interval((entry.get("ipw") or {}).get("ATT"), scale),
        "matching": format_interval(entry.get("matching"), scale),
        "p": format_number(main.get("p_value"), 3) if main else "—",
        "p_adjusted": format_number(main.get("p_adjusted"), 3) if main else "—",
        "effect_size": effect_size_text(entry),
        "mde": mde_text(entry),
        "warnings": [_warning_text(w) for w in entry.get("warnings", [])][:4],
    }


def _forest_point(entry: dict, label: str) -> list:
    """The outcome's main estimate for the forest plot, if there is one (an empty list otherwise)."""
    main = comparison.main_estimate(entry)
    if not main or main.get("estimate") is None:
        return []
    scale = _scale(entry)
    return [
        {
            "label": label,
            "estimate": main["estimate"] * scale,
            "low": main["ci_low"] * scale if main.get("ci_low") is not None else None,
            "high": main["ci_high"] * scale if main.get("ci_high") is not None else None,
        }
    ]


def _moderator_rows(entry: dict, label: str) -> list:
    rows = []
    for m in entry.get("moderation", []):
        if "error" in m:
            continue
        interaction = m["interaction"]
        rows.append(
            {
                "outcome": label,
                "moderator": str(MODERATOR_LABELS.get(m["moderator"], m["moderator"])),
                "estimate": format_interval(interaction, 1),
                "p": format_number(interaction.get("p_value"), 3),
                "p_adjusted": format_number(interaction.get("p_adjusted"), 3),
                "significant": (interaction.get("p_adjusted") or 1) < 0.05,
            }
        )
    return rows


def _balance_figures(source, name: str, method: str, comma: bool) -> tuple:
    """(balance plot, overlap plot) of the outcome ``source``; empty strings without one."""
    if not source:
        return "", ""
    balance = figures.balance_plot_svg(
        [
            {
                "label": str(COVARIATE_LABELS.get(b["covariate"], b["covariate"])),
                "before": b["smd"],
                "after": b["after"].get("ipw_att", {}).get("smd"),
            }
            for b in source["balance"]
        ],
        title=_("Covariate balance before and after weighting (%(outcome)s)") % {"outcome": _label(source["stem"])},
        before_label=_("before"),
        after_label=_("after weighting"),
        x_label=_("standardised mean difference"),
        threshold_label=_("±0.1"),
        decimal_comma=comma,
        figure_id=f"fig-balance-{method}",
    )
    if not source.get("overlap"):
        return balance, ""
    o = source["overlap"]
    overlap = figures.overlap_svg(
        o["treated"],
        o["control"],
        o["bin_edges"],
        title=_("Overlap of the propensity scores"),
        labels={"treated": name, "control": _("regular care")},
        x_label=_("propensity score"),
        y_label=_("trajectories"),
        decimal_comma=comma,
        figure_id=f"fig-overlap-{method}",
    )
    return balance, overlap


def _count(value):
    return HIDDEN if value is None else value


def effect_size_text(entry):
    sizes = entry.get("effect_size") or {}
    if "cohens_d" in sizes:
        return "d = " + format_interval(sizes["cohens_d"])
    if "odds_ratio" in sizes:
        return "OR = " + format_interval(sizes["odds_ratio"])
    return "—"


def mde_text(entry):
    mde = entry.get("mde") or {}
    if mde.get("standardised") is None:
        return "—"
    return "d ≥ " + format_number(mde["standardised"])


ERROR_TEXTS = {
    "too_few_rows": gettext_lazy("too few trajectories with this outcome in one of the groups"),
    "no_variation": gettext_lazy("the outcome is the same for everyone"),
    "missing_column": gettext_lazy("not registered"),
    "not_registered": gettext_lazy("not registered"),
    "not_numeric": gettext_lazy("not registered as a number"),
    "collinear_covariates": gettext_lazy("the characteristics overlap too much to adjust for"),
    "small_cells": gettext_lazy("too few families in a group to show"),
}
WARNING_TEXTS = {
    "small_group": gettext_lazy("small group"),
    "poor_overlap": gettext_lazy("the groups overlap poorly"),
    "imbalance_after_adjustment": gettext_lazy("characteristics remain unbalanced after adjustment"),
    "perfect_separation": gettext_lazy("a model separated the groups perfectly; estimates unreliable"),
    "not_converged": gettext_lazy("a model did not converge"),
    "rows_dropped_missing": gettext_lazy("trajectories with missing values left out"),
    "treated_unmatched": gettext_lazy("some trajectories found no comparable case"),
    "zero_cell_correction": gettext_lazy("a zero cell (0.5 added for the odds ratio)"),
    "constant_covariate_dropped": gettext_lazy("a characteristic with one value left out"),
}


def _error_text(error):
    return str(ERROR_TEXTS.get(error.get("code"), _("not estimable")))


def _warning_text(warning):
    return str(WARNING_TEXTS.get(warning.get("code"), warning.get("code")))


def render_html(data: dict, *, for_pdf: bool) -> str:
    context = presentation(data)
    context.update(for_pdf=for_pdf, generated=timezone.localtime())
    return render_to_string("evaluation/report_document.html" if for_pdf else "evaluation/_report_body.html", context)


def render_pdf(data: dict, language: str) -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        return HTML(string=render_html(data, for_pdf=True)).write_pdf()
