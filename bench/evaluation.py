#!/usr/bin/env python3
"""Evaluation benchmark: the indicators and the full evaluation report over 250,000 trajectories, each measured
beside a hand-written raw SQL aggregate of the same counts in the same run.

    python bench/evaluation.py            # 250,000 trajectories over 10 organisations (PostgreSQL)
    python bench/evaluation.py --tiny     # what CI runs: 5,000 trajectories; seconds

The script fills a database of its own (dropped and created again on every run; its name must contain 'bench')
with COPY: --trajectories trajectories (one case each) over ORGANISATIONS organisations in 7 regions, with
TEAMS_PER_ORG teams each, of the methods fnb, ekc and signs_of_safety and (about a third) regular care, offered
over three years before TODAY (fixed, so every run fills the same rows). About 40 % reach a plan after 0-38 weeks
(some in week 0), about 35 % are abandoned, declined or closed before a plan after 0-44 weeks, the rest run
(censored; offers that would reach their event after TODAY run too). Most have a registration (children's ages,
household, network size, high-conflict divorce ...), outcome measurements at T0 and, three months on, at T1
(placement, risk, maltreatment ...), a share instrument administrations with their score rows, and a share of the
plans their plan with agreements, reviews held and a judgement per agreement.

Measured, interleaved in the same rounds, with the database warm:

* ``indicators.compute(all organisations, "method")`` and ``(..., "region")`` against the raw SQL reference: one
  ``GROUP BY`` of the counts over ``trajectories_trajectory`` and one ``GROUP BY`` of the events per week (what
  the competing-risk curves need). Both must give the same counts and the same per-week table. A second raw
  reference of everything compute() reads (the two, plus how the agreements were kept, the outcomes and the
  instrument scores, each a GROUP BY joined to the trajectories) is timed for orientation and must agree too.
* ``report.build(all organisations)``: the indicators plus, per method, ``comparison.compare`` against regular
  care. The comparisons read the minimum dataset (``dataset.build_rows``: a fixed number of queries per chunk of
  5,000 trajectories, then one Python dict per trajectory), build a data frame and fit the estimators per
  outcome and moderator: that part cannot be a SQL aggregate, so it is reported with a breakdown (SQL, rows,
  frame, estimators) and judged against an absolute budget; its ratio to the raw SQL is printed.
* ``report.render_pdf(data, "nl")`` on the built report, against the same raw SQL.

Goals (exit code 1 when a judged goal is missed):

* always: compute() gives the raw SQL's counts and per-week table (per method and per region), and the raw
  agreements, outcomes and scores; compute() takes the same number of queries (CaptureQueriesContext) over a
  slice of a few hundred trajectories, over one organisation and over all of them; the report compares every
  method with regular care;
* at full size only: compute() ≤ MAX_COMPUTE_VS_RAW × the raw SQL (median of per-round ratios, both groupings);
  report.build + render_pdf ≤ MAX_REPORT_SECONDS.

With --tiny only the counts and the query counts (and the report's completeness) decide; timings of a few
milliseconds on a shared machine are noise. See bench/README.md. A JSON copy goes to bench/results/evaluation.json.
"""

import argparse
import datetime
import gc
import json
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from foundation_pages import Databases, analyze, explain, log, setup_django, write_rows  # noqa: E402
from plans import Rows, next_id, reset_sequences  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/kring_bench_eval"

MAX_COMPUTE_VS_RAW = 5.0
MAX_REPORT_SECONDS = 120.0
TODAY = datetime.date(2026, 11, 30)  # fixed, so the fill is the same on every run
DAY = datetime.timedelta(days=1)
ORGANISATIONS = 10
TEAMS_PER_ORG = 4
# (name, region, jurisdiction): 10 organisations in 7 regions, so "region" groups differently from "organisation".
ORGANISATION_LIST = [
    ("Jeugdhulp Utrecht Stad", "Utrecht", "NL"),
    ("Jeugdhulp Utrechtse Heuvelrug", "Utrecht", "NL"),
    ("Jeugdhulp Arnhem", "Gelderland", "NL"),
    ("Jeugdhulp Nijmegen", "Gelderland", "NL"),
    ("Jeugdhulp Twente", "Overijssel", "NL"),
    ("Jeugdhulp Amsterdam", "Noord-Holland", "NL"),
    ("Jeugdhulp Zaanstreek", "Noord-Holland", "NL"),
    ("Jeugdhulp Gent", "Oost-Vlaanderen", "VL"),
    ("Jeugdhulp Antwerpen", "Antwerpen", "VL"),
    ("Jeugdhulp Hasselt", "Limburg", "VL"),
]
METHODS = ("fnb", "ekc", "signs_of_safety")
REGULAR = "regular_care"
# Chance of reaching a plan / of ending without one, per method (the rest runs).
PLAN_SHARE = {"fnb": 0.47, "ekc": 0.44, "signs_of_safety": 0.41, REGULAR: 0.40}
NO_PLAN_SHARE = 0.36
# How much lower the latent risk is at T1 after the method than after regular care (an effect to find).
METHOD_EFFECT = {"fnb": 0.25, "ekc": 0.2, "signs_of_safety": 0.15, REGULAR: 0.0}
LEGAL = {
    "NL": (
        ("nl_voluntary", 50),
        ("nl_preventive", 20),
        ("nl_supervision", 22),
        ("nl_provisional_supervision", 3),
        ("nl_guardianship", 5),
    ),
    "VL": (("vl_voluntary", 60), ("vl_socially_urgent", 20), ("vl_judicial", 20)),
}
SAFETY = (("none", 20), ("some", 45), ("serious", 28), ("acute", 7))
SAFETY_SHIFT = {"none": -0.6, "some": 0.0, "serious": 0.5, "acute": 1.0}
ROUTES = (
    ("professional", 55),
    ("family", 10),
    ("school", 12),
    ("hospital", 5),
    ("gp", 10),
    ("police", 6),
    ("other", 2),
)
ABANDON_REASONS = (
    "family_withdrew",
    "network_too_small",
    "safety",
    "consent_withdrawn",
    "no_agreement_on_plan",
    "coordinator_unavailable",
    "situation_changed",
    "referred_elsewhere",
    "other",
)
PROBLEM_AREAS = (
    "parenting",
    "child_behaviour",
    "child_development",
    "school",
    "parent_mental_health",
    "addiction",
    "domestic_violence",
    "maltreatment",
    "divorce",
    "finances",
    "housing",
    "disability",
    "justice",
    "other",
)
HOUSEHOLDS = (
    ("two_parents", 35),
    ("single_parent", 35),
    ("blended", 15),
    ("kin", 7),
    ("foster", 5),
    ("residential", 2),
    ("other", 1),
)
YES_NO_SHARES = {
    "high_conflict_divorce": (0.15, 0.70),
    "migration_background": (0.25, 0.65),
    "parent_intellectual_disability": (0.08, 0.80),
}  # (yes, no); the rest unknown
# Instruments: (code, chance per trajectory with instruments, moments, respondents, {score: (low, high)}).
INSTRUMENTS = (
    ("sos_safety_scale", 0.6, ("t0", "t1"), ("parent", "professional", "network_member"), {"score": (0, 10)}),
    ("kring_satisfaction", 0.5, ("t1",), ("parent", "youth"), {"experience": (1, 5), "mark": (1, 10)}),
    (
        "ssl_i_12",
        0.3,
        ("t0", "t1"),
        ("parent",),
        {"total": (12, 48), "everyday": (4, 16), "problem": (4, 16), "esteem": (4, 16)},
    ),
    (
        "fes",
        0.25,
        ("t0", "t1"),
        ("parent",),
        {"total": (34, 170), "family": (12, 60), "service_system": (12, 60), "community_political": (10, 50)},
    ),
    ("goal_attainment", 0.3, ("t1",), ("professional",), {"realised": (0, 1), "fully_realised": (0, 1)}),
    ("zrm", 0.2, ("t0", "t1"), ("professional",), {"sum": (13, 65), "mean": (1, 5)}),
)
WITH_INSTRUMENTS = 0.35  # share of the trajectories with an outcome measurement that also have instruments
WITH_PLAN_RECORD = 0.45  # share of the trajectories with a plan whose plan is in Kring (agreements, reviews)
REGISTERED = 0.9
T0_MEASURED = 0.88
T1_MEASURED = 0.78
PLAN_TYPES = {
    "fnb": "family_group_plan",
    "ekc": "family_group_plan",
    "signs_of_safety": "safety_plan",
    REGULAR: "care_plan",
}
AGREEMENT_TEXTS = (
    "Oma haalt de kinderen op woensdag op.",
    "Mama belt de huisarts voor een afspraak.",
    "Er is elke avond iemand thuis bij de kinderen.",
    "Papa komt alleen op afspraak langs.",
    "De buurvrouw let op de kinderen als mama werkt.",
    "De juf laat mama weten als Sam niet komt.",
)
KEEPING = (("kept", 0.55), ("partly", 0.80), ("not_kept", 0.92), ("stopped", 1.0))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trajectories", type=int, default=250_000, help="trajectories in all (default 250,000)")
    parser.add_argument("--tiny", action="store_true", help="5,000 trajectories, fewer rounds (for CI)")
    parser.add_argument("--runs", type=int, default=15, help="timed rounds of compute() and the raw SQL")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--report-runs", type=int, default=2, help="timed rounds of report.build (default 2)")
    parser.add_argument("--pdf-runs", type=int, default=3, help="timed rounds of report.render_pdf (default 3)")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "evaluation.json"))
    args = parser.parse_args()
    if args.tiny:
        args.trajectories, args.runs, args.warmup, args.report_runs, args.pdf_runs = 5_000, 5, 1, 1, 1
    if args.trajectories < 1_000:
        parser.error("--trajectories must be at least 1,000")
    return args


def weighted(rng, pairs):
    roll = rng.random() * sum(w for _v, w in pairs)
    for value, w in pairs:
        roll -= w
        if roll < 0:
            return value
    return pairs[-1][0]


# --- The world -----------------------------------------------------------------------------------------------


def build_world():
    from django.contrib.auth.hashers import make_password

    from kring.accounts.models import Membership, Organisation, Role, Team, User

    password = make_password("bench-password-not-secret")
    orgs = [
        Organisation.objects.create(name=name, code=f"ev{i + 1}", jurisdiction=jurisdiction, region=region)
        for i, (name, region, jurisdiction) in enumerate(ORGANISATION_LIST[:ORGANISATIONS])
    ]
    teams = Team.objects.bulk_create(
        [
            Team(organisation=o, name=f"Team {o.code} {t + 1}", region=o.region)
            for o in orgs
            for t in range(TEAMS_PER_ORG)
        ]
    )
    writers = User.objects.bulk_create(
        [
            User(
                email=f"writer.{o.code}@bench.example.org", password=password, first_name="Schrijver", last_name=o.code
            )
            for o in orgs
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=o, role=Role.CASE_WORKER) for u, o in zip(writers, orgs)]
    )
    return {
        "orgs": orgs,
        "teams": teams,
        "writers": {o.pk: w.pk for o, w in zip(orgs, writers)},
        "org_by_id": {o.pk: o for o in orgs},
    }


# --- The fill: COPY in chunks of trajectories -----------------------------------------------------------------


class Fill:
    """Rows of every table for a chunk of trajectories, written with COPY in dependency order."""

    def __init__(self):
        from kring.cases.models import Case
        from kring.measures.models import Administration, AdministrationScore, OutcomeMeasurement, Registration
        from kring.plans.models import Agreement, Plan, Review, ReviewItem
        from kring.trajectories.models import Trajectory

        self.models = [
            Case,
            Trajectory,
            Registration,
            OutcomeMeasurement,
            Administration,
            AdministrationScore,
            Plan,
            Agreement,
            Review,
            ReviewItem,
        ]
        self.makers = {m: Rows(m) for m in self.models}
        self.ids = {m: next_id(m) for m in self.models}
        self.buffers = {m: [] for m in self.models}
        self.counts = {m: 0 for m in self.models}

    def add(self, model, **values):
        pk = self.ids[model]
        self.ids[model] += 1
        self.buffers[model].append(self.makers[model](id=pk, **values))
        return pk

    def flush(self):
        for model in self.models:
            rows = self.buffers[model]
            if rows:
                self.counts[model] += write_rows(model, self.makers[model].columns_for_insert(), rows)
                rows.clear()

    def finish(self):
        self.flush()
        reset_sequences(self.models)
        return {m._meta.label: n for m, n in self.counts.items()}


def fill(world, total, seed=2026):
    """``total`` trajectories, one case each, with their registrations, measurements, instruments and plans."""
    from django.utils import timezone

    from kring.cases.models import Case
    from kring.measures.models import Administration, AdministrationScore, OutcomeMeasurement, Registration
    from kring.methods.catalogue import catalogue
    from kring.plans.models import Agreement, Plan, Review, ReviewItem
    from kring.trajectories.models import Trajectory

    rng = random.Random(seed)
    now = timezone.now()
    definitions = catalogue()
    phases = {
        code: json.dumps(
            [
                {
                    "code": p.code,
                    "name": p.name.model_dump(),
                    "default_weeks": p.default_weeks,
                    "max_weeks": p.max_weeks,
                }
                for p in definitions[code].phases
            ]
        )
        for code in (*METHODS, REGULAR)
    }
    versions = {code: definitions[code].version for code in phases}
    teams = world["teams"]
    out = Fill()
    three_years = 3 * 365
    for n in range(total):
        team = teams[rng.randrange(len(teams))]
        org = world["org_by_id"][team.organisation_id]
        writer = world["writers"][org.pk]
        method = REGULAR if rng.random() < 1 / 3 else METHODS[rng.randrange(3)]
        safety = weighted(rng, SAFETY)
        legal = weighted(rng, LEGAL[org.jurisdiction])
        # How the offer ends, and when; an event that would fall after TODAY leaves the offer running.
        roll = rng.random()
        if roll < PLAN_SHARE[method]:
            event = "plan"
            days = rng.randint(0, 6) if rng.random() < 0.06 else round(rng.triangular(7, 38 * 7 + 6, 60))
        elif roll < PLAN_SHARE[method] + NO_PLAN_SHARE:
            event = "no_plan"
            days = rng.randint(0, 6) if rng.random() < 0.08 else round(rng.triangular(7, 44 * 7 + 6, 35))
        else:
            event, days = "running", 0
        if event == "running":
            offered = TODAY - rng.randint(1, 44 * 7) * DAY
        else:
            offered = TODAY - rng.randint(1, three_years) * DAY
            if offered + days * DAY >= TODAY:
                event = "running"
        end = offered + days * DAY
        t = {
            "accepted_on": None,
            "declined_on": None,
            "meeting_held_on": None,
            "plan_made_on": None,
            "abandoned_on": None,
            "abandonment_reason": "",
            "closed_on": None,
            "closure_reason": "",
        }
        if event == "plan":
            t.update(accepted_on=offered + min(days, rng.randint(0, 14)) * DAY, meeting_held_on=end, plan_made_on=end)
            status = "plan_made" if (TODAY - end).days < 14 else "follow_up"
            if (TODAY - end).days > 26 * 7 and rng.random() < 0.6:
                closed = end + rng.randint(8 * 7, 40 * 7) * DAY
                if closed < TODAY:
                    status = "closed"
                    t.update(closed_on=closed, closure_reason=rng.choice(("plan_carried_out", "plan_in_place")))
        elif event == "no_plan":
            kind = rng.random()
            if kind < 0.65:
                status = "abandoned"
                t.update(abandoned_on=end, abandonment_reason=ABANDON_REASONS[rng.randrange(len(ABANDON_REASONS))])
                if rng.random() < 0.8:
                    t["accepted_on"] = offered + min(days, rng.randint(0, 10)) * DAY
                if rng.random() < 0.5 and end + 14 * DAY < TODAY:
                    status = "closed"
                    t.update(closed_on=end + 14 * DAY, closure_reason="abandoned")
            elif kind < 0.93:
                status = "declined"
                t.update(declined_on=end)
            else:
                status = "closed"  # closed before a plan, without abandoning: counts as "without a plan"
                t.update(closed_on=end, closure_reason="case_closed")
                if rng.random() < 0.5:
                    t["accepted_on"] = offered
        else:
            running_days = (TODAY - offered).days
            status = (
                "offered" if running_days < 10 else rng.choice(("accepted", "preparing", "preparing", "meeting_held"))
            )
            if status != "offered":
                t["accepted_on"] = offered + min(running_days - 1, rng.randint(1, 10)) * DAY
        case_closed = status == "closed" or (status in ("abandoned", "declined") and rng.random() < 0.7)
        case_id = out.add(
            Case,
            organisation=org.pk,
            team=team.pk,
            number=f"{org.code.upper()}-E-{out.ids[Case]:07d}",
            family_name=f"Familie {out.ids[Case]}",
            status="closed" if case_closed else "active",
            closure_reason=(("goals_reached" if event == "plan" else "family_withdrew") if case_closed else ""),
            closed_on=(t["closed_on"] or min(TODAY, end + 14 * DAY)) if case_closed else None,
            legal_context=legal,
            safety_concern=safety,
            central_reason="-",
            referral_date=offered - rng.randint(3, 30) * DAY,
            referral_route=weighted(rng, ROUTES),
            question="-",
            created_at=now,
            updated_at=now,
        )
        trajectory_id = out.add(
            Trajectory,
            case=case_id,
            organisation=org.pk,
            team=team.pk,
            method_code=method,
            method_version=versions[method],
            phases_followed=phases[method],
            status=status,
            offered_on=offered,
            offered_by=writer,
            created_at=now,
            **t,
        )
        if rng.random() >= REGISTERED:
            continue
        # The family: a latent risk drives the outcomes, lower after a plan and after a method than regular care.
        children = [rng.randint(0, 17) for _ in range(1 + min(3, int(rng.expovariate(0.9))))]
        household = weighted(rng, HOUSEHOLDS)
        professionals = rng.randint(1, 6)
        informal = max(0, int(rng.gauss(8, 4)))
        answers = {}
        for name, (yes, no) in YES_NO_SHARES.items():
            r = rng.random()
            answers[name] = "yes" if r < yes else "no" if r < yes + no else "unknown"
        ended = t["closed_on"] is not None
        ending = ""
        if ended:
            ending = (
                "as_planned"
                if event == "plan" and rng.random() < 0.75
                else rng.choice(("early_client", "early_provider", "early_agreed", "early_external", "other_provider"))
            )
        out.add(
            Registration,
            case=case_id,
            organisation=org.pk,
            trajectory=trajectory_id,
            problem_areas=rng.sample(PROBLEM_AREAS, rng.randint(1, 4)),
            household=household,
            ending=ending,
            snapshot_on=offered,
            children_ages=children,
            household_size=len(children) + (2 if household in ("two_parents", "blended") else 1),
            network_size=informal + professionals,
            informal_network_size=informal,
            professional_network_size=professionals,
            updated_by=writer,
            updated_at=now,
            **answers,
        )
        risk = rng.gauss(0, 1) + SAFETY_SHIFT[safety] + (0.4 if legal.endswith(("supervision", "judicial")) else 0)
        risk += 0.3 if answers["high_conflict_divorce"] == "yes" else 0
        risk -= 0.03 * (informal - 8)
        measured = {}
        if rng.random() < T0_MEASURED:
            on = min(TODAY, offered + rng.randint(0, 14) * DAY)
            measured["t0"] = (on, risk)
            if offered + 91 * DAY < TODAY and rng.random() < T1_MEASURED:
                later = 0.6 * risk + rng.gauss(0, 0.8) - METHOD_EFFECT[method] - (0.25 if event == "plan" else 0)
                later -= 0.15 * (answers["high_conflict_divorce"] == "yes") * (method != REGULAR)
                measured["t1"] = (min(TODAY, offered + rng.randint(91, 112) * DAY), later)
        placed_at_t0 = False
        for moment, (on, level) in measured.items():
            placement = "outside_network" if level > 1.6 else "in_network" if level > 1.1 else "at_home"
            if rng.random() < 0.05:
                placement = "unknown"
            if moment == "t0":
                placed_at_t0 = placement in ("in_network", "outside_network")
            noisy = level + rng.gauss(0, 0.3)
            out.add(
                OutcomeMeasurement,
                case=case_id,
                organisation=org.pk,
                trajectory=trajectory_id,
                moment=moment,
                measured_on=on,
                informant="professional" if rng.random() < 0.85 else "parent",
                maltreatment_indication=("unknown" if rng.random() < 0.1 else "yes" if noisy > 0.9 else "no"),
                risk_level=(
                    "unknown" if rng.random() < 0.04 else "high" if noisy > 0.8 else "medium" if noisy > -0.3 else "low"
                ),
                risk_instrument="ARIJ" if org.jurisdiction == "NL" else "LIRIK",
                professional_care="yes" if noisy > -0.5 else "no",
                supervision_order="yes" if legal.endswith(("supervision", "judicial")) or noisy > 1.8 else "no",
                placement=placement,
                returned_home=(
                    "yes" if placed_at_t0 and placement == "at_home" else "no" if placed_at_t0 else "unknown"
                )
                if moment == "t1"
                else "unknown",
                without_help=("yes" if noisy < -0.6 else "no") if moment == "t1" else "no",
                recorded_by=writer,
                version=1,
            )
        if measured and rng.random() < WITH_INSTRUMENTS:
            for code, chance, moments, respondents, scores in INSTRUMENTS:
                if rng.random() >= chance and not (code == "sos_safety_scale" and method == "signs_of_safety"):
                    continue
                for moment in moments:
                    if moment not in measured:
                        continue
                    on, level = measured[moment]
                    for respondent in rng.sample(respondents, rng.randint(1, len(respondents))):
                        values = {}
                        for score, (low, high) in scores.items():
                            # Higher is better on every one of these: lower risk, higher score.
                            share = min(1.0, max(0.0, 0.5 - 0.22 * level + rng.gauss(0, 0.12)))
                            value = low + share * (high - low)
                            values[score] = (
                                None if rng.random() < 0.02 else (round(value, 3) if high <= 5 else float(round(value)))
                            )
                        administration = out.add(
                            Administration,
                            case=case_id,
                            organisation=org.pk,
                            trajectory=trajectory_id,
                            instrument_code=code,
                            instrument_version="1.0",
                            moment=moment,
                            respondent=respondent,
                            administered_on=on,
                            mode="totals",
                            responses={},
                            totals=values,
                            scores={
                                "instrument": code,
                                "version": "1.0",
                                "mode": "totals",
                                "scores": {
                                    s: {"code": s, "value": v, "computable": v is not None} for s, v in values.items()
                                },
                                "item_scores": {},
                            },
                            entered_by=writer,
                            entered_at=now,
                            version=1,
                        )
                        for score, value in values.items():
                            out.add(
                                AdministrationScore,
                                administration=administration,
                                organisation=org.pk,
                                trajectory=trajectory_id,
                                instrument_code=code,
                                moment=moment,
                                respondent=respondent,
                                score_code=score,
                                value=value,
                            )
        if event == "plan" and rng.random() < WITH_PLAN_RECORD:
            plan_on = t["plan_made_on"]
            accepted = rng.random() < 0.92
            edition = rng.choice((1, 1, 1, 2, 2, 3)) if accepted else 1
            plan_id = out.add(
                Plan,
                case=case_id,
                organisation=org.pk,
                trajectory=trajectory_id,
                plan_type=PLAN_TYPES[method],
                status="accepted" if accepted else rng.choice(("draft", "submitted", "sent_back")),
                edition=edition,
                concerns="Wij willen dat het thuis rustiger wordt.",
                child_view="Sam wil bij oma kunnen logeren." if rng.random() < 0.6 else "",
                presented_on=plan_on if rng.random() < 0.8 else None,
                submitted_on=plan_on if accepted else None,
                accepted_on=plan_on if accepted else None,
                written_by=writer,
                created_at=now,
                version=1,
            )
            agreements = []
            for order in range(1, rng.randint(2, 7) + 1):
                due = plan_on + rng.randint(7, 200) * DAY
                status_ = weighted(
                    rng, (("done", 45), ("open", 30), ("not_done", 8), ("help_needed", 4), ("stopped", 13))
                )
                agreements.append(
                    out.add(
                        Agreement,
                        case=case_id,
                        organisation=org.pk,
                        plan=plan_id,
                        order=order,
                        what=AGREEMENT_TEXTS[rng.randrange(len(AGREEMENT_TEXTS))],
                        starts_on=plan_on,
                        due_on=due,
                        frequency="elke week" if rng.random() < 0.4 else "",
                        is_safety=rng.random() < 0.1,
                        status=status_,
                        in_force=accepted and status_ != "stopped",
                        last_reported_on=min(due, TODAY) if status_ in ("done", "not_done", "help_needed") else None,
                        version=1,
                    )
                )
            if accepted:
                for k in range(1, min(4, (TODAY - plan_on).days // 42) + 1):
                    planned = plan_on + 42 * k * DAY
                    held = planned + rng.randint(-3, 24) * DAY
                    if held >= TODAY or rng.random() < 0.15:
                        out.add(
                            Review,
                            case=case_id,
                            organisation=org.pk,
                            plan=plan_id,
                            code="review",
                            name="Evaluatie",
                            planned_on=planned,
                            plan_edition=1,
                            version=1,
                        )
                        break
                    review = out.add(
                        Review,
                        case=case_id,
                        organisation=org.pk,
                        plan=plan_id,
                        code="review",
                        name="Evaluatie",
                        planned_on=planned,
                        held_on=held,
                        held_by=writer,
                        plan_edition=1,
                        decision="continue",
                        version=1,
                    )
                    for agreement in agreements:
                        roll = rng.random()
                        out.add(
                            ReviewItem,
                            review=review,
                            agreement=agreement,
                            keeping=next(k_ for k_, upto in KEEPING if roll < upto),
                        )
        if (n + 1) % 10_000 == 0:
            out.flush()
            if (n + 1) % 50_000 == 0:
                log(f"  {n + 1:,} trajectories")
    return out.finish()


# --- The raw SQL references ----------------------------------------------------------------------------------

GROUP_SQL = {
    "method": ("t.method_code", ""),
    "region": ("o.region", " JOIN accounts_organisation o ON o.id = t.organisation_id"),
}
NO_PLAN_SQL = (
    "t.plan_made_on IS NULL AND (t.abandoned_on IS NOT NULL OR t.declined_on IS NOT NULL OR t.closed_on IS NOT NULL)"
)
RUNNING_SQL = "t.plan_made_on IS NULL AND t.abandoned_on IS NULL AND t.declined_on IS NULL AND t.closed_on IS NULL"
RAW_COUNTS = (
    "SELECT {key}, count(*), count(t.accepted_on), count(t.plan_made_on), "
    f"count(*) FILTER (WHERE {NO_PLAN_SQL}), count(*) FILTER (WHERE {RUNNING_SQL}) "
    "FROM trajectories_trajectory t{join} WHERE t.organisation_id = ANY(%s) GROUP BY 1"
)
RAW_WEEKS = (
    "SELECT {key}, CASE WHEN t.plan_made_on IS NOT NULL THEN 'plan' "
    f"WHEN NOT ({RUNNING_SQL}) THEN 'abandoned' ELSE 'running' END, "
    "(COALESCE(t.plan_made_on, t.abandoned_on, t.declined_on, t.closed_on, %s::date) - t.offered_on) / 7, count(*) "
    "FROM trajectories_trajectory t{join} WHERE t.organisation_id = ANY(%s) GROUP BY 1, 2, 3"
)
# Agreements kept as the plan page counts them (kring.plans.core.Keeping): per plan only its latest review held.
RAW_KEEPING = (
    "WITH latest AS (SELECT DISTINCT ON (plan_id) id FROM plans_review WHERE held_on IS NOT NULL "
    "ORDER BY plan_id, held_on DESC, id DESC) "
    "SELECT t.method_code, i.keeping, count(*) FROM plans_reviewitem i "
    "JOIN latest l ON l.id = i.review_id "
    "JOIN plans_review r ON r.id = i.review_id JOIN plans_plan p ON p.id = r.plan_id "
    "JOIN trajectories_trajectory t ON t.id = p.trajectory_id "
    "WHERE t.organisation_id = ANY(%s) AND i.keeping <> 'stopped' GROUP BY 1, 2"
)
# The outcome shares, written out by hand: (name, column, counted, of).
RAW_SHARES = (
    ("out_of_home", "placement", ("in_network", "outside_network"), ("in_network", "outside_network", "at_home")),
    ("placed_in_network", "placement", ("in_network",), ("in_network", "outside_network")),
    ("maltreatment", "maltreatment_indication", ("yes",), ("yes", "no")),
    ("high_risk", "risk_level", ("high",), ("low", "medium", "high")),
    ("professional_care", "professional_care", ("yes",), ("yes", "no")),
    ("supervision_order", "supervision_order", ("yes",), ("yes", "no")),
    ("returned_home", "returned_home", ("yes",), ("yes", "no")),
    ("without_help", "without_help", ("yes",), ("yes", "no")),
)


def _in(values):
    return ", ".join(f"'{v}'" for v in values)


RAW_OUTCOMES = (
    "SELECT t.method_code, m.moment, count(*), "
    + ", ".join(
        f"count(*) FILTER (WHERE m.{column} IN ({_in(counted)})), count(*) FILTER (WHERE m.{column} IN ({_in(of)}))"
        for _n, column, counted, of in RAW_SHARES
    )
    + " FROM measures_outcomemeasurement m JOIN trajectories_trajectory t ON t.id = m.trajectory_id "
    "WHERE t.organisation_id = ANY(%s) GROUP BY 1, 2"
)
RAW_SCORES = (
    "SELECT t.method_code, s.moment, s.instrument_code, s.score_code, sum(s.value), count(*) "
    "FROM measures_administrationscore s JOIN trajectories_trajectory t ON t.id = s.trajectory_id "
    "WHERE t.organisation_id = ANY(%s) AND s.value IS NOT NULL GROUP BY 1, 2, 3, 4"
)


def raw_is_current():
    """The raw SQL spells the outcome shares out; stop when the indicators' list moved on without it."""
    from kring.evaluation import indicators

    return tuple(indicators.OUTCOME_SHARES) == RAW_SHARES


def run_sql(statement, params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


def raw_counts(grouping, orgs):
    """The reference: the counts and the events per week, two GROUP BYs over the trajectories."""
    key, join = GROUP_SQL[grouping]
    return (
        run_sql(RAW_COUNTS.format(key=key, join=join), [orgs]),
        run_sql(RAW_WEEKS.format(key=key, join=join), [TODAY, orgs]),
    )


def raw_all(orgs):
    """Everything compute() reads, by hand: the two above plus the agreements, outcomes and scores."""
    counts, weeks = raw_counts("method", orgs)
    return (counts, weeks, run_sql(RAW_KEEPING, [orgs]), run_sql(RAW_OUTCOMES, [orgs]), run_sql(RAW_SCORES, [orgs]))


# --- Correctness --------------------------------------------------------------------------------------------


def differences(rows, counts, weeks, extra=None):
    """Where compute()'s figures differ from the raw SQL's; an empty list when they agree."""
    out = []
    by_key = {r.key: r for r in rows}
    raw = {("" if k is None else str(k)): tuple(v) for k, *v in counts}
    ours = {k: (r.offered, r.accepted, r.plans, r.without_plan, r.running) for k, r in by_key.items()}
    if raw != ours:
        out.append(f"counts: raw {raw} vs compute {ours}")
    tables = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    for key, event, week, n in weeks:
        slot = tables["" if key is None else str(key)][max(int(week), 0)]
        slot[{"plan": 0, "abandoned": 1, "running": 2}[event]] += n
    for key, row in by_key.items():
        curve = row.incidence or {
            "times": [],
            "censored": [],
            "causes": {"plan": {"events": []}, "abandoned": {"events": []}},
        }
        table = {
            t: [p, a, c]
            for t, p, a, c in zip(
                curve["times"],
                curve["causes"]["plan"]["events"],
                curve["causes"]["abandoned"]["events"],
                curve["censored"],
            )
        }
        if table != dict(tables.get(key, {})):
            out.append(f"per-week table of {key!r} differs")
    if extra is not None:
        keeping, outcomes, scores = extra
        kept = defaultdict(dict)
        for key, keep, n in keeping:
            kept[key][keep] = n
        for key, row in by_key.items():
            k = kept.get(key, {})
            want = (
                {
                    "judged": sum(k.values()),
                    "kept": k.get("kept", 0),
                    "partly": k.get("partly", 0),
                    "not_kept": k.get("not_kept", 0),
                }
                if k
                else {}
            )
            got = {name: row.agreements.get(name) for name in want}
            if want != got:
                out.append(f"agreements of {key!r}: raw {want} vs compute {got}")
        for key, moment, measured, *pairs in outcomes:
            got = by_key[key].outcomes.get(moment, {})
            if got.get("measured") != measured:
                out.append(f"outcomes measured {key}/{moment}: raw {measured} vs {got.get('measured')}")
            for (name, *_rest), k, n in zip(RAW_SHARES, pairs[0::2], pairs[1::2]):
                share = got.get("shares", {}).get(name, {})
                if (share.get("k"), share.get("n")) != (k, n):
                    out.append(f"share {name} {key}/{moment}: raw {(k, n)} vs {(share.get('k'), share.get('n'))}")
        for key, moment, instrument, score, total, n in scores:
            got = by_key[key].outcomes.get(moment, {}).get("scores", {}).get(f"{instrument}.{score}", {})
            if got.get("n") != n or not math.isclose(got.get("total", math.nan), total, rel_tol=1e-9):
                out.append(
                    f"score {instrument}.{score} {key}/{moment}: raw {(total, n)} vs {(got.get('total'), got.get('n'))}"
                )
    return out


def query_counts(orgs, slice_org):
    """compute()'s queries over a slice (one organisation, one month of offers), one organisation and all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kring.evaluation import indicators
    from kring.trajectories.models import Trajectory

    month_from = TODAY - 60 * DAY
    sizes = {
        "slice": ({"organisation_ids": [slice_org], "date_from": month_from, "date_to": month_from + 30 * DAY}),
        "one organisation": {"organisation_ids": [slice_org]},
        "all": {"organisation_ids": orgs},
    }
    out = {}
    for label, kwargs in sizes.items():
        query = Trajectory.objects.filter(organisation_id__in=kwargs["organisation_ids"])
        if "date_from" in kwargs:
            query = query.filter(offered_on__gte=kwargs["date_from"], offered_on__lte=kwargs["date_to"])
        with CaptureQueriesContext(connection) as ctx:
            indicators.compute(kwargs.pop("organisation_ids"), "method", today=TODAY, **kwargs)
        out[label] = {
            "trajectories": query.count(),
            "queries": len(ctx.captured_queries),
            "sql": [q["sql"] for q in ctx.captured_queries],
        }
    return out


# --- Measuring ---------------------------------------------------------------------------------------------------


def paired(a, b):
    return statistics.median(x / y for x, y in zip(a, b))


def timed(function):
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def measure_compute(orgs, runs, warmup):
    from kring.evaluation import indicators

    jobs = {
        "raw SQL (method)": lambda: raw_counts("method", orgs),
        "compute (method)": lambda: indicators.compute(orgs, "method", today=TODAY),
        "raw SQL (region)": lambda: raw_counts("region", orgs),
        "compute (region)": lambda: indicators.compute(orgs, "region", today=TODAY),
        "raw SQL, all compute() reads": lambda: raw_all(orgs),
    }
    samples = {key: [] for key in jobs}
    gc.collect()
    gc.freeze()
    for round_ in range(warmup + runs):
        for key, job in jobs.items() if round_ % 2 == 0 else reversed(jobs.items()):
            ms, _result = timed(job)
            if round_ >= warmup:
                samples[key].append(ms)
    gc.unfreeze()
    return samples


class Breakdown:
    """Where report.build spends its time: the module functions it calls are wrapped while it runs, and every
    SQL statement is timed through an execute wrapper (the time to run it and fetch its rows)."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.queries = 0

    def __enter__(self):
        from django.db import connection

        from kring.evaluation import comparison, dataset, indicators

        self.patched = [
            (indicators, "compute"),
            (comparison, "frame"),
            (dataset, "build_rows"),
            (comparison, "compare"),
        ]
        self.originals = {(m, name): getattr(m, name) for m, name in self.patched}

        def wrap(module, name, materialise=False):
            original = self.originals[(module, name)]

            def wrapper(*args, **kwargs):
                started = time.perf_counter()
                try:
                    result = original(*args, **kwargs)
                    return iter(list(result)) if materialise else result
                finally:
                    self.seconds[name] += time.perf_counter() - started

            return wrapper

        for module, name in self.patched:
            setattr(module, name, wrap(module, name, materialise=name == "build_rows"))

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                self.seconds["sql"] += time.perf_counter() - started
                self.queries += 1

        self.wrapper = connection.execute_wrapper(count)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)
        for module, name in self.patched:
            setattr(module, name, self.originals[(module, name)])


def measure_report(orgs, runs, pdf_runs):
    """report.build and report.render_pdf, each between two raw SQL references of the same round."""
    from kring.evaluation import report

    builds, pdfs, breakdowns, data = [], [], [], None
    for _round in range(runs):
        before, _ = timed(lambda: raw_counts("method", orgs))
        gc.collect()
        with Breakdown() as breakdown:
            ms, data = timed(lambda: report.build(orgs, today=TODAY, suppressed=False, moment="t1"))
        after, _ = timed(lambda: raw_counts("method", orgs))
        builds.append((ms, (before + after) / 2))
        breakdowns.append(
            {"ms": ms, "queries": breakdown.queries, **{k: v * 1000 for k, v in breakdown.seconds.items()}}
        )
    size = 0
    for _round in range(pdf_runs):
        before, _ = timed(lambda: raw_counts("method", orgs))
        ms, pdf = timed(lambda: report.render_pdf(data, "nl"))
        after, _ = timed(lambda: raw_counts("method", orgs))
        pdfs.append((ms, (before + after) / 2))
        size = len(pdf)
    return builds, pdfs, breakdowns, data, size


def report_complete(data, methods):
    """Every method compared with regular care, each outcome with estimates or an error code."""
    compared = {c["method"] for c in data["comparisons"]}
    outcomes_ok = all(("error" in o) or ("raw" in o) for c in data["comparisons"] for o in c["outcomes"])
    estimated = sum(1 for c in data["comparisons"] for o in c["outcomes"] if "error" not in o)
    return compared == set(methods) and data["has_regular_care"] and outcomes_ok, estimated


def table_counts():
    from django.db import connection

    tables = [
        "trajectories_trajectory",
        "measures_registration",
        "measures_outcomemeasurement",
        "measures_administration",
        "measures_administrationscore",
        "plans_plan",
        "plans_agreement",
        "plans_review",
        "plans_reviewitem",
    ]
    with connection.cursor() as cursor:
        out = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[table] = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        out["database size"] = cursor.fetchone()[0]
    return out


def mix(orgs):
    """The shares of the offers: plan, without a plan, running; and what share is regular care."""
    counts, _weeks = raw_counts("method", orgs)
    total = sum(r[1] for r in counts)
    return {
        "total": total,
        "regular_care": sum(r[1] for r in counts if r[0] == REGULAR) / total,
        "plan": sum(r[3] for r in counts) / total,
        "without_plan": sum(r[4] for r in counts) / total,
        "running": sum(r[5] for r in counts) / total,
    }


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    dbs = Databases(url)
    if dbs.vendor != "postgresql":
        sys.exit("This benchmark runs on PostgreSQL (its references are PostgreSQL SQL); set DATABASE_URL.")
    dbs.recreate()
    setup_django(url)
    from django.db import connection

    if not raw_is_current():
        sys.exit(
            "The raw SQL's outcome shares differ from indicators.OUTCOME_SHARES: update RAW_SHARES in "
            "bench/evaluation.py."
        )
    started = time.perf_counter()
    world = build_world()
    log(f"Filling {args.trajectories:,} trajectories over {ORGANISATIONS} organisations with COPY ...")
    filled = fill(world, args.trajectories)
    fill_rows_s = time.perf_counter() - started
    log(f"  {fill_rows_s:.0f} s; VACUUM ANALYZE ...")
    analyze()
    fill_s = time.perf_counter() - started
    log(f"  fill and VACUUM ANALYZE {fill_s:.0f} s")
    orgs = [o.pk for o in world["orgs"]]
    sizes = table_counts()
    shares = mix(orgs)

    from kring.evaluation import indicators

    log("Checking compute() against the raw SQL ...")
    problems = {}
    for grouping in ("method", "region"):
        rows = indicators.compute(orgs, grouping, today=TODAY)
        counts, weeks = raw_counts(grouping, orgs)
        extra = raw_all(orgs)[2:] if grouping == "method" else None
        problems[grouping] = differences(rows, counts, weeks, extra)
    queries = query_counts(orgs, orgs[0])
    log("Measuring compute() against the raw SQL ...")
    samples = measure_compute(orgs, args.runs, args.warmup)
    log("EXPLAIN ANALYZE of compute()'s queries ...")
    explained = []
    for sql in queries["all"]["sql"]:
        plan, ms = explain(sql)
        explained.append({"sql": sql, "ms": ms, "plan": plan})
    key, join = GROUP_SQL["method"]
    with connection.cursor() as cursor:
        raw_explained = [
            explain(cursor.mogrify(RAW_COUNTS.format(key=key, join=join), [orgs])),
            explain(cursor.mogrify(RAW_WEEKS.format(key=key, join=join), [TODAY, orgs])),
        ]
    log(f"Building the full report {args.report_runs}× and its PDF {args.pdf_runs}× ...")
    builds, pdfs, breakdowns, data, pdf_bytes = measure_report(orgs, args.report_runs, args.pdf_runs)
    complete, estimated = report_complete(data, METHODS)

    ratios = {
        "method": paired(samples["compute (method)"], samples["raw SQL (method)"]),
        "region": paired(samples["compute (region)"], samples["raw SQL (region)"]),
        "vs all": paired(samples["compute (method)"], samples["raw SQL, all compute() reads"]),
    }
    build_s = statistics.median(ms for ms, _raw in builds) / 1000
    pdf_s = statistics.median(ms for ms, _raw in pdfs) / 1000
    build_ratio = statistics.median(ms / raw for ms, raw in builds)
    pdf_ratio = statistics.median(ms / raw for ms, raw in pdfs)
    query_numbers = {label: q["queries"] for label, q in queries.items()}
    checks = {
        "counts: compute() per method = raw SQL (counts, per-week table, agreements, outcomes, scores)": not problems[
            "method"
        ],
        "counts: compute() per region = raw SQL (counts, per-week table)": not problems["region"],
        "queries: compute() the same over a slice, one organisation and all": len(set(query_numbers.values())) == 1,
        "report: every method compared with regular care": complete,
        f"time: compute() per method ≤ {MAX_COMPUTE_VS_RAW:g}× raw SQL": ratios["method"] <= MAX_COMPUTE_VS_RAW,
        f"time: compute() per region ≤ {MAX_COMPUTE_VS_RAW:g}× raw SQL": ratios["region"] <= MAX_COMPUTE_VS_RAW,
        f"time: report.build + render_pdf ≤ {MAX_REPORT_SECONDS:g} s": build_s + pdf_s <= MAX_REPORT_SECONDS,
    }

    print()
    print(
        f"Evaluation on PostgreSQL: {shares['total']:,} trajectories over {ORGANISATIONS} organisations "
        f"({len({o.region for o in world['orgs']})} regions, {len(world['teams'])} teams); "
        f"{100 * shares['regular_care']:.0f} % regular care; {100 * shares['plan']:.0f} % plan, "
        f"{100 * shares['without_plan']:.0f} % without a plan, {100 * shares['running']:.0f} % running."
    )
    print(
        "Rows: "
        + ", ".join(f"{k.split('_', 1)[1]} {v:,}" for k, v in sizes.items() if k != "database size")
        + f"; database {sizes['database size']}."
    )
    print(
        f"Fill {fill_s:.0f} s (COPY {fill_rows_s:.0f} s, VACUUM ANALYZE {fill_s - fill_rows_s:.0f} s). "
        f"today = {TODAY.isoformat()}; {args.runs} rounds after {args.warmup} warm-up; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs."
    )
    print()
    print(f"{'measured':34} {'queries':>7} {'median ms':>10} {'× raw SQL':>10}")
    raw_of = {
        "compute (method)": "raw SQL (method)",
        "compute (region)": "raw SQL (region)",
        "raw SQL, all compute() reads": "raw SQL (method)",
    }
    query_of = {
        "raw SQL (method)": 2,
        "raw SQL (region)": 2,
        "compute (method)": queries["all"]["queries"],
        "compute (region)": queries["all"]["queries"],
        "raw SQL, all compute() reads": 5,
    }
    for key_, values in samples.items():
        ratio = f"{paired(values, samples[raw_of[key_]]):10.2f}" if key_ in raw_of else f"{'':>10}"
        print(f"{key_:34} {query_of[key_]:>7} {statistics.median(values):>10.1f} {ratio}")
    b = {k: statistics.median(d.get(k, 0) for d in breakdowns) for k in breakdowns[0]}
    print(f"{'report.build':34} {b['queries']:>7.0f} {build_s * 1000:>10.0f} {build_ratio:>10.0f}")
    print(f"{'report.render_pdf':34} {0:>7} {pdf_s * 1000:>10.0f} {pdf_ratio:>10.0f}")
    print(f"compute() over all trajectories / over the raw SQL of everything it reads: {ratios['vs all']:.2f}×")
    print()
    print(
        "Queries of compute(): "
        + ", ".join(f"{label} ({q['trajectories']:,} trajectories) {q['queries']}" for label, q in queries.items())
    )
    print(
        "EXPLAIN ANALYZE, compute() per method: "
        + ", ".join(f"{e['ms']:.0f}" for e in explained)
        + " ms (counts, weeks, agreements, outcomes, scores); raw SQL: "
        + ", ".join(f"{ms:.0f}" for _plan, ms in raw_explained)
        + " ms"
    )
    rows_ms = b.get("build_rows", 0)
    frame_ms = b.get("frame", 0)
    compare_ms = b.get("compare", 0)
    # The report reads the minimum dataset once, into one data frame, and hands it to every comparison (a compare()
    # called on its own, from the page or the API, builds its frame inside): compare() is then the estimators.
    estimators_ms = compare_ms
    print(
        f"report.build ({len(data['comparisons'])} comparisons, {estimated} outcomes estimated, "
        f"median of {len(builds)}): {build_s:.1f} s = indicators {b.get('compute', 0) / 1000:.1f} s + the "
        f"minimum dataset read once {rows_ms / 1000:.1f} s (of which SQL "
        f"{b.get('sql', 0) / 1000:.1f} s in all) + its data frame {(frame_ms - rows_ms) / 1000:.1f} s + the "
        f"estimators {estimators_ms / 1000:.1f} s. The comparisons read every trajectory's row of the minimum "
        f"dataset into Python: that part is not a SQL aggregate."
    )
    print(f"report.render_pdf: {pdf_s:.1f} s, {pdf_bytes / 1024:.0f} KB (median of {len(pdfs)}).")
    for grouping, found in problems.items():
        for line in found[:10]:
            print(f"  {grouping}: {line}")
    print()
    judged = {label: ok for label, ok in checks.items() if not args.tiny or not label.startswith("time")}
    for label, ok in checks.items():
        verdict = (
            ("PASS" if ok else "FAIL") if label in judged else ("pass" if ok else "over") + " (not judged at --tiny)"
        )
        print(f"{verdict}  {label}")

    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(
        json.dumps(
            {
                "trajectories": shares["total"],
                "tiny": args.tiny,
                "today": TODAY.isoformat(),
                "rows": sizes,
                "filled": filled,
                "fill_seconds": fill_s,
                "shares": shares,
                "samples_ms": samples,
                "ratios": ratios,
                "queries": {
                    label: {"trajectories": q["trajectories"], "queries": q["queries"], "sql": q["sql"]}
                    for label, q in queries.items()
                },
                "explain": explained,
                "raw_explain": [{"ms": ms, "plan": plan} for plan, ms in raw_explained],
                "report": {
                    "build_ms": [ms for ms, _r in builds],
                    "raw_ms": [r for _ms, r in builds],
                    "breakdown_ms": breakdowns,
                    "pdf_ms": [ms for ms, _r in pdfs],
                    "pdf_bytes": pdf_bytes,
                },
                "problems": problems,
                "checks": checks,
            },
            indent=1,
            default=str,
        )
    )
    return 0 if all(judged.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
