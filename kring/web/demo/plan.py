"""The plan of a case: everything it will hold, worked out before anything is written."""

import datetime
import random
from dataclasses import dataclass, field

from kring.accounts.models import Role
from kring.cases import consent_rules
from kring.cases.choices import (
    AuthorityKind,
    AuthoritySource,
    CaseRole,
    CaseStatus,
    ClosureReason,
    ConsentPurpose,
    LegalContext,
    SafetyConcern,
)
from kring.cases.models import search_key

from .families_nl import DUTCH_CASES
from .families_vl import FLEMISH_CASES
from .names import CHILD_NETWORK, GENDERS, NAMES, PARENT_NETWORK
from .specs import CaseSpec
from .world import ORGANISATIONS, REFERENCE_DATE, SEED, USERS

# In the order of the families' files: Flanders first, then the Netherlands.
CASES = FLEMISH_CASES + DUTCH_CASES


@dataclass
class ConsentPlan:
    person: int  # index into persons
    purpose: str
    given_on: datetime.date
    withdrawn_on: datetime.date | None = None
    note: str = ""


@dataclass
class AuthorityPlan:
    child: int  # index into persons
    kind: str
    starts_on: datetime.date
    source: str
    holder: int | None = None  # index into persons
    institution: str = ""
    court_reference: str = ""


@dataclass
class CasePlan:
    spec: CaseSpec
    number: str = ""
    referral_date: datetime.date = REFERENCE_DATE
    closed_on: datetime.date | None = None
    case_worker: str = ""  # e-mail
    persons: list = field(default_factory=list)  # dicts of PERSON_FIELDS
    team_additions: list = field(default_factory=list)  # (e-mail, case role)
    consents: list = field(default_factory=list)
    authorities: list = field(default_factory=list)

    @property
    def status(self):
        return self.spec.status.split(":")[0]

    @property
    def closure_reason(self):
        return self.spec.status.split(":")[1] if ":" in self.spec.status else ""


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def jurisdiction_of(spec: CaseSpec) -> str:
    return next(o.jurisdiction for o in ORGANISATIONS if o.code == spec.organisation)


def _slug(text: str) -> str:
    return "".join(ch for ch in search_key(text) if ch.isalnum())


def _rng(spec: CaseSpec) -> random.Random:
    # One generator per case, seeded by what identifies it: a case's data does not depend on the others.
    return random.Random(f"{SEED}:{spec.organisation}:{spec.family}")


def _dates(spec: CaseSpec, rng: random.Random):
    status, _sep, reason = spec.status.partition(":")
    if status == CaseStatus.REFERRED:
        return REFERENCE_DATE - datetime.timedelta(days=rng.randint(3, 45)), None
    if status == CaseStatus.ACTIVE:
        return REFERENCE_DATE - datetime.timedelta(days=rng.randint(50, 300)), None
    referral = REFERENCE_DATE - datetime.timedelta(days=rng.randint(200, 640))
    # Families who drop out or turn out not to fit leave early; others stay until a plan is made and reviewed.
    early = reason in (ClosureReason.NOT_ELIGIBLE, ClosureReason.FAMILY_WITHDREW)
    length = rng.randint(10, 60) if early else rng.randint(60, 280)
    closed = min(referral + datetime.timedelta(days=length), REFERENCE_DATE - datetime.timedelta(days=3))
    return referral, closed


def _language(spec: CaseSpec, age: int) -> str:
    # Children of families who speak another language at home usually speak Dutch as well.
    if spec.language != "Nederlands" and age < 18:
        return f"{spec.language} en Nederlands"
    return spec.language


def _person(
    spec,
    rng,
    referral,
    first,
    last,
    sex,
    age,
    relation,
    *,
    central=False,
    home=False,
    interpreter=False,
    language=None,
    birth_date=None,
):
    birth_date = birth_date or (years_before(referral, age) - datetime.timedelta(days=rng.randint(0, 364)))
    email = ""
    if age >= 18 and rng.random() < 0.3:
        email = f"{_slug(first)}.{_slug(last)}@example.org"
    return {
        "first_name": first,
        "last_name": last,
        "birth_date": birth_date,
        "gender": GENDERS[sex],
        "relation": relation,
        "is_central": central,
        "in_household": home,
        "email": email,
        "address": spec.town if home else "",
        "language": language or _language(spec, age),
        "interpreter_needed": interpreter,
    }


def _persons(spec: CaseSpec, rng: random.Random, referral: datetime.date) -> list[dict]:
    persons = []
    for p in spec.persons:
        birth_date = persons[-1]["birth_date"] if p.twin else None
        persons.append(
            _person(
                spec,
                rng,
                referral,
                p.first_name,
                p.last_name or spec.family,
                p.sex,
                p.age,
                p.relation,
                central=p.central,
                home=p.home,
                interpreter=p.interpreter,
                birth_date=birth_date,
            )
        )
    jurisdiction = jurisdiction_of(spec)
    central = spec.persons[0]
    pool = PARENT_NETWORK if central.age >= 18 else CHILD_NETWORK[jurisdiction]
    taken = {p.relation for p in spec.persons}
    pool = [entry for entry in pool if entry[0] not in taken]
    low, high = spec.extra
    count = rng.randint(low, high)
    count = max(3 - len(persons), min(count, 8 - len(persons)))
    mother = next((p for p in spec.persons if p.relation == "moeder"), None)
    family_names = NAMES.get(spec.language, NAMES[jurisdiction])
    for relation, sex, youngest, oldest, side, local in rng.sample(pool, count):
        names = NAMES[jurisdiction] if local else family_names
        first = rng.choice(names[sex])
        if side == "family":
            last = spec.family
        elif side == "mother" and mother:
            last = mother.last_name or spec.family
        elif side == "central":
            last = central.last_name or spec.family
        else:
            last = rng.choice(names["last"])
        if spec.language == "Pools" and sex == "v" and last.endswith("ski"):
            last = last[:-1] + "a"  # Polish family names take the feminine form
        language = "Nederlands" if local else spec.language
        interpreter = not local and spec.language != "Nederlands" and youngest >= 55 and rng.random() < 0.5
        persons.append(
            _person(
                spec,
                rng,
                referral,
                first,
                last,
                sex,
                rng.randint(youngest, oldest),
                relation,
                interpreter=interpreter,
                language=language,
            )
        )
    return persons


# The institution that holds the guardianship of the demo's children under a guardianship measure.
GUARDIAN_INSTITUTION = "Jeugdbescherming Gelderland (gecertificeerde instelling)"


def _authorities(plan: CasePlan) -> list[AuthorityPlan]:
    """Who holds parental authority over each child of the case (decision 161): under a guardianship measure the
    certified institution, by a court decision; otherwise the parents of the case, by law, from the birth."""
    rng = random.Random(f"{SEED}:{plan.spec.organisation}:{plan.spec.family}:authority")
    persons = plan.persons
    found = []
    for index, child in enumerate(persons):
        if not child["is_central"] or consent_rules.age_on(child["birth_date"], plan.referral_date) >= 18:
            continue
        if plan.spec.legal_context == LegalContext.NL_GUARDIANSHIP:
            earliest = child["birth_date"] + datetime.timedelta(days=365)
            start = max(earliest, years_before(plan.referral_date, rng.randint(1, 4)))
            found.append(
                AuthorityPlan(
                    index,
                    AuthorityKind.INSTITUTION,
                    start,
                    AuthoritySource.COURT,
                    institution=GUARDIAN_INSTITUTION,
                    court_reference=f"C/05/{rng.randint(300000, 399999)} / JE RK {start.year % 100:02d}-{rng.randint(100, 999)}",
                )
            )
            continue
        # The parents of the (first) central person: a parent word that does not place somebody else ("vader van
        # Jaylen" is the father of the baby, not of its mother).
        parents = [
            i
            for i, person in enumerate(persons)
            if not person["is_central"]
            and consent_rules.is_parent_relation(person["relation"])
            and " van " not in person["relation"]
            and consent_rules.age_on(person["birth_date"], child["birth_date"]) >= 18
        ]
        mother = next((i for i, p in enumerate(persons) if p["is_central"] and i != index), None)
        if child["relation"].split(" ")[0] in ("zoon", "dochter") and mother is not None:
            # The child of a central person. A minor mother holds no authority: until then a guardian appointed by
            # the court does (her own parent, in the demo).
            if consent_rules.age_on(persons[mother]["birth_date"], child["birth_date"]) >= 18:
                found.append(
                    AuthorityPlan(index, AuthorityKind.PARENT, child["birth_date"], AuthoritySource.BY_LAW, mother)
                )
            for guardian in parents[:1]:
                start = child["birth_date"] + datetime.timedelta(days=rng.randint(10, 40))
                reference = f"C/05/{rng.randint(300000, 399999)} / FA RK {start.year % 100:02d}-{rng.randint(100, 999)}"
                found.append(
                    AuthorityPlan(
                        index, AuthorityKind.GUARDIAN, start, AuthoritySource.COURT, guardian, court_reference=reference
                    )
                )
            continue
        for holder in parents:
            found.append(
                AuthorityPlan(index, AuthorityKind.PARENT, child["birth_date"], AuthoritySource.BY_LAW, holder)
            )
    return found


def _givers(plan: CasePlan, day: datetime.date) -> list[int]:
    """The persons whose consent together completes a purpose on ``day``, by the consent rules of the case's
    jurisdiction: per child the holders of authority (all of them where the rules ask for all, else one living with the
    child first), the child, or both."""
    jurisdiction = jurisdiction_of(plan.spec)
    persons = plan.persons
    givers: list[int] = []
    for index, child in enumerate(persons):
        if not child["is_central"]:
            continue
        age = consent_rules.age_on(child["birth_date"], day)
        who = consent_rules.CHILD if age >= 18 else consent_rules.who_consents(jurisdiction, age)
        if who in (consent_rules.CHILD, consent_rules.BOTH):
            givers.append(index)
        if who in (consent_rules.HOLDERS, consent_rules.BOTH):
            holders = [
                a.holder for a in plan.authorities if a.child == index and a.holder is not None and a.starts_on <= day
            ]
            holders.sort(key=lambda i: not persons[i]["in_household"])
            if consent_rules.holder_rule(jurisdiction) == consent_rules.ALL_HOLDERS:
                givers.extend(holders)  # every holder in force (decision 217)
            elif holders:
                givers.append(holders[0])
    return sorted(set(givers))


def _consents(plan: CasePlan, rng: random.Random) -> list[ConsentPlan]:
    """The consents of the case, each given by somebody who may give it (decision 161): every purpose by each of
    the givers the rules ask for. A child under guardianship of an institution that no person of the case acts for
    has no holder to consent: the case shows what is missing."""
    persons = plan.persons
    last_day = plan.closed_on or REFERENCE_DATE - datetime.timedelta(days=1)
    first_day = min(plan.referral_date + datetime.timedelta(days=rng.randint(2, 14)), last_day)
    givers = _givers(plan, first_day)
    if not givers:
        return []
    note = rng.choice(
        [
            "Mondeling gegeven tijdens het kennismakingsgesprek.",
            "Schriftelijk gegeven, formulier in het dossier.",
            "Gegeven na uitleg met tolk." if persons[givers[0]]["interpreter_needed"] else "Gegeven thuis.",
        ]
    )

    def each(purpose, day, note=note):
        return [ConsentPlan(giver, purpose, day, note=note) for giver in _givers(plan, day)]

    if plan.status == CaseStatus.REFERRED:
        return each(ConsentPurpose.CONTACT_NETWORK, first_day) if rng.random() < 0.5 else []
    consents = each(ConsentPurpose.CONTACT_NETWORK, first_day)
    if plan.closure_reason == ClosureReason.NOT_ELIGIBLE:
        return consents
    consents += each(ConsentPurpose.SHARE_WITH_NETWORK, first_day)
    if rng.random() < 0.5:
        consents += each(ConsentPurpose.SHARE_WITH_PROFESSIONALS, first_day)
    if plan.closure_reason in (ClosureReason.PLAN_IN_PLACE, ClosureReason.GOALS_REACHED):
        plan_day = max(first_day, last_day - datetime.timedelta(days=rng.randint(10, 40)))
        consents += each(ConsentPurpose.SHARE_PLAN, plan_day, note="Bij de presentatie van het plan.")
    if rng.random() < 0.5:
        research = each(ConsentPurpose.RESEARCH, first_day)
        if rng.random() < 0.3:  # some families change their mind about research
            withdrawn = min(first_day + datetime.timedelta(days=rng.randint(20, 120)), last_day)
            for consent in research:
                consent.withdrawn_on = withdrawn
        consents += research
    if plan.closure_reason == ClosureReason.FAMILY_WITHDREW:
        withdrawn = max(first_day, last_day - datetime.timedelta(days=rng.randint(0, 5)))
        for consent in consents:
            if consent.purpose == ConsentPurpose.CONTACT_NETWORK:
                consent.withdrawn_on = withdrawn
    return consents


def _case_team(spec: CaseSpec, plan: CasePlan, rng: random.Random, index: int) -> list[tuple[str, str]]:
    if plan.status == CaseStatus.REFERRED or plan.closure_reason == ClosureReason.NOT_ELIGIBLE:
        return []
    coordinators = [
        u.email
        for u in USERS
        if any(m.organisation == spec.organisation and m.role == Role.COORDINATOR for m in u.memberships)
    ]
    # Alternate rather than draw, so the coordinator who works for both organisations has cases at both.
    additions = [(coordinators[index % len(coordinators)], CaseRole.COORDINATOR)]
    if rng.random() < 0.2:
        others = [email for email in _staff(spec.organisation, Role.CASE_WORKER) if email != plan.case_worker]
        if others:
            additions.append((rng.choice(others), CaseRole.CO_WORKER))
    if spec.safety in (SafetyConcern.SERIOUS, SafetyConcern.ACUTE) and rng.random() < 0.5:
        additions.append((_staff(spec.organisation, Role.TEAM_LEAD, spec.team)[0], CaseRole.TEAM_LEAD))
    return additions


def _staff(organisation: str, role: str, team: str | None = None) -> list[str]:
    return [
        u.email
        for u in USERS
        for m in u.memberships
        if m.organisation == organisation and m.role == role and (team is None or m.team == team)
    ]


def plan_world() -> list[CasePlan]:
    """Every case of the demo world with its persons, case team and consents, in referral order."""
    plans = []
    index_per_organisation = {}
    for spec in CASES:
        rng = _rng(spec)
        plan = CasePlan(spec)
        plan.referral_date, plan.closed_on = _dates(spec, rng)
        plan.case_worker = _staff(spec.organisation, Role.CASE_WORKER, spec.team)[0]
        plan.persons = _persons(spec, rng, plan.referral_date)
        index = index_per_organisation.get(spec.organisation, 0)
        index_per_organisation[spec.organisation] = index + 1
        plan.team_additions = _case_team(spec, plan, rng, index)
        plan.authorities = _authorities(plan)
        plan.consents = _consents(plan, rng)
        plans.append(plan)
    plans.sort(key=lambda p: (p.referral_date, p.spec.organisation, p.spec.family))
    # Number in referral order per organisation and year, the way the case services hand them out.
    counters = {}
    for plan in plans:
        key = (plan.spec.organisation, plan.referral_date.year)
        counters[key] = counters.get(key, 0) + 1
        plan.number = f"{plan.spec.organisation.upper()}-{plan.referral_date.year}-{counters[key]:04d}"
    return plans
