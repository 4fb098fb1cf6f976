"""The case page's "next step": per active trajectory, what its method expects next, and the consents it needs.

Registered as a section of the case page (``kring.cases.sections``, place "status") by this app, the last stage
that knows every record a step depends on (the trajectory and its phase, the coordinator, the consents, the
meetings and invitations, the bottom lines, the plan and its reviews). ``step_for`` is the rule, on plain facts;
``case_steps`` gathers the facts in a fixed number of queries per active trajectory.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kring.meetings.choices import MeetingStatus
from kring.meetings.models import Invitation, Meeting
from kring.methods.catalogue import catalogue
from kring.methods.templatetags.method_names import method_name
from kring.trajectories import consents
from kring.trajectories.choices import Status
from kring.trajectories.due_phases import phase_name
from kring.trajectories.models import Trajectory

from .choices import PlanStatus
from .models import BottomLine, Plan, Review

BOTTOM_LINES = "bottom_lines"  # the artefact a method's phase names when it asks for bottom lines


@dataclass
class Facts:
    """What is on file for one trajectory, as far as its next step depends on it."""

    status: str
    needs_coordinator: bool = False
    has_coordinator: bool = False
    needs_bottom_lines: bool = False
    bottom_lines: int = 0
    missing_consents: list[str] = field(default_factory=list)
    invited_without_consent: bool = False
    invited: bool = False
    next_meeting: datetime.datetime | None = None
    meeting_to_record: bool = False  # a planned meeting whose start has passed
    meeting_held: bool = False
    plan_status: str = ""
    next_review: datetime.date | None = None


@dataclass(frozen=True)
class Step:
    text: str
    link: str = ""  # the URL name of the page where the step is taken ("" = no page)


def step_for(facts: Facts) -> Step:
    """The one thing the method expects next, from the trajectory's status and what is on file."""
    if facts.status == Status.OFFERED:
        return Step(_("The offer awaits the family's answer: record it on the trajectory."), "trajectory")
    if facts.status in (Status.ACCEPTED, Status.PREPARING):
        return _preparation_step(facts)
    if facts.status == Status.MEETING_HELD:
        return _plan_step(facts)
    if facts.status in (Status.PLAN_MADE, Status.FOLLOW_UP):
        if facts.plan_status in (PlanStatus.DRAFT, PlanStatus.SENT_BACK, PlanStatus.SUBMITTED):
            return _plan_step(facts)
        if facts.next_review:
            day = date_format(facts.next_review, "SHORT_DATE_FORMAT")
            return Step(_("Follow the plan; the next review is on %(day)s.") % {"day": day}, "plan")
        return Step(_("Follow the plan and plan its review."), "plan")
    return Step("")


def _preparation_step(facts: Facts) -> Step:
    if facts.needs_coordinator and not facts.has_coordinator:
        return Step(_("Allocate a coordinator (the team lead does this)."), "trajectory")
    if facts.meeting_held:
        return _plan_step(facts)
    if facts.needs_bottom_lines and not facts.bottom_lines:
        return Step(_("Set the bottom lines the plan must meet."), "plan")
    if facts.next_meeting is None and not facts.meeting_to_record:
        return Step(_("Plan the meeting."), "meetings")
    if facts.missing_consents and not facts.invited and not facts.invited_without_consent:
        return Step(
            _("Record the family's consent before the first invitation: %(missing)s.")
            % {"missing": ", ".join(facts.missing_consents)},
            "consent",
        )
    if not facts.invited:
        return Step(_("Invite the network from the map."), "meetings")
    if facts.meeting_to_record:
        return Step(_("Record who took part in the meeting, part by part."), "meetings")
    day = date_format(timezone.localtime(facts.next_meeting), "SHORT_DATE_FORMAT") if facts.next_meeting else ""
    return Step(_("Prepare the meeting of %(day)s with the family and the network.") % {"day": day}, "meetings")


def _plan_step(facts: Facts) -> Step:
    if not facts.plan_status:
        return Step(_("Write down the plan as the family presented it."), "plan")
    if facts.plan_status == PlanStatus.DRAFT:
        return Step(_("Complete the plan and submit it for a decision."), "plan")
    if facts.plan_status == PlanStatus.SENT_BACK:
        return Step(_("The plan was sent back: adjust it with the family and submit it again."), "plan")
    if facts.plan_status == PlanStatus.SUBMITTED:
        return Step(_("The plan awaits the decision of the case worker."), "plan")
    return Step(_("Follow the plan and plan its review."), "plan")


ACTIVE = (
    Status.OFFERED,
    Status.ACCEPTED,
    Status.PREPARING,
    Status.MEETING_HELD,
    Status.PLAN_MADE,
    Status.FOLLOW_UP,
)


def _facts(trajectory, in_force: dict[str, list[str]], now: datetime.datetime) -> tuple[Facts, list]:
    definition = catalogue().get(trajectory.method_code)
    needs = consents.consent_needs(trajectory, in_force)
    meetings = list(Meeting.objects.filter(trajectory=trajectory).exclude(status=MeetingStatus.CANCELLED))
    planned = [m for m in meetings if m.status == MeetingStatus.PLANNED]
    plan = Plan.objects.filter(trajectory=trajectory).only("pk", "status").first()
    review = None
    if plan is not None:
        review = Review.objects.filter(plan=plan, held_on__isnull=True).order_by("planned_on").first()
    facts = Facts(
        status=trajectory.status,
        needs_coordinator=bool(definition and definition.leader == "independent_coordinator"),
        has_coordinator=trajectory.coordinator_id is not None,
        needs_bottom_lines=bool(definition and any(BOTTOM_LINES in p.artefacts for p in definition.phases)),
        bottom_lines=BottomLine.objects.filter(trajectory=trajectory, withdrawn_on__isnull=True).count(),
        missing_consents=[need.text for need in needs if not need.given],
        invited_without_consent=consents.invited_without_consent(trajectory) is not None,
        invited=Invitation.objects.filter(meeting__trajectory=trajectory).exists(),
        next_meeting=min((m.starts_at for m in planned if m.starts_at >= now), default=None),
        meeting_to_record=any(m.starts_at < now for m in planned),
        meeting_held=any(m.status == MeetingStatus.HELD for m in meetings),
        plan_status=plan.status if plan is not None else "",
        next_review=review.planned_on if review is not None else None,
    )
    return facts, needs


def _link(step: Step, case, trajectory, needs) -> str:
    if step.link == "trajectory":
        return reverse("trajectories:detail", args=[case.pk, trajectory.pk])
    if step.link == "plan":
        return reverse("plans:plan", args=[case.pk, trajectory.pk])
    if step.link == "meetings":
        return reverse("meetings:list", args=[case.pk])
    if step.link == "consent":
        missing = "&".join(f"purpose={need.purpose}" for need in needs if not need.given)
        return reverse("cases:consent_add", args=[case.pk]) + "?" + missing
    return ""


def case_steps(case) -> list[dict]:
    """For each active trajectory of a case the page already read: the method, the current phase, the next step
    with its page, and the consents the method needs."""
    trajectories = list(Trajectory.objects.filter(case=case, status__in=ACTIVE).order_by("-offered_on", "-id"))
    if not trajectories:
        return []
    in_force = consents.consent_gaps(case.pk)
    now = timezone.now()
    rows = []
    for trajectory in trajectories:
        facts, needs = _facts(trajectory, in_force, now)
        step = step_for(facts)
        rows.append(
            {
                "trajectory": trajectory,
                "method": method_name(trajectory.method_code),
                "phase": phase_name(trajectory.phases_followed, trajectory.current_phase)
                if trajectory.current_phase
                else "",
                "step": step.text,
                "link": _link(step, case, trajectory, needs),
                "consent_needs": needs,
                "consent_missing": [need for need in needs if not need.given],
                "first_invitation": not facts.invited,
                "invited_without_consent": consents.invited_without_consent(trajectory) if needs else None,
            }
        )
    return rows


def case_section_context(request, case) -> dict:
    return {"case_steps": case_steps(case)}
