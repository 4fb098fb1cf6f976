"""Shapes of the registration in the REST API. Input serializers parse JSON into the plain values the services
take; the services validate exactly as for the pages. Output carries each record's ``version`` so a client can
send it back and have a stale edit refused. Item texts of licensed instruments are never in the output: the
definitions do not hold them."""

from django.utils import translation
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from kring.core.api import MAX_ID, VERSION_HELP, OutputModelSerializer, RefuseUnknownFields

from .choices import (
    Ending,
    EntryMode,
    Household,
    Informant,
    Moment,
    Placement,
    ProblemArea,
    Respondent,
    RiskLevel,
    YesNoUnknown,
)
from .models import Administration, OutcomeMeasurement, Registration


class RegistrationChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named component (``Registration…Enum``) in the OpenAPI document,
    so the registration's "moment" or "status" never collides with another app's."""

    def __init__(self, choices_class, **kwargs):
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


class RegistrationChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RegistrationChoiceField

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices_class
        with translation.override("en"):
            description = "\n".join(f"* `{value}` - {label}" for value, label in choices.choices)
        component = ResolvedComponent(
            name=f"Registration{choices.__name__}Enum",
            type=ResolvedComponent.SCHEMA,
            object=choices,
            schema={"type": "string", "enum": list(choices.values), "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        if self.target.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


def _version(**kwargs):
    return serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=kwargs.pop("help_text", VERSION_HELP), **kwargs
    )


# ---- instruments ---------------------------------------------------------------------------------------------


class TextSerializer(serializers.Serializer):
    nl = serializers.CharField()
    en = serializers.CharField()


class InstrumentItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    scale = serializers.CharField()
    label = TextSerializer(allow_null=True)
    text = TextSerializer(allow_null=True, help_text="Absent (null) for a licensed instrument.")
    reverse = serializers.BooleanField()
    subscales = serializers.ListField(child=serializers.CharField())


class InstrumentScoreSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = TextSerializer()
    method = serializers.CharField()
    items = serializers.CharField()
    higher_is_better = serializers.BooleanField(allow_null=True)


class InstrumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    name = TextSerializer()
    description = TextSerializer()
    measures = TextSerializer()
    source = serializers.CharField()
    licence = serializers.CharField(source="licence.kind")
    licence_holder = serializers.CharField(source="licence.holder")
    licence_note = TextSerializer(source="licence.note")
    respondents = serializers.ListField(child=serializers.CharField())
    rated_by_professional = serializers.BooleanField()
    entry_modes = serializers.ListField(child=serializers.CharField())
    items = InstrumentItemSerializer(many=True)
    scores = InstrumentScoreSerializer(many=True)


# ---- registration ------------------------------------------------------------------------------------------


class RegistrationSerializer(OutputModelSerializer):
    household = RegistrationChoiceField(Household, read_only=True, allow_blank=True)
    high_conflict_divorce = RegistrationChoiceField(YesNoUnknown, read_only=True)
    migration_background = RegistrationChoiceField(YesNoUnknown, read_only=True)
    parent_intellectual_disability = RegistrationChoiceField(YesNoUnknown, read_only=True)
    ending = RegistrationChoiceField(Ending, read_only=True, allow_blank=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "trajectory",
            "problem_areas",
            "household",
            "high_conflict_divorce",
            "migration_background",
            "parent_intellectual_disability",
            "ending",
            "snapshot_on",
            "children_ages",
            "household_size",
            "network_size",
            "informal_network_size",
            "professional_network_size",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class RegistrationInputSerializer(RefuseUnknownFields, serializers.Serializer):
    problem_areas = serializers.ListField(child=RegistrationChoiceField(ProblemArea), required=False, max_length=20)
    household = RegistrationChoiceField(Household, required=False, allow_blank=True)
    high_conflict_divorce = RegistrationChoiceField(YesNoUnknown, required=False)
    migration_background = RegistrationChoiceField(YesNoUnknown, required=False)
    parent_intellectual_disability = RegistrationChoiceField(YesNoUnknown, required=False)
    ending = RegistrationChoiceField(Ending, required=False, allow_blank=True)
    refresh_snapshot = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Count the children and the network again as they were on the day of the offer.",
    )
    version = _version(required=False, help_text="Required when the registration exists: the version you read.")


class OutcomeSerializer(OutputModelSerializer):
    moment = RegistrationChoiceField(Moment, read_only=True)
    informant = RegistrationChoiceField(Informant, read_only=True)
    risk_level = RegistrationChoiceField(RiskLevel, read_only=True)
    placement = RegistrationChoiceField(Placement, read_only=True)
    maltreatment_indication = RegistrationChoiceField(YesNoUnknown, read_only=True)
    professional_care = RegistrationChoiceField(YesNoUnknown, read_only=True)
    supervision_order = RegistrationChoiceField(YesNoUnknown, read_only=True)
    returned_home = RegistrationChoiceField(YesNoUnknown, read_only=True)
    without_help = RegistrationChoiceField(YesNoUnknown, read_only=True)

    class Meta:
        model = OutcomeMeasurement
        fields = [
            "id",
            "trajectory",
            "moment",
            "measured_on",
            "informant",
            "maltreatment_indication",
            "risk_level",
            "risk_instrument",
            "professional_care",
            "supervision_order",
            "placement",
            "returned_home",
            "without_help",
            "note",
            "version",
        ]
        read_only_fields = fields


class OutcomeInputSerializer(RefuseUnknownFields, serializers.Serializer):
    measured_on = serializers.DateField(required=False)
    informant = RegistrationChoiceField(Informant, required=False)
    maltreatment_indication = RegistrationChoiceField(YesNoUnknown, required=False)
    risk_level = RegistrationChoiceField(RiskLevel, required=False)
    risk_instrument = serializers.CharField(required=False, allow_blank=True, max_length=100)
    professional_care = RegistrationChoiceField(YesNoUnknown, required=False)
    supervision_order = RegistrationChoiceField(YesNoUnknown, required=False)
    placement = RegistrationChoiceField(Placement, required=False)
    returned_home = RegistrationChoiceField(YesNoUnknown, required=False)
    without_help = RegistrationChoiceField(YesNoUnknown, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = _version(required=False, help_text="Required when this moment was recorded: the version you read.")


class AdministrationSerializer(OutputModelSerializer):
    moment = RegistrationChoiceField(Moment, read_only=True)
    respondent = RegistrationChoiceField(Respondent, read_only=True)
    mode = RegistrationChoiceField(EntryMode, read_only=True)

    class Meta:
        model = Administration
        fields = [
            "id",
            "trajectory",
            "instrument_code",
            "instrument_version",
            "moment",
            "respondent",
            "respondent_person",
            "administered_on",
            "mode",
            "responses",
            "totals",
            "scores",
            "entered_at",
            "version",
        ]
        read_only_fields = fields


class AdministrationInputSerializer(RefuseUnknownFields, serializers.Serializer):
    instrument = serializers.CharField(max_length=60)
    mode = RegistrationChoiceField(EntryMode, help_text="items or totals ('link' is for network members' links).")
    moment = RegistrationChoiceField(Moment)
    respondent = RegistrationChoiceField(Respondent)
    respondent_person = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True)
    administered_on = serializers.DateField()
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        allow_empty=False,
        help_text="Item codes (mode items) or score codes (mode totals) to numbers; null for an unanswered item.",
    )

    def validate_values(self, values):
        if len(values) > 500:
            raise serializers.ValidationError("Too many values.")
        # Whole numbers travel as numbers; item scores are integers, so 3.0 is taken as 3.
        return {key: int(v) if v is not None and float(v).is_integer() else v for key, v in values.items()}


class VersionQuerySerializer(RefuseUnknownFields, serializers.Serializer):
    version = _version()
