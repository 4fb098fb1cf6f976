"""The subject-access API's shapes."""

from rest_framework import serializers

from kring.core.api import OutputModelSerializer, RefuseUnknownFields, id_field

from .models import TEXT_LENGTH, SubjectAccessRequest


class SubjectAccessRequestSerializer(OutputModelSerializer):
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
