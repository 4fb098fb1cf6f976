"""Small builders for test data. Plain functions: each says what it makes."""

import datetime
import itertools

from kring.accounts.models import Membership, Organisation, Role, Team, TeamMember, User
from kring.cases.choices import CaseRole
from kring.cases.models import Case, CaseTeamMember, Person
from kring.core.actor import Actor

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_organisation(jurisdiction="NL", name=None, code=None):
    n = next(_counter)
    return Organisation.objects.create(
        name=name or f"Organisation {n}", code=code or f"org{n}", jurisdiction=jurisdiction
    )


def make_team(organisation, name=None):
    return Team.objects.create(organisation=organisation, name=name or f"Team {next(_counter)}")


def make_user(organisation=None, role=None, team=None, is_lead=False, email=None, **extra):
    user = User.objects.create_user(email or f"user{next(_counter)}@example.org", PASSWORD, **extra)
    if organisation and role:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    if team:
        TeamMember.objects.create(team=team, user=user, is_lead=is_lead)
    return user


def make_case(team, case_worker=None, legal_context=None, persons=1, **fields):
    organisation = team.organisation
    legal_context = legal_context or ("nl_voluntary" if organisation.jurisdiction == "NL" else "vl_voluntary")
    n = next(_counter)
    case = Case.objects.create(
        organisation=organisation,
        team=team,
        number=f"{organisation.code.upper()}-T-{n:05d}",
        family_name=fields.pop("family_name", f"Familie Test{n}"),
        legal_context=legal_context,
        safety_concern=fields.pop("safety_concern", "some"),
        central_reason="Het kind staat centraal.",
        referral_date=fields.pop("referral_date", datetime.date(2026, 1, 15)),
        referral_route="professional",
        question="Wij willen dat het thuis rustiger wordt.",
        **fields,
    )
    for i in range(persons):
        Person.objects.create(
            case=case,
            organisation=organisation,
            first_name=f"Kind{i}",
            last_name=f"Test{n}",
            is_central=(i == 0),
            birth_date=datetime.date(2015, 3, 1),
        )
    if case_worker:
        CaseTeamMember.objects.create(case=case, organisation=organisation, user=case_worker, role=CaseRole.CASE_WORKER)
    return case


# What the case and person edit forms post, filled from a record; ``changes`` overrides fields.
def case_form_data(case, **changes):
    data = {
        "family_name": case.family_name,
        "team": case.team_id,
        "legal_context": case.legal_context,
        "safety_concern": case.safety_concern,
        "central_reason": case.central_reason,
        "referral_date": case.referral_date.isoformat(),
        "referrer_name": case.referrer_name,
        "referral_route": case.referral_route,
        "question": case.question,
        "concerns": case.concerns,
        "status": case.status,
        "closure_reason": case.closure_reason,
        "version": case.version,
    }
    data.update(changes)
    return data


def person_form_data(person, **changes):
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "gender": person.gender,
        "gender_description": person.gender_description,
        "relation": person.relation,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "language": person.language,
        "version": person.version,
    }
    for flag in ("is_central", "in_household", "interpreter_needed"):
        if getattr(person, flag):
            data[flag] = "on"
    data.update(changes)
    return data


def actor(user, ip="127.0.0.1"):
    return Actor(user=user, ip_address=ip)


__all__ = ["PASSWORD", "Role", "make_organisation", "make_team", "make_user", "make_case", "actor"]


def make_api_token(user, label="test") -> str:
    """Issue an API token for the user as an administrator would; returns the key (only its digest is stored)."""
    from kring.accounts.api_tokens import issue_token

    return issue_token(user, label=label)[1]


def enable_totp(user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"):
    """Give the user an authenticator app (as if they had scanned the QR code); returns the secret."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    return secret


def totp_code(secret):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def make_parent(case, first_name="Mama", relation="moeder"):
    """A parent of the case's child: who may consent for a child too young to consent alone."""
    return Person.objects.create(
        case=case,
        organisation=case.organisation,
        first_name=first_name,
        last_name="Ouder",
        relation=relation,
        birth_date=datetime.date(1985, 6, 1),
    )
