#!/usr/bin/env python3
"""The evaluation estimators on 100,000 rows, each beside a bare reference fit measured in the same rounds.

    .venv/bin/python bench/estimators.py            # 100,000 rows; about a minute on 2 cores
    .venv/bin/python bench/estimators.py --tiny     # what CI runs: 2,000 rows; seconds

Data: a seeded synthetic extract with 8 covariates (5 continuous, one of them skewed like earnings, and 3 binary),
a treatment whose probability depends on 6 of them (about 30 % treated), a continuous outcome (true effect 1.0)
and a binary outcome (logistic, true log odds ratio 0.5).

References, timed in the same rounds as the estimators (interleaved, so a busy spell slows both alike):

* ``lstsq``: a bare ``numpy.linalg.lstsq`` OLS of the outcome on [1, treatment, covariates];
* ``Logit``: a bare statsmodels ``Logit(...).fit()`` of the treatment on [1, covariates].

Each estimator's ratio is the median of its per-round ratios to the reference named in the table. Goals:

* ``evaluate_outcome`` (continuous and binary: everything for one outcome) ≤ MAX_EVALUATE_VS_OLS x lstsq and
  under MAX_EVALUATE_SECONDS;
* matching is not quadratic: matching at the full size over matching at a tenth of it ≤ MAX_MATCH_GROWTH
  (n log n gives about 11, n^2 would give 100).

With --tiny only completion and finite estimates decide the exit code; timings of milliseconds are noise.
Exit code 1 when a judged goal fails. A JSON copy goes to bench/results/estimators.json (--output).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kring.evaluation.core import effects  # noqa: E402

MAX_EVALUATE_VS_OLS = 60.0
MAX_EVALUATE_SECONDS = 10.0
MAX_MATCH_GROWTH = 20.0
COVARIATES = ["age", "earnings", "risk", "support", "network", "divorce", "prior_care", "single_parent"]


def synthetic(n: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.uniform(0, 18, n),
            "earnings": rng.lognormal(10, 0.8, n) * rng.binomial(1, 0.8, n),
            "risk": rng.normal(0, 1, n),
            "support": rng.normal(0, 1, n),
            "network": rng.poisson(6, n).astype(float),
            "divorce": rng.binomial(1, 0.3, n).astype(float),
            "prior_care": rng.binomial(1, 0.2, n).astype(float),
            "single_parent": rng.binomial(1, 0.35, n).astype(float),
        }
    )
    logit = (
        -1.0
        + 0.03 * df.age
        - 0.00001 * df.earnings
        + 0.5 * df.risk
        - 0.4 * df.support
        + 0.6 * df.divorce
        + 0.4 * df.prior_care
    )
    df["treated"] = rng.binomial(1, 1 / (1 + np.exp(-logit))).astype(float)
    df["score"] = (
        1.0 * df.treated
        + 0.1 * df.age
        + 1.2 * df.risk
        - 0.8 * df.support
        + 0.05 * df.network
        + 0.00002 * df.earnings
        + rng.normal(0, 2, n)
    )
    outcome_logit = -0.8 + 0.5 * df.treated + 0.6 * df.risk - 0.3 * df.support + 0.4 * df.prior_care
    df["home"] = rng.binomial(1, 1 / (1 + np.exp(-outcome_logit))).astype(float)
    return df


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def cases(df: pd.DataFrame, small: pd.DataFrame):
    """(name, reference, function). Functions take no arguments and return something to check for finiteness."""
    design = np.column_stack([np.ones(len(df)), df.treated, df[COVARIATES].to_numpy()])
    score_design = np.column_stack([np.ones(len(df)), df[COVARIATES].to_numpy()])
    y, t = df.score.to_numpy(), df.treated.to_numpy()
    return [
        ("lstsq (reference)", None, lambda: np.linalg.lstsq(design, y, rcond=None)[0][1]),
        ("Logit (reference)", None, lambda: sm.Logit(t, score_design).fit(disp=0).params[0]),
        ("difference_in_means", "lstsq", lambda: effects.difference_in_means(df, "treated", "score").estimate),
        ("ancova", "lstsq", lambda: effects.ancova(df, "treated", "score", COVARIATES).estimate),
        ("ancova HC1", "lstsq", lambda: effects.ancova(df, "treated", "score", COVARIATES, cov_type="HC1").se),
        (
            "logistic_adjustment",
            "Logit",
            lambda: effects.logistic_adjustment(df, "treated", "home", COVARIATES).risk_difference.se,
        ),
        ("propensity_score", "Logit", lambda: effects.propensity_score(df, "treated", COVARIATES).coefficients["risk"]),
        ("ipw ATT", "Logit", lambda: effects.ipw(df, "treated", "score", COVARIATES).se),
        ("ipw ATE", "Logit", lambda: effects.ipw(df, "treated", "score", COVARIATES, estimand="ATE").se),
        ("matching 1:1", "Logit", lambda: effects.nearest_neighbour_matching(df, "treated", "score", COVARIATES).se),
        (
            "matching 1:1, n/10",
            "Logit",
            lambda: effects.nearest_neighbour_matching(small, "treated", "score", COVARIATES).se,
        ),
        (
            "matching 1:5",
            "Logit",
            lambda: effects.nearest_neighbour_matching(df, "treated", "score", COVARIATES, k=5).se,
        ),
        ("balance_table", "Logit", lambda: len(effects.balance_table(df, "treated", COVARIATES))),
        ("evaluate_outcome continuous", "lstsq", lambda: effects.evaluate_outcome(df, "treated", "score", COVARIATES)),
        (
            "evaluate_outcome binary",
            "lstsq",
            lambda: effects.evaluate_outcome(df, "treated", "home", COVARIATES, "binary"),
        ),
    ]


def _finite_estimates(value) -> list[str]:
    """Names of estimates or SEs in a result that are missing or not finite."""
    if not isinstance(value, dict):
        return [] if value is not None and math.isfinite(float(value)) else ["value"]
    bad = []
    paths = [("raw", "classical"), ("ipw", "ATT"), ("ipw", "ATE"), ("matching",)]
    paths += (
        [("regression", "odds_ratio"), ("regression", "risk_difference")]
        if value["kind"] == "binary"
        else [("regression", "classical")]
    )
    for path in paths:
        node = value
        for key in path:
            node = node[key]
        for field in ("estimate", "se"):
            if node[field] is None or not math.isfinite(node[field]):
                bad.append(f"{'/'.join(path)}.{field}")
    return bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="2,000 rows; judge only completion and finiteness")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--runs", type=int, default=None, help="timed rounds (default 7; 3 with --tiny)")
    parser.add_argument("--output", default=str(Path(__file__).resolve().parent / "results" / "estimators.json"))
    args = parser.parse_args()
    rows = args.rows or (2_000 if args.tiny else 100_000)
    runs = args.runs or (3 if args.tiny else 7)

    df = synthetic(rows)
    small = synthetic(rows // 10, seed=2027)
    print(
        f"{rows:,} rows, {len(COVARIATES)} covariates, {int(df.treated.sum()):,} treated; "
        f"{runs} rounds after 1 warm-up; load average {os.getloadavg()[0]:.2f}"
    )
    plan = cases(df, small)
    times: dict[str, list[float]] = {name: [] for name, _, _ in plan}
    failures: list[str] = []
    for round_ in range(runs + 1):
        for name, _, fn in plan:
            seconds, value = _timed(fn)
            if round_ == 0:
                bad = _finite_estimates(value)
                if bad:
                    failures.append(f"{name}: not finite: {', '.join(bad)}")
                continue
            times[name].append(seconds)

    reference = {"lstsq": times["lstsq (reference)"], "Logit": times["Logit (reference)"]}
    table = []
    print(f"\n{'estimator':30} {'median ms':>10} {'reference':>10} {'ratio':>8}")
    for name, ref, _ in plan:
        median = statistics.median(times[name])
        ratio = statistics.median(a / b for a, b in zip(times[name], reference[ref], strict=True)) if ref else None
        table.append({"estimator": name, "median_s": median, "reference": ref, "ratio": ratio})
        print(f"{name:30} {median * 1000:10.1f} {ref or '':>10} {'' if ratio is None else f'{ratio:8.1f}'}")

    goals = []
    if not args.tiny:
        for name in ("evaluate_outcome continuous", "evaluate_outcome binary"):
            row = next(r for r in table if r["estimator"] == name)
            goals.append(
                (
                    f"{name} ≤ {MAX_EVALUATE_VS_OLS:g}× lstsq",
                    row["ratio"] <= MAX_EVALUATE_VS_OLS,
                    f"{row['ratio']:.1f}×",
                )
            )
            goals.append(
                (
                    f"{name} < {MAX_EVALUATE_SECONDS:g} s",
                    row["median_s"] < MAX_EVALUATE_SECONDS,
                    f"{row['median_s']:.2f} s",
                )
            )
        growth = statistics.median(
            a / b for a, b in zip(times["matching 1:1"], times["matching 1:1, n/10"], strict=True)
        )
        goals.append(
            (
                f"matching at n over n/10 ≤ {MAX_MATCH_GROWTH:g} (not quadratic)",
                growth <= MAX_MATCH_GROWTH,
                f"{growth:.1f}",
            )
        )
    goals.append(("every estimate and SE finite", not failures, "; ".join(failures) or "yes"))

    print()
    for label, ok, shown in goals:
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {shown}")
    if args.tiny:
        print("(--tiny: timings reported, not judged)")
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(
        json.dumps(
            {
                "rows": rows,
                "runs": runs,
                "table": table,
                "goals": [{"goal": g, "pass": ok, "value": v} for g, ok, v in goals],
            },
            indent=2,
        )
    )
    return 0 if all(ok for _, ok, _ in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
