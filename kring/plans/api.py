"""The plans' REST API. Thin, like the pages: parse with a serializer, call a query or a service, answer.
``kring.core.api.exception_handler`` turns the services' errors into 400, 403, 404 and 409 answers.

Writes check first that the case is visible (so an outsider gets 404 and the refusal is logged before the input is
looked at), then call the service, which checks the role, validates, refuses stale versions and logs. Reads start
from the case's visibility query and log exactly the records they answer with.
"""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, JsonApiView, parse_input
from kring.core.errors import NotFound

from . import follow_up, queries, services
from .links import queries as link_queries
from .serializers import (
    AgreementChangesSerializer,
    AgreementInputSerializer,
    AgreementRemovalQuerySerializer,
    AgreementReportSerializer,
    AgreementSerializer,
    BottomLineChangesSerializer,
    BottomLineInputSerializer,
    BottomLineSerializer,
    DecisionInputSerializer,
    HoldReviewSerializer,
    PersonalLinkSerializer,
    PlanChangesSerializer,
    PlanDecisionSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanStartSerializer,
    ReportInputSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
    VersionSerializer,
    WithdrawSerializer,
)

TAGS = ["plans"]
REMOVED = OpenApiResponse(description="Removed: deleted from the draft, or stopped if it was ever in force.")


@contextmanager
def _fields_renamed(names: dict):
    """A service names a field differently from the API (``withdrawal_reason`` for ``reason``): show its message
    under the field the client sent."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {names.get(name, name): messages for name, messages in error.message_dict.items()}
        ) from None


# ---- reads: the queries start from the case's visibility query and log what they return --------------------


def _plan_detail(view):
    """Present what queries.plan_view returned (and logged), not a fresh read of the plan's lists."""
    if view.plan is None:
        raise NotFound()
    plan = view.plan
    plan.detail_bottom_lines, plan.detail_agreements = view.bottom_lines, view.agreements
    plan.detail_decisions, plan.detail_reviews = view.decisions, view.reviews
    return PlanDetailSerializer(plan).data


# ---- bottom lines ------------------------------------------------------------------------------------------


class BottomLineListView(JsonApiView):
    @extend_schema(
        operation_id="plan_bottom_lines_list",
        tags=TAGS,
        summary="The bottom lines of a trajectory",
        description="In force first, then withdrawn ones.",
        responses={200: BottomLineSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        lines = queries.bottom_lines_of_trajectory(Actor.from_request(request), case_id, trajectory_id)
        return Response(BottomLineSerializer(lines, many=True).data)

    @extend_schema(
        operation_id="plan_bottom_lines_create",
        tags=TAGS,
        summary="Set a bottom line",
        description="Only the case worker or the team lead sets bottom lines.",
        request=BottomLineInputSerializer,
        responses={201: BottomLineSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(BottomLineInputSerializer, request.data)
        line = services.add_bottom_line(Actor.from_request(request), case_id, trajectory_id, data)
        return Response(BottomLineSerializer(line).data, status=status.HTTP_201_CREATED)


class BottomLineDetailView(JsonApiView):
    @extend_schema(
        operation_id="plan_bottom_lines_retrieve",
        tags=TAGS,
        summary="One bottom line",
        responses={200: BottomLineSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, bottom_line_id):
        line = queries.bottom_line_detail(Actor.from_request(request), case_id, bottom_line_id)
        return Response(BottomLineSerializer(line).data)

    @extend_schema(
        operation_id="plan_bottom_lines_partial_update",
        tags=TAGS,
        summary="Change a bottom line",
        description="Send only the fields to change, and always the version you read.",
        request=BottomLineChangesSerializer,
        responses={200: BottomLineSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, bottom_line_id):
        check_case_visible(request, case_id)
        changes = parse_input(BottomLineChangesSerializer, request.data)
        version = changes.pop("version")
        line = services.update_bottom_line(Actor.from_request(request), case_id, bottom_line_id, changes, version)
        return Response(BottomLineSerializer(line).data)


class BottomLineWithdrawView(JsonApiView):
    @extend_schema(
        operation_id="plan_bottom_lines_withdraw",
        tags=TAGS,
        summary="Withdraw a bottom line",
        description="It stays on record with its checks; later decisions skip it.",
        request=WithdrawSerializer,
        responses={200: BottomLineSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, bottom_line_id):
        check_case_visible(request, case_id)
        data = parse_input(WithdrawSerializer, request.data)
        with _fields_renamed({"withdrawal_reason": "reason"}):
            line = services.withdraw_bottom_line(
                Actor.from_request(request), case_id, bottom_line_id, data["reason"], data["version"]
            )
        return Response(BottomLineSerializer(line).data)


# ---- the plan ----------------------------------------------------------------------------------------------


class PlanView(JsonApiView):
    @extend_schema(
        operation_id="plans_retrieve",
        tags=TAGS,
        summary="The plan of a trajectory",
        description="With its bottom lines, agreements, decisions (each with its checks) and reviews.",
        responses={200: PlanDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        view = queries.plan_view(Actor.from_request(request), case_id, trajectory_id)
        return Response(_plan_detail(view))

    @extend_schema(
        operation_id="plans_create",
        tags=TAGS,
        summary="Start the plan",
        description="One plan per trajectory, of the kind its method makes.",
        request=PlanStartSerializer,
        responses={201: PlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        parse_input(PlanStartSerializer, request.data)
        plan = services.start_plan(Actor.from_request(request), case_id, trajectory_id)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="plans_partial_update",
        tags=TAGS,
        summary="Change the plan's text",
        description="While it is a draft or was sent back. Send only the fields to change, and always "
        "the version you read.",
        request=PlanChangesSerializer,
        responses={200: PlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, trajectory_id):
        actor = Actor.from_request(request)
        check_case_visible(request, case_id)
        changes = parse_input(PlanChangesSerializer, request.data)
        version = changes.pop("version")
        plan_id = queries.plan_id_of_trajectory(actor, case_id, trajectory_id)
        plan = services.update_plan(actor, case_id, plan_id, changes, version)
        return Response(PlanSerializer(plan).data)


class PlanSubmitView(JsonApiView):
    @extend_schema(
        operation_id="plans_submit",
        tags=TAGS,
        summary="Submit the plan for approval",
        request=VersionSerializer,
        responses={200: PlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, plan_id):
        check_case_visible(request, case_id)
        data = parse_input(VersionSerializer, request.data)
        plan = services.submit_plan(Actor.from_request(request), case_id, plan_id, data["version"])
        return Response(PlanSerializer(plan).data)


class PlanDecisionView(JsonApiView):
    @extend_schema(
        operation_id="plans_decide",
        tags=TAGS,
        summary="Decide on the submitted plan",
        description="Only the case worker or the team lead. Judge every bottom line in force; a plan that "
        "fails a non-negotiable bottom line cannot be accepted.",
        request=DecisionInputSerializer,
        responses={201: PlanDecisionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, plan_id):
        check_case_visible(request, case_id)
        data = parse_input(DecisionInputSerializer, request.data)
        checks = {c["bottom_line"]: (c["met"], c["explanation"]) for c in data["checks"]}
        decision = services.decide_plan(
            Actor.from_request(request),
            case_id,
            plan_id,
            data["outcome"],
            data["reason"],
            checks,
            data["version"],
        )
        return Response(PlanDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class PlanNewVersionView(JsonApiView):
    @extend_schema(
        operation_id="plans_new_version",
        tags=TAGS,
        summary="Start a new version of an accepted plan",
        description="The agreements in force stay in force until the new version is accepted.",
        request=VersionSerializer,
        responses={200: PlanSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, plan_id):
        check_case_visible(request, case_id)
        data = parse_input(VersionSerializer, request.data)
        plan = services.start_new_edition(Actor.from_request(request), case_id, plan_id, data["version"])
        return Response(PlanSerializer(plan).data)


# ---- agreements --------------------------------------------------------------------------------------------


class AgreementListView(JsonApiView):
    @extend_schema(
        operation_id="plan_agreements_list",
        tags=TAGS,
        summary="The agreements of a plan",
        responses={200: AgreementSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, plan_id):
        agreements = queries.agreements_of_plan(Actor.from_request(request), case_id, plan_id)
        return Response(AgreementSerializer(agreements, many=True).data)

    @extend_schema(
        operation_id="plan_agreements_create",
        tags=TAGS,
        summary="Add an agreement to the draft plan",
        request=AgreementInputSerializer,
        responses={201: AgreementSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, plan_id):
        check_case_visible(request, case_id)
        data = parse_input(AgreementInputSerializer, request.data)
        plan_version = data.pop("plan_version", None)
        agreement = services.add_agreement(Actor.from_request(request), case_id, plan_id, data, plan_version)
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementDetailView(JsonApiView):
    @extend_schema(
        operation_id="plan_agreements_retrieve",
        tags=TAGS,
        summary="One agreement with its reports",
        responses={200: AgreementSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, agreement_id):
        agreement = queries.agreement_detail(Actor.from_request(request), case_id, agreement_id)
        return Response(AgreementSerializer(agreement).data)

    @extend_schema(
        operation_id="plan_agreements_partial_update",
        tags=TAGS,
        summary="Change an agreement",
        description="Send only the fields to change, and always the version you read.",
        request=AgreementChangesSerializer,
        responses={200: AgreementSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, agreement_id):
        check_case_visible(request, case_id)
        changes = parse_input(AgreementChangesSerializer, request.data)
        version = changes.pop("version")
        agreement = services.update_agreement(Actor.from_request(request), case_id, agreement_id, changes, version)
        return Response(AgreementSerializer(agreement).data)

    @extend_schema(
        operation_id="plan_agreements_destroy",
        tags=TAGS,
        summary="Take an agreement out of the draft",
        description="Send the version you read as a query parameter. An agreement that was ever in force, "
        "or has reports, is stopped rather than deleted, so its follow-up keeps its "
        'history; it is then still listed, with status "stopped".',
        parameters=[AgreementRemovalQuerySerializer],
        responses={204: REMOVED, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def delete(self, request, case_id, agreement_id):
        check_case_visible(request, case_id)
        query = parse_input(AgreementRemovalQuerySerializer, request.query_params)
        services.remove_agreement(Actor.from_request(request), case_id, agreement_id, query["version"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgreementReportView(JsonApiView):
    @extend_schema(
        operation_id="plan_agreements_report",
        tags=TAGS,
        summary="Record how an agreement went",
        description="E.g. after a phone call with its owner. Not done or help needed alerts the case team.",
        request=ReportInputSerializer,
        responses={201: AgreementReportSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, agreement_id):
        check_case_visible(request, case_id)
        data = parse_input(ReportInputSerializer, request.data)
        report = follow_up.record_report(
            Actor.from_request(request), case_id, agreement_id, data["outcome"], data.get("note", "")
        )
        return Response(AgreementReportSerializer(report).data, status=status.HTTP_201_CREATED)


# ---- reviews -----------------------------------------------------------------------------------------------


class ReviewListView(JsonApiView):
    @extend_schema(
        operation_id="plan_reviews_list",
        tags=TAGS,
        summary="The reviews of a plan",
        responses={200: ReviewSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, plan_id):
        reviews = queries.reviews_of_plan(Actor.from_request(request), case_id, plan_id)
        return Response(ReviewSerializer(reviews, many=True).data)

    @extend_schema(
        operation_id="plan_reviews_create",
        tags=TAGS,
        summary="Add a review moment",
        request=ReviewInputSerializer,
        responses={201: ReviewSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, plan_id):
        check_case_visible(request, case_id)
        data = parse_input(ReviewInputSerializer, request.data)
        review = follow_up.add_review(Actor.from_request(request), case_id, plan_id, data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewHoldView(JsonApiView):
    @extend_schema(
        operation_id="plan_reviews_hold",
        tags=TAGS,
        summary="Record a review",
        description="Per agreement in force how it was kept, and the decision. Adjusting starts a new "
        "version of the plan.",
        request=HoldReviewSerializer,
        responses={200: ReviewSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, review_id):
        check_case_visible(request, case_id)
        data = parse_input(HoldReviewSerializer, request.data)
        items = {
            item["agreement"]: {"keeping": item["keeping"], "note": item.get("note", "")} for item in data["items"]
        }
        review = follow_up.hold_review(
            Actor.from_request(request),
            case_id,
            review_id,
            items,
            data["decision"],
            data.get("note", ""),
            data.get("held_on"),
            data["version"],
            ratings=data.get("ratings", ()),
        )
        return Response(ReviewSerializer(review).data)


# ---- personal links (read only, without their secret) ------------------------------------------------------


class PersonalLinkListView(JsonApiView):
    @extend_schema(
        operation_id="plan_links_list",
        tags=TAGS,
        summary="The personal links of a plan",
        description="Without their secret: links are made and handed out on the plan page only.",
        responses={200: PersonalLinkSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, plan_id):
        links = link_queries.links_of_plan(Actor.from_request(request), case_id, plan_id)
        return Response(PersonalLinkSerializer(links, many=True).data)
