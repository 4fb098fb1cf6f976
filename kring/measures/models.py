"""The registration: one uniform minimum dataset per trajectory, of every method and of regular care alike.

- ``Registration``: the family characteristics a researcher needs beside what earlier stages already hold (the
  trajectory's dates and reasons, the case's legal context and safety concern), and a snapshot, taken at the
  offer, of what changes later: the children's ages and the network's size and make-up on the map.
- ``OutcomeMeasurement``: the outcomes at a moment (T0 baseline, T1 3 months, ...), as the professional records
  them: indications of maltreatment, risk, professional care, supervision order, placement, return home.
- ``Administration``: one instrument filled in once, by one respondent at one moment, with the item scores (or
  only the totals) and the scores computed from them; ``AdministrationScore`` keeps each score in a row of its
  own so the indicators can average them in the database.

Every table carries the case and organisation ids, like the rest of the case file."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kring.accounts.models import Organisation
from kring.cases.models import Case, Person
from kring.trajectories.models import Trajectory

from .choices import Ending, EntryMode, Household, Informant, Moment, Placement, Respondent, RiskLevel, YesNoUnknown

NOTE_LENGTH = 2000


class CaseScoped(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


def _yes_no(label, help_text=""):
    return models.CharField(
        label, max_length=8, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN, help_text=help_text
    )


class Registration(CaseScoped):
    trajectory = models.OneToOneField(Trajectory, on_delete=models.CASCADE, related_name="registration")
    problem_areas = models.JSONField(_("problem areas"), default=list, blank=True)
    household = models.CharField(_("the children live with"), max_length=20, choices=Household.choices, blank=True)
    high_conflict_divorce = _yes_no(_("high-conflict divorce"))
    migration_background = _yes_no(_("migration background of a parent"))
    parent_intellectual_disability = _yes_no(_("a parent with a mild intellectual disability"))
    ending = models.CharField(_("how the help ended"), max_length=20, choices=Ending.choices, blank=True)
    # The snapshot at the offer: what the map and the case file said then, so an extract does not change when
    # the network is redrawn later. Taken when the registration is first saved; "refresh" takes it again.
    snapshot_on = models.DateField(_("snapshot taken for"), null=True, blank=True)
    children_ages = models.JSONField(_("ages of the children"), default=list, blank=True)
    household_size = models.PositiveSmallIntegerField(_("persons in the household"), null=True, blank=True)
    network_size = models.PositiveSmallIntegerField(_("network size"), null=True, blank=True)
    informal_network_size = models.PositiveSmallIntegerField(_("informal network"), null=True, blank=True)
    professional_network_size = models.PositiveSmallIntegerField(
        _("professionals in the network"), null=True, blank=True
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")


class OutcomeMeasurement(CaseScoped):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="outcome_measurements")
    moment = models.CharField(_("moment"), max_length=4, choices=Moment.choices)
    measured_on = models.DateField(_("measured on"))
    informant = models.CharField(
        _("informant"), max_length=20, choices=Informant.choices, default=Informant.PROFESSIONAL
    )
    maltreatment_indication = _yes_no(_("indications of child maltreatment"))
    risk_level = models.CharField(_("risk"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.UNKNOWN)
    risk_instrument = models.CharField(
        _("risk assessed with"), max_length=100, blank=True, help_text=_("e.g. ARIJ or LIRIK")
    )
    professional_care = _yes_no(_("professional care in use"))
    supervision_order = _yes_no(_("supervision order"))
    placement = models.CharField(
        _("where the child lives"), max_length=20, choices=Placement.choices, default=Placement.UNKNOWN
    )
    returned_home = _yes_no(_("returned home since the last moment"))
    without_help = _yes_no(
        _("the family can carry on without help"),
        help_text=_("Outcome indicator 3.1 of the Dutch youth-care outcome set."),
    )
    note = models.TextField(_("note"), max_length=NOTE_LENGTH, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["trajectory", "moment"]
        constraints = [models.UniqueConstraint(fields=["trajectory", "moment"], name="outcome_once_per_moment")]
        verbose_name = _("outcome measurement")
        verbose_name_plural = _("outcome measurements")


class Administration(CaseScoped):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="administrations")
    instrument_code = models.CharField(_("instrument"), max_length=60)
    instrument_version = models.CharField(_("instrument version"), max_length=20)
    moment = models.CharField(_("moment"), max_length=4, choices=Moment.choices)
    respondent = models.CharField(_("respondent"), max_length=20, choices=Respondent.choices)
    respondent_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("who answered")
    )
    administered_on = models.DateField(_("filled in on"))
    mode = models.CharField(_("entered as"), max_length=10, choices=EntryMode.choices)
    responses = models.JSONField(default=dict, blank=True)  # item code -> value (None = not answered)
    totals = models.JSONField(default=dict, blank=True)  # score code -> value, for totals-only entry
    scores = models.JSONField(default=dict, blank=True)  # the scoring core's result
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["trajectory", "moment", "instrument_code", "administered_on", "id"]
        indexes = [models.Index(fields=["trajectory", "moment"], name="administration_moment")]
        verbose_name = _("instrument administration")
        verbose_name_plural = _("instrument administrations")


class AdministrationScore(models.Model):
    """One computed score of one administration, in a row so the database can aggregate it."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="score_rows")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="+")
    instrument_code = models.CharField(max_length=60)
    moment = models.CharField(max_length=4, choices=Moment.choices)
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    score_code = models.CharField(max_length=60)
    value = models.FloatField(null=True)  # None: not computable under the instrument's missing-data rule

    class Meta:
        indexes = [models.Index(fields=["instrument_code", "score_code", "moment"], name="score_by_instrument")]
        constraints = [models.UniqueConstraint(fields=["administration", "score_code"], name="score_once")]


class QuestionnaireRequest(CaseScoped):
    """A questionnaire a network member (or parent) is asked to fill in through their personal link. Only
    instruments whose wording Kring may show can be asked for this way."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey("plans.PersonalLink", on_delete=models.CASCADE, related_name="questionnaires")
    instrument_code = models.CharField(_("instrument"), max_length=60)
    moment = models.CharField(_("moment"), max_length=4, choices=Moment.choices)
    respondent = models.CharField(_("respondent"), max_length=20, choices=Respondent.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    administration = models.OneToOneField(
        Administration, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    class Meta:
        ordering = ["trajectory", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["link", "instrument_code", "moment"], name="questionnaire_once_per_link")
        ]
