"""Writing the demo world through the services, counting it, and the table of demo logins."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kring.accounts.models import Membership, Organisation, Team, TeamMember, User
from kring.cases import services
from kring.cases.choices import (
    CaseStatus,
    ClosureReason,
)
from kring.cases.models import Case, CaseNumberSequence, CaseTeamMember, Consent, Person
from kring.core.actor import Actor
from kring.network import services as network_services
from kring.network.intake import links_from_relations
from kring.network.models import NetworkMember, Relationship, SystemTie

from . import family
from .network import plan_network
from .plan import CasePlan, plan_world
from .world import ACCESS_PATH, DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANISATIONS, TWO_FACTOR_ROLES, USERS

# A fixed salt makes the demo password hash identical on every run: hashed once (fast), and a second run
# can tell by comparing strings that nothing needs to change. Long enough that Django does not re-hash it.
PASSWORD_SALT = "kringDemoWereld2026VasteZout"


# --- Writing ----------------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    cases_created: int = 0
    users_created: int = 0
    network_records_created: int = 0
    stage_records_created: int = 0


def demo_emails() -> list[str]:
    return [u.email for u in USERS]


def demo_organisation_codes() -> list[str]:
    return [o.code for o in ORGANISATIONS]


def _save_changes(instance, values: dict) -> bool:
    """Set only the fields that differ and save only then, so a second run writes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance.save(update_fields=changed)
    return bool(changed)


def _ensure_organisations():
    organisations, teams = {}, {}
    for spec in ORGANISATIONS:
        organisation, _created = Organisation.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "jurisdiction": spec.jurisdiction, "region": spec.region}
        )
        _save_changes(
            organisation,
            {
                "name": spec.name,
                "jurisdiction": spec.jurisdiction,
                "region": spec.region,
                "is_coordinating_office": spec.coordinating_office,
            },
        )
        organisations[spec.code] = organisation
        for team_spec in spec.teams:
            team, _created = Team.objects.get_or_create(
                organisation=organisation, name=team_spec.name, defaults={"region": team_spec.region}
            )
            _save_changes(team, {"region": team_spec.region})
            teams[(spec.code, team_spec.key)] = team
    return organisations, teams


def _ensure_totp(user):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from allauth.mfa.utils import decrypt

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing and decrypt(existing.data.get("secret", "")) == DEMO_TOTP_SECRET:
        return
    if existing:  # someone set up another authenticator: put the printed demo secret back
        existing.delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)


def _ensure_users(organisations, teams) -> tuple[dict, int]:
    password = make_password(DEMO_PASSWORD, salt=PASSWORD_SALT)
    users, created_count = {}, 0
    for spec in USERS:
        roles = {m.role for m in spec.memberships}
        values = {
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "is_active": True,
            "is_staff": False,  # the admin site admits functional administrators by role (accounts/admin_site.py)
            "is_superuser": False,
            "password": password,
        }
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = User.objects.create(email=spec.email, **values)
            created_count += 1
        else:
            _save_changes(user, values)
        for m in spec.memberships:
            membership, _created = Membership.objects.get_or_create(
                user=user, organisation=organisations[m.organisation], role=m.role
            )
            _save_changes(membership, {"active": True})
            if m.team:
                member, _created = TeamMember.objects.get_or_create(
                    team=teams[(m.organisation, m.team)], user=user, defaults={"is_lead": m.is_lead}
                )
                _save_changes(member, {"is_lead": m.is_lead})
        if roles & set(TWO_FACTOR_ROLES):
            _ensure_totp(user)
        users[spec.email] = user
    # Fresh objects: the services cache roles on the user object.
    return {email: User.objects.get(pk=user.pk) for email, user in users.items()}, created_count


def _create_case(plan: CasePlan, organisation, team, users) -> Case:
    spec = plan.spec
    actor = Actor(user=users[plan.case_worker], ip_address=None, path=ACCESS_PATH)
    data = {
        "family_name": f"Familie {spec.family}",
        "team": team,
        "legal_context": spec.legal_context,
        "safety_concern": spec.safety,
        "central_reason": spec.central_reason,
        "referral_date": plan.referral_date,
        "referrer_name": spec.referrer,
        "referral_route": spec.route,
        "question": spec.question,
        "concerns": spec.concerns,
    }
    # The services number cases from a sequence. Point the sequence just below the number this case must
    # have, so the referral gets its fixed number (the key that makes the build idempotent); afterwards put it
    # back at or beyond where it was, so later referrals made in the application never collide.
    year = plan.referral_date.year
    wanted = int(plan.number.rsplit("-", 1)[1])
    sequence, _created = CaseNumberSequence.objects.get_or_create(organisation=organisation, year=year)
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=wanted - 1)
    case = services.create_referral(actor, organisation, data, plan.persons)
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=max(sequence.last, wanted))
    if case.number != plan.number:
        raise RuntimeError(f"Expected case number {plan.number}, got {case.number}.")

    if plan.status in (CaseStatus.ACTIVE, CaseStatus.CLOSED) and plan.closure_reason != ClosureReason.NOT_ELIGIBLE:
        services.update_case(actor, case.pk, {"status": CaseStatus.ACTIVE}, None)
    for email, role in plan.team_additions:
        services.add_team_member(actor, case.pk, users[email].pk, role)
    persons = list(case.persons.order_by("pk"))
    for authority in plan.authorities:
        services.record_authority(
            actor,
            case.pk,
            {
                "child": persons[authority.child],
                "kind": authority.kind,
                "holder": persons[authority.holder] if authority.holder is not None else None,
                "institution": authority.institution,
                "source": authority.source,
                "court_reference": authority.court_reference,
                "starts_on": authority.starts_on,
            },
        )
    for consent_plan in plan.consents:
        consent = services.record_consent(
            actor,
            case.pk,
            {
                "person": persons[consent_plan.person],
                "purpose": consent_plan.purpose,
                "given_on": consent_plan.given_on,
                "note": consent_plan.note,
            },
        )
        if consent_plan.withdrawn_on:
            services.withdraw_consent(actor, case.pk, consent.pk, consent_plan.withdrawn_on, None)
    if plan.status == CaseStatus.CLOSED:
        # update_case dates a closure today; set the planned date first, which it then keeps.
        Case.objects.filter(pk=case.pk).update(closed_on=plan.closed_on)
        services.update_case(actor, case.pk, {"status": CaseStatus.CLOSED, "closure_reason": plan.closure_reason}, None)
    return case


def _ensure_network(plan: CasePlan, case: Case, users) -> int:
    """Add what is missing of the case's planned network, through the network services, as the case worker.
    Members, relationships (by case, kind, subtype and persons) and system ties (by case, system and person)
    that exist are left alone. Returns how many records were added."""
    net = plan_network(plan)
    actor = Actor(user=users[plan.case_worker], ip_address=None, path=ACCESS_PATH)
    by_key = {(p.first_name, p.last_name, p.birth_date): p for p in case.persons.all()}
    people = [by_key.get((d["first_name"], d["last_name"], d["birth_date"])) for d in plan.persons]
    members = set(NetworkMember.objects.filter(case=case).values_list("person_id", flat=True))
    relationships = set(
        Relationship.objects.filter(case=case).values_list("kind", "subtype", "person_a_id", "person_b_id")
    )
    parent_links = {(a, b) for kind, _subtype, a, b in relationships if kind == "parent"}
    ties = set(SystemTie.objects.filter(case=case).values_list("system", "person_id"))
    added = 0
    for index, data in net.members.items():
        person = people[index]
        if person is not None and person.pk not in members:
            network_services.save_member(actor, case.pk, person.pk, data)
            added += 1
    for r in net.relationships:
        a, b = people[r.a], people[r.b]
        if a is None or b is None or (r.kind, r.subtype, a.pk, b.pk) in relationships:
            continue
        if r.kind == "parent" and (a.pk, b.pk) in parent_links:  # recorded with another subtype since
            continue
        try:
            network_services.add_relationship(
                actor,
                case.pk,
                {
                    "kind": r.kind,
                    "subtype": r.subtype,
                    "person_a": a.pk,
                    "person_b": b.pk,
                    "start": r.start,
                    "end": r.end,
                    "note": r.note,
                },
            )
        except ValidationError:  # the network was changed by hand so that this no longer fits
            continue
        added += 1
    for tie in net.ties:
        person = people[tie["person"]] if tie["person"] is not None else None
        if tie["person"] is not None and person is None:
            continue
        if (tie["system"], person.pk if person else None) in ties:
            continue
        network_services.add_system_tie(actor, case.pk, {**tie, "person": person.pk if person else None})
        added += 1
    # What the relations typed at intake draw (siblings, for one), as the referral did when the case was made.
    added += len(links_from_relations(actor, case, [p for p in people if p is not None]))
    return added


@transaction.atomic
def build_world() -> BuildResult:
    """Create whatever part of the demo world is missing; leave what exists as it is. All or nothing."""
    organisations, teams = _ensure_organisations()
    users, users_created = _ensure_users(organisations, teams)
    result = BuildResult(users_created=users_created)
    for plan in plan_world():
        organisation = organisations[plan.spec.organisation]
        case = Case.objects.filter(organisation=organisation, number=plan.number).first()
        if case is None:
            case = _create_case(plan, organisation, teams[(plan.spec.organisation, plan.spec.team)], users)
            result.cases_created += 1
        result.network_records_created += _ensure_network(plan, case, users)
    # Later stages add their part, in journey order, each through its own services.
    from kring.documents import demo as documents_demo
    from kring.evaluation import demo as evaluation_demo
    from kring.journal import demo as journal_demo
    from kring.measures import demo as measures_demo
    from kring.meetings import demo as meetings_demo
    from kring.methods import demo as methods_demo
    from kring.plans import demo as plans_demo
    from kring.trajectories import demo as trajectories_demo

    for stage in (
        journal_demo,
        methods_demo,
        trajectories_demo,
        meetings_demo,
        plans_demo,
        documents_demo,
        measures_demo,
        evaluation_demo,
    ):
        result.stage_records_created += stage.ensure(organisations, users)
    # The family's side: the coordinating office's pool, an independent coordinator assigned, a conference prepared.
    result.stage_records_created += family.ensure(organisations, users)
    return result


def world_counts() -> dict:
    """How much of the demo world is in the database."""
    organisations = Organisation.objects.filter(code__in=demo_organisation_codes())
    cases = Case.objects.filter(organisation__in=organisations)
    return {
        "organisations": organisations.count(),
        "teams": Team.objects.filter(organisation__in=organisations).count(),
        "users": User.objects.filter(email__in=demo_emails()).count(),
        "cases": cases.count(),
        "persons": Person.objects.filter(case__in=cases).count(),
        "case team members": CaseTeamMember.objects.filter(case__in=cases).count(),
        "consents": Consent.objects.filter(case__in=cases).count(),
        "network members": NetworkMember.objects.filter(case__in=cases).count(),
        "relationships": Relationship.objects.filter(case__in=cases).count(),
        "ties to systems": SystemTie.objects.filter(case__in=cases).count(),
    }


# --- The logins table -------------------------------------------------------------------------------------


def login_rows() -> list[tuple[str, str, str, bool]]:
    """(e-mail, role, organisation, needs two-factor) per role of each demo account that exists."""
    users = {
        u.email: u for u in User.objects.filter(email__in=demo_emails()).prefetch_related("memberships__organisation")
    }
    rows = []
    for spec in USERS:
        user = users.get(spec.email)
        if user is None:
            continue
        memberships = sorted(
            (m for m in user.memberships.all() if m.active), key=lambda m: m.organisation.code, reverse=True
        )
        for membership in memberships:
            rows.append(
                (spec.email, membership.role, membership.organisation.name, membership.role in TWO_FACTOR_ROLES)
            )
    return rows


def format_logins(rows) -> str:
    if not rows:
        return "There is no demo world in this database (run: manage.py demo_world)."
    header = ("e-mail", "role", "organisation", "password", "two-factor")
    table = [header] + [
        (email, role, organisation, DEMO_PASSWORD, "TOTP *" if totp else "") for email, role, organisation, totp in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["Demo logins (every account has the password %s):" % DEMO_PASSWORD, ""]
    for i, row in enumerate(table):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * width for width in widths))
    lines += [
        "",
        f"* Administrators and privacy officers log in with a one-time code. Add this secret to an "
        f"authenticator app (time-based, 6 digits): {DEMO_TOTP_SECRET}",
        "  Demo accounts only: never use this password or secret for real data.",
    ]
    return "\n".join(lines)
