"""Indicators per method, organisation, team, region or period, computed in the database: the counts in one
grouped query, the weeks to a plan or to abandonment in one grouped query per week, and the follow-up outcomes and
instrument scores grouped per moment. Python only turns those counts into rates with Wilson intervals and
cumulative incidence curves (``core``), so the cost grows with the number of groups and weeks, not of trajectories.

"A plan and abandonment compete" (decision 48): an offer ends in a plan, or without one (abandoned, declined, or
closed before a plan); what is still open is censored at today.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Func
from django.db.models.functions import ExtractMonth, ExtractYear

from kring.measures.models import AdministrationScore, OutcomeMeasurement
from kring.plans import core as plans_core
from kring.plans.choices import ReviewKeeping
from kring.plans.models import Review, ReviewItem
from kring.trajectories.models import Trajectory

from .core.competing_risks import cumulative_incidence
from .core.proportions import proportion

GROUPINGS = ("method", "organisation", "team", "region", "year", "quarter", "all")
CAUSES = ("plan", "abandoned")
HORIZONS = (4, 8, 12, 26, 52)


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (dates), on SQLite and PostgreSQL alike."""

    output_field = IntegerField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        end, start = (compiler.compile(e) for e in self.source_expressions)
        if connection.vendor == "postgresql":
            return f"({end[0]} - {start[0]})", (*end[1], *start[1])
        return f"CAST(julianday({end[0]}) - julianday({start[0]}) AS INTEGER)", (*end[1], *start[1])


GROUP_COLUMNS = {
    "method": "method_code",
    "organisation": "organisation__name",
    "team": "team__name",
    "region": "organisation__region",
}


@dataclass
class GroupIndicators:
    key: str
    offered: int
    accepted: int
    plans: int
    without_plan: int
    running: int
    plan_rate: dict  # core.proportions.Proportion as a dict: plans of offered
    plan_rate_accepted: dict  # plans of accepted offers
    incidence: dict | None = None  # core.competing_risks.CumulativeIncidence as a dict
    agreements: dict = field(default_factory=dict)  # judged, kept, partly, not_kept, kept_rate
    outcomes: dict = field(default_factory=dict)  # moment -> {name: proportion or mean}
    # organisation id -> the same counts of that organisation alone (``compute(..., per_organisation=True)``)
    parts: dict = field(default_factory=dict)


def _base(organisation_ids, date_from=None, date_to=None, methods=None):
    query = Trajectory.objects.filter(organisation_id__in=list(organisation_ids))
    if date_from:
        query = query.filter(offered_on__gte=date_from)
    if date_to:
        query = query.filter(offered_on__lte=date_to)
    if methods:
        query = query.filter(method_code__in=list(methods))
    return query


def _annotated(query, grouping, prefix="", per_organisation=False):
    """The group key as columns: year and quarter of the offer come from its date parts (a quarter is counted
    per month and added up in Python), the rest from a column. ``per_organisation`` adds the organisation as one
    more column (``g_org``): the same query, counted per organisation too."""
    if per_organisation:
        query, names = _annotated(query.annotate(g_org=F(f"{prefix}organisation_id")), grouping, prefix)
        return query, (*names, "g_org")
    if grouping in ("year", "quarter"):
        query = query.annotate(g_year=ExtractYear(f"{prefix}offered_on"))
        if grouping == "quarter":
            return query.annotate(g_month=ExtractMonth(f"{prefix}offered_on")), ("g_year", "g_month")
        return query, ("g_year",)
    if grouping == "all":
        return query.annotate(g=Value("all", output_field=CharField())), ("g",)
    return query.annotate(g=F(prefix + GROUP_COLUMNS[grouping])), ("g",)


def _targets(groups, key, row) -> list:
    """The group a database row counts towards and, when counted per organisation, that organisation's part."""
    group = groups.get(key)
    if group is None:
        return []
    if "g_org" not in row:
        return [group]
    part = group.parts.get(row["g_org"])
    if part is None:
        part = group.parts[row["g_org"]] = GroupIndicators(key, 0, 0, 0, 0, 0, {}, {})
    return [group, part]


def _key(grouping, row, names, region_keys=None) -> str:
    if grouping == "year":
        return str(row["g_year"])
    if grouping == "quarter":
        return f"{row['g_year']}-Q{(row['g_month'] - 1) // 3 + 1}"
    value = row["g"]
    key = "" if value is None else str(value)
    if grouping == "region" and region_keys:
        return region_keys.get(key, key)  # regions published together (the public overview), added up as one
    return key


NO_PLAN = Q(plan_made_on__isnull=True) & (
    Q(abandoned_on__isnull=False) | Q(declined_on__isnull=False) | Q(closed_on__isnull=False)
)
RUNNING = Q(plan_made_on__isnull=True, abandoned_on__isnull=True, declined_on__isnull=True, closed_on__isnull=True)


def _event_expression(today: date):
    """(event, days) per trajectory as database expressions."""
    event = Case(
        When(plan_made_on__isnull=False, then=Value("plan")),
        When(NO_PLAN, then=Value("abandoned")),
        default=Value("running"),
        output_field=CharField(),
    )
    end = Case(
        When(plan_made_on__isnull=False, then=F("plan_made_on")),
        When(abandoned_on__isnull=False, then=F("abandoned_on")),
        When(declined_on__isnull=False, then=F("declined_on")),
        When(closed_on__isnull=False, then=F("closed_on")),
        default=Value(today),
    )
    return event, DaysBetween(end, F("offered_on"))


def compute(
    organisation_ids,
    grouping="method",
    *,
    today: date,
    date_from=None,
    date_to=None,
    methods=None,
    with_curves=True,
    with_outcomes=True,
    region_keys=None,
    per_organisation=False,
) -> list[GroupIndicators]:
    """The indicators of the trajectories offered by these organisations (in the period, of these methods),
    per group. Every figure is computed from counts the database returns. ``region_keys`` renames regions, and
    regions renamed alike are counted as one group. ``per_organisation``: every group also carries, in
    ``parts``, the counts of each organisation alone (one more grouping column in the same queries, not a
    query per organisation); a part's ``incidence`` holds only its events per week (``_add_curves``)."""
    if grouping not in GROUPINGS:
        raise ValueError(grouping)
    query, names = _annotated(_base(organisation_ids, date_from, date_to, methods), grouping)
    count_query, count_names = _annotated(
        _base(organisation_ids, date_from, date_to, methods), grouping, per_organisation=per_organisation
    )
    counts = list(
        count_query.values(*count_names)
        .annotate(
            offered=Count("id"),
            accepted=Count("id", filter=Q(accepted_on__isnull=False)),
            plans=Count("id", filter=Q(plan_made_on__isnull=False)),
            without_plan=Count("id", filter=NO_PLAN),
            running=Count("id", filter=RUNNING),
        )
        .order_by()
    )
    groups = {}
    for row in counts:
        key = _key(grouping, row, names, region_keys)
        found = groups.get(key)
        if found is None:
            groups[key] = found = GroupIndicators(key, 0, 0, 0, 0, 0, {}, {})
        for target in _targets(groups, key, row):
            for name in ("offered", "accepted", "plans", "without_plan", "running"):
                setattr(target, name, getattr(target, name) + row[name])
    for group in groups.values():
        group.plan_rate = proportion(group.plans, group.offered).as_dict()
        group.plan_rate_accepted = proportion(min(group.plans, group.accepted), group.accepted).as_dict()
    if with_curves:
        _add_curves(groups, count_query, grouping, count_names, today, region_keys)
    _add_agreements(groups, organisation_ids, grouping, date_from, date_to, methods, region_keys, per_organisation)
    if with_outcomes:
        _add_outcomes(groups, organisation_ids, grouping, date_from, date_to, methods, region_keys, per_organisation)
    return sorted(groups.values(), key=lambda g: g.key)


def _add_curves(groups, query, grouping, names, today, region_keys=None):
    event, days = _event_expression(today)
    per_week = defaultdict(lambda: defaultdict(lambda: [{}, 0]))
    rows = (
        query.annotate(event=event, weeks=days / 7).values(*names, "event", "weeks").annotate(n=Count("id")).order_by()
    )
    # Per organisation too when the query is grouped by it: a curve point of several organisations is published
    # only when each one's counts by then are 0 or at least the threshold (queries.protected_rows).
    part_weeks = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # (key, org) -> cause -> week -> n
    part_sizes = defaultdict(int)
    for row in rows:
        key = _key(grouping, row, names, region_keys)
        weeks = max(int(row["weeks"] or 0), 0)  # a date before the offer is a data error, counted at week 0
        slot = per_week[key][weeks]
        if row["event"] == "running":
            slot[1] += row["n"]
        else:
            slot[0][row["event"]] = slot[0].get(row["event"], 0) + row["n"]
        if "g_org" in row:
            part_sizes[key, row["g_org"]] += row["n"]
            if row["event"] != "running":
                part_weeks[key, row["g_org"]][row["event"]][weeks] += row["n"]
    for key, weeks in per_week.items():
        table = [(week, events, censored) for week, (events, censored) in sorted(weeks.items())]
        if key in groups and table:
            groups[key].incidence = cumulative_incidence(table, causes=CAUSES, horizons=HORIZONS).as_dict()
    for (key, organisation), n in part_sizes.items():
        part = groups[key].parts.get(organisation) if key in groups else None
        if part is not None:
            # Only what the protection needs, in the shape of ``CumulativeIncidence.as_dict``: never published.
            times = sorted({w for per_cause in part_weeks[key, organisation].values() for w in per_cause})
            part.incidence = {
                "n": n,
                "times": times,
                "causes": {
                    cause: {"events": [part_weeks[key, organisation][cause].get(w, 0) for w in times]}
                    for cause in CAUSES
                },
            }


def _related(model_query, prefix, organisation_ids, grouping, date_from, date_to, methods, per_organisation=False):
    """A query on a table that hangs on a trajectory, filtered and grouped like the trajectories."""
    filters = {f"{prefix}organisation_id__in": list(organisation_ids)}
    if date_from:
        filters[f"{prefix}offered_on__gte"] = date_from
    if date_to:
        filters[f"{prefix}offered_on__lte"] = date_to
    if methods:
        filters[f"{prefix}method_code__in"] = list(methods)
    return _annotated(model_query.filter(**filters), grouping, prefix, per_organisation)


def _add_agreements(
    groups, organisation_ids, grouping, date_from, date_to, methods, region_keys=None, per_organisation=False
):
    """How the agreements were kept, defined as on the plan page (kring.plans.core.Keeping): per plan the
    judgements at its latest review held, kept 1, partly half, not kept 0, "no longer needed" left out."""
    # The latest review held of each plan: no later one held (an anti-join over the reviews, not a subquery per
    # judgement, which took four times as long at 250,000 trajectories).
    later = Review.objects.filter(plan_id=OuterRef("plan_id"), held_on__isnull=False).filter(
        Q(held_on__gt=OuterRef("held_on")) | Q(held_on=OuterRef("held_on"), id__gt=OuterRef("id"))
    )
    latest = Review.objects.filter(held_on__isnull=False).exclude(Exists(later)).values("id")
    query, names = _related(
        ReviewItem.objects.exclude(keeping=ReviewKeeping.STOPPED).filter(review_id__in=latest),
        "review__plan__trajectory__",
        organisation_ids,
        grouping,
        date_from,
        date_to,
        methods,
        per_organisation,
    )
    rows = query.values(*names, "keeping").annotate(n=Count("id")).order_by()
    totals = {}  # id of a group or part -> (it, its counts per keeping)
    for row in rows:
        for target in _targets(groups, _key(grouping, row, names, region_keys), row):
            totals.setdefault(id(target), (target, defaultdict(int)))[1][row["keeping"]] += row["n"]
    for target, counts in totals.values():
        keeping = plans_core.Keeping(
            counts[ReviewKeeping.KEPT], counts[ReviewKeeping.PARTLY], counts[ReviewKeeping.NOT_KEPT]
        )
        target.agreements = {
            "judged": keeping.judged,
            "kept": keeping.kept,
            "partly": keeping.partly,
            "not_kept": keeping.not_kept,
            "kept_rate": kept_rate(keeping),
        }


def kept_rate(keeping: plans_core.Keeping) -> dict:
    """The share kept with an interval that holds whatever half a "partly" is worth: from the Wilson lower bound
    with partly counted as not kept to the upper bound with partly counted as kept (a proportion's interval
    needs whole successes)."""
    low = proportion(keeping.kept, keeping.judged)
    high = proportion(keeping.kept + keeping.partly, keeping.judged)
    return {
        "k": keeping.kept + keeping.partly / 2,
        "n": keeping.judged,
        "estimate": keeping.share,
        "low": low.low,
        "high": high.high,
        "level": low.level,
    }


OUTCOME_SHARES = (
    # (name, field, counted values, of values)
    ("out_of_home", "placement", ("in_network", "outside_network"), ("in_network", "outside_network", "at_home")),
    ("placed_in_network", "placement", ("in_network",), ("in_network", "outside_network")),
    ("maltreatment", "maltreatment_indication", ("yes",), ("yes", "no")),
    ("high_risk", "risk_level", ("high",), ("low", "medium", "high")),
    ("professional_care", "professional_care", ("yes",), ("yes", "no")),
    ("supervision_order", "supervision_order", ("yes",), ("yes", "no")),
    ("returned_home", "returned_home", ("yes",), ("yes", "no")),
    ("without_help", "without_help", ("yes",), ("yes", "no")),
)


def _add_outcomes(
    groups, organisation_ids, grouping, date_from, date_to, methods, region_keys=None, per_organisation=False
):
    query, names = _related(
        OutcomeMeasurement.objects.all(),
        "trajectory__",
        organisation_ids,
        grouping,
        date_from,
        date_to,
        methods,
        per_organisation,
    )
    aggregates = {}
    for name, column, counted, of in OUTCOME_SHARES:
        aggregates[f"{name}__k"] = Count("id", filter=Q(**{f"{column}__in": counted}))
        aggregates[f"{name}__n"] = Count("id", filter=Q(**{f"{column}__in": of}))
    for row in query.values(*names, "moment").annotate(measured=Count("id"), **aggregates).order_by():
        for target in _targets(groups, _key(grouping, row, names, region_keys), row):
            moment = target.outcomes.setdefault(row["moment"], {"measured": 0, "shares": {}, "scores": {}})
            moment["measured"] += row["measured"]
            for name, *_rest in OUTCOME_SHARES:
                previous = moment["shares"].get(name, {"k": 0, "n": 0})
                k, n = previous["k"] + row[f"{name}__k"], previous["n"] + row[f"{name}__n"]
                moment["shares"][name] = {"k": k, "n": n, **proportion(k, n).as_dict()}
    score_query, names = _related(
        AdministrationScore.objects.filter(value__isnull=False),
        "trajectory__",
        organisation_ids,
        grouping,
        date_from,
        date_to,
        methods,
        per_organisation,
    )
    for row in (
        score_query.values(*names, "moment", "instrument_code", "score_code")
        .annotate(total=Sum("value"), n=Count("id"))
        .order_by()
    ):
        for target in _targets(groups, _key(grouping, row, names, region_keys), row):
            moment = target.outcomes.setdefault(row["moment"], {"measured": 0, "shares": {}, "scores": {}})
            score = moment["scores"].setdefault(
                f"{row['instrument_code']}.{row['score_code']}", {"total": 0.0, "n": 0, "mean": None}
            )
            score["total"] += row["total"]
            score["n"] += row["n"]
            score["mean"] = score["total"] / score["n"]
