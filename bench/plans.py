#!/usr/bin/env python3
"""Plan benchmark: the plan page of a case with 40 agreements and 10 versions, and the overdue-agreements scan
over a region of a million agreements, each measured beside a reference in the same run.

    python bench/plans.py            # 1,000,000 agreements over 10 organisations, region of 3 (PostgreSQL)
    python bench/plans.py --tiny     # what CI runs: 20,000 agreements; seconds

The script fills a database of its own (dropped and created again on every run; its name must contain 'bench').

Plan page. Two plans are made through the plan services, as case workers and coordinators make them (history
rows, access log, reminders and all): a big one with PAGE_AGREEMENTS agreements written over PAGE_VERSIONS
accepted versions (each decision checks BOTTOM_LINES bottom lines; agreements have owners, backups and checkers
from the case's persons and team, reports, linked bottom lines; some versions start from a held review, some
agreements are stopped; personal links), and a small one with 2 agreements and 1 version. The case worker on both
case teams requests both plan pages and /ping/ (the minimal logged-in page) in the same rounds.

* Queries per page: the plan page runs the same number of queries for the small plan as for the big one
  (BEGIN/COMMIT and the access-log write included): the plan is read in a fixed number of queries.
* Big plan page / /ping/ ≤ MAX_PAGE_VS_PING (median of per-round ratios).

Overdue scan. --agreements agreements in plans of cases spread over ORGANISATIONS organisations (COPY on
PostgreSQL): most done, stopped or not in force, a few percent running and overdue, and running agreements left
behind in closed cases. `queries.overdue_agreements(today, organisation_ids=region)` (REGION organisations) is
measured against a raw SQL query written by hand with the same conditions, in the same rounds.

* Both return the same rows, and the scan is one query.
* Scan / raw SQL ≤ MAX_SCAN_VS_RAW (median of per-round ratios).
* On PostgreSQL the scan reads the partial index agreement_running_due (EXPLAIN ANALYZE is printed).

With --tiny (CI) the query counts, the same rows, the single query and (on PostgreSQL) the index decide the exit
code; timings of a few milliseconds on a shared machine are noise, so the ratios are reported but not judged.
The full size takes about 1½ minutes on 2 cores (the fill under a minute). See bench/README.md.
"""

import argparse
import datetime
import gc
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from foundation_pages import Databases, analyze, bound_sql, explain, log, setup_django, write_rows  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/kring_bench_plans"

MAX_PAGE_VS_PING = 10.0
MAX_SCAN_VS_RAW = 3.0
ORGANISATIONS = 10
REGION = 3  # organisations in the measured region
TEAMS_PER_ORG = 5
PAGE_AGREEMENTS = 40
PAGE_VERSIONS = 10
BOTTOM_LINES = 4
PAGE_PERSONS = 10  # the central child and the network on the measured cases
INDEX = "agreement_running_due"

WHAT = [
    "Sam slaapt bij oma als het thuis onrustig is.",
    "Piet brengt Sam op maandag naar school.",
    "Mama belt de huisarts voor een afspraak.",
    "Oom Kees haalt de kinderen op woensdag op van de opvang.",
    "Papa en mama gaan samen naar de opvoedcursus.",
    "De buurvrouw let op de kinderen als mama werkt.",
    "Tante Fatima gaat elke week met Noor zwemmen.",
    "De juf laat mama weten als Sam niet op school is.",
    "Opa rijdt Lotte naar de voetbaltraining.",
    "Mama zoekt samen met de schuldhulp een regeling.",
    "Er is elke avond iemand thuis bij de kinderen.",
    "De jongens bellen oma als er ruzie is.",
    "Papa komt alleen op afspraak langs, niet na het drinken.",
    "Ayşe gaat naar de huiswerkklas.",
]
FREQUENCIES = ["", "", "elke week", "elke dag", "elke maandag", "twee keer per week", "als het nodig is"]
# Agreement statuses (cumulative shares): in closed cases most were done or stopped and some were left open; in
# open cases most agreements whose date passed were done or stopped, about one in ten still runs (overdue).
CLOSED_CASE = (("done", 0.65), ("stopped", 0.94), ("open", 0.98), ("not_done", 1.0))
PAST_DUE = (("done", 0.75), ("stopped", 0.90), ("open", 0.96), ("not_done", 0.99), ("help_needed", 1.0))
NOT_YET_DUE = (("open", 0.75), ("done", 0.90), ("help_needed", 0.95), ("stopped", 1.0))
PROFESSIONALS = ["", "", "", "", "de schuldhulpverlener", "de huisarts", "de jeugdverpleegkundige", "de mentor"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=1_000_000, help="agreements in all (default 1,000,000)")
    parser.add_argument("--tiny", action="store_true", help="20,000 agreements, fewer rounds (for CI)")
    parser.add_argument("--runs", type=int, default=20, help="timed rounds (medians are reported)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    args = parser.parse_args()
    if args.tiny:
        args.agreements, args.runs, args.warmup = 20_000, 5, 1
    if args.agreements < 1_000:
        parser.error("--agreements must be at least 1,000")
    return args


# --- The world: organisations, teams, users ----------------------------------------------------------------


def build_world():
    """ORGANISATIONS organisations, the first REGION of them in one region; teams; one writer per organisation
    for the bulk plans; and the measured case worker, a lead and a coordinator in the first team."""
    from django.contrib.auth.hashers import make_password

    from kring.accounts.models import Membership, Organisation, Role, Team, TeamMember, User

    password = make_password("bench-password-not-secret")  # hashed once
    regions = ["Utrecht"] * REGION + [
        "Gelderland",
        "Overijssel",
        "Oost-Vlaanderen",
        "Limburg",
        "Antwerpen",
        "Noord-Holland",
        "Zeeland",
    ] * ORGANISATIONS
    orgs = [
        Organisation.objects.create(
            name=f"Jeugdhulp {regions[i]} {i + 1}",
            code=f"jh{i + 1}",
            jurisdiction="NL" if i % 4 != 3 else "VL",
            region=regions[i],
        )
        for i in range(ORGANISATIONS)
    ]
    teams = Team.objects.bulk_create(
        [Team(organisation=o, name=f"Team {o.code} {t + 1}") for o in orgs for t in range(TEAMS_PER_ORG)]
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
    org, team = orgs[0], teams[0]
    worker = User.objects.create(
        email="worker@bench.example.org", password=password, first_name="Wendy", last_name="Werker"
    )
    lead = User.objects.create(email="lead@bench.example.org", password=password, first_name="Lea", last_name="Lead")
    coordinator = User.objects.create(
        email="coordinator@bench.example.org", password=password, first_name="Coby", last_name="Coördinator"
    )
    Membership.objects.bulk_create(
        [
            Membership(user=worker, organisation=org, role=Role.CASE_WORKER),
            Membership(user=lead, organisation=org, role=Role.TEAM_LEAD),
            Membership(user=coordinator, organisation=org, role=Role.COORDINATOR),
        ]
    )
    TeamMember.objects.bulk_create([TeamMember(team=team, user=worker), TeamMember(team=team, user=lead, is_lead=True)])
    return {
        "orgs": orgs,
        "teams": teams,
        "writers": {o.pk: w for o, w in zip(orgs, writers)},
        "worker": worker,
        "lead": lead,
        "coordinator": coordinator,
        "region": list(Organisation.objects.filter(region="Utrecht").order_by("id").values_list("id", flat=True)),
    }


# --- The measured plans, made through the services -----------------------------------------------------------


def build_page_plan(world, label, agreements, versions, seed):
    """A case with PAGE_PERSONS persons and a trajectory (fnb) whose plan gets ``agreements`` agreements over
    ``versions`` accepted versions, through the services. Returns (case, trajectory, plan, reports made)."""
    from django.utils import timezone

    from kring.cases.choices import CaseRole
    from kring.cases.editing import forget_scope
    from kring.cases.models import Case, CaseTeamMember, Person
    from kring.core.actor import Actor
    from kring.plans import follow_up as plan_follow_up
    from kring.plans import services
    from kring.plans.choices import AgreementStatus, ReviewDecision
    from kring.plans.links import services as link_services
    from kring.plans.models import Review
    from kring.trajectories import services as trajectory_services

    rng = random.Random(seed)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    org, team = world["orgs"][0], world["teams"][0]
    worker, lead, coordinator = (
        Actor(user=world[key], ip_address="127.0.0.1") for key in ("worker", "lead", "coordinator")
    )
    case = Case.objects.create(
        organisation=org,
        team=team,
        number=f"JH1-P-{seed:05d}",
        family_name=f"Familie {label}",
        legal_context="nl_supervision",
        safety_concern="serious",
        central_reason="Het kind staat centraal.",
        referral_date=today - 120 * day,
        referral_route="professional",
        status="active",
        question="Wij willen dat de kinderen veilig thuis kunnen blijven wonen.",
    )
    names = [
        ("Sam", "Jansen", ""),
        ("Oma", "Jansen", "grandmother"),
        ("Piet", "de Buurman", "neighbour"),
        ("Fatima", "El Amrani", "aunt"),
        ("Kees", "Jansen", "uncle"),
        ("Anna", "Visser", "teacher"),
        ("Mira", "Jansen", "mother"),
        ("Ruud", "Bakker", "father"),
        ("Noor", "Jansen", "sister"),
        ("Henk", "de Vries", "football coach"),
    ]
    persons = [
        Person.objects.create(
            case=case,
            organisation=org,
            first_name=f,
            last_name=last,
            relation=rel,
            is_central=i == 0,
            in_household=rel in ("", "mother", "sister"),
            birth_date=datetime.date(2014 if i in (0, 8) else 1970, 3, 1 + i),
        )
        for i, (f, last, rel) in enumerate(names[:PAGE_PERSONS])
    ]
    CaseTeamMember.objects.create(case=case, organisation=org, user=world["worker"], role=CaseRole.CASE_WORKER)
    forget_scope(world["worker"])
    t = trajectory_services.offer_trajectory(worker, case.pk, "fnb", today - 100 * day)
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", today - 98 * day)
    # The allocation starts the preparation (the method's table); the meeting is not walked here, so holding it is
    # a manual step with a note.
    t = trajectory_services.allocate_coordinator(lead, case.pk, t.pk, world["coordinator"].pk, on=today - 96 * day)
    forget_scope(world["coordinator"])
    lines = []
    for k in range(BOTTOM_LINES if agreements > 2 else 2):
        lines.append(
            services.add_bottom_line(
                worker,
                case.pk,
                t.pk,
                {
                    "text": f"Voorwaarde {k + 1}: de kinderen zijn elke nacht op een veilige plek.",
                    "reason": "Zorg over ruzies 's nachts.",
                    "legal_basis": "OTS, art. 1:255 BW" if k == 0 else "",
                    "kind": "non_negotiable" if k % 2 == 0 else "wish",
                },
            )
        )
    t = trajectory_services.change_status(
        worker, case.pk, t.pk, "meeting_held", today - 60 * day, note="Het beraad is gehouden (benchmark)."
    )
    plan = services.start_plan(coordinator, case.pk, t.pk)
    plan = services.update_plan(
        coordinator,
        case.pk,
        plan.pk,
        {
            "concerns": "We willen dat Sam rustig kan slapen en elke dag naar school gaat.",
            "if_it_goes_wrong": "Dan belt mama oma en gaan de kinderen bij oma slapen.",
            "child_view": "Sam wil bij oma kunnen logeren.",
            "presented_on": today - 60 * day,
        },
        plan.version,
    )
    first = agreements - 3 * (versions - 1) if versions > 1 else agreements
    per_version = [first] + [3] * (versions - 1)
    made, reports = [], 0
    for edition, count in enumerate(per_version, start=1):
        for _ in range(count):
            owner, backup, checker = rng.sample(persons[1:], 3)
            data = {
                "what": rng.choice(WHAT),
                "owner_person": owner.pk,
                "frequency": rng.choice(FREQUENCIES),
                "due_on": today + rng.randint(-10, 90) * day,
                "is_safety": rng.random() < 0.2,
                "bottom_lines": [line.pk for line in rng.sample(lines, rng.choice((1, 1, 2)))],
            }
            if rng.random() < 0.7:
                data["backup_person"] = backup.pk
            if rng.random() < 0.5:
                data["checker_person"] = checker.pk
            else:
                data["checker_user"] = world["worker"].pk
            if rng.random() < 0.15:
                data["owner_person"], data["owner_professional"] = None, rng.choice(PROFESSIONALS[4:])
            plan.refresh_from_db()
            made.append(services.add_agreement(coordinator, case.pk, plan.pk, data, plan.version))
        if edition > 1:
            # A new version changes an agreement or two and stops one that is no longer needed.
            changed = made[rng.randrange(len(made) - count)]
            changed.refresh_from_db()
            if changed.status != AgreementStatus.STOPPED:
                services.update_agreement(coordinator, case.pk, changed.pk, {"frequency": "elke week"}, changed.version)
            if edition % 3 == 0:
                stopped = made[rng.randrange(len(made) - count)]
                stopped.refresh_from_db()
                services.remove_agreement(coordinator, case.pk, stopped.pk, stopped.version)
            if edition == 5:
                line = lines[1]
                line.refresh_from_db()
                services.update_bottom_line(worker, case.pk, line.pk, {"reason": "Verzuim is opgelopen."}, line.version)
        plan.refresh_from_db()
        plan = services.submit_plan(coordinator, case.pk, plan.pk, plan.version)
        checks = {line.pk: (True, f"Afgesproken in versie {edition}.") for line in lines}
        services.decide_plan(
            worker, case.pk, plan.pk, "accepted", f"Versie {edition} is veilig genoeg.", checks, plan.version
        )
        for agreement in rng.sample(made, min(len(made), 2)):
            agreement.refresh_from_db()
            if agreement.in_force and agreement.status != AgreementStatus.STOPPED:
                plan_follow_up.record_report(
                    worker, case.pk, agreement.pk, rng.choice(("done", "done", "not_done")), "Gebeld met de eigenaar."
                )
                reports += 1
        if edition == versions:
            break
        plan.refresh_from_db()
        if edition % 2 == 0:
            # An adjustment decided at a review: every agreement in force is judged, then the next version starts.
            review = Review.objects.filter(plan=plan, held_on__isnull=True).order_by("planned_on", "id").first()
            in_force = plan.agreements.filter(in_force=True).exclude(status=AgreementStatus.STOPPED)
            items = {a.pk: (rng.choice(("kept", "kept", "partly", "not_kept")), "") for a in in_force}
            plan_follow_up.hold_review(
                coordinator,
                case.pk,
                review.pk,
                items,
                ReviewDecision.ADJUST,
                "Het plan wordt bijgesteld.",
                expected_version=review.version,
            )
        else:
            services.start_new_edition(coordinator, case.pk, plan.pk, plan.version)
    plan.refresh_from_db()
    if not Review.objects.filter(plan=plan, held_on__isnull=False).exists():
        # Both measured plans at the same stage (accepted, a review held), so only their size differs.
        review = Review.objects.filter(plan=plan, held_on__isnull=True).order_by("planned_on", "id").first()
        in_force = plan.agreements.filter(in_force=True).exclude(status=AgreementStatus.STOPPED)
        plan_follow_up.hold_review(
            coordinator,
            case.pk,
            review.pk,
            {a.pk: ("kept", "") for a in in_force},
            ReviewDecision.CONTINUE,
            "Het gaat goed.",
            expected_version=review.version,
        )
        plan.refresh_from_db()
    for person in persons[1:4]:
        link_services.create_link(coordinator, case.pk, plan.pk, person.pk)
    return case, t, plan, reports


# --- The region: a million agreements by COPY ------------------------------------------------------------------


class Rows:
    """Rows for COPY: every concrete column of the model, its default unless given (COPY and the bulk inserts
    skip Django, so what Django fills in is filled in here)."""

    def __init__(self, model):
        from django.db.models import JSONField

        fields = model._meta.concrete_fields
        self.model = model
        self.columns = [f.column for f in fields]
        self.json = {i for i, f in enumerate(fields) if isinstance(f, JSONField)}
        self.index = {}
        for i, f in enumerate(fields):
            self.index[f.name] = self.index[f.attname] = i
        self.template = [self._value(i, f.get_default()) for i, f in enumerate(fields)]

    def columns_for_insert(self):
        """COPY names its columns itself; the INSERT elsewhere needs them quoted ('order' is a keyword)."""
        from django.db import connection

        if connection.vendor == "postgresql":
            return self.columns
        return [connection.ops.quote_name(c) for c in self.columns]

    def _value(self, i, value):
        return json.dumps(value) if i in self.json and not isinstance(value, str) else value

    def __call__(self, **values):
        row = list(self.template)
        for name, value in values.items():
            i = self.index[name]
            row[i] = self._value(i, value)
        return row


def next_id(model):
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def fill_region(world, total, seed=1):
    """``total`` agreements in plans of one trajectory per case, cases spread over the organisations' teams.

    The mix: 40 % of the cases are closed (most of their agreements done or stopped, some left open), the active
    cases' plans are mostly accepted (their agreements in force) and some are drafts (not in force yet); of the
    agreements whose date has passed most are done or stopped, about one in ten still runs: overdue."""
    from django.utils import timezone

    from kring.cases.models import Case
    from kring.methods.catalogue import catalogue
    from kring.plans.models import Agreement, Plan
    from kring.trajectories.models import Trajectory

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    definition = catalogue()["fnb"]
    phases = json.dumps(
        [
            {"code": p.code, "name": p.name.model_dump(), "default_weeks": p.default_weeks, "max_weeks": p.max_weeks}
            for p in definition.phases
        ]
    )
    case_row, trajectory_row, plan_row, agreement_row = (Rows(m) for m in (Case, Trajectory, Plan, Agreement))
    ids = {m: next_id(m) for m in (Case, Trajectory, Plan, Agreement)}
    teams = world["teams"]
    written, plan_count = 0, 0
    cases, trajectories, plans, agreements = [], [], [], []

    def flush():
        for model, maker, rows in (
            (Case, case_row, cases),
            (Trajectory, trajectory_row, trajectories),
            (Plan, plan_row, plans),
            (Agreement, agreement_row, agreements),
        ):
            write_rows(model, maker.columns_for_insert(), rows)
        for rows in (cases, trajectories, plans, agreements):
            rows.clear()

    while written < total:
        team = teams[rng.randrange(len(teams))]
        org = team.organisation_id
        writer = world["writers"][org].pk
        closed = rng.random() < 0.4
        referral = today - rng.randint(100 if not closed else 400, 540 if not closed else 3 * 365) * day
        plan_made = referral + rng.randint(50, 90) * day
        closed_on = min(today - day, plan_made + rng.randint(90, 500) * day) if closed else None
        # Some trajectories of open cases are over: the plan is in place and the network carries on without us.
        ended = closed or rng.random() < 0.15
        trajectory_closed_on = closed_on or (
            min(today - day, plan_made + rng.randint(60, 300) * day) if ended else None
        )
        case_id, trajectory_id, plan_id = ids[Case], ids[Trajectory], ids[Plan]
        ids[Case] += 1
        ids[Trajectory] += 1
        ids[Plan] += 1
        cases.append(
            case_row(
                id=case_id,
                organisation=org,
                team=team.pk,
                number=f"{team.organisation.code.upper()}-B-{case_id:07d}",
                family_name=f"Familie {case_id}",
                status="closed" if closed else "active",
                closure_reason="goals_reached" if closed else "",
                closed_on=closed_on,
                legal_context="vl_voluntary" if team.organisation.jurisdiction == "VL" else "nl_voluntary",
                safety_concern=rng.choice(("none", "some", "some", "serious")),
                central_reason="-",
                referral_date=referral,
                referral_route="professional",
                question="-",
                created_at=now,
                updated_at=now,
            )
        )
        trajectories.append(
            trajectory_row(
                id=trajectory_id,
                case=case_id,
                organisation=org,
                team=team.pk,
                method_code="fnb",
                method_version=definition.version,
                phases_followed=phases,
                status="closed" if ended else rng.choice(("plan_made", "follow_up", "follow_up")),
                offered_on=referral + 7 * day,
                offered_by=writer,
                accepted_on=referral + 10 * day,
                meeting_held_on=plan_made - 2 * day,
                plan_made_on=plan_made,
                closed_on=trajectory_closed_on,
                closure_reason=(
                    "case_closed" if closed else rng.choice(("plan_in_place", "plan_carried_out")) if ended else ""
                ),
                created_at=now,
            )
        )
        accepted = rng.random() < (0.95 if closed else 0.8)
        edition = rng.choice((1, 1, 1, 2, 2, 3))
        plans.append(
            plan_row(
                id=plan_id,
                case=case_id,
                organisation=org,
                trajectory=trajectory_id,
                plan_type="family_group_plan",
                status="accepted" if accepted else rng.choice(("draft", "submitted", "sent_back")),
                edition=edition,
                concerns="Wij willen dat het thuis rustiger wordt.",
                presented_on=plan_made,
                submitted_on=plan_made if accepted else None,
                accepted_on=plan_made if accepted else None,
                written_by=writer,
                created_at=now,
            )
        )
        in_force_plan = accepted or edition > 1  # a draft of a later version leaves the last one in force
        for order in range(1, min(rng.randint(1, 19), total - written) + 1):
            due = plan_made + rng.randint(7, 400) * day if rng.random() < 0.9 else None
            shares = CLOSED_CASE if closed else PAST_DUE if due is not None and due < today else NOT_YET_DUE
            roll = rng.random()
            status = next(status for status, upto in shares if roll < upto)
            reported = status in ("done", "not_done", "help_needed")
            agreements.append(
                agreement_row(
                    id=ids[Agreement],
                    case=case_id,
                    organisation=org,
                    plan=plan_id,
                    order=order,
                    what=WHAT[rng.randrange(len(WHAT))],
                    owner_professional=PROFESSIONALS[rng.randrange(len(PROFESSIONALS))],
                    starts_on=plan_made,
                    frequency=FREQUENCIES[rng.randrange(len(FREQUENCIES))],
                    checker_user=writer if rng.random() < 0.5 else None,
                    due_on=due,
                    is_safety=rng.random() < 0.1,
                    status=status,
                    in_force=in_force_plan and status != "stopped",
                    confirmed_on=plan_made + day if rng.random() < 0.6 else None,
                    last_reported_on=min(today, (due or plan_made)) if reported else None,
                    version=1,
                )
            )
            ids[Agreement] += 1
            written += 1
        plan_count += 1
        if len(agreements) >= 50_000:
            flush()
            if written % 200_000 < 50_000 or written >= total:
                log(f"  {written:,} agreements")
    flush()
    reset_sequences([Case, Trajectory, Plan, Agreement])
    log(f"  {written:,} agreements in {plan_count:,} plans of as many cases")
    return written, plan_count


def reset_sequences(models):
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


# --- Measuring ---------------------------------------------------------------------------------------------------

RUNNING = ("open", "not_done", "help_needed")
TRAJECTORY_ACTIVE = ("offered", "accepted", "preparing", "meeting_held", "plan_made", "follow_up")
RAW_SCAN = (
    "SELECT a.id, a.case_id, a.organisation_id, a.due_on, a.is_safety FROM plans_agreement a "
    "JOIN cases_case c ON c.id = a.case_id "
    "JOIN plans_plan p ON p.id = a.plan_id JOIN trajectories_trajectory t ON t.id = p.trajectory_id "
    f"WHERE a.in_force AND a.status IN ({', '.join(repr(s) for s in RUNNING)}) AND a.due_on < %s "
    "AND a.organisation_id IN ({orgs}) "
    f"AND t.status IN ({', '.join(repr(s) for s in TRAJECTORY_ACTIVE)}) AND c.status <> 'closed'"
)


def raw_scan_is_current():
    """The raw SQL spells the statuses out; stop when the app's lists moved on without it."""
    from kring.plans.choices import RUNNING_AGREEMENT
    from kring.trajectories.core.states import ACTIVE

    return set(RUNNING) == {s.value for s in RUNNING_AGREEMENT} and set(TRAJECTORY_ACTIVE) == set(ACTIVE)


def raw_statement(today, region):
    from django.db import connection

    return RAW_SCAN.format(orgs=", ".join(["%s"] * len(region))), [connection.ops.adapt_datefield_value(today), *region]


def raw_scan(today, region):
    from django.db import connection

    sql, params = raw_statement(today, region)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def normalised(rows):
    """The same rows whatever the driver returns: SQLite gives dates as text and booleans as 0/1."""
    out = set()
    for pk, case_id, org, due, safety in rows:
        if isinstance(due, str):
            due = datetime.date.fromisoformat(due)
        out.add((pk, case_id, org, due, bool(safety)))
    return out


def mix(today):
    """What the agreements table holds, for the report."""
    from django.db.models import Count, Q

    from kring.plans.choices import RUNNING_AGREEMENT
    from kring.plans.models import Agreement
    from kring.trajectories.core.states import ACTIVE

    running = Q(in_force=True, status__in=[s.value for s in RUNNING_AGREEMENT])
    overdue = running & Q(due_on__lt=today)
    return Agreement.objects.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status="done")),
        stopped=Count("id", filter=Q(status="stopped")),
        not_in_force=Count("id", filter=Q(in_force=False)),
        running=Count("id", filter=running),
        overdue=Count("id", filter=overdue),
        overdue_closed=Count("id", filter=overdue & Q(case__status="closed")),
        overdue_ended=Count(
            "id", filter=overdue & ~Q(case__status="closed") & ~Q(plan__trajectory__status__in=list(ACTIVE))
        ),
    )


def explain_scan(today, region):
    """The query plans of the ORM scan and of the raw SQL: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY
    PLAN on SQLite. Returns {label: (plan lines, execution ms or None)}."""
    from django.db import connection

    from kring.plans import queries

    sql, params = raw_statement(today, region)
    if connection.vendor == "postgresql":
        statements = {"scan": bound_sql(queries.overdue_agreements(today, organisation_ids=region))}
        with connection.cursor() as cursor:
            statement = cursor.mogrify(sql, params)
        statements["raw SQL"] = statement.decode() if isinstance(statement, bytes) else statement
        return {label: explain(statement) for label, statement in statements.items()}
    out = {}
    with connection.cursor() as cursor:
        orm_sql, orm_params = queries.overdue_agreements(today, organisation_ids=region).query.sql_with_params()
        for label, (statement, values) in {"scan": (orm_sql, orm_params), "raw SQL": (sql, params)}.items():
            cursor.execute("EXPLAIN QUERY PLAN " + statement, values)
            out[label] = ([row[-1] for row in cursor.fetchall()], None)
    return out


def measure_scan(today, region, runs, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kring.plans import queries

    def orm():
        return list(queries.overdue_agreements(today, organisation_ids=region))

    def raw():
        return raw_scan(today, region)

    orm_rows, raw_rows = orm(), raw()
    with CaptureQueriesContext(connection) as ctx:
        orm()
    samples = {"scan": [], "raw": []}
    gc.collect()
    for round_ in range(warmup + runs):
        order = (("raw", raw), ("scan", orm)) if round_ % 2 == 0 else (("scan", orm), ("raw", raw))
        for key, run in order:
            started = time.perf_counter()
            run()
            elapsed = time.perf_counter() - started
            if round_ >= warmup:
                samples[key].append(elapsed * 1000)
    return {
        "rows": len(orm_rows),
        "raw_rows": len(raw_rows),
        "same": normalised(orm_rows) == normalised(raw_rows),
        "queries": len(ctx.captured_queries),
        "all": len(list(queries.overdue_agreements(today))),
        "scan_ms": samples["scan"],
        "raw_ms": samples["raw"],
    }


def measure_pages(worker, urls, runs, warmup):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(worker)
    queries, sizes = {}, {}
    for key, url in urls.items():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{key} {url}: HTTP {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        queries[key], sizes[key] = [q["sql"] for q in ctx.captured_queries], len(response.content)
    samples = {key: [] for key in urls}
    gc.collect()
    gc.freeze()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    for round_ in range(warmup + runs):
        for key, url in urls.items() if round_ % 2 == 0 else reversed(urls.items()):
            started = time.perf_counter()
            client.get(url)
            elapsed = time.perf_counter() - started
            if round_ >= warmup:
                samples[key].append(elapsed * 1000)
    gc.unfreeze()
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return samples, queries, sizes, (load_before, load_after)


def repeated(statements):
    """Statements run more than once in one request, with the numbers taken out: a query per row shows here."""
    shapes = {}
    for sql in statements:
        shape = re.sub(r"\b\d+\b", "N", sql)
        shapes[shape] = shapes.get(shape, 0) + 1
    return sorted(((n, shape) for shape, n in shapes.items() if n > 1), reverse=True)


def paired(a, b):
    return statistics.median(x / y for x, y in zip(a, b))


def describe(plan):
    from kring.plans.models import AgreementReport, BottomLineCheck, PlanDecision, Review, ReviewItem

    agreements = plan.agreements.all()
    return (
        f"{agreements.count()} agreements ({agreements.filter(status='stopped').count()} stopped, "
        f"{AgreementReport.objects.filter(agreement__plan=plan).count()} reports, "
        f"{plan.agreements.model.history.filter(plan_id=plan.pk).count()} history rows), "
        f"{PlanDecision.objects.filter(plan=plan).count()} decisions "
        f"({BottomLineCheck.objects.filter(decision__plan=plan).count()} bottom-line checks), "
        f"{Review.objects.filter(plan=plan, held_on__isnull=False).count()} reviews held "
        f"({ReviewItem.objects.filter(review__plan=plan).count()} items), "
        f"{Review.objects.filter(plan=plan, held_on__isnull=True).count()} planned, "
        f"{plan.links.count()} personal links"
    )


def main():
    args = parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    dbs = Databases(url)
    dbs.recreate()
    setup_django(url)
    from django.core import mail
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    setup_test_environment()  # the test client's template and context capture; ALLOWED_HOSTS for 'testserver'
    if not raw_scan_is_current():
        sys.exit(
            "The raw SQL scan's statuses differ from RUNNING_AGREEMENT or the trajectories' ACTIVE: update "
            "RUNNING / TRAJECTORY_ACTIVE in bench/plans.py."
        )
    started = time.perf_counter()
    today = timezone.localdate()
    world = build_world()
    log(f"Two plans through the services: {PAGE_AGREEMENTS} agreements / {PAGE_VERSIONS} versions, and 2 / 1 ...")
    # Safety alerts are e-mailed; here they go to memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        big = build_page_plan(world, "Groot", PAGE_AGREEMENTS, PAGE_VERSIONS, seed=1)
        small = build_page_plan(world, "Klein", 2, 1, seed=2)
    page_s = time.perf_counter() - started
    log(f"  {page_s:.1f} s")
    log(f"Filling {args.agreements:,} agreements over {ORGANISATIONS} organisations ...")
    filled, plans = fill_region(world, args.agreements - PAGE_AGREEMENTS - 2)
    log("VACUUM ANALYZE ...")
    analyze()
    fill_s = time.perf_counter() - started

    log("Measuring the plan pages against /ping/ ...")
    big_label = f"plan ({PAGE_AGREEMENTS} agreements, {PAGE_VERSIONS} versions)"
    small_label = "plan (2 agreements, 1 version)"
    try:
        urls = {
            "/ping/": "/ping/",
            big_label: reverse("plans:plan", args=[big[0].pk, big[1].pk]),
            small_label: reverse("plans:plan", args=[small[0].pk, small[1].pk]),
        }
    except NoReverseMatch:
        urls = None
        log("  there is no plan page (no 'plans:plan' URL); the page goals fail")
    if urls:
        samples, page_queries, sizes, load = measure_pages(world["worker"], urls, args.runs, args.warmup)
    log("Measuring the overdue scan against raw SQL ...")
    region = world["region"]
    scan = measure_scan(today, region, args.runs, args.warmup)
    plans_explained = explain_scan(today, region)
    counts = mix(today)

    from kring.plans.models import Agreement

    in_region = Agreement.objects.filter(organisation_id__in=region).count()
    scan_ratio = paired(scan["scan_ms"], scan["raw_ms"])
    uses_index = INDEX in "\n".join(plans_explained["scan"][0])
    checks = {}
    if urls:
        page_ratio = paired(samples[big_label], samples["/ping/"])
        counts_per_page = {key: len(sql) for key, sql in page_queries.items()}
        checks["queries: plan page equal for 2 and 40 agreements"] = (
            counts_per_page[big_label] == counts_per_page[small_label]
        )
        checks[f"time: plan page ≤ {MAX_PAGE_VS_PING:g}× /ping/"] = page_ratio <= MAX_PAGE_VS_PING
    else:
        checks["queries: plan page exists"] = False
    checks["rows: scan returns the raw SQL's rows"] = scan["same"] and scan["rows"] == scan["raw_rows"]
    checks["queries: scan is one query"] = scan["queries"] == 1
    checks[f"time: scan ≤ {MAX_SCAN_VS_RAW:g}× raw SQL"] = scan_ratio <= MAX_SCAN_VS_RAW
    if connection.vendor == "postgresql":
        checks[f"plan: scan uses the partial index {INDEX}"] = uses_index

    print()
    print(
        f"Plans on {connection.vendor}: {counts['total']:,} agreements over {ORGANISATIONS} organisations "
        f"({plans:,} bulk plans); median of {args.runs} rounds after {args.warmup} warm-up; "
        f"fill {fill_s:.0f} s (of which {page_s:.0f} s the two plans through the services)."
    )
    print(f"Measured plan: {describe(big[2])}.")
    print(f"Small plan:    {describe(small[2])}.")
    if urls:
        print(f"{'page':36} {'queries':>7} {'ms':>8} {'× /ping/':>9} {'KB':>6}")
        for key in urls:
            ratio = 1.0 if key == "/ping/" else paired(samples[key], samples["/ping/"])
            print(
                f"{key:36} {counts_per_page[key]:>7} {statistics.median(samples[key]):>8.2f} {ratio:>9.2f} "
                f"{sizes[key] / 1024:>6.1f}"
            )
        for n, shape in repeated(page_queries[big_label]):
            print(f"  run {n}× by the big plan's page: {shape[:160]}")
        if load[0] is not None:
            busy = max(load) > (os.cpu_count() or 1)
            print(
                f"Load average while measuring the pages: {load[0]:.2f} → {load[1]:.2f} on {os.cpu_count()} CPUs"
                + ("  (the machine was busy: times are noisier)" if busy else "")
            )
    print()
    pct = lambda n: f"{100 * n / counts['total']:.1f} %"  # noqa: E731
    print(
        f"Agreements: {pct(counts['done'])} done, {pct(counts['stopped'])} stopped, {pct(counts['not_in_force'])} "
        f"not in force, {pct(counts['running'])} running in force; {counts['overdue']:,} ({pct(counts['overdue'])}) "
        f"running and overdue, of which {counts['overdue_closed']:,} in closed cases and "
        f"{counts['overdue_ended']:,} in open cases whose trajectory ended (neither is reported)."
    )
    print(
        f"Overdue scan over the region ({len(region)} organisations, {in_region:,} agreements): "
        f"{scan['rows']:,} rows ({scan['all']:,} over all organisations)."
    )
    print(f"  queries.overdue_agreements: {statistics.median(scan['scan_ms']):8.2f} ms, {scan['queries']} query")
    print(
        f"  raw SQL, same conditions:   {statistics.median(scan['raw_ms']):8.2f} ms, "
        f"{'the same' if scan['same'] else 'NOT the same'} {scan['raw_rows']:,} rows"
    )
    print(
        f"  ratio {scan_ratio:.2f}× (median of per-round ratios); partial index {INDEX} "
        f"{'used' if uses_index else 'not used'} by the scan"
    )
    for label, (lines, ms) in plans_explained.items():
        print(
            f"  {'EXPLAIN ANALYZE' if ms is not None else 'EXPLAIN QUERY PLAN'} ({label})"
            + (f": {ms:.2f} ms" if ms is not None else "")
        )
        for line in lines:
            if not line.lstrip().startswith(("Buffers", "Planning:")):
                print(f"      {line}")
    print()
    # At the tiny size (CI, on a shared machine) the timings are a few milliseconds and too noisy to judge: the
    # query counts, the rows and the query plan decide there (the data are seeded, so the plan is stable).
    judged = {
        label: ok for label, ok in checks.items() if not args.tiny or label.startswith(("queries", "rows", "plan"))
    }
    for label, ok in checks.items():
        verdict = (
            ("PASS" if ok else "FAIL") if label in judged else ("pass" if ok else "over") + " (not judged at --tiny)"
        )
        print(f"{verdict}  {label}")
    return 0 if all(judged.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
