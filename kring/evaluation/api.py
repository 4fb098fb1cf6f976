"""The evaluation stage's REST API: indicators, effect evaluation, reports and extracts (jobs with their progress
and download), research projects and the data dictionary. The same queries and services as the pages, so the
same scope, suppression and access log."""

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from kring.cases.api import FORBIDDEN, NOT_FOUND
from kring.core.actor import Actor
from kring.core.api import INVALID, JsonApiView, parse_input
from kring.core.errors import NotFound

from . import comparison, dataset, queries, report, services
from .core.errors import EvaluationInputError
from .messages import error_message
from .serializers import (
    CompareRequestSerializer,
    DictionaryEntrySerializer,
    ExtractRequestSerializer,
    IndicatorQuerySerializer,
    IndicatorResultSerializer,
    JobSerializer,
    ProjectSerializer,
    ReportRequestSerializer,
)

TAGS = ["evaluation"]


def _scope_or_404(request):
    scope = queries.scope_for(request.user)
    if scope.empty:
        raise NotFound()
    return scope


def _organisations(data):
    return [data["organisation"]] if data.get("organisation") else None


def _chosen_view(scope, data):
    """Refused with 400, before anything is read, when a suppressed view is asked with a filter."""
    return queries.choose_view(
        scope,
        organisation_ids=_organisations(data),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        view=data.get("view"),
    )


class IndicatorsView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_indicators",
        tags=TAGS,
        summary="Indicators per group",
        description="Offers, plans (Wilson 95% intervals), cumulative incidence of a plan and of giving "
        "up, agreements kept and outcomes, per method, organisation, team, region, year or "
        "quarter. For researchers counts under 5, and those that would reveal them, are null; "
        "no minimum or maximum times. Suppressed figures always cover every organisation "
        "where you do research over the whole period: a period or an organisation with "
        "them is refused (400).",
        parameters=[IndicatorQuerySerializer],
        responses={200: IndicatorResultSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request):
        _scope_or_404(request)
        data = parse_input(IndicatorQuerySerializer, request.query_params)
        # indicator_view refuses a suppressed view with a filter (400) before it reads anything
        view = queries.indicator_view(
            Actor.from_request(request),
            grouping=data["grouping"],
            today=timezone.localdate(),
            organisation_ids=_organisations(data),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            view=data.get("view"),
        )
        rows = [{**report.plain_row(r), "outcomes": r.outcomes} for r in view.rows]
        return Response(
            {
                "grouping": view.grouping,
                "organisation_ids": view.organisation_ids,
                "suppressed": view.suppressed,
                "rows": rows,
            }
        )


class CompareView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_compare",
        tags=TAGS,
        summary="A method against regular care",
        description="Every registered outcome at the follow-up moment: raw difference, regression "
        "adjustment, inverse-probability weighting and matching with 95% intervals, balance, "
        "overlap, effect sizes, moderators and corrected p-values. For researchers: refused "
        "(suppressed, group sizes null) when a group is under 5 or hidden in the indicators; "
        "counts under 5, shares of fewer than 5 events, small moderator cells, the common "
        "support and single families' values left out; overlap bins merged to 0 or 5+.",
        request=CompareRequestSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: INVALID, 404: NOT_FOUND},
    )
    def post(self, request):
        scope = _scope_or_404(request)
        data = parse_input(CompareRequestSerializer, request.data)
        chosen_view = _chosen_view(scope, data)
        chosen = chosen_view.organisation_ids
        queries.log_compare(Actor.from_request(request), chosen, data["method"])
        try:
            today = timezone.localdate()
            result = comparison.compare(
                chosen,
                method=data["method"],
                comparison=data["comparison"],
                moment=data["moment"],
                today=today,
                date_from=data.get("date_from"),
                date_to=data.get("date_to"),
                correction=data["correction"],
                **queries.comparison_disclosure(chosen, suppressed=chosen_view.suppressed, today=today),
            )
        except EvaluationInputError as error:
            raise ApiValidationError({"comparison": [error_message(error.as_dict())]}) from None
        return Response(result)


class ReportRequestView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_reports_create",
        tags=TAGS,
        summary="Ask for the evaluation report",
        description="Built by the background worker; follow the job for its progress and download the PDF.",
        request=ReportRequestSerializer,
        responses={202: JobSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def post(self, request):
        _scope_or_404(request)
        data = parse_input(ReportRequestSerializer, request.data)
        job = services.request_report(
            Actor.from_request(request),
            organisation_ids=_organisations(data),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            moment=data["moment"],
            view=data.get("view"),
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class JobView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_jobs_retrieve",
        tags=TAGS,
        summary="A report or extract and its progress",
        responses={200: JobSerializer, 404: NOT_FOUND},
    )
    def get(self, request, job_id):
        return Response(JobSerializer(queries.job_for(Actor.from_request(request), job_id)).data)


class JobDownloadView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_jobs_download",
        tags=TAGS,
        summary="Download a finished report or extract",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    def get(self, request, job_id):
        job = queries.job_result(Actor.from_request(request), job_id)
        response = HttpResponse(bytes(job.result), content_type=job.content_type)
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        return response


class ProjectListView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_projects_list",
        tags=TAGS,
        summary="Your research projects",
        responses={200: ProjectSerializer(many=True)},
    )
    def get(self, request):
        return Response(ProjectSerializer(queries.projects_of(Actor.from_request(request)), many=True).data)


class ExtractRequestView(JsonApiView):
    @extend_schema(
        operation_id="evaluation_extracts_create",
        tags=TAGS,
        summary="Ask for a pseudonymised extract of a research project",
        description="A zip with the minimum dataset (CSV or Parquet) and its data dictionary.",
        request=ExtractRequestSerializer,
        responses={202: JobSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, project_id):
        data = parse_input(ExtractRequestSerializer, request.data)
        job = services.request_extract(Actor.from_request(request), project_id, data["format"])
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class DictionaryView(JsonApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="evaluation_dictionary",
        tags=TAGS,
        summary="The data dictionary",
        description="Every variable of the minimum dataset, in Dutch and English, with its codes.",
        responses={200: DictionaryEntrySerializer(many=True)},
    )
    def get(self, request):
        return Response(DictionaryEntrySerializer(dataset.dictionary(), many=True).data)
