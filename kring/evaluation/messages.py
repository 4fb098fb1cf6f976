"""The statistics core's refusal and warning codes, in the reader's language."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _list(value):
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value[:8])
    return str(value)


def _count(p):
    """The number a plural message counts (its ``count``); 0 when the code gave none or not a number."""
    try:
        return int(p.get("count", 0))
    except ValueError:
        return 0


def error_message(error: dict) -> str:
    code = error.get("code")
    p = {k: _list(v) for k, v in error.items() if k != "code"}
    texts = {
        "missing_column": _("The column %(column)s is not in the file.") % p if "column" in p else "",
        "not_numeric": _("The column %(column)s does not hold numbers.") % p if "column" in p else "",
        "treatment_not_binary": _("The treatment column %(column)s must hold only 0 and 1.") % p
        if "column" in p
        else "",
        "outcome_not_binary": _("The outcome %(column)s must hold only 0 and 1.") % p if "column" in p else "",
        "too_few_rows": _(
            "Too few rows: %(n_treated)s treated and %(n_control)s compared, at least %(minimum)s per group are needed."
        )
        % p
        if {"n_treated", "n_control", "minimum"} <= set(p)
        else _("Too few rows to estimate."),
        "no_variation": _("The column %(column)s has the same value in every row.") % p if "column" in p else "",
        "collinear_covariates": _("Some covariates are combinations of others: %(columns)s.") % p
        if "columns" in p
        else "",
        "too_many_levels": _("The column %(column)s has too many different texts to use as categories.") % p
        if "column" in p
        else "",
        "moderator_not_binary": _("The moderator %(column)s must have exactly two values.") % p
        if "column" in p
        else "",
        "unreadable_file": _("The file could not be read."),
        "too_many_rows": _(
            "The file has %(rows)s rows; at most %(limit)s rows can be evaluated here. Take a sample "
            "or evaluate it with the command line tool."
        )
        % p
        if {"rows", "limit"} <= set(p)
        else "",
        "too_many_columns": _(
            "The file has %(columns)s columns; at most %(limit)s columns can be evaluated here. "
            "Keep only the columns you use."
        )
        % p
        if {"columns", "limit"} <= set(p)
        else "",
        "unsupported_format": _("Upload a CSV or Parquet file."),
        "invalid_argument": _("A choice was not valid (%(argument)s).") % p if "argument" in p else "",
        "small_group": _("Small group: %(n)s in %(group)s.") % p if {"n", "group"} <= set(p) else "",
        "poor_overlap": _("The groups overlap poorly on their propensity scores."),
        "imbalance_after_adjustment": _("After %(method)s some covariates are still unbalanced (%(columns)s).") % p
        if {"method", "columns"} <= set(p)
        else "",
        "perfect_separation": _("A model separated the groups perfectly; its estimates are unreliable."),
        "not_converged": _("A model did not converge."),
        "rows_dropped_missing": ngettext(
            "%(count)s row with missing values was left out.",
            "%(count)s rows with missing values were left out.",
            _count(p),
        )
        % p
        if "count" in p
        else "",
        "constant_covariate_dropped": _("The covariate %(column)s has one value only and was left out.") % p
        if "column" in p
        else "",
        "treated_unmatched": ngettext(
            "%(count)s treated row found no comparable row and was left out of matching.",
            "%(count)s treated rows found no comparable row and were left out of matching.",
            _count(p),
        )
        % p
        if "count" in p
        else "",
        "zero_cell_correction": _("A zero cell: 0.5 was added to every cell for the odds ratio."),
    }
    return texts.get(code) or _("The data could not be used (%(code)s).") % {"code": code}
