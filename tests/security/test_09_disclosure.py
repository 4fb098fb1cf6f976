"""Issue 12, item 9: what researchers and the public see of the evaluation gives no small count away.

Two layers. The disclosure core as a pure property over many random populations broken down several ways at once
(``suppress_linked``): no published count under the threshold, none recoverable by subtraction inside a table,
and none by solving all tables' published totals together. Then random small worlds in the database, end to end,
for every grouping the code knows (``indicators.GROUPINGS``, ``queries.PUBLIC_GROUPINGS``) and every output: API
JSON, the dashboard page, the public overview, the report's data and page, and the research extract. A new
grouping is covered without editing this file.
"""

import datetime
import io
import re
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from kring.accounts.models import Role
from kring.evaluation import extracts, indicators, queries, report, services
from kring.evaluation.core.competing_risks import cumulative_incidence
from kring.evaluation.core.disclosure import (
    SUPPRESSED,
    protected_event_times,
    protected_incidence,
    pseudonym,
    suppress_linked,
)
from kring.measures.models import OutcomeMeasurement
from kring.trajectories.models import Trajectory
from tests.factories import actor, make_case, make_organisation, make_team, make_user

T = 5
SMALL = range(1, T)
KEYS = ("plan", "abandoned", "open")


# -- the core, as a pure property ------------------------------------------------------------------------------


def _tables(units, groupings):
    """One table per grouping (and "all") of the units (dicts with a value per grouping and an outcome)."""
    tables = {}
    for g in (*groupings, "all"):
        groups = sorted({u[g] for u in units}) if g != "all" else ["all"]
        rows = []
        for key in groups:
            members = [u for u in units if g == "all" or u[g] == key]
            row = {"key": key, **{k: sum(u["outcome"] == k for u in members) for k in KEYS}}
            row["total"] = len(members)
            rows.append(row)
        tables[g] = rows
    return tables


def _combined_system(tables, results):
    """Every published line of every table as equations in the hidden cells; the totals row is one set of
    unknowns shared by all tables (it is the same population)."""
    columns = (*KEYS, "total")
    unknowns, equations = {}, []

    def cell(name, i, k, published):
        if published[i][k] is not None:
            return None, published[i][k]
        shared = ("totals", k) if i == len(published) - 1 else (name, i, k)
        return unknowns.setdefault(shared, len(unknowns)), None

    for name, result in results.items():
        published = [*result.rows, result.totals]
        lines = [([(i, k) for k in KEYS], (i, "total")) for i in range(len(published))]
        lines += [([(i, k) for i in range(len(result.rows))], (len(result.rows), k)) for k in columns]
        for inner, margin in lines:
            terms = [(cell(name, i, k, published), 1) for i, k in inner] + [(cell(name, *margin, published), -1)]
            equations.append(terms)
    matrix = np.zeros((len(equations), len(unknowns)))
    for r, terms in enumerate(equations):
        for (index, _value), sign in terms:
            if index is not None:
                matrix[r, index] += sign
    return unknowns, matrix


@settings(max_examples=250, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "method": st.sampled_from("abc"),
                "team": st.sampled_from("xyz"),
                "year": st.sampled_from((2024, 2025)),
                "outcome": st.sampled_from(KEYS),
            }
        ),
        min_size=1,
        max_size=40,
    )
)  # no units: an empty answer says "none", as it must
def test_linked_tables_give_no_small_count_away(units):
    groupings = ("method", "team", "year")
    tables = _tables(units, groupings)
    results = suppress_linked(tables, T, count_keys=KEYS, total_key="total")
    patterns = {name: r.totals[SUPPRESSED] for name, r in results.items()}
    assert len(set(patterns.values())) == 1, patterns  # every table hides the same cells of the shared totals
    assert set(results["all"].rows[0][SUPPRESSED]) == set(results["all"].totals[SUPPRESSED]) if units else True
    for name, result in results.items():
        for row in (*result.rows, result.totals):
            for key in (*KEYS, "total"):
                assert row[key] is None or row[key] >= T, (name, row)
    unknowns, matrix = _combined_system(tables, results)
    if not unknowns:
        return
    rank = np.linalg.matrix_rank(matrix)
    for cell, index in unknowns.items():
        assert np.linalg.matrix_rank(np.delete(matrix, index, axis=1)) == rank, f"{cell} can be solved for"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)), min_size=1, max_size=12, unique_by=lambda p: p[0]))
def test_times_never_show_one_familys_value(weeks):
    weeks = sorted(weeks)
    times, events = [w for w, _n in weeks], [n for _w, n in weeks]
    summary = protected_event_times(times, events, sum(events) if sum(events) >= T else None, T)
    assert summary["min"] is None and summary["max"] is None
    if summary["median"] is not None:
        # the median's week (or each of the two middle weeks) is shared by at least T families
        assert (
            any(e >= T for t, e in weeks if t == summary["median"])
            or sum(1 for t, e in weeks if e >= T and abs(t - summary["median"]) > 0) >= 2
        )
    if sum(events) < T:
        assert summary["n"] is None and summary["mean"] is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(("plan", "abandoned", None))), min_size=1, max_size=40))
def test_curves_show_no_step_of_a_few(trajectories):
    by_week = {}
    for week, event in trajectories:
        slot = by_week.setdefault(week, [{}, 0])
        if event:
            slot[0][event] = slot[0].get(event, 0) + 1
        else:
            slot[1] += 1
    table = [(w, events, censored) for w, (events, censored) in sorted(by_week.items())]
    full = cumulative_incidence(table, causes=indicators.CAUSES, horizons=indicators.HORIZONS).as_dict()
    counts = {c: full["causes"][c]["n_events"] for c in indicators.CAUSES}
    shown = protected_incidence(full, {c: (n if n >= T else None) for c, n in counts.items()}, T)
    _assert_no_small_count(shown)
    n = len(trajectories)
    for cause in indicators.CAUSES:
        previous = 0
        for row in shown["causes"][cause]["at_horizons"]:
            if row["cif"] is None:
                continue
            by_then = sum(1 for w, e in trajectories if e == cause and w <= row["horizon"])
            assert by_then - previous >= T and n - by_then >= T
            previous = by_then


# -- what a reader receives ------------------------------------------------------------------------------------

COUNT_KEYS = {
    "offered",
    "accepted",
    "plans",
    "without_plan",
    "running",
    "measured",
    "k",
    "n",
    "judged",
    "kept",
    "partly",
    "not_kept",
    "n_events",
    "n_censored",
    "total",
}
LIST_COUNT_KEYS = {"n_at_risk", "censored", "events"}


def _assert_no_small_count(value, path="$"):
    """Walk a published JSON value: no count from 1 to 4, no per-week counts, no minimum or maximum time."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            if key in COUNT_KEYS and isinstance(item, int) and not isinstance(item, bool):
                assert item not in SMALL, f"{where} = {item}"
            if key in LIST_COUNT_KEYS and isinstance(item, (list, tuple)):
                assert not any(v in SMALL for v in item), f"{where} = {item}"
            if key in ("min", "max"):
                assert item is None, f"{where} = {item}: one family's value"
            _assert_no_small_count(item, where)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _assert_no_small_count(item, f"{path}[{i}]")


def _assert_not_recoverable(tables, get, what):
    """``tables``: grouping -> published rows. For every grouping, the "all" table's value minus the shown rows
    must not pin down one hidden row, nor reveal a hidden sum under the threshold (zero included)."""
    overall = get(tables["all"][0]) if tables["all"] else None
    for grouping, rows in tables.items():
        if grouping == "all" or overall is None:
            continue
        hidden = [row["key"] for row in rows if get(row) is None]
        if not hidden:
            continue
        rest = overall - sum(get(row) for row in rows if get(row) is not None)
        assert len(hidden) >= 2, f"{what} of {grouping}={hidden[0]} is the total minus the others: {rest}"
        assert rest >= T, f"{what}: the hidden groups {hidden} of {grouping} add up to {rest}"


def _assert_rows_safe(rows, what):
    for row in rows:
        cells = [row[k] for k in ("plans", "without_plan", "running")]
        hidden = [c for c in cells if c is None]
        if row["offered"] is None:
            assert hidden, f"{what} {row['key']}: a hidden total is the sum of its shown cells"
        elif hidden:
            assert len(hidden) >= 2, f"{what} {row['key']}: one hidden cell is the total minus the others"
            assert row["offered"] - sum(c for c in cells if c is not None) >= T


def _check_published_tables(tables, what):
    """The row lines and the columns against "all": offers, measurements per moment, outcome shares."""
    for grouping, rows in tables.items():
        _assert_no_small_count(rows, f"{what}[{grouping}]")
        _assert_rows_safe(rows, f"{what}[{grouping}]")
    for column in ("offered", "plans", "without_plan", "running"):
        _assert_not_recoverable(tables, lambda row, c=column: row[c], f"{what} {column}")
    moments = {m for rows in tables.values() for row in rows for m in (row.get("outcomes") or {})}
    for moment in moments:
        _assert_not_recoverable(
            tables, lambda row, m=moment: (row["outcomes"].get(m) or {}).get("measured"), f"{what} {moment} measured"
        )
        names = {
            n for rows in tables.values() for row in rows for n in row["outcomes"].get(moment, {}).get("shares", {})
        }
        for name in names:
            for part in ("k", "n"):
                _assert_not_recoverable(
                    tables,
                    lambda row, m=moment, n=name, p=part: (
                        row["outcomes"].get(m, {}).get("shares", {}).get(n) or {}
                    ).get(p),
                    f"{what} {moment} {name}.{part}",
                )


COUNT_CELL = re.compile(r"<td[^>]*>\s*([^<]*?)\s*</td>")


def _assert_page_safe(html, what):
    assert "&lt;5" not in html and "<5" not in html, f"{what}: the mark of a hidden cell tells its size"
    table = html[html.find('id="indicators"') : html.find("</table>", html.find('id="indicators"'))]
    for text in COUNT_CELL.findall(table):
        for number in [text] if text.isdigit() else re.findall(r"\((\d+)\)$", text):
            assert int(number) not in SMALL, f"{what}: a cell shows {number}"


# -- random small worlds in the database -----------------------------------------------------------------------

D = datetime.date
TODAY = D(2026, 3, 2)
METHODS = ("fnb", "regular_care", "ekc")
END = {"plan": "plan_made_on", "abandoned": "abandoned_on", "declined": "declined_on", "running": None}

trajectory_strategy = st.fixed_dictionaries(
    {
        "team": st.integers(0, 2),
        "method": st.sampled_from(METHODS),
        "days_before": st.integers(0, 500),
        "outcome": st.sampled_from(tuple(END)),
        "weeks": st.integers(0, 12),
        "t0": st.booleans(),
        "t1": st.sampled_from((None, "in_network", "at_home", "outside_network")),
        "other_org": st.booleans(),
    }
)


@pytest.fixture
def base(db):
    org = make_organisation("NL", name="Noord", code="noord")
    org.region = "Utrecht"
    org.save()
    other = make_organisation("NL", name="Zuid", code="zuid")
    other.region = "Brabant"
    other.save()
    teams = [make_team(org, name=f"Team {i}") for i in range(3)]
    other_team = make_team(other, name="Team Zuid")
    worker = make_user(org, Role.CASE_WORKER, teams[0])
    other_worker = make_user(other, Role.CASE_WORKER, other_team)
    researcher = make_user(org, Role.RESEARCHER)
    lead = make_user(org, Role.TEAM_LEAD, teams[0], is_lead=True)
    cases = [make_case(team, case_worker=worker) for team in teams]
    other_case = make_case(other_team, case_worker=other_worker)
    return SimpleNamespace(
        org=org,
        other=other,
        teams=teams,
        other_team=other_team,
        worker=worker,
        other_worker=other_worker,
        researcher=researcher,
        lead=lead,
        cases=cases,
        other_case=other_case,
    )


def _build(base, trajectories):
    made = []
    for spec in trajectories:
        if spec["other_org"]:
            case, team, user, org = base.other_case, base.other_team, base.other_worker, base.other
        else:
            case, team, user, org = (base.cases[spec["team"]], base.teams[spec["team"]], base.worker, base.org)
        offered = TODAY - datetime.timedelta(days=spec["days_before"])
        end = END[spec["outcome"]]
        dates = {}
        if end:
            dates[end] = min(offered + datetime.timedelta(weeks=spec["weeks"]), TODAY)
        if spec["outcome"] != "declined":
            dates["accepted_on"] = offered
        trajectory = Trajectory.objects.create(
            case=case,
            organisation=org,
            team=team,
            method_code=spec["method"],
            method_version="1.0",
            offered_on=offered,
            offered_by=user,
            status="offered",
            **dates,
        )
        for moment, placement in (("t0", "at_home" if spec["t0"] else None), ("t1", spec["t1"])):
            if placement:
                OutcomeMeasurement.objects.create(
                    case=case,
                    organisation=org,
                    trajectory=trajectory,
                    moment=moment,
                    measured_on=offered,
                    placement=placement,
                    recorded_by=user,
                )
        made.append(trajectory)
    return made


def _api_tables(client, groupings):
    tables = {}
    for grouping in groupings:
        response = client.get("/api/v1/indicators/", {"grouping": grouping})
        assert response.status_code == 200, response.content
        tables[grouping] = response.json()["rows"]
    return tables


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(trajectory_strategy, max_size=28))
def test_researcher_and_public_outputs_give_no_small_count_away(base, client, trajectories):
    with transaction.atomic():
        _build(base, trajectories)
        api = APIClient()
        api.force_authenticate(base.researcher)
        tables = _api_tables(api, indicators.GROUPINGS)
        _check_published_tables(tables, "API")

        client.force_login(base.researcher)
        for grouping in indicators.GROUPINGS:
            page = client.get(reverse("evaluation:dashboard"), {"grouping": grouping})
            assert page.status_code == 200
            _assert_page_safe(page.content.decode(), f"dashboard {grouping}")
        client.logout()

        public = {
            g: [
                report.plain_row(r) | {"outcomes": r.outcomes}
                for r in queries.public_indicators(grouping=g, today=TODAY)
            ]
            for g in (*queries.PUBLIC_GROUPINGS, "all")
            if g != "all"
        }
        public["all"] = [
            report.plain_row(r) | {"outcomes": r.outcomes}
            for r in queries.protected_rows(
                [base.org.pk, base.other.pk],
                "all",
                today=TODAY,
                groupings=queries.PUBLIC_GROUPINGS,
                with_outcomes=False,
            )
        ]
        _check_published_tables(public, "public")
        for grouping in queries.PUBLIC_GROUPINGS:
            page = client.get(reverse("evaluation:public"), {"per": grouping})
            _assert_page_safe(page.content.decode(), f"public {grouping}")

        data = report.build([base.org.pk], today=TODAY, suppressed=True)
        _assert_no_small_count(data["methods"], "report")
        _assert_rows_safe(data["methods"], "report")
        _assert_page_safe(
            report.render_html(data, for_pdf=False).replace('id="report-methods"', 'id="indicators"'), "report page"
        )
        transaction.set_rollback(True)


def test_the_demo_complaint_measured_outcomes_no_longer_carry_the_hidden_counts(base):
    """The review's example: a method with 1 and 3 offers hidden, its T0 and T1 measurements still published."""
    specs = [
        dict(team=0, method="ekc", days_before=10, outcome="running", weeks=0, t0=True, t1="at_home", other_org=False)
    ] * 3 + [
        dict(
            team=0,
            method="fnb",
            days_before=10 + i,
            outcome="plan",
            weeks=i % 3,
            t0=True,
            t1="at_home",
            other_org=False,
        )
        for i in range(9)
    ]
    _build(base, specs)
    api = APIClient()
    api.force_authenticate(base.researcher)
    rows = {r["key"]: r for r in api.get("/api/v1/indicators/", {"grouping": "method"}).json()["rows"]}
    assert rows["ekc"]["offered"] is None
    for moment in ("t0", "t1"):
        assert rows["ekc"]["outcomes"][moment]["measured"] is None
    # the lead, who manages the organisation, still sees every figure exactly
    api.force_authenticate(base.lead)
    exact = {r["key"]: r for r in api.get("/api/v1/indicators/", {"grouping": "method"}).json()["rows"]}
    assert (exact["ekc"]["offered"], exact["ekc"]["outcomes"]["t0"]["measured"]) == (3, 3)
    assert exact["fnb"]["incidence"]["causes"]["plan"]["event_times"]["min"] == 0


def test_extract_rows_come_in_an_order_of_their_own_per_project(base):
    made = _build(
        base,
        [
            dict(
                team=i % 3, method="fnb", days_before=i * 7, outcome="plan", weeks=1, t0=True, t1=None, other_org=False
            )
            for i in range(12)
        ],
    )
    admin = make_user(base.org, Role.ADMINISTRATOR)
    projects = [
        services.create_project(
            actor(admin), {"name": f"P{i}", "organisations": [base.org], "members": [base.researcher]}
        )
        for i in range(2)
    ]
    orders = []
    for project in projects:
        content, _n = extracts.build(project, "csv", today=TODAY)
        text = zipfile.ZipFile(io.BytesIO(content)).read("kring_extract.csv").decode()
        lines = text.splitlines()
        column = lines[0].split(",").index("trajectory")
        shown = [line.split(",")[column] for line in lines[1:]]
        assert shown == sorted(shown), "rows are in the order of the project's own pseudonyms"
        by_pseudonym = {pseudonym(bytes(project.key), "trajectory", t.pk): t.pk for t in made}
        orders.append([by_pseudonym[p] for p in shown])
    assert orders[0] != orders[1], "two projects' extracts do not line up row by row"
    assert orders[0] != sorted(orders[0]) or orders[1] != sorted(orders[1])
