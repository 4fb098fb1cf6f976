"""The family's own link (tied to the trajectory, not the plan), what they say through it (people to invite, their
view, what of the plan may be shared with whom), their agreement to the plan and who received which version.

Every table carries the case and organisation ids, like every case-scoped table of Kring."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kring.cases.models import Person
from kring.core.names import NameField
from kring.documents.models import Document
from kring.plans.choices import PlanPart
from kring.plans.models import CaseScoped, Plan
from kring.trajectories.models import Trajectory

from .choices import DeliveryChannel, LinkRole, ProposalStatus, SignedHow

TEXT_LENGTH = 4000
DIGEST_LENGTH = 64


class FamilyLink(CaseScoped):
    """A parent's or a young person's own way in, without an account: only a digest of the secret is stored."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="family_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("for"))
    role = models.CharField(_("as"), max_length=20, choices=LinkRole.choices)
    token_digest = models.CharField(max_length=DIGEST_LENGTH, unique=True, editable=False)
    expires_on = models.DateField(_("valid until at the latest"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # The link this one replaced when it was sent again with a new secret.
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["trajectory", "-created_at", "-id"]
        verbose_name = _("family link")
        verbose_name_plural = _("family links")

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


class InviteeProposal(CaseScoped):
    """Someone the family would like at the meeting; the case team accepts (a person of the case) or declines."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="invitee_proposals")
    link = models.ForeignKey(FamilyLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    proposed_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("proposed by"))
    first_name = NameField(_("first name"), max_length=100)
    last_name = NameField(_("last name"), max_length=100, blank=True)
    relation = models.CharField(_("relation"), max_length=100)
    contact = models.CharField(_("how to reach them"), max_length=200, blank=True)
    why = models.TextField(_("why at the meeting"), max_length=TEXT_LENGTH, blank=True)
    proposed_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.CharField(_("why not"), max_length=500, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("added as")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["trajectory", "-proposed_at", "-id"]
        verbose_name = _("proposed invitee")
        verbose_name_plural = _("proposed invitees")

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class FamilyView(CaseScoped):
    """What a parent or young person wants the case team to know before the meeting. Each time they write it is
    kept; the latest is their view."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="family_views")
    link = models.ForeignKey(FamilyLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("whose view"))
    text = models.TextField(_("your view"), max_length=TEXT_LENGTH)
    written_at = models.DateTimeField(_("written at"))

    class Meta:
        ordering = ["trajectory", "-written_at", "-id"]
        verbose_name = _("family's view")
        verbose_name_plural = _("family's views")


class SharingChoice(CaseScoped):
    """A parent's or young person's say on one part of the plan: whether it may be shared with one person of the
    network, or with the whole network (``with_person`` empty). The latest choice per part and person holds."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="sharing_choices")
    link = models.ForeignKey(FamilyLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    chosen_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("chosen by"))
    part = models.CharField(_("part of the plan"), max_length=20, choices=PlanPart.choices)
    with_person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("with")
    )
    allowed = models.BooleanField(_("may be shared"))
    chosen_at = models.DateTimeField(_("chosen at"))

    class Meta:
        ordering = ["trajectory", "part", "-chosen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "chosen_by", "part", "with_person"], name="family_sharing_once_per_person"
            ),
            models.UniqueConstraint(
                fields=["trajectory", "chosen_by", "part"],
                condition=Q(with_person__isnull=True),
                name="family_sharing_once_for_all",
            ),
        ]
        verbose_name = _("sharing choice")
        verbose_name_plural = _("sharing choices")


class PlanAgreementSignature(CaseScoped):
    """A parent's, young person's or present adult's agreement to one exact version of the plan: the edition and
    the SHA-256 digest of its content (``kring.family.core.plan_digest``), on their link (typed name) or on paper
    (the signed page kept as a document)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="family_signatures")
    edition = models.PositiveSmallIntegerField(_("plan version"))
    digest = models.CharField(_("digest of the plan version"), max_length=DIGEST_LENGTH)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("agreed by"))
    how = models.CharField(_("how"), max_length=10, choices=SignedHow.choices)
    link = models.ForeignKey(FamilyLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    typed_name = models.CharField(_("name as typed"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("agreed at"))
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signed page")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "-signed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "digest", "person"], name="family_signature_once_per_version"),
            models.CheckConstraint(
                condition=Q(how="link", link__isnull=False) | Q(how="paper", document__isnull=False),
                name="family_signature_link_or_paper",
            ),
        ]
        verbose_name = _("family's agreement to the plan")
        verbose_name_plural = _("family's agreements to the plan")


class PlanDelivery(CaseScoped):
    """Who received which version of the plan, how and when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="deliveries")
    edition = models.PositiveSmallIntegerField(_("plan version"))
    digest = models.CharField(_("digest of the plan version"), max_length=DIGEST_LENGTH)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("received by"))
    channel = models.CharField(_("how"), max_length=10, choices=DeliveryChannel.choices)
    delivered_at = models.DateTimeField(_("when"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    link = models.ForeignKey(FamilyLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["plan", "-delivered_at", "-id"]
        verbose_name = _("delivery of the plan")
        verbose_name_plural = _("deliveries of the plan")
