"""Reads of the evaluation stage. Nobody sees a case here: what leaves this stage is aggregates, and extracts
with pseudonyms. Who sees which aggregates:

- a team lead or functional administrator: the indicators of their own organisations, with exact counts (they
  run those teams and already see the cases of their own team);
- a researcher: the indicators of their own organisations and the extracts of their research projects, with
  counts under 5 suppressed (decision 49);
- anyone, without logging in: the public overview, per method and region over all organisations, suppressed.

Every read is logged (record type ``indicators``, ``report`` or ``extract``), with no case named.
"""
from __future__ import annotations

from dataclasses import dataclass

from kring.accounts.models import Organisation, Role
from kring.audit.services import Access, Action, log_access
from kring.core.errors import NotFound

from . import indicators
from .core.disclosure import suppress_counts, suppress_rates
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


def _chosen(scope: EvaluationScope, organisation_ids) -> list[int]:
    """The organisations asked for, within the scope; all of the scope when none is named."""
    if not organisation_ids:
        return scope.ids
    wanted = {int(i) for i in organisation_ids}
    if not wanted <= set(scope.ids):
        raise NotFound()
    return sorted(wanted)


@dataclass
class IndicatorView:
    rows: list  # indicators.GroupIndicators, with counts blanked where suppressed
    organisation_ids: list
    suppressed: bool
    grouping: str


COUNT_FIELDS = ("plans", "without_plan", "running")


def _suppress(rows: list) -> list:
    """Blank small counts (and what would give them away) in the indicator rows, and the rates, curves and
    outcomes built on a group too small to show."""
    table = [{"key": r.key, "plans": r.plans, "without_plan": r.without_plan, "running": r.running,
              "total": r.offered} for r in rows]
    safe = suppress_counts(table, SMALL_CELL, count_keys=COUNT_FIELDS, total_key="total").rows
    rates = suppress_rates(table, "plans", "total", ["rate"], SMALL_CELL)
    for row, shown, rate in zip(rows, safe, rates):
        row.suppressed = set(shown["suppressed"]) | ({"plan_rate"} if "rate" in rate["suppressed"] else set())
        for name in COUNT_FIELDS:
            setattr(row, name, shown[name])
        row.offered = shown["total"]
        row.accepted = row.accepted if row.offered is not None and row.accepted >= SMALL_CELL else None
        if "plan_rate" in row.suppressed or row.offered is None:
            row.plan_rate = None
            row.plan_rate_accepted = None
            row.incidence = None
        if row.agreements and row.agreements.get("judged", 0) < SMALL_CELL:
            row.agreements = {}
        for moment in list(row.outcomes.values()):
            moment["shares"] = {name: share for name, share in moment["shares"].items() if share["n"] >= SMALL_CELL
                                and SMALL_CELL <= share["k"] <= share["n"] - SMALL_CELL}
            moment["scores"] = {name: s for name, s in moment["scores"].items() if s["n"] >= SMALL_CELL}
    return rows


def indicator_view(actor, *, grouping, today, organisation_ids=None, date_from=None, date_to=None, methods=None,
                   path="") -> IndicatorView:
    scope = scope_for(actor.user)
    if scope.empty:
        raise NotFound()
    chosen = _chosen(scope, organisation_ids)
    rows = indicators.compute(chosen, grouping, today=today, date_from=date_from, date_to=date_to, methods=methods)
    suppressed = scope.suppressed(chosen)
    if suppressed:
        rows = _suppress(rows)
    else:
        for row in rows:
            row.suppressed = set()
    log_access(actor, Action.VIEW, [Access("indicators", grouping, None, o) for o in chosen], path=path,
               detail=f"grouping={grouping}")
    return IndicatorView(rows, chosen, suppressed, grouping)


def public_indicators(*, grouping, today, date_from=None, date_to=None) -> list:
    """The public overview over every organisation: only per method or region, always suppressed."""
    if grouping not in ("method", "region", "year"):
        raise NotFound()
    ids = list(Organisation.objects.values_list("id", flat=True))
    return _suppress(indicators.compute(ids, grouping, today=today, date_from=date_from, date_to=date_to,
                                        with_outcomes=False))


# ---- jobs and projects -------------------------------------------------------------------------------------


def jobs_of(actor, limit=10) -> list[EvaluationJob]:
    return list(EvaluationJob.objects.filter(requested_by=actor.user).defer("result")[:limit])


def job_for(actor, job_id, path="") -> EvaluationJob:
    """A job of this user (only the one who asked for it sees it); NotFound otherwise."""
    job = EvaluationJob.objects.filter(pk=job_id, requested_by=actor.user).defer("result").first()
    if job is None:
        raise NotFound()
    return job


def job_result(actor, job_id, path="") -> EvaluationJob:
    job = EvaluationJob.objects.filter(pk=job_id, requested_by=actor.user, status="done").first()
    if job is None:
        raise NotFound()
    log_access(actor, Action.EXPORT, [Access(job.kind, job.pk, None, o) for o in job.organisation_ids or [None]],
               path=path, detail=job.filename)
    return job


def projects_of(actor) -> list[ResearchProject]:
    """The research projects this user may use: as a researcher on it, or as the functional administrator of
    one of its organisations."""
    user = actor.user
    administered = [m.organisation_id for m in user.active_memberships() if m.role == Role.ADMINISTRATOR]
    found = (ResearchProject.objects.filter(members=user) | ResearchProject.objects.filter(
        organisations__in=administered)).distinct().prefetch_related("organisations", "members")
    return list(found)


def project_for(actor, project_id) -> ResearchProject:
    project = next((p for p in projects_of(actor) if p.pk == project_id), None)
    if project is None:
        raise NotFound()
    return project


def log_compare(actor, organisation_ids, method, path=""):
    """An effect evaluation reads every registered trajectory of the method and the comparison: logged as such."""
    log_access(actor, Action.VIEW, [Access("effect_evaluation", method, None, o) for o in organisation_ids],
               path=path)


def log_upload(actor, filename, path=""):
    log_access(actor, Action.VIEW, [Access("external_extract", "", None, None)], path=path,
               detail=str(filename)[:200])
