"""Shapes of the plan stage in the REST API. Input serializers parse JSON into the plain values the services take;
the services decide what is valid, exactly as for the pages. Output serializers carry each record's ``version``
so a client can send it back and have a stale edit refused.

Persons, users and bottom lines are taken as plain ids: the services check that they belong to this case (or
trajectory), so an id of another case is refused without revealing whether it exists. Personal links are shown
without their secret, which is never stored anyway.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from kring.core.api import OutputModelSerializer, RefuseUnknownFields, id_field, version_field

from .choices import (
    AgreementStatus,
    BottomLineKind,
    DecisionOutcome,
    PlanPart,
    PlanStatus,
    PlanType,
    ReportOutcome,
    ReviewDecision,
    ReviewKeeping,
)
from .models import (
    Agreement,
    AgreementReport,
    BottomLine,
    BottomLineCheck,
    PersonalLink,
    Plan,
    PlanDecision,
    Review,
    ReviewItem,
)
from .services import AGREEMENT_FIELDS, BOTTOM_LINE_FIELDS, PLAN_FIELDS

# --- Choices --------------------------------------------------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named component in the OpenAPI document. Several plan records share
    field names with other apps' records ("kind", "status") but not their choices; naming the set here keeps the
    schema free of enum-name collisions."""

    def __init__(self, choices_class, **kwargs):
        self.choices_class = choices_class
        super().__init__(choices=choices_class.choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        choices = self.target.choices_class
        name = choices.__name__ if choices.__name__.startswith("Plan") else f"Plan{choices.__name__}"
        with translation.override("en"):
            description = "\n".join(f"* `{value}` - {label}" for value, label in choices.choices)
        component = ResolvedComponent(
            name=f"{name}Enum",
            type=ResolvedComponent.SCHEMA,
            object=choices,
            schema={"type": "string", "enum": list(choices.values), "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        if self.target.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


class StrictBooleanField(serializers.BooleanField):
    """true or false, nothing else: "yes", 1 or "met" are refused rather than guessed."""

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid", input=data)


# --- Output -------------------------------------------------------------------------------------------------


class BottomLineSerializer(OutputModelSerializer):
    kind = NamedChoiceField(BottomLineKind, read_only=True)
    set_by_name = serializers.CharField(source="set_by", read_only=True)

    class Meta:
        model = BottomLine
        fields = [
            "id",
            "trajectory",
            "order",
            "text",
            "reason",
            "legal_basis",
            "kind",
            "set_by",
            "set_by_name",
            "set_on",
            "withdrawn_on",
            "withdrawal_reason",
            "version",
        ]
        read_only_fields = fields


class AgreementReportSerializer(OutputModelSerializer):
    outcome = NamedChoiceField(ReportOutcome, read_only=True)
    reporter = serializers.CharField(read_only=True)
    via_personal_link = serializers.SerializerMethodField()

    class Meta:
        model = AgreementReport
        fields = ["id", "agreement", "outcome", "note", "reporter", "via_personal_link", "reported_at"]
        read_only_fields = fields

    def get_via_personal_link(self, report) -> bool:
        return report.link_id is not None


class AgreementSerializer(OutputModelSerializer):
    status = NamedChoiceField(AgreementStatus, read_only=True)
    owner = serializers.CharField(read_only=True, help_text="Who carries it out, in words.")
    backup = serializers.CharField(source="backup_person", read_only=True, allow_null=True)
    checker = serializers.CharField(read_only=True, help_text="Who checks it, in words.")
    reports = AgreementReportSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "plan",
            "order",
            "what",
            "owner_person",
            "owner_professional",
            "owner",
            "starts_on",
            "ends_on",
            "frequency",
            "backup_person",
            "backup",
            "checker_person",
            "checker_user",
            "checker",
            "due_on",
            "is_safety",
            "bottom_lines",
            "status",
            "in_force",
            "confirmed_on",
            "last_reported_on",
            "reports",
            "version",
        ]
        read_only_fields = fields


class BottomLineCheckSerializer(OutputModelSerializer):
    class Meta:
        model = BottomLineCheck
        fields = ["bottom_line", "bottom_line_version", "met", "explanation"]
        read_only_fields = fields


class PlanDecisionSerializer(OutputModelSerializer):
    outcome = NamedChoiceField(DecisionOutcome, read_only=True)
    decided_by_name = serializers.CharField(source="decided_by", read_only=True)
    checks = BottomLineCheckSerializer(many=True, read_only=True)

    class Meta:
        model = PlanDecision
        fields = [
            "id",
            "plan",
            "edition",
            "outcome",
            "reason",
            "formal_basis",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "checks",
            "snapshot",
        ]
        read_only_fields = fields


class ReviewItemSerializer(OutputModelSerializer):
    keeping = NamedChoiceField(ReviewKeeping, read_only=True)

    class Meta:
        model = ReviewItem
        fields = ["agreement", "keeping", "note"]
        read_only_fields = fields


class ReviewSerializer(OutputModelSerializer):
    decision = NamedChoiceField(
        ReviewDecision, read_only=True, allow_blank=True, help_text="Empty until the review is held."
    )
    items = ReviewItemSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "plan",
            "code",
            "name",
            "planned_on",
            "held_on",
            "held_by",
            "plan_edition",
            "decision",
            "note",
            "items",
            "version",
        ]
        read_only_fields = fields


class PersonalLinkSerializer(OutputModelSerializer):
    """A personal link without its secret."""

    person_name = serializers.CharField(source="person.full_name", read_only=True)
    shared_parts = serializers.ListField(child=NamedChoiceField(PlanPart), read_only=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = PersonalLink
        fields = [
            "id",
            "plan",
            "person",
            "person_name",
            "shared_parts",
            "expires_on",
            "created_by",
            "created_at",
            "revoked_at",
            "last_used_at",
            "active",
        ]
        read_only_fields = fields

    def get_active(self, link) -> bool:
        from django.utils import timezone

        return link.revoked_at is None and link.expires_on >= timezone.localdate()


class PlanSerializer(OutputModelSerializer):
    plan_type = NamedChoiceField(PlanType, read_only=True)
    status = NamedChoiceField(PlanStatus, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "trajectory",
            "meeting",
            "plan_type",
            "status",
            "edition",
            "concerns",
            "if_it_goes_wrong",
            "child_view",
            "presented_on",
            "deliberation_kept",
            "deliberation_notes",
            "deliberation_chosen_by",
            "submitted_on",
            "accepted_on",
            "written_by",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    """The plan with its bottom lines, agreements, decisions and reviews."""

    bottom_lines = BottomLineSerializer(
        source="detail_bottom_lines",
        many=True,
        read_only=True,
        help_text="The trajectory's bottom lines: in force first, then withdrawn.",
    )
    agreements = AgreementSerializer(source="detail_agreements", many=True, read_only=True)
    decisions = PlanDecisionSerializer(
        source="detail_decisions",
        many=True,
        read_only=True,
        help_text="Newest first, each with its check of every bottom line.",
    )
    reviews = ReviewSerializer(source="detail_reviews", many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = PlanSerializer.Meta.fields + ["bottom_lines", "agreements", "decisions", "reviews"]
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------------------


class BottomLineInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """A new bottom line: what, why, on what legal basis, non-negotiable or a wish."""

    kind = NamedChoiceField(BottomLineKind, required=False)

    class Meta:
        model = BottomLine
        fields = BOTTOM_LINE_FIELDS
        extra_kwargs = {"order": {"required": False, "min_value": 1}}


class BottomLineChangesSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """Changes to a bottom line: only the fields to change, and the version you read."""

    kind = NamedChoiceField(BottomLineKind, required=False)
    version = version_field()

    class Meta:
        model = BottomLine
        fields = BOTTOM_LINE_FIELDS + ["version"]
        extra_kwargs = {name: {"required": False} for name in BOTTOM_LINE_FIELDS}
        extra_kwargs["order"]["min_value"] = 1


class WithdrawSerializer(RefuseUnknownFields, serializers.Serializer):
    """Why a bottom line no longer applies, and the version you read."""

    reason = serializers.CharField(max_length=300, help_text="Why the bottom line no longer applies.")
    version = version_field()


class PlanStartSerializer(RefuseUnknownFields, serializers.Serializer):
    """Nothing to send: the plan's kind comes from the trajectory's method."""


class PlanChangesSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """Changes to the plan's text: only the fields to change, and the version you read."""

    version = version_field()

    class Meta:
        model = Plan
        fields = PLAN_FIELDS + ["version"]
        extra_kwargs = {name: {"required": False} for name in PLAN_FIELDS}


class VersionSerializer(RefuseUnknownFields, serializers.Serializer):
    """The version of the plan you read."""

    version = version_field()


class AgreementInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """A new agreement: what, who carries it out, when, how often, who stands in and who checks."""

    owner_person = id_field(required=False, allow_null=True, help_text="A person of this case.")
    backup_person = id_field(required=False, allow_null=True, help_text="A person of this case, not the owner.")
    checker_person = id_field(required=False, allow_null=True, help_text="A person of this case.")
    checker_user = id_field(required=False, allow_null=True, help_text="A professional on the case team.")
    bottom_lines = serializers.ListField(
        child=id_field(),
        required=False,
        max_length=200,
        help_text="Bottom lines of this trajectory (in force) it answers.",
    )
    plan_version = version_field(
        required=False,
        help_text=(
            "The plan's version you read. Adding an agreement changes the plan; if it changed since, the agreement is "
            "refused with 409."
        ),
    )

    class Meta:
        model = Agreement
        fields = AGREEMENT_FIELDS + ["plan_version"]
        extra_kwargs = {"order": {"required": False, "min_value": 1}}


class AgreementChangesSerializer(AgreementInputSerializer):
    """Changes to an agreement: only the fields to change, and the version you read."""

    version = version_field()
    plan_version = None

    class Meta:
        model = Agreement
        fields = AGREEMENT_FIELDS + ["version"]
        extra_kwargs = {name: {"required": False} for name in AGREEMENT_FIELDS}
        extra_kwargs["order"]["min_value"] = 1


class AgreementRemovalQuerySerializer(serializers.Serializer):
    """The version of the agreement you read."""

    version = version_field()


class ReportInputSerializer(RefuseUnknownFields, serializers.Serializer):
    """How an agreement went."""

    outcome = NamedChoiceField(ReportOutcome)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class CheckInputSerializer(RefuseUnknownFields, serializers.Serializer):
    """The judgement of one bottom line: met or not, and why."""

    bottom_line = id_field(help_text="A bottom line in force of this plan's trajectory.")
    met = StrictBooleanField(help_text="true or false.")
    explanation = serializers.CharField(max_length=4000, allow_blank=True, help_text="Why it is met or not.")


class DecisionInputSerializer(RefuseUnknownFields, serializers.Serializer):
    """The decision on a submitted plan."""

    outcome = NamedChoiceField(DecisionOutcome)
    reason = serializers.CharField(max_length=4000)
    checks = CheckInputSerializer(many=True, help_text="One judgement per bottom line in force.")
    version = version_field(help_text="The plan's version you read.")

    def validate_checks(self, checks):
        lines = [check["bottom_line"] for check in checks]
        if len(lines) != len(set(lines)):
            raise serializers.ValidationError(_("A bottom line is listed twice."))
        return checks


class ReviewInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    """An extra review moment."""

    class Meta:
        model = Review
        fields = ["name", "planned_on"]


class ReviewItemInputSerializer(RefuseUnknownFields, serializers.Serializer):
    """How one agreement was kept."""

    agreement = id_field(help_text="An agreement in force of the plan.")
    keeping = NamedChoiceField(ReviewKeeping)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ReviewRatingInputSerializer(RefuseUnknownFields, serializers.Serializer):
    """The safety scale at a review: one person of the case or one professional of the case team, 0 to 10."""

    person = id_field(required=False, allow_null=True, help_text="A person of the case.")
    rater_user = id_field(required=False, allow_null=True, help_text="A user on the case team.")
    score = serializers.IntegerField(min_value=0, max_value=10)
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class HoldReviewSerializer(RefuseUnknownFields, serializers.Serializer):
    """A review as it was held."""

    items = ReviewItemInputSerializer(many=True, help_text="How every agreement in force was kept.")
    ratings = ReviewRatingInputSerializer(many=True, required=False, help_text="The safety scale again.")
    decision = NamedChoiceField(ReviewDecision)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    held_on = serializers.DateField(required=False, allow_null=True, help_text="Default: today.")
    version = version_field(help_text="The review's version you read.")

    def validate_items(self, items):
        agreements = [item["agreement"] for item in items]
        if len(agreements) != len(set(agreements)):
            raise serializers.ValidationError(_("An agreement is listed twice."))
        return items
