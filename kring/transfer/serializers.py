"""What the transfer API reads and answers."""

from rest_framework import serializers

from kring.core.api import OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .choices import LegalBasis
from .models import Transfer


class TransferSerializer(OutputModelSerializer):
    """A transfer as either side reads it. The receiver reads no more of the family than the summary."""

    receiver = serializers.CharField(source="receiver_label", read_only=True)
    received_case = serializers.IntegerField(source="received_case_id", read_only=True, allow_null=True)
    sending_case = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "direction",
            "status",
            "sender_name",
            "sender_case_number",
            "sending_case",
            "receiver",
            "proposed_by_name",
            "proposed_at",
            "legal_basis",
            "basis_note",
            "consent_ids",
            "include_network",
            "include_journal",
            "include_team_only",
            "include_plans",
            "document_ids",
            "child_name",
            "child_age",
            "reason",
            "items",
            "digest",
            "decided_by_name",
            "decided_at",
            "refusal_reason",
            "received_case",
            "package_sha256",
            "sender_fingerprint",
            "version",
        ]
        read_only_fields = fields

    def get_sending_case(self, transfer) -> int | None:
        # Only the sender's side learns the id of the sending case.
        return transfer.sending_case_id if self.context.get("side") == "sender" else None


class ProposeSerializer(RefuseUnknownFields, serializers.Serializer):
    receiving_organisation = id_field(required=False, allow_null=True)
    external_receiver = serializers.CharField(required=False, allow_blank=True, max_length=200)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    basis_note = serializers.CharField(max_length=2000)
    consent_ids = serializers.ListField(child=id_field(), required=False, max_length=100)
    reason = serializers.CharField(max_length=2000)
    include_network = serializers.BooleanField(required=False, default=True)
    include_journal = serializers.BooleanField(required=False, default=False)
    include_team_only = serializers.BooleanField(required=False, default=False)
    include_plans = serializers.BooleanField(required=False, default=False)
    document_ids = serializers.ListField(child=id_field(), required=False, max_length=1000)


class TransferVersionSerializer(RefuseUnknownFields, serializers.Serializer):
    version = version_field()


class AcceptSerializer(RefuseUnknownFields, serializers.Serializer):
    team = id_field()
    legal_context = serializers.CharField(max_length=40)
    version = version_field()


class AcceptedSerializer(serializers.Serializer):
    transfer = TransferSerializer(read_only=True)
    case = serializers.IntegerField(read_only=True, help_text="The new case in the receiving organisation.")


class RefuseSerializer(RefuseUnknownFields, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    version = version_field()


class ImportSerializer(serializers.Serializer):
    organisation = id_field(help_text="Your organisation that takes the package in.")
    file = serializers.FileField(help_text="The signed package (.zip) the sender made.")
