"""The retention API's shapes."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from kring.core.api import MAX_ID, OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .models import (
    DestructionBatch,
    DestructionRequest,
    ExtensionReason,
    LegalException,
    RequestDecision,
    RetentionExtension,
    RetentionPeriod,
)


class ExtensionSerializer(OutputModelSerializer):
    class Meta:
        model = RetentionExtension
        fields = ["id", "previous_until", "new_until", "reason", "explanation", "recorded_at"]
        read_only_fields = fields


class PeriodSerializer(OutputModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)

    class Meta:
        model = RetentionPeriod
        fields = ["id", "case", "case_number", "end_of_care", "rule", "retain_until", "extensions"]
        read_only_fields = fields


class PeriodFilterSerializer(RefuseUnknownFields, serializers.Serializer):
    case = id_field(required=False, help_text="Only the period of this case (its id).")


class ExtensionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    new_until = serializers.DateField(help_text="The new last day the file is kept; later than the current one.")
    reason = serializers.ChoiceField(choices=ExtensionReason.choices)
    explanation = serializers.CharField(max_length=2000)
    current_until = serializers.DateField(
        required=False, help_text="The end you read; if it changed since, the extension is refused with 400."
    )


class DuePeriodSerializer(OutputModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = RetentionPeriod
        fields = ["id", "case", "case_number", "end_of_care", "retain_until"]
        read_only_fields = fields


class BatchInputSerializer(RefuseUnknownFields, serializers.Serializer):
    cases = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=500,
        help_text="The ids of the cases to destroy, all due and of one organisation.",
    )
    confirm = serializers.BooleanField(help_text="Must be true: the destruction cannot be undone.")

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError(_("Confirm that these files are destroyed for good."))
        return value


class BatchSerializer(OutputModelSerializer):
    class Meta:
        model = DestructionBatch
        fields = ["id", "organisation", "approved_at", "case_ids", "destroyed_ids", "finished_at"]
        read_only_fields = fields


class DestructionRequestSerializer(OutputModelSerializer):
    requester_entitled = serializers.SerializerMethodField()
    has_letter = serializers.SerializerMethodField()

    class Meta:
        model = DestructionRequest
        fields = [
            "id",
            "case",
            "requested_by",
            "received_on",
            "due_on",
            "decision",
            "legal_exception",
            "answer",
            "answered_on",
            "version",
            "requester_entitled",
            "has_letter",
        ]
        read_only_fields = fields

    def get_requester_entitled(self, record) -> bool:
        from . import services

        return record.requested_by is not None and services.entitled(record.requested_by, services.today())

    def get_has_letter(self, record) -> bool:
        return record.letter_made_at is not None and bool(record.letter)


class DestructionRequestInputSerializer(RefuseUnknownFields, serializers.Serializer):
    case = id_field(help_text="The id of the case (of your organisation) the request is about.")
    requested_by = id_field(help_text="The id of the person of that case who made the request.")
    received_on = serializers.DateField(help_text="The day the request was received; not in the future.")


class DestructionDecisionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    decision = serializers.ChoiceField(choices=[c for c in RequestDecision.choices if c[0] != RequestDecision.PENDING])
    legal_exception = serializers.ChoiceField(
        choices=LegalException.choices, required=False, allow_blank=True, default=""
    )
    answer = serializers.CharField(max_length=4000, help_text="The answer the requester receives.")
    version = version_field()
