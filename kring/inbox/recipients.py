"""Who may be told about a case: people on its case team (by case role) and the team leads of its team. Both may
see the case (``kring.cases.queries.visible_cases``); ``notify`` further skips anyone not active at the
organisation."""

from __future__ import annotations

from kring.accounts.models import TeamMember
from kring.cases.models import CaseTeamMember


def case_team(case, *roles: str) -> list[int]:
    """User ids on the case team, with one of ``roles`` (any case role when none is given)."""
    members = CaseTeamMember.objects.filter(case_id=getattr(case, "pk", case))
    if roles:
        members = members.filter(role__in=roles)
    return list(members.values_list("user_id", flat=True))


def team_leads(case) -> list[int]:
    """User ids of the leads of the team that owns the case."""
    return list(TeamMember.objects.filter(team_id=case.team_id, is_lead=True).values_list("user_id", flat=True))
