"""Shapes of meetings in the REST API. Input serializers parse JSON into the plain values the services take;
the services decide what is valid, exactly as for the pages."""

from rest_framework import serializers

from kring.core.api import OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .choices import PartKind
from .models import InformationContribution, Invitation, Meeting, MeetingPart

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
