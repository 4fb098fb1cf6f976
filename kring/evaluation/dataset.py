"""The uniform minimum dataset: one row per trajectory, of every method and of regular care alike, built from what
the earlier stages registered. The variables are declared once, here, and the data dictionary, the research
extract and the effect evaluation all read the same declaration, so a variable cannot be in one and not the other.

What goes in is what a researcher needs and no more: no names, no dates of birth, no free text. Dates become
the quarter of the offer and durations in weeks; persons become counts and ages; records become pseudonyms
(``core.disclosure``) that are stable within one research project only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Avg, Count, Min, Q
from django.db.models.expressions import RawSQL
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kring.cases.choices import LegalContext, ReferralRoute, SafetyConcern
from kring.measures.choices import (
    EARLY_ENDINGS,
    Ending,
    Household,
    Informant,
    Moment,
    Placement,
    ProblemArea,
    RiskLevel,
    YesNoUnknown,
)
from kring.measures.instrument_catalogue import load_all as instrument_definitions
from kring.measures.models import AdministrationScore, OutcomeMeasurement, Registration
from kring.meetings.models import MeetingPart
from kring.plans import core as plans_core
from kring.plans.models import Agreement, BottomLine, Plan, Review, ReviewItem
from kring.trajectories.choices import AbandonmentReason, ClosureReason, Status
from kring.trajectories.models import Trajectory

from .core.disclosure import pseudonym

REGULAR_CARE = "regular_care"
# Days a review may be held after its planned date and still count as on time (fidelity).
REVIEW_GRACE_DAYS = 14

# The outcomes the issue names, taken from an instrument's score: (variable stem, instrument, score, label).
INSTRUMENT_OUTCOMES = (
    ("safety_scale", "sos_safety_scale", "score", _("safety scale (0-10), mean of the respondents")),
    ("satisfaction", "kring_satisfaction", "experience", _("client satisfaction (1-5), mean of the respondents")),
    ("satisfaction_mark", "kring_satisfaction", "mark", _("overall mark (1-10), mean of the respondents")),
    ("social_support", "ssl_i_12", "total", _("social support (SSL-I-12 total)")),
    ("empowerment", "fes", "total", _("family empowerment (FES total)")),
    ("self_reliance", "zrm", "mean", _("self-reliance (ZRM mean of the domains)")),
    ("goals_realised", "goal_attainment", "realised", _("share of the agreed goals realised")),
)


@dataclass(frozen=True)
class Variable:
    name: str
    label: object  # lazy text, or {"nl": ..., "en": ...}
    kind: str  # pseudonym, code, integer, number, binary, text
    group: str
    choices: object = None  # a TextChoices class, for codes
    unit: str = ""
    note: object = ""


def _v(name, label, kind, group, choices=None, unit="", note=""):
    return Variable(name, label, kind, group, choices, unit, note)


def _moment_variables() -> list[Variable]:
    out = []
    for moment in Moment:
        m = moment.value
        out += [
            _v(f"{m}_measured", _("outcomes recorded at this moment"), "binary", m),
            _v(f"{m}_weeks", _("weeks from the offer to this measurement"), "integer", m, unit="weeks"),
            _v(f"{m}_maltreatment", _("indications of child maltreatment"), "code", m, YesNoUnknown),
            _v(f"{m}_risk", _("risk"), "code", m, RiskLevel),
            _v(f"{m}_high_risk", _("high risk (1) or not (0); empty when unknown"), "binary", m),
            _v(f"{m}_professional_care", _("professional care in use"), "code", m, YesNoUnknown),
            _v(f"{m}_supervision_order", _("supervision order"), "code", m, YesNoUnknown),
            _v(f"{m}_placement", _("where the child lives"), "code", m, Placement),
            _v(f"{m}_out_of_home", _("placed out of home (1) or at home (0); empty when unknown"), "binary", m),
            _v(f"{m}_placed_in_network", _("placed within the network (1) among those placed"), "binary", m),
            _v(f"{m}_returned_home", _("returned home since the last moment"), "code", m, YesNoUnknown),
            _v(
                f"{m}_without_help",
                _("the family can carry on without help (outcome indicator 3.1)"),
                "code",
                m,
                YesNoUnknown,
            ),
            _v(f"{m}_informant", _("informant"), "code", m, Informant),
        ]
        out += [_v(f"{m}_{stem}", label, "number", m) for stem, _i, _s, label in INSTRUMENT_OUTCOMES]
    return out


# The variables every trajectory has, whatever the moments and instruments: in the order of the extract's columns.
TRAJECTORY_VARIABLES = (
    _v("trajectory", _("pseudonym of the trajectory"), "pseudonym", "identification"),
    _v("case", _("pseudonym of the case (a family may have several trajectories)"), "pseudonym", "identification"),
    _v("organisation", _("pseudonym of the organisation"), "pseudonym", "identification"),
    _v("team", _("pseudonym of the team"), "pseudonym", "identification"),
    _v("jurisdiction", _("the Netherlands (NL) or Flanders (VL)"), "code", "identification"),
    _v("region", _("region of the organisation"), "text", "identification"),
    _v("method", _("method"), "code", "method"),
    _v("method_version", _("version of the method definition followed"), "text", "method"),
    _v("variant", _("variant of the method"), "code", "method"),
    _v("regular_care", _("comparison case in regular care (1) or a network method (0)"), "binary", "method"),
    _v("offer_year", _("year of the offer"), "integer", "method"),
    _v("offer_quarter", _("quarter of the offer, e.g. 2026-Q3"), "text", "method"),
    _v("legal_context", _("legal context"), "code", "case", LegalContext),
    _v("safety_concern", _("safety concern at the start"), "code", "case", SafetyConcern),
    _v("referral_route", _("referral route"), "code", "case", ReferralRoute),
    _v("registered", _("family characteristics recorded"), "binary", "case"),
    _v("children", _("number of children the case is about"), "integer", "case"),
    _v("child_age_min", _("age of the youngest child at the offer"), "integer", "case", unit="years"),
    _v("child_age_max", _("age of the oldest child at the offer"), "integer", "case", unit="years"),
    _v("child_age_mean", _("mean age of the children at the offer"), "number", "case", unit="years"),
    _v("household", _("the children live with"), "code", "case", Household),
    _v("household_size", _("persons in the household"), "integer", "case"),
    *[_v(f"problem_{area.value}", area.label, "binary", "case") for area in ProblemArea],
    _v("high_conflict_divorce", _("high-conflict divorce"), "code", "case", YesNoUnknown),
    _v("migration_background", _("migration background of a parent"), "code", "case", YesNoUnknown),
    _v(
        "parent_intellectual_disability",
        _("a parent with a mild intellectual disability"),
        "code",
        "case",
        YesNoUnknown,
    ),
    _v(
        "network_size",
        _("network size at the offer (living persons on the map, central persons excluded)"),
        "integer",
        "case",
    ),
    _v("informal_network_size", _("informal network at the offer"), "integer", "case"),
    _v("professional_network_size", _("professionals in the network at the offer"), "integer", "case"),
    _v("status", _("status of the trajectory"), "code", "trajectory", Status),
    _v("accepted", _("the family accepted the offer"), "binary", "trajectory"),
    _v(
        "event",
        _(
            "how the offer ended: plan, abandoned (abandoned, declined or closed before a plan), or "
            "running (still open: censored)"
        ),
        "code",
        "trajectory",
    ),
    _v(
        "event_weeks",
        _("weeks from the offer to the event, or to today while running"),
        "integer",
        "trajectory",
        unit="weeks",
    ),
    _v("weeks_to_plan", _("weeks from the offer to the plan"), "integer", "trajectory", unit="weeks"),
    _v("weeks_to_abandonment", _("weeks from the offer to abandonment"), "integer", "trajectory", unit="weeks"),
    _v("abandonment_reason", _("reason for abandoning"), "code", "trajectory", AbandonmentReason),
    _v("weeks_to_closure", _("weeks from the offer to closure"), "integer", "trajectory", unit="weeks"),
    _v("closure_reason", _("reason for closing"), "code", "trajectory", ClosureReason),
    _v("ending", _("how the help ended (after the iJw list JZ588)"), "code", "trajectory", Ending),
    _v(
        "ended_as_planned",
        _("the help ended as planned (1) or early (0); empty while it runs"),
        "binary",
        "trajectory",
    ),
    _v("plan_made", _("a plan was made"), "binary", "plan"),
    _v("plan_editions", _("formal versions of the plan"), "integer", "plan"),
    _v("agreements", _("agreements ever in force"), "integer", "plan"),
    _v(
        "agreements_kept_share",
        _("share of the agreements kept at the latest review (kept = 1, partly = 0.5)"),
        "number",
        "plan",
    ),
    _v("reviews_held", _("reviews held"), "integer", "plan"),
    _v(
        "fid_independent_coordinator",
        _("fidelity: a coordinator other than the family's case worker"),
        "binary",
        "fidelity",
    ),
    _v(
        "fid_bottom_lines_before_meeting",
        _("fidelity: bottom lines set before the first meeting"),
        "binary",
        "fidelity",
    ),
    _v("fid_private_time_held", _("fidelity: private family time held without professionals"), "binary", "fidelity"),
    _v("fid_plan_presented_by_family", _("fidelity: the plan was presented by the family"), "binary", "fidelity"),
    _v("fid_child_view", _("fidelity: the child's view is in the plan"), "binary", "fidelity"),
    _v("fid_reviews_on_time", _("fidelity: every review held so far was held on time"), "binary", "fidelity"),
)


def variables() -> list[Variable]:
    """Every variable of the minimum dataset, in the order of the extract's columns."""
    return [*TRAJECTORY_VARIABLES, *_moment_variables(), *_instrument_variables()]


def _instrument_variables() -> list[Variable]:
    """A column per moment and score of every instrument (mean over the respondents), from the definitions."""
    out = []
    for definition in instrument_definitions().values():
        for score in definition.scores:
            for moment in Moment:
                out.append(
                    Variable(
                        f"{moment.value}_{definition.code}_{score.code}",
                        {
                            "nl": f"{definition.name.nl}: {score.name.nl}",
                            "en": f"{definition.name.en}: {score.name.en}",
                        },
                        "number",
                        "instrument",
                        note=_("mean over the respondents at this moment"),
                    )
                )
    return out


# ---- the data dictionary -------------------------------------------------------------------------------------


def _in(language, text):
    with translation.override(language):
        return str(text)


def _label(label, language):
    """A variable's label in one language: a text per language (the instruments' own names), a lazy text, or a
    plain text that is the same in both."""
    if isinstance(label, dict):
        return label[language]
    return label if isinstance(label, str) else _in(language, label)


def dictionary() -> list[dict]:
    """The data dictionary: per variable its name, labels in Dutch and English, type, unit and codes."""
    entries = []
    for variable in variables():
        codes = []
        if variable.choices is not None:
            codes = [{"code": c.value, "nl": _in("nl", c.label), "en": _in("en", c.label)} for c in variable.choices]
        label = variable.label
        entries.append(
            {
                "name": variable.name,
                "group": variable.group,
                "type": variable.kind,
                "unit": variable.unit,
                "label_nl": _label(label, "nl"),
                "label_en": _label(label, "en"),
                "note_nl": _in("nl", variable.note) if variable.note else "",
                "note_en": _in("en", variable.note) if variable.note else "",
                "codes": codes,
            }
        )
    return entries


# ---- the rows ----------------------------------------------------------------------------------------------


def _weeks(start: date | None, end: date | None) -> int | None:
    if start is None or end is None:
        return None
    return (end - start).days // 7


def _age(birth_ages: list) -> tuple:
    if not birth_ages:
        return None, None, None
    return min(birth_ages), max(birth_ages), round(sum(birth_ages) / len(birth_ages), 2)


def _yes_no_binary(value, yes, no):
    if value in yes:
        return 1
    if value in no:
        return 0
    return None


def event_of(row: dict, today: date) -> tuple[str, int]:
    """(event, weeks): a plan and its absence compete. An offer ends without a plan when it is abandoned,
    declined, or closed before a plan; what is still open is censored at today (decision 48)."""
    offered = row["offered_on"]
    if row["plan_made_on"] is not None:
        return "plan", _weeks(offered, row["plan_made_on"])
    for field in ("abandoned_on", "declined_on", "closed_on"):
        if row[field] is not None:
            return "abandoned", _weeks(offered, row[field])
    return "running", _weeks(offered, today)


TRAJECTORY_COLUMNS = (
    "id",
    "case_id",
    "organisation_id",
    "team_id",
    "organisation__jurisdiction",
    "organisation__region",
    "method_code",
    "method_version",
    "variant_code",
    "status",
    "offered_on",
    "accepted_on",
    "declined_on",
    "plan_made_on",
    "abandoned_on",
    "abandonment_reason",
    "closed_on",
    "closure_reason",
    "coordinator_id",
    "coordinator_is_case_worker",
    "case__legal_context",
    "case__safety_concern",
    "case__referral_route",
)

# The columns the rows are made of (and no others: reading fewer columns is most of what a chunk's query costs).
REGISTRATION_COLUMNS = (
    "trajectory_id",
    "problem_areas",
    "household",
    "household_size",
    "high_conflict_divorce",
    "migration_background",
    "parent_intellectual_disability",
    "network_size",
    "informal_network_size",
    "professional_network_size",
    "ending",
    "children_ages",
)
OUTCOME_COLUMNS = (
    "trajectory_id",
    "moment",
    "measured_on",
    "maltreatment_indication",
    "risk_level",
    "professional_care",
    "supervision_order",
    "placement",
    "returned_home",
    "without_help",
    "informant",
)


def build_rows(trajectories, *, project_key: bytes | None, today: date, chunk_size: int = 5000):
    """Yield one row (a dict keyed by variable name) per trajectory of the queryset ``trajectories``.

    The caller decides which trajectories (a research project's organisations, a dashboard's filter); nothing
    here widens that. Each chunk takes a fixed number of queries, whatever its length."""
    ids = list(trajectories.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        yield from _rows_for(chunk, project_key, today)


def _one_of(ids):
    """The right-hand side of ``__in`` for many ids as one parameter: on PostgreSQL ``IN (SELECT
    unnest(array))``, on SQLite ``IN (SELECT value FROM json_each(list))``. Thousands of ids as separate
    parameters cost more to compose and parse than the queries take to run; one array costs little, and the
    planner still sees how many ids there are (so it reads the tables by their trajectory index)."""
    ids = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


@dataclass
class _Chunk:
    """What the rows of one chunk of trajectories are made of, each per trajectory (or per plan) id."""

    trajectories: list  # TRAJECTORY_COLUMNS of each trajectory, by id
    registrations: dict
    outcomes: dict  # per moment
    scores: dict  # (moment, instrument, score) -> mean over the respondents
    plans: dict
    agreements: dict  # per plan: agreements ever in force
    reviews: dict  # per plan: the reviews held, oldest first
    keeping: dict  # per plan: the share kept at the latest review
    first_meeting: dict  # when the first meeting started
    private_held: set  # trajectories with private family time held
    first_line: dict  # when the first bottom line was set


def _read_chunk(ids) -> _Chunk:
    """One query per kind of record for the whole chunk, whatever its length."""
    chunk = _one_of(ids)
    trajectories = list(Trajectory.objects.filter(id__in=chunk).order_by("id").values(*TRAJECTORY_COLUMNS))
    registrations = {
        r["trajectory_id"]: r
        for r in Registration.objects.filter(trajectory_id__in=chunk).order_by().values(*REGISTRATION_COLUMNS)
    }
    outcomes = defaultdict(dict)
    # No order: the measurements' default order (by trajectory) would join the trajectories to sort them.
    for o in OutcomeMeasurement.objects.filter(trajectory_id__in=chunk).order_by().values(*OUTCOME_COLUMNS):
        outcomes[o["trajectory_id"]][o["moment"]] = o
    scores = defaultdict(dict)
    for s in (
        AdministrationScore.objects.filter(trajectory_id__in=chunk, value__isnull=False)
        .values("trajectory_id", "moment", "instrument_code", "score_code")
        .annotate(mean=Avg("value"))
        .order_by()
    ):
        scores[s["trajectory_id"]][(s["moment"], s["instrument_code"], s["score_code"])] = s["mean"]
    plans = {
        p["trajectory_id"]: p
        for p in Plan.objects.filter(trajectory_id__in=chunk).values(
            "id", "trajectory_id", "edition", "status", "presented_on", "child_view", "accepted_on"
        )
    }
    plan_ids = _one_of(p["id"] for p in plans.values())
    agreements = dict(
        Agreement.objects.filter(plan_id__in=plan_ids)
        .filter(Q(in_force=True) | Q(status="stopped"))
        .values("plan_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("plan_id", "n")
    )
    reviews = defaultdict(list)
    for r in (
        Review.objects.filter(plan_id__in=plan_ids, held_on__isnull=False)
        .order_by("plan_id", "held_on", "id")
        .values("id", "plan_id", "planned_on", "held_on")
    ):
        reviews[r["plan_id"]].append(r)
    keeping = _latest_keeping(reviews)
    first_meeting = dict(
        MeetingPart.objects.filter(meeting__trajectory_id__in=chunk)
        .values("meeting__trajectory_id")
        .annotate(first=Min("meeting__starts_at"))
        .order_by()
        .values_list("meeting__trajectory_id", "first")
    )
    private_held = set(
        MeetingPart.objects.filter(meeting__trajectory_id__in=chunk, private=True, ended_at__isnull=False)
        .values_list("meeting__trajectory_id", flat=True)
        .distinct()
    )
    first_line = dict(
        BottomLine.objects.filter(trajectory_id__in=chunk)
        .values("trajectory_id")
        .annotate(first=Min("set_on"))
        .order_by()
        .values_list("trajectory_id", "first")
    )
    return _Chunk(
        trajectories,
        registrations,
        outcomes,
        scores,
        plans,
        agreements,
        reviews,
        keeping,
        first_meeting,
        private_held,
        first_line,
    )


def _rows_for(ids, project_key, today):
    records = _read_chunk(ids)
    ages = _children_ages(records.registrations)
    definitions = instrument_definitions()
    for t in records.trajectories:
        tid = t["id"]
        reg = records.registrations.get(tid)
        plan = records.plans.get(tid)
        held = records.reviews.get(plan["id"], []) if plan else []
        row = _trajectory_columns(t, reg, project_key, today)
        _add_case(row, reg, ages.get(tid, []))
        _add_plan(row, plan, held, records)
        _add_fidelity(row, t, plan, held, records)
        _add_moments(row, t, records.outcomes.get(tid, {}), records.scores.get(tid, {}), definitions)
        yield row


def _trajectory_columns(t, reg, project_key, today) -> dict:
    """The trajectory's own columns: pseudonyms, method, case context, and how and when the offer ended."""
    tid = t["id"]
    event, event_weeks = event_of(t, today)
    return {
        # No key: an analysis that never leaves the server needs no identifiers at all.
        "trajectory": pseudonym(project_key, "trajectory", tid) if project_key else None,
        "case": pseudonym(project_key, "case", t["case_id"]) if project_key else None,
        "organisation": pseudonym(project_key, "organisation", t["organisation_id"]) if project_key else None,
        "team": pseudonym(project_key, "team", t["team_id"]) if project_key else None,
        "jurisdiction": t["organisation__jurisdiction"],
        "region": t["organisation__region"],
        "method": t["method_code"],
        "method_version": t["method_version"],
        "variant": t["variant_code"],
        "regular_care": int(t["method_code"] == REGULAR_CARE),
        "offer_year": t["offered_on"].year,
        "offer_quarter": f"{t['offered_on'].year}-Q{(t['offered_on'].month - 1) // 3 + 1}",
        "legal_context": t["case__legal_context"],
        "safety_concern": t["case__safety_concern"],
        "referral_route": t["case__referral_route"],
        "registered": int(reg is not None),
        "status": t["status"],
        "accepted": int(t["accepted_on"] is not None),
        "event": event,
        "event_weeks": event_weeks,
        "weeks_to_plan": _weeks(t["offered_on"], t["plan_made_on"]),
        "weeks_to_abandonment": _weeks(t["offered_on"], t["abandoned_on"]),
        "abandonment_reason": t["abandonment_reason"],
        "weeks_to_closure": _weeks(t["offered_on"], t["closed_on"]),
        "closure_reason": t["closure_reason"],
        "plan_made": int(t["plan_made_on"] is not None),
    }


def _add_case(row, reg, child_ages):
    """The family characteristics of the registration (empty without one)."""
    row["children"] = len(child_ages) if reg else None
    row["child_age_min"], row["child_age_max"], row["child_age_mean"] = _age(child_ages)
    for name in (
        "household",
        "household_size",
        "high_conflict_divorce",
        "migration_background",
        "parent_intellectual_disability",
        "network_size",
        "informal_network_size",
        "professional_network_size",
        "ending",
    ):
        row[name] = reg[name] if reg else None
    areas = set(reg["problem_areas"]) if reg else None
    for area in ProblemArea:
        row[f"problem_{area.value}"] = None if areas is None else int(area.value in areas)
    ending = reg["ending"] if reg else ""
    row["ended_as_planned"] = 1 if ending == Ending.AS_PLANNED else 0 if ending in EARLY_ENDINGS else None


def _add_plan(row, plan, held, records):
    """The plan and how it is kept."""
    row["plan_editions"] = plan["edition"] if plan and plan["accepted_on"] else 0
    row["agreements"] = records.agreements.get(plan["id"], 0) if plan else 0
    row["agreements_kept_share"] = records.keeping.get(plan["id"]) if plan else None
    row["reviews_held"] = len(held)


def _add_fidelity(row, t, plan, held, records):
    """How the method was carried out."""
    tid = t["id"]
    row["fid_independent_coordinator"] = int(t["coordinator_id"] is not None and not t["coordinator_is_case_worker"])
    meeting_at = records.first_meeting.get(tid)
    line_on = records.first_line.get(tid)
    row["fid_bottom_lines_before_meeting"] = (
        None if meeting_at is None else int(line_on is not None and line_on <= meeting_at.date())
    )
    row["fid_private_time_held"] = None if meeting_at is None else int(tid in records.private_held)
    row["fid_plan_presented_by_family"] = None if plan is None else int(plan["presented_on"] is not None)
    row["fid_child_view"] = None if plan is None else int(bool((plan["child_view"] or "").strip()))
    row["fid_reviews_on_time"] = (
        None if not held else int(all((r["held_on"] - r["planned_on"]).days <= REVIEW_GRACE_DAYS for r in held))
    )


def _add_moments(row, t, outcomes, scores, definitions):
    for moment in Moment:
        m = moment.value
        o = outcomes.get(m)
        row[f"{m}_measured"] = int(o is not None)
        row[f"{m}_weeks"] = _weeks(t["offered_on"], o["measured_on"]) if o else None
        for field, name in (
            ("maltreatment_indication", "maltreatment"),
            ("risk_level", "risk"),
            ("professional_care", "professional_care"),
            ("supervision_order", "supervision_order"),
            ("placement", "placement"),
            ("returned_home", "returned_home"),
            ("without_help", "without_help"),
            ("informant", "informant"),
        ):
            row[f"{m}_{name}"] = o[field] if o else None
        placement = o["placement"] if o else None
        row[f"{m}_high_risk"] = _yes_no_binary(o["risk_level"] if o else None, {"high"}, {"low", "medium"})
        row[f"{m}_out_of_home"] = _yes_no_binary(placement, {"in_network", "outside_network"}, {"at_home"})
        row[f"{m}_placed_in_network"] = _yes_no_binary(placement, {"in_network"}, {"outside_network"})
        for stem, instrument, score, _label in INSTRUMENT_OUTCOMES:
            row[f"{m}_{stem}"] = scores.get((m, instrument, score))
        for definition in definitions.values():
            for s in definition.scores:
                row[f"{m}_{definition.code}_{s.code}"] = scores.get((m, definition.code, s.code))


def _latest_keeping(reviews) -> dict:
    """Per plan, how well its agreements were kept at the latest review held, as the plan page counts it
    (kring.plans.core.Keeping). ``reviews``: the held reviews per plan, oldest first."""
    by_review = {held[-1]["id"]: plan_id for plan_id, held in reviews.items() if held}
    judged = defaultdict(list)
    # No order: the items' default order would join the agreements to sort by their order.
    for review_id, keeping in (
        ReviewItem.objects.filter(review_id__in=_one_of(by_review)).order_by().values_list("review_id", "keeping")
    ):
        judged[by_review[review_id]].append(keeping)
    shares = {plan_id: plans_core.keeping_of(values).share for plan_id, values in judged.items()}
    return {plan_id: round(share, 4) for plan_id, share in shares.items() if share is not None}


def _children_ages(registrations) -> dict:
    return {tid: list(r["children_ages"] or []) for tid, r in registrations.items()}
