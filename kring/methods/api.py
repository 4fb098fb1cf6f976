"""The REST API of method offers: who offers which method where. Thin, like the other APIs: parse with a
serializer, call a query or a service, answer.

The public list needs no login (it is the guide's overview, ``/methods/offers/``) but is throttled like the
rest. An organisation's own offers are for its team leads and functional administrators: someone without a
role at the organisation gets 404 (as for a record that does not exist), someone with another role there 403,
before the input is read. Validation, stale refusal and the log of changes live in ``services.py``;
``kring.core.api.exception_handler`` turns their errors into 400, 403, 404 and 409 answers. The service names
the method ``method_code``; its errors are renamed here to ``method``, the field the client sent.
"""

from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kring.accounts.models import Organisation
from kring.audit.services import Access, Action, log_access
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, parse_input
from kring.core.errors import NotFound

from . import queries, services
from .serializers import (
    MethodOfferChangeSerializer,
    MethodOfferDetailSerializer,
    MethodOfferInputSerializer,
    MethodOfferQuerySerializer,
    MethodOfferRemoveQuerySerializer,
    MethodOfferSerializer,
)

TAGS = ["method offers"]
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description="Only the organisation's team leads and functional administrators maintain its offer."
)
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such organisation or offer, or not one of yours.")
FIELDS = {"method_code": "method"}


@contextmanager
def _fields_named():
    """Rename the fields of a service's ValidationError to the names the API takes."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {FIELDS.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from None


def _service_data(data):
    data = dict(data)
    data["method_code"] = data.pop("method")
    data.pop("version", None)
    return data


def _check_maintainer(request, organisation_id, offer_id=None, change=False):
    """404 without a role at the organisation; 403 (a refused change is logged) with a role but not a maintainer's."""
    user = request.user
    if not user.roles_in(organisation_id):
        raise NotFound()
    if services.can_maintain(user, organisation_id):
        return
    if change:
        log_access(
            Actor.from_request(request),
            Action.DENIED,
            [Access(services.RECORD_TYPE, offer_id, None, organisation_id)],
        )
        raise PermissionDenied(
            _("Only the organisation's team leads and functional administrators can change its method offer.")
        )
    raise PermissionDenied(
        _("Only team leads and functional administrators maintain their organisation's method offer.")
    )


class PublicMethodOfferListView(JsonApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="method_offers_list",
        tags=TAGS,
        summary="Who offers which method where (public)",
        description="The active offers of all organisations, by organisation and method; no login needed. "
        "Filter by region and/or method; an unknown code answers 400.",
        parameters=[MethodOfferQuerySerializer],
        responses={200: MethodOfferSerializer(many=True), 400: INVALID},
    )
    def get(self, request):
        query = parse_input(MethodOfferQuerySerializer, request.query_params)
        offers = queries.public_offers(region=query.get("region") or None, method=query.get("method") or None)
        return Response(MethodOfferSerializer(offers, many=True).data)


class OrganisationMethodOfferListView(JsonApiView):
    @extend_schema(
        operation_id="organisation_method_offers_list",
        tags=TAGS,
        summary="Every offer of your organisation, active or not",
        responses={200: MethodOfferDetailSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, organisation_id):
        _check_maintainer(request, organisation_id)
        offers = queries.organisation_offers(request.user, organisation_id)
        organisation = Organisation.objects.get(pk=organisation_id)
        for offer in offers:  # one organisation for all, not a query per offer for its name
            offer.organisation = organisation
        return Response(MethodOfferDetailSerializer(offers, many=True).data)

    @extend_schema(
        operation_id="organisation_method_offers_create",
        tags=TAGS,
        summary="Add an offer of a method",
        description="One offer per method per organisation; regions of the organisation's own jurisdiction.",
        request=MethodOfferInputSerializer,
        responses={201: MethodOfferDetailSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, organisation_id):
        _check_maintainer(request, organisation_id, change=True)
        data = parse_input(MethodOfferInputSerializer, request.data)
        with _fields_named():
            offer = services.save_offer(Actor.from_request(request), organisation_id, _service_data(data))
        headers = {
            "Location": request.build_absolute_uri(
                reverse("methods_api:organisation_offer", args=[organisation_id, offer.pk])
            )
        }
        return Response(MethodOfferDetailSerializer(offer).data, status=status.HTTP_201_CREATED, headers=headers)


class OrganisationMethodOfferDetailView(JsonApiView):
    @extend_schema(
        operation_id="organisation_method_offers_retrieve",
        tags=TAGS,
        summary="One offer of your organisation",
        responses={200: MethodOfferDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, organisation_id, offer_id):
        _check_maintainer(request, organisation_id)
        offer = queries.get_offer(request.user, organisation_id, offer_id)
        return Response(MethodOfferDetailSerializer(offer).data)

    @extend_schema(
        operation_id="organisation_method_offers_update",
        tags=TAGS,
        summary="Change an offer",
        description="Send the whole offer (optional fields left out are emptied) and the version you read.",
        request=MethodOfferChangeSerializer,
        responses={200: MethodOfferDetailSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request, organisation_id, offer_id):
        _check_maintainer(request, organisation_id, offer_id, change=True)
        data = parse_input(MethodOfferChangeSerializer, request.data)
        with _fields_named():
            offer = services.save_offer(
                Actor.from_request(request),
                organisation_id,
                _service_data(data),
                offer_id=offer_id,
                expected_version=data["version"],
            )
        return Response(MethodOfferDetailSerializer(offer).data)

    @extend_schema(
        operation_id="organisation_method_offers_destroy",
        tags=TAGS,
        summary="Remove an offer",
        description="It disappears from the public guide. Send the version you read as a query parameter.",
        parameters=[MethodOfferRemoveQuerySerializer],
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def delete(self, request, organisation_id, offer_id):
        _check_maintainer(request, organisation_id, offer_id, change=True)
        query = parse_input(MethodOfferRemoveQuerySerializer, request.query_params)
        services.remove_offer(Actor.from_request(request), organisation_id, offer_id, expected_version=query["version"])
        return Response(status=status.HTTP_204_NO_CONTENT)
