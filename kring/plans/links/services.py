"""Personal links: a network member's key to their own part of the plan, without an account.

The coordinator makes a link for a person of the case (its secret is shown once and stored only as a digest) and
may revoke it; the holder opens it (``open_link``: wrong, expired and revoked links are refused alike, an address
that keeps trying is throttled) and confirms or reports on their own agreements. A link holder acts without a
user: their ``Actor`` carries only the address and the page's path without the secret (built once by the link
pages, ``views.open_link_page``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kring.audit.services import Access, Action, log_access
from kring.cases import confidentiality
from kring.cases.choices import ConsentPurpose
from kring.cases.editing import check_can_work_on, lock_case, logs_refusal
from kring.cases.models import Person
from kring.cases.services import has_consent
from kring.core import link_sending
from kring.core.actor import Actor
from kring.core.errors import NotFound
from kring.meetings.services import confirm_despite_no_contact
from kring.network import unsafe

from ..choices import AgreementStatus, PlanPart
from ..editing import WORK_REFUSAL, agreement_access, lock_record, open_plan, person_of_case, refuse_ended
from ..follow_up import apply_report
from ..models import Agreement, AgreementReport, PersonalLink
from ..services import lines_in_force

# How long a link stays valid unless the coordinator says otherwise, and how many wrong tries one address gets in
# a window before it is refused for a while.
LINK_DAYS_DEFAULT = 90
LINK_DAYS_MAX = 400
LINK_TRIES = 10
LINK_TRY_WINDOW = 15 * 60


class LinkThrottled(Exception):
    """Too many wrong links from one address: refused for a while."""


def link_access(link) -> Access:
    return Access("personal_link", link.pk, link.case_id, link.organisation_id)


# ---- made and revoked by the professionals -----------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@logs_refusal
@transaction.atomic
def create_link(
    actor,
    case_id,
    plan_id,
    person_id,
    shared_parts=(),
    valid_days: int | str | None = None,
    unsafe_reason="",
    send_by: str = "",
) -> tuple[PersonalLink, str]:
    """Make a personal link for a network member; returns the link and its secret, which is shown once and
    stored only as a digest. Sharing plan parts beyond the member's own agreements needs the consent to share
    the plan. A link for a person marked unsafe on the network map, or sharing a part that names one, needs
    ``unsafe_reason`` (kept with the link). ``send_by`` ("email", "sms") sends it to the person through the worker;
    a way the person cannot be reached by is refused before anything is made."""
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    person = person_of_case(case, person_id, "person")
    if person is None:
        raise ValidationError({"person": [_("Choose a person of this case.")]})
    link_sending.check_channel(person, send_by)
    parts = list(dict.fromkeys(shared_parts or []))
    if any(p not in PlanPart.values for p in parts):
        raise ValidationError({"shared_parts": [_("Choose the parts from the list.")]})
    if parts and not has_consent(case, ConsentPurpose.SHARE_PLAN):
        raise ValidationError(
            {
                "shared_parts": [
                    _(
                        "The family has not consented to sharing the plan; only the "
                        "person's own agreements can be shown."
                    )
                ]
            }
        )
    try:
        days = LINK_DAYS_DEFAULT if valid_days is None or valid_days == "" else int(valid_days)
    except (TypeError, ValueError):
        raise ValidationError({"valid_days": [_("Give a number of days.")]}) from None
    if not 1 <= days <= LINK_DAYS_MAX:
        raise ValidationError({"valid_days": [_("A link is valid for 1 to %(max)s days.") % {"max": LINK_DAYS_MAX}]})
    named = persons_named(case, plan, parts)
    reason = unsafe.require_reason(
        unsafe_names([person, *named]),
        unsafe_reason,
        "unsafe_reason",
        _(
            "%(name)s is marked unsafe on the network map. Say why this link is made, or these parts are shared, "
            "nonetheless."
        ),
    )
    reason = _no_contact_guard(actor, case, plan, person, named, unsafe_reason) or reason
    token = secrets.token_urlsafe(32)
    link = PersonalLink.objects.create(
        plan=plan,
        case=case,
        organisation=case.organisation,
        person=person,
        token_digest=_digest(token),
        shared_parts=parts,
        expires_on=timezone.localdate() + timedelta(days=days),
        created_by=actor.user,
        unsafe_reason=reason,
    )
    log_access(actor, Action.CREATE, [link_access(link)], detail="despite the network map" if reason else "")
    _send(actor, link, token, send_by)
    return link, token


def resend_link(actor, case_id, link_id, send_by: str) -> tuple[PersonalLink, str]:
    """Send a person their link again, on request: a new secret (only the digest is kept, so the old one cannot be
    sent), the same parts until the same day, and the old link revoked (decision 257)."""
    case = lock_case(case_id, actor.user)
    old = lock_record(PersonalLink, case, link_id, related=("plan__trajectory", "person"))
    check_can_work_on(actor.user, case, old.plan.trajectory, refusal=WORK_REFUSAL)
    refuse_ended(old.plan.trajectory)
    if send_by not in (link_sending.SendChannel.EMAIL, link_sending.SendChannel.SMS):
        raise ValidationError({"send_by": [_("Choose how the link is sent.")]})
    if old.revoked_at is not None or old.expires_on < timezone.localdate():
        raise ValidationError({"send_by": [_("This link no longer opens; make a new one.")]})
    link_sending.check_channel(old.person, send_by)
    token = secrets.token_urlsafe(32)
    link = PersonalLink.objects.create(
        plan=old.plan,
        case=case,
        organisation=case.organisation,
        person=old.person,
        token_digest=_digest(token),
        shared_parts=old.shared_parts,
        expires_on=old.expires_on,
        created_by=actor.user,
        unsafe_reason=old.unsafe_reason,
    )
    old.revoked_at = timezone.now()
    old.revoked_by = actor.user
    old.save(update_fields=["revoked_at", "revoked_by"])
    log_access(actor, Action.UPDATE, [link_access(old)], detail=f"revoked: sent again as link {link.pk}")
    log_access(actor, Action.CREATE, [link_access(link)], detail=f"sent again, replacing link {old.pk}")
    _send(actor, link, token, send_by)
    return link, token


def _send(actor, link, token: str, send_by: str) -> None:
    """The message names the holder by first name only and says nothing of the case or the plan."""
    if send_by not in (link_sending.SendChannel.EMAIL, link_sending.SendChannel.SMS):
        return
    address = settings.KRING_BASE_URL.rstrip("/") + reverse("plan_links:home", args=[token])
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your personal link")
        text = _(
            "Dear %(first_name)s,\n\nHere is your personal link to the agreements you made with a family: %(url)s\n\n"
            "Keep it to yourself: whoever has it can read your page. Ask the coordinator for a new link if you lose it."
        ) % {"first_name": link.person.first_name, "url": address}
    if send_by == link_sending.SendChannel.EMAIL:
        send_mail(subject, text, None, [link.person.email])
    else:
        link_sending.queue_sms(link.person.phone, text)
    log_access(actor, Action.EXPORT, [link_access(link)], detail=f"link sent by {send_by}")


def persons_on_the_link(case, plan, person, named) -> set[int]:
    """Whom the link's page names: the case's central persons (the plan is about them), everyone on the holder's
    own agreements (owner, backup, who checks) and the persons the shared parts name."""
    ids = set(case.persons.filter(is_central=True).values_list("pk", flat=True)) | {p.pk for p in named}
    own = plan.agreements.exclude(status=AgreementStatus.STOPPED).filter(
        Q(owner_person=person) | Q(backup_person=person)
    )
    for row in own.values_list("owner_person_id", "backup_person_id", "checker_person_id"):
        ids |= {pk for pk in row if pk}
    return ids


def _no_contact_guard(actor, case, plan, person, named, reason) -> str:
    """Decision 201: a link for a person kept from someone the link's page names needs a reason, recorded in the
    case journal (for the team only) and kept with the link."""
    protected = confidentiality.kept_from_among(case, person, persons_on_the_link(case, plan, person, named))
    warning = _(
        "%(recipient)s has a no contact mark with %(names)s, whom this link's page names. Say why this link is "
        "made nonetheless."
    ) % {"recipient": person.full_name, "names": ", ".join(p.full_name for p in protected)}
    return confirm_despite_no_contact(
        actor, case, person, protected, _("The personal link"), reason, "unsafe_reason", warning
    )


def unsafe_names(persons) -> list[str]:
    marked = unsafe.unsafe_ids(p.pk for p in persons)
    return [p.full_name for p in persons if p.pk in marked]


def persons_named(case, plan, parts) -> list:
    """The persons of the case that the shared parts name: the owners of everyone's agreements, and whoever is
    named by full or first name in the shared texts (concerns, what happens if it goes wrong, bottom lines)."""
    named = []
    texts = []
    if PlanPart.ALL_AGREEMENTS in parts:
        owners = plan.agreements.exclude(status=AgreementStatus.STOPPED).values("owner_person_id")
        named += list(Person.objects.filter(case=case, pk__in=owners))
    if PlanPart.CONCERNS in parts:
        texts.append(plan.concerns)
    if PlanPart.IF_WRONG in parts:
        texts.append(plan.if_it_goes_wrong)
    if PlanPart.BOTTOM_LINES in parts:
        texts += [line.text for line in lines_in_force(plan.trajectory_id)]
    text = " ".join(t for t in texts if t)
    if text:
        for person in Person.objects.filter(case=case):
            words = {person.full_name.strip(), (person.first_name or "").strip()} - {""}
            if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE) for w in words):
                named.append(person)
    return named


@logs_refusal
@transaction.atomic
def revoke_link(actor, case_id, link_id) -> PersonalLink:
    case = lock_case(case_id, actor.user)
    link = lock_record(PersonalLink, case, link_id, related=("plan__trajectory",))
    check_can_work_on(actor.user, case, link.plan.trajectory, refusal=WORK_REFUSAL)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor.user
        link.save(update_fields=["revoked_at", "revoked_by"])
    log_access(actor, Action.UPDATE, [link_access(link)], detail="revoked")
    return link


# ---- opened and used by the link holder ---------------------------------------------------------------------


def _throttle_key(ip_address) -> str:
    return f"kring:link-tries:{ip_address or 'unknown'}"


def open_link(token: str, actor: Actor) -> PersonalLink:
    """The link for this secret, if it is valid. Wrong, expired and revoked links are refused alike (NotFound)
    and logged; an address that keeps trying is refused for a while (LinkThrottled).

    A valid link opens even from a throttled address: the throttle is there against guessing, and a family
    member on the same home or school network as the guesser holds their own secret (256 random bits, which no
    number of tries finds). While throttled, every secret that does not open a link gets the same 429, so the
    answer tells a guesser nothing it would not have told them before."""
    key = _throttle_key(actor.ip_address)
    link = None
    if isinstance(token, str) and 20 <= len(token) <= 100:
        link = (
            PersonalLink.objects.select_related("person", "plan", "plan__trajectory", "case", "organisation")
            .filter(token_digest=_digest(token))
            .first()
        )
    today = timezone.localdate()
    if link is not None and link.revoked_at is None and link.expires_on >= today and link.case.status != "closed":
        PersonalLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
        return link
    named = Access(
        "personal_link", link.pk if link else "", link.case_id if link else None, link.organisation_id if link else None
    )
    if cache.get(key, 0) >= LINK_TRIES:
        log_access(actor, Action.DENIED, [named], detail="throttled")
        raise LinkThrottled()
    # Count the wrong try. incr() on the database cache stores the new count with the cache's default timeout,
    # so the window is set again explicitly: it runs from the latest wrong try.
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
        if link.expires_on < today
        else "case closed"
    )
    log_access(actor, Action.DENIED, [named], detail=f"link {reason}")
    raise NotFound()


def _link_agreement(link, agreement_id, *, owner_only=False) -> Agreement:
    """Only the link holder's own agreements in force, as the link's page shows them (they carry them out or, unless
    ``owner_only``, stand in for them); stopped ones are gone from the page and so out of reach."""
    try:
        agreement_id = int(agreement_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < agreement_id < 2**63:  # beyond the database's integers: no such record
        raise NotFound()
    whose = Q(owner_person_id=link.person_id)
    if not owner_only:
        whose |= Q(backup_person_id=link.person_id)
    agreement = (
        Agreement.objects.select_for_update()
        .filter(whose, pk=agreement_id, plan_id=link.plan_id, in_force=True)
        .exclude(status=AgreementStatus.STOPPED)
        .first()
    )
    if agreement is None:
        raise NotFound()
    return agreement


def _refused_via_link(link, agreement_id, actor):
    """Log a link holder's try at an agreement that is not theirs (after the transaction rolled back)."""
    log_access(
        actor,
        Action.DENIED,
        [Access("agreement", str(agreement_id)[:64], link.case_id, link.organisation_id)],
        detail=f"not an agreement of personal link {link.pk}",
    )


def confirm_via_link(link, agreement_id, actor: Actor) -> Agreement:
    """The network member confirms they take this agreement on. Only its owner: ``confirmed_on`` says the owner
    took it on, which the backup person cannot say for them. Confirming again changes nothing."""
    try:
        with transaction.atomic():
            agreement = _link_agreement(link, agreement_id, owner_only=True)
            if agreement.confirmed_on is None:
                agreement.confirmed_on = timezone.localdate()
                agreement.version += 1
                agreement.save(update_fields=["confirmed_on", "version"])
            log_access(
                actor,
                Action.UPDATE,
                [agreement_access(agreement)],
                detail=f"confirmed via personal link {link.pk}",
            )
            return agreement
    except NotFound:
        _refused_via_link(link, agreement_id, actor)
        raise


def report_via_link(link, agreement_id, outcome, note, actor: Actor) -> AgreementReport:
    """The network member reports back: done, not done, or I need help."""
    try:
        with transaction.atomic():
            agreement = _link_agreement(link, agreement_id)
            report = apply_report(agreement, outcome, note, link=link)
            log_access(
                actor,
                Action.UPDATE,
                [agreement_access(agreement)],
                detail=f"report {outcome} via personal link {link.pk}"[:300],
            )
            return report
    except NotFound:
        _refused_via_link(link, agreement_id, actor)
        raise
