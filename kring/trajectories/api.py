"""The REST API of the method catalogue, the selector and trajectories. Thin, like the cases API: parse with a
serializer, call a query or a service, answer.

Who may see and change what, validation and the access log live in ``queries.py`` and ``services.py``;
``kring.core.api.exception_handler`` turns their errors into 400, 403, 404 and 409 answers. Where a service
names a field differently from the API (``method_code`` for ``method``), the error is renamed here so a
client finds the message under the field it sent.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from kring.accounts.models import Jurisdiction
from kring.cases import queries as case_queries
from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, parse_input
from kring.core.errors import NotFound
from kring.methods.catalogue import MethodDefinitionError, catalogue

from . import deadlines, queries, services
from .choices import DeadlineKind, Status
from .core import states
from .models import FamilyPlanRight, StrengthsExploration
from .serializers import (
    FamilyPlanRightInputSerializer,
    FamilyPlanRightSerializer,
    MethodQuerySerializer,
    MethodSerializer,
    SelectorAnswersSerializer,
    SelectorChoiceSerializer,
    SelectorRunSerializer,
    StrengthsExplorationInputSerializer,
    StrengthsExplorationSerializer,
    TrajectoryAdvancePhaseSerializer,
    TrajectoryCoordinatorInputSerializer,
    TrajectoryCoordinatorWarningSerializer,
    TrajectoryDetailSerializer,
    TrajectoryOfferSerializer,
    TrajectorySerializer,
    TrajectoryTransitionSerializer,
)

COORDINATOR_WARNING = OpenApiResponse(
    TrajectoryCoordinatorWarningSerializer,
    description='Invalid input; or, with code "coordinator_is_case_worker", the chosen coordinator is the family\'s '
    "case worker: send accept_case_worker true to allocate them anyway.",
)
WRONG_JURISDICTION = OpenApiResponse(
    ErrorSerializer,
    description="No such case, not one of yours, or the record does not apply to the case's organisation.",
)
CASE_WORKER_WARNING = "coordinator_is_case_worker"


@contextmanager
def _fields_named(names):
    """Rename the fields of a service's ValidationError to the names the API takes."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({names.get(field, field): errors for field, errors in error.error_dict.items()}) from None


# --- The method catalogue --------------------------------------------------------------------------------


def _organisation_asked(request):
    """The organisation whose durations to show: one the user belongs to, or None for the definitions' own."""
    query = parse_input(MethodQuerySerializer, request.query_params)
    organisation_id = query.get("organisation")
    if organisation_id is not None and not request.user.roles_in(organisation_id):
        raise ValidationError({"organisation": [_("Choose one of your organisations.")]})
    return organisation_id


def _method_data(code, organisation_id):
    if organisation_id is None:
        definition = catalogue()[code]
    else:
        try:
            definition = services.definition_for(organisation_id, code)
        except MethodDefinitionError:
            raise ValidationError(
                {"organisation": [_("The organisation's durations for this method are invalid.")]}
            ) from None
    return {**definition.model_dump(), "durations_of": organisation_id}


class MethodListView(JsonApiView):
    @extend_schema(
        operation_id="methods_list",
        tags=["methods"],
        summary="The method catalogue",
        parameters=[MethodQuerySerializer],
        responses={200: MethodSerializer(many=True), 400: INVALID},
    )
    def get(self, request):
        organisation_id = _organisation_asked(request)
        return Response(MethodSerializer([_method_data(code, organisation_id) for code in catalogue()], many=True).data)


class MethodDetailView(JsonApiView):
    @extend_schema(
        operation_id="methods_retrieve",
        tags=["methods"],
        summary="One method of the catalogue",
        parameters=[MethodQuerySerializer],
        responses={200: MethodSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, code):
        if code not in catalogue():
            raise NotFound()
        return Response(MethodSerializer(_method_data(code, _organisation_asked(request))).data)


# --- The selector ---------------------------------------------------------------------------------------

CHOICE_FIELDS = {"chosen_method": "method", "chosen_variant": "variant", "choice_reason": "reason"}


class SelectorRunListView(JsonApiView):
    @extend_schema(
        operation_id="case_selector_runs_list",
        tags=["selector"],
        summary="The method selections of a case, newest first",
        responses={200: SelectorRunSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        actor = Actor.from_request(request)
        case = case_queries.get_case(actor, case_id)
        runs = queries.selector_runs(actor, case)
        return Response(SelectorRunSerializer(runs, many=True).data)

    @extend_schema(
        operation_id="case_selector_runs_create",
        tags=["selector"],
        summary="Rank the methods for a case from the answers",
        description="Every answer is optional; left out, it takes the selector's default. The ranking explains "
        "every point: reasons for and against, and warnings.",
        request=SelectorAnswersSerializer,
        responses={201: SelectorRunSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        answers = parse_input(SelectorAnswersSerializer, request.data)
        run = services.run_selector(Actor.from_request(request), case_id, answers)
        headers = {
            "Location": request.build_absolute_uri(reverse("trajectories_api:selector_run", args=[case_id, run.pk]))
        }
        return Response(SelectorRunSerializer(run).data, status=status.HTTP_201_CREATED, headers=headers)


class SelectorRunDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_selector_runs_retrieve",
        tags=["selector"],
        summary="One method selection with its answers, ranking and choice",
        responses={200: SelectorRunSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, run_id):
        actor = Actor.from_request(request)
        case = case_queries.get_case(actor, case_id, log=False)
        run = queries.get_selector_run(actor, case, run_id)
        return Response(SelectorRunSerializer(run).data)


class SelectorChoiceView(JsonApiView):
    @extend_schema(
        operation_id="case_selector_runs_choose",
        tags=["selector"],
        summary="Record the method chosen",
        description="A method other than the top suggestion needs a reason. Send the version you read.",
        request=SelectorChoiceSerializer,
        responses={200: SelectorRunSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, run_id):
        check_case_visible(request, case_id)
        data = parse_input(SelectorChoiceSerializer, request.data)
        with _fields_named(CHOICE_FIELDS):
            run = services.choose_method(
                Actor.from_request(request),
                case_id,
                run_id,
                data["method"],
                data["variant"],
                data["reason"],
                data["version"],
            )
        return Response(SelectorRunSerializer(run).data)


# --- Trajectories ---------------------------------------------------------------------------------------

OFFER_FIELDS = {"method_code": "method", "variant_code": "variant"}


def _user(user):
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _deadline(deadline, today):
    return {
        "kind": deadline.kind,
        "label": str(DeadlineKind(deadline.kind).label),
        "due_on": deadline.due_on,
        "done_on": deadline.done_on,
        "state": deadline.state(today),
    }


def _trajectory_data(trajectory, with_events=False):
    """What the trajectory's page shows, as plain data: phases with their names, clocks, deadlines, options."""
    today = timezone.localdate()
    phases = list(trajectory.phases.all())
    followed = {p["code"]: p for p in trajectory.phases_followed}
    data = {
        name: getattr(trajectory, name)
        for name in (
            "id",
            "method_code",
            "method_version",
            "variant_code",
            "status",
            "current_phase",
            "offered_on",
            "accepted_on",
            "declined_on",
            "meeting_held_on",
            "plan_made_on",
            "abandoned_on",
            "abandonment_reason",
            "closed_on",
            "closure_reason",
            "coordinator_is_case_worker",
            "coordinator_allocated_on",
            "next_due_on",
            "version",
        )
    }
    data.update(
        {
            "case": trajectory.case_id,
            "status_label": str(Status(trajectory.status).label),
            "allowed_next": list(states.allowed_from(trajectory.status)),
            "offered_by": _user(trajectory.offered_by),
            "coordinator": _user(trajectory.coordinator),
            "selector_run": trajectory.selector_run_id,
            "deadlines": [_deadline(d, today) for d in deadlines.phase_deadlines(trajectory, phases)],
            "clocks": vars(queries.clocks_for(trajectory, today)),
            "phases": [
                {
                    "code": phase.code,
                    "position": phase.position,
                    "name": followed.get(phase.code, {}).get("name", {"nl": phase.code, "en": phase.code}),
                    "default_weeks": followed.get(phase.code, {}).get("default_weeks"),
                    "max_weeks": followed.get(phase.code, {}).get("max_weeks"),
                    "planned_start": phase.planned_start,
                    "planned_end": phase.planned_end,
                    "latest_end": phase.latest_end,
                    "started_on": phase.started_on,
                    "ended_on": phase.ended_on,
                    "is_current": phase.code == trajectory.current_phase,
                }
                for phase in phases
            ],
        }
    )
    if with_events:
        data["events"] = [
            {
                "kind": e.kind,
                "from_value": e.from_value,
                "to_value": e.to_value,
                "on": e.on,
                "reason": e.reason,
                "note": e.note,
                "cause": e.cause,
                "by": str(e.by),
                "at": e.at,
            }
            for e in trajectory.events.select_related("by")
        ]
    return data


def _detail(trajectory):
    return TrajectoryDetailSerializer(_trajectory_data(trajectory, with_events=True)).data


class TrajectoryListView(JsonApiView):
    @extend_schema(
        operation_id="case_trajectories_list",
        tags=["trajectories"],
        summary="The trajectories of a case, newest first",
        responses={200: TrajectorySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        actor = Actor.from_request(request)
        case = case_queries.get_case(actor, case_id)
        found = queries.trajectories_for_case(actor, case)
        return Response(TrajectorySerializer([_trajectory_data(t) for t in found], many=True).data)

    @extend_schema(
        operation_id="case_trajectories_create",
        tags=["trajectories"],
        summary="Offer a method to the family",
        description="The trajectory keeps the method's version and the organisation's durations of today.",
        request=TrajectoryOfferSerializer,
        responses={201: TrajectoryDetailSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(TrajectoryOfferSerializer, request.data)
        with _fields_named(OFFER_FIELDS):
            trajectory = services.offer_trajectory(
                Actor.from_request(request),
                case_id,
                data["method"],
                data["offered_on"],
                variant_code=data["variant"],
                selector_run_id=data.get("selector_run"),
                note=data["note"],
            )
        headers = {
            "Location": request.build_absolute_uri(
                reverse("trajectories_api:trajectory", args=[case_id, trajectory.pk])
            )
        }
        return Response(_detail(trajectory), status=status.HTTP_201_CREATED, headers=headers)


class TrajectoryDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_trajectories_retrieve",
        tags=["trajectories"],
        summary="A trajectory with its phases, clocks, deadlines, events and next possible statuses",
        responses={200: TrajectoryDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        _case, trajectory = queries.get_trajectory(Actor.from_request(request), case_id, trajectory_id)
        return Response(_detail(trajectory))


class TrajectoryTransitionView(JsonApiView):
    @extend_schema(
        operation_id="case_trajectories_transition",
        tags=["trajectories"],
        summary="Move the trajectory to its next status",
        description="Only the steps in allowed_next are possible; abandoning and closing need a reason. "
        "Send the version you read.",
        request=TrajectoryTransitionSerializer,
        responses={200: TrajectoryDetailSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(TrajectoryTransitionSerializer, request.data)
        trajectory = services.change_status(
            Actor.from_request(request),
            case_id,
            trajectory_id,
            data["status"],
            data["on"],
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
        )
        return Response(_detail(trajectory))


class TrajectoryAdvancePhaseView(JsonApiView):
    @extend_schema(
        operation_id="case_trajectories_advance_phase",
        tags=["trajectories"],
        summary="End the current phase and start the next",
        description="Later phases are planned again from the actual dates. Send the version you read.",
        request=TrajectoryAdvancePhaseSerializer,
        responses={200: TrajectoryDetailSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(TrajectoryAdvancePhaseSerializer, request.data)
        trajectory = services.advance_phase(
            Actor.from_request(request),
            case_id,
            trajectory_id,
            data["on"],
            expected_version=data["version"],
        )
        return Response(_detail(trajectory))


class TrajectoryCoordinatorView(JsonApiView):
    @extend_schema(
        operation_id="case_trajectories_coordinator",
        tags=["trajectories"],
        summary="Allocate the coordinator (team lead)",
        description='The family\'s own case worker is refused with code "coordinator_is_case_worker" unless '
        "accept_case_worker is true: the methods ask for an independent coordinator.",
        request=TrajectoryCoordinatorInputSerializer,
        responses={
            200: TrajectoryDetailSerializer,
            400: COORDINATOR_WARNING,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: STALE,
        },
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(TrajectoryCoordinatorInputSerializer, request.data)
        try:
            with _fields_named({"coordinator": "user"}):
                trajectory = services.allocate_coordinator(
                    Actor.from_request(request),
                    case_id,
                    trajectory_id,
                    data["user"],
                    accept_case_worker=data["accept_case_worker"],
                    expected_version=data["version"],
                    on=data["on"],
                )
        except ValidationError as error:
            warning = next(
                (e for e in getattr(error, "error_dict", {}).get("user", []) if e.code == CASE_WORKER_WARNING), None
            )
            if warning is None:
                raise
            message = " ".join(warning.messages)
            return Response(
                {
                    "code": CASE_WORKER_WARNING,
                    "detail": message,
                    "confirm_with": "accept_case_worker",
                    "user": [message],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(_detail(trajectory))


# --- The law: the Jeugdwet family group plan (NL) and the exploration of own strengths (VL) -----------------


def _legal_case(request, case_id, jurisdiction, message):
    """The case if the user may see it (404 otherwise) and the record applies to its organisation."""
    case = case_queries.get_case(Actor.from_request(request), case_id, log=False)
    if case.organisation.jurisdiction != jurisdiction:
        raise exceptions.NotFound(message)
    return case


def _family_plan_data(record):
    today = timezone.localdate()
    record.api_deadlines = [_deadline(d, today) for d in deadlines.legal_deadlines(record)]
    return FamilyPlanRightSerializer(record).data


def _dutch_only():
    return _("The family group plan of the Jeugdwet applies to Dutch organisations only.")


def _flemish_only():
    return _(
        "The exploration of own strengths is asked by the Flemish access gate; it applies to Flemish "
        "organisations only."
    )


class FamilyPlanRightView(JsonApiView):
    @extend_schema(
        operation_id="case_family_plan_right_retrieve",
        tags=["law"],
        summary="The Jeugdwet family group plan record of a Dutch case, with its legal deadlines",
        description="Before the record is first saved, its fields are empty and version is null.",
        responses={200: FamilyPlanRightSerializer, 404: WRONG_JURISDICTION},
    )
    def get(self, request, case_id):
        case = _legal_case(request, case_id, Jurisdiction.NETHERLANDS, _dutch_only())
        record = queries.legal_record(Actor.from_request(request), case)
        return Response(_family_plan_data(record or FamilyPlanRight(case=case, organisation=case.organisation)))

    @extend_schema(
        operation_id="case_family_plan_right_update",
        tags=["law"],
        summary="Record the offer of a family group plan and what followed (Jeugdwet art. 4.1.2 and 4.1.3)",
        description="Send the whole record: fields left out are emptied. Send the version you read; null when "
        "there is no record yet.",
        request=FamilyPlanRightInputSerializer,
        responses={200: FamilyPlanRightSerializer, 400: INVALID, 403: FORBIDDEN, 404: WRONG_JURISDICTION, 409: STALE},
    )
    def put(self, request, case_id):
        _legal_case(request, case_id, Jurisdiction.NETHERLANDS, _dutch_only())
        data = parse_input(FamilyPlanRightInputSerializer, request.data)
        version = data.pop("version", None)
        values = {name: data.get(name) for name in services.FAMILY_PLAN_FIELDS}
        # No version means "there is no record yet": if there is one after all, 0 makes the save stale.
        record = services.save_family_plan_right(
            Actor.from_request(request), case_id, values, expected_version=version or 0
        )
        return Response(_family_plan_data(record))


def _strengths_data(record):
    recorded = record is not None
    return StrengthsExplorationSerializer(
        {
            "recorded": recorded,
            "explored_on": record.explored_on if recorded else None,
            "how_explored": record.how_explored if recorded else "",
            "strengths_found": record.strengths_found if recorded else "",
            "methods_used": list(record.methods_used) if recorded else [],
            "recorded_by": str(record.recorded_by) if recorded else None,
            "updated_at": record.updated_at if recorded else None,
            "version": record.version if recorded else None,
        }
    ).data


class StrengthsExplorationView(JsonApiView):
    @extend_schema(
        operation_id="case_strengths_exploration_retrieve",
        tags=["law"],
        summary="How the own strengths of a Flemish family were explored",
        description="Before the record is first saved, its fields are empty and version is null.",
        responses={200: StrengthsExplorationSerializer, 404: WRONG_JURISDICTION},
    )
    def get(self, request, case_id):
        case = _legal_case(request, case_id, Jurisdiction.FLANDERS, _flemish_only())
        record = queries.legal_record(Actor.from_request(request), case)
        return Response(_strengths_data(record if isinstance(record, StrengthsExploration) else None))

    @extend_schema(
        operation_id="case_strengths_exploration_update",
        tags=["law"],
        summary="Record how the own strengths were explored",
        description="Send the whole record. Send the version you read; null when there is no record yet.",
        request=StrengthsExplorationInputSerializer,
        responses={
            200: StrengthsExplorationSerializer,
            400: INVALID,
            403: FORBIDDEN,
            404: WRONG_JURISDICTION,
            409: STALE,
        },
    )
    def put(self, request, case_id):
        _legal_case(request, case_id, Jurisdiction.FLANDERS, _flemish_only())
        data = parse_input(StrengthsExplorationInputSerializer, request.data)
        version = data.pop("version", None)
        record = services.save_strengths_exploration(
            Actor.from_request(request), case_id, data, expected_version=version or 0
        )
        return Response(_strengths_data(record))
