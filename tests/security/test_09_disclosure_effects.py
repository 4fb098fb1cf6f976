"""Issue 12, item 9, for effect evaluations: what a researcher sees of a comparison gives no count from 1 to 4 away.

Random small worlds (two organisations, a method against regular care, random registrations and measurements, some
missing) end to end: the API's JSON, the comparison page and the report's data and page, for every outcome the
comparison offers (``comparison.OUTCOMES`` and ``TRAJECTORY_OUTCOMES``, read from the code) and every moderator.
Every count is 0, at least 5 or the hidden mark; shares are shown only where events and non-events are each 0 or
at least 5 in both groups; moderators only where every cell is; no single family's value (minimum, maximum,
common support, largest weight). The team lead still gets the exact figures. And the overlap histogram's merged
bins as a pure property.
"""

import datetime
import json
import random
import re

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from kring.accounts.models import Role
from kring.evaluation import comparison, report
from kring.evaluation.core.effect_disclosure import merged_bins
from kring.measures.models import OutcomeMeasurement, Registration
from kring.trajectories.models import Trajectory
from tests.factories import make_case, make_organisation, make_team, make_user

T = 5
SMALL = range(1, T)
D = datetime.date
TODAY = D(2026, 3, 2)
OFFERED = D(2025, 6, 2)
OUTCOME_STEMS = [stem for stem, _kind in (*comparison.OUTCOMES, *comparison.TRAJECTORY_OUTCOMES)]
# Keys whose integer values are counts of families, wherever they appear in a published comparison.
COUNT_KEYS = {
    "n",
    "n_treated",
    "n_control",
    "n_rows_dropped",
    "k",
    "count",
    "n_rows",
    "n_treated_matched",
    "n_controls_used",
    "treated",
    "control",
}
SINGLE_VALUE_KEYS = {"min", "max", "common_support", "quantiles", "max_weight"}


def _walk(value, path="$"):
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}"
            assert key not in SINGLE_VALUE_KEYS or item is None, f"{where}: one family's value"
            if key in COUNT_KEYS and not (key == "k" and path.endswith(".details")):  # matching's 1:k
                for v in item if isinstance(item, list) else [item]:
                    if isinstance(v, int) and not isinstance(v, bool):
                        assert v not in SMALL, f"{where} = {item}"
            _walk(item, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]")


def _assert_shares_safe(published, exact):
    """A published binary outcome or moderator rests on cells of 0 or at least T (checked against the exact run)."""
    by_stem = {e["stem"]: e for e in exact["outcomes"]}
    for entry in published["outcomes"]:
        if "error" in entry:
            continue
        truth = by_stem[entry["stem"]]
        assert entry["stem"] in OUTCOME_STEMS
        assert min(truth["n_treated"], truth["n_control"]) >= T, entry["stem"]
        if truth["kind"] == "binary":
            for group in ("treated", "control"):
                k, n = truth["proportions"][group]["k"], truth["proportions"][group]["n"]
                assert k not in SMALL and n - k not in SMALL, f"{entry['stem']} {group}: {k} of {n}"
        matching = entry.get("matching") or {}
        if matching.get("estimate") is not None:
            details = truth["matching"]["details"]
            assert min(details["n_treated_matched"], details["n_controls_used"]) >= T
        exact_moderation = {m["moderator"]: m for m in truth.get("moderation", [])}
        for m in entry.get("moderation", []):
            if "error" in m:
                continue
            for level in exact_moderation[m["moderator"]]["levels"]:
                for n in (level["effect"]["n_treated"], level["effect"]["n_control"]):
                    assert n not in SMALL, f"{entry['stem']} × {m['moderator']}: a cell of {n}"


PAGE_COUNTS = re.compile(r"(\d+|·) / (\d+|·)")
HEADING = re.compile(r"<h[23][^>]*>([^<]*)</h[23]>")
FIGURE_BIN = re.compile(r"\d[\d,.]*\u2013\d[\d,.]*: (\d+)")


def _assert_page_safe(html, what):
    for heading in HEADING.findall(html):
        for number in re.findall(r"\b\d+\b", re.sub(r"^\d+\. ", "", heading)):  # not a section's number
            assert int(number) not in SMALL, f"{what}: heading {heading!r}"
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        for a, b in PAGE_COUNTS.findall(table):
            for number in (a, b):
                assert number == "·" or int(number) not in SMALL, f"{what}: n {a} / {b}"
    for svg in re.findall(r'<svg[^>]*id="fig-overlap[^"]*".*?</svg>', html, flags=re.S):
        for number in FIGURE_BIN.findall(svg):
            assert int(number) not in SMALL, f"{what}: an overlap bin of {number}"


@pytest.fixture
def base(db):
    org = make_organisation("NL", name="Noord", code="noord")
    team = make_team(org, name="Team Noord")
    worker = make_user(org, Role.CASE_WORKER, team)
    researcher = make_user(org, Role.RESEARCHER)
    lead = make_user(org, Role.TEAM_LEAD, team, is_lead=True)
    return type("Base", (), dict(org=org, team=team, worker=worker, researcher=researcher, lead=lead))


def _build(base, seed, sizes, missing):
    rng = random.Random(seed)
    for method, size in zip(("fnb", "regular_care"), sizes):
        for _i in range(size):
            case = make_case(base.team, case_worker=base.worker, safety_concern=rng.choice(["some", "serious"]))
            plan = rng.random() < 0.7
            t = Trajectory.objects.create(
                case=case,
                organisation=base.org,
                team=base.team,
                method_code=method,
                method_version="1.0",
                offered_on=OFFERED,
                offered_by=base.worker,
                status="plan_made" if plan else "preparing",
                accepted_on=OFFERED,
                plan_made_on=OFFERED + datetime.timedelta(weeks=rng.randint(0, 12)) if plan else None,
            )
            Registration.objects.create(
                case=case,
                organisation=base.org,
                trajectory=t,
                children_ages=[rng.randint(2, 16)],
                informal_network_size=None if rng.random() < missing else rng.randint(1, 12),
                high_conflict_divorce=rng.choice(["yes", "no", "no", "no"]),
                updated_by=base.worker,
            )
            for moment, weeks in (("t0", 0), ("t1", 13)):
                if rng.random() < missing:
                    continue
                OutcomeMeasurement.objects.create(
                    case=case,
                    organisation=base.org,
                    trajectory=t,
                    moment=moment,
                    measured_on=OFFERED + datetime.timedelta(weeks=weeks),
                    placement=rng.choice(["in_network", "at_home", "at_home", "at_home"]),
                    risk_level=rng.choice(["low", "medium", "high", "low"]),
                    recorded_by=base.worker,
                )


@settings(
    max_examples=5,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # a world takes
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # ~30 s: no shrinking
@given(
    seed=st.integers(0, 10_000),
    sizes=st.tuples(st.integers(3, 14), st.integers(3, 14)),
    missing=st.sampled_from((0.0, 0.1, 0.3)),
)
@example(seed=3, sizes=(14, 13), missing=0.3)  # always one world that is compared, not refused
@example(seed=5, sizes=(40, 40), missing=0.1)  # and one where outcomes are shown
def test_a_researchers_comparison_gives_no_small_count_away(base, client, seed, sizes, missing):
    with transaction.atomic():
        _build(base, seed, sizes, missing)
        exact = comparison.compare([base.org.pk], method="fnb", today=TODAY)

        api = APIClient()
        api.force_authenticate(base.researcher)
        response = api.post("/api/v1/effects/", {"method": "fnb"}, format="json")
        assert response.status_code == 200, response.content
        published = response.json()
        _walk(published, "API")
        _assert_shares_safe(published, exact)
        if min(sizes) < T:
            assert published["suppressed"] and published["outcomes"] == []

        client.force_login(base.researcher)
        page = client.get(
            reverse("evaluation:compare"), {"method": "fnb", "comparison": "regular_care", "moment": "t1"}
        )
        assert page.status_code == 200
        _assert_page_safe(page.content.decode(), "compare page")
        client.logout()

        data = json.loads(json.dumps(report.build([base.org.pk], today=TODAY, suppressed=True), default=str))
        _walk(data["comparisons"], "report")
        for published_comparison in data["comparisons"]:
            _assert_shares_safe(published_comparison, exact)
        _assert_page_safe(report.render_html(data, for_pdf=False), "report page")
        transaction.set_rollback(True)


def test_a_small_comparison_group_is_refused_without_its_size(base):
    """Three trajectories of regular care: the researcher learns that the comparison is refused, not that 3."""
    _build(base, 1, (12, 3), 0.0)
    api = APIClient()
    api.force_authenticate(base.researcher)
    published = api.post("/api/v1/effects/", {"method": "fnb"}, format="json").json()
    assert published["suppressed"] is True
    assert published["n_control"] is None and published["outcomes"] == []
    # the team lead, who manages the organisation, still gets the comparison with its exact figures
    api.force_authenticate(base.lead)
    exact = api.post("/api/v1/effects/", {"method": "fnb"}, format="json").json()
    assert (exact["n_treated"], exact["n_control"]) == (12, 3)
    assert not exact.get("suppressed")


def test_a_large_enough_comparison_is_shown_with_merged_overlap_bins(base):
    _build(base, 5, (40, 40), 0.1)
    api = APIClient()
    api.force_authenticate(base.researcher)
    published = api.post("/api/v1/effects/", {"method": "fnb"}, format="json").json()
    shown = [e for e in published["outcomes"] if "error" not in e]
    assert shown, "an outcome with enough families in every cell is shown"
    _walk(published)
    overlaps = [e["overlap"] for e in shown if e.get("overlap")]
    assert overlaps and all(o["merged"] and "common_support" not in o for o in overlaps)


def test_a_lead_keeps_the_exact_figures_of_every_outcome(base):
    _build(base, 3, (14, 14), 0.3)
    api = APIClient()
    api.force_authenticate(base.lead)
    exact = api.post("/api/v1/effects/", {"method": "fnb"}, format="json").json()
    measured = [e for e in exact["outcomes"] if "error" not in e]
    assert measured and all(isinstance(e["n_treated"], int) for e in measured)
    assert any(e.get("overlap") and e["overlap"].get("common_support") for e in measured)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=20))
def test_merged_overlap_bins_hold_none_or_enough_of_each_group(bins):
    treated, control = [t for t, _c in bins], [c for _t, c in bins]
    edges = [i / len(bins) for i in range(len(bins) + 1)]
    merged = merged_bins(treated, control, edges, T)
    if sum(treated) not in SMALL and sum(control) not in SMALL:
        assert merged is not None
    if merged is None:
        return
    t, c, e = merged
    assert sum(t) == sum(treated) and sum(c) == sum(control)
    assert e[0] == edges[0] and e[-1] == edges[-1] and set(e) <= set(edges) and e == sorted(e)
    assert len(e) == len(t) + 1 == len(c) + 1
    assert all(v not in SMALL for v in (*t, *c)), merged
