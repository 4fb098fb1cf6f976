"""The subject-access API (privacy officers only). Thin: parse, call a query or a service, answer.

Every operation first checks that the caller is a privacy officer (403, logged, for anyone else); a request or
rectification of another organisation answers 404, logged against that organisation (decision 173). Changes to a
request or to a rectification answer carry the version read and are refused with 409 when someone else changed
it meanwhile (decision 208).
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from kring.audit.models import Action
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, parse_input

from . import queries, services
from .gathering import gather
from .serializers import (
    RectificationDecisionInputSerializer,
    RectificationInputSerializer,
    RectificationSerializer,
    SubjectAccessAnswerItemSerializer,
    SubjectAccessExtensionInputSerializer,
    SubjectAccessOutcomeInputSerializer,
    SubjectAccessRequestInputSerializer,
    SubjectAccessRequestSerializer,
    SubjectAccessWithheldItemSerializer,
    SubjectAccessWithholdInputSerializer,
)

TAGS = ["privacy"]
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Only privacy officers answer subject access requests.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such request or person in your organisation.")
SANDBOX = "sandbox; default-src 'none'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def _actor(request):
    """The caller, refused (403, logged) unless a privacy officer, before anything else is read."""
    actor = Actor.from_request(request)
    queries.officer_organisations(actor)
    return actor


def _request_data(actor, request_id):
    return SubjectAccessRequestSerializer(queries.get_request(actor, request_id, log=False)).data


class SubjectAccessListView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_list",
        tags=TAGS,
        summary="The subject access requests of your organisations, earliest due first",
        responses={200: SubjectAccessRequestSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        found = queries.requests(Actor.from_request(request))
        return Response(SubjectAccessRequestSerializer(found, many=True).data)

    @extend_schema(
        operation_id="privacy_subject_access_create",
        tags=TAGS,
        summary="Record a subject access request",
        description="The answer is due one calendar month after the day it was received (GDPR art. 12(3)).",
        request=SubjectAccessRequestInputSerializer,
        responses={201: SubjectAccessRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request):
        actor = _actor(request)
        data = parse_input(SubjectAccessRequestInputSerializer, request.data)
        record = services.record_request(actor, {**data, "person_id": data.pop("person")})
        return Response(SubjectAccessRequestSerializer(record).data, status=status.HTTP_201_CREATED)


class SubjectAccessDetailView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_detail",
        tags=TAGS,
        summary="One subject access request, with what its answer withholds",
        responses={200: SubjectAccessRequestSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        record = queries.get_request(Actor.from_request(request), request_id)
        return Response(SubjectAccessRequestSerializer(record).data)


class SubjectAccessExtendView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_extend",
        tags=TAGS,
        summary="Extend the term by one or two months, with the reason",
        description="GDPR art. 12(3): three months in all at most. Send the version you read.",
        request=SubjectAccessExtensionInputSerializer,
        responses={200: SubjectAccessRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, request_id):
        actor = _actor(request)
        data = parse_input(SubjectAccessExtensionInputSerializer, request.data)
        services.extend_request(actor, request_id, data["extended_months"], data["reason"], data["version"])
        return Response(_request_data(actor, request_id))


class SubjectAccessOutcomeView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_outcome",
        tags=TAGS,
        summary="Record the outcome: answered (after the export) or refused (with the reason)",
        request=SubjectAccessOutcomeInputSerializer,
        responses={200: SubjectAccessRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, request_id):
        actor = _actor(request)
        data = parse_input(SubjectAccessOutcomeInputSerializer, request.data)
        services.close_request(actor, request_id, data["status"], data["notes"], data["version"])
        return Response(_request_data(actor, request_id))


class SubjectAccessItemsView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_items",
        tags=TAGS,
        summary="The records the answer holds (kind, id, a short label), to choose what to withhold",
        responses={200: SubjectAccessAnswerItemSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        actor = _actor(request)
        record = queries.get_request(actor, request_id)
        if record.person is None:
            return Response([])
        items = gather(actor, record, Action.VIEW).items
        return Response(
            SubjectAccessAnswerItemSerializer(
                [{"record_type": i.kind, "record_id": i.record_id, "label": i.label} for i in items], many=True
            ).data
        )


class SubjectAccessWithholdView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_withhold",
        tags=TAGS,
        summary="Withhold one record of the answer, with the reason",
        description="GDPR art. 15(4): the copy may not harm the rights and freedoms of others.",
        request=SubjectAccessWithholdInputSerializer,
        responses={201: SubjectAccessWithheldItemSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, request_id):
        actor = _actor(request)
        data = parse_input(SubjectAccessWithholdInputSerializer, request.data)
        item = services.withhold(actor, request_id, data)
        return Response(SubjectAccessWithheldItemSerializer(item).data, status=status.HTTP_201_CREATED)


class SubjectAccessReleaseView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_release",
        tags=TAGS,
        summary="Put a record withheld by hand back into the answer",
        request=None,
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, request_id, item_id):
        services.release(_actor(request), request_id, item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubjectAccessProduceView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_produce",
        tags=TAGS,
        summary="Produce the export: record what it withholds and when it was made",
        request=None,
        responses={200: SubjectAccessRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, request_id):
        actor = _actor(request)
        services.produce_export(actor, request_id)
        return Response(_request_data(actor, request_id))


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    response["Cache-Control"] = "private, no-store"
    return response


class SubjectAccessPdfView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_pdf",
        tags=TAGS,
        summary="The letter for the person (PDF); every record in it is logged as exported",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        content = services.export_pdf(_actor(request), request_id)
        return _attachment(content, "application/pdf", f"inzage-{request_id}.pdf")


class SubjectAccessZipView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_zip",
        tags=TAGS,
        summary="Everything as a zip: one JSON file per section, the documents, the letter and checksums",
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        content = services.export_zip(_actor(request), request_id)
        return _attachment(content, "application/zip", f"inzage-{request_id}.zip")


class RectificationListView(JsonApiView):
    @extend_schema(
        operation_id="privacy_rectifications_list",
        tags=TAGS,
        summary="The rectification requests of your organisations",
        responses={200: RectificationSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        found = queries.rectifications(Actor.from_request(request))
        return Response(RectificationSerializer(found, many=True).data)

    @extend_schema(
        operation_id="privacy_rectifications_create",
        tags=TAGS,
        summary="Record a request to correct or complete a record (GDPR art. 16)",
        request=RectificationInputSerializer,
        responses={201: RectificationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request):
        actor = _actor(request)
        data = parse_input(RectificationInputSerializer, request.data)
        record = services.record_rectification(actor, {**data, "person_id": data.pop("person")})
        return Response(RectificationSerializer(record).data, status=status.HTTP_201_CREATED)


class RectificationDetailView(JsonApiView):
    @extend_schema(
        operation_id="privacy_rectifications_detail",
        tags=TAGS,
        summary="One rectification request and its answer",
        responses={200: RectificationSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, rectification_id):
        return Response(
            RectificationSerializer(queries.get_rectification(Actor.from_request(request), rectification_id)).data
        )


class RectificationDecisionView(JsonApiView):
    @extend_schema(
        operation_id="privacy_rectifications_decide",
        tags=TAGS,
        summary="Record the decision on a rectification request and the answer given",
        description="Send the version you read; a decision changed meanwhile answers 409.",
        request=RectificationDecisionInputSerializer,
        responses={200: RectificationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, rectification_id):
        actor = _actor(request)
        data = parse_input(RectificationDecisionInputSerializer, request.data)
        record = services.decide_rectification(
            actor, rectification_id, data["decision"], data["answer"], data["version"]
        )
        return Response(RectificationSerializer(record).data)
