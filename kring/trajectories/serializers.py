"""Shapes of the method catalogue, the selector and trajectories in the REST API.

Like ``kring.cases.serializers``: field descriptions are documentation for integrators and stay in English;
messages shown to people are translated. Input serializers refuse fields they do not take and parse JSON into
the plain values the services take; the services decide what is valid, exactly as for the pages. Output
serializers present what a query or service returned (``api.py`` builds the plain data), with each record's
``version`` to send back so a stale change is refused.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kring.cases.choices import LegalContext, SafetyConcern
from kring.core.api import MAX_ID, VERSION_HELP, OutputModelSerializer, RefuseUnknownFields, id_field, version_field
from kring.methods import selector

from .choices import AbandonmentReason, ClosureReason
from .models import TEXT_LENGTH, FamilyPlanRight
from .services import FAMILY_PLAN_FIELDS

# Methods and statuses are checked by the services (one list, one message); in the OpenAPI document they are
# plain strings, because their field names ("method", "status") already name other choice sets there.
METHOD_HELP = "A method code from /api/v1/methods/."
METHOD_LIST_MAX = 50
REASONS = {*AbandonmentReason.values, *ClosureReason.values}


def _method_field(**kwargs):
    return serializers.CharField(max_length=60, help_text=METHOD_HELP, **kwargs)


# --- Output: the method catalogue ---------------------------------------------------------------------


class MethodTextSerializer(serializers.Serializer):
    nl = serializers.CharField(read_only=True)
    en = serializers.CharField(read_only=True)


class MethodVariantSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = MethodTextSerializer(read_only=True)
    description = MethodTextSerializer(read_only=True)


class MethodContinuaSerializer(serializers.Serializer):
    family_lead = serializers.FloatField(read_only=True, help_text="1 = the family leads; 0 = shared with the worker.")
    network_breadth = serializers.FloatField(read_only=True, help_text="1 = wide community; 0 = nuclear family.")
    source = serializers.CharField(
        read_only=True, allow_null=True, help_text="A source id; null = an estimate by the Kring team."
    )


class MethodContraIndicationSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    severity = serializers.CharField(read_only=True, help_text="warning or exclude.")
    text = MethodTextSerializer(read_only=True)
    source = serializers.CharField(read_only=True)


class MethodConditionsSerializer(serializers.Serializer):
    participants = MethodTextSerializer(read_only=True)
    service = MethodTextSerializer(read_only=True)


class MethodPhaseSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = MethodTextSerializer(read_only=True)
    default_weeks = serializers.FloatField(read_only=True)
    max_weeks = serializers.FloatField(read_only=True, allow_null=True)
    duration_source = serializers.CharField(
        read_only=True,
        help_text='A source id, or "default" when no source confirms the duration and the organisation sets it.',
    )
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    artefacts = serializers.ListField(child=serializers.CharField(), read_only=True)
    description = MethodTextSerializer(read_only=True)


class MethodSourceSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    citation = serializers.CharField(read_only=True)


class MethodSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    version = serializers.CharField(read_only=True)
    name = MethodTextSerializer(read_only=True)
    variants = MethodVariantSerializer(many=True, read_only=True)
    origin = MethodTextSerializer(read_only=True)
    vision = MethodTextSerializer(read_only=True)
    target_group = MethodTextSerializer(read_only=True)
    request_kinds = serializers.ListField(child=serializers.CharField(), read_only=True)
    settings = serializers.ListField(child=serializers.CharField(), read_only=True)
    referral_routes = serializers.ListField(child=serializers.CharField(), read_only=True)
    leader = serializers.CharField(read_only=True)
    volunteer_allowed = serializers.BooleanField(read_only=True)
    continua = MethodContinuaSerializer(read_only=True)
    max_safety_concern = serializers.CharField(read_only=True)
    legal_contexts = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Empty: any legal context."
    )
    contra_indications = MethodContraIndicationSerializer(many=True, read_only=True)
    conditions = MethodConditionsSerializer(read_only=True)
    phases = MethodPhaseSerializer(many=True, read_only=True)
    sources = MethodSourceSerializer(many=True, read_only=True)
    durations_of = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The organisation whose own durations the phases show; null: the durations of the definition.",
    )


class MethodQuerySerializer(serializers.Serializer):
    organisation = id_field(
        required=False, help_text="The id of one of your organisations: show the phase durations it uses."
    )


# --- The selector --------------------------------------------------------------------------------------


class SelectorAnswersSerializer(RefuseUnknownFields, serializers.Serializer):
    """The selector's questions; every answer is optional and has the selector's default."""

    safety_concern = serializers.ChoiceField(choices=SafetyConcern.choices, required=False)
    legal_context = serializers.ChoiceField(choices=LegalContext.choices, required=False, allow_null=True)
    central = serializers.ChoiceField(choices=selector.CENTRAL, required=False, help_text="Who is central.")
    setting = serializers.ChoiceField(choices=selector.SETTINGS, required=False)
    request = serializers.ChoiceField(choices=selector.REQUEST_KINDS, required=False, allow_null=True)
    network_size = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=100000,
        help_text="Informal persons on the network map.",
    )
    network_unsafe = serializers.BooleanField(required=False)
    motivation = serializers.ChoiceField(choices=selector.MOTIVATION_LEVELS, required=False)
    conflicts = serializers.ListField(
        child=serializers.ChoiceField(choices=selector.CONFLICTS), required=False, max_length=len(selector.CONFLICTS)
    )
    earlier_attempts = serializers.ListField(
        child=_method_field(),
        required=False,
        max_length=METHOD_LIST_MAX,
        help_text="Methods tried before.",
    )
    incident_with_victim = serializers.BooleanField(required=False)
    left_school = serializers.BooleanField(required=False)
    lost_contacts = serializers.BooleanField(required=False)
    violence_by_child = serializers.BooleanField(required=False)


class SelectorReasonSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    text = MethodTextSerializer(read_only=True)
    source = serializers.CharField(read_only=True)
    points = serializers.IntegerField(read_only=True)


class SelectorContinuaSerializer(serializers.Serializer):
    family_lead = serializers.FloatField(read_only=True)
    network_breadth = serializers.FloatField(read_only=True)


class SelectorSuggestionSerializer(serializers.Serializer):
    method = serializers.CharField(read_only=True)
    name = MethodTextSerializer(read_only=True)
    score = serializers.IntegerField(read_only=True)
    excluded = serializers.BooleanField(read_only=True)
    continua = SelectorContinuaSerializer(read_only=True)
    reasons_for = SelectorReasonSerializer(many=True, read_only=True)
    reasons_against = SelectorReasonSerializer(many=True, read_only=True)
    warnings = SelectorReasonSerializer(many=True, read_only=True)


class SelectorRunSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    answers = SelectorAnswersSerializer(read_only=True)
    suggestion = SelectorSuggestionSerializer(
        many=True, read_only=True, help_text="The methods ranked, best first; excluded methods last."
    )
    top_method = serializers.CharField(read_only=True, help_text="The best method that is not excluded.")
    method_versions = serializers.DictField(
        child=serializers.CharField(), read_only=True, help_text="The definition version of each method ranked."
    )
    created_by = serializers.CharField(source="created_by.__str__", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    chosen_method = serializers.CharField(read_only=True)
    chosen_variant = serializers.CharField(read_only=True)
    choice_reason = serializers.CharField(read_only=True)
    chosen_by = serializers.SerializerMethodField()
    chosen_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)

    def get_chosen_by(self, run) -> str | None:
        return str(run.chosen_by) if run.chosen_by_id else None


class SelectorChoiceSerializer(RefuseUnknownFields, serializers.Serializer):
    method = _method_field()
    variant = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LENGTH,
        default="",
        help_text="Required when the method is not the top suggestion.",
    )
    version = version_field()


# --- Trajectories --------------------------------------------------------------------------------------


class TrajectoryUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class TrajectoryDeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True)
    done_on = serializers.DateField(read_only=True, allow_null=True)
    state = serializers.CharField(read_only=True, help_text="upcoming, due_soon, overdue, done or done_late.")


class TrajectoryClocksSerializer(serializers.Serializer):
    weeks_since_offer = serializers.FloatField(read_only=True, allow_null=True)
    weeks_to_plan = serializers.FloatField(read_only=True, allow_null=True)
    weeks_to_abandonment = serializers.FloatField(read_only=True, allow_null=True)
    running = serializers.BooleanField(read_only=True, help_text="Whether the offer clock still runs.")


class TrajectoryPhaseSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = MethodTextSerializer(read_only=True)
    position = serializers.IntegerField(read_only=True)
    default_weeks = serializers.FloatField(read_only=True, help_text="As followed by this trajectory.")
    max_weeks = serializers.FloatField(read_only=True, allow_null=True)
    planned_start = serializers.DateField(read_only=True, allow_null=True)
    planned_end = serializers.DateField(read_only=True, allow_null=True)
    latest_end = serializers.DateField(read_only=True, allow_null=True)
    started_on = serializers.DateField(read_only=True, allow_null=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)
    is_current = serializers.BooleanField(read_only=True)


class TrajectoryEventSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True, help_text="status, phase, case or coordinator.")
    from_value = serializers.CharField(read_only=True)
    to_value = serializers.CharField(read_only=True)
    on = serializers.DateField(read_only=True)
    reason = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    cause = serializers.CharField(
        read_only=True, help_text="The event of the work that made the change (e.g. meeting_held); empty: by hand."
    )
    by = serializers.CharField(read_only=True)
    at = serializers.DateTimeField(read_only=True)


class TrajectorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case = serializers.IntegerField(read_only=True)
    method_code = serializers.CharField(read_only=True)
    method_version = serializers.CharField(read_only=True)
    variant_code = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(read_only=True)
    allowed_next = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The statuses this trajectory may move to next."
    )
    current_phase = serializers.CharField(read_only=True)
    offered_on = serializers.DateField(read_only=True)
    offered_by = TrajectoryUserSerializer(read_only=True)
    accepted_on = serializers.DateField(read_only=True, allow_null=True)
    declined_on = serializers.DateField(read_only=True, allow_null=True)
    meeting_held_on = serializers.DateField(read_only=True, allow_null=True)
    plan_made_on = serializers.DateField(read_only=True, allow_null=True)
    abandoned_on = serializers.DateField(read_only=True, allow_null=True)
    abandonment_reason = serializers.CharField(read_only=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    closure_reason = serializers.CharField(read_only=True)
    coordinator = TrajectoryUserSerializer(read_only=True, allow_null=True)
    coordinator_is_case_worker = serializers.BooleanField(read_only=True)
    coordinator_allocated_on = serializers.DateField(read_only=True, allow_null=True)
    selector_run = serializers.IntegerField(read_only=True, allow_null=True)
    next_due_on = serializers.DateField(read_only=True, allow_null=True)
    deadlines = TrajectoryDeadlineSerializer(
        many=True, read_only=True, help_text="The current phase's planned and latest end."
    )
    clocks = TrajectoryClocksSerializer(read_only=True)
    phases = TrajectoryPhaseSerializer(many=True, read_only=True)
    version = serializers.IntegerField(read_only=True)


class TrajectoryDetailSerializer(TrajectorySerializer):
    events = TrajectoryEventSerializer(many=True, read_only=True)


class TrajectoryOfferSerializer(RefuseUnknownFields, serializers.Serializer):
    method = _method_field()
    variant = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    offered_on = serializers.DateField()
    selector_run = id_field(required=False, allow_null=True, help_text="The method selection this offer follows.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LENGTH, default="")


class TrajectoryTransitionSerializer(RefuseUnknownFields, serializers.Serializer):
    status = serializers.CharField(
        max_length=20, help_text="The status to move to: one of allowed_next of the trajectory."
    )
    on = serializers.DateField(help_text="The day it happened.")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        default="",
        help_text="Required for abandoned (a reason for abandoning) and closed (a reason for closing).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LENGTH, default="")
    version = version_field()

    def validate_reason(self, value):
        if value and value not in REASONS:
            raise serializers.ValidationError(_("Choose a reason from the list."))
        return value


class TrajectoryAdvancePhaseSerializer(RefuseUnknownFields, serializers.Serializer):
    on = serializers.DateField(help_text="The day the current phase ended and the next began.")
    version = version_field()


class TrajectoryCoordinatorInputSerializer(RefuseUnknownFields, serializers.Serializer):
    user = id_field(help_text="The id of a coordinator of the case's organisation.")
    accept_case_worker = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Allocate the family's own case worker anyway, after the coordinator_is_case_worker warning.",
    )
    on = serializers.DateField(
        required=False, default=None, help_text="The day of the allocation (not in the future); today when not given."
    )
    version = version_field()


class TrajectoryCoordinatorWarningSerializer(serializers.Serializer):
    """The 400 body of the coordinator allocation: the usual messages per field, and with the warning about the
    family's own case worker also its code. Only an answer, so no field is required: a refusal for another
    reason (a version missing, an unknown field) carries just the fields concerned."""

    code = serializers.ChoiceField(
        choices=["coordinator_is_case_worker"],
        required=False,
        help_text="Only with the warning about the family's own case worker.",
    )
    detail = serializers.CharField(required=False)
    confirm_with = serializers.ChoiceField(
        choices=["accept_case_worker"], required=False, help_text="The field to set to true to go ahead anyway."
    )
    user = serializers.ListField(child=serializers.CharField(), required=False)


# --- The law -------------------------------------------------------------------------------------------

RECORD_VERSION_HELP = VERSION_HELP + " Null (or left out) when no record exists yet."


class FamilyPlanRightSerializer(OutputModelSerializer):
    recorded = serializers.SerializerMethodField(help_text="False until the record is first saved.")
    offered_by = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text="Null until the record is first saved.")
    deadlines = TrajectoryDeadlineSerializer(many=True, read_only=True, source="api_deadlines")

    class Meta:
        model = FamilyPlanRight
        fields = ["recorded", *FAMILY_PLAN_FIELDS, "offered_by", "deadlines", "version"]
        read_only_fields = fields

    def get_recorded(self, record) -> bool:
        return record.pk is not None

    def get_offered_by(self, record) -> str | None:
        return str(record.offered_by) if record.offered_by_id else None

    def get_version(self, record) -> int | None:
        return record.version if record.pk is not None else None


class FamilyPlanRightInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """The whole record: fields left out are emptied."""

    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text=RECORD_VERSION_HELP
    )

    class Meta:
        model = FamilyPlanRight
        fields = [*FAMILY_PLAN_FIELDS, "version"]
        extra_kwargs = {name: {"required": False} for name in FAMILY_PLAN_FIELDS}


class StrengthsExplorationSerializer(serializers.Serializer):
    recorded = serializers.BooleanField(read_only=True, help_text="False until the record is first saved.")
    explored_on = serializers.DateField(read_only=True, allow_null=True)
    how_explored = serializers.CharField(read_only=True)
    strengths_found = serializers.CharField(read_only=True)
    methods_used = serializers.ListField(child=serializers.CharField(), read_only=True)
    recorded_by = serializers.CharField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null until first saved.")


class StrengthsExplorationInputSerializer(RefuseUnknownFields, serializers.Serializer):
    explored_on = serializers.DateField()
    how_explored = serializers.CharField(max_length=TEXT_LENGTH)
    strengths_found = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LENGTH, default="")
    methods_used = serializers.ListField(
        child=_method_field(),
        required=False,
        default=list,
        max_length=METHOD_LIST_MAX,
    )
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True, help_text=RECORD_VERSION_HELP
    )
