"""Writes of the family's side: their links (made, sent, sent again with a new secret, revoked, opened), what they
say through them (people to invite, their view, sharing choices), their agreement to the plan on the link or on
paper, and who received which version of the plan.

The case team's writes follow the house: lock the case through the visibility query, check the right to work on
the trajectory, validate, save, log. A link holder acts without a user: their ``Actor`` carries the address and the
page's path without the secret (``views.open_family_page``); every read and write through a link is logged with the
link's number in the entry.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kring.audit.services import Access, Action, log_access, person_access
from kring.cases import consent_rules
from kring.cases.editing import check_can_work_on, lock_case, logs_refusal, refuse_if_stale, validate
from kring.cases.models import Person
from kring.cases.person_events import relations_recorded
from kring.core.actor import Actor
from kring.core.errors import NotFound
from kring.core.history import set_history_user
from kring.core.names import normalise_name
from kring.documents.models import Document
from kring.meetings.core import PROFESSIONAL_ROLES
from kring.meetings.models import Attendance
from kring.methods.catalogue import catalogue
from kring.plans.choices import AgreementStatus, PlanPart
from kring.plans.editing import lock_record, lock_trajectory, person_of_case, plan_access
from kring.plans.links.services import LINK_TRIES, LINK_TRY_WINDOW, LinkThrottled
from kring.plans.models import Plan
from kring.plans.services import lines_in_force
from kring.trajectories.core.states import ACTIVE

from . import core
from .choices import DeliveryChannel, LinkRole, ProposalStatus, SendChannel, SignedHow
from .models import FamilyLink, FamilyView, InviteeProposal, PlanAgreementSignature, PlanDelivery, SharingChoice

# A family link lives as long as the trajectory and a margin after it ends (to read the final plan and agree to
# it), and never longer than LINK_DAYS_MAX after it was made (decision 251).
LINK_DAYS_MAX = 400
LINK_MARGIN_DAYS = 60
YOUNG_PERSON_AGE = 12  # when the consent rules name no age of their own
WORK_REFUSAL = gettext_lazy("Only the case worker, the coordinator or the team lead can do this for the family.")

__all__ = ["LinkThrottled"]


def link_access(link) -> Access:
    return Access("family_link", link.pk, link.case_id, link.organisation_id)


def proposal_access(proposal) -> Access:
    return Access("invitee_proposal", proposal.pk, proposal.case_id, proposal.organisation_id)


def view_access(view) -> Access:
    return Access("family_view", view.pk, view.case_id, view.organisation_id)


def sharing_access(choice) -> Access:
    return Access("sharing_choice", choice.pk, choice.case_id, choice.organisation_id)


def signature_access(signature) -> Access:
    return Access("plan_signature", signature.pk, signature.case_id, signature.organisation_id)


def delivery_access(delivery) -> Access:
    return Access("plan_delivery", delivery.pk, delivery.case_id, delivery.organisation_id)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


# ---- who is who in the family ------------------------------------------------------------------------------


def young_person_age(case) -> int:
    """From which age a child of the case gets a link and agrees to the plan: the age from which the consent rules
    of the case's jurisdiction let a child take part in consent, else 12."""
    try:
        return consent_rules.first_own_age(case.organisation.jurisdiction)
    except Exception:  # noqa: BLE001 (rules that cannot be read fall back to the issue's 12)
        return YOUNG_PERSON_AGE


@dataclass
class Family:
    """The persons of one case as the family's side reads them, on one day."""

    parents: set = field(default_factory=set)
    young_persons: set = field(default_factory=set)
    adults_present: set = field(default_factory=set)


def _age(person, day) -> int | None:
    return None if person.birth_date is None else consent_rules.age_on(person.birth_date, day)


def family_of(case, plan=None, day=None) -> Family:
    """The parents (holders of authority over a minor child of the case, else by relation), the young persons old
    enough (central persons of at least ``young_person_age``) and, for a plan made at a meeting, the adults of the
    family and network present in any of its parts."""
    day = day or timezone.localdate()
    facts = consent_rules.case_facts(case)
    family = Family()
    for child in facts.minors(day):
        family.parents |= {p.pk for p in facts.holders(child, day)}
    if not facts.minors(day):
        family.parents |= {
            p.pk
            for p in facts.persons
            if consent_rules.is_parent_relation(p.relation)
            and (p.birth_date is None or (_age(p, day) or 0) >= consent_rules.MAJORITY)
        }
    threshold = young_person_age(case)
    family.young_persons = {
        p.pk for p in facts.children if p.birth_date is not None and (_age(p, day) or 0) >= threshold
    }
    if plan is not None and plan.meeting_id:
        present = (
            Attendance.objects.filter(part__meeting_id=plan.meeting_id, present=True, invitation__isnull=False)
            .exclude(invitation__role__in=PROFESSIONAL_ROLES)
            .select_related("invitation__person")
        )
        for row in present:
            if row.invitation is None:
                continue
            person = row.invitation.person
            age = _age(person, day)
            if age is None or age >= consent_rules.MAJORITY:
                family.adults_present.add(person.pk)
    return family


def link_role(case, person) -> str | None:
    """The role a family link for this person has, or None when the person gets none."""
    family = family_of(case)
    if person.pk in family.parents:
        return LinkRole.PARENT
    if person.pk in family.young_persons:
        return LinkRole.YOUNG_PERSON
    return None


def method_rule(trajectory) -> str:
    definition = catalogue().get(trajectory.method_code)
    return definition.family_agreement.who if definition else core.NOBODY


# ---- the plan version's digest -------------------------------------------------------------------------------


def _iso(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def plan_content(plan) -> dict:
    """The content of the plan's current version, read from the database, as ``core.plan_content`` shapes it."""
    plan_row = {
        name: _iso(getattr(plan, name))
        for name in (
            "id",
            "edition",
            "plan_type",
            "concerns",
            "if_it_goes_wrong",
            "child_view",
            "emergency_contact_name",
            "emergency_contact_phone",
            "presented_on",
        )
    }
    agreements = []
    for agreement in plan.agreements.exclude(status=AgreementStatus.STOPPED).prefetch_related("bottom_lines"):
        agreements.append(
            {
                "id": agreement.pk,
                "order": agreement.order,
                "what": agreement.what,
                "owner_person": agreement.owner_person_id,
                "owner_professional": agreement.owner_professional,
                "starts_on": _iso(agreement.starts_on),
                "ends_on": _iso(agreement.ends_on),
                "frequency": agreement.frequency,
                "backup_person": agreement.backup_person_id,
                "checker_person": agreement.checker_person_id,
                "checker_user": agreement.checker_user_id,
                "due_on": _iso(agreement.due_on),
                "is_safety": agreement.is_safety,
                "bottom_lines": [line.pk for line in agreement.bottom_lines.all()],
            }
        )
    lines = [
        {"id": line.pk, "version": line.version, "order": line.order, "text": line.text, "kind": line.kind}
        for line in lines_in_force(plan.trajectory_id)
    ]
    return core.plan_content(plan_row, agreements, lines)


def current_digest(plan) -> str:
    return core.plan_digest(plan_content(plan))


def agreement_state(plan, digest: str | None = None, signatures=None) -> core.FamilyAgreementState:
    """The method's rule for "agreed by the family" applied to the signatures kept for this plan's current version
    (``digest`` and ``signatures`` when the caller has read them already)."""
    family = family_of(plan.case, plan)
    rule = method_rule(plan.trajectory)
    required = core.who_must_agree(rule, family.adults_present, family.parents, family.young_persons)
    if signatures is None:
        signatures = PlanAgreementSignature.objects.filter(plan=plan).only("person_id", "digest")
    rows = [(s.person_id, s.digest) for s in signatures]
    signed = [core.Signed(person_id, signed_digest) for person_id, signed_digest in rows]
    return core.agreement_state(rule, required, signed, digest or current_digest(plan))


def entitled_to_agree(plan) -> frozenset[int]:
    family = family_of(plan.case, plan)
    return core.who_may_agree(method_rule(plan.trajectory), family.adults_present, family.parents, family.young_persons)


# ---- links, made and revoked by the case team ----------------------------------------------------------------


def _open_trajectory(actor, case_id, trajectory_id):
    case = lock_case(case_id, actor.user)
    try:
        trajectory = lock_trajectory(case, int(trajectory_id))
    except (TypeError, ValueError):
        raise NotFound() from None
    check_can_work_on(actor.user, case, trajectory, refusal=WORK_REFUSAL)
    return case, trajectory


def _refuse_ended(trajectory):
    if trajectory.status not in ACTIVE:
        raise ValidationError({"__all__": [_("This trajectory has ended; no new family link can be made.")]})


def _new_link(actor, case, trajectory, person, role, replaces=None) -> tuple[FamilyLink, str]:
    token = secrets.token_urlsafe(32)
    link = FamilyLink.objects.create(
        case=case,
        organisation=case.organisation,
        trajectory=trajectory,
        person=person,
        role=role,
        token_digest=token_digest(token),
        expires_on=timezone.localdate() + timedelta(days=LINK_DAYS_MAX),
        created_by=actor.user,
        replaces=replaces,
    )
    return link, token


@logs_refusal
@transaction.atomic
def create_link(actor, case_id, trajectory_id, person_id, send_by: str = "") -> tuple[FamilyLink, str]:
    """A family link for a parent or a young person old enough; returns the link and its secret, which is shown
    once (and sent, if asked) and stored only as a digest."""
    case, trajectory = _open_trajectory(actor, case_id, trajectory_id)
    _refuse_ended(trajectory)
    person = person_of_case(case, person_id, "person", required=True)
    role = link_role(case, person)
    if role is None:
        raise ValidationError(
            {
                "person": [
                    _("A family link is for a parent or a young person of %(age)s or older.")
                    % {"age": young_person_age(case)}
                ]
            }
        )
    from .sending import check_channel, send_link

    check_channel(person, send_by)
    link, token = _new_link(actor, case, trajectory, person, role)
    log_access(actor, Action.CREATE, [link_access(link), person_access(person)])
    if send_by:
        send_link(actor, link, token, send_by)
    return link, token


def _of_trajectory(record, trajectory_id):
    """NotFound for a record of another trajectory than the page's."""
    if trajectory_id is not None and str(record.trajectory_id) != str(trajectory_id):
        raise NotFound()
    return record


def _lock_link(case, link_id, trajectory_id=None) -> FamilyLink:
    try:
        link_id = int(link_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    return _of_trajectory(lock_record(FamilyLink, case, link_id, related=("person", "trajectory")), trajectory_id)


def _revoke(link, actor):
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor.user
        link.save(update_fields=["revoked_at", "revoked_by"])


@logs_refusal
@transaction.atomic
def revoke_link(actor, case_id, link_id, trajectory_id=None) -> FamilyLink:
    case = lock_case(case_id, actor.user)
    link = _lock_link(case, link_id, trajectory_id)
    check_can_work_on(actor.user, case, link.trajectory, refusal=WORK_REFUSAL)
    _revoke(link, actor)
    log_access(actor, Action.UPDATE, [link_access(link)], detail="revoked")
    return link


@logs_refusal
@transaction.atomic
def resend_link(actor, case_id, link_id, send_by: str, trajectory_id=None) -> tuple[FamilyLink, str]:
    """Send a link again on request: a new secret in a new link, the old one revoked (a secret is never stored, so
    it cannot be sent twice)."""
    case = lock_case(case_id, actor.user)
    old = _lock_link(case, link_id, trajectory_id)
    check_can_work_on(actor.user, case, old.trajectory, refusal=WORK_REFUSAL)
    _refuse_ended(old.trajectory)
    from .sending import check_channel, send_link

    if send_by not in (SendChannel.EMAIL, SendChannel.SMS):
        raise ValidationError({"send_by": [_("Choose how the link is sent.")]})
    check_channel(old.person, send_by)
    _revoke(old, actor)
    link, token = _new_link(actor, case, old.trajectory, old.person, old.role, replaces=old)
    log_access(actor, Action.UPDATE, [link_access(old)], detail=f"revoked, replaced by family link {link.pk}")
    log_access(actor, Action.CREATE, [link_access(link), person_access(old.person)], detail="sent again")
    send_link(actor, link, token, send_by)
    return link, token


# ---- opened by the link holder -------------------------------------------------------------------------------


def _throttle_key(ip_address) -> str:
    # The same counter as the network members' links: wrong tries at either kind count together.
    return f"kring:link-tries:{ip_address or 'unknown'}"


def link_end(link) -> datetime.date:
    """The last day the link opens: its latest day, or the margin after the trajectory ended if that is sooner."""
    trajectory = link.trajectory
    ended = trajectory.closed_on or trajectory.abandoned_on or trajectory.declined_on
    if trajectory.status not in ACTIVE and ended:
        return min(link.expires_on, ended + timedelta(days=LINK_MARGIN_DAYS))
    return link.expires_on


def open_link(token: str, actor: Actor) -> FamilyLink:
    """The family link for this secret, if valid. Wrong, expired and revoked links are refused alike (NotFound) and
    logged; an address that keeps trying is refused for a while (LinkThrottled), as for network members' links."""
    key = _throttle_key(actor.ip_address)
    link = None
    if isinstance(token, str) and 20 <= len(token) <= 100:
        link = (
            FamilyLink.objects.select_related("person", "trajectory", "case", "organisation")
            .filter(token_digest=token_digest(token))
            .first()
        )
    today = timezone.localdate()
    if link is not None and link.revoked_at is None and link_end(link) >= today and link.case.status != "closed":
        FamilyLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        return link
    named = Access(
        "family_link", link.pk if link else "", link.case_id if link else None, link.organisation_id if link else None
    )
    if cache.get(key, 0) >= LINK_TRIES:
        log_access(actor, Action.DENIED, [named], detail="throttled")
        raise LinkThrottled()
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, LINK_TRY_WINDOW)
    else:
        cache.touch(key, LINK_TRY_WINDOW)
    reason = (
        "unknown"
        if link is None
        else "revoked"
        if link.revoked_at
        else "expired"
        if link_end(link) < today
        else "case closed"
    )
    log_access(actor, Action.DENIED, [named], detail=f"family link {reason}")
    raise NotFound()


def _via(link) -> str:
    return f"via family link {link.pk}"


# ---- what the family says through the link -------------------------------------------------------------------


@transaction.atomic
def propose_invitee(link: FamilyLink, data: dict, actor: Actor) -> InviteeProposal:
    """Someone the family would like at the meeting; the case team decides."""
    if link.trajectory.status not in ACTIVE:
        raise ValidationError({"__all__": [_("This trajectory has ended; no one can be proposed any more.")]})
    proposal = InviteeProposal(
        case=link.case,
        organisation=link.organisation,
        trajectory=link.trajectory,
        link=link,
        proposed_by=link.person,
        first_name=normalise_name((data.get("first_name") or "").strip()),
        last_name=normalise_name((data.get("last_name") or "").strip()),
        relation=(data.get("relation") or "").strip(),
        contact=(data.get("contact") or "").strip(),
        why=(data.get("why") or "").strip(),
        proposed_at=timezone.now(),
    )
    validate(proposal)
    set_history_user(proposal, None)
    proposal.save()
    log_access(actor, Action.CREATE, [proposal_access(proposal)], detail=_via(link))
    return proposal


@logs_refusal
@transaction.atomic
def decide_proposal(
    actor, case_id, proposal_id, accept: bool, reason: str, expected_version, trajectory_id=None
) -> InviteeProposal:
    """Accept (the proposed person becomes a person of the case, logged) or decline (with a reason the family
    reads) a proposed invitee."""
    case = lock_case(case_id, actor.user)
    try:
        proposal = lock_record(InviteeProposal, case, int(proposal_id), related=("trajectory",))
    except (TypeError, ValueError):
        raise NotFound() from None
    _of_trajectory(proposal, trajectory_id)
    check_can_work_on(actor.user, case, proposal.trajectory, refusal=WORK_REFUSAL)
    refuse_if_stale(proposal, expected_version, ["status"])
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError({"__all__": [_("This proposal has already been decided.")]})
    reason = (reason or "").strip()
    if accept:
        person = Person(
            case=case,
            organisation=case.organisation,
            first_name=proposal.first_name,
            last_name=proposal.last_name,
            relation=proposal.relation[:100],
        )
        contact = proposal.contact
        if "@" in contact and " " not in contact:
            person.email = contact
        elif contact:
            person.phone = contact[:40]
        validate(person)
        set_history_user(person, actor.user)
        person.save()
        proposal.person = person
        proposal.status = ProposalStatus.ACCEPTED
        log_access(actor, Action.CREATE, [person_access(person)], detail=f"proposed by the family ({proposal.pk})")
        relations_recorded(actor, case, [person])
    else:
        if not reason:
            raise ValidationError({"reason": [_("Say why, for the family.")]})
        proposal.status = ProposalStatus.DECLINED
        proposal.decline_reason = reason[:500]
    proposal.decided_by = actor.user
    proposal.decided_at = timezone.now()
    proposal.version += 1
    set_history_user(proposal, actor.user)
    proposal.save()
    log_access(actor, Action.UPDATE, [proposal_access(proposal)], detail=proposal.status)
    return proposal


@transaction.atomic
def give_view(link: FamilyLink, text: str, actor: Actor) -> FamilyView:
    """The family member's view before the meeting, for the case team; each one is kept."""
    view = FamilyView(
        case=link.case,
        organisation=link.organisation,
        trajectory=link.trajectory,
        link=link,
        person=link.person,
        text=(text or "").strip(),
        written_at=timezone.now(),
    )
    if not view.text:
        raise ValidationError({"text": [_("Write your view first.")]})
    validate(view)
    view.save()
    log_access(actor, Action.CREATE, [view_access(view)], detail=_via(link))
    return view


def sharing_persons(link: FamilyLink) -> list:
    """The persons of the case a family member may name in a sharing choice: everyone but the central persons and
    themselves, without those they are kept from (they do not learn of them here) and those marked unsafe on the
    network map."""
    from kring.cases import confidentiality
    from kring.network import unsafe

    persons = list(
        Person.objects.filter(case=link.case, is_central=False).exclude(pk=link.person_id).order_by("first_name")
    )
    hidden = confidentiality.kept_from(link.case, link.person) | unsafe.unsafe_ids(p.pk for p in persons)
    return [p for p in persons if p.pk not in hidden]


@transaction.atomic
def choose_sharing(link: FamilyLink, part: str, with_person_id, allowed: bool, actor: Actor) -> SharingChoice:
    """Whether a part of the plan may be shared with one person of the network or with all of it: the latest choice
    per part and person holds."""
    if part not in PlanPart.values:
        raise ValidationError({"part": [_("Choose the parts from the list.")]})
    with_person = None
    if with_person_id not in (None, ""):
        with_person = next((p for p in sharing_persons(link) if str(p.pk) == str(with_person_id)), None)
        if with_person is None:
            raise ValidationError({"with_person": [_("Choose a person from the list.")]})
    choice, _created = SharingChoice.objects.update_or_create(
        trajectory=link.trajectory,
        chosen_by=link.person,
        part=part,
        with_person=with_person,
        defaults={
            "case": link.case,
            "organisation": link.organisation,
            "link": link,
            "allowed": bool(allowed),
            "chosen_at": timezone.now(),
        },
    )
    log_access(actor, Action.UPDATE, [sharing_access(choice)], detail=_via(link))
    return choice


# ---- the family's agreement to the plan ----------------------------------------------------------------------

OUTDATED = gettext_lazy(
    "The plan has changed since you opened it. Read the new version below and agree to it again if you agree."
)


def _normal_name(text: str) -> str:
    return " ".join((text or "").casefold().split())


def _check_entitled(plan, person) -> None:
    if person is None or person.case_id != plan.case_id or person.pk not in entitled_to_agree(plan):
        raise ValidationError(
            {
                "person": [
                    _("This person cannot agree to the plan for the family: the method asks the agreement of %(who)s.")
                    % {"who": rule_words(method_rule(plan.trajectory))}
                ]
            }
        )


def rule_words(rule: str) -> str:
    return {
        core.ADULTS_PRESENT: _("every adult present at the meeting and every young person old enough"),
        core.PARENTS_AND_YOUNG: _("the parents and every young person old enough"),
        core.PARENTS: _("the parents"),
    }.get(rule, _("nobody: this method has no agreement of the family"))


def _refuse_outdated(plan, digest: str) -> str:
    current = current_digest(plan)
    if (digest or "").strip().lower() != current:
        raise ValidationError({"__all__": [str(OUTDATED)]})
    return current


def _refuse_not_presented(plan):
    if plan.presented_on is None:
        raise ValidationError({"__all__": [_("The plan has not been presented yet; agreeing comes after that.")]})


def plan_of_link(link: FamilyLink) -> Plan | None:
    return Plan.objects.filter(trajectory=link.trajectory).select_related("trajectory", "case").first()


def sign_via_link(link: FamilyLink, digest: str, typed_name: str, actor: Actor) -> PlanAgreementSignature:
    """The link holder agrees to the plan version they read: the digest they were shown must be the current one,
    they must be a person whose agreement the method's rule admits, and they type their name."""
    try:
        with transaction.atomic():
            plan = plan_of_link(link)
            if plan is None:
                raise NotFound()
            plan = Plan.objects.select_for_update().select_related("trajectory", "case").get(pk=plan.pk)
            _refuse_not_presented(plan)
            current = _refuse_outdated(plan, digest)
            _check_entitled(plan, link.person)
            if _normal_name(typed_name) != _normal_name(link.person.full_name):
                raise ValidationError(
                    {
                        "typed_name": [
                            _("Type your full name as the plan knows it: %(name)s.") % {"name": link.person.full_name}
                        ]
                    }
                )
            existing = PlanAgreementSignature.objects.filter(plan=plan, digest=current, person=link.person).first()
            if existing is not None:
                return existing
            signature = PlanAgreementSignature.objects.create(
                case=plan.case,
                organisation=plan.organisation,
                plan=plan,
                edition=plan.edition,
                digest=current,
                person=link.person,
                how=SignedHow.LINK,
                link=link,
                typed_name=" ".join(typed_name.split())[:200],
                signed_at=timezone.now(),
            )
            log_access(actor, Action.CREATE, [signature_access(signature), plan_access(plan)], detail=_via(link))
            return signature
    except ValidationError:
        log_access(actor, Action.DENIED, [link_access(link)], detail="agreement to the plan refused")
        raise


@logs_refusal
@transaction.atomic
def record_paper_signature(actor, case_id, plan_id, data: dict) -> PlanAgreementSignature:
    """The case team records an agreement given on paper: the person, the day, the signed page (a document of the
    case) and the version the form showed (refused if the plan changed since)."""
    case = lock_case(case_id, actor.user)
    try:
        plan = lock_record(Plan, case, int(plan_id), related=("trajectory", "case"))
    except (TypeError, ValueError):
        raise NotFound() from None
    check_can_work_on(actor.user, case, plan.trajectory, refusal=WORK_REFUSAL)
    _refuse_not_presented(plan)
    current = _refuse_outdated(plan, data.get("digest", ""))
    person = person_of_case(case, data.get("person"), "person", required=True)
    _check_entitled(plan, person)
    signed_on = data.get("signed_on")
    if not isinstance(signed_on, datetime.date) or signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("Give the day it was signed, not in the future.")]})
    document = None
    try:
        document = Document.objects.filter(case=case, pk=int(data.get("document") or 0)).first()
    except (TypeError, ValueError):
        document = None
    if document is None:
        raise ValidationError({"document": [_("Choose the signed page among the case's documents.")]})
    if PlanAgreementSignature.objects.filter(plan=plan, digest=current, person=person).exists():
        raise ValidationError({"person": [_("This person's agreement to this version is already recorded.")]})
    at = timezone.make_aware(datetime.datetime.combine(signed_on, datetime.time(12, 0)))
    try:
        with transaction.atomic():
            signature = PlanAgreementSignature.objects.create(
                case=case,
                organisation=case.organisation,
                plan=plan,
                edition=plan.edition,
                digest=current,
                person=person,
                how=SignedHow.PAPER,
                signed_at=at,
                document=document,
                recorded_by=actor.user,
            )
    except IntegrityError:
        raise ValidationError({"person": [_("This person's agreement to this version is already recorded.")]}) from None
    log_access(actor, Action.CREATE, [signature_access(signature), person_access(person)], detail="on paper")
    return signature


def _record_delivery(plan, person, channel, by=None, link=None, at=None) -> PlanDelivery:
    return PlanDelivery.objects.create(
        case=plan.case,
        organisation=plan.organisation,
        plan=plan,
        edition=plan.edition,
        digest=current_digest(plan),
        person=person,
        channel=channel,
        delivered_at=at or timezone.now(),
        by=by,
        link=link,
    )


def delivered_via_link(link: FamilyLink, plan, digest: str, actor: Actor) -> None:
    """The link holder opened this version of the plan: it reached them (kept once per version)."""
    if PlanDelivery.objects.filter(plan=plan, person=link.person, digest=digest, channel=DeliveryChannel.LINK).exists():
        return
    delivery = _record_delivery(plan, link.person, DeliveryChannel.LINK, link=link)
    log_access(actor, Action.CREATE, [delivery_access(delivery)], detail=_via(link))


@logs_refusal
@transaction.atomic
def record_delivery(actor, case_id, plan_id, data: dict) -> PlanDelivery:
    """The case team records that a person received the plan's current version by e-mail, by post or by hand."""
    case = lock_case(case_id, actor.user)
    try:
        plan = lock_record(Plan, case, int(plan_id), related=("trajectory", "case"))
    except (TypeError, ValueError):
        raise NotFound() from None
    check_can_work_on(actor.user, case, plan.trajectory, refusal=WORK_REFUSAL)
    _refuse_outdated(plan, data.get("digest", ""))
    person = person_of_case(case, data.get("person"), "person", required=True)
    channel = data.get("channel")
    if channel not in (DeliveryChannel.EMAIL, DeliveryChannel.POST, DeliveryChannel.HANDED):
        raise ValidationError({"channel": [_("Choose how the plan was delivered.")]})
    delivered_on = data.get("delivered_on")
    if not isinstance(delivered_on, datetime.date) or delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": [_("Give the day it was delivered, not in the future.")]})
    at = timezone.make_aware(datetime.datetime.combine(delivered_on, datetime.time(12, 0)))
    delivery = _record_delivery(plan, person, channel, by=actor.user, at=at)
    log_access(actor, Action.CREATE, [delivery_access(delivery), person_access(person)])
    return delivery
