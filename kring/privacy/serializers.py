"""The subject-access API's shapes."""

from rest_framework import serializers

from kring.core.api import OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .gathering import WITHHOLDABLE
from .models import (
    TEXT_LENGTH,
    RectificationDecision,
    RectificationRequest,
    RectificationTarget,
    RequestStatus,
    SubjectAccessRequest,
    WithheldItem,
    WithheldReason,
)


class SubjectAccessWithheldItemSerializer(OutputModelSerializer):
    by_officer = serializers.SerializerMethodField(help_text="True when the privacy officer withheld it by hand.")

    class Meta:
        model = WithheldItem
        fields = ["id", "record_type", "record_id", "reason", "explanation", "by_officer", "marked_at"]
        read_only_fields = fields

    def get_by_officer(self, item) -> bool:
        return item.marked_by_id is not None


class SubjectAccessRequestSerializer(OutputModelSerializer):
    withheld = SubjectAccessWithheldItemSerializer(many=True, read_only=True)

    class Meta:
        model = SubjectAccessRequest
        fields = [
            "id",
            "person",
            "person_name",
            "requested_on",
            "requested_by",
            "identity_checked",
            "identity_check",
            "extended_months",
            "extension_reason",
            "due_on",
            "status",
            "answered_on",
            "exported_at",
            "notes",
            "version",
            "withheld",
        ]
        read_only_fields = fields


class SubjectAccessRequestInputSerializer(RefuseUnknownFields, serializers.Serializer):
    person = id_field(help_text="The id of the person record (of your organisation) the request is about.")
    requested_on = serializers.DateField(help_text="The day the request was received; not in the future.")
    requested_by = serializers.CharField(max_length=200, help_text="Who made the request, e.g. the mother herself.")
    identity_checked = serializers.BooleanField(required=False, default=False)
    identity_check = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="How; required when checked."
    )
    notes = serializers.CharField(max_length=TEXT_LENGTH, required=False, allow_blank=True, default="")


class SubjectAccessExtensionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    extended_months = serializers.IntegerField(min_value=1, max_value=2, help_text="One or two further months.")
    reason = serializers.CharField(max_length=TEXT_LENGTH, help_text="Why; the person must be told the reason.")
    version = version_field()


class SubjectAccessOutcomeInputSerializer(RefuseUnknownFields, serializers.Serializer):
    status = serializers.ChoiceField(choices=[RequestStatus.ANSWERED.value, RequestStatus.REFUSED.value])
    notes = serializers.CharField(
        max_length=TEXT_LENGTH, required=False, allow_blank=True, default="", help_text="Required for a refusal."
    )
    version = version_field()


class SubjectAccessAnswerItemSerializer(serializers.Serializer):
    record_type = serializers.CharField(read_only=True)
    record_id = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True, help_text="A short description for choosing, not the content.")


class SubjectAccessWithholdInputSerializer(RefuseUnknownFields, serializers.Serializer):
    record_type = serializers.ChoiceField(choices=list(WITHHOLDABLE))
    record_id = id_field(help_text="The id of a record the answer holds (see the items of the request).")
    reason = serializers.ChoiceField(choices=WithheldReason.values)
    explanation = serializers.CharField(max_length=500, help_text="Why, without repeating what the record says.")


class RectificationSerializer(OutputModelSerializer):
    class Meta:
        model = RectificationRequest
        fields = [
            "id",
            "person",
            "case_id",
            "record_type",
            "record_id",
            "requested_on",
            "asked",
            "decision",
            "answer",
            "decided_on",
            "version",
        ]
        read_only_fields = fields


class RectificationInputSerializer(RefuseUnknownFields, serializers.Serializer):
    person = id_field(help_text="The person record (of your organisation) who asks.")
    record_type = serializers.ChoiceField(choices=RectificationTarget.values)
    record_id = id_field(help_text="The record of the person's case the request concerns.")
    requested_on = serializers.DateField(help_text="The day the request was received; not in the future.")
    asked = serializers.CharField(max_length=TEXT_LENGTH)


class RectificationDecisionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in RectificationDecision.values if c])
    answer = serializers.CharField(max_length=TEXT_LENGTH)
    version = version_field()
