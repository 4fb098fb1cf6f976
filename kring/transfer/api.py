"""The transfer API (decision 196): a case's transfers (list, propose), the transfers offered to one's
organisation, accept, refuse, withdraw, send as a package, download the package, take a package in. Thin, like the
pages."""

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, RequestTooLarge, parse_input
from kring.core.parsers import BoundedJSONParser
from kring.documents.uploads import KeepNameParser, LimitedUpload

from . import queries, services
from .serializers import (
    AcceptedSerializer,
    AcceptSerializer,
    ImportSerializer,
    ProposeSerializer,
    RefuseSerializer,
    TransferSerializer,
    TransferVersionSerializer,
)

TAGS = ["transfers"]
NO_TRANSFER = OpenApiResponse(ErrorSerializer, description="No such transfer, or not one for you to act on.")
TOO_LARGE = OpenApiResponse(ErrorSerializer, description="The package is larger than the limit.")
NOT_AGAIN = OpenApiResponse(ErrorSerializer, description="The package cannot be made again: the case changed.")


class PackageTooLarge(RequestTooLarge):
    pass


class PackageUploadParser(BaseParser):
    """multipart/form-data, the package kept in memory and never read past the package limit."""

    media_type = "multipart/form-data"

    def parse(self, stream, media_type=None, parser_context=None):
        from django.http.multipartparser import MultiPartParserError
        from rest_framework.parsers import DataAndFiles

        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        handler = LimitedUpload(request, max_bytes=services.package_max_bytes())
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data, files = KeepNameParser(meta, stream, [handler], encoding).parse()
        except MultiPartParserError as error:
            raise ParseError(str(error)) from None
        if handler.too_large:
            raise PackageTooLarge()
        return DataAndFiles(data, files)


class CaseTransfersView(JsonApiView):
    @extend_schema(
        operation_id="transfers_of_case",
        tags=TAGS,
        summary="The transfers of a case: sent from it or received into it",
        responses={200: TransferSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        page = queries.case_transfers(Actor.from_request(request), case_id)
        return Response(
            [TransferSerializer(t, context={"side": t.side}).data for t in page["transfers"]],
        )

    @extend_schema(
        operation_id="transfers_propose",
        tags=TAGS,
        summary="Propose to transfer the case",
        description="To an organisation of this installation (receiving_organisation), or to another installation "
        "(external_receiver), then sent as a signed package. Only the case's coordinator or team lead may.",
        request=ProposeSerializer,
        responses={201: TransferSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(ProposeSerializer, request.data)
        transfer = services.propose(Actor.from_request(request), case_id, data)
        return Response(TransferSerializer(transfer, context={"side": "sender"}).data, status=status.HTTP_201_CREATED)


class IncomingView(JsonApiView):
    @extend_schema(
        operation_id="transfers_incoming",
        tags=TAGS,
        summary="The transfers offered to your organisations (as team lead or coordinator)",
        responses={200: TransferSerializer(many=True)},
    )
    def get(self, request):
        rows = queries.incoming(Actor.from_request(request))
        return Response(TransferSerializer(rows, many=True, context={"side": "receiver"}).data)


class AcceptView(JsonApiView):
    @extend_schema(
        operation_id="transfers_accept",
        tags=TAGS,
        summary="Accept a transfer into a new case of your organisation",
        request=AcceptSerializer,
        responses={200: AcceptedSerializer, 400: INVALID, 404: NO_TRANSFER, 409: STALE},
    )
    def post(self, request, transfer_id):
        data = parse_input(AcceptSerializer, request.data)
        version = data.pop("version")
        case = services.accept(Actor.from_request(request), transfer_id, data, version)
        transfer = queries.incoming_transfer(Actor.from_request(request), transfer_id)
        return Response({"transfer": TransferSerializer(transfer, context={"side": "receiver"}).data, "case": case.pk})


class RefuseView(JsonApiView):
    @extend_schema(
        operation_id="transfers_refuse",
        tags=TAGS,
        summary="Refuse a transfer, with the reason the sender reads",
        request=RefuseSerializer,
        responses={200: TransferSerializer, 400: INVALID, 404: NO_TRANSFER, 409: STALE},
    )
    def post(self, request, transfer_id):
        data = parse_input(RefuseSerializer, request.data)
        transfer = services.refuse(Actor.from_request(request), transfer_id, data["reason"], data["version"])
        return Response(TransferSerializer(transfer, context={"side": "receiver"}).data)


class WithdrawView(JsonApiView):
    @extend_schema(
        operation_id="transfers_withdraw",
        tags=TAGS,
        summary="Withdraw a proposed transfer",
        request=TransferVersionSerializer,
        responses={200: TransferSerializer, 400: INVALID, 403: FORBIDDEN, 404: NO_TRANSFER, 409: STALE},
    )
    def post(self, request, transfer_id):
        data = parse_input(TransferVersionSerializer, request.data)
        transfer = services.withdraw(Actor.from_request(request), transfer_id, data["version"])
        return Response(TransferSerializer(transfer, context={"side": "sender"}).data)


class ExportView(JsonApiView):
    @extend_schema(
        operation_id="transfers_export",
        tags=TAGS,
        summary="Send a transfer to another installation: make its signed package and close the case",
        request=TransferVersionSerializer,
        responses={200: TransferSerializer, 400: INVALID, 403: FORBIDDEN, 404: NO_TRANSFER, 409: STALE},
    )
    def post(self, request, transfer_id):
        data = parse_input(TransferVersionSerializer, request.data)
        transfer = services.export_package(Actor.from_request(request), transfer_id, data["version"])
        return Response(TransferSerializer(transfer, context={"side": "sender"}).data)


class PackageView(JsonApiView):
    @extend_schema(
        operation_id="transfers_package",
        tags=TAGS,
        summary="Download the signed package of a sent transfer",
        description="The package is made again from the closed case and checked against the checksum taken when it "
        "was sent. Every download is logged.",
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            400: INVALID,
            403: FORBIDDEN,
            404: NO_TRANSFER,
        },
    )
    def get(self, request, transfer_id):
        transfer, data = services.package_bytes(Actor.from_request(request), transfer_id)
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="kring-transfer-{transfer.pk}.zip"'
        return response


class ImportView(JsonApiView):
    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [PackageUploadParser()]
        return [BoundedJSONParser()]

    @extend_schema(
        operation_id="transfers_import",
        tags=TAGS,
        summary="Take in a signed package from another installation",
        description="multipart/form-data. Refused, with nothing stored: a bad signature, a sender your organisation "
        "does not trust, a changed file, another format version, a package too large or unpacking to far more, a "
        "file name with a path. Taken in, it is an incoming transfer to accept or refuse.",
        request={"multipart/form-data": ImportSerializer},
        responses={201: TransferSerializer, 400: INVALID, 403: FORBIDDEN, 413: TOO_LARGE},
    )
    def post(self, request):
        data = parse_input(
            ImportSerializer, {"organisation": request.data.get("organisation"), "file": request.FILES.get("file")}
        )
        transfer = services.import_package(Actor.from_request(request), data["organisation"], data["file"].read())
        return Response(TransferSerializer(transfer, context={"side": "receiver"}).data, status=status.HTTP_201_CREATED)
