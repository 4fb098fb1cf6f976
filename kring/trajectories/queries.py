"""Reads of the trajectory stage. Every read starts from the case's visibility query and is logged."""

from __future__ import annotations

from kring.audit.services import Access, Action, log_access
from kring.cases import queries as case_queries
from kring.core.errors import NotFound

from . import deadlines
from .models import FamilyPlanRight, SelectorRun, StrengthsExploration, Trajectory


def trajectory_access(trajectory) -> Access:
    return Access("trajectory", trajectory.pk, trajectory.case_id, trajectory.organisation_id)


def trajectories_for_case(actor, case) -> list[Trajectory]:
    """A visible case's trajectories, newest first, with their phases and coordinator."""
    found = list(
        Trajectory.objects.filter(case=case).select_related("coordinator", "offered_by").prefetch_related("phases")
    )
    if found:
        log_access(actor, Action.LIST, [trajectory_access(t) for t in found])
    return found


def get_trajectory(actor, case_id, trajectory_id) -> tuple:
    """(case, trajectory) if the user may see the case; NotFound otherwise, as for a missing record."""
    case = case_queries.get_case(actor, case_id, log=False)
    trajectory = (
        Trajectory.objects.filter(case=case, pk=trajectory_id)
        .select_related("coordinator", "offered_by", "coordinator_allocated_by", "selector_run")
        .prefetch_related("phases", "events__by")
        .first()
    )
    if trajectory is None:
        raise NotFound()
    log_access(actor, Action.VIEW, [case_queries.case_access(case), trajectory_access(trajectory)])
    return case, trajectory


def selector_runs(actor, case) -> list[SelectorRun]:
    runs = list(SelectorRun.objects.filter(case=case).select_related("created_by", "chosen_by"))
    if runs:
        log_access(actor, Action.LIST, [Access("selector_run", r.pk, case.pk, case.organisation_id) for r in runs])
    return runs


def get_selector_run(actor, case, run_id) -> SelectorRun:
    run = SelectorRun.objects.filter(case=case, pk=run_id).select_related("created_by", "chosen_by").first()
    if run is None:
        raise NotFound()
    log_access(actor, Action.VIEW, [Access("selector_run", run.pk, case.pk, case.organisation_id)])
    return run


def legal_record(actor, case):
    """The Jeugdwet record (Dutch case) or the strengths exploration (Flemish case), or None."""
    model = FamilyPlanRight if case.organisation.jurisdiction == "NL" else StrengthsExploration
    record = model.objects.filter(case=case).first()
    if record is not None:
        record_type = "family_plan_right" if model is FamilyPlanRight else "strengths_exploration"
        log_access(actor, Action.VIEW, [Access(record_type, record.pk, case.pk, case.organisation_id)])
    return record


def clocks_for(trajectory, today=None):
    return deadlines.clocks(trajectory, today)
