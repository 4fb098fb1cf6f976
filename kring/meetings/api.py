"""The meetings' REST API. Thin, like the pages: parse with a serializer, call a query or a service, answer.
``kring.core.api.exception_handler`` turns the services' errors into 400, 403, 404 and 409 answers."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, JsonApiView, parse_input

from . import queries, services
from .serializers import (
    AttendanceInputSerializer,
    AttendanceSerializer,
    CancelSerializer,
    ContributionInputSerializer,
    ContributionSerializer,
    InvitationChangesSerializer,
    InvitationSerializer,
    InviteSerializer,
    MeetingChangesSerializer,
    MeetingInputSerializer,
    MeetingSerializer,
)

TAGS = ["meetings"]


def _attendance(view) -> dict:
    parts = []
    for part in view.parts:
        keys = view.present.get(part.pk) or set()
        parts.append(
            {
                "part": part.pk,
                "private": part.private,
                "started_at": part.started_at,
                "ended_at": part.ended_at,
                "invitations": sorted(int(k[1:]) for k in keys if k.startswith("i")),
                "users": sorted(int(k[1:]) for k in keys if k.startswith("u")),
            }
        )
    return AttendanceSerializer(
        {
            "version": view.meeting.version,
            "attendees": [vars(a) for a in view.attendees.values()],
            "parts": parts,
            "private_time": view.private_checks,
        }
    ).data


class MeetingListView(JsonApiView):
    @extend_schema(
        operation_id="meetings_list",
        tags=TAGS,
        summary="The meetings of a trajectory",
        responses={200: MeetingSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, trajectory_id):
        actor = Actor.from_request(request)
        queries.get_trajectory(actor, case_id, trajectory_id)
        _case, _trajectories, meetings = queries.meetings_for_case(actor, case_id)
        return Response(MeetingSerializer([m for m in meetings if m.trajectory_id == trajectory_id], many=True).data)

    @extend_schema(
        operation_id="meetings_create",
        tags=TAGS,
        summary="Plan a meeting",
        description="Date-times without an offset are the organisation's local time.",
        request=MeetingInputSerializer,
        responses={201: MeetingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, trajectory_id):
        check_case_visible(request, case_id)
        data = parse_input(MeetingInputSerializer, request.data)
        meeting = services.schedule_meeting(Actor.from_request(request), case_id, trajectory_id, data)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailView(JsonApiView):
    @extend_schema(
        operation_id="meetings_retrieve",
        tags=TAGS,
        summary="One meeting with its parts",
        responses={200: MeetingSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, meeting_id):
        view = queries.meeting_detail(Actor.from_request(request), case_id, meeting_id)
        return Response(MeetingSerializer(view.meeting).data)

    @extend_schema(
        operation_id="meetings_partial_update",
        tags=TAGS,
        summary="Change a meeting",
        description="Send only the fields to change, and always the version you read.",
        request=MeetingChangesSerializer,
        responses={200: MeetingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        changes = parse_input(MeetingChangesSerializer, request.data)
        version = changes.pop("version")
        meeting = services.update_meeting(Actor.from_request(request), case_id, meeting_id, changes, version)
        return Response(MeetingSerializer(meeting).data)


class MeetingCancelView(JsonApiView):
    @extend_schema(
        operation_id="meetings_cancel",
        tags=TAGS,
        summary="Cancel a meeting",
        request=CancelSerializer,
        responses={200: MeetingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(CancelSerializer, request.data)
        meeting = services.cancel_meeting(
            Actor.from_request(request), case_id, meeting_id, data["reason"], data["version"]
        )
        return Response(MeetingSerializer(meeting).data)


class InvitationListView(JsonApiView):
    @extend_schema(
        operation_id="meeting_invitations_list",
        tags=TAGS,
        summary="The invitations of a meeting",
        responses={200: InvitationSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, meeting_id):
        view = queries.meeting_detail(Actor.from_request(request), case_id, meeting_id)
        return Response(InvitationSerializer(view.invitations, many=True).data)

    @extend_schema(
        operation_id="meeting_invitations_create",
        tags=TAGS,
        summary="Invite from the network map",
        description="Persons the map does not mark safe and invitable need a reason in `overrides`.",
        request=InviteSerializer,
        responses={201: InvitationSerializer(many=True), 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(InviteSerializer, request.data)
        created = services.invite_from_map(
            Actor.from_request(request),
            case_id,
            meeting_id,
            data.get("persons"),
            roles=data.get("roles"),
            overrides=data.get("overrides"),
            consent_reason=data.get("consent_reason", ""),
        )
        return Response(InvitationSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class InvitationDetailView(JsonApiView):
    @extend_schema(
        operation_id="meeting_invitations_partial_update",
        tags=TAGS,
        summary="Record an answer, how someone takes part, or the preparation contact",
        request=InvitationChangesSerializer,
        responses={200: InvitationSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, meeting_id, invitation_id):
        check_case_visible(request, case_id)
        changes = parse_input(InvitationChangesSerializer, request.data)
        version = changes.pop("version")
        invitation = services.update_invitation(
            Actor.from_request(request), case_id, meeting_id, invitation_id, changes, version
        )
        return Response(InvitationSerializer(invitation).data)


class AttendanceView(JsonApiView):
    @extend_schema(
        operation_id="meeting_attendance_retrieve",
        tags=TAGS,
        summary="Who was present in each part, and whether private family time stayed private",
        responses={200: AttendanceSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, meeting_id):
        view = queries.meeting_detail(Actor.from_request(request), case_id, meeting_id)
        return Response(_attendance(view))

    @extend_schema(
        operation_id="meeting_attendance_update",
        tags=TAGS,
        summary="Save the whole attendance grid",
        description="Everyone not listed in a part is recorded as absent. Professionals and the "
        "coordinator cannot be present in a private part.",
        request=AttendanceInputSerializer,
        responses={200: AttendanceSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(AttendanceInputSerializer, request.data)
        present, times = [], {}
        for part in data["parts"]:
            present += [(part["part"], f"i{i}") for i in part["invitations"]]
            present += [(part["part"], f"u{u}") for u in part["users"]]
            times[part["part"]] = (part.get("started_at"), part.get("ended_at"))
        actor = Actor.from_request(request)
        services.record_attendance(actor, case_id, meeting_id, present, times, expected_version=data["version"])
        return Response(_attendance(queries.meeting_detail(actor, case_id, meeting_id)))


class ContributionListView(JsonApiView):
    @extend_schema(
        operation_id="meeting_information_list",
        tags=TAGS,
        summary="Information from professionals shared equally with all participants",
        responses={200: ContributionSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, case_id, meeting_id):
        view = queries.meeting_detail(Actor.from_request(request), case_id, meeting_id)
        return Response(ContributionSerializer(view.contributions, many=True).data)

    @extend_schema(
        operation_id="meeting_information_create",
        tags=TAGS,
        summary="Add information from a professional",
        request=ContributionInputSerializer,
        responses={201: ContributionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(ContributionInputSerializer, request.data)
        contribution = services.add_contribution(Actor.from_request(request), case_id, meeting_id, data)
        return Response(ContributionSerializer(contribution).data, status=status.HTTP_201_CREATED)
