"""Which organisation offers which method, in which regions: maintained by the organisation itself and shown
publicly in the method guide (``/methods/offers/``).

The method and its variants are codes from the definition files (``catalogue()``), not database rows, so they
are checked in ``clean()`` rather than by a foreign key or field choices (choices would put the catalogue into
migrations).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .regions import BY_CODE as REGIONS_BY_CODE


class Referrer(models.TextChoices):
    """Who may ask the organisation for the method."""

    FAMILY = "family", _("families themselves")
    PROFESSIONAL = "professional", _("professionals")
    SCHOOL = "school", _("schools")
    GP = "gp", _("general practitioners")
    COURT = "court", _("courts and child protection")


PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")
MAX_WAITING_WEEKS = 104


class MethodOffer(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="method_offers",
        verbose_name=_("organisation"),
    )
    method_code = models.CharField(_("method"), max_length=60)
    variants = models.JSONField(_("variants offered"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list)
    municipalities = models.CharField(
        _("municipalities"),
        max_length=1000,
        blank=True,
        help_text=_("Optional: the municipalities within these regions, if you do not cover them all."),
    )
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    contact_email = models.EmailField(_("contact e-mail address"), max_length=254, blank=True)
    contact_phone = models.CharField(_("contact telephone number"), max_length=30, blank=True)
    contact_url = models.URLField(_("web address"), max_length=300, blank=True)
    referrers = models.JSONField(_("who may ask"), default=list)
    waiting_weeks = models.PositiveSmallIntegerField(_("waiting time in weeks"), null=True, blank=True)
    active = models.BooleanField(_("shown in the public guide"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["organisation__name", "method_code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "method_code"], name="method_offer_unique_per_org"),
        ]
        verbose_name = _("method offer")
        verbose_name_plural = _("method offers")

    def __str__(self):
        return f"{self.organisation} – {self.method_code}"

    @property
    def definition(self):
        from .catalogue import catalogue

        return catalogue().get(self.method_code)

    def clean(self):
        """Each field's check gives at most one message; all of them are shown at once."""
        definition = self.definition
        problems = {
            "method_code": self._method_problem(definition),
            "variants": self._variants_problem(definition),
            "regions": self._regions_problem(),
            "referrers": self._referrers_problem(),
            "contact_phone": self._phone_problem(),
            "contact_email": self._contact_problem(),
            "waiting_weeks": self._waiting_time_problem(),
        }
        errors = {field: [message] for field, message in problems.items() if message}
        if errors:
            raise ValidationError(errors)

    def _method_problem(self, definition):
        if self.method_code and definition is None:
            return _("There is no method with the code “%(code)s”.") % {"code": self.method_code}
        return None

    def _variants_problem(self, definition):
        """Variant codes of this method (when the method is known), each once."""
        variants = self.variants if isinstance(self.variants, list) else None
        if variants is None or not all(isinstance(v, str) for v in variants):
            return _("Variants must be a list of variant codes.")
        if definition is None:
            return None
        known = {variant.code for variant in definition.variants}
        unknown = [v for v in variants if v not in known]
        if unknown:
            return _("Not a variant of this method: %(codes)s.") % {"codes": ", ".join(unknown)}
        if len(set(variants)) != len(variants):
            return _("A variant is listed twice.")
        return None

    def _regions_problem(self):
        """At least one known region, each once, all of the organisation's own jurisdiction."""
        regions = self.regions if isinstance(self.regions, list) else None
        if regions is None or not all(isinstance(r, str) for r in regions):
            return _("Regions must be a list of region codes.")
        if not regions:
            return _("Choose at least one region.")
        unknown = [r for r in regions if r not in REGIONS_BY_CODE]
        if unknown:
            return _("Unknown region: %(codes)s.") % {"codes": ", ".join(unknown)}
        jurisdiction = self.organisation.jurisdiction if self.organisation_id else None
        foreign = [r for r in regions if jurisdiction and REGIONS_BY_CODE[r].jurisdiction != jurisdiction]
        if foreign:
            return _("An organisation can only offer in regions of its own jurisdiction; not in %(names)s.") % {
                "names": ", ".join(str(REGIONS_BY_CODE[r].label) for r in foreign)
            }
        if len(set(regions)) != len(regions):
            return _("A region is listed twice.")
        return None

    def _referrers_problem(self):
        referrers = self.referrers if isinstance(self.referrers, list) else None
        if referrers is None or not all(isinstance(r, str) for r in referrers):
            return _("Who may ask must be a list.")
        if not referrers:
            return _("Say who may ask for this method.")
        if any(r not in Referrer.values for r in referrers):
            return _("Unknown kind of referrer.")
        return None

    def _phone_problem(self):
        if self.contact_phone and (
            not PHONE.match(self.contact_phone) or sum(c.isdigit() for c in self.contact_phone) < 6
        ):
            return _("Enter a telephone number of digits, spaces, dashes and an optional +.")
        return None

    def _contact_problem(self):
        if not (self.contact_email or self.contact_phone or self.contact_url):
            return _("Give at least one way to get in touch: e-mail, telephone or web address.")
        return None

    def _waiting_time_problem(self):
        if self.waiting_weeks is not None and self.waiting_weeks > MAX_WAITING_WEEKS:
            return _("A waiting time of more than two years cannot be right; enter weeks.")
        return None
