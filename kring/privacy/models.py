"""Subject access requests (GDPR art. 15), what an answer withheld and why, and rectification requests (art. 16).

A request is kept as the organisation's record of how it answered, also after the person's case is destroyed:
the person is then no longer linked (``SET_NULL``) and the name as it was asked for stays (decision 172).
Withheld items name a record by type and id, never its text.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kring.accounts.models import Organisation
from kring.cases.models import Person

from . import rules

TEXT_LENGTH = 2000


class RequestStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("subject access request", "received")
    EXTENDED = "extended", pgettext_lazy("subject access request", "term extended")
    ANSWERED = "answered", pgettext_lazy("subject access request", "answered")
    REFUSED = "refused", pgettext_lazy("subject access request", "refused")


class SubjectAccessRequest(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    person_name = models.CharField(_("name of the person"), max_length=210)
    requested_on = models.DateField(_("request received on"))
    requested_by = models.CharField(
        _("request made by"), max_length=200, help_text=_("e.g. the mother herself, her lawyer")
    )
    identity_checked = models.BooleanField(_("identity checked"), default=False)
    identity_check = models.CharField(
        _("how the identity was checked"), max_length=300, blank=True, help_text=_("e.g. passport shown at the desk")
    )
    extended_months = models.PositiveSmallIntegerField(_("term extended by (months)"), default=0)
    extension_reason = models.CharField(_("reason for the extension"), max_length=TEXT_LENGTH, blank=True)
    due_on = models.DateField(_("answer due on"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    exported_at = models.DateTimeField(_("export produced at"), null=True, blank=True)
    notes = models.TextField(_("notes"), max_length=TEXT_LENGTH, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The history explains a stale edit: what another officer changed since the form was opened (decision 208).
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("subject access request")
        verbose_name_plural = _("subject access requests")

    def __str__(self):
        return self.person_name

    def save(self, *args, **kwargs):
        self.due_on = rules.due_on(self.requested_on, self.extended_months)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in (RequestStatus.RECEIVED, RequestStatus.EXTENDED)


class WithheldReason(models.TextChoices):
    OTHERS_PRIVACY = "others_privacy", _("another person's privacy (GDPR art. 15(4))")
    TEAM_ONLY = "team_only", _("working notes of the case team, not meant to be shared (GDPR art. 15(4))")
    OTHERS_SAFETY = "others_safety", _("another person's safety (GDPR art. 15(4), UAVG art. 41(1)(i))")
    SUBJECT_PROTECTION = "subject_protection", _("the protection of the person themselves (UAVG art. 41(1)(i))")


class WithheldItem(models.Model):
    """A record of the person's cases that the answer leaves out, by type and id (never its content).

    Either a rule of the export left it out (``marked_by`` empty; recomputed at every export) or the privacy officer
    withheld it by hand, with a reason and an explanation in their own words (kept until released; decision 206)."""

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="withheld")
    record_type = models.CharField(_("record type"), max_length=40)
    record_id = models.CharField(_("record"), max_length=64)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=WithheldReason.choices)
    explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "record_type", "record_id"], name="privacy_withheld_unique")
        ]
        verbose_name = _("withheld record")
        verbose_name_plural = _("withheld records")


class RectificationTarget(models.TextChoices):
    JOURNAL_ENTRY = "journal_entry", _("journal entry")
    PERSON = "person", _("personal details")
    DOCUMENT = "document", _("document")


class RectificationDecision(models.TextChoices):
    PENDING = "", pgettext_lazy("rectification decision", "not decided yet")
    GRANTED = "granted", pgettext_lazy("rectification decision", "granted")
    PARTLY = "partly", pgettext_lazy("rectification decision", "partly granted")
    REFUSED = "refused", pgettext_lazy("rectification decision", "refused")


class RectificationRequest(models.Model):
    """A request to correct or complete what is recorded (GDPR art. 16), kept beside the record it concerns."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case_id = models.BigIntegerField(_("case"))
    record_type = models.CharField(_("what it concerns"), max_length=20, choices=RectificationTarget.choices)
    record_id = models.BigIntegerField(_("record"))
    requested_on = models.DateField(_("request received on"))
    asked = models.TextField(_("what is asked"), max_length=TEXT_LENGTH)
    decision = models.CharField(
        _("decision"), max_length=10, choices=RectificationDecision.choices, blank=True, default=""
    )
    answer = models.TextField(_("answer"), max_length=TEXT_LENGTH, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["recorded_at"])

    class Meta:
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]
        verbose_name = _("rectification request")
        verbose_name_plural = _("rectification requests")
