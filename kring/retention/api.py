"""The retention API (privacy officers of the organisation only; everyone else 403, logged). Thin: parse, call a
service, answer. The same rules as the pages: the files due and their approval in a batch, requests to destroy
(the entitled person, the legal exceptions, the legal term), a period lengthened by hand, and the answer letter."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from kring.core.actor import Actor
from kring.core.api import INVALID, ErrorSerializer, JsonApiView, parse_input

from . import services
from .serializers import (
    BatchInputSerializer,
    BatchSerializer,
    DestructionDecisionInputSerializer,
    DestructionRequestInputSerializer,
    DestructionRequestSerializer,
    DuePeriodSerializer,
    ExtensionInputSerializer,
    ExtensionSerializer,
    PeriodFilterSerializer,
    PeriodSerializer,
)

TAGS = ["retention"]
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Only the privacy officer of the organisation may do this.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such record in your organisations.")


class PeriodListView(JsonApiView):
    @extend_schema(
        operation_id="retention_periods_list",
        tags=TAGS,
        summary="The retention periods of your organisations' closed cases, the earliest end first",
        parameters=[PeriodFilterSerializer],
        responses={200: PeriodSerializer(many=True), 400: INVALID, 403: FORBIDDEN},
    )
    def get(self, request):
        query = parse_input(PeriodFilterSerializer, request.query_params)
        found = services.periods(Actor.from_request(request), query.get("case"))
        return Response(PeriodSerializer(found, many=True).data)


class PeriodDetailView(JsonApiView):
    @extend_schema(
        operation_id="retention_periods_retrieve",
        tags=TAGS,
        summary="One case's retention period, with its extensions",
        responses={200: PeriodSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, period_id):
        return Response(PeriodSerializer(services.get_period(Actor.from_request(request), period_id)).data)


class ExtensionView(JsonApiView):
    @extend_schema(
        operation_id="retention_periods_extend",
        tags=TAGS,
        summary="Keep a closed file longer",
        description="A later end date with a reason and an explanation; never earlier than the current end.",
        request=ExtensionInputSerializer,
        responses={201: ExtensionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, period_id):
        actor = Actor.from_request(request)
        services.get_period(actor, period_id)
        data = parse_input(ExtensionInputSerializer, request.data)
        extension = services.extend_period(
            actor, period_id, data["new_until"], data["reason"], data["explanation"], data.get("current_until")
        )
        return Response(ExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)


class DueView(JsonApiView):
    @extend_schema(
        operation_id="retention_due_list",
        tags=TAGS,
        summary="Closed files whose retention has ended, not yet in a batch",
        responses={200: DuePeriodSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        return Response(DuePeriodSerializer(services.due_for_destruction(Actor.from_request(request)), many=True).data)


class BatchView(JsonApiView):
    @extend_schema(
        operation_id="retention_batches_create",
        tags=TAGS,
        summary="Approve the destruction of files whose retention has ended",
        description="The worker destroys them in the background, each in its own transaction.",
        request=BatchInputSerializer,
        responses={201: BatchSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def post(self, request):
        actor = Actor.from_request(request)
        services.officer_organisations(actor)
        data = parse_input(BatchInputSerializer, request.data)
        batch = services.approve_batch(actor, data["cases"])
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class RequestListView(JsonApiView):
    @extend_schema(
        operation_id="retention_requests_list",
        tags=TAGS,
        summary="Requests to destroy a file, the most recently received first",
        responses={200: DestructionRequestSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        found = services.all_requests(Actor.from_request(request))
        return Response(DestructionRequestSerializer(found, many=True).data)

    @extend_schema(
        operation_id="retention_requests_create",
        tags=TAGS,
        summary="Record a request to destroy a file",
        description="The answer is due within the legal term: three months in the Netherlands (Jeugdwet art. "
        "7.3.9), one month in Flanders (GDPR art. 12(3)). A request by someone who may not make it is recorded and "
        "can only be refused.",
        request=DestructionRequestInputSerializer,
        responses={201: DestructionRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request):
        actor = Actor.from_request(request)
        services.officer_organisations(actor)
        data = parse_input(DestructionRequestInputSerializer, request.data)
        case = services.officer_case_by_id(actor, data["case"])
        record = services.record_request(actor, case, data["requested_by"], data["received_on"])
        return Response(DestructionRequestSerializer(record).data, status=status.HTTP_201_CREATED)


class RequestDetailView(JsonApiView):
    @extend_schema(
        operation_id="retention_requests_retrieve",
        tags=TAGS,
        summary="One request to destroy a file",
        responses={200: DestructionRequestSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        record = services.get_request(Actor.from_request(request), request_id)
        return Response(DestructionRequestSerializer(record).data)


class DecisionView(JsonApiView):
    @extend_schema(
        operation_id="retention_requests_decide",
        tags=TAGS,
        summary="Answer a request to destroy a file",
        description="Granted destroys the file at once; refused needs the legal exception it rests on. The answer "
        "is recorded with its letter to the requester.",
        request=DestructionDecisionInputSerializer,
        responses={200: DestructionRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, request_id):
        actor = Actor.from_request(request)
        services.get_request(actor, request_id)
        data = parse_input(DestructionDecisionInputSerializer, request.data)
        record = services.decide_request(
            actor, request_id, data["decision"], data["legal_exception"], data["answer"], data["version"]
        )
        return Response(DestructionRequestSerializer(record).data)


class LetterView(JsonApiView):
    @extend_schema(
        operation_id="retention_requests_letter",
        tags=TAGS,
        summary="The answer letter to the requester (PDF, in Dutch)",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        record, content = services.answer_letter(Actor.from_request(request), request_id)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="antwoord-verzoek-vernietiging-{record.pk}.pdf"'
        return response
