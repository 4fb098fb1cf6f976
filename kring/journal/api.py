"""The journal's REST API. Thin, like the pages: parse with a serializer, call a query or a service, answer."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from kring.cases.queries import get_case
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, parse_input

from . import queries, services
from .serializers import (
    JournalCorrectionInputSerializer,
    JournalEntryInputSerializer,
    JournalEntrySerializer,
    JournalPageSerializer,
    JournalQuerySerializer,
)

FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role does not allow writing in this journal.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such case or entry, or not one of yours.")
CORRECTED = OpenApiResponse(
    STALE.response, description="The entry was corrected already: correct its current version instead."
)


def _answer(actor, case, entry):
    """The entry as stored, with its persons, read again (and logged) the way the journal shows it."""
    return JournalEntrySerializer(queries.get_entry(actor, case, entry.pk)).data


class JournalView(JsonApiView):
    @extend_schema(
        operation_id="case_journal_list",
        tags=["journal"],
        summary="The journal of a case, newest first",
        parameters=[JournalQuerySerializer],
        responses={200: JournalPageSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        actor = Actor.from_request(request)
        case = get_case(actor, case_id, log=False)
        query = parse_input(JournalQuerySerializer, request.query_params)
        filters = queries.JournalFilter(
            category=query.get("category", ""),
            person_id=query.get("person"),
            all_versions=query["versions"] == "all",
            page=query["page"],
        )
        page, rows = queries.journal_page(actor, case, filters)
        url = request.build_absolute_uri()
        previous = None
        if page.has_previous():
            number = page.previous_page_number()
            previous = remove_query_param(url, "page") if number == 1 else replace_query_param(url, "page", number)
        return Response(
            {
                "count": page.paginator.count,
                "next": replace_query_param(url, "page", page.next_page_number()) if page.has_next() else None,
                "previous": previous,
                "results": JournalEntrySerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        operation_id="case_journal_create",
        tags=["journal"],
        summary="Write a journal entry",
        description="An entry cannot be changed afterwards; a mistake is put right with a correction.",
        request=JournalEntryInputSerializer,
        responses={201: JournalEntrySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        actor = Actor.from_request(request)
        case = get_case(actor, case_id, log=False)
        data = parse_input(JournalEntryInputSerializer, request.data)
        entry = services.write_entry(actor, case_id, data)
        return Response(_answer(actor, case, entry), status=status.HTTP_201_CREATED)


class CorrectionView(JsonApiView):
    @extend_schema(
        operation_id="case_journal_correct",
        tags=["journal"],
        summary="Correct a journal entry",
        description=(
            "Writes a new version of the entry with every field of a new entry and the reason for the correction. "
            "The corrected entry stays, marked as corrected. Only the current version can be corrected: a version "
            "that was corrected already is refused with 409."
        ),
        request=JournalCorrectionInputSerializer,
        responses={201: JournalEntrySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CORRECTED},
    )
    def post(self, request, case_id, journal_entry_id):
        actor = Actor.from_request(request)
        case = get_case(actor, case_id, log=False)
        data = parse_input(JournalCorrectionInputSerializer, request.data)
        entry = services.correct_entry(actor, case_id, journal_entry_id, data)
        return Response(_answer(actor, case, entry), status=status.HTTP_201_CREATED)
