"""The follow-up of an accepted plan: how its agreements are kept and how the plan is reviewed.

- reports on agreements, by a professional here or by the network member through their personal link
  (``links.services`` builds on ``apply_report``); what is not done or needs help alerts the case team at once;
- e-mail reminders to network members before their agreements are due;
- reviews: an extra review moment, and holding one (per agreement how it was kept, the safety scale again, and
  the decision, which may start a new version of the plan). The method's own review moments are planned when the
  plan is accepted (``services.decide_plan``).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kring.accounts.models import CASE_ROLES, Membership
from kring.audit.services import Action, log_access
from kring.cases.choices import CaseRole
from kring.cases.editing import lock_case, logs_refusal, refuse_if_stale, validate
from kring.cases.models import CaseTeamMember
from kring.core.history import set_history_user
from kring.trajectories.choices import DeadlineKind
from kring.trajectories.core import flow
from kring.trajectories.core.states import ACTIVE
from kring.trajectories.models import Reminder, Trajectory
from kring.trajectories.services import advance_on

from .alerts.services import raise_alert
from .choices import AgreementStatus, PlanStatus, ReportOutcome, ReviewDecision, ReviewKeeping
from .editing import (
    agreement_access,
    lock_record,
    open_plan,
    person_of_case,
    refuse_ended,
    refuse_unknown,
    review_access,
    save_new_version,
    team_user,
)
from .models import (
    Agreement,
    AgreementReport,
    MemberReminder,
    PersonalLink,
    Plan,
    Review,
    ReviewItem,
    SafetyScaleRating,
)
from .safety.services import score_of
from .services import start_new_edition

REVIEW_FIELDS = ["name", "planned_on"]


# ---- reports on agreements ---------------------------------------------------------------------------------


OUTCOME_STATUS = {
    ReportOutcome.DONE: AgreementStatus.DONE,
    ReportOutcome.NOT_DONE: AgreementStatus.NOT_DONE,
    ReportOutcome.HELP_NEEDED: AgreementStatus.HELP_NEEDED,
}


def apply_report(agreement, outcome, note, *, link=None, user=None) -> AgreementReport:
    if outcome not in ReportOutcome.values:
        raise ValidationError({"outcome": [_("Choose done, not done or I need help.")]})
    if not agreement.in_force:
        raise ValidationError({"__all__": [_("This agreement is not in force.")]})
    if agreement.status == AgreementStatus.STOPPED:
        raise ValidationError({"__all__": [_("This agreement was stopped.")]})
    if Trajectory.objects.filter(plan__pk=agreement.plan_id).exclude(status__in=ACTIVE).exists():
        raise ValidationError({"__all__": [_("This plan's trajectory has ended; reports are no longer taken.")]})
    note = str(note or "").strip()
    if "\x00" in note:  # no database keeps it in text
        raise ValidationError({"note": [_("The note contains a character that cannot be saved.")]})
    if len(note) > 4000:
        raise ValidationError({"note": [_("Keep the note under 4000 characters.")]})
    now = timezone.now()
    report = AgreementReport.objects.create(
        agreement=agreement,
        case_id=agreement.case_id,
        organisation_id=agreement.organisation_id,
        outcome=outcome,
        note=note,
        link=link,
        reported_by=user,
        reported_at=now,
    )
    agreement.status = OUTCOME_STATUS[outcome]
    agreement.last_reported_on = timezone.localdate()
    agreement.version += 1
    set_history_user(agreement, user)
    agreement.save()
    if outcome != ReportOutcome.DONE:
        alert_case_team(agreement, timezone.localdate(), outcome, report=report)
    return report


def alert_case_team(agreement, today: date, outcome: str | None = None, report=None) -> int:
    """Tell the case worker (and whoever checks) at once: a safety agreement not done or overdue is a safety
    alert (``alerts.services.raise_alert``: the banners until acknowledged, their inbox and e-mail) and a
    reminder on their work list; a request for help on another agreement appears in their work list. The reminder once per
    agreement, day and kind (its unique key), the alert once per report or due date."""
    kind = DeadlineKind.SAFETY_ALERT if agreement.is_safety else DeadlineKind.AGREEMENT
    if not agreement.is_safety and outcome != ReportOutcome.HELP_NEEDED:
        return 0
    # A request for help has its own subject: it must not coincide with the scan's reminder of the due date (the
    # same row would hide the request from whoever read that reminder already).
    subject = agreement_subject(agreement.pk) if agreement.is_safety else f"{HELP_SUBJECT}{agreement.pk}"
    # Need-to-know, as in the reminder scan: the case workers and the checker, while on the case team with an
    # active case role at the organisation.
    has_role = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id"), active=True, role__in=CASE_ROLES
    )
    whom = Q(role=CaseRole.CASE_WORKER)
    if agreement.checker_user_id:
        whom |= Q(user_id=agreement.checker_user_id)
    users = set(
        CaseTeamMember.objects.filter(whom, case_id=agreement.case_id, user__is_active=True)
        .filter(Exists(has_role))
        .values_list("user_id", flat=True)
    )
    trajectory_id = Plan.objects.filter(pk=agreement.plan_id).values_list("trajectory_id", flat=True).first()
    made = []
    for user_id in sorted(users):
        reminder, created = Reminder.objects.get_or_create(
            user_id=user_id,
            case_id=agreement.case_id,
            kind=kind,
            subject=subject,
            due_on=agreement.due_on or today,
            lead_days=0 if outcome else -1,
            defaults={"organisation_id": agreement.organisation_id, "trajectory_id": trajectory_id},
        )
        if created:
            made.append(reminder)
    if agreement.is_safety:
        # The alert goes to their inbox, and from there by e-mail (naming only the case number): that e-mail
        # stands for the reminders made here, so the reminder scan does not send them again.
        raise_alert(agreement, today, report=report, notify_ids=users)
        Reminder.objects.filter(pk__in=[r.pk for r in made]).update(emailed_at=timezone.now())
    return len(made)


AGREEMENT_SUBJECT = "agreement:"
HELP_SUBJECT = "help:"  # a request for help with an (ordinary) agreement


def agreement_subject(agreement_id) -> str:
    return f"{AGREEMENT_SUBJECT}{agreement_id}"


@logs_refusal
@transaction.atomic
def record_report(actor, case_id, agreement_id, outcome: str, note: str = "") -> AgreementReport:
    """A professional records how an agreement went (e.g. after a phone call with the owner)."""
    case = lock_case(case_id, actor.user)
    agreement = lock_record(Agreement, case, agreement_id)
    case, plan = open_plan(actor, case_id, agreement.plan_id)
    report = apply_report(agreement, outcome, note, user=actor.user)
    log_access(actor, Action.UPDATE, [agreement_access(agreement)], detail=f"report: {outcome}")
    return report


def remind_members(today: date, upcoming, stage_for) -> int:
    """E-mail network members before their agreements are due, once per agreement, date and lead time.

    ``upcoming``: (agreement id, organisation id, due date) of agreements in force; ``stage_for(org, due_on)``
    gives the lead time reached today (the organisation's reminder settings) or None. Only owners with an e-mail
    address and a personal link in force are written to: they agreed to hear from Kring that way. The e-mail
    names no case, family or agreement, only the date, and points to their own link."""
    due = {row[0]: row for row in upcoming}
    if not due:
        return 0
    now = timezone.now()
    holders = PersonalLink.objects.filter(revoked_at__isnull=True, expires_on__gte=today).values("person_id")
    owners = Agreement.objects.filter(
        pk__in=list(due), owner_person__email__gt="", owner_person_id__in=holders
    ).values_list("id", "owner_person_id")
    candidates = []
    for agreement_id, person_id in owners:
        _id, organisation_id, due_on = due[agreement_id]
        lead = stage_for(organisation_id, due_on)
        if lead is None or lead < 0:
            continue
        candidates.append(
            MemberReminder(
                agreement_id=agreement_id,
                organisation_id=organisation_id,
                person_id=person_id,
                due_on=due_on,
                lead_days=lead,
            )
        )
    if not candidates:
        return 0
    with transaction.atomic():
        MemberReminder.objects.bulk_create(candidates, ignore_conflicts=True)
        new = list(
            MemberReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(agreement_id__in=[c.agreement_id for c in candidates], created_at__gte=now, emailed_at__isnull=True)
            .select_related("person")
        )
        for reminder in new:
            # Members have no language setting; Dutch unless their stated home language is English.
            language = "en" if reminder.person.language.strip().lower() in ("en", "english", "engels") else "nl"
            with translation.override(language):
                subject = _("Reminder: an agreement of yours")
                body = _(
                    "You have an agreement that is to be done by %(date)s. Open the personal link you received "
                    "to see which one, and to let us know how it went."
                ) % {"date": date_format(reminder.due_on, "DATE_FORMAT")}
            send_mail(subject, body, None, [reminder.person.email])
        MemberReminder.objects.filter(pk__in=[r.pk for r in new]).update(emailed_at=timezone.now())
    return len(new)


@logs_refusal
@transaction.atomic
def add_review(actor, case_id, plan_id, data: dict) -> Review:
    """An extra review moment, e.g. one the family put in its plan."""
    case, plan = open_plan(actor, case_id, plan_id)
    refuse_ended(plan.trajectory)
    refuse_unknown(data, REVIEW_FIELDS)
    review = Review(
        plan=plan,
        case=case,
        organisation=case.organisation,
        code="extra",
        name=(data.get("name") or "").strip(),
        planned_on=data.get("planned_on"),
        plan_edition=plan.edition,
    )
    validate(review, exclude=["plan", "case", "organisation", "held_by"])
    set_history_user(review, actor.user)
    review.save()
    log_access(actor, Action.CREATE, [review_access(review)])
    return review


@logs_refusal
@transaction.atomic
def hold_review(
    actor,
    case_id,
    review_id,
    items: dict,
    decision: str,
    note: str = "",
    held_on=None,
    expected_version=None,
    ratings=(),
) -> Review:
    """Record a review: per agreement in force how it was kept, the safety scale again, and the decision.
    Adjusting starts a new version of the plan. ``items``: agreement id -> (keeping, note); ``ratings``: dicts
    with a ``person`` (of the case) or a ``rater_user`` (of the case team) and a ``score`` from 0 to 10."""
    case = lock_case(case_id, actor.user)
    review = lock_record(Review, case, review_id)
    case, plan = open_plan(actor, case_id, review.plan_id)
    refuse_if_stale(review, expected_version, REVIEW_FIELDS + ["held_on", "decision", "note"])
    if review.held_on:
        raise ValidationError({"__all__": [_("This review was already recorded.")]})
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": [_("Choose a decision from the list.")]})
    held_on = _held_on(held_on, plan)
    rows = _kept_items(review, plan, items)
    scale = _review_ratings(case, plan, ratings, held_on, actor.user)
    ReviewItem.objects.bulk_create(rows)
    for rating in scale:
        rating.review = review
    SafetyScaleRating.objects.bulk_create(scale)
    stopped = [row.agreement_id for row in rows if row.keeping == ReviewKeeping.STOPPED]
    if stopped:
        Agreement.objects.filter(pk__in=stopped).update(status=AgreementStatus.STOPPED)
    review.held_on, review.held_by, review.decision = held_on, actor.user, decision
    review.note = (note or "").strip()[:4000]
    review.plan_edition = plan.edition
    validate(review, exclude=["plan", "case", "organisation", "held_by"])
    save_new_version(review, actor)
    log_access(actor, Action.UPDATE, [review_access(review)], detail=f"review: {decision}")
    if decision == ReviewDecision.ADJUST and plan.status == PlanStatus.ACCEPTED:
        start_new_edition(actor, case_id, plan.pk, plan.version)
    # The review moves the trajectory as the method's table says: into follow-up, or closed when it closes the plan.
    event = flow.PLAN_CLOSED if decision == ReviewDecision.CLOSE else flow.REVIEW_HELD
    advance_on(event, plan.trajectory, actor, on=held_on, note=review.note[:2000])
    return review


def _held_on(held_on, plan) -> date:
    """The day the review was held: today unless given, not in the future, not before the plan was accepted."""
    held_on = held_on or timezone.localdate()
    if isinstance(held_on, str):
        try:
            held_on = date.fromisoformat(held_on)
        except ValueError:
            raise ValidationError({"held_on": [_("Enter a valid date.")]}) from None
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": [_("This date cannot be in the future.")]})
    if plan.accepted_on and held_on < plan.accepted_on:
        raise ValidationError({"held_on": [_("A review cannot be before the plan was accepted.")]})
    return held_on


def _kept_items(review, plan, items) -> list:
    """How each agreement in force was kept, one item each: every one of them judged, no other agreement."""
    agreements = {a.pk: a for a in plan.agreements.filter(in_force=True).exclude(status=AgreementStatus.STOPPED)}
    rows, errors = [], []
    items = {str(k): v for k, v in (items or {}).items()}
    for key in items:
        try:
            known = int(key) in agreements
        except ValueError:
            known = False
        if not known:
            errors.append(_("Unknown agreement."))
    for agreement_id, agreement in agreements.items():
        value = items.get(str(agreement_id))
        if value is None:
            errors.append(_("Say for every agreement how it was kept."))
            break
        keeping, item_note = (value.get("keeping"), value.get("note", "")) if isinstance(value, dict) else value
        if keeping not in ReviewKeeping.values:
            errors.append(_("Choose for every agreement how it was kept."))
            break
        rows.append(ReviewItem(review=review, agreement=agreement, keeping=keeping, note=(item_note or "")[:1000]))
    if errors:
        raise ValidationError({"items": sorted(set(errors))})
    return rows


def _review_ratings(case, plan, ratings, rated_on, user) -> list:
    """The safety scale as given at a review, checked like any rating (the Signs of Safety rules)."""
    made = []
    for rating in ratings or ():
        if not isinstance(rating, dict):
            raise ValidationError({"ratings": [_("Give each rating as a person or professional and a score.")]})
        person = person_of_case(case, rating.get("person"), "ratings")
        professional = team_user(case, rating.get("rater_user"), "ratings")
        if (person is None) == (professional is None):
            raise ValidationError(
                {"ratings": [_("Each rating is given by one person of the case or one professional of the case team.")]}
            )
        try:
            score = score_of(rating.get("score"))
        except ValidationError as error:
            raise ValidationError({"ratings": error.message_dict["score"]}) from None
        made.append(
            SafetyScaleRating(
                plan=plan,
                case=case,
                organisation=case.organisation,
                rated_on=rated_on,
                person=person,
                rater_user=professional,
                score=score,
                recorded_by=user,
                note=str(rating.get("note") or "")[:1000],
            )
        )
    return made
