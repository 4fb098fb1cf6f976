"""The child's voice: the reads, for the page "Stem van het kind" of a plan of any method, its forms and the
prompts for a child advocate. They start from the case's visibility query (``get_trajectory``) and log every
record and person they show."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from kring.audit.services import Action, case_access, log_access, person_access
from kring.cases import queries as case_queries
from kring.cases.models import Person
from kring.cases.services import has_consent
from kring.core.errors import NotFound
from kring.meetings.choices import InvitationRole, MeetingStatus
from kring.meetings.models import Invitation

from ..core import ADULT_AGE, age_in_years, child_band, needs_advocate
from ..editing import child_tool_access, plan_access
from ..models import ChildAdvocate, ChildToolAttachment, ChildVoiceSettings, Plan
from ..queries import get_trajectory
from ..safety.services import SHARING_CONSENT
from .services import advocate_access, advocate_age, assent_access, wish_access


@dataclass
class ChildRow:
    person: Person
    age: int | None
    band: str


@dataclass
class ToolRow:
    attachment: ChildToolAttachment
    consent_in_force: bool  # False: shared more widely than the consent in force allows today


@dataclass
class VoicePage:
    case: object
    trajectory: object
    plan: Plan | None
    children: list = field(default_factory=list)  # ChildRow
    tools: list = field(default_factory=list)  # ToolRow
    wishes: list = field(default_factory=list)
    assents: list = field(default_factory=list)
    advocates: list = field(default_factory=list)
    prompts: list = field(default_factory=list)  # Prompt: invited, under the organisation's age, no advocate
    under_age: int = 12

    @property
    def assents_now(self) -> list:
        """What the children said to the plan's current version."""
        return [a for a in self.assents if self.plan and a.edition == self.plan.edition]


def children_of(case) -> list[ChildRow]:
    """The children of a case: under 18 by their birth date, or invited as a child without one (the caller logs
    them)."""
    today = timezone.localdate()
    invited_as_child = set(
        Invitation.objects.filter(case=case, role=InvitationRole.CHILD).values_list("person_id", flat=True)
    )
    rows = []
    for person in Person.objects.filter(case=case).order_by("birth_date", "first_name", "id"):
        age = age_in_years(person.birth_date, today)
        if (age is not None and age < ADULT_AGE) or (age is None and person.pk in invited_as_child):
            rows.append(ChildRow(person, age, child_band(age)))
    return rows


@dataclass(frozen=True)
class Prompt:
    person: Person
    age: int | None
    trajectory_id: int  # of the meeting the child is invited to: its page "Stem van het kind" records the advocate


def advocate_prompts(case) -> list[Prompt]:
    """Children invited to a meeting of the case that is not cancelled (any role), under the organisation's age,
    with no child advocate or trusted person recorded. One query (the plan page's count is documented). Not logged:
    the callers log what they show."""
    today = timezone.localdate()
    setting = ChildVoiceSettings.objects.filter(organisation_id=case.organisation_id).values("advocate_under_age")
    advocate = ChildAdvocate.objects.filter(case_id=case.pk, child_id=OuterRef("person_id"))
    invitations = (
        Invitation.objects.filter(case=case, superseded_at__isnull=True)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .annotate(has_advocate=Exists(advocate), under_age=Subquery(setting[:1]))
        .filter(has_advocate=False)
        .select_related("person", "meeting")
        .order_by("person__birth_date", "person_id", "id")
    )
    found: dict[int, Prompt] = {}
    for invitation in invitations:
        person = invitation.person
        if person.pk in found:
            continue
        age = age_in_years(person.birth_date, today)
        under_age = invitation.under_age or ChildVoiceSettings.DEFAULT_AGE
        if needs_advocate(age, invitation.role == InvitationRole.CHILD, under_age):
            found[person.pk] = Prompt(person, age, invitation.meeting.trajectory_id)
    return list(found.values())


def voice_page(actor, case_id, trajectory_id) -> VoicePage:
    """Everything the page "Stem van het kind" shows; the plan's child records and every person shown are logged."""
    case, trajectory = get_trajectory(actor, case_id, trajectory_id, log=False)
    plan = Plan.objects.filter(trajectory=trajectory).first()
    page = VoicePage(case=case, trajectory=trajectory, plan=plan, under_age=advocate_age(case.organisation_id))
    page.children = children_of(case)
    page.advocates = list(ChildAdvocate.objects.filter(case=case).select_related("child", "person"))
    page.prompts = advocate_prompts(case)
    accesses = [case_access(case)]
    if plan is not None:
        consent: dict[str, bool] = {str(s): has_consent(case, purpose) for s, purpose in SHARING_CONSENT.items()}
        attachments = list(plan.attachments.defer("content").select_related("child", "uploaded_by"))
        page.tools = [ToolRow(a, consent.get(a.sharing, True)) for a in attachments]
        page.wishes = list(plan.child_wishes.select_related("child"))
        page.assents = list(plan.child_assents.select_related("child", "recorded_by"))
        accesses += (
            [plan_access(plan)]
            + [child_tool_access(a) for a in attachments]
            + [wish_access(w) for w in page.wishes]
            + [assent_access(a) for a in page.assents]
        )
    accesses += [advocate_access(a) for a in page.advocates]
    persons = {row.person.pk: row.person for row in page.children}
    persons.update({a.person.pk: a.person for a in page.advocates if a.person_id})
    persons.update({p.person.pk: p.person for p in page.prompts})
    accesses += [person_access(p) for p in persons.values()]
    log_access(actor, Action.VIEW, accesses)
    return page


@dataclass
class VoiceFormContext:
    case: object
    trajectory: object
    plan: Plan | None
    children: list = field(default_factory=list)  # ChildRow
    persons: list = field(default_factory=list)


def form_context(actor, case_id, trajectory_id, *, need_plan=True, with_persons=False) -> VoiceFormContext:
    """The trajectory's plan (NotFound without one when ``need_plan``), its children and, for the advocate form,
    the persons of the case; the persons offered are logged."""
    case, trajectory = get_trajectory(actor, case_id, trajectory_id)
    plan = Plan.objects.filter(trajectory=trajectory).first()
    if plan is None and need_plan:
        raise NotFound()
    context = VoiceFormContext(case=case, trajectory=trajectory, plan=plan, children=children_of(case))
    if with_persons:
        context.persons = list(Person.objects.filter(case=case).order_by("-is_central", "last_name", "first_name"))
    persons = {row.person.pk: row.person for row in context.children}
    persons.update({p.pk: p for p in context.persons})
    log_access(actor, Action.VIEW, ([plan_access(plan)] if plan else []) + [person_access(p) for p in persons.values()])
    return context


def require_in_plan(context, model, record_id) -> None:
    """NotFound unless the record belongs to the context's plan: checked before a posted form is read."""
    if context.plan is None or not model.objects.filter(case=context.case, plan=context.plan, pk=record_id).exists():
        raise NotFound()


def tool_of(actor, case_id, attachment_id) -> ChildToolAttachment:
    """A child's tool of a visible case, without its content, for a write addressed by the tool alone (its plan
    and trajectory); NotFound outside the user's cases. Not logged here: the service logs the write."""
    case = case_queries.get_case(actor, case_id, log=False)
    attachment = (
        ChildToolAttachment.objects.defer("content").select_related("plan").filter(case=case, pk=attachment_id).first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def case_prompts(actor, case) -> list[Prompt]:
    """The case page's banner: the children who still need a child advocate or trusted person, logged as read."""
    prompts = advocate_prompts(case)
    if prompts:
        log_access(actor, Action.VIEW, [person_access(p.person) for p in prompts], detail="child advocate prompt")
    return prompts
