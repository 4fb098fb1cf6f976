"""Moving a case to another organisation (decision 192).

A ``Transfer`` is proposed on the sending case, with what goes (per category, documents by choice), the legal basis
and a short summary the receiver may read before deciding. Accepted, it makes a new case in the receiving
organisation and closes the sending case (which starts its retention period). Between installations the same
content travels as a signed package (``package.py``): the sender exports it, the receiver imports it as an incoming
transfer and accepts or refuses it like one of its own installation.

``SigningKey`` is an organisation's own Ed25519 key for the packages it sends; ``TrustedSender`` a public key an
organisation accepts packages from (decision 195).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Organisation
from kring.cases.models import Case

from .choices import Direction, LegalBasis, TransferStatus

TEXT_LENGTH = 2000


class Transfer(models.Model):
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PROPOSED
    )
    # Whose record this is: the sending organisation's, or for a package taken in, the receiving organisation's.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The sending side. The case is emptied if it is destroyed after its retention period; the number stays.
    sending_case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sending_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(_("sending organisation"), max_length=200)
    sender_case_number = models.CharField(_("case number at the sender"), max_length=30)
    # The receiving side: an organisation of this installation, or, for a package, the name of the receiver.
    receiving_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving organisation"),
    )
    external_receiver = models.CharField(_("receiver in another installation"), max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by_name = models.CharField(_("proposed by"), max_length=254)
    proposed_at = models.DateTimeField(_("proposed at"))
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    basis_note = models.TextField(
        _("legal basis or consent in words"),
        max_length=TEXT_LENGTH,
        help_text=_("The article, the court decision, or who consented when and to what."),
    )
    # The consents of the sending case the basis rests on (ids of kring.cases Consent, read with the case).
    consent_ids = models.JSONField(default=list, blank=True)
    # What goes.
    include_network = models.BooleanField(_("persons and network"), default=True)
    include_journal = models.BooleanField(_("journal entries"), default=False)
    include_team_only = models.BooleanField(_("also journal entries for the case team only"), default=False)
    include_plans = models.BooleanField(_("plans and agreements (summary)"), default=False)
    document_ids = models.JSONField(default=list, blank=True)
    # What the receiver may read before deciding (decision 193).
    child_name = models.CharField(_("first name of the central child"), max_length=100)
    child_age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    reason = models.TextField(_("reason for the transfer"), max_length=TEXT_LENGTH)
    # What went, exactly: record ids per category and SHA-256 of each file, with a digest over the whole.
    items = models.JSONField(default=dict, blank=True)
    digest = models.CharField(_("digest of what went"), max_length=64, blank=True)
    # The decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(_("decided by"), max_length=254, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), max_length=TEXT_LENGTH, blank=True)
    received_case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # A package: its checksum, the sender's key fingerprint, and (incoming, until decided) where it is stored.
    package_sha256 = models.CharField(max_length=64, blank=True)
    sender_fingerprint = models.CharField(max_length=64, blank=True)
    package_name = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["receiving_organisation", "status"], name="transfer_incoming"),
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self):
        return f"{self.sender_case_number} → {self.receiver_label}"

    @property
    def receiver_label(self) -> str:
        if self.receiving_organisation_id and self.receiving_organisation:
            return str(self.receiving_organisation)
        return self.external_receiver


class SigningKey(models.Model):
    """An organisation's Ed25519 key for signing the packages it sends (decision 195). The private key is kept
    encrypted with a key derived from the installation's SECRET_KEY; only the server reads it, never a page."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="+")
    installation_id = models.UUIDField(default=uuid.uuid4, editable=False)
    public_key = models.CharField(_("public key"), max_length=64)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    encrypted_private_key = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")


class TrustedSender(models.Model):
    """A sender whose packages an organisation accepts: its name and Ed25519 public key."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name of the sender"), max_length=200)
    public_key = models.CharField(_("public key"), max_length=64)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(_("trusted"), default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "fingerprint"], name="trusted_sender_once_per_org"),
        ]
        verbose_name = _("trusted sender")
        verbose_name_plural = _("trusted senders")

    def __str__(self):
        return self.name
