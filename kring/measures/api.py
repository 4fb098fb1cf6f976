"""The registration's REST API: the instrument definitions, a trajectory's registration, its outcomes per moment
and its instrument administrations. Thin, like the pages: parse, call a query or a service, answer. Writes check
first that the case is visible (so an outsider gets 404, logged, before the input is looked at)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, JsonApiView, parse_input
from kring.core.errors import NotFound

from . import instrument_entry, queries, services
from .choices import Moment
from .serializers import (
    AdministrationInputSerializer,
    AdministrationSerializer,
    InstrumentSerializer,
    OutcomeInputSerializer,
    OutcomeSerializer,
    RegistrationInputSerializer,
    RegistrationSerializer,
    VersionQuerySerializer,
)

TAGS = ["registration"]


class InstrumentListView(JsonApiView):
    @extend_schema(
        operation_id="instruments_list",
        tags=TAGS,
        summary="The instruments Kring scores",
        description="Items, response scales and scores as the definition files give them. Licensed "
        "instruments have no item text.",
        responses={200: InstrumentSerializer(many=True)},
    )
    def get(self, request):
        found = sorted(instrument_entry.definitions().values(), key=lambda d: d.code)
        return Response(InstrumentSerializer(found, many=True).data)


class InstrumentDetailView(JsonApiView):
    @extend_schema(
        operation_id="instruments_retrieve",
        tags=TAGS,
        summary="One instrument",
        responses={200: InstrumentSerializer, 404: NOT_FOUND},
    )
    def get(self, request, code):
        definition = instrument_entry.definition(code)
        if definition is None:
            raise Http404
        return Response(InstrumentSerializer(definition).data)


def _errors_renamed(error: ValidationError) -> ValidationError:
    """The services name an entered value ``v_<code>`` (its form field); the API calls it ``values.<code>``."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            (f"values.{name[2:]}" if name.startswith("v_") else name): messages
            for name, messages in error.message_dict.items()
        }
    )


class RegistrationView(JsonApiView):
    @extend_schema(
        operation_id="registration_retrieve",
        tags=TAGS,
        summary="The registration of a trajectory",
        responses={200: RegistrationSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        view = queries.registration_view(Actor.from_request(request), case_id, trajectory_id)
        if view.registration is None:
            raise NotFound()
        return Response(RegistrationSerializer(view.registration).data)

    @extend_schema(
        operation_id="registration_update",
        tags=TAGS,
        summary="Record or change the registration",
        description="The first save also counts the children and the network as they were on the day "
        "of the offer. Send the version you read when it exists.",
        request=RegistrationInputSerializer,
        responses={200: RegistrationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(RegistrationInputSerializer, request.data)
        version, refresh = data.pop("version", None), data.pop("refresh_snapshot", False)
        record = services.save_registration(
            Actor.from_request(request),
            case_id,
            trajectory_id,
            data,
            version,
            refresh_snapshot=refresh,
        )
        return Response(RegistrationSerializer(record).data)


class OutcomeListView(JsonApiView):
    @extend_schema(
        operation_id="registration_outcomes_list",
        tags=TAGS,
        summary="Outcomes per moment",
        responses={200: OutcomeSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        view = queries.registration_view(Actor.from_request(request), case_id, trajectory_id)
        return Response(OutcomeSerializer([row.outcome for row in view.moments if row.outcome], many=True).data)


class OutcomeMomentView(JsonApiView):
    @extend_schema(
        operation_id="registration_outcomes_update",
        tags=TAGS,
        summary="Record or correct the outcomes of one moment",
        request=OutcomeInputSerializer,
        responses={200: OutcomeSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request, case_id, trajectory_id, moment):
        if moment not in Moment.values:
            raise Http404
        check_case_visible(request, case_id)
        data = parse_input(OutcomeInputSerializer, request.data)
        version = data.pop("version", None)
        record = services.record_outcome(Actor.from_request(request), case_id, trajectory_id, moment, data, version)
        return Response(OutcomeSerializer(record).data)


class AdministrationListView(JsonApiView):
    @extend_schema(
        operation_id="registration_administrations_list",
        tags=TAGS,
        summary="The instruments filled in for a trajectory, with their scores",
        responses={200: AdministrationSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        view = queries.registration_view(Actor.from_request(request), case_id, trajectory_id)
        return Response(AdministrationSerializer(view.administrations, many=True).data)

    @extend_schema(
        operation_id="registration_administrations_create",
        tags=TAGS,
        summary="Enter a filled-in instrument",
        description="Item scores (mode items) or only the totals (mode totals); the scores are computed "
        "by the instrument's own rules. A refused value is named as values.<code>.",
        request=AdministrationInputSerializer,
        responses={201: AdministrationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(AdministrationInputSerializer, request.data)
        values = data.pop("values")
        try:
            record = services.record_administration(Actor.from_request(request), case_id, trajectory_id, data, values)
        except ValidationError as error:
            raise _errors_renamed(error) from None
        return Response(AdministrationSerializer(record).data, status=status.HTTP_201_CREATED)


class AdministrationDetailView(JsonApiView):
    @extend_schema(
        operation_id="registration_administrations_destroy",
        tags=TAGS,
        summary="Take out an administration entered by mistake",
        parameters=[OpenApiParameter("version", int, required=True)],
        responses={
            204: OpenApiResponse(description="Taken out, with its scores."),
            400: INVALID,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    def delete(self, request, case_id, trajectory_id, administration_id):
        check_case_visible(request, case_id)
        version = parse_input(VersionQuerySerializer, request.query_params)["version"]
        services.remove_administration(Actor.from_request(request), case_id, trajectory_id, administration_id, version)
        return Response(status=status.HTTP_204_NO_CONTENT)
