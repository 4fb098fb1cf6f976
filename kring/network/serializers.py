"""Shapes of a case's network in the REST API.

Field descriptions are API documentation for integrators and stay in English; messages shown to people are
translated. Input serializers parse JSON into the plain values the services take; the services and the models
decide what is valid, exactly as for the pages.
"""

from rest_framework import serializers

from kring.cases.models import Person
from kring.cases.serializers import PersonInputSerializer
from kring.core.api import MAX_ID, OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .models import NetworkMember, Relationship, RelationshipKind, SystemTie
from .queries import MAP_KINDS, MEMBER_FIELDS, RELATIONSHIP_FIELDS, SYSTEM_TIE_FIELDS

# --- Output -------------------------------------------------------------------------------------------


class MemberSerializer(OutputModelSerializer):
    positions = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        read_only=True,
        help_text='Where the person was dragged, per map: {"genogram": [x, y], ...}.',
    )
    version = serializers.IntegerField(read_only=True, help_text="1 for a person the map knows nothing of yet.")

    class Meta:
        model = NetworkMember
        fields = [*MEMBER_FIELDS, "positions", "version"]
        read_only_fields = fields


class NetworkPersonSerializer(OutputModelSerializer):
    full_name = serializers.CharField(read_only=True)
    network = MemberSerializer(source="member", read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "first_name",
            "last_name",
            "full_name",
            "birth_date",
            "gender",
            "relation",
            "is_central",
            "in_household",
            "version",
            "network",
        ]
        read_only_fields = fields


class RelationshipSerializer(OutputModelSerializer):
    class Meta:
        model = Relationship
        fields = ["id", *RELATIONSHIP_FIELDS, "version"]
        read_only_fields = fields


class SystemTieSerializer(OutputModelSerializer):
    class Meta:
        model = SystemTie
        fields = ["id", *SYSTEM_TIE_FIELDS, "version"]
        read_only_fields = fields


class SummarySerializer(serializers.Serializer):
    size = serializers.IntegerField(read_only=True, help_text="Living persons other than the central persons.")
    informal = serializers.IntegerField(read_only=True)
    professional = serializers.IntegerField(read_only=True)
    informal_share = serializers.FloatField(read_only=True, allow_null=True)
    central = serializers.ListField(child=serializers.CharField(), read_only=True)
    by_domain = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    by_ring = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    domain_ring = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()), read_only=True)
    support = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), read_only=True)
    invitable = serializers.ListField(child=serializers.CharField(), read_only=True)
    small_threshold = serializers.IntegerField(read_only=True)
    small_informal_network = serializers.BooleanField(read_only=True)
    system_ties = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    institutions = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="School, GP, club: the systems tied to, each once."
    )
    professional_ties = serializers.IntegerField(
        read_only=True, help_text="Professionals in the network plus the institutions."
    )


class NetworkSerializer(serializers.Serializer):
    case = serializers.IntegerField(read_only=True)
    persons = NetworkPersonSerializer(many=True, read_only=True)
    relationships = RelationshipSerializer(many=True, read_only=True)
    system_ties = SystemTieSerializer(many=True, read_only=True)
    summary = SummarySerializer(read_only=True)


class UndoResultSerializer(serializers.Serializer):
    undone = serializers.BooleanField(read_only=True, help_text="False when there was nothing to undo.")
    record_type = serializers.CharField(read_only=True, allow_null=True)
    record_id = serializers.CharField(read_only=True, allow_null=True)


class ImportResultSerializer(serializers.Serializer):
    persons = serializers.IntegerField(read_only=True)
    relationships = serializers.IntegerField(read_only=True)
    system_ties = serializers.IntegerField(read_only=True)


# --- Input --------------------------------------------------------------------------------------------


class NetworkQuerySerializer(serializers.Serializer):
    at = serializers.DateField(required=False, help_text="Show the network as it was on this day.")


class MemberInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    version = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="The version you read. If the record changed since, the change is refused with 409.",
    )

    class Meta:
        model = NetworkMember
        fields = [*MEMBER_FIELDS, "version"]


class NetworkPersonInputSerializer(RefuseUnknownFields, serializers.Serializer):
    person = PersonInputSerializer()
    network = MemberInputSerializer(required=False)


class PositionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    map_kind = serializers.ChoiceField(choices=[(k, k) for k in MAP_KINDS])
    x = serializers.FloatField()
    y = serializers.FloatField()


class RelationshipInputSerializer(RefuseUnknownFields, serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationshipKind.choices)
    subtype = serializers.CharField(max_length=20, help_text="A type that fits the kind, e.g. 'biological'.")
    person_a = id_field(help_text="For a parent link the parent; for abuse the one who harms.")
    person_b = id_field()
    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class RelationshipChangesSerializer(RelationshipInputSerializer):
    version = version_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RELATIONSHIP_FIELDS:
            self.fields[name].required = False


class SystemTieInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    person = id_field(required=False, allow_null=True, help_text="Empty: the household as a whole.")

    class Meta:
        model = SystemTie
        fields = SYSTEM_TIE_FIELDS


class SystemTieChangesSerializer(SystemTieInputSerializer):
    version = version_field()

    class Meta(SystemTieInputSerializer.Meta):
        fields = [*SYSTEM_TIE_FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in SYSTEM_TIE_FIELDS}
