"""Reads of safety alerts: the banners of the case page and the caseload, the header's count, one alert.

The banners start from the case's visibility query and log each alert they show, with the agreement and the
person who reported (the banner names them). The header names no one: it reads the case numbers of the open
alerts of the user's own cases (and, once escalated, of the teams they lead) in one query, and logs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from kring.accounts.models import CASE_ROLES, TeamMember
from kring.audit.services import Action, log_access, person_access
from kring.cases import queries as case_queries
from kring.cases.models import CaseTeamMember
from kring.core.errors import NotFound

from ..editing import agreement_access
from ..models import SafetyAlert, SafetyAlertSettings
from .services import alert_access

HEADER_LIMIT = 20


def _detailed(alerts):
    return alerts.select_related(
        "case", "agreement", "report", "report__link__person", "report__reported_by", "acknowledged_by"
    ).order_by("-raised_at", "-id")


def _log_shown(actor, alerts) -> None:
    accesses = []
    for alert in alerts:
        accesses += [alert_access(alert), agreement_access(alert.agreement)]
        if alert.report_id and alert.report.link_id:
            accesses.append(person_access(alert.report.link.person))
    if accesses:
        log_access(actor, Action.VIEW, accesses, detail="safety alert")


def case_alerts(actor, case) -> list[SafetyAlert]:
    """The open alerts of a case the page has already read through the visibility query; logged."""
    alerts = list(_detailed(SafetyAlert.objects.filter(case=case, acknowledged_at__isnull=True)))
    _log_shown(actor, alerts)
    return alerts


def caseload_alerts(actor) -> list[SafetyAlert]:
    """The open alerts of every case the user may see, newest first; logged."""
    visible = case_queries.visible_cases(actor.user)
    alerts = list(_detailed(SafetyAlert.objects.filter(acknowledged_at__isnull=True, case__in=visible)))
    _log_shown(actor, alerts)
    return alerts


def get_alert(actor, case_id, alert_id) -> SafetyAlert:
    """One alert of a visible case (for the acknowledgement page); logged. NotFound otherwise."""
    case = case_queries.get_case(actor, case_id, log=False)
    alert = _detailed(SafetyAlert.objects.filter(case=case, pk=alert_id)).first()
    if alert is None:
        raise NotFound()
    _log_shown(actor, [alert])
    return alert


@dataclass(frozen=True)
class HeaderAlert:
    case_id: int
    case_number: str


def header_alerts(user) -> list[HeaderAlert]:
    """The cases with an open alert for the header: the user's own cases (on the case team), and the cases of
    the teams they lead once an alert there was escalated; at the organisations where they hold an active case
    role. One query (the memberships are read already for the navigation), at most HEADER_LIMIT cases."""
    organisations = sorted({m.organisation_id for m in user.active_memberships() if m.role in CASE_ROLES})
    if not organisations:
        return []
    own = CaseTeamMember.objects.filter(user=user).values("case_id")
    led = TeamMember.objects.filter(user=user, is_lead=True).values("team_id")
    rows = (
        SafetyAlert.objects.filter(acknowledged_at__isnull=True, organisation_id__in=organisations)
        .filter(Q(case_id__in=own) | Q(escalated_at__isnull=False, case__team_id__in=led))
        .order_by("case_id")
        .values_list("case_id", "case__number")
        .distinct()[:HEADER_LIMIT]
    )
    return [HeaderAlert(case_id, number) for case_id, number in rows]


def settings_for(organisation) -> SafetyAlertSettings:
    found = SafetyAlertSettings.objects.filter(organisation=organisation).first()
    return found or SafetyAlertSettings(organisation=organisation)
