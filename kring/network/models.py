"""The network of a case: who is around the child and how they are tied, for the genogram, eco-map and circle.

Persons themselves live in the case file (``cases.Person``); this app adds what the maps need about them
(``NetworkMember``), the ties between them (``Relationship``) and the ties from the household to systems
such as a school or a GP (``SystemTie``). All dated (from / until) so a map can show a moment in time.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kring.accounts.models import Organisation
from kring.cases.models import Case, Person


class SymbolKind(models.TextChoices):
    PERSON = "person", _("person")
    PREGNANCY = "pregnancy", _("pregnancy")
    MISCARRIAGE = "miscarriage", _("miscarriage")
    STILLBIRTH = "stillbirth", _("stillbirth")


class Domain(models.TextChoices):
    HOUSEHOLD = "household", _("household")
    FAMILY = "family", _("family")
    FRIENDS = "friends", _("friends")
    SCHOOL_WORK = "school_work", _("school or work")
    NEIGHBOURHOOD_CLUBS = "neighbourhood_clubs", _("neighbourhood and clubs")
    PROFESSIONAL = "professional", _("professional services")


class Ring(models.IntegerChoices):
    VERY_CLOSE = 1, pgettext_lazy("network ring", "very close")
    CLOSE = 2, pgettext_lazy("network ring", "close")
    FURTHER = 3, _("further away")


class HelpDirection(models.TextChoices):
    GIVES = "gives", _("gives help")
    RECEIVES = "receives", _("receives help")
    BOTH = "both", _("both ways")


class ContactFrequency(models.TextChoices):
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    FEW_TIMES_A_YEAR = "few_times_a_year", _("a few times a year")
    RARELY = "rarely", _("rarely or never")


class KnownFor(models.TextChoices):
    UNDER_ONE_YEAR = "under_1", _("less than a year")
    ONE_TO_FIVE = "1_to_5", _("one to five years")
    OVER_FIVE = "over_5", _("more than five years")


class Safety(models.TextChoices):
    SAFE = "safe", _("safe")
    UNSAFE = "unsafe", _("unsafe")
    UNKNOWN = "unknown", _("unknown")


class NetworkMember(models.Model):
    """What the maps know of one person of the case, beyond the case file."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="network", primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="network_members")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("symbol"), max_length=12, choices=SymbolKind.choices, default=SymbolKind.PERSON)
    deceased = models.BooleanField(_("deceased"), default=False)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    domain = models.CharField(_("life domain"), max_length=20, choices=Domain.choices, blank=True)
    ring = models.PositiveSmallIntegerField(_("closeness"), choices=Ring.choices, null=True, blank=True)
    practical_support = models.BooleanField(_("gives practical support"), default=False)
    emotional_support = models.BooleanField(_("gives emotional support"), default=False)
    information_support = models.BooleanField(_("gives information or advice"), default=False)
    critical = models.BooleanField(_("critical of the family"), default=False)
    help_direction = models.CharField(_("direction of help"), max_length=10, choices=HelpDirection.choices, blank=True)
    contact_frequency = models.CharField(
        _("how often seen"), max_length=20, choices=ContactFrequency.choices, blank=True
    )
    known_for = models.CharField(_("known for"), max_length=10, choices=KnownFor.choices, blank=True)
    safety = models.CharField(_("safety"), max_length=10, choices=Safety.choices, default=Safety.UNKNOWN)
    may_invite = models.BooleanField(_("may be invited"), default=False)
    reachable = models.BooleanField(_("reachable"), default=True)
    # Where a user dragged the person, per map: {"genogram": [x, y], ...}. Kept until reset.
    positions = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["positions"])

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")

    def clean(self):
        if self.death_date and not self.deceased:
            self.deceased = True
        if self.death_date and self.person_id and self.person.birth_date and self.death_date < self.person.birth_date:
            raise ValidationError({"death_date": _("The date of death cannot be before the birth date.")})


class RelationshipKind(models.TextChoices):
    PARENT = "parent", _("parent and child")
    PARTNER = "partner", _("partners")
    TWIN = "twin", _("twins")
    SIBLING = "sibling", _("brothers and sisters")
    EMOTIONAL = "emotional", _("emotional tie")


# Subtypes per kind; the core (kring.network.core.graph) uses the same values.
RELATIONSHIP_SUBTYPES = {
    RelationshipKind.PARENT: {
        "biological": _("biological parent"),
        "adoptive": _("adoptive parent"),
        "foster": _("foster parent"),
        "step": _("step parent"),
        "guardian": _("guardian"),
    },
    RelationshipKind.PARTNER: {
        "married": _("married"),
        "cohabiting": _("living together"),
        "relationship": _("in a relationship"),
        "engaged": _("engaged"),
        "separated": _("separated"),
        "divorced": _("divorced"),
        "widowed": _("widowed"),
    },
    RelationshipKind.TWIN: {
        "fraternal": _("twins"),
        "identical": _("identical twins"),
    },
    RelationshipKind.SIBLING: {
        "sibling": _("brother or sister"),
        "half": _("half brother or sister"),
        "step": _("stepbrother or stepsister"),
    },
    RelationshipKind.EMOTIONAL: {
        "close": pgettext_lazy("emotional tie", "close"),
        "very_close": _("very close / fused"),
        "distant": _("distant"),
        "conflict": _("conflict"),
        "hostile": _("hostile"),
        "cut_off": _("cut off"),
        "physical_abuse": _("physical abuse"),
        "emotional_abuse": _("emotional abuse"),
        "sexual_abuse": _("sexual abuse"),
        "neglect": _("neglect"),
    },
}


class Relationship(models.Model):
    """A tie between two persons of the case. For a parent link, person_a is the parent; for abuse, the one
    who harms."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="relationships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=RelationshipKind.choices)
    subtype = models.CharField(_("type"), max_length=20)
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("other person"))
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        indexes = [models.Index(fields=["case", "kind"])]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")

    def clean(self):
        errors = {}
        allowed = RELATIONSHIP_SUBTYPES.get(self.kind, {})
        if self.subtype not in allowed:
            errors["subtype"] = _("Choose a type that fits this kind of relationship.")
        if self.person_a_id and self.person_a_id == self.person_b_id:
            errors["person_b"] = _("A relationship needs two different persons.")
        for field in ("person_a", "person_b"):
            person = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if person is not None and self.case_id and person.case_id != self.case_id:
                errors[field] = _("This person is not part of the case.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class SystemKind(models.TextChoices):
    SCHOOL = "school", _("school or childcare")
    WORK = "work", _("work")
    FAITH = "faith", _("faith community")
    SPORTS_CLUB = "sports_club", _("sports or other club")
    GP = "gp", _("general practitioner")
    YOUTH_CARE = "youth_care", _("youth care")
    POLICE = "police", _("police or justice")
    HOSPITAL = "hospital", _("hospital")
    MENTAL_HEALTH = "mental_health", _("mental health care")
    SOCIAL_SERVICES = "social_services", _("social services or income support")
    NEIGHBOURHOOD = "neighbourhood", _("neighbourhood")
    OTHER = "other", _("other")


class TieStrength(models.TextChoices):
    STRONG = "strong", _("strong")
    TENUOUS = "tenuous", _("tenuous")
    STRESSFUL = "stressful", _("stressful")


class EnergyDirection(models.TextChoices):
    TO_SYSTEM = "to_system", _("the family gives to it")
    FROM_SYSTEM = "from_system", _("the family receives from it")
    BOTH = "both", _("both ways")
    NONE = "none", _("no flow")


class SystemTie(models.Model):
    """An eco-map tie from the household (person empty) or one person to a system."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="system_ties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    system = models.CharField(_("system"), max_length=120, help_text=_("e.g. 'Basisschool De Regenboog'"))
    system_kind = models.CharField(_("kind of system"), max_length=20, choices=SystemKind.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
        help_text=_("Empty: the household as a whole."),
    )
    strength = models.CharField(_("strength"), max_length=10, choices=TieStrength.choices)
    energy = models.CharField(
        _("flow of energy"), max_length=12, choices=EnergyDirection.choices, default=EnergyDirection.NONE
    )
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tie to a system")
        verbose_name_plural = _("ties to systems")

    def clean(self):
        errors = {}
        if self.person_id and self.case_id and self.person.case_id != self.case_id:
            errors["person"] = _("This person is not part of the case.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class NetworkSettings(models.Model):
    """Per organisation: when a network counts as small, and how the genogram marks death."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="network_settings")
    small_network_threshold = models.PositiveSmallIntegerField(
        _("small informal network below"),
        default=5,
        help_text=_("Warn when fewer informal (non-professional) persons than this are in the network."),
    )
    death_mark = models.CharField(
        _("death mark"),
        max_length=6,
        choices=[("cross", _("X through the symbol (genogram)")), ("slash", _("slash through the symbol (pedigree)"))],
        default="cross",
    )

    class Meta:
        verbose_name = _("network settings")
        verbose_name_plural = _("network settings")


class NetworkEdit(models.Model):
    """One change to a case's network, with what it replaced, so the last change can be undone."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="network_edits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    record_type = models.CharField(max_length=20)  # "member", "relationship", "system_tie", "person"
    record_id = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)  # None: the record did not exist before
    after = models.JSONField(null=True, blank=True)  # None: the record was removed
    undone = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "user", "undone"])]
