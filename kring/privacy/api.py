"""The subject-access API (privacy officers only). Thin: parse, call a query or a service, answer."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from kring.core.actor import Actor
from kring.core.api import INVALID, ErrorSerializer, JsonApiView, parse_input

from . import queries, services
from .serializers import SubjectAccessRequestInputSerializer, SubjectAccessRequestSerializer

FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Only privacy officers answer subject access requests.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such request or person in your organisation.")


class SubjectAccessListView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_list",
        tags=["privacy"],
        summary="The subject access requests of your organisations, earliest due first",
        responses={200: SubjectAccessRequestSerializer(many=True), 403: FORBIDDEN},
    )
    def get(self, request):
        found = queries.requests(Actor.from_request(request))
        return Response(SubjectAccessRequestSerializer(found, many=True).data)

    @extend_schema(
        operation_id="privacy_subject_access_create",
        tags=["privacy"],
        summary="Record a subject access request",
        description="The answer is due one calendar month after the day it was received (GDPR art. 12(3)).",
        request=SubjectAccessRequestInputSerializer,
        responses={201: SubjectAccessRequestSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request):
        actor = Actor.from_request(request)
        queries.officer_organisations(actor)
        data = parse_input(SubjectAccessRequestInputSerializer, request.data)
        record = services.record_request(actor, {**data, "person_id": data.pop("person")})
        return Response(SubjectAccessRequestSerializer(record).data, status=status.HTTP_201_CREATED)


class SubjectAccessDetailView(JsonApiView):
    @extend_schema(
        operation_id="privacy_subject_access_detail",
        tags=["privacy"],
        summary="One subject access request",
        responses={200: SubjectAccessRequestSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, request_id):
        record = queries.get_request(Actor.from_request(request), request_id)
        return Response(SubjectAccessRequestSerializer(record).data)
