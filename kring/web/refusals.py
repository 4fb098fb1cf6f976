"""Every refused request is in the access log once, against the organisation it concerns.

The queries and services log what they refuse themselves when they know it (a case the user may not see, a change
their role does not allow). Many refusals are a plain "not found" deep inside a query: another organisation's
record id under one's own case, a job or project of someone else. Rather than teach each of those places the
record's organisation, this middleware looks at every 403 and 404 answer of a route that names records: if
nothing was logged as refused during the request, it finds the record that was refused from the route's
parameters and logs it, with that record's own case and organisation, so the privacy officer of the organisation
whose record was tried sees the attempt. ``kring.audit.services`` counts the refusals logged per request, so a
refusal is never logged twice.

The record a route's parameter names is declared once, in ``RECORD_PARAMETERS``; a parameter not declared there is
not a record (a method code, a moment, a format). ``tests/security/test_07_refusals_logged.py`` walks every route
and fails for a record parameter whose refusal lands at the wrong organisation.
"""

from dataclasses import dataclass

from kring.audit.services import Access, Action, counting_refusals, log_access

REFUSED = (403, 404)


@dataclass(frozen=True)
class RecordParameter:
    record_type: str
    model: str  # "app_label.ModelName"
    case_field: str | None = "case_id"  # how the record reaches its case; None for records outside cases


def _param(record_type, model, case_field="case_id"):
    return RecordParameter(record_type, model, case_field)


# Route parameter -> the record it names. "<namespace>:<parameter>" where a name means different records.
RECORD_PARAMETERS = {
    "person_id": _param("person", "cases.Person"),
    "consent_id": _param("consent", "cases.Consent"),
    "cases:member_id": _param("case_team", "cases.CaseTeamMember"),
    "cases_api:member_id": _param("case_team", "cases.CaseTeamMember"),
    "relation_id": _param("relationship", "network.Relationship"),
    "relationship_id": _param("relationship", "network.Relationship"),
    "tie_id": _param("system_tie", "network.SystemTie"),
    "run_id": _param("selector_run", "trajectories.SelectorRun"),
    "trajectory_id": _param("trajectory", "trajectories.Trajectory"),
    "meeting_id": _param("meeting", "meetings.Meeting"),
    "invitation_id": _param("invitation", "meetings.Invitation"),
    "contribution_id": _param("meeting_information", "meetings.InformationContribution", "meeting__case_id"),
    "plan_id": _param("plan", "plans.Plan"),
    "line_id": _param("bottom_line", "plans.BottomLine"),
    "bottom_line_id": _param("bottom_line", "plans.BottomLine"),
    "agreement_id": _param("agreement", "plans.Agreement"),
    "review_id": _param("plan_review", "plans.Review"),
    "link_id": _param("personal_link", "plans.PersonalLink"),
    "entry_id": _param("safety_map_entry", "plans.SafetyMapEntry"),
    "statement_id": _param("danger_statement", "plans.DangerStatement"),
    "rating_id": _param("safety_rating", "plans.SafetyScaleRating"),
    "plans:member_id": _param("safety_network_member", "plans.SafetyNetworkMember"),
    "attachment_id": _param("child_tool", "plans.ChildToolAttachment"),
    "administration_id": _param("instrument_administration", "measures.Administration"),
    "journal_entry_id": _param("journal_entry", "journal.JournalEntry"),
    "organisation_id": _param("organisation", "accounts.Organisation", None),
    "team_id": _param("team", "accounts.Team", None),
    "offer_id": _param("method_offer", "methods.MethodOffer", None),
    "job_id": _param("evaluation_job", "evaluation.EvaluationJob", None),
    "project_id": _param("research_project", "evaluation.ResearchProject", None),
}
CASE = _param("case", "cases.Case", "id")


def record_parameter(route_name: str, parameter: str, route: str = "") -> RecordParameter | None:
    """What a route's parameter names, or None when it is not a record id."""
    if parameter == "case_id" or (parameter == "pk" and route.startswith("cases/")):
        return CASE
    namespace = route_name.rpartition(":")[0].split(":")[-1]
    return RECORD_PARAMETERS.get(f"{namespace}:{parameter}") or RECORD_PARAMETERS.get(parameter)


@dataclass
class Found:
    parameter: RecordParameter
    record_id: object
    exists: bool
    case_id: int | None = None
    organisation_ids: tuple = ()


def _organisations_of(model, record_id) -> tuple[bool, tuple]:
    """(exists, organisation ids) of a record outside cases."""
    if model._meta.label == "accounts.Organisation":
        return model.objects.filter(pk=record_id).exists(), (record_id,)
    if model._meta.label == "evaluation.EvaluationJob":
        found = model.objects.filter(pk=record_id).values_list("organisation_ids", flat=True).first()
        return found is not None, tuple(found or ())
    if model._meta.label == "evaluation.ResearchProject":
        if not model.objects.filter(pk=record_id).exists():
            return False, ()
        return True, tuple(
            model.organisations.through.objects.filter(researchproject_id=record_id)
            .order_by("organisation_id")
            .values_list("organisation_id", flat=True)
        )
    found = model.objects.filter(pk=record_id).values_list("organisation_id", flat=True).first()
    return found is not None, (found,) if found is not None else ()


def _look_up(parameter: RecordParameter, record_id) -> Found:
    from django.apps import apps

    model = apps.get_model(parameter.model)
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        return Found(parameter, record_id, False)
    if not 0 < record_id < 2**63:
        return Found(parameter, record_id, False)
    if parameter.case_field is None:
        exists, organisation_ids = _organisations_of(model, record_id)
        return Found(parameter, record_id, exists, None, organisation_ids)
    row = model.objects.filter(pk=record_id).values_list(parameter.case_field, "organisation_id").first()
    if row is None:
        return Found(parameter, record_id, False)
    return Found(parameter, record_id, True, row[0], (row[1],))


def refused_record(user, route_name: str, route: str, kwargs: dict) -> Found | None:
    """The record a refused request was refused: the case (or organisation) the route is under if the user may
    not see it; else the first record that does not exist or lies outside that case (or organisation); else the
    innermost record. None when the route names no record."""
    from kring.cases.queries import can_see_case

    found = [
        _look_up(p, value)
        for p, value in ((record_parameter(route_name, name, route), value) for name, value in kwargs.items())
        if p
    ]
    if not found:
        return None
    container = found[0]
    if container.parameter is CASE:
        if not container.exists or not can_see_case(user, container.record_id):
            return container
        for record in found[1:]:
            if not record.exists:
                # No such record: the attempt concerns the case it was tried under.
                return Found(record.parameter, record.record_id, False, container.case_id, container.organisation_ids)
            if record.case_id != container.case_id:
                return record
    elif container.parameter.model == "accounts.Organisation":
        if not container.exists or not getattr(user, "roles_in", lambda _pk: set())(container.record_id):
            return container
        for record in found[1:]:
            if not record.exists:
                return Found(record.parameter, record.record_id, False, None, container.organisation_ids)
            if set(record.organisation_ids) != set(container.organisation_ids):
                return record
    return found[-1]


def _accesses(record: Found) -> list[Access]:
    """One entry per organisation the record concerns (each privacy officer sees it once), or one without."""
    return [
        Access(record.parameter.record_type, record.record_id, record.case_id, organisation_id)
        for organisation_id in (record.organisation_ids or (None,))
    ]


def log_unlogged_refusal(request, response) -> None:
    from kring.core.actor import Actor

    match = getattr(request, "resolver_match", None)
    if match is None:
        return
    user = getattr(request, "user", None)
    record = refused_record(user, match.view_name, match.route or "", match.kwargs)
    actor = Actor.from_request(request)
    detail = f"refused with {response.status_code} ({match.view_name})"
    if record is not None:
        log_access(actor, Action.DENIED, _accesses(record), detail=detail)
    elif getattr(user, "is_authenticated", False):
        # A page refused as a whole (not the user's role): on record for the user's own organisations.
        organisations = sorted({m.organisation_id for m in user.active_memberships()}) or [None]
        log_access(
            actor,
            Action.DENIED,
            [Access("page", match.view_name, None, o) for o in organisations],
            detail=detail,
        )


class LogRefusalsMiddleware:
    """Log a refused request (403 or 404 of a known route) once, if nothing in the request logged it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with counting_refusals() as counter:
            response = self.get_response(request)
            if response.status_code in REFUSED and counter.count == 0:
                log_unlogged_refusal(request, response)
        return response
