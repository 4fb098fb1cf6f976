"""Shapes of meetings in the REST API. Input serializers parse JSON into the plain values the services take;
the services decide what is valid, exactly as for the pages."""

from rest_framework import serializers

from kring.core.api import MAX_ID, OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .choices import AgreedBy, PartKind, Presence
from .models import (
    ConferenceQuestion,
    InformationContribution,
    InterpreterBooking,
    Invitation,
    Meeting,
    MeetingCost,
    MeetingLogistics,
    MeetingPart,
    PreparationVisit,
)

# --- Output -------------------------------------------------------------------------------------------


class PartSerializer(OutputModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = MeetingPart
        fields = ["id", "kind", "label", "name", "order", "private", "started_at", "ended_at"]
        read_only_fields = fields


class MeetingSerializer(OutputModelSerializer):
    parts = PartSerializer(many=True, read_only=True)
    coordinator = serializers.CharField(source="trajectory.coordinator", read_only=True, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "trajectory",
            "kind",
            "status",
            "starts_at",
            "ends_at",
            "place",
            "language",
            "interpreter_needed",
            "interpreter_language",
            "note",
            "video_link",
            "cancel_reason",
            "coordinator",
            "parts",
            "version",
        ]
        read_only_fields = fields


class InvitationSerializer(OutputModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    represented_by = serializers.CharField(read_only=True)
    is_professional = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "person",
            "person_name",
            "role",
            "is_professional",
            "answer",
            "mode",
            "represented_by_person",
            "represented_by_name",
            "represented_by",
            "preparation_contact_on",
            "preparation_note",
            "not_coming_reason",
            "unsafe_override_reason",
            "invited_on",
            "version",
        ]
        read_only_fields = fields


class ContributionSerializer(OutputModelSerializer):
    author = serializers.CharField(read_only=True)

    class Meta:
        model = InformationContribution
        fields = [
            "id",
            "author",
            "author_user",
            "author_name",
            "author_organisation",
            "text",
            "shared_with_all",
            "shared_on",
        ]
        read_only_fields = fields


class AttendeeSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='"i<invitation id>" for an invitee, "u<user id>" for a professional.')
    name = serializers.CharField()
    professional = serializers.BooleanField()
    coordinator = serializers.BooleanField()


class PartAttendanceSerializer(serializers.Serializer):
    part = id_field()
    modes = serializers.DictField(
        child=serializers.CharField(max_length=10),
        required=False,
        help_text='Attendee key ("i<invitation id>" or "u<user id>") -> how they took part: in_person, video or '
        "phone. Only for those present.",
    )
    private = serializers.BooleanField(read_only=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    invitations = serializers.ListField(child=id_field(), help_text="Invitations whose person was present.")
    users = serializers.ListField(child=id_field(), help_text="Professional users who were present.")


class PrivateCheckSerializer(serializers.Serializer):
    part = serializers.IntegerField(source="part_id")
    recorded = serializers.BooleanField()
    holds = serializers.BooleanField(help_text="Recorded, and no professional nor the coordinator was present.")
    intruders = serializers.ListField(child=serializers.CharField())


class AttendanceSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The meeting's version.")
    attendees = AttendeeSerializer(many=True)
    parts = PartAttendanceSerializer(many=True)
    private_time = PrivateCheckSerializer(many=True)


# --- Input --------------------------------------------------------------------------------------------


class MeetingInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    parts = serializers.ListField(
        child=serializers.ChoiceField(choices=PartKind.choices),
        required=False,
        help_text="The parts in order; default: those of the kind of meeting and method.",
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "language",
            "interpreter_needed",
            "interpreter_language",
            "note",
            "video_link",
            "parts",
        ]


class MeetingChangesSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    version = version_field()

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "language",
            "interpreter_needed",
            "interpreter_language",
            "note",
            "video_link",
            "version",
        ]
        extra_kwargs = {name: {"required": False} for name in fields if name != "version"}


class CancelSerializer(RefuseUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    version = version_field()


class InviteSerializer(RefuseUnknownFields, serializers.Serializer):
    persons = serializers.ListField(
        child=id_field(),
        required=False,
        help_text="Persons of the case to invite. Leave out to invite every safe, invitable person of the network "
        "map and the central persons.",
    )
    roles = serializers.DictField(
        child=serializers.CharField(max_length=30),
        required=False,
        help_text="Person id -> role at the meeting (default: proposed from the map).",
    )
    overrides = serializers.DictField(
        child=serializers.CharField(max_length=500),
        required=False,
        help_text="Person id -> reason to invite a person the map does not mark safe and invitable.",
    )
    consent_reason = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="Why the trajectory's first invitation goes out without the consents its method needs (kept in "
        "the trajectory's timeline); refused without it while one is missing.",
    )


class InvitationChangesSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    version = version_field()
    represented_by_person = id_field(required=False, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "role",
            "answer",
            "mode",
            "represented_by_person",
            "represented_by_name",
            "preparation_contact_on",
            "preparation_note",
            "not_coming_reason",
            "version",
        ]
        extra_kwargs = {name: {"required": False} for name in fields if name != "version"}


class AttendanceInputSerializer(RefuseUnknownFields, serializers.Serializer):
    version = version_field()
    parts = PartAttendanceSerializer(many=True)


class ContributionInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    author_user = id_field(required=False, allow_null=True)

    class Meta:
        model = InformationContribution
        fields = ["author_user", "author_name", "author_organisation", "text", "shared_with_all", "shared_on"]


# --- The preparation (decisions 230-239) ---------------------------------------------------------------


class QuestionSerializer(OutputModelSerializer):
    agreed = serializers.BooleanField(read_only=True)
    family_agreed_by_name = serializers.CharField(
        source="family_agreed_by.full_name", default=None, allow_null=True, read_only=True
    )

    class Meta:
        model = ConferenceQuestion
        fields = [
            "id",
            "order",
            "text",
            "agreed",
            "family_agreed_by",
            "family_agreed_by_name",
            "family_agreed_on",
            "case_worker_agreed_by",
            "case_worker_agreed_on",
            "coordinator_agreed_by",
            "coordinator_agreed_on",
            "version",
        ]
        read_only_fields = fields


class VisitSerializer(OutputModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = PreparationVisit
        fields = ["id", "person", "person_name", "visited_on", "how", "note"]
        read_only_fields = fields


class LogisticsSerializer(OutputModelSerializer):
    class Meta:
        model = MeetingLogistics
        fields = [
            "date_chosen_by_family",
            "food",
            "travel",
            "childcare",
            "budget",
            "plan_keeper",
            "plan_keeper_chosen_by",
            "plan_keeper_chosen_on",
            "version",
        ]
        read_only_fields = fields


class CostSerializer(OutputModelSerializer):
    class Meta:
        model = MeetingCost
        fields = ["id", "what", "amount", "paid_by"]
        read_only_fields = fields


class BookingSerializer(OutputModelSerializer):
    arranged_by = serializers.CharField(read_only=True)

    class Meta:
        model = InterpreterBooking
        fields = ["id", "part", "language", "how", "arranged_by_user", "arranged_by_name", "arranged_by", "note"]
        read_only_fields = fields


class BudgetSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=11, decimal_places=2)
    budget = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    over = serializers.DecimalField(max_digits=11, decimal_places=2, help_text="By how much the costs exceed it.")
    warning = serializers.CharField(help_text="Empty unless the costs exceed the budget (warned, not refused).")


class CostAnswerSerializer(CostSerializer):
    """A cost just added, with the costs against the budget after it."""

    budget = BudgetSerializer(read_only=True)

    class Meta(CostSerializer.Meta):
        fields = [*CostSerializer.Meta.fields, "budget"]
        read_only_fields = fields


class InterpreterNeedSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    language = serializers.CharField()


class PreparationSerializer(serializers.Serializer):
    meeting = serializers.IntegerField(source="view.meeting.pk")
    video_link = serializers.CharField(source="view.meeting.video_link")
    questions = QuestionSerializer(many=True)
    visits = VisitSerializer(many=True)
    invitations = InvitationSerializer(many=True, source="view.invitations")
    logistics = LogisticsSerializer()
    costs = CostSerializer(many=True)
    budget = BudgetSerializer(source="budget_answer")
    interpreters = BookingSerializer(many=True, source="bookings")
    interpreter_needs = InterpreterNeedSerializer(many=True)
    parts_lacking_interpreter = serializers.ListField(child=serializers.IntegerField(), source="lacking_part_ids")


class QuestionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    text = serializers.CharField(max_length=1000)


class QuestionChangeSerializer(RefuseUnknownFields, serializers.Serializer):
    question = id_field()
    text = serializers.CharField(max_length=1000)
    version = version_field()


class AgreeSerializer(RefuseUnknownFields, serializers.Serializer):
    question = id_field()
    party = serializers.ChoiceField(choices=AgreedBy.choices)
    person = id_field(required=False, allow_null=True, help_text="For the family: the person who agreed.")
    user = id_field(required=False, allow_null=True, help_text="The case worker or coordinator; default: you.")
    on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")
    version = version_field()


class VisitInputSerializer(RefuseUnknownFields, serializers.Serializer):
    person = id_field()
    visited_on = serializers.DateField()
    how = serializers.ChoiceField(choices=Presence.choices, required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class LogisticsInputSerializer(RefuseUnknownFields, serializers.Serializer):
    date_chosen_by_family = serializers.BooleanField(required=False)
    food = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    travel = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    childcare = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    budget = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, allow_null=True)
    plan_keeper = id_field(required=False, allow_null=True)
    plan_keeper_chosen_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    plan_keeper_chosen_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, help_text="The version read; 0 before the logistics were first saved."
    )


class CostInputSerializer(RefuseUnknownFields, serializers.Serializer):
    what = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=9, decimal_places=2)
    paid_by = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BookingInputSerializer(RefuseUnknownFields, serializers.Serializer):
    part = id_field()
    language = serializers.CharField(max_length=60)
    how = serializers.ChoiceField(choices=Presence.choices, required=False)
    arranged_by_user = id_field(required=False, allow_null=True)
    arranged_by_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
