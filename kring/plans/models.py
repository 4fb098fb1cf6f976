"""The plan stage: the bottom lines a professional sets, the family's plan and its agreements, the decision on
the plan, personal links for network members, follow-up reviews, and the Signs of Safety records.

Every table carries the case and organisation ids (tenants stay apart; the access log names the case).
Records people edit at the same time carry a ``version`` and a field history, so a stale save is refused."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kring.accounts.models import Organisation
from kring.cases.models import Case, Person
from kring.core.names import NameField
from kring.meetings.models import Meeting
from kring.trajectories.models import Trajectory

from .choices import (
    RUNNING_AGREEMENT,
    AdvocateRole,
    AgreementStatus,
    AlertReason,
    Assent,
    BottomLineKind,
    ChildTool,
    DecisionOutcome,
    MapColumn,
    PlanStatus,
    PlanType,
    ReportOutcome,
    ReviewDecision,
    ReviewKeeping,
    Sharing,
)

TEXT_LENGTH = 4000
SHORT_TEXT = 300


class CaseScoped(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class BottomLine(CaseScoped):
    """A condition any plan of this trajectory must meet, set by the case worker before the meeting."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="bottom_lines")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.TextField(_("bottom line"), max_length=TEXT_LENGTH)
    reason = models.TextField(_("why"), max_length=TEXT_LENGTH)
    legal_basis = models.CharField(_("legal basis"), max_length=SHORT_TEXT, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=BottomLineKind.choices, default=BottomLineKind.NON_NEGOTIABLE
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )
    set_on = models.DateField(_("set on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("why withdrawn"), max_length=SHORT_TEXT, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["trajectory", "order", "id"]
        verbose_name = _("bottom line")
        verbose_name_plural = _("bottom lines")

    def __str__(self):
        return self.text[:80]

    @property
    def is_non_negotiable(self) -> bool:
        return self.kind == BottomLineKind.NON_NEGOTIABLE


class Plan(CaseScoped):
    """The plan of one trajectory, in the family's own words. ``edition`` counts the formal versions: a review
    that adjusts the plan starts the next edition from the accepted one."""

    trajectory = models.OneToOneField(Trajectory, on_delete=models.CASCADE, related_name="plan")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made at the meeting"),
    )
    plan_type = models.CharField(_("kind of plan"), max_length=30, choices=PlanType.choices)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    edition = models.PositiveSmallIntegerField(_("plan version"), default=1)
    concerns = models.TextField(
        _("concerns and goals"), max_length=TEXT_LENGTH, blank=True, help_text=_("In the family's own words.")
    )
    if_it_goes_wrong = models.TextField(_("what happens if it goes wrong"), max_length=TEXT_LENGTH, blank=True)
    child_view = models.TextField(_("the child's view"), max_length=TEXT_LENGTH, blank=True)
    # Whom a network member calls at once when the plan does not hold (the link page shows it, with 112).
    emergency_contact_name = NameField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact's phone"), max_length=40, blank=True)
    presented_on = models.DateField(_("presented on"), null=True, blank=True)
    # Private family time: nothing is kept unless the family chooses so (then it says who chose).
    deliberation_kept = models.BooleanField(_("the family chose to keep notes of its private time"), default=False)
    deliberation_notes = models.TextField(_("notes the family chose to keep"), max_length=TEXT_LENGTH, blank=True)
    deliberation_chosen_by = models.CharField(_("who in the family chose this"), max_length=SHORT_TEXT, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    # The notes of private time stay out of the history: when the family takes its choice back, they are gone.
    history = HistoricalRecords(excluded_fields=["created_at", "deliberation_notes"])

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return f"{self.get_plan_type_display()} ({self.edition})"


class Agreement(CaseScoped):
    """One commitment of the plan: what, who carries it out, when, how often, who stands in, who checks."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="agreements")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    what = models.TextField(_("what"), max_length=TEXT_LENGTH)
    owner_person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who (from the network)"),
    )
    owner_professional = NameField(_("who (professional)"), max_length=200, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    frequency = models.CharField(_("how often"), max_length=200, blank=True)
    backup_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("backup person")
    )
    checker_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who checks (from the network)"),
    )
    checker_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who checks (professional)"),
    )
    due_on = models.DateField(_("to be done by"), null=True, blank=True)
    is_safety = models.BooleanField(
        _("safety agreement"), default=False, help_text=_("Overdue or not done: the case worker is alerted at once.")
    )
    bottom_lines = models.ManyToManyField(
        BottomLine, blank=True, related_name="agreements", verbose_name=_("answers the bottom lines")
    )
    status = models.CharField(_("status"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.OPEN)
    # True while the plan's current edition is accepted: only agreements in force are reminded and scanned.
    in_force = models.BooleanField(default=False, editable=False)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    # Why a person marked unsafe on the network map carries, stands in for or checks this agreement.
    unsafe_reason = models.CharField(_("why despite the network map"), max_length=500, blank=True)
    last_reported_on = models.DateField(_("last reported on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]
        indexes = [
            # The overdue scan reads running agreements in force by due date, across a region.
            models.Index(
                fields=["due_on", "organisation"],
                name="agreement_running_due",
                condition=Q(in_force=True, status__in=[s.value for s in RUNNING_AGREEMENT]),
            ),
            models.Index(fields=["owner_person"], name="agreement_owner"),
        ]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return self.what[:80]

    @property
    def owner(self) -> str:
        return str(self.owner_person or self.owner_professional or "")

    @property
    def checker(self) -> str:
        return str(self.checker_person or self.checker_user or "")


class PlanDecision(CaseScoped):
    """The case worker's decision on one edition of the plan, with the check against each bottom line and a
    copy of the plan as it was decided on."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="decisions")
    edition = models.PositiveSmallIntegerField(_("plan version"))
    outcome = models.CharField(_("decision"), max_length=12, choices=DecisionOutcome.choices)
    reason = models.TextField(_("why"), max_length=TEXT_LENGTH)
    formal_basis = models.CharField(_("formal status"), max_length=SHORT_TEXT, blank=True)
    snapshot = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["plan", "-decided_at", "-id"]
        verbose_name = _("decision on the plan")
        verbose_name_plural = _("decisions on the plan")


class BottomLineCheck(models.Model):
    decision = models.ForeignKey(PlanDecision, on_delete=models.CASCADE, related_name="checks")
    bottom_line = models.ForeignKey(BottomLine, on_delete=models.PROTECT, related_name="checks")
    bottom_line_version = models.PositiveIntegerField()
    met = models.BooleanField(_("met"))
    explanation = models.TextField(_("why"), max_length=TEXT_LENGTH)

    class Meta:
        ordering = ["decision", "bottom_line__order", "bottom_line_id"]
        constraints = [models.UniqueConstraint(fields=["decision", "bottom_line"], name="check_once_per_line")]


class PersonalLink(CaseScoped):
    """A network member's own way in, without an account: only a digest of the secret is stored."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("for"))
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    shared_parts = models.JSONField(_("plan parts shared"), default=list, blank=True)
    expires_on = models.DateField(_("valid until"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Why the link is for, or shares a part naming, a person marked unsafe on the network map.
    unsafe_reason = models.CharField(_("why despite the network map"), max_length=500, blank=True)

    class Meta:
        ordering = ["plan", "-created_at", "-id"]
        verbose_name = _("personal link")
        verbose_name_plural = _("personal links")


class AgreementReport(CaseScoped):
    """A report back on an agreement, by its owner through their link or recorded by a professional."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reports")
    outcome = models.CharField(_("how did it go"), max_length=12, choices=ReportOutcome.choices)
    note = models.TextField(_("note"), max_length=TEXT_LENGTH, blank=True)
    link = models.ForeignKey(PersonalLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["agreement", "-reported_at", "-id"]
        verbose_name = _("report on an agreement")
        verbose_name_plural = _("reports on agreements")

    @property
    def reporter(self) -> str:
        if self.link_id:
            return str(self.link.person)
        return str(self.reported_by or "")


class Review(CaseScoped):
    """A follow-up moment: planned from the method's definition, held with a status per agreement."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    code = models.CharField(_("kind of review"), max_length=60)
    name = models.CharField(_("review"), max_length=200)
    planned_on = models.DateField(_("planned on"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by"),
    )
    plan_edition = models.PositiveSmallIntegerField(_("plan version"), default=1)
    decision = models.CharField(_("decision"), max_length=12, choices=ReviewDecision.choices, blank=True)
    note = models.TextField(_("note"), max_length=TEXT_LENGTH, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "planned_on", "id"]
        indexes = [models.Index(fields=["planned_on"], condition=Q(held_on__isnull=True), name="review_open_planned")]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return self.name


class ReviewItem(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="review_items")
    keeping = models.CharField(_("kept?"), max_length=12, choices=ReviewKeeping.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["review", "agreement__order", "agreement_id"]
        constraints = [models.UniqueConstraint(fields=["review", "agreement"], name="review_item_once")]


class SafetyAlert(CaseScoped):
    """A safety agreement reported not done (or needing help) or past its date: shown on the case page, the
    caseload and in the header until someone of the case team acknowledges it with the action taken; escalated
    to the team lead when nobody did within the organisation's time. ``key`` makes each alert once."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="safety_alerts")
    reason = models.CharField(_("why"), max_length=12, choices=AlertReason.choices)
    report = models.ForeignKey(
        AgreementReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="safety_alerts"
    )
    due_on = models.DateField(_("was due on"), null=True, blank=True)
    key = models.CharField(max_length=80, unique=True, editable=False)
    raised_at = models.DateTimeField(_("raised at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action_taken = models.TextField(_("action taken"), max_length=TEXT_LENGTH, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the team lead at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            # The banners read the open alerts of a case (or of the user's cases).
            models.Index(fields=["case"], condition=Q(acknowledged_at__isnull=True), name="safety_alert_open"),
            # The escalation scan reads the open alerts not yet escalated, oldest first.
            models.Index(
                fields=["raised_at"],
                condition=Q(acknowledged_at__isnull=True, escalated_at__isnull=True),
                name="safety_alert_to_escalate",
            ),
        ]
        verbose_name = _("safety alert")
        verbose_name_plural = _("safety alerts")


class SafetyAlertSettings(models.Model):
    """Per organisation: after how many hours an unacknowledged safety alert goes to the team lead."""

    DEFAULT_HOURS = 24

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate to the team lead after (hours)"),
        default=DEFAULT_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )

    class Meta:
        verbose_name = _("safety alert settings")
        verbose_name_plural = _("safety alert settings")


# ---- Signs of Safety ---------------------------------------------------------------------------------------


class SafetyMapEntry(CaseScoped):
    """One line in the three-column map."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="map_entries")
    column = models.CharField(_("category"), max_length=20, choices=MapColumn.choices)
    text = models.TextField(_("text"), max_length=TEXT_LENGTH)
    who_agrees = models.CharField(_("who agrees"), max_length=SHORT_TEXT, blank=True)
    who_disagrees = models.CharField(_("who does not agree"), max_length=SHORT_TEXT, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "column", "id"]
        verbose_name = _("entry on the safety map")
        verbose_name_plural = _("entries on the safety map")


class DangerStatement(CaseScoped):
    """A danger statement, always paired with its safety goal."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="danger_statements")
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    statement = models.TextField(_("danger statement"), max_length=TEXT_LENGTH)
    safety_goal = models.TextField(_("safety goal"), max_length=TEXT_LENGTH)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("danger statement")
        verbose_name_plural = _("danger statements")


class SafetyScaleRating(CaseScoped):
    """Where one person puts the safety on 0 (the children cannot live at home) to 10 (safe enough to close)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="ratings")
    rated_on = models.DateField(_("date"))
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person (family or network)"),
    )
    rater_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("professional"),
    )
    score = models.PositiveSmallIntegerField(
        _("score (0-10)"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    review = models.ForeignKey(Review, on_delete=models.SET_NULL, null=True, blank=True, related_name="ratings")
    note = models.CharField(_("note"), max_length=1000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "rated_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=10), name="rating_score_0_10"),
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, rater_user__isnull=True) | Q(person__isnull=True, rater_user__isnull=False)
                ),
                name="rating_person_or_professional",
            ),
        ]
        verbose_name = _("safety scale rating")
        verbose_name_plural = _("safety scale ratings")

    @property
    def rater(self) -> str:
        return str(self.person or self.rater_user or "")


class SafetyNetworkMember(CaseScoped):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="safety_network")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    role = models.CharField(_("role in the safety network"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="safety_network_once")]
        verbose_name = _("safety network member")
        verbose_name_plural = _("safety network")


class ChildToolAttachment(CaseScoped):
    """A child's own tool (Three Houses, Words and Pictures) kept with the plan. The file lives in the database
    so it is saved, or not, in the same transaction as its record."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="attachments")
    tool = models.CharField(_("tool"), max_length=30, choices=ChildTool.choices)
    title = models.CharField(_("title"), max_length=200)
    child = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("child")
    )
    sharing = models.CharField(_("shared with"), max_length=12, choices=Sharing.choices, default=Sharing.CASE_TEAM)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-uploaded_at", "-id"]
        verbose_name = _("child's tool")
        verbose_name_plural = _("child's tools")


# ---- the child's voice, on a plan of any method ---------------------------------------------------------------


class ChildWish(CaseScoped):
    """One wish of a child for the plan, in the child's words, in the child's own order."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="child_wishes")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("child"))
    text = models.TextField(_("wish"), max_length=1000)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    sharing = models.CharField(_("shared with"), max_length=12, choices=Sharing.choices, default=Sharing.CASE_TEAM)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "child", "order", "id"]
        verbose_name = _("child's wish")
        verbose_name_plural = _("child's wishes")

    def __str__(self):
        return self.text[:80]


class ChildAssent(CaseScoped):
    """What a child said to one version (edition) of the plan, in their own words, and how they were heard. Once
    per child and edition: a new edition asks again."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="child_assents")
    edition = models.PositiveSmallIntegerField(_("plan version"))
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("child"))
    assent = models.CharField(_("does the child agree"), max_length=8, choices=Assent.choices)
    in_own_words = models.TextField(_("in the child's own words"), max_length=TEXT_LENGTH)
    heard_by = models.CharField(_("how heard, and by whom"), max_length=SHORT_TEXT)
    heard_on = models.DateField(_("heard on"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "-edition", "child", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "edition", "child"], name="child_assent_once_per_edition")
        ]
        verbose_name = _("child's assent")
        verbose_name_plural = _("children's assent")


class ChildAdvocate(CaseScoped):
    """A child advocate or trusted person at the child's side: a person of the case, or someone named."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("child"))
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person of the case")
    )
    name = NameField(_("or their name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=AdvocateRole.choices)
    since = models.DateField(_("since"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "child", "-since", "-id"]
        verbose_name = _("child advocate or trusted person")
        verbose_name_plural = _("child advocates and trusted persons")

    @property
    def who(self) -> str:
        return self.person.full_name if self.person_id else self.name


class ChildVoiceSettings(models.Model):
    """Per organisation: under which age a child invited to a meeting gets a child advocate or trusted person."""

    DEFAULT_AGE = 12

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    advocate_under_age = models.PositiveSmallIntegerField(
        _("a child advocate or trusted person for children under (years)"),
        default=DEFAULT_AGE,
        validators=[MinValueValidator(1), MaxValueValidator(18)],
    )

    class Meta:
        verbose_name = _("child's voice settings")
        verbose_name_plural = _("child's voice settings")


class MemberReminder(models.Model):
    """A reminder e-mailed to a network member before their agreement is due; unique so it is sent once."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="member_reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    lead_days = models.SmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "person", "due_on", "lead_days"], name="member_reminder_once")
        ]
