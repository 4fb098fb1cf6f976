"""Retention of closed cases, requests to destroy a case, batches of destruction a privacy officer approved, and what
stays of a destroyed case: an anonymous count for statistics (no name, number or birth date)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kring.accounts.models import Organisation
from kring.cases.models import Case


class RetentionPeriod(models.Model):
    """Started when a case is closed: the end of care, the rule that applied, and the last day the file is kept."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="retention_period")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    end_of_care = models.DateField(_("end of care"))
    rule = models.CharField(_("rule applied"), max_length=60)
    retain_until = models.DateField(_("kept until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "retain_until"])]
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")


class ExtensionReason(models.TextChoices):
    """Why a privacy officer kept a file longer than the rule (decision 212)."""

    GOOD_CARE = "good_care", _("the care of a good care provider requires it (the child's interest)")
    LEGAL_PROCEDURE = "legal_procedure", _("a complaint or court case is pending or expected")
    PERSON_ASKED = "person_asked", _("the person asked to keep the file longer")
    STATUTORY = "statutory", _("another statutory rule requires keeping it")


class RetentionExtension(models.Model):
    """A retention period lengthened by hand: by whom, why, from which day to which later day. Never edited; the
    rows are the period's history. Destroyed with the case (it refers to the period, which refers to the case)."""

    period = models.ForeignKey(RetentionPeriod, on_delete=models.CASCADE, related_name="extensions")
    previous_until = models.DateField(_("kept until before"))
    new_until = models.DateField(_("kept until"))
    reason = models.CharField(_("reason"), max_length=30, choices=ExtensionReason.choices)
    explanation = models.TextField(_("explanation"), max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("extension of a retention period")
        verbose_name_plural = _("extensions of retention periods")


class DestructionBatch(models.Model):
    """Cases whose retention ended, approved for destruction at once by a privacy officer of their organisation.
    The case ids are kept (numbers of rows, not case numbers), so the batch can say which were destroyed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)
    case_ids = models.JSONField(default=list)
    destroyed_ids = models.JSONField(default=list)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("destruction batch")
        verbose_name_plural = _("destruction batches")


class DestroyedCase(models.Model):
    """What stays of a destroyed case for statistics: counts without names, numbers or dates of birth."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    legal_context = models.CharField(max_length=40)
    closure_reason = models.CharField(max_length=30, blank=True)
    year_referred = models.PositiveIntegerField()
    year_closed = models.PositiveIntegerField(null=True)
    method_codes = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    reason = models.CharField(max_length=20)  # "retention_ended" or "request"
    destroyed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("destroyed case (count)")
        verbose_name_plural = _("destroyed cases (counts)")


class RequestDecision(models.TextChoices):
    PENDING = "pending", _("not yet decided")
    GRANTED = "granted", _("granted: the file is destroyed")
    REFUSED = "refused", pgettext_lazy("destruction request", "refused")


class LegalException(models.TextChoices):
    """Why a request to destroy may be refused (Jeugdwet art. 7.3.9; GDPR art. 17 lid 3 in Flanders)."""

    OTHERS_INTEREST = "others_interest", _("keeping it is of substantial importance to someone else")
    LEGAL_DUTY = "legal_duty", _("a statutory rule requires keeping it")
    PROTECTION_MEASURE = "protection_measure", _("a child-protection measure requires keeping it")
    NOT_ENTITLED = "not_entitled", _("the requester may not make this request")


class DestructionRequest(models.Model):
    """A request by a person of the case to destroy the file, judged and answered within the legal term.

    Stays after the destruction, with the case and the requester removed (their links are emptied) and no name in it:
    it shows that the request was answered, and when."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        "cases.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due on"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=RequestDecision.choices, default=RequestDecision.PENDING
    )
    legal_exception = models.CharField(_("legal exception"), max_length=30, choices=LegalException.choices, blank=True)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The answer as the letter the requester receives (a PDF in Dutch, decision 213), made when it is answered.
    letter = models.BinaryField(default=b"", blank=True, editable=False)
    letter_made_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("request to destroy a file")
        verbose_name_plural = _("requests to destroy a file")
