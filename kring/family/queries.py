"""Reads of the family's side: what a parent or young person sees through their link (need-to-know: no confidential
address, nobody they are kept from, nobody marked unsafe, first names only), and what the case team sees of it.
Every record shown is logged, for a link holder with the link's number in the entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases import confidentiality
from kring.cases.models import Person
from kring.cases.queries import visible_cases
from kring.core.actor import Actor
from kring.core.errors import NotFound
from kring.meetings.choices import Answer, MeetingStatus
from kring.meetings.models import ConferenceQuestion, Invitation, Meeting
from kring.meetings.services import invitation_access, meeting_access
from kring.network import unsafe
from kring.plans.choices import AgreementStatus
from kring.plans.editing import agreement_access, bottom_line_access, plan_access
from kring.plans.models import Plan
from kring.plans.services import lines_in_force
from kring.trajectories.models import Trajectory

from . import core, services
from .models import FamilyLink, FamilyView, InviteeProposal, PlanAgreementSignature, PlanDelivery, SharingChoice
from .services import (
    delivery_access,
    link_access,
    proposal_access,
    sharing_access,
    signature_access,
    view_access,
)

# ---- the link holder's page ----------------------------------------------------------------------------------


@dataclass
class Invitee:
    first_name: str
    role: str
    accepted: bool


@dataclass
class FamilyPage:
    link: FamilyLink
    meeting: Meeting | None = None
    place: str = ""
    invitees: list = field(default_factory=list)
    questions: list = field(default_factory=list)
    bottom_lines: list = field(default_factory=list)
    plan: Plan | None = None
    agreements: list = field(default_factory=list)  # (agreement, owner's first name or "")
    digest: str = ""
    signed: PlanAgreementSignature | None = None  # the holder's agreement to the current version
    signed_before: bool = False  # agreed to an earlier version only
    may_agree: bool = False
    state: core.FamilyAgreementState | None = None
    proposals: list = field(default_factory=list)
    view: FamilyView | None = None
    choices: list = field(default_factory=list)


def _meeting_of(trajectory) -> Meeting | None:
    """The meeting the family prepares: the next planned one, else the latest held."""
    meetings = Meeting.objects.filter(trajectory=trajectory).exclude(status=MeetingStatus.CANCELLED)
    planned = meetings.filter(status=MeetingStatus.PLANNED).order_by("starts_at", "id").first()
    return planned or meetings.order_by("-starts_at", "-id").first()


def hidden_from(link) -> set[int]:
    """The persons a link's page does not name: those its holder is kept from, and those marked unsafe."""
    case = link.case
    ids = list(Person.objects.filter(case=case).values_list("pk", flat=True))
    return confidentiality.kept_from(case, link.person) | unsafe.unsafe_ids(ids)


def family_page(link: FamilyLink, actor: Actor) -> FamilyPage:
    """What the link's holder sees, every record of it logged once."""
    page = FamilyPage(link=link)
    trajectory = link.trajectory
    hidden = hidden_from(link)
    accesses = [link_access(link)]
    page.meeting = _meeting_of(trajectory)
    if page.meeting is not None:
        meeting = page.meeting
        page.place = confidentiality.safe_place(link.case, meeting.place, link.person)
        invitations = (
            Invitation.objects.filter(meeting=meeting, superseded_at__isnull=True)
            .exclude(person_id__in=hidden)
            .select_related("person")
            .order_by("person__first_name", "id")
        )
        page.invitees = [
            Invitee(i.person.first_name, i.get_role_display(), i.answer == Answer.YES) for i in invitations
        ]
        page.questions = list(ConferenceQuestion.objects.filter(meeting=meeting))
        accesses += [meeting_access(meeting)] + [invitation_access(i) for i in invitations]
        accesses += [Access("conference_question", q.pk, q.case_id, q.organisation_id) for q in page.questions]
    page.bottom_lines = list(lines_in_force(trajectory.pk))
    accesses += [bottom_line_access(line) for line in page.bottom_lines]
    plan = Plan.objects.filter(trajectory=trajectory).select_related("trajectory", "case").first()
    if plan is not None:
        page.plan = plan
        agreements = list(
            plan.agreements.exclude(status=AgreementStatus.STOPPED).select_related("owner_person", "backup_person")
        )
        page.agreements = [
            (a, a.owner_person.first_name if a.owner_person is not None and a.owner_person_id not in hidden else "")
            for a in agreements
        ]
        page.digest = services.current_digest(plan)
        page.state = services.agreement_state(plan)
        mine = list(PlanAgreementSignature.objects.filter(plan=plan, person=link.person))
        page.signed = next((s for s in mine if s.digest == page.digest), None)
        page.signed_before = page.signed is None and bool(mine)
        page.may_agree = plan.presented_on is not None and link.person_id in services.entitled_to_agree(plan)
        accesses += [plan_access(plan)] + [agreement_access(a) for a in agreements]
        accesses += [signature_access(s) for s in mine]
        if plan.presented_on is not None:
            services.delivered_via_link(link, plan, page.digest, actor)
    page.proposals = list(InviteeProposal.objects.filter(trajectory=trajectory, proposed_by=link.person))
    page.view = FamilyView.objects.filter(trajectory=trajectory, person=link.person).first()
    page.choices = list(
        SharingChoice.objects.filter(trajectory=trajectory, chosen_by=link.person).select_related("with_person")
    )
    accesses += [proposal_access(p) for p in page.proposals] + [sharing_access(c) for c in page.choices]
    if page.view is not None:
        accesses.append(view_access(page.view))
    log_access(actor, Action.VIEW, accesses, detail=f"via family link {link.pk}")
    return page


# ---- the case team's page ------------------------------------------------------------------------------------


@dataclass
class TeamView:
    case: object
    trajectory: Trajectory
    links: list
    proposals: list
    views: list
    choices: list
    plan: Plan | None = None
    digest: str = ""
    state: core.FamilyAgreementState | None = None
    signatures: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    persons: dict = field(default_factory=dict)
    eligible: list = field(default_factory=list)
    entitled: list = field(default_factory=list)


def trajectory_of(actor, case_id, trajectory_id):
    case = visible_cases(actor.user).select_related("organisation").filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    try:
        trajectory = Trajectory.objects.filter(case=case, pk=int(trajectory_id)).first()
    except (TypeError, ValueError):
        trajectory = None
    if trajectory is None:
        raise NotFound()
    return case, trajectory


def team_view(actor, case_id, trajectory_id) -> TeamView:
    """Everything the family said and agreed for one trajectory, for its case team; all of it logged as listed."""
    case, trajectory = trajectory_of(actor, case_id, trajectory_id)
    view = TeamView(
        case=case,
        trajectory=trajectory,
        links=list(FamilyLink.objects.filter(trajectory=trajectory).select_related("person")),
        proposals=list(InviteeProposal.objects.filter(trajectory=trajectory).select_related("proposed_by", "person")),
        views=list(FamilyView.objects.filter(trajectory=trajectory).select_related("person")),
        choices=list(SharingChoice.objects.filter(trajectory=trajectory).select_related("chosen_by", "with_person")),
    )
    persons = {p.pk: p for p in Person.objects.filter(case=case)}
    view.persons = persons
    family = services.family_of(case)
    view.eligible = [persons[pk] for pk in sorted(family.parents | family.young_persons) if pk in persons]
    accesses = [link_access(link) for link in view.links] + [proposal_access(p) for p in view.proposals]
    accesses += [view_access(v) for v in view.views] + [sharing_access(c) for c in view.choices]
    plan = Plan.objects.filter(trajectory=trajectory).select_related("trajectory", "case", "organisation").first()
    if plan is not None:
        view.plan = plan
        view.digest = services.current_digest(plan)
        view.state = services.agreement_state(plan)
        view.signatures = list(
            PlanAgreementSignature.objects.filter(plan=plan).select_related("person", "document", "recorded_by")
        )
        view.deliveries = list(PlanDelivery.objects.filter(plan=plan).select_related("person", "by"))
        view.entitled = [persons[pk] for pk in sorted(services.entitled_to_agree(plan)) if pk in persons]
        accesses += [plan_access(plan)] + [signature_access(s) for s in view.signatures]
        accesses += [delivery_access(d) for d in view.deliveries]
    accesses += [person_access(p) for p in persons.values()]
    log_access(actor, Action.LIST, accesses)
    return view


def plan_agreement(plan, actor) -> dict:
    """The family's agreement to a plan, for the plan page and the plan PDF: the rule, each signature with its
    digest and whether it matches the current version, and whether the plan is agreed by the family. A constant
    number of queries whatever the plan's size."""
    if services.method_rule(plan.trajectory) == core.NOBODY:
        return {"rule": core.NOBODY}
    digest = services.current_digest(plan)
    signatures = list(PlanAgreementSignature.objects.filter(plan=plan).select_related("person"))
    state = services.agreement_state(plan, digest, signatures)
    if signatures and actor is not None:
        log_access(actor, Action.VIEW, [signature_access(s) for s in signatures])
    missing = Person.objects.filter(pk__in=state.missing) if state.missing else []
    return {
        "rule": state.rule,
        "rule_words": services.rule_words(state.rule),
        "agreed": state.met,
        "digest": digest,
        "signatures": [{"signature": s, "current": s.digest == digest} for s in signatures],
        "missing": sorted(missing, key=lambda p: p.full_name),
    }
