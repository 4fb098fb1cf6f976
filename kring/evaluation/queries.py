"""Reads of the evaluation stage. Nobody sees a case here: what leaves this stage is aggregates, and extracts
with pseudonyms. Who sees which aggregates:

- a team lead or functional administrator: the indicators of their own organisations, with exact counts (they
  run those teams and already see the cases of their own team);
- a researcher: the indicators of their own organisations and the extracts of their research projects, with
  counts under 5 suppressed (decision 49). That view always covers the same population: every organisation where
  they see suppressed figures, over the whole period (``choose_view``), so no two suppressed tables can be
  subtracted from each other;
- anyone, without logging in: the public overview, per method and region over all organisations, suppressed.

Every read is logged (record type ``indicators``, ``report`` or ``extract``), with no case named.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Organisation, Role
from kring.audit.services import Access, Action, log_access
from kring.core.errors import NotFound
from kring.trajectories.models import Trajectory

from . import indicators
from .core.disclosure import PARTS, SUPPRESSED, protected_incidence, suppress_linked
from .models import EvaluationJob, ResearchProject

MANAGING_ROLES = {Role.TEAM_LEAD, Role.ADMINISTRATOR}
EVALUATION_ROLES = MANAGING_ROLES | {Role.RESEARCHER}
SMALL_CELL = 5


@dataclass(frozen=True)
class EvaluationScope:
    organisations: tuple  # Organisation objects, by name
    exact: frozenset  # ids of the organisations whose exact counts the user may see

    @property
    def ids(self) -> list[int]:
        return [o.pk for o in self.organisations]

    @property
    def empty(self) -> bool:
        return not self.organisations

    @property
    def researched(self) -> list[int]:
        """The organisations whose figures this user sees only suppressed (researcher there, not managing)."""
        return [o.pk for o in self.organisations if o.pk not in self.exact]

    @property
    def managed(self) -> list[int]:
        return [o.pk for o in self.organisations if o.pk in self.exact]

    def suppressed(self, organisation_ids) -> bool:
        """Counts are suppressed unless the user manages every organisation they cover."""
        return not set(organisation_ids) <= self.exact


def scope_for(user) -> EvaluationScope:
    if not getattr(user, "is_authenticated", False):
        return EvaluationScope((), frozenset())
    memberships = [m for m in user.active_memberships() if m.role in EVALUATION_ROLES]
    organisations = {m.organisation_id: m.organisation for m in memberships}
    exact = frozenset(m.organisation_id for m in memberships if m.role in MANAGING_ROLES)
    return EvaluationScope(tuple(sorted(organisations.values(), key=lambda o: o.name)), exact)


def can_evaluate(user) -> bool:
    return not scope_for(user).empty


EXACT, SUPPRESSED_VIEW = "exact", "suppressed"
VIEWS = (EXACT, SUPPRESSED_VIEW)
PERIOD_REFUSED = _(
    "Figures with small counts hidden always cover the whole period: two periods could be "
    "subtracted from each other. Choose the breakdown per year or per quarter instead."
)
ORGANISATION_REFUSED = _(
    "Figures with small counts hidden always cover all organisations where you do research "
    "together: one organisation could be subtracted from them. Choose the breakdown per "
    "organisation instead."
)
NOT_MANAGED = _(
    "You see the figures of this organisation only with small counts hidden: choose the view with "
    "small counts hidden, without an organisation."
)
NO_EXACT_VIEW = _("You manage none of your organisations: you see their figures with small counts hidden only.")
NO_SUPPRESSED_VIEW = _(
    "You see the exact figures of all your organisations: there is no view with small counts hidden for you."
)


@dataclass(frozen=True)
class ChosenView:
    organisation_ids: list
    suppressed: bool


def default_view(scope: EvaluationScope) -> str:
    """Managers start with their exact figures; someone who manages nothing has the suppressed view only."""
    return EXACT if scope.exact else SUPPRESSED_VIEW


def choose_view(
    scope: EvaluationScope, *, organisation_ids=None, date_from=None, date_to=None, view=None, methods=None
) -> ChosenView:
    """The organisations and the kind of figures of a request, or a refusal before anything is read.

    Exact figures (team lead, administrator): any of the organisations the user manages, any period. Suppressed
    figures: always exactly the organisations where the user sees figures suppressed (researcher there, not
    managing), over the whole period and every method. Two suppressed tables of different periods or
    organisations, or a suppressed table beside an exact one of part of its population, give away by subtraction
    what each hides (issue 12, item 9); the breakdowns per year, quarter, organisation and team are there instead,
    suppressed together with the rest. An organisation outside the scope is NotFound, as everywhere.
    """
    wanted = {int(i) for i in organisation_ids or ()}
    if not wanted <= set(scope.ids):
        raise NotFound()
    view = view or default_view(scope)
    if view not in VIEWS:
        raise ValidationError({"view": [_("Choose exact figures or figures with small counts hidden.")]})
    if view == EXACT:
        if not scope.exact:
            raise ValidationError({"view": [NO_EXACT_VIEW]})
        if not wanted <= scope.exact:
            raise ValidationError({"organisation": [NOT_MANAGED]})
        return ChosenView(sorted(wanted) if wanted else scope.managed, False)
    if not scope.researched:
        raise ValidationError({"view": [NO_SUPPRESSED_VIEW]})
    errors = {}
    if wanted:
        errors["organisation"] = [ORGANISATION_REFUSED]
    if date_from or date_to:
        errors["date_from" if date_from else "date_to"] = [PERIOD_REFUSED]
    if methods:
        errors["methods"] = [ORGANISATION_REFUSED]
    if errors:
        raise ValidationError(errors)
    return ChosenView(scope.researched, True)


@dataclass
class IndicatorView:
    rows: list  # indicators.GroupIndicators, with counts blanked where suppressed
    organisation_ids: list
    suppressed: bool
    grouping: str


COUNT_FIELDS = ("plans", "without_plan", "running")
# The groupings the public overview offers; the researcher's dashboard and API offer every one of indicators'.
PUBLIC_GROUPINGS = ("method", "region", "year")


def protected_rows(
    organisation_ids, grouping, *, today, groupings=indicators.GROUPINGS, region_keys=None, with_outcomes=True
) -> list:
    """The indicator rows of ``grouping`` as a researcher or the public may see them (decision 49, issue 12).

    Always over the whole period and every method: no filter, so two suppressed tables are never of overlapping
    but different populations (``choose_view``). ``region_keys`` renames regions (the public overview merges
    regions of one organisation).

    Every grouping a reader can ask for breaks down the same trajectories, so each table is suppressed together
    with the tables of the other groupings (``suppress_linked``): their totals, and the one-row table of "all",
    hide the same cells, and no total minus the shown groups gives a hidden one away. The same for every count
    published beside the offers (agreements judged, measurements per moment, outcome shares, instrument scores).

    Over several organisations (the public overview, a researcher of more than one) the organisation is a
    dimension of primary suppression too: a cell is shown only when each organisation's own count in it is 0 or
    at least the threshold, so this cell minus the same cell of one organisation's own view is never a small count
    (issue 12, item 9, nested populations). The counts per organisation come from the same queries, grouped by
    the organisation as well.
    """
    per_organisation = len(set(organisation_ids)) > 1
    per_grouping = {
        g: indicators.compute(
            organisation_ids,
            g,
            today=today,
            with_curves=(g == grouping),
            with_outcomes=with_outcomes,
            region_keys=region_keys,
            per_organisation=per_organisation,
        )
        for g in dict.fromkeys((grouping, *groupings, "all"))
    }
    _protect(per_grouping, with_outcomes)
    for rows in per_grouping.values():
        for row in rows:
            row.parts = {}  # what each organisation counts on its own never leaves
    return per_grouping[grouping]


def _link(per_grouping, extract, count_keys, total_key, apply):
    def cells(row):
        found = extract(row)
        if row.parts:
            found[PARTS] = {organisation: extract(part) for organisation, part in row.parts.items()}
        return found

    tables = {g: [cells(row) for row in rows] for g, rows in per_grouping.items()}
    results = suppress_linked(tables, SMALL_CELL, count_keys=count_keys, total_key=total_key)
    for g, rows in per_grouping.items():
        for row, shown in zip(rows, results[g].rows):
            apply(row, shown)


def _protect(per_grouping: dict, with_outcomes: bool) -> None:
    """Blank, in place, every count under the threshold and every further one that would give it away, and what
    is built on them: rates, curves, times, agreements, outcome shares and mean scores."""
    _protect_offers(per_grouping)
    _protect_agreements(per_grouping)
    if with_outcomes:
        _protect_outcomes(per_grouping)


def mark_suppressed(row: indicators.GroupIndicators, fields: set[str]) -> None:
    """Give a published row the names of its blanked fields (``row.suppressed``; report.plain_row and the API read
    it). Set on the instance, not declared on GroupIndicators: a dataclass field would change what ``asdict`` and
    the dataclass's fields give for every row indicators.compute makes."""
    vars(row)["suppressed"] = fields


def _protect_offers(per_grouping: dict) -> None:
    """The offers (with a plan, without, still running) and what is built on them: the rate and the curves."""

    def offers(row):
        return {"plans": row.plans, "without_plan": row.without_plan, "running": row.running, "total": row.offered}

    def apply_offers(row, shown):
        for name in COUNT_FIELDS:
            setattr(row, name, shown[name])
        row.offered = shown["total"]
        suppressed = {("offered" if key == "total" else key) for key in shown[SUPPRESSED]}
        # Accepted offers are a second breakdown of the same offers; they stay with the exact view.
        row.accepted = row.plan_rate_accepted = None
        suppressed |= {"accepted", "plan_rate_accepted"}
        if row.plans is None or row.offered is None:
            row.plan_rate = None  # a rate with its Wilson interval gives its count and its denominator back
            suppressed.add("plan_rate")
        mark_suppressed(row, suppressed)
        parts = {organisation: part.incidence for organisation, part in row.parts.items() if part.incidence}
        row.incidence = protected_incidence(
            row.incidence, {"plan": row.plans, "abandoned": row.without_plan}, SMALL_CELL, parts=parts or None
        )

    _link(per_grouping, offers, COUNT_FIELDS, "total", apply_offers)


def _protect_agreements(per_grouping: dict) -> None:
    """The agreements judged (kept, partly, not kept); the share kept is shown only beside its counts."""

    def judged(row):
        a = row.agreements or {}
        return {
            "kept": a.get("kept", 0),
            "partly": a.get("partly", 0),
            "not_kept": a.get("not_kept", 0),
            "judged": a.get("judged", 0),
        }

    def apply_judged(row, shown):
        if shown["kept"] is None or shown["judged"] is None:
            row.agreements = {}
        else:
            # Partly kept counts half in the share, so the share (and its upper bound) would tell a hidden
            # "partly": it is published only beside that count too.
            rate = row.agreements["kept_rate"] if shown["partly"] is not None else None
            row.agreements = {**{k: shown[k] for k in ("judged", "kept", "partly", "not_kept")}, "kept_rate": rate}

    _link(per_grouping, judged, ("kept", "partly", "not_kept"), "judged", apply_judged)


def _protect_outcomes(per_grouping: dict) -> None:
    """Per moment: the families measured, each outcome share and each mean score, each table linked on its own
    count. What is published is built anew, so nothing unchecked stays behind."""
    every_row = [row for rows in per_grouping.values() for row in rows]
    moments = sorted({m for row in every_row for m in row.outcomes})
    published: dict[int, dict[str, dict[str, Any]]] = {
        id(row): {m: {"measured": None, "shares": {}, "scores": {}} for m in moments} for row in every_row
    }
    for moment in moments:
        _protect_measured(per_grouping, moment, published)
        names = sorted({n for row in every_row for n in row.outcomes.get(moment, {}).get("shares", {})})
        for name in names:
            _protect_share(per_grouping, moment, name, published)
        codes = sorted({c for row in every_row for c in row.outcomes.get(moment, {}).get("scores", {})})
        for code in codes:
            _protect_score(per_grouping, moment, code, published)
    for row in every_row:
        row.outcomes = published[id(row)]


def _protect_measured(per_grouping, moment, published):
    def measured(row):
        return {"measured": row.outcomes.get(moment, {}).get("measured", 0)}

    def apply_measured(row, shown):
        published[id(row)][moment]["measured"] = shown["measured"]

    _link(per_grouping, measured, ("measured",), None, apply_measured)


def _protect_share(per_grouping, moment, name, published):
    def share(row):
        found = row.outcomes.get(moment, {}).get("shares", {}).get(name) or {"k": 0, "n": 0}
        return {"k": found["k"], "rest": found["n"] - found["k"], "n": found["n"]}

    def apply_share(row, shown):
        if shown["k"] is not None and shown["n"] is not None:
            published[id(row)][moment]["shares"][name] = row.outcomes[moment]["shares"][name]

    _link(per_grouping, share, ("k", "rest"), "n", apply_share)


def _protect_score(per_grouping, moment, code, published):
    def score(row):
        return {"n": (row.outcomes.get(moment, {}).get("scores", {}).get(code) or {"n": 0})["n"]}

    def apply_score(row, shown):
        if shown["n"] is not None:
            found = row.outcomes[moment]["scores"][code]
            published[id(row)][moment]["scores"][code] = {"n": found["n"], "mean": found["mean"]}

    _link(per_grouping, score, ("n",), None, apply_score)


def indicator_view(
    actor, *, grouping, today, organisation_ids=None, date_from=None, date_to=None, methods=None, view=None
) -> IndicatorView:
    scope = scope_for(actor.user)
    if scope.empty:
        raise NotFound()
    chosen_view = choose_view(
        scope, organisation_ids=organisation_ids, date_from=date_from, date_to=date_to, view=view, methods=methods
    )
    chosen, suppressed = chosen_view.organisation_ids, chosen_view.suppressed
    if suppressed:
        rows = protected_rows(chosen, grouping, today=today)
    else:
        rows = indicators.compute(chosen, grouping, today=today, date_from=date_from, date_to=date_to, methods=methods)
        for row in rows:
            mark_suppressed(row, set())
    log_access(
        actor,
        Action.VIEW,
        [Access("indicators", grouping, None, o) for o in chosen],
        detail=f"grouping={grouping}",
    )
    return IndicatorView(rows, chosen, suppressed, grouping)


def comparison_disclosure(organisation_ids, *, suppressed, today) -> dict:
    """The keyword arguments of ``comparison.compare`` for a reader: none with exact figures; for a researcher the
    threshold and the offers per method as the linked indicator tables publish them, so a comparison never shows
    a group size those tables hide (issue 12, item 9). A suppressed comparison has no period (``choose_view``)."""
    if not suppressed:
        return {}
    rows = protected_rows(organisation_ids, "method", today=today, with_outcomes=False)
    return {"threshold": SMALL_CELL, "published_groups": {row.key: row.offered for row in rows}}


OTHER_REGIONS = "other"  # the public overview's row of the regions merged together; the page names it


def public_region_keys() -> dict:
    """The public overview's name of each region (organisations' ``region``, "" for none) that holds fewer than
    two organisations with trajectories: they are merged into one row "other regions" (issue 12, item 9).

    A region row of one organisation is the same population as that organisation's researcher view, suppressed
    with another pattern: the two together give away what each hides. When the merged row would again hold one
    organisation, the region with the fewest organisations joins it, so every published row holds at least two.
    """
    per_region: dict[str, set[int]] = {}
    for organisation_id, region in (
        Trajectory.objects.values_list("organisation_id", "organisation__region").distinct().order_by()
    ):
        per_region.setdefault(region or "", set()).add(organisation_id)
    merged = {region for region, members in per_region.items() if len(members) < 2}
    if len(merged) == 1:
        rest = sorted((r for r in per_region if r not in merged), key=lambda r: (len(per_region[r]), r))
        merged |= set(rest[:1])
    return {region: OTHER_REGIONS for region in merged}


def public_indicators(*, grouping, today) -> list:
    """The public overview over every organisation: only per method, region or year, always suppressed, over the
    whole period; regions of a single organisation merged (``public_region_keys``)."""
    if grouping not in PUBLIC_GROUPINGS:
        raise NotFound()
    ids = list(Organisation.objects.values_list("id", flat=True))
    return protected_rows(
        ids, grouping, today=today, groupings=PUBLIC_GROUPINGS, region_keys=public_region_keys(), with_outcomes=False
    )


# ---- jobs and projects -------------------------------------------------------------------------------------


def jobs_of(actor, limit=10) -> list[EvaluationJob]:
    return list(EvaluationJob.objects.filter(requested_by=actor.user).defer("result", "upload")[:limit])


def job_for(actor, job_id) -> EvaluationJob:
    """A job of this user (only the one who asked for it sees it); NotFound otherwise."""
    job = EvaluationJob.objects.filter(pk=job_id, requested_by=actor.user).defer("result", "upload").first()
    if job is None:
        raise NotFound()
    return job


def job_result(actor, job_id) -> EvaluationJob:
    job = EvaluationJob.objects.filter(pk=job_id, requested_by=actor.user, status="done", result__isnull=False).first()
    if job is None:
        raise NotFound()
    log_access(
        actor,
        Action.EXPORT,
        [Access(job.kind, job.pk, None, o) for o in job.organisation_ids or [None]],
        detail=job.filename,
    )
    return job


def projects_of(actor) -> list[ResearchProject]:
    """The research projects this user may use: as a researcher on it, or as the functional administrator of
    one of its organisations."""
    user = actor.user
    administered = [m.organisation_id for m in user.active_memberships() if m.role == Role.ADMINISTRATOR]
    found = (
        (ResearchProject.objects.filter(members=user) | ResearchProject.objects.filter(organisations__in=administered))
        .distinct()
        .prefetch_related("organisations", "members")
    )
    return list(found)


def project_for(actor, project_id) -> ResearchProject:
    project = next((p for p in projects_of(actor) if p.pk == project_id), None)
    if project is None:
        raise NotFound()
    return project


def log_compare(actor, organisation_ids, method):
    """An effect evaluation reads every registered trajectory of the method and the comparison: logged as such."""
    log_access(actor, Action.VIEW, [Access("effect_evaluation", method, None, o) for o in organisation_ids])


def log_upload(actor, filename):
    log_access(actor, Action.VIEW, [Access("external_extract", "", None, None)], detail=str(filename)[:200])
