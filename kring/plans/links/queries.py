"""Reads of personal links: the professionals' list of a plan's links, and what the link holder sees through
theirs (only their own agreements in force and the parts shared with them; the child's tools only while the
consent that allowed sharing them is in force). Every record shown is logged, for a link holder with the link's
number in the entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases.choices import ConsentPurpose
from kring.cases.services import has_consent
from kring.core.actor import Actor
from kring.core.errors import NotFound

from ..choices import AgreementStatus, PlanPart, Sharing
from ..editing import agreement_access, bottom_line_access, child_tool_access, plan_access, review_access
from ..models import Agreement, ChildToolAttachment, PersonalLink, Plan
from ..queries import plan_of
from ..services import lines_in_force
from .services import link_access

# ---- the professionals' list -------------------------------------------------------------------------------


def links_of_plan(actor, case_id, plan_id) -> list:
    """A plan's personal links with their persons; the plan, the links and the persons are logged as listed."""
    plan = plan_of(actor, case_id, plan_id)
    links = list(plan.links.select_related("person"))
    accesses = [plan_access(plan)] + [link_access(link) for link in links]
    accesses += [person_access(p) for p in {link.person_id: link.person for link in links}.values()]
    log_access(actor, Action.LIST, accesses)
    return links


# ---- the link holder's page ---------------------------------------------------------------------------------


@dataclass
class LinkView:
    link: PersonalLink
    plan: Plan
    agreements: list  # their own (owner or backup)
    shared: set  # plan parts shared with them
    bottom_lines: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    all_agreements: list = field(default_factory=list)
    attachments: list = field(default_factory=list)


def link_view(link: PersonalLink, actor: Actor) -> LinkView:
    """What the link's holder may see: their own agreements in force and the plan parts shared with them."""
    plan = link.plan
    person_id = link.person_id
    own = list(
        Agreement.objects.filter(Q(owner_person_id=person_id) | Q(backup_person_id=person_id), plan=plan, in_force=True)
        .exclude(status=AgreementStatus.STOPPED)
        .select_related("owner_person", "backup_person", "checker_person", "checker_user")
    )
    shared = set(link.shared_parts or []) & set(PlanPart.values)
    view = LinkView(link=link, plan=plan, agreements=own, shared=shared)
    if PlanPart.BOTTOM_LINES in shared:
        view.bottom_lines = list(lines_in_force(plan.trajectory_id))
    if PlanPart.REVIEWS in shared:
        view.reviews = list(plan.reviews.filter(held_on__isnull=True))
    if PlanPart.ALL_AGREEMENTS in shared:
        view.all_agreements = list(
            plan.agreements.filter(in_force=True).exclude(status=AgreementStatus.STOPPED).select_related("owner_person")
        )
    person = link.person
    allowed = [Sharing.NETWORK] + ([Sharing.FAMILY] if person.is_central or person.in_household else [])
    # Shared only while the consent that allowed it is still in force: a withdrawal hides it at once.
    consent_for = {Sharing.NETWORK: ConsentPurpose.SHARE_WITH_NETWORK, Sharing.FAMILY: ConsentPurpose.SHARE_PLAN}
    allowed = [level for level in allowed if has_consent(link.case, consent_for[level])]
    view.attachments = list(plan.attachments.filter(sharing__in=allowed).defer("content"))
    # Every record the page shows, once.
    agreements = {a.pk: a for a in own + view.all_agreements}
    accesses = [plan_access(plan)] + [agreement_access(a) for a in agreements.values()]
    accesses += [bottom_line_access(line) for line in view.bottom_lines]
    accesses += [review_access(review) for review in view.reviews]
    accesses += [child_tool_access(a) for a in view.attachments]
    log_access(actor, Action.VIEW, accesses, detail=f"via personal link {link.pk}")
    return view


def link_attachment(link: PersonalLink, attachment_id, actor: Actor) -> ChildToolAttachment:
    """A child's tool the link's page lists, with its content, logged as exported; any other is refused (logged as
    denied) with NotFound. Reads through ``link_view``, so exactly what the holder may see is reachable."""
    view = link_view(link, actor)
    found = next((a for a in view.attachments if a.pk == attachment_id), None)
    if found is None:
        log_access(
            actor,
            Action.DENIED,
            [Access("child_tool", attachment_id, link.case_id, link.organisation_id)],
            detail=f"not shared with personal link {link.pk}",
        )
        raise NotFound()
    found.content = bytes(found.content)  # deferred in the list: read now, for this one file only
    log_access(
        actor,
        Action.EXPORT,
        [child_tool_access(found)],
        detail=f"download via personal link {link.pk}",
    )
    return found
