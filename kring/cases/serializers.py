"""Shapes of the case file in the REST API.

Field descriptions are API documentation for integrators and stay in English; messages shown to people
(errors) are translated.

Input serializers parse JSON into the plain values the services take (types, lengths and choices come
from the model fields); the services and the models' ``clean`` decide what is valid, exactly as for the
pages. Output serializers present what a query or service returned, including each record's ``version``
so a client can send it back and have a stale edit refused.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kring.accounts.models import Organisation
from kring.core.api import (
    MAX_ID,
    OutputModelSerializer,
    RefuseUnknownFields,
    id_field,
    version_field,
)

from .choices import CaseRole, CaseStatus, LegalContext
from .forms import ReferralPersonFormSet
from .models import CapabilityJudgement, Case, CaseTeamMember, Consent, NoContact, ParentalAuthority, Person
from .services import CAPABILITY_FIELDS, CASE_FIELDS, CONSENT_FIELDS, PERSON_FIELDS

# A referral starts as "referred"; status and closure are changed later, on the case itself.
REFERRAL_FIELDS = [name for name in CASE_FIELDS if name not in ("status", "closure_reason")]


def _all_optional(fields):
    return {name: {"required": False} for name in fields}


# --- Output -------------------------------------------------------------------------------------------


class PersonSerializer(OutputModelSerializer):
    class Meta:
        model = Person
        fields = ["id", *PERSON_FIELDS, "version"]
        read_only_fields = fields


class CentralPersonSerializer(OutputModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "first_name", "last_name", "birth_date"]
        read_only_fields = fields


class TeamMemberSerializer(OutputModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = CaseTeamMember
        fields = ["id", "user", "user_name", "email", "role", "added_at"]
        read_only_fields = fields


class ConsentSerializer(OutputModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    is_active = serializers.BooleanField(read_only=True, help_text="Whether the consent is in force today.")
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "person",
            "person_name",
            "purpose",
            "given_on",
            "withdrawn_on",
            "note",
            "is_active",
            "recorded_by",
            "recorded_at",
            "version",
        ]
        read_only_fields = fields


class CaseSerializer(OutputModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "organisation",
            "team",
            "team_name",
            "family_name",
            "status",
            "closure_reason",
            "closed_on",
            "legal_context",
            "safety_concern",
            "central_reason",
            "referral_date",
            "referrer_name",
            "referral_route",
            "question",
            "concerns",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CaseListItemSerializer(OutputModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    central_persons = CentralPersonSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "organisation",
            "team",
            "team_name",
            "family_name",
            "status",
            "legal_context",
            "safety_concern",
            "referral_date",
            "central_persons",
            "version",
        ]
        read_only_fields = fields


class CaseListPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(read_only=True)
    next = serializers.URLField(read_only=True, allow_null=True)
    previous = serializers.URLField(read_only=True, allow_null=True)
    results = CaseListItemSerializer(many=True, read_only=True)


class CaseDetailSerializer(CaseSerializer):
    """The case with what the case page shows; the lists are those ``queries.case_detail`` returned."""

    persons = PersonSerializer(many=True, read_only=True, source="detail_persons")
    team_members = TeamMemberSerializer(many=True, read_only=True, source="detail_team")
    consents = ConsentSerializer(many=True, read_only=True, source="detail_consents")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "persons", "team_members", "consents"]
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------------


class CaseloadQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="A name or a case number.")
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    legal_context = serializers.ChoiceField(choices=LegalContext.choices, required=False)
    team = id_field(required=False, help_text="Only cases of this team.")
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, default=1)


class PersonInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = PERSON_FIELDS


class PersonChangesSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    version = version_field()

    class Meta:
        model = Person
        fields = [*PERSON_FIELDS, "version"]
        extra_kwargs = _all_optional(PERSON_FIELDS)


class ReferralSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    organisation = serializers.CharField(max_length=20, help_text="The organisation's code.")
    # An id, resolved by the service within the organisation, so other organisations' teams stay unknown.
    team = id_field(help_text="The id of the team of the organisation that takes the case.")
    persons = PersonInputSerializer(
        many=True,
        max_length=ReferralPersonFormSet.max_num,
        help_text="The persons of the family; at least one is the central person.",
    )

    class Meta:
        model = Case
        fields = ["organisation", *REFERRAL_FIELDS, "persons"]

    def validate_organisation(self, code):
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise serializers.ValidationError(_("There is no organisation with this code."))
        return organisation


class CaseChangesSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    team = id_field(required=False, help_text="The id of a team of the case's organisation.")
    version = version_field()

    class Meta:
        model = Case
        fields = [*CASE_FIELDS, "version"]
        extra_kwargs = _all_optional(CASE_FIELDS)


class TeamMemberInputSerializer(RefuseUnknownFields, serializers.Serializer):
    user = id_field(help_text="The id of a case worker, coordinator or team lead of the case's organisation.")
    role = serializers.ChoiceField(choices=CaseRole.choices)


class ConsentInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    # An id, resolved by the service among this case's persons only.
    person = id_field(help_text="The id of a person of this case.")

    class Meta:
        model = Consent
        fields = CONSENT_FIELDS


class ConsentWithdrawalSerializer(RefuseUnknownFields, serializers.Serializer):
    withdrawn_on = serializers.DateField()
    version = version_field()


# --- Parental authority and capability (decisions 156-158) ----------------------------------------------


class AuthoritySerializer(OutputModelSerializer):
    holder_name = serializers.CharField(read_only=True, help_text="The holder, or the institution and who acts for it.")

    class Meta:
        model = ParentalAuthority
        fields = [
            "id",
            "child",
            "kind",
            "holder",
            "institution",
            "holder_name",
            "source",
            "court_reference",
            "starts_on",
            "ended_on",
            "notes",
            "version",
        ]
        read_only_fields = fields


class AuthorityInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    # Ids, resolved by the service among this case's persons only.
    child = id_field(help_text="The id of a central person of this case.")
    holder = id_field(required=False, allow_null=True, help_text="The id of a person of this case.")

    class Meta:
        model = ParentalAuthority
        fields = ["child", "kind", "holder", "institution", "source", "court_reference", "starts_on", "notes"]


class AuthorityEndSerializer(RefuseUnknownFields, serializers.Serializer):
    ended_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = version_field()


class CapabilitySerializer(OutputModelSerializer):
    class Meta:
        model = CapabilityJudgement
        fields = ["id", *CAPABILITY_FIELDS]
        read_only_fields = fields


class CapabilityInputSerializer(RefuseUnknownFields, serializers.ModelSerializer):
    child = id_field(help_text="The id of a central person of this case.")

    class Meta:
        model = CapabilityJudgement
        fields = CAPABILITY_FIELDS


# --- "No contact" marks (decisions 186 and 200) ----------------------------------------------------------------


class NoContactSerializer(OutputModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    kept_from_name = serializers.CharField(source="kept_from.full_name", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = NoContact
        fields = [
            "id",
            "person",
            "person_name",
            "kept_from",
            "kept_from_name",
            "reason",
            "since",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "person": {"help_text": "The protected person: nothing that locates them reaches `kept_from`."},
            "kept_from": {"help_text": "The person the protected person's whereabouts are kept from."},
        }


class NoContactInputSerializer(RefuseUnknownFields, serializers.Serializer):
    # Ids, resolved by the service among this case's persons only.
    person = id_field(help_text="The id of the person to protect (a person of this case).")
    kept_from = id_field(help_text="The id of the person they are kept from (another person of this case).")
    reason = serializers.CharField(max_length=500, help_text="Why the mark is needed (a court order, a threat).")
    since = serializers.DateField(required=False, help_text="Since when; today when left out. Not in the future.")
