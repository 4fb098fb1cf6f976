"""The lists of the trajectory: its statuses, reasons and the legal grounds, with their labels.

The values come from the pure core (``core/``) so the rules and the labels cannot drift apart; a test keeps
them equal.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OFFERED = "offered", _("offered")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    PREPARING = "preparing", _("preparing")
    MEETING_HELD = "meeting_held", _("meeting held")
    PLAN_MADE = "plan_made", _("plan made")
    ABANDONED = "abandoned", _("abandoned")
    FOLLOW_UP = "follow_up", _("follow-up")
    CLOSED = "closed", _("closed")


class FlowEvent(models.TextChoices):
    """The events of the work that move a trajectory (``core/flow.py``), as the history names them."""

    OFFER_ACCEPTED = "offer_accepted", _("the family accepted the offer")
    COORDINATOR_ALLOCATED = "coordinator_allocated", _("a coordinator was allocated")
    MEETING_SCHEDULED = "meeting_scheduled", _("a meeting was planned")
    MEETING_HELD = "meeting_held", _("the meeting was held")
    PLAN_ACCEPTED = "plan_accepted", _("the plan was accepted")
    REVIEW_HELD = "review_held", _("the plan was reviewed")
    PLAN_CLOSED = "plan_closed", _("a review closed the plan")
    ABANDONED = "abandoned", _("the trajectory was abandoned")
    DECLINED = "declined", _("the family declined the offer")


class AbandonmentReason(models.TextChoices):
    FAMILY_WITHDREW = "family_withdrew", _("the family withdrew")
    NETWORK_TOO_SMALL = "network_too_small", _("the network is too small")
    SAFETY = "safety", _("safety")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent was withdrawn")
    NO_AGREEMENT_ON_PLAN = "no_agreement_on_plan", _("no agreement on a plan")
    COORDINATOR_UNAVAILABLE = "coordinator_unavailable", _("no coordinator available")
    SITUATION_CHANGED = "situation_changed", _("the situation changed")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("referred elsewhere")
    OTHER = "other", _("other")


class ClosureReason(models.TextChoices):
    PLAN_CARRIED_OUT = "plan_carried_out", _("the plan was carried out")
    PLAN_IN_PLACE = "plan_in_place", _("the plan is in place, the network carries on")
    DECLINED = "declined", _("the offer was declined")
    ABANDONED = "abandoned", _("abandoned before a plan")
    NEW_TRAJECTORY = "new_trajectory", _("continued in a new trajectory")
    CASE_CLOSED = "case_closed", _("the case was closed")
    OTHER = "other", _("other")


class ParentsAnswer(models.TextChoices):
    PENDING = "", _("no answer yet")
    ACCEPTED = "accepted", _("the parents accept")
    DECLINED = "declined", _("the parents decline")


class DropGround(models.TextChoices):
    PARENTS_DECLINED = "parents_declined", _("the parents do not wish to use the opportunity")
    CONCRETE_THREAT = "concrete_threat", _("concrete threats to the child's development")
    CHILD_INTERESTS_HARMED = "child_interests_harmed", _("the child's interests are otherwise harmed")


class Exemption(models.TextChoices):
    NONE = "", _("no exemption")
    JUVENILE_PROBATION = "juvenile_probation", _("juvenile probation")
    GUARDIANSHIP = "guardianship_after_authority_ended", _("guardianship after parental authority ended")


class OfferedBy(models.TextChoices):
    PROVIDER = "provider", _("youth care provider")
    CERTIFIED_INSTITUTION = "certified_institution", _("certified institution")
    JUDGE = "judge", _("children's judge")


class DeadlineKind(models.TextChoices):
    PHASE_END = "phase_end", _("phase planned to end")
    PHASE_LATEST = "phase_latest", _("phase at its maximum")
    FAMILY_PLAN_TERM = "family_plan_term", _("reasonable term for the family group plan")
    PROFESSIONAL_PLAN = "professional_plan", _("professional plan (within six weeks)")
    WRITTEN_COPY = "written_copy", _("plan in writing (within fourteen days)")
    MEETING = "meeting", _("meeting")
    AGREEMENT = "agreement", _("agreement due")
    REVIEW = "review", _("plan review")
    SAFETY_ALERT = "safety_alert", _("safety agreement not kept")
