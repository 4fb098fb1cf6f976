"""The documents' REST API. Thin, like the pages: parse, call a query or a service, answer.

Uploads are multipart/form-data, read through the same limit as the pages (``uploads.DocumentUploadParser``): a
request declared larger than the limit is answered 413 before its body is read, and a file that turns out larger
is answered 413 too. A download is the file itself, with the headers of the pages' download."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, RequestTooLarge, parse_input
from kring.core.parsers import BoundedJSONParser

from . import filecheck, queries, services
from .serializers import (
    DocumentChangesSerializer,
    DocumentFilterSerializer,
    DocumentPageSerializer,
    DocumentRowSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    VersionSerializer,
    VersionUploadSerializer,
)
from .uploads import DocumentUploadParser, declared_too_large, name_as_sent
from .views import file_response

TAGS = ["documents"]
TOO_LARGE = OpenApiResponse(ErrorSerializer, description="The file is larger than the limit (25 MB by default).")
DAMAGED = OpenApiResponse(ErrorSerializer, description="The stored file is missing or does not match its checksum.")
FILE_ANSWERS = {(200, content_type): OpenApiTypes.BINARY for content_type in filecheck.TYPES}


class FileTooLarge(RequestTooLarge):
    def __init__(self):
        super().__init__(services.too_large_message())


class UploadView(JsonApiView):
    """A view that takes a multipart upload on POST, within the documents' limit."""

    upload_handler = None

    def initial(self, request, *args, **kwargs):
        # Before anything reads a body declared larger than the limit. (A browser session's CSRF check reads the
        # body through REST framework's parsers, so through ``DocumentUploadParser`` too.)
        if request.method == "POST" and declared_too_large(request.META):
            raise FileTooLarge()
        super().initial(request, *args, **kwargs)

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [DocumentUploadParser()]
        return [BoundedJSONParser()]

    def _file(self, request):
        """(name as sent, content) of the posted file, refusing one over the limit with 413."""
        if declared_too_large(request.META):
            raise FileTooLarge()
        files = request.FILES
        if self.upload_handler is not None and self.upload_handler.too_large:
            raise FileTooLarge()
        upload = files.get("file")
        if upload is None:
            return None, None
        return name_as_sent(upload), upload.read()


def _page_url(url, page, number):
    return remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)


class DocumentListView(UploadView):
    @extend_schema(
        operation_id="documents_list",
        tags=TAGS,
        summary="The documents of a case, most recently changed first",
        parameters=[DocumentFilterSerializer],
        responses={200: DocumentPageSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        check_case_visible(request, case_id)
        query = parse_input(DocumentFilterSerializer, request.query_params)
        filters = queries.DocumentFilter(kind=query.get("kind", ""), person_id=query.get("person"))
        _case, page, rows, _persons = queries.documents_page(
            Actor.from_request(request), case_id, filters, query.get("page", 1)
        )
        url = request.build_absolute_uri()
        return Response(
            {
                "count": page.paginator.count,
                "next": _page_url(url, page, page.next_page_number()) if page.has_next() else None,
                "previous": _page_url(url, page, page.previous_page_number()) if page.has_previous() else None,
                "results": DocumentRowSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        operation_id="documents_create",
        tags=TAGS,
        summary="Add a document with its first file",
        description="multipart/form-data. The file is checked by its content against the allow-list (PDF without "
        "scripts, Word, Excel, OpenDocument, plain text, PNG, JPEG, GIF); its name must match its content and be a "
        "plain file name. Nothing is stored when anything is refused.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 413: TOO_LARGE},
    )
    def post(self, request, case_id):
        actor = Actor.from_request(request)
        queries.case_to_change(actor, case_id)
        filename, content = self._file(request)
        fields = {key: value for key, value in request.data.items() if key != "file"}
        data = parse_input(DocumentUploadSerializer, {**fields, "file": request.FILES.get("file")})
        data.pop("file", None)
        document = services.add_document(actor, case_id, data, filename, content)
        _case, document = queries.get_document(actor, case_id, document.pk, log=False)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDetailView(JsonApiView):
    @extend_schema(
        operation_id="documents_retrieve",
        tags=TAGS,
        summary="One document with its versions",
        responses={200: DocumentSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, document_id):
        _case, document = queries.get_document(Actor.from_request(request), case_id, document_id)
        return Response(DocumentSerializer(document).data)

    @extend_schema(
        operation_id="documents_partial_update",
        tags=TAGS,
        summary="Change what a document says about itself",
        description="Send only the fields to change, and always the version you read.",
        request=DocumentChangesSerializer,
        responses={200: DocumentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, document_id):
        check_case_visible(request, case_id)
        changes = parse_input(DocumentChangesSerializer, request.data)
        version = changes.pop("version")
        actor = Actor.from_request(request)
        services.update_document(actor, case_id, document_id, changes, version)
        _case, document = queries.get_document(actor, case_id, document_id, log=False)
        return Response(DocumentSerializer(document).data)

    @extend_schema(
        operation_id="documents_destroy",
        tags=TAGS,
        summary="Remove a document with all its versions",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, document_id):
        check_case_visible(request, case_id)
        services.remove_document(Actor.from_request(request), case_id, document_id, None)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VersionListView(UploadView):
    @extend_schema(
        operation_id="documents_versions_create",
        tags=TAGS,
        summary="Add a new version of a document's file",
        description="multipart/form-data with one field, the file; checked as for a new document.",
        request={"multipart/form-data": VersionUploadSerializer},
        responses={201: VersionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 413: TOO_LARGE},
    )
    def post(self, request, case_id, document_id):
        actor = Actor.from_request(request)
        queries.case_to_change(actor, case_id, document_id)
        filename, content = self._file(request)
        fields = {key: value for key, value in request.data.items() if key != "file"}
        parse_input(VersionUploadSerializer, {**fields, "file": request.FILES.get("file")})
        version = services.add_version(actor, case_id, document_id, filename, content)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class DownloadView(JsonApiView):
    @extend_schema(
        operation_id="documents_download",
        tags=TAGS,
        summary="Download the latest version's file",
        description="Always as an attachment, with the type its content showed at upload. Every download is logged.",
        responses={**FILE_ANSWERS, 404: NOT_FOUND, 500: DAMAGED},
    )
    def get(self, request, case_id, document_id):
        return _download(request, case_id, document_id, None)


class VersionDownloadView(JsonApiView):
    @extend_schema(
        operation_id="documents_versions_download",
        tags=TAGS,
        summary="Download one version's file",
        responses={**FILE_ANSWERS, 404: NOT_FOUND, 500: DAMAGED},
    )
    def get(self, request, case_id, document_id, version_number):
        return _download(request, case_id, document_id, version_number)


def _download(request, case_id, document_id, number):
    try:
        version, content = queries.download(Actor.from_request(request), case_id, document_id, number)
    except queries.DamagedFile:
        return Response({"detail": services.damaged_message()}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return file_response(version, content)
