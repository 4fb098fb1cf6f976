"""Value lists of the plan stage."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BottomLineKind(models.TextChoices):
    NON_NEGOTIABLE = "non_negotiable", _("non-negotiable")
    WISH = "wish", _("wish")


class PlanType(models.TextChoices):
    # Mirrors kring.methods.schema.PlanType; a test keeps them equal.
    FAMILY_GROUP_PLAN = "family_group_plan", _("family group plan")
    SAFETY_PLAN = "safety_plan", _("safety plan")
    RESTORATION_PLAN = "restoration_plan", _("restoration plan")
    FUTURE_PLAN = "future_plan", _("future plan")
    ROUND_TABLE_AGREEMENTS = "round_table_agreements", _("round-table agreements")
    ACTION_PLAN = "action_plan", _("action plan")
    CARE_PLAN = "care_plan", _("care plan")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    SENT_BACK = "sent_back", _("sent back")
    ACCEPTED = "accepted", _("accepted")


class DecisionOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    SENT_BACK = "sent_back", _("sent back")


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    NOT_DONE = "not_done", _("not done")
    HELP_NEEDED = "help_needed", _("help needed")
    STOPPED = "stopped", _("stopped")


# Statuses in which an agreement still has to be carried out (and can be overdue).
RUNNING_AGREEMENT = (AgreementStatus.OPEN, AgreementStatus.NOT_DONE, AgreementStatus.HELP_NEEDED)


class ReportOutcome(models.TextChoices):
    DONE = "done", _("done")
    NOT_DONE = "not_done", _("not done")
    HELP_NEEDED = "help_needed", _("I need help")


class AlertReason(models.TextChoices):
    """Why a safety alert was raised."""

    NOT_DONE = "not_done", _("reported not done")
    HELP_NEEDED = "help_needed", _("help asked for")
    OVERDUE = "overdue", _("past its date")


class ReviewKeeping(models.TextChoices):
    """How an agreement was kept, as judged at a review."""

    KEPT = "kept", _("kept")
    PARTLY = "partly", _("partly kept")
    NOT_KEPT = "not_kept", _("not kept")
    STOPPED = "stopped", _("no longer needed")


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("continue with the plan")
    ADJUST = "adjust", _("adjust the plan (new version)")
    NEW_MEETING = "new_meeting", _("a new meeting")
    CLOSE = "close", pgettext_lazy("review decision", "close")


class MapColumn(models.TextChoices):
    """The Signs of Safety map: three columns, each with its analysis categories."""

    HARM = "harm", _("harm")
    COMPLICATING = "complicating", _("complicating factors")
    STRENGTHS = "strengths", _("existing strengths")
    EXISTING_SAFETY = "existing_safety", _("existing safety")
    NEXT_STEPS = "next_steps", _("next steps")


MAP_GROUPS = (
    (_("What are we worried about?"), (MapColumn.HARM, MapColumn.COMPLICATING)),
    (_("What is working well?"), (MapColumn.STRENGTHS, MapColumn.EXISTING_SAFETY)),
    (_("What needs to happen?"), (MapColumn.NEXT_STEPS,)),
)


class ChildTool(models.TextChoices):
    THREE_HOUSES = "three_houses", _("Three Houses")
    WORDS_AND_PICTURES = "words_and_pictures", _("Words and Pictures")
    SAFETY_HOUSE = "safety_house", _("Safety House")
    DRAWING = "drawing", _("drawing")
    OTHER = "other", _("other")


class Assent(models.TextChoices):
    """What the child says to the plan version presented: their assent, not a legal consent."""

    YES = "yes", pgettext_lazy("child's assent", "yes")
    PARTLY = "partly", pgettext_lazy("child's assent", "partly")
    NO = "no", pgettext_lazy("child's assent", "no")


class AdvocateRole(models.TextChoices):
    ADVOCATE = "advocate", _("child advocate")
    TRUSTED_PERSON = "trusted_person", _("trusted person")


class Sharing(models.TextChoices):
    """Who may see an attachment of the child's; wider sharing needs the matching consent."""

    CASE_TEAM = "case_team", _("the case team only")
    FAMILY = "family", _("the case team and the parents")
    NETWORK = "network", _("also the network members with a personal link")


class PlanPart(models.TextChoices):
    """Parts of a plan that may be shared with a network member through their personal link."""

    CONCERNS = "concerns", _("concerns and goals")
    BOTTOM_LINES = "bottom_lines", _("bottom lines")
    IF_WRONG = "if_wrong", _("what happens if it goes wrong")
    REVIEWS = "reviews", _("evaluation moments")
    ALL_AGREEMENTS = "all_agreements", _("everyone's agreements")
