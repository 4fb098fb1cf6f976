"""Writes of safety alerts: raising one, acknowledging it, escalating what nobody acknowledged in time.

- ``raise_alert``: once per report (not done, or help asked for) and once per overdue due date (the ``key``);
  the people the follow-up alerts hear of it in their inbox too;
- ``acknowledge_alert``: someone of the case team says what they did (required); a stale form is refused, and so
  is anyone outside the case team (a team lead joins the case team first);
- ``escalate_alerts``: run by the worker's periodic scan; an alert open longer than the organisation's time goes
  to the lead of the team that owns the case, once;
- ``save_settings``: the organisation's time, kept by its team leads and administrators.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Membership, Role, TeamMember
from kring.audit.services import Access, Action, log_access
from kring.cases.editing import case_standing, lock_case, logs_refusal, validate
from kring.core.errors import NotFound, StaleEdit, form_version
from kring.inbox import kinds
from kring.inbox.services import notify, settle

from ..choices import AlertReason, ReportOutcome
from ..models import SafetyAlert, SafetyAlertSettings

RAISED = kinds.SAFETY_ALERT
ESCALATED = kinds.SAFETY_ALERT_ESCALATED
SETTINGS_ROLES = (Role.TEAM_LEAD, Role.ADMINISTRATOR)


def alert_access(alert) -> Access:
    return Access("safety_alert", alert.pk, alert.case_id, alert.organisation_id)


def case_url(case_id) -> str:
    return reverse("cases:detail", args=[case_id])


# ---- raising -----------------------------------------------------------------------------------------------


def raise_alert(agreement, today: date, *, report=None, notify_ids=()) -> SafetyAlert | None:
    """The alert of a safety agreement: for ``report`` (not done, or help asked for), else for being past its
    date. Once per report or due date; the new alert is put in the inbox of ``notify_ids`` (the case workers and
    whoever checks). None when it existed already."""
    if report is not None:
        reason = AlertReason.NOT_DONE if report.outcome == ReportOutcome.NOT_DONE else AlertReason.HELP_NEEDED
        key = f"report:{report.pk}"
    else:
        reason, key = AlertReason.OVERDUE, f"overdue:{agreement.pk}:{(agreement.due_on or today).isoformat()}"
    alert, created = SafetyAlert.objects.get_or_create(
        key=key,
        defaults={
            "agreement": agreement,
            "case_id": agreement.case_id,
            "organisation_id": agreement.organisation_id,
            "reason": reason,
            "report": report,
            "due_on": agreement.due_on,
            "raised_at": timezone.now(),
        },
    )
    if not created:
        return None
    if notify_ids:
        # Told once per agreement and day: a second report that day shows in the banner, without a second e-mail.
        _notify(RAISED, sorted(notify_ids), alert, key=f"{RAISED}:{agreement.pk}:{today.isoformat()}")
    return alert


def _notify(kind: str, user_ids, alert, key: str) -> None:
    """Through the inbox (which e-mails as each person chose); only the case number travels."""
    notify(
        kind, list(user_ids), organisation=alert.organisation_id, case=alert.case, link=case_url(alert.case_id), key=key
    )


# ---- acknowledging -----------------------------------------------------------------------------------------


@logs_refusal
@transaction.atomic
def acknowledge_alert(actor, case_id, alert_id, action_taken, expected_version) -> SafetyAlert:
    """Someone of the case team acknowledges the alert and says what they did about it."""
    case = lock_case(case_id, actor.user)
    alert = SafetyAlert.objects.select_for_update().filter(pk=alert_id, case=case).first()
    if alert is None:
        raise NotFound()
    role, _leads = case_standing(actor.user, case)
    if role is None:
        raise PermissionDenied(_("Only someone of the case team acknowledges a safety alert."))
    if form_version(expected_version) not in (None, alert.version):
        who = str(alert.acknowledged_by or _("someone else"))
        raise StaleEdit([(_("action taken"), "", alert.action_taken, who)])
    if alert.acknowledged_at:
        raise ValidationError({"__all__": [_("This safety alert was acknowledged already.")]})
    action_taken = str(action_taken or "").strip()
    if not action_taken:
        raise ValidationError({"action_taken": [_("Say what action was taken.")]})
    alert.action_taken = action_taken
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor.user
    alert.version += 1
    validate(alert, exclude=["agreement", "case", "organisation", "report", "acknowledged_by", "key"])
    alert.save()
    log_access(actor, Action.UPDATE, [alert_access(alert)], detail="safety alert acknowledged")
    _settle_told(alert)
    return alert


def _settle_told(alert) -> None:
    """An acknowledged alert is dealt with: its escalation leaves the team lead's unread count, and the case
    workers' notice of that day goes too once no alert of the same agreement and day is left open (one notice
    tells of all of them)."""
    settle(ESCALATED, f"{ESCALATED}:{alert.pk}")
    day = timezone.localdate(alert.raised_at)
    still_open = SafetyAlert.objects.filter(
        agreement_id=alert.agreement_id, acknowledged_at__isnull=True, raised_at__date=day
    ).exists()
    if not still_open:
        settle(RAISED, f"{RAISED}:{alert.agreement_id}:{day.isoformat()}")


# ---- escalating --------------------------------------------------------------------------------------------


def hours_for(organisation_id) -> int:
    found = SafetyAlertSettings.objects.filter(organisation_id=organisation_id).first()
    return found.escalate_after_hours if found else SafetyAlertSettings.DEFAULT_HOURS


def escalate_alerts(now: datetime | None = None) -> int:
    """Send each alert nobody acknowledged within its organisation's time to the lead of the team that owns the
    case, once (``escalated_at``; rows another run holds are skipped). Returns how many went."""
    now = now or timezone.now()
    hours = dict(SafetyAlertSettings.objects.values_list("organisation_id", "escalate_after_hours"))
    shortest = min([SafetyAlertSettings.DEFAULT_HOURS, *hours.values()])
    escalated = 0
    with transaction.atomic():
        open_alerts = (
            SafetyAlert.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                acknowledged_at__isnull=True, escalated_at__isnull=True, raised_at__lte=now - timedelta(hours=shortest)
            )
            .select_related("case", "organisation")
            .order_by("raised_at", "id")
        )
        for alert in open_alerts:
            limit = hours.get(alert.organisation_id, SafetyAlertSettings.DEFAULT_HOURS)
            if alert.raised_at > now - timedelta(hours=limit):
                continue
            alert.escalated_at = now
            alert.save(update_fields=["escalated_at"])
            _notify(ESCALATED, team_leads(alert.case), alert, key=f"{ESCALATED}:{alert.pk}")
            escalated += 1
    return escalated


def team_leads(case) -> list[int]:
    """The leads of the team that owns the case, while they hold an active team lead role at its organisation."""
    active = Membership.objects.filter(organisation_id=case.organisation_id, role=Role.TEAM_LEAD, active=True)
    return sorted(
        TeamMember.objects.filter(
            team_id=case.team_id, is_lead=True, user__is_active=True, user_id__in=active.values("user_id")
        ).values_list("user_id", flat=True)
    )


# ---- the organisation's time -------------------------------------------------------------------------------


def settings_organisations(user) -> list:
    return [m.organisation for m in user.active_memberships() if m.role in SETTINGS_ROLES]


@logs_refusal
@transaction.atomic
def save_settings(actor, organisation_id, hours) -> SafetyAlertSettings:
    """After how many hours an open safety alert goes to the team lead (1 to 168)."""
    if organisation_id not in {o.pk for o in settings_organisations(actor.user)}:
        raise PermissionDenied(_("Only team leads and functional administrators set when safety alerts escalate."))
    row, _created = SafetyAlertSettings.objects.select_for_update().get_or_create(organisation_id=organisation_id)
    row.escalate_after_hours = hours
    validate(row, exclude=["organisation"])
    row.save()
    log_access(
        actor,
        Action.UPDATE,
        [Access("safety_alert_settings", row.pk, None, organisation_id)],
        detail=f"escalate after {hours} hours",
    )
    return row
