"""Shapes of documents in the REST API. The upload is multipart/form-data (the file and the fields beside it);
a change of the description is JSON. The services decide what is valid, exactly as for the pages."""

from rest_framework import serializers

from kring.core.api import OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .choices import DocumentKind
from .models import Document, DocumentVersion

# --- Output -------------------------------------------------------------------------------------------


class VersionSerializer(OutputModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.email", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = ["number", "filename", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
        read_only_fields = fields


class DocumentSerializer(OutputModelSerializer):
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "person",
            "meeting",
            "plan",
            "created_at",
            "updated_at",
            "version",
            "versions",
        ]
        read_only_fields = fields

    def get_versions(self, document) -> list[dict]:
        versions = getattr(document, "all_versions", None)
        if versions is None:
            versions = list(document.versions.select_related("uploaded_by").order_by("-number"))
        return VersionSerializer(versions, many=True).data


class DocumentRowSerializer(OutputModelSerializer):
    """A document in a list: with its latest version's file, not every version."""

    latest_number = serializers.IntegerField(read_only=True)
    latest_filename = serializers.CharField(read_only=True)
    latest_content_type = serializers.CharField(read_only=True)
    latest_size = serializers.IntegerField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "kind",
            "person",
            "meeting",
            "plan",
            "updated_at",
            "version",
            "latest_number",
            "latest_filename",
            "latest_content_type",
            "latest_size",
        ]
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------------


class DocumentFilterSerializer(RefuseUnknownFields, serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    person = id_field(required=False)
    page = serializers.IntegerField(min_value=1, max_value=10**6, required=False)


class DocumentFieldsSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    person = id_field(required=False, allow_null=True)
    meeting = id_field(required=False, allow_null=True)
    plan = id_field(required=False, allow_null=True)


class DocumentUploadSerializer(RefuseUnknownFields, DocumentFieldsSerializer):
    file = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="The file; checked by its content. At most 25 MB."
    )


class VersionUploadSerializer(RefuseUnknownFields, serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, use_url=False, help_text="The new version's file; checked by its content."
    )


class DocumentChangesSerializer(RefuseUnknownFields, serializers.Serializer):
    version = version_field()
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=DocumentKind.choices, required=False)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    person = id_field(required=False, allow_null=True)
    meeting = id_field(required=False, allow_null=True)
    plan = id_field(required=False, allow_null=True)


class DocumentRemoveSerializer(RefuseUnknownFields, serializers.Serializer):
    version = version_field()


class DocumentPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(read_only=True)
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = DocumentRowSerializer(many=True, read_only=True)
