"""Shapes of method offers in the REST API.

As in the cases app's serializers, field descriptions are documentation for integrators and stay in English;
messages shown to people are translated. Input serializers refuse fields they do not take and parse JSON into
the plain values ``services.save_offer`` takes; the service (the model's ``clean()``) decides what is valid,
exactly as for the maintenance pages. Methods, variants, regions and referrers are plain strings in the OpenAPI
document: the method catalogue is data, not a fixed choice set, and names like "method" already name other
choice sets there.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kring.core.api import RefuseUnknownFields, version_field

from .catalogue import catalogue
from .models import Referrer
from .regions import BY_CODE as REGIONS_BY_CODE
from .regions import REGIONS

METHOD_HELP = "A method code from /api/v1/methods/."
REGION_HELP = "Region codes: " + ", ".join(region.code for region in REGIONS) + "."
REFERRER_HELP = "Who may ask for the method: " + ", ".join(Referrer.values) + "."
VARIANT_HELP = "Variant codes of the method (see its variants in /api/v1/methods/); empty: the method as such."
CODE_LENGTH = 60


def _codes(max_length, **kwargs):
    return serializers.ListField(child=serializers.CharField(max_length=CODE_LENGTH), max_length=max_length, **kwargs)


# --- Output --------------------------------------------------------------------------------------------


class OfferMethodNameSerializer(serializers.Serializer):
    nl = serializers.CharField(read_only=True)
    en = serializers.CharField(read_only=True)


class MethodOfferSerializer(serializers.Serializer):
    """An offer as the public guide shows it."""

    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    method = serializers.CharField(source="method_code", read_only=True, help_text=METHOD_HELP)
    method_name = serializers.SerializerMethodField()
    variants = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=VARIANT_HELP)
    regions = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=REGION_HELP)
    municipalities = serializers.CharField(
        read_only=True, help_text="The municipalities within the regions, if not all of them; may be empty."
    )
    notes = serializers.CharField(read_only=True)
    contact_email = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(read_only=True)
    contact_url = serializers.CharField(read_only=True)
    referrers = serializers.ListField(child=serializers.CharField(), read_only=True, help_text=REFERRER_HELP)
    waiting_weeks = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null: not known.")

    @extend_schema_field(OfferMethodNameSerializer)
    def get_method_name(self, offer):
        definition = catalogue().get(offer.method_code)
        if definition is None:  # a method since removed from the catalogue
            return {"nl": offer.method_code, "en": offer.method_code}
        return {"nl": definition.name.nl, "en": definition.name.en}


class MethodOfferDetailSerializer(MethodOfferSerializer):
    """An offer as its organisation's maintainers see it, active or not, with the version to send back."""

    active = serializers.BooleanField(read_only=True, help_text="Whether the public guide shows the offer.")
    updated_at = serializers.DateTimeField(read_only=True)
    updated_by = serializers.SerializerMethodField()
    version = serializers.IntegerField(read_only=True)

    def get_updated_by(self, offer) -> str | None:
        return str(offer.updated_by) if offer.updated_by_id else None


# --- Input ---------------------------------------------------------------------------------------------


class MethodOfferQuerySerializer(serializers.Serializer):
    region = serializers.CharField(
        required=False, allow_blank=True, max_length=CODE_LENGTH, help_text="Only offers in this region. " + REGION_HELP
    )
    method = serializers.CharField(
        required=False, allow_blank=True, max_length=CODE_LENGTH, help_text="Only offers of this method. " + METHOD_HELP
    )

    def validate_region(self, value):
        if value and value not in REGIONS_BY_CODE:
            raise serializers.ValidationError(_("Unknown region: %(codes)s.") % {"codes": value})
        return value

    def validate_method(self, value):
        if value and value not in catalogue():
            raise serializers.ValidationError(_("There is no method with the code “%(code)s”.") % {"code": value})
        return value


class MethodOfferInputSerializer(RefuseUnknownFields, serializers.Serializer):
    """The whole offer: optional fields left out are emptied."""

    method = serializers.CharField(max_length=CODE_LENGTH, help_text=METHOD_HELP)
    variants = _codes(20, required=False, default=list, help_text=VARIANT_HELP)
    regions = _codes(len(REGIONS), help_text="At least one, of the organisation's own jurisdiction. " + REGION_HELP)
    municipalities = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    contact_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="At least one of contact_email, contact_phone and contact_url is required.",
    )
    referrers = _codes(len(Referrer.values), help_text="At least one. " + REFERRER_HELP)
    waiting_weeks = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=10000,
        help_text="At most 104; null: not known.",
    )
    active = serializers.BooleanField(
        required=False, default=True, help_text="Whether the public guide shows the offer."
    )


class MethodOfferChangeSerializer(MethodOfferInputSerializer):
    version = version_field()


class MethodOfferRemoveQuerySerializer(serializers.Serializer):
    version = version_field()
