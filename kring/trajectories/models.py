"""A method applied to a case: the selector's advice, the trajectory with its phases and clocks, the legal
steps around the family group plan, and the reminders that keep it moving."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kring.accounts.models import Organisation
from kring.cases.models import Case

from .choices import (
    AbandonmentReason,
    ClosureReason,
    DeadlineKind,
    DropGround,
    Exemption,
    FlowEvent,
    OfferedBy,
    ParentsAnswer,
    Status,
)

TEXT_LENGTH = 2000


class DurationOverride(models.Model):
    """An organisation's own default and maximum weeks for one phase of one method."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="duration_overrides")
    method_code = models.CharField(_("method"), max_length=60)
    phase_code = models.CharField(_("phase"), max_length=60)
    default_weeks = models.DecimalField(
        _("default weeks"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0.1), MaxValueValidator(520)]
    )
    max_weeks = models.DecimalField(
        _("maximum weeks"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.1), MaxValueValidator(520)],
    )
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["changed_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "method_code", "phase_code"], name="duration_override_unique"
            ),
        ]
        verbose_name = _("duration override")
        verbose_name_plural = _("duration overrides")

    def clean(self):
        if self.max_weeks is not None and self.default_weeks is not None and self.default_weeks > self.max_weeks:
            raise ValidationError({"default_weeks": _("The default cannot be longer than the maximum.")})


class SelectorRun(models.Model):
    """One use of the method selector on a case: the answers, the ranking it gave, and the choice made."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="selector_runs")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("answers"))
    # The ranking as shown: per method its score, whether excluded, reasons and warnings (both languages).
    suggestion = models.JSONField(_("suggestion"))
    # Method code -> definition version the ranking was computed from.
    method_versions = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    chosen_method = models.CharField(_("method chosen"), max_length=60, blank=True)
    chosen_variant = models.CharField(_("variant"), max_length=60, blank=True)
    choice_reason = models.TextField(
        _("why this choice"),
        max_length=TEXT_LENGTH,
        blank=True,
        help_text=_("Required when the choice differs from the top suggestion."),
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "-created_at"])]
        verbose_name = _("method selection")
        verbose_name_plural = _("method selections")

    @property
    def top_method(self) -> str:
        for item in self.suggestion:
            if not item.get("excluded"):
                return item["method"]
        return self.suggestion[0]["method"] if self.suggestion else ""

    @property
    def differs_from_top(self) -> bool:
        return bool(self.chosen_method) and self.chosen_method != self.top_method


class Trajectory(models.Model):
    """A method applied to a case, following one version of the method's definition."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="trajectories")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Copied from the case so the team's work list reads one table.
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+", verbose_name=_("team"))
    method_code = models.CharField(_("method"), max_length=60)
    method_version = models.CharField(_("method version"), max_length=20)
    variant_code = models.CharField(_("variant"), max_length=60, blank=True)
    # The phases as they were followed (code, names, default and maximum weeks after the organisation's
    # overrides), so a later change of the definition file does not rewrite this trajectory's history.
    phases_followed = models.JSONField(default=list)
    selector_run = models.ForeignKey(SelectorRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OFFERED)
    current_phase = models.CharField(_("current phase"), max_length=60, blank=True)
    offered_on = models.DateField(_("offered on"))
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    meeting_held_on = models.DateField(_("meeting held on"), null=True, blank=True)
    plan_made_on = models.DateField(_("plan made on"), null=True, blank=True)
    abandoned_on = models.DateField(_("abandoned on"), null=True, blank=True)
    abandonment_reason = models.CharField(
        _("reason for abandoning"), max_length=30, choices=AbandonmentReason.choices, blank=True
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("reason for closing"), max_length=30, choices=ClosureReason.choices, blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinated_trajectories",
        null=True,
        blank=True,
        verbose_name=_("coordinator"),
    )
    coordinator_allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    coordinator_allocated_on = models.DateField(null=True, blank=True)
    # Set when the lead allocated the family's own case worker as coordinator after seeing the warning.
    coordinator_is_case_worker = models.BooleanField(default=False)
    # The next date something is due (a phase end, a legal deadline): the work lists and the reminder scan
    # read this one indexed column instead of computing every trajectory's plan.
    next_due_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["created_at", "next_due_on"])

    class Meta:
        ordering = ["-offered_on", "-id"]
        indexes = [
            models.Index(fields=["team", "status", "offered_on"], name="traj_team_status"),
            models.Index(fields=["coordinator", "status"], name="traj_coordinator_status"),
            models.Index(fields=["status", "next_due_on"], name="traj_status_due"),
            # The team work list's order (next due first) among the active ones: a page is read off the index.
            models.Index(
                fields=["team", "next_due_on", "offered_on", "id"],
                name="traj_team_active_due",
                condition=models.Q(
                    status__in=["offered", "accepted", "preparing", "meeting_held", "plan_made", "follow_up"]
                ),
            ),
            models.Index(fields=["case", "-offered_on"], name="traj_case_recent"),
        ]
        verbose_name = _("trajectory")
        verbose_name_plural = _("trajectories")

    def __str__(self):
        return f"{self.method_code} ({self.get_status_display()})"


class TrajectoryPhase(models.Model):
    """One phase of a trajectory, with its planned and actual dates."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="phases")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=60)
    position = models.PositiveSmallIntegerField()
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    latest_end = models.DateField(_("latest end"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["trajectory", "position"]
        constraints = [models.UniqueConstraint(fields=["trajectory", "code"], name="trajectory_phase_unique")]


class TrajectoryEvent(models.Model):
    """Every change of status or phase, who made it and why: the trajectory's own timeline."""

    trajectory = models.ForeignKey(Trajectory, on_delete=models.CASCADE, related_name="events")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)  # status, phase, coordinator
    from_value = models.CharField(max_length=60, blank=True)
    to_value = models.CharField(max_length=60)
    on = models.DateField()
    reason = models.CharField(max_length=30, blank=True)
    note = models.TextField(max_length=TEXT_LENGTH, blank=True)
    # The event of the work that made this change (a meeting held, a plan accepted: FlowEvent); empty when a
    # person took the step by hand, and then ``note`` says why.
    cause = models.CharField(max_length=30, choices=FlowEvent.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class FamilyPlanRight(models.Model):
    """Jeugdwet art. 4.1.2/4.1.3 for a Dutch case: the offer of a family group plan and what followed."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="family_plan_right")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    exemption = models.CharField(_("exemption"), max_length=40, choices=Exemption.choices, blank=True)
    offered_on = models.DateField(_("offered on"), null=True, blank=True)
    offered_by_party = models.CharField(_("offered by"), max_length=30, choices=OfferedBy.choices, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("offered by (person)"),
    )
    reasonable_term_until = models.DateField(_("reasonable term until"), null=True, blank=True)
    support_offered = models.TextField(
        _("support offered"),
        max_length=TEXT_LENGTH,
        blank=True,
        help_text=_("The support offered to draw up the plan, e.g. an independent coordinator."),
    )
    parents_answer = models.CharField(_("parents' answer"), max_length=10, choices=ParentsAnswer.choices, blank=True)
    parents_answered_on = models.DateField(_("answered on"), null=True, blank=True)
    dropped_on = models.DateField(_("offer dropped on"), null=True, blank=True)
    drop_ground = models.CharField(_("ground for dropping"), max_length=30, choices=DropGround.choices, blank=True)
    drop_note = models.TextField(_("explanation"), max_length=TEXT_LENGTH, blank=True)
    family_plan_made_on = models.DateField(_("family group plan made on"), null=True, blank=True)
    professional_plan_adopted_on = models.DateField(_("professional plan adopted on"), null=True, blank=True)
    written_copy_requested_on = models.DateField(_("plan in writing requested on"), null=True, blank=True)
    written_copy_given_on = models.DateField(_("plan in writing given on"), null=True, blank=True)
    next_due_on = models.DateField(null=True, blank=True)  # earliest open legal deadline, for the work lists
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at", "next_due_on"])

    class Meta:
        indexes = [models.Index(fields=["next_due_on"], name="fgp_right_due")]
        verbose_name = _("family group plan (Jeugdwet)")
        verbose_name_plural = _("family group plans (Jeugdwet)")


class StrengthsExploration(models.Model):
    """For a Flemish case: how the family's own strengths were explored, as the access gate asks."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="strengths_exploration")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    explored_on = models.DateField(_("explored on"))
    how_explored = models.TextField(
        _("how the own strengths were explored"),
        max_length=TEXT_LENGTH,
        help_text=_("What was done to find and strengthen the strengths of the child, the parents and their network."),
    )
    strengths_found = models.TextField(_("strengths found"), max_length=TEXT_LENGTH, blank=True)
    methods_used = models.JSONField(_("methods used"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("exploration of own strengths")
        verbose_name_plural = _("explorations of own strengths")


class ReminderSettings(models.Model):
    """How many days ahead an organisation's people are reminded of what is due."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="reminder_settings")
    lead_days = models.JSONField(_("remind this many days before"), default=list)
    email = models.BooleanField(_("also by e-mail"), default=True)

    DEFAULT_LEAD_DAYS = (7, 1)

    def days(self) -> list[int]:
        return sorted({int(d) for d in (self.lead_days or self.DEFAULT_LEAD_DAYS)}, reverse=True)


class Reminder(models.Model):
    """One reminder for one person about one due step; unique so the worker sends it once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="reminders", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    subject = models.CharField(max_length=60)  # what is due: a phase code, a meeting id, a legal deadline
    due_on = models.DateField()
    lead_days = models.SmallIntegerField()  # 0 = on the day; negative = overdue notice
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "case", "kind", "subject", "due_on", "lead_days"], name="reminder_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at", "due_on"], name="reminder_inbox")]
