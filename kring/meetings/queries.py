"""Reads of the meeting stage. Every read starts from the case's visibility query (``get_case``) and logs the
meeting, invitation and person records it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied

from kring.audit.services import Action, case_access, log_access, person_access
from kring.cases import queries as case_queries
from kring.cases.editing import check_can_work_on
from kring.cases.models import CaseTeamMember
from kring.core.errors import NotFound
from kring.trajectories import consents
from kring.trajectories.models import Trajectory

from . import core, services
from .models import Attendance, InterpreterBooking, Invitation, Meeting


@dataclass
class MeetingView:
    """Everything the meeting page, the API and the documents show of one meeting."""

    case: object
    meeting: Meeting
    parts: list
    invitations: list
    contributions: list  # shared with all participants: shown
    unshared: list  # not (yet) shared with everyone: only listed for the professionals, marked as such
    attendees: dict = field(default_factory=dict)  # key -> core.Attendee
    present: dict = field(default_factory=dict)  # part id -> set of keys present, or None if not recorded
    private_checks: list = field(default_factory=list)
    team: list = field(default_factory=list)
    interpreters: dict = field(default_factory=dict)  # part id -> interpreter bookings
    modes: dict = field(default_factory=dict)  # (part id, attendee key) -> how they took part

    @property
    def part_interpreters(self) -> list:
        """(part, its interpreter bookings) for every part, in order."""
        return [(part, self.interpreters.get(part.pk, [])) for part in self.parts]

    @property
    def superseded(self) -> bool:
        """Whether an invitation was made for a time the meeting has since moved from (the re-invite step)."""
        return any(invitation.superseded_at for invitation in self.invitations)

    @property
    def private_time_holds(self) -> bool | None:
        """True when every private part has attendance recorded without professionals; None if none recorded."""
        if not self.private_checks or not any(c.recorded for c in self.private_checks):
            return None
        return all(c.holds for c in self.private_checks)


def meetings_for_case(actor, case_id):
    """(case, trajectories, meetings) of a case the user may see; the meetings are logged as listed."""
    case = case_queries.get_case(actor, case_id, log=False)
    trajectories = list(Trajectory.objects.filter(case=case).select_related("coordinator"))
    meetings = list(
        Meeting.objects.filter(case=case)
        .select_related("trajectory", "organisation")
        .prefetch_related("parts")
        .order_by("-starts_at", "-id")
    )
    log_access(actor, Action.LIST, [case_access(case)] + [services.meeting_access(m) for m in meetings])
    return case, trajectories, meetings


def get_trajectory(actor, case_id, trajectory_id):
    case = case_queries.get_case(actor, case_id)
    trajectory = Trajectory.objects.filter(case=case, pk=trajectory_id).select_related("coordinator").first()
    if trajectory is None:
        raise NotFound()
    return case, trajectory


def _load(case, meeting_id) -> Meeting:
    meeting = (
        Meeting.objects.filter(case=case, pk=meeting_id)
        .select_related("trajectory__coordinator", "organisation", "case")
        .first()
    )
    if meeting is None:
        raise NotFound()
    return meeting


def meeting_to_change(actor, case_id, meeting_id, contribution_id=None):
    """(case, meeting) for a change by this user, checked before the form is read: NotFound for a meeting (or a
    contribution of it) the user may not see, PermissionDenied (the refusal is logged) for one they may not
    change. Nothing else is logged: the service that makes the change logs it."""
    case = case_queries.get_case(actor, case_id, log=False)
    meeting = _load(case, meeting_id)
    if contribution_id is not None and not meeting.contributions.filter(pk=contribution_id).exists():
        raise NotFound()
    try:
        check_can_work_on(actor.user, case, meeting.trajectory, refusal=services.WORK_REFUSAL)
    except PermissionDenied:
        log_access(actor, Action.DENIED, [services.meeting_access(meeting)])
        raise
    return case, meeting


def trajectory_to_change(actor, case_id, trajectory_id):
    """Like ``meeting_to_change``, for a meeting to be planned on a trajectory."""
    case = case_queries.get_case(actor, case_id, log=False)
    trajectory = Trajectory.objects.filter(case=case, pk=trajectory_id).select_related("coordinator").first()
    if trajectory is None:
        raise NotFound()
    try:
        check_can_work_on(actor.user, case, trajectory, refusal=services.WORK_REFUSAL)
    except PermissionDenied:
        log_access(actor, Action.DENIED, [case_access(case)])
        raise
    return case, trajectory


def meeting_view(case, meeting) -> MeetingView:
    parts = list(meeting.parts.all())
    invitations = list(meeting.invitations.select_related("person", "represented_by_person", "invited_by"))
    contributions = list(meeting.contributions.select_related("author_user"))
    team = list(CaseTeamMember.objects.filter(case=case).select_related("user"))
    attendees = services.attendees_of(case, meeting, invitations, team)
    present: dict[Any, set[str] | None] = {p.pk: None for p in parts}  # None: attendance not recorded
    modes = {}
    for row in Attendance.objects.filter(part__meeting=meeting).values(
        "part_id", "invitation_id", "user_id", "present", "mode"
    ):
        keys = present[row["part_id"]]
        if keys is None:
            keys = present[row["part_id"]] = set()
        if row["present"]:
            key = f"i{row['invitation_id']}" if row["invitation_id"] else f"u{row['user_id']}"
            keys.add(key)
            if row["mode"]:
                modes[(row["part_id"], key)] = row["mode"]
    interpreters: dict[Any, list] = {p.pk: [] for p in parts}
    for booking in InterpreterBooking.objects.filter(part__meeting=meeting).select_related("arranged_by_user"):
        interpreters[booking.part_id].append(booking)
    checks = core.check_private_time([p.pk for p in parts if p.private], attendees, present)
    names = {p.pk: p.name for p in parts}
    for check in checks:
        # Read by the meeting page; the pure core knows parts by id only, so the name is set through vars.
        vars(check)["part_name"] = names[check.part_id]
    return MeetingView(
        case=case,
        meeting=meeting,
        parts=parts,
        invitations=invitations,
        contributions=[c for c in contributions if c.shared_with_all],
        unshared=[c for c in contributions if not c.shared_with_all],
        attendees=attendees,
        present=present,
        private_checks=checks,
        team=team,
        interpreters=interpreters,
        modes=modes,
    )


def _log_view(actor, view: MeetingView, action=Action.VIEW):
    case = view.case
    log_access(
        actor,
        action,
        [case_access(case), services.meeting_access(view.meeting)]
        + [services.invitation_access(i) for i in view.invitations]
        + [person_access(i.person) for i in view.invitations],
    )


def meeting_detail(actor, case_id, meeting_id) -> MeetingView:
    """One meeting of a visible case, with its parts, invitations, attendance and information; every
    invitation and person shown is logged."""
    case = case_queries.get_case(actor, case_id, log=False)
    view = meeting_view(case, _load(case, meeting_id))
    _log_view(actor, view)
    return view


def invitation_candidates(actor, case_id, meeting_id):
    """(case, meeting, persons, invited person ids): the case's persons from the map with ``invitability`` and
    ``proposed_role``; every person shown is logged."""
    case = case_queries.get_case(actor, case_id, log=False)
    meeting = _load(case, meeting_id)
    persons = services.map_candidates(case)
    invited = set(meeting.invitations.values_list("person_id", flat=True))
    log_access(
        actor,
        Action.VIEW,
        [case_access(case), services.meeting_access(meeting)] + [person_access(p) for p in persons],
    )
    return case, meeting, persons, invited


def consent_state(meeting) -> dict:
    """For the invitation page: the consents the trajectory's method needs (each with whether it is in force),
    whether the trajectory's first invitation is still to go out, and the timeline event that let it go out without
    them. The meeting was read through the case's visibility query."""
    trajectory = meeting.trajectory
    needs = consents.consent_needs(trajectory)
    return {
        "consent_needs": needs,
        "consent_missing": [need for need in needs if not need.given],
        "first_invitation": not Invitation.objects.filter(meeting__trajectory=trajectory).exists(),
        "invited_without_consent": consents.invited_without_consent(trajectory),
    }


def calendar_export(actor, case_id, meeting_id) -> MeetingView:
    """The meeting for its .ics file; logged as an export of the meeting."""
    case = case_queries.get_case(actor, case_id, log=False)
    view = meeting_view(case, _load(case, meeting_id))
    log_access(actor, Action.EXPORT, [services.meeting_access(view.meeting)])
    return view


def letter_export(actor, case_id, meeting_id, invitation_id, reason=""):
    """(meeting view, invitation) for one invitation letter; the invitation and its person are logged as
    exported. A letter to a person kept from someone invited too needs ``reason`` (``services.letter_guard``,
    decision 201: a ValidationError on "reason" without one)."""
    case = case_queries.get_case(actor, case_id, log=False)
    view = meeting_view(case, _load(case, meeting_id))
    invitation = next((i for i in view.invitations if i.pk == int(invitation_id)), None)
    if invitation is None:
        raise NotFound()
    services.letter_guard(actor, view, invitation, reason)
    log_access(
        actor,
        Action.EXPORT,
        [
            services.meeting_access(view.meeting),
            services.invitation_access(invitation),
            person_access(invitation.person),
        ],
    )
    return view, invitation


# ---- the preparation page (decisions 230-239) ------------------------------------------------------------------


@dataclass
class PreparationView:
    """The coordinator's preparation of one meeting: the question, visits, who comes and who does not, the
    logistics with costs against the budget, the plan keeper and the interpreters."""

    view: MeetingView
    questions: list
    visits: list
    logistics: Any
    costs: list
    budget: core.Budget
    persons: list  # the case's persons, to choose from
    interpreter_needs: list  # persons of the case who need an interpreter
    lacking_interpreter: list  # parts with invitees who need an interpreter and none booked for their language

    @property
    def budget_warning(self) -> str:
        return services.budget_warning(self.budget)

    @property
    def budget_answer(self) -> dict:
        """The costs against the budget as the API gives them."""
        return {
            "total": self.budget.total,
            "budget": self.budget.budget,
            "over": self.budget.over,
            "warning": self.budget_warning,
        }

    @property
    def bookings(self) -> list:
        return [booking for _part, rows in self.view.part_interpreters for booking in rows]

    @property
    def lacking_part_ids(self) -> list:
        return [part.pk for part in self.lacking_interpreter]


def preparation(actor, case_id, meeting_id) -> PreparationView:
    """The preparation of a meeting of a visible case; the meeting, its invitations and every person shown (in
    the lists and the choices) are logged."""
    case = case_queries.get_case(actor, case_id, log=False)
    view = meeting_view(case, _load(case, meeting_id))
    meeting = view.meeting
    persons = list(case.persons.order_by("last_name", "first_name", "pk"))
    needs = [p for p in persons if p.interpreter_needed]
    needing_invitees = [i.person.language for i in view.invitations if i.person.interpreter_needed and i.answer != "no"]
    booked = {part_id: [b.language for b in rows] for part_id, rows in view.interpreters.items()}
    lacking = core.parts_lacking_interpreter([p.pk for p in view.parts], needing_invitees, booked)
    costs = list(meeting.costs.all())
    logistics = services.logistics_of(meeting)
    prepared = PreparationView(
        view=view,
        questions=list(
            meeting.questions.select_related("family_agreed_by", "case_worker_agreed_by", "coordinator_agreed_by")
        ),
        visits=list(meeting.visits.select_related("person")),
        logistics=logistics,
        costs=costs,
        budget=core.budget_of([c.amount for c in costs], logistics.budget),
        persons=persons,
        interpreter_needs=needs,
        lacking_interpreter=[p for p in view.parts if p.pk in lacking],
    )
    log_access(
        actor,
        Action.VIEW,
        [case_access(case), services.meeting_access(meeting)]
        + [services.invitation_access(i) for i in view.invitations]
        + [person_access(p) for p in persons],
    )
    return prepared
