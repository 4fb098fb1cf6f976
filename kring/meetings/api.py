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
    AgreeSerializer,
    AttendanceInputSerializer,
    AttendanceSerializer,
    BookingInputSerializer,
    BookingSerializer,
    CancelSerializer,
    ContributionInputSerializer,
    ContributionSerializer,
    CostAnswerSerializer,
    CostInputSerializer,
    InvitationChangesSerializer,
    InvitationSerializer,
    InviteSerializer,
    LogisticsInputSerializer,
    LogisticsSerializer,
    MeetingChangesSerializer,
    MeetingInputSerializer,
    MeetingSerializer,
    PreparationSerializer,
    QuestionChangeSerializer,
    QuestionInputSerializer,
    QuestionSerializer,
    VisitInputSerializer,
    VisitSerializer,
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
                "modes": {key: mode for (part_id, key), mode in view.modes.items() if part_id == part.pk},
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
        present, times, modes = [], {}, {}
        for part in data["parts"]:
            present += [(part["part"], f"i{i}") for i in part["invitations"]]
            present += [(part["part"], f"u{u}") for u in part["users"]]
            times[part["part"]] = (part.get("started_at"), part.get("ended_at"))
            modes.update({(part["part"], key): mode for key, mode in (part.get("modes") or {}).items()})
        actor = Actor.from_request(request)
        services.record_attendance(
            actor, case_id, meeting_id, present, times, expected_version=data["version"], modes=modes
        )
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


# ---- the preparation (decisions 230-239) ---------------------------------------------------------------------

PREPARATION = "The coordinator's preparation: the question agreed by the family, the case worker and the coordinator"


def _preparation(request, case_id, meeting_id) -> dict:
    prepared = queries.preparation(Actor.from_request(request), case_id, meeting_id)
    return dict(PreparationSerializer(prepared).data)


class PreparationView(JsonApiView):
    @extend_schema(
        operation_id="meeting_preparation_retrieve",
        tags=TAGS,
        summary="The preparation of a meeting",
        description=PREPARATION + "; visits; who comes and who does not and why; logistics and costs against the "
        "budget; the plan keeper; interpreters per part, with the parts where one is needed and none is booked.",
        responses={200: PreparationSerializer, 404: NOT_FOUND},
    )
    def get(self, request, case_id, meeting_id):
        return Response(_preparation(request, case_id, meeting_id))


class QuestionView(JsonApiView):
    @extend_schema(
        operation_id="meeting_questions_create",
        tags=TAGS,
        summary="Add a question of the meeting",
        request=QuestionInputSerializer,
        responses={201: QuestionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(QuestionInputSerializer, request.data)
        question = services.add_question(Actor.from_request(request), case_id, meeting_id, data["text"])
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="meeting_questions_partial_update",
        tags=TAGS,
        summary="Change a question's text",
        description="A new text is a new version: the agreements given to the old text are cleared.",
        request=QuestionChangeSerializer,
        responses={200: QuestionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(QuestionChangeSerializer, request.data)
        question = services.change_question(
            Actor.from_request(request), case_id, meeting_id, data["question"], data["text"], data["version"]
        )
        return Response(QuestionSerializer(question).data)


class AgreeView(JsonApiView):
    @extend_schema(
        operation_id="meeting_questions_agree",
        tags=TAGS,
        summary="Record that the family, the case worker or the coordinator agreed a question",
        description="Always with the version of the question read: an agreement is to that text.",
        request=AgreeSerializer,
        responses={200: QuestionSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(AgreeSerializer, request.data)
        question = services.agree_question(
            Actor.from_request(request),
            case_id,
            meeting_id,
            data["question"],
            data["party"],
            data["version"],
            person=data.get("person"),
            user=data.get("user"),
            on=data.get("on"),
        )
        return Response(QuestionSerializer(question).data)


class VisitView(JsonApiView):
    @extend_schema(
        operation_id="meeting_visits_create",
        tags=TAGS,
        summary="Record a preparation visit, call or video call",
        request=VisitInputSerializer,
        responses={201: VisitSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(VisitInputSerializer, request.data)
        visit = services.record_visit(Actor.from_request(request), case_id, meeting_id, data)
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class LogisticsView(JsonApiView):
    @extend_schema(
        operation_id="meeting_logistics_update",
        tags=TAGS,
        summary="Save the logistics and the plan keeper",
        description="Send the version read (0 before the first save); fields left out keep their value.",
        request=LogisticsInputSerializer,
        responses={200: LogisticsSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(LogisticsInputSerializer, request.data)
        version = data.pop("version")
        logistics = services.save_logistics(Actor.from_request(request), case_id, meeting_id, data, version)
        return Response(LogisticsSerializer(logistics).data)


class CostView(JsonApiView):
    @extend_schema(
        operation_id="meeting_costs_create",
        tags=TAGS,
        summary="Add a cost of the meeting",
        description="Over the budget is warned (`budget.warning`), not refused.",
        request=CostInputSerializer,
        responses={201: CostAnswerSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(CostInputSerializer, request.data)
        cost, budget = services.add_cost(Actor.from_request(request), case_id, meeting_id, data)
        cost.budget = {
            "total": budget.total,
            "budget": budget.budget,
            "over": budget.over,
            "warning": services.budget_warning(budget),
        }
        return Response(CostAnswerSerializer(cost).data, status=status.HTTP_201_CREATED)


class InterpreterView(JsonApiView):
    @extend_schema(
        operation_id="meeting_interpreters_create",
        tags=TAGS,
        summary="Book an interpreter for a part of the meeting",
        request=BookingInputSerializer,
        responses={201: BookingSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, meeting_id):
        check_case_visible(request, case_id)
        data = parse_input(BookingInputSerializer, request.data)
        booking = services.book_interpreter(Actor.from_request(request), case_id, meeting_id, data)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)
