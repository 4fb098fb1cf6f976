"""Meetings of a trajectory: the meeting, its parts, who was invited and answered, who was present in each
part, and the information professionals shared with everyone."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kring.accounts.models import Organisation
from kring.cases.models import Case, Person
from kring.core.names import NameField
from kring.trajectories.models import Trajectory

from .choices import Answer, InvitationRole, MeetingKind, MeetingStatus, Mode, PartKind, Presence
from .validators import validate_video_link

TEXT_LENGTH = 4000
TIMEZONES = {"NL": "Europe/Amsterdam", "VL": "Europe/Brussels"}


class Meeting(models.Model):
    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="meetings")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="meetings")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of meeting"), max_length=30, choices=MeetingKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=300)
    language = models.CharField(_("language of the meeting"), max_length=60, default="Nederlands")
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(_("interpreter for"), max_length=60, blank=True)
    note = models.TextField(_("note"), max_length=TEXT_LENGTH, blank=True)
    video_link = models.URLField(
        _("video meeting link"),
        max_length=500,
        blank=True,
        validators=[validate_video_link],
        help_text=_("For those who take part by video; it goes to the invitees with the place (https only)."),
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["trajectory", "starts_at"], name="meeting_trajectory_start"),
            models.Index(fields=["case", "starts_at"], name="meeting_case_start"),
            # The reminder scan reads planned meetings by date, whatever the case.
            models.Index(fields=["starts_at"], condition=models.Q(status="planned"), name="meeting_planned_start"),
        ]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return f"{self.get_kind_display()} {date_format(timezone.localtime(self.starts_at), 'SHORT_DATE_FORMAT')}"

    @property
    def timezone_name(self) -> str:
        return TIMEZONES.get(self.organisation.jurisdiction, settings.TIME_ZONE)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [_("The meeting must end after it starts.")]
        if self.interpreter_needed and not self.interpreter_language.strip():
            errors["interpreter_language"] = [_("Say for which language an interpreter is needed.")]
        if errors:
            raise ValidationError(errors)


class MeetingPart(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="parts")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("part"), max_length=30, choices=PartKind.choices)
    label = models.CharField(_("own name"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"))
    private = models.BooleanField(
        _("private"),
        default=False,
        help_text=_("Only the family and its network: professionals and the coordinator are not present."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="meeting_part_order_unique")]

    def __str__(self):
        return self.label or self.get_kind_display()

    @property
    def name(self):
        return self.label or self.get_kind_display()


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person"))
    role = models.CharField(
        _("role at the meeting"), max_length=30, choices=InvitationRole.choices, default=InvitationRole.NETWORK_MEMBER
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.NONE)
    mode = models.CharField(_("takes part"), max_length=12, choices=Mode.choices, blank=True)
    represented_by_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("represented by (person of the case)"),
    )
    represented_by_name = NameField(_("represented by (name)"), max_length=200, blank=True)
    preparation_contact_on = models.DateField(_("preparation contact on"), null=True, blank=True)
    preparation_note = models.TextField(_("preparation note"), max_length=TEXT_LENGTH, blank=True)
    not_coming_reason = models.CharField(
        _("why not coming"),
        max_length=500,
        blank=True,
        help_text=_("What the person told in the preparation, when they will not come."),
    )
    unsafe_override_reason = models.CharField(
        _("why invited although not marked safe"),
        max_length=500,
        blank=True,
    )
    invited_on = models.DateField(_("invited on"))
    # Set when the meeting moved after this invitation was made: the letter the person has names the old time
    # ("vervangen"); the re-invite step clears it with a new invitation date, and the letter then names the new one.
    superseded_at = models.DateTimeField(_("superseded on"), null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="invitation_once_per_person")]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return str(self.person)

    @property
    def is_professional(self) -> bool:
        from .core import PROFESSIONAL_ROLES

        return self.role in PROFESSIONAL_ROLES

    @property
    def represented_by(self) -> str:
        return str(self.represented_by_person or self.represented_by_name or "")


class Attendance(models.Model):
    """Whether one invitee or one professional user was present in one part."""

    part = models.ForeignKey(MeetingPart, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    present = models.BooleanField(_("present"), default=False)
    mode = models.CharField(_("took part"), max_length=10, choices=Presence.choices, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(invitation__isnull=False, user__isnull=True) | Q(invitation__isnull=True, user__isnull=False)
                ),
                name="attendance_invitee_or_user",
            ),
            models.UniqueConstraint(
                fields=["part", "invitation"], condition=Q(invitation__isnull=False), name="attendance_once_per_invitee"
            ),
            models.UniqueConstraint(
                fields=["part", "user"], condition=Q(user__isnull=False), name="attendance_once_per_user"
            ),
        ]


class InformationContribution(models.Model):
    """Information from a professional for the meeting. Shown only when shared equally with all participants."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="contributions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author (user)"),
    )
    author_name = NameField(_("author"), max_length=200, blank=True)
    author_organisation = models.CharField(_("author's organisation"), max_length=200, blank=True)
    text = models.TextField(_("information"), max_length=TEXT_LENGTH)
    shared_with_all = models.BooleanField(
        _("shared equally with all participants"),
        default=False,
        help_text=_("Information is shown only once every participant has received the same."),
    )
    shared_on = models.DateField(_("shared on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting", "created_at", "id"]
        verbose_name = _("information contribution")
        verbose_name_plural = _("information contributions")

    @property
    def author(self) -> str:
        return str(self.author_user or self.author_name)

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if not self.author_user_id and not self.author_name.strip():
            errors["author_name"] = [_("Say who gives this information.")]
        if self.shared_with_all and not self.shared_on:
            errors["shared_on"] = [_("Give the date on which it was shared with all participants.")]
        if not self.shared_with_all and self.shared_on:
            errors["shared_with_all"] = [_("Tick this when it was shared with all participants.")]
        if errors:
            raise ValidationError(errors)


# ---- the preparation of the meeting (issue 16, decisions 230-239) --------------------------------------------


class ConferenceQuestion(models.Model):
    """A central question of the meeting, agreed by the family, the case worker and the coordinator. A new text
    is a new version: the agreements given to the old one are cleared (the history keeps them)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="questions")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("question"), max_length=1000)
    family_agreed_by = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed for the family by"),
    )
    family_agreed_on = models.DateField(_("family agreed on"), null=True, blank=True)
    case_worker_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case worker who agreed"),
    )
    case_worker_agreed_on = models.DateField(_("case worker agreed on"), null=True, blank=True)
    coordinator_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator who agreed"),
    )
    coordinator_agreed_on = models.DateField(_("coordinator agreed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("question of the meeting")
        verbose_name_plural = _("questions of the meeting")

    def __str__(self):
        return self.text[:80]

    @property
    def agreed(self) -> bool:
        from .core import question_agreed

        return question_agreed(self.family_agreed_on, self.case_worker_agreed_on, self.coordinator_agreed_on)


class PreparationVisit(models.Model):
    """A visit (or call) of the coordinator to a person of the case in preparing the meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="visits")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("whom"))
    visited_on = models.DateField(_("date"))
    how = models.CharField(_("how"), max_length=10, choices=Presence.choices, default=Presence.IN_PERSON)
    note = models.TextField(_("note"), max_length=TEXT_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "visited_on", "id"]
        verbose_name = _("preparation visit")
        verbose_name_plural = _("preparation visits")


class MeetingLogistics(models.Model):
    """The practical side of one meeting (the venue is the meeting's place), and the plan keeper the family
    chose."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="logistics")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    date_chosen_by_family = models.BooleanField(_("date chosen by the family"), default=False)
    food = models.TextField(_("food and drinks"), max_length=1000, blank=True)
    travel = models.TextField(_("travel arrangements"), max_length=1000, blank=True)
    childcare = models.TextField(_("childcare"), max_length=1000, blank=True)
    budget = models.DecimalField(
        _("budget (EUR)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    plan_keeper = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan keeper"),
        help_text=_("The person the family chose to keep an eye on the plan."),
    )
    plan_keeper_chosen_by = models.CharField(_("plan keeper chosen by"), max_length=200, blank=True)
    plan_keeper_chosen_on = models.DateField(_("plan keeper chosen on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("logistics of a meeting")
        verbose_name_plural = _("logistics of meetings")


class MeetingCost(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="costs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(_("what"), max_length=200)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    paid_by = models.CharField(_("paid by"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("cost of a meeting")
        verbose_name_plural = _("costs of a meeting")


class InterpreterBooking(models.Model):
    """An interpreter booked for one part of a meeting."""

    part = models.ForeignKey(MeetingPart, on_delete=models.CASCADE, related_name="interpreters")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language"), max_length=60)
    how = models.CharField(_("how"), max_length=10, choices=Presence.choices, default=Presence.IN_PERSON)
    arranged_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("arranged by (user)"),
    )
    arranged_by_name = NameField(_("arranged by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["part", "id"]
        verbose_name = _("interpreter booking")
        verbose_name_plural = _("interpreter bookings")

    @property
    def arranged_by(self) -> str:
        return str(self.arranged_by_user or self.arranged_by_name or "")
