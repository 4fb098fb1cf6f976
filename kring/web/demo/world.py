"""The demo world's fixed points (reference date, password, seed) and its organisations, teams and staff."""

import datetime
from dataclasses import dataclass

from kring.accounts.models import Role

REFERENCE_DATE = datetime.date(2026, 11, 1)
DEMO_PASSWORD = "kring-demo-2026"
# Base32, as authenticator apps expect; one secret for every demo account that must use two-factor login.
DEMO_TOTP_SECRET = "DEMOKRINGTWEESTAPSVERIFICATIE234"
SEED = "kring-demo-2026"
# Written into the access log as the "page or endpoint", so the privacy officer can tell demo entries apart.
ACCESS_PATH = "manage.py demo_world"


# --- Organisations, teams and staff -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    region: str


@dataclass(frozen=True)
class OrganisationSpec:
    code: str
    name: str
    jurisdiction: str
    region: str
    teams: tuple
    coordinating_office: bool = False


@dataclass(frozen=True)
class MembershipSpec:
    organisation: str  # organisation code
    role: str
    team: str | None = None  # team key
    is_lead: bool = False


@dataclass(frozen=True)
class UserSpec:
    email: str
    first_name: str
    last_name: str
    memberships: tuple


ORGANISATIONS = (
    OrganisationSpec(
        "kom",
        "Kompas Jeugdhulp",
        "VL",
        "Oost-Vlaanderen",
        (
            TeamSpec("gent", "Team Gent", "Gent"),
            TeamSpec("meetjesland", "Team Meetjesland", "Eeklo"),
            TeamSpec("waasland", "Team Waasland", "Sint-Niklaas"),
        ),
    ),
    OrganisationSpec(
        "jbr",
        "Jeugdbescherming Rivierenland",
        "NL",
        "Gelderland",
        (
            TeamSpec("tiel", "Team Tiel", "Tiel"),
            TeamSpec("culemborg", "Team Culemborg-Zaltbommel", "Culemborg"),
        ),
    ),
    # A coordinating office: its independent coordinators are assigned to cases of other organisations.
    OrganisationSpec(
        "ekc",
        "Eigen Kracht Centrale regio Utrecht",
        "NL",
        "Utrecht",
        (TeamSpec("pool", "Pool regio Utrecht", "Utrecht"),),
        coordinating_office=True,
    ),
)


def _m(organisation, role, team=None, is_lead=False):
    return MembershipSpec(organisation, role, team, is_lead)


USERS = (
    # Kompas Jeugdhulp (Flanders)
    UserSpec("casemanager@kompas.demo", "Lotte", "Verhaeghe", (_m("kom", Role.CASE_WORKER, "gent"),)),
    UserSpec("hulpverlener@kompas.demo", "Jens", "Van Hecke", (_m("kom", Role.CASE_WORKER, "meetjesland"),)),
    UserSpec("begeleider@kompas.demo", "Amira", "Benali", (_m("kom", Role.CASE_WORKER, "waasland"),)),
    UserSpec("coordinator@kompas.demo", "Sofie", "De Wilde", (_m("kom", Role.COORDINATOR, "gent"),)),
    UserSpec("teamleider@kompas.demo", "Pieter", "De Clercq", (_m("kom", Role.TEAM_LEAD, "gent", True),)),
    UserSpec(
        "teamleider.meetjesland@kompas.demo", "Hilde", "Van Acker", (_m("kom", Role.TEAM_LEAD, "meetjesland", True),)
    ),
    UserSpec("teamleider.waasland@kompas.demo", "Bram", "Coppens", (_m("kom", Role.TEAM_LEAD, "waasland", True),)),
    UserSpec("onderzoeker@kompas.demo", "Elke", "Van Laere", (_m("kom", Role.RESEARCHER),)),
    UserSpec("beheerder@kompas.demo", "Koen", "Verstraete", (_m("kom", Role.ADMINISTRATOR),)),
    UserSpec("privacy@kompas.demo", "Griet", "Vanhove", (_m("kom", Role.PRIVACY_OFFICER),)),
    # Jeugdbescherming Rivierenland (the Netherlands)
    UserSpec("casemanager@rivierenland.demo", "Femke", "de Graaf", (_m("jbr", Role.CASE_WORKER, "tiel"),)),
    UserSpec(
        "jeugdbeschermer@rivierenland.demo", "Ruben", "van der Linden", (_m("jbr", Role.CASE_WORKER, "culemborg"),)
    ),
    UserSpec("coordinator@rivierenland.demo", "Naima", "Ouali", (_m("jbr", Role.COORDINATOR, "tiel"),)),
    UserSpec("teamleider@rivierenland.demo", "Marloes", "van Dijk", (_m("jbr", Role.TEAM_LEAD, "tiel", True),)),
    UserSpec(
        "teamleider.culemborg@rivierenland.demo", "Hans", "Kuipers", (_m("jbr", Role.TEAM_LEAD, "culemborg", True),)
    ),
    UserSpec("onderzoeker@rivierenland.demo", "Sanne", "Willemsen", (_m("jbr", Role.RESEARCHER),)),
    UserSpec("beheerder@rivierenland.demo", "Wouter", "Post", (_m("jbr", Role.ADMINISTRATOR),)),
    UserSpec("privacy@rivierenland.demo", "Esther", "Brouwer", (_m("jbr", Role.PRIVACY_OFFICER),)),
    # An independent coordinator who works for both organisations: one account, two memberships.
    UserSpec(
        "netwerkcoordinator@kring.demo",
        "Inge",
        "Verhoeven",
        (
            _m("kom", Role.COORDINATOR, "waasland"),
            _m("jbr", Role.COORDINATOR, "culemborg"),
        ),
    ),
    # The coordinating office: its team lead keeps the pool and confirms assignments; two independent coordinators.
    UserSpec("teamleider@eigenkracht.demo", "Marieke", "Jansen", (_m("ekc", Role.TEAM_LEAD, "pool", True),)),
    UserSpec("fatima@eigenkracht.demo", "Fatima", "El Idrissi", (_m("ekc", Role.COORDINATOR, "pool"),)),
    UserSpec("ayse@eigenkracht.demo", "Ayşe", "Yılmaz", (_m("ekc", Role.COORDINATOR, "pool"),)),
)


@dataclass(frozen=True)
class PoolSpec:
    email: str
    profile: dict


OFFICE = "ekc"
OFFICE_LEAD = "teamleider@eigenkracht.demo"
# The office's pool; the first is assigned to the demo's Eigen Kracht-conferentie (kring/web/demo/family.py).
POOL = (
    PoolSpec(
        "fatima@eigenkracht.demo",
        {
            "languages": "Nederlands, Arabisch, Berbers",
            "regions": "Utrecht, Rivierenland",
            "cultural_background": "Marokkaans",
        },
    ),
    PoolSpec(
        "ayse@eigenkracht.demo",
        {"languages": "Nederlands, Turks", "regions": "Utrecht, Amersfoort", "cultural_background": "Turks"},
    ),
)

TWO_FACTOR_ROLES = (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)
# What a functional administrator manages in the Django admin (see kring/accounts/admin.py).
