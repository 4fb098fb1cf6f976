"""The case file's REST API. Thin, like the pages: parse with a serializer, call a query or a service, answer.

Who may see and change what, validation and the access log all live in ``queries.py`` and ``services.py``;
``kring.core.api.exception_handler`` turns their errors into 400, 403, 404 and 409 answers.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, ErrorSerializer, JsonApiView, parse_input

from . import queries, services
from .serializers import (
    AuthorityEndSerializer,
    AuthorityInputSerializer,
    AuthoritySerializer,
    CapabilityInputSerializer,
    CapabilitySerializer,
    CaseChangesSerializer,
    CaseDetailSerializer,
    CaseListItemSerializer,
    CaseListPageSerializer,
    CaseloadQuerySerializer,
    CaseSerializer,
    ConsentInputSerializer,
    ConsentSerializer,
    ConsentWithdrawalSerializer,
    NoContactInputSerializer,
    NoContactSerializer,
    PersonChangesSerializer,
    PersonInputSerializer,
    PersonSerializer,
    ReferralSerializer,
    TeamMemberInputSerializer,
    TeamMemberSerializer,
)

FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Your role does not allow this change.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such case, or not one of yours.")


def check_case_visible(request, case_id):
    """Answer 404 for a case the user may not see, and log the refusal, before looking at the input."""
    queries.get_case(Actor.from_request(request), case_id, log=False)


def _detail(case, persons, team, consents):
    """Present what queries.case_detail returned (and logged), not a fresh read of the case's lists."""
    case.detail_persons, case.detail_team, case.detail_consents = persons, team, consents
    return CaseDetailSerializer(case).data


class CaseListView(JsonApiView):
    @extend_schema(
        operation_id="cases_list",
        tags=["cases"],
        summary="Your cases",
        parameters=[CaseloadQuerySerializer],
        responses={200: CaseListPageSerializer, 400: INVALID},
    )
    def get(self, request):
        query = parse_input(CaseloadQuerySerializer, request.query_params)
        filters = queries.CaseloadFilter(
            text=query.get("q", ""),
            status=query.get("status", ""),
            legal_context=query.get("legal_context", ""),
            team_id=query.get("team"),
            page=query["page"],
        )
        page, rows = queries.caseload(Actor.from_request(request), filters)
        url = request.build_absolute_uri()
        return Response(
            {
                "count": page.paginator.count,
                "next": replace_query_param(url, "page", page.next_page_number()) if page.has_next() else None,
                "previous": _previous_page_url(url, page) if page.has_previous() else None,
                "results": CaseListItemSerializer(rows, many=True).data,
            }
        )

    @extend_schema(
        operation_id="cases_create",
        tags=["cases"],
        summary="Record a referral",
        request=ReferralSerializer,
        responses={201: CaseDetailSerializer, 400: INVALID, 403: FORBIDDEN},
    )
    def post(self, request):
        data = parse_input(ReferralSerializer, request.data)
        organisation = data.pop("organisation")
        persons = [dict(person) for person in data.pop("persons")]
        actor = Actor.from_request(request)
        case = services.create_referral(actor, organisation, data, persons)
        detail = queries.case_detail(actor, case.pk)
        headers = {"Location": request.build_absolute_uri(reverse("cases_api:case", args=[case.pk]))}
        return Response(_detail(*detail), status=status.HTTP_201_CREATED, headers=headers)


def _previous_page_url(url, page):
    previous = page.previous_page_number()
    return remove_query_param(url, "page") if previous == 1 else replace_query_param(url, "page", previous)


class CaseDetailView(JsonApiView):
    @extend_schema(
        operation_id="cases_retrieve",
        tags=["cases"],
        summary="A case with its persons, case team and consents",
        responses={200: CaseDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        detail = queries.case_detail(Actor.from_request(request), case_id)
        return Response(_detail(*detail))

    @extend_schema(
        operation_id="cases_partial_update",
        tags=["cases"],
        summary="Change a case",
        description="Send only the fields to change, and always the version you read.",
        request=CaseChangesSerializer,
        responses={200: CaseSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id):
        check_case_visible(request, case_id)
        changes = parse_input(CaseChangesSerializer, request.data)
        version = changes.pop("version")
        case = services.update_case(Actor.from_request(request), case_id, changes, version)
        return Response(CaseSerializer(case).data)


class PersonListView(JsonApiView):
    @extend_schema(
        operation_id="case_persons_list",
        tags=["persons"],
        summary="The persons of a case",
        responses={200: PersonSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        _case, persons, _team, _consents = queries.case_detail(Actor.from_request(request), case_id)
        return Response(PersonSerializer(persons, many=True).data)

    @extend_schema(
        operation_id="case_persons_create",
        tags=["persons"],
        summary="Add a person to a case",
        request=PersonInputSerializer,
        responses={201: PersonSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(PersonInputSerializer, request.data)
        person = services.add_person(Actor.from_request(request), case_id, data)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_persons_retrieve",
        tags=["persons"],
        summary="One person of a case",
        responses={200: PersonSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, person_id):
        actor = Actor.from_request(request)
        case = queries.get_case(actor, case_id, log=False)
        person = queries.get_person(actor, case, person_id)
        return Response(PersonSerializer(person).data)

    @extend_schema(
        operation_id="case_persons_partial_update",
        tags=["persons"],
        summary="Change a person",
        description="Send only the fields to change, and always the version you read.",
        request=PersonChangesSerializer,
        responses={200: PersonSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, person_id):
        check_case_visible(request, case_id)
        changes = parse_input(PersonChangesSerializer, request.data)
        version = changes.pop("version")
        person = services.update_person(Actor.from_request(request), case_id, person_id, changes, version)
        return Response(PersonSerializer(person).data)

    @extend_schema(
        operation_id="case_persons_destroy",
        tags=["persons"],
        summary="Remove a person from a case",
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, person_id):
        check_case_visible(request, case_id)
        services.remove_person(Actor.from_request(request), case_id, person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamListView(JsonApiView):
    @extend_schema(
        operation_id="case_team_list",
        tags=["case team"],
        summary="The case team",
        responses={200: TeamMemberSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        case = queries.get_case(Actor.from_request(request), case_id)
        members = case.team_members.select_related("user")
        return Response(TeamMemberSerializer(members, many=True).data)

    @extend_schema(
        operation_id="case_team_create",
        tags=["case team"],
        summary="Add a colleague to the case team",
        request=TeamMemberInputSerializer,
        responses={201: TeamMemberSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(TeamMemberInputSerializer, request.data)
        member = services.add_team_member(Actor.from_request(request), case_id, data["user"], data["role"])
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class TeamMemberDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_team_destroy",
        tags=["case team"],
        summary="Remove a colleague from the case team",
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, member_id):
        check_case_visible(request, case_id)
        services.remove_team_member(Actor.from_request(request), case_id, member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentListView(JsonApiView):
    @extend_schema(
        operation_id="case_consents_list",
        tags=["consent"],
        summary="The consents recorded for a case",
        responses={200: ConsentSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        # Through case_detail: the consents name persons, so the person reads are logged with them.
        _case, _persons, _team, consents = queries.case_detail(Actor.from_request(request), case_id)
        return Response(ConsentSerializer(consents, many=True).data)

    @extend_schema(
        operation_id="case_consents_create",
        tags=["consent"],
        summary="Record a consent",
        request=ConsentInputSerializer,
        responses={201: ConsentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(ConsentInputSerializer, request.data)
        consent = services.record_consent(Actor.from_request(request), case_id, data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawView(JsonApiView):
    @extend_schema(
        operation_id="case_consents_withdraw",
        tags=["consent"],
        summary="Record that a consent was withdrawn",
        request=ConsentWithdrawalSerializer,
        responses={200: ConsentSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, consent_id):
        check_case_visible(request, case_id)
        data = parse_input(ConsentWithdrawalSerializer, request.data)
        consent = services.withdraw_consent(
            Actor.from_request(request), case_id, consent_id, data["withdrawn_on"], data["version"]
        )
        return Response(ConsentSerializer(consent).data)


class AuthorityListView(JsonApiView):
    @extend_schema(
        operation_id="case_authority_list",
        tags=["parental authority"],
        summary="Who holds parental authority over the children of a case",
        responses={200: AuthoritySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        actor = Actor.from_request(request)
        case = queries.get_case(actor, case_id, log=False)
        records = queries.authority_page(actor, case)["records"]
        return Response(AuthoritySerializer(records, many=True).data)

    @extend_schema(
        operation_id="case_authority_create",
        tags=["parental authority"],
        summary="Record who holds parental authority over a child",
        request=AuthorityInputSerializer,
        responses={201: AuthoritySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(AuthorityInputSerializer, request.data)
        record = services.record_authority(Actor.from_request(request), case_id, data)
        return Response(AuthoritySerializer(record).data, status=status.HTTP_201_CREATED)


class AuthorityEndView(JsonApiView):
    @extend_schema(
        operation_id="case_authority_end",
        tags=["parental authority"],
        summary="Record the day a parental authority ended",
        request=AuthorityEndSerializer,
        responses={200: AuthoritySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, authority_id):
        check_case_visible(request, case_id)
        data = parse_input(AuthorityEndSerializer, request.data)
        record = services.end_authority(
            Actor.from_request(request), case_id, authority_id, data["ended_on"], data["version"], data.get("notes", "")
        )
        return Response(AuthoritySerializer(record).data)


class CapabilityListView(JsonApiView):
    @extend_schema(
        operation_id="case_capability_list",
        tags=["parental authority"],
        summary="The case worker's judgements of a child's capability, per purpose of consent",
        responses={200: CapabilitySerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        actor = Actor.from_request(request)
        case = queries.get_case(actor, case_id, log=False)
        judgements = queries.authority_page(actor, case)["judgements"]
        return Response(CapabilitySerializer(judgements, many=True).data)

    @extend_schema(
        operation_id="case_capability_create",
        tags=["parental authority"],
        summary="Record whether a child can judge their own interests for a purpose",
        request=CapabilityInputSerializer,
        responses={201: CapabilitySerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(CapabilityInputSerializer, request.data)
        judgement = services.record_capability(Actor.from_request(request), case_id, data)
        return Response(CapabilitySerializer(judgement).data, status=status.HTTP_201_CREATED)


class NoContactListView(JsonApiView):
    @extend_schema(
        operation_id="case_no_contact_list",
        tags=["confidentiality"],
        summary='The case\'s "no contact" marks',
        description="Each mark keeps everything that locates `person` (address, phone, e-mail, a meeting at their "
        "home) from `kept_from`. Only the case team sees them.",
        responses={200: NoContactSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        actor = Actor.from_request(request)
        case = queries.get_case(actor, case_id)
        return Response(NoContactSerializer(queries.no_contact_marks(actor, case), many=True).data)

    @extend_schema(
        operation_id="case_no_contact_create",
        tags=["confidentiality"],
        summary='Record a "no contact" mark between two persons of the case',
        description="Both persons must be of this case and differ; a pair is marked once.",
        request=NoContactInputSerializer,
        responses={201: NoContactSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(NoContactInputSerializer, request.data)
        mark = services.record_no_contact(Actor.from_request(request), case_id, data)
        return Response(NoContactSerializer(mark).data, status=status.HTTP_201_CREATED)


class NoContactDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_no_contact_destroy",
        tags=["confidentiality"],
        summary='End a "no contact" mark',
        description="The mark is removed; the case's history keeps it.",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, no_contact_id):
        check_case_visible(request, case_id)
        services.end_no_contact(Actor.from_request(request), case_id, no_contact_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
