"""Command line: evaluate outcomes in a CSV or Parquet extract.

    python -m kring.evaluation.core.cli FILE --treatment T --outcome Y [--outcome Y2] --covariates a,b,c
        [--moderators m] [--binary Y2] [--correction holm|fdr_bh|none] [--json]

Prints a table per outcome (or the full result as JSON). On bad input: one line on stderr, exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .effects import evaluate
from .errors import EvaluationInputError, describe
from .extract import read_extract


def _names(values: list[str] | None) -> list[str]:
    names: list[str] = []
    for value in values or []:
        names.extend(part.strip() for part in value.split(",") if part.strip())
    return list(dict.fromkeys(names))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kring.evaluation.core.cli", description="Treatment effects from a CSV or Parquet extract."
    )
    parser.add_argument("file")
    parser.add_argument("--treatment", required=True, help="0/1 (or true/false) column")
    parser.add_argument("--outcome", action="append", required=True, help="outcome column (repeatable)")
    parser.add_argument("--covariates", action="append", help="comma-separated covariate columns")
    parser.add_argument("--moderators", action="append", help="comma-separated moderator columns")
    parser.add_argument("--binary", action="append", help="outcomes that are 0/1 (comma-separated or repeated)")
    parser.add_argument("--correction", choices=("holm", "fdr_bh", "none"), default="holm")
    parser.add_argument("--k", type=int, default=1, help="controls per treated row in matching (default 1)")
    parser.add_argument("--caliper", type=float, default=0.2, help="caliper in SDs of the logit (default 0.2)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    return parser


def _fmt(value: object, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if abs(value) < 1e6 else f"{value:.3e}"
    return str(value)


def _rows(entry: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = [("raw difference", entry["raw"]["classical"]), ("raw difference, HC1", entry["raw"]["HC1"])]
    regression = entry.get("regression")
    if regression:
        if entry["kind"] == "binary":
            rows += [
                ("logistic: odds ratio", regression["odds_ratio"]),
                ("logistic: risk difference (g-comp.)", regression["risk_difference"]),
            ]
        else:
            rows += [("regression adjusted", regression["classical"]), ("regression adjusted, HC1", regression["HC1"])]
    if entry.get("ipw"):
        rows += [("IPW, ATT", entry["ipw"]["ATT"]), ("IPW, ATE", entry["ipw"]["ATE"])]
    if entry.get("matching"):
        rows.append(("matching on PS, ATT", entry["matching"]))
    for name, estimate in entry.get("effect_size", {}).items():
        rows.append((name.replace("_", " "), estimate))
    return rows


def render(result: dict[str, Any]) -> str:
    lines = [
        f"treatment {result['treatment']}: {result['n_treated']} treated, {result['n_control']} control"
        + (f" ({result['n_rows_dropped']} incomplete rows dropped)" if result["n_rows_dropped"] else "")
    ]
    lines.append(
        f"covariates: {', '.join(result['covariates']) or '(none)'};"
        f" correction across outcomes: {result['correction'] or 'none'}"
    )
    for entry in result["outcomes"]:
        lines.append("")
        if "error" in entry:
            error = dict(entry["error"])
            lines.append(f"{entry['outcome']}: not evaluated: {describe(error.pop('code'), error)}")
            continue
        lines.append(f"{entry['outcome']} ({entry['kind']})")
        header = f"  {'method':38} {'estimate':>12} {'se':>10} {'95% CI':>25} {'p':>8} {'p adj.':>8}"
        lines.append(header)
        for label, e in _rows(entry):
            ci = f"{_fmt(e['ci_low'])} to {_fmt(e['ci_high'])}" if e["ci_low"] is not None else "-"
            lines.append(
                f"  {label:38} {_fmt(e['estimate']):>12} {_fmt(e['se']):>10} {ci:>25}"
                f" {_fmt(e['p_value'], 4):>8} {_fmt(e.get('p_adjusted'), 4):>8}"
            )
        mde = entry["mde"]
        lines.append(f"  minimum detectable standardised difference (80% power): {_fmt(mde['standardised'])}")
        if entry.get("balance"):
            worst = max(entry["balance"], key=lambda row: abs(row["smd"] or 0))
            after = {k: v["smd"] for k, v in worst["after"].items()}
            lines.append(
                f"  largest raw |SMD|: {worst['covariate']} {_fmt(worst['smd'])}; after: "
                + ", ".join(f"{k} {_fmt(v)}" for k, v in after.items())
            )
        for w in entry["warnings"]:
            params = dict(w)
            lines.append(f"  warning: {describe(params.pop('code'), params)}")
    coding = result.get("extract", {}).get("coding", {})
    for m in result["moderation"]:
        if "error" in m:
            error = dict(m["error"])
            lines.append(
                f"\nmoderator {m['moderator']} on {m['outcome']}: not estimated: {describe(error.pop('code'), error)}"
            )
            continue
        i = m["interaction"]
        labels = coding.get(m["moderator"], {})
        lines.append(
            f"\nmoderator {m['moderator']} on {m['outcome']}: interaction {_fmt(i['estimate'])}"
            f" (se {_fmt(i['se'])}, p {_fmt(i['p_value'], 4)}, p adj. {_fmt(i.get('p_adjusted'), 4)})"
        )
        for level in m["levels"]:
            e = level["effect"]
            value = labels.get(f"{level['value']:g}", _fmt(level["value"], 0))
            lines.append(
                f"  at {m['moderator']} = {value}: {_fmt(e['estimate'])}"
                f" ({_fmt(e['ci_low'])} to {_fmt(e['ci_high'])}), {e['n_treated']} vs {e['n_control']}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    outcomes = _names(args.outcome)
    covariates, moderators, binary = _names(args.covariates), _names(args.moderators), _names(args.binary)
    correction = None if args.correction == "none" else args.correction
    try:
        extract = read_extract(
            args.file,
            treatment=args.treatment,
            outcomes=outcomes,
            covariates=covariates,
            moderators=moderators,
            binary=binary,
        )
        result = evaluate(
            extract.frame,
            extract.treatment,
            {o: ("binary" if o in extract.binary else "continuous") for o in extract.outcomes},
            list(extract.covariates),
            list(extract.moderators),
            correction,
            k=args.k,
            caliper=args.caliper,
        )
    except EvaluationInputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result["n_rows_dropped"] += extract.n_rows_dropped
    result["extract"] = extract.as_dict()
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
