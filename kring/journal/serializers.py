"""The journal's API shapes: what an entry looks like in an answer, and what a request may send."""

from rest_framework import serializers

from kring.core.api import MAX_ID, OutputModelSerializer, RefuseUnknownFields, id_field

from .models import REASON_LENGTH, TEXT_LENGTH, Category, JournalEntry, Visibility

MAX_PERSONS = 200


class JournalEntrySerializer(OutputModelSerializer):
    persons = serializers.SerializerMethodField(help_text="The ids of the persons of the case the entry concerns.")
    hidden_from = serializers.SerializerMethodField(
        help_text="The ids of the persons of the case who may never see the entry."
    )
    corrected_by = serializers.SerializerMethodField(
        help_text="The id of the entry that corrects this one; null while this is the current version."
    )
    is_current = serializers.BooleanField(read_only=True, help_text="False once the entry was corrected.")

    class Meta:
        model = JournalEntry
        fields = [
            "id",
            "case",
            "occurred_at",
            "written_at",
            "author_name",
            "category",
            "text",
            "persons",
            "visibility",
            "hidden_from",
            "corrects",
            "correction_reason",
            "corrected_by",
            "is_current",
        ]
        read_only_fields = fields

    def get_persons(self, entry) -> list[int]:
        return [person.pk for person in entry.concerned_persons]

    def get_hidden_from(self, entry) -> list[int]:
        return [person.pk for person in entry.hidden_persons]

    def get_corrected_by(self, entry) -> int | None:
        try:
            return entry.corrected_by.pk
        except JournalEntry.DoesNotExist:
            return None


class JournalPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(read_only=True)
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = JournalEntrySerializer(many=True, read_only=True)


class JournalQuerySerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, required=False, help_text="Only entries of this kind.")
    person = id_field(required=False, help_text="Only entries concerning this person of the case.")
    versions = serializers.ChoiceField(
        choices=[("current", "current"), ("all", "all")],
        required=False,
        default="current",
        help_text="'current': only versions nobody corrected; 'all': also the corrected ones.",
    )
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, default=1)


class JournalEntryInputSerializer(RefuseUnknownFields, serializers.Serializer):
    occurred_at = serializers.DateTimeField(help_text="When the contact or event took place; not in the future.")
    category = serializers.ChoiceField(choices=Category.choices)
    text = serializers.CharField(max_length=TEXT_LENGTH)
    persons = serializers.ListField(
        child=id_field(), required=False, max_length=MAX_PERSONS, help_text="Ids of persons of this case."
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False, default=Visibility.TEAM_ONLY)
    hidden_from = serializers.ListField(
        child=id_field(),
        required=False,
        max_length=MAX_PERSONS,
        help_text="Ids of persons of this case who may never see the entry, also when it may be shared with the family.",
    )


class JournalCorrectionInputSerializer(JournalEntryInputSerializer):
    correction_reason = serializers.CharField(max_length=REASON_LENGTH, help_text="What is corrected and why.")
