"""The demo world: two fictitious organisations, their staff in every role, and about forty families.

Built by ``manage.py demo_world`` so that a newcomer, a tester or a reviewer can log in and find realistic
cases in every legal context, status and closure reason of both jurisdictions.

The world is deterministic and idempotent:
- every date is derived from ``REFERENCE_DATE`` (never from today), and every random choice comes from a
  ``random.Random`` seeded per case, so two builds on two machines produce the same data;
- records are keyed by what identifies them (organisation code, team name, e-mail, case number); what exists
  is left alone, so a second run changes nothing.

Cases are written through the case services (``kring.cases.services``) by the case worker of the case, so
the change history and the access log look like those of real work.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kring.accounts.models import Membership, Organisation, Role, Team, TeamMember, User
from kring.cases import services
from kring.cases.choices import (
    CaseRole,
    CaseStatus,
    ClosureReason,
    ConsentPurpose,
    Gender,
    LegalContext,
    ReferralRoute,
    SafetyConcern,
)
from kring.cases.models import Case, CaseNumberSequence, CaseTeamMember, Consent, Person, search_key
from kring.core.actor import Actor
from kring.network import services as network_services
from kring.network.models import NetworkMember, Relationship, SystemTie

REFERENCE_DATE = datetime.date(2026, 11, 1)
DEMO_PASSWORD = "kring-demo-2026"
# Base32, as authenticator apps expect; one secret for every demo account that must use two-factor login.
DEMO_TOTP_SECRET = "DEMOKRINGTWEESTAPSVERIFICATIE234"
SEED = "kring-demo-2026"
# Written into the access log as the "page or endpoint", so the privacy officer can tell demo entries apart.
ACCESS_PATH = "manage.py demo_world"
# A fixed salt makes the demo password hash identical on every run: hashed once (fast), and a second run
# can tell by comparing strings that nothing needs to change. Long enough that Django does not re-hash it.
_PASSWORD_SALT = "kringDemoWereld2026VasteZout"


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
)

TWO_FACTOR_ROLES = (Role.ADMINISTRATOR, Role.PRIVACY_OFFICER)
# What a functional administrator manages in the Django admin (see kring/accounts/admin.py).


# --- Families ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSpec:
    first_name: str
    sex: str  # v(rouw), m(an), x (non-binary), ? (not stated)
    age: int  # at the referral date
    relation: str = ""
    last_name: str | None = None  # None: the case's family name
    home: bool = True
    central: bool = False
    interpreter: bool = False
    twin: bool = False  # born on the same day as the person before


def C(first_name, sex, age, **extra):
    """The (or a) central person of a case."""
    return PersonSpec(first_name, sex, age, extra.pop("relation", ""), central=True, **extra)


P = PersonSpec


@dataclass(frozen=True)
class CaseSpec:
    organisation: str
    team: str
    family: str
    town: str
    legal_context: str
    safety: str
    route: str
    referrer: str
    status: str  # "referred", "active" or "closed:<closure reason>"
    question: str
    concerns: str
    central_reason: str
    persons: tuple
    language: str = "Nederlands"
    extra: tuple = (1, 4)  # how many network members (grandparents, neighbours, ...) to add, at random


L = LegalContext
S = SafetyConcern
R = ReferralRoute

CASES = (
    # Kompas Jeugdhulp, Flanders
    CaseSpec(
        "kom",
        "gent",
        "Peeters",
        "Gent",
        L.VL_VOLUNTARY,
        S.SOME,
        R.SCHOOL,
        "Mevr. K. Lemmens, CLB",
        "active",
        "Wij willen dat Noor terug naar school gaat en dat de ruzies thuis stoppen.",
        "Noor is sinds de herfstvakantie nauwelijks op school geweest. Thuis lopen de ruzies tussen Noor en haar "
        "mama hoog op; papa woont sinds de scheiding in Antwerpen en ziet de kinderen om het weekend. Geen "
        "signalen van geweld.",
        "Noor: het gaat om haar schoolgang en haar plek in het gezin.",
        (
            C("Noor", "v", 13),
            P("Sarah", "v", 41, "moeder", "Van Damme"),
            P("Tom", "m", 43, "vader", home=False),
            P("Lucas", "m", 9, "broer"),
        ),
    ),
    CaseSpec(
        "kom",
        "gent",
        "Janssens",
        "Sint-Amandsberg",
        L.VL_VOLUNTARY,
        S.NONE,
        R.FAMILY,
        "Moeder zelf, via de website",
        "closed:goals_reached",
        "Ik sta er alleen voor met drie kinderen en ik kan het niet meer aan. Ik wil dat mijn familie en vrienden "
        "terug meer komen helpen, zoals vroeger.",
        "Mama is uitgeput sinds het overlijden van haar partner vorig jaar. Er zijn geen zorgen over de veiligheid "
        "van de kinderen, wel over haar draagkracht.",
        "Mama: het netwerk moet haar dragen, zodat zij de kinderen kan dragen.",
        (
            C("Katrien", "v", 38),
            P("Emma", "v", 12, "dochter"),
            P("Jules", "m", 8, "zoon"),
            P("Mila", "v", 4, "dochter"),
        ),
    ),
    CaseSpec(
        "kom",
        "gent",
        "El Amrani",
        "Gent",
        L.VL_SOCIALLY_URGENT,
        S.SERIOUS,
        R.PROFESSIONAL,
        "Vertrouwenscentrum Kindermishandeling",
        "active",
        "Wij willen dat Yasmina en Adam thuis kunnen blijven en dat er geen geweld meer is in ons huis.",
        "Twee politietussenkomsten voor partnergeweld in drie maanden; Adam was er telkens bij. Ouders gingen "
        "niet in op vrijwillige hulp, daarom aangemeld bij het ondersteuningscentrum jeugdzorg als maatschappelijke "
        "noodsituatie. Mama spreekt weinig Nederlands.",
        "Yasmina en Adam: hun veiligheid thuis is de ondergrens van elk plan.",
        (
            C("Yasmina", "v", 10),
            C("Adam", "m", 6, relation="broer"),
            P("Fatima", "v", 34, "moeder", "Bouzid", interpreter=True),
            P("Karim", "m", 39, "vader"),
        ),
        language="Arabisch",
    ),
    CaseSpec(
        "kom",
        "meetjesland",
        "Maes",
        "Eeklo",
        L.VL_JUDICIAL,
        S.SERIOUS,
        R.OTHER,
        "Jeugdrechter, via de sociale dienst van de jeugdrechtbank",
        "active",
        "Wij willen onze zoon terug thuis. We willen tonen dat we met de familie rond hem kunnen staan.",
        "Wout verblijft sinds de zomer in een leefgroep na herhaald weglopen, drugsgebruik en spijbelen. De "
        "jeugdrechter vraagt een plan met het netwerk voor een terugkeer naar huis wordt overwogen.",
        "Wout: zijn veilige terugkeer naar huis is het doel.",
        (
            C("Wout", "m", 15, home=False),
            P("Ann", "v", 46, "moeder", "Van de Velde"),
            P("Dirk", "m", 48, "vader"),
            P("Lien", "v", 18, "zus"),
        ),
    ),
    CaseSpec(
        "kom",
        "meetjesland",
        "De Smet",
        "Maldegem",
        L.VL_VOLUNTARY,
        S.SOME,
        R.GP,
        "Dr. L. Vandenbussche, huisarts",
        "referred",
        "Ik wil dat er iemand is voor de kinderen als ik opnieuw opgenomen moet worden, zodat Robbe niet alles "
        "moet opvangen.",
        "Mama heeft een bipolaire stoornis en werd de voorbije twee jaar twee keer opgenomen. De kinderen vangen "
        "elkaar dan op; Robbe draagt te veel verantwoordelijkheid.",
        "Mama: het plan gaat over wie wat overneemt als zij niet voor de kinderen kan zorgen.",
        (C("Els", "v", 40), P("Robbe", "m", 14, "zoon"), P("Fien", "v", 10, "dochter")),
    ),
    CaseSpec(
        "kom",
        "waasland",
        "Claes",
        "Sint-Niklaas",
        L.VL_VOLUNTARY,
        S.NONE,
        R.FAMILY,
        "Ouders zelf, na een infoavond",
        "closed:plan_in_place",
        "Wij willen dat Lotte haar eigen plek vindt, thuis en op school, en dat wij als ouders terug op één lijn "
        "staan.",
        "Lotte heeft autisme en trekt zich steeds meer terug op haar kamer. Ouders verschillen sterk van mening "
        "over hoeveel ze van haar mogen vragen. Geen veiligheidszorgen.",
        "Lotte: haar welbevinden en haar plek in het gezin staan voorop.",
        (
            C("Lotte", "v", 16),
            P("Ingrid", "v", 45, "moeder", "Wauters"),
            P("Bart", "m", 47, "vader"),
            P("Senne", "m", 12, "broer"),
        ),
    ),
    CaseSpec(
        "kom",
        "waasland",
        "Wouters",
        "Temse",
        L.VL_SOCIALLY_URGENT,
        S.ACUTE,
        R.POLICE,
        "Politiezone, jeugdinspecteur",
        "active",
        "Wij willen dat Kiara veilig is en weet bij wie ze terecht kan als het thuis misloopt.",
        "Politietussenkomst na ernstig geweld van de stiefvader tegen mama, in het bijzijn van Kiara. Kiara "
        "verblijft voorlopig bij haar grootmoeder. Mama minimaliseert wat er gebeurde.",
        "Kiara: haar veiligheid gaat voor alles.",
        (
            C("Kiara", "v", 11),
            P("Martine", "v", 61, "grootmoeder (moederskant)"),
            P("Jessica", "v", 33, "moeder", home=False),
            P("Kevin", "m", 37, "stiefvader", "Smets", home=False),
        ),
    ),
    CaseSpec(
        "kom",
        "gent",
        "Mertens",
        "Ledeberg",
        L.VL_VOLUNTARY,
        S.SOME,
        R.SCHOOL,
        "Leerlingenbegeleider secundaire school",
        "closed:family_withdrew",
        "Jonas: 'Ik wil gewoon dat ze me met rust laten.' Mama: 'Ik wil dat hij zijn diploma haalt en terug een "
        "doel heeft.'",
        "Jonas spijbelt veel, verloor zijn studentenjob en blowt. Na het kennismakingsgesprek wilde het gezin geen "
        "netwerkberaad: 'dat regelen we zelf'.",
        "Jonas: het gaat om zijn toekomst; hij is bijna meerderjarig.",
        (C("Jonas", "m", 17), P("Veerle", "v", 47, "moeder", "Goethals"), P("Jan", "m", 49, "vader")),
    ),
    CaseSpec(
        "kom",
        "waasland",
        "Yilmaz",
        "Sint-Niklaas",
        L.VL_VOLUNTARY,
        S.SOME,
        R.PROFESSIONAL,
        "Maatschappelijk werker, CAW",
        "active",
        "Wij willen dat de familie helpt, zodat mijn vrouw na de bevalling kan rusten en de kinderen niets "
        "tekortkomen.",
        "Mama heeft sinds de geboorte van de tweeling een postnatale depressie. Papa werkt in ploegen. De familie "
        "woont dichtbij, maar er is schaamte om hulp te vragen. Oma spreekt alleen Turks.",
        "Mama: als zij hersteld en gesteund is, komen de kinderen niets tekort.",
        (
            C("Elif", "v", 31, last_name="Kaya"),
            P("Murat", "m", 34, "echtgenoot"),
            P("Emir", "m", 6, "zoon"),
            P("Can", "m", 0, "zoon"),
            P("Deniz", "v", 0, "dochter", twin=True),
            P("Ayşe", "v", 58, "moeder", "Kaya", home=False, interpreter=True),
        ),
        language="Turks",
        extra=(0, 2),
    ),
    CaseSpec(
        "kom",
        "gent",
        "Nguyen",
        "Mariakerke",
        L.VL_VOLUNTARY,
        S.NONE,
        R.HOSPITAL,
        "Sociale dienst kinderziekenhuis",
        "referred",
        "Wij willen leren hoe we voor Minh zorgen nu hij diabetes heeft, en wie ons kan helpen als wij in het "
        "restaurant staan.",
        "Minh heeft sinds kort type 1-diabetes. Ouders werken lange dagen in hun restaurant; er waren al twee "
        "ontregelingen waarvoor Minh op spoed belandde. Papa heeft een tolk nodig bij gesprekken.",
        "Minh: zijn gezondheid en een veilige opvang na school.",
        (
            C("Minh", "m", 8),
            P("Lan", "v", 36, "moeder", "Tran"),
            P("Tuan", "m", 40, "vader", interpreter=True),
            P("Anh", "v", 13, "zus"),
        ),
        language="Vietnamees",
    ),
    CaseSpec(
        "kom",
        "meetjesland",
        "Kowalski",
        "Assenede",
        L.VL_SOCIALLY_URGENT,
        S.SERIOUS,
        R.SCHOOL,
        "Zorgcoördinator basisschool, via het CLB",
        "closed:moved",
        "Wij willen dat Zofia terug lacht en dat haar papa stopt met drinken.",
        "Papa drinkt veel; Zofia komt vaak zonder boterhammen naar school en vertelde over ruzies 's nachts. "
        "Ouders gingen niet in op vrijwillige hulp. Tijdens de voorbereiding van het beraad verhuisde het gezin "
        "terug naar Polen.",
        "Zofia: haar veiligheid en verzorging.",
        (
            C("Zofia", "v", 9),
            P("Agnieszka", "v", 35, "moeder", "Kowalska", interpreter=True),
            P("Piotr", "m", 38, "vader"),
        ),
        language="Pools",
    ),
    CaseSpec(
        "kom",
        "gent",
        "Dubois",
        "Gent",
        L.VL_JUDICIAL,
        S.SERIOUS,
        R.POLICE,
        "Jeugdrechter, na een proces-verbaal van de politie",
        "active",
        "Wij willen dat Nathan stopt met stelen en niet in een gemeenschapsinstelling terechtkomt. Hij wil zelf "
        "de schade terugbetalen.",
        "Nathan werd opgepakt voor een reeks winkeldiefstallen en een diefstal met geweld. De jeugdrechter legde "
        "voorwaarden op; een herstelgericht groepsoverleg (Hergo) met het netwerk wordt voorbereid. Oudere "
        "jongens uit de buurt zetten hem onder druk.",
        "Nathan: zijn gedrag, zijn herstel en zijn veiligheid in de buurt.",
        (
            C("Nathan", "m", 16),
            P("Sylvie", "v", 44, "moeder", "Renard"),
            P("Chloé", "v", 11, "zus"),
            P("Michel", "m", 70, "grootvader (moederskant)", "Renard", home=False),
        ),
        language="Frans",
    ),
    CaseSpec(
        "kom",
        "waasland",
        "Diallo",
        "Lokeren",
        L.VL_VOLUNTARY,
        S.SOME,
        R.OTHER,
        "Buurtwerker, sociaal huis",
        "referred",
        "Ik ben hier nieuw en ken bijna niemand. Ik wil dat mijn kinderen iemand hebben als ik naar de "
        "Nederlandse les ga.",
        "Mama kwam anderhalf jaar geleden met de kinderen naar België. Ze heeft hier geen familie; het netwerk is "
        "klein en moet eerst opgebouwd worden. Ibrahim reageert zich af op school.",
        "Mama: een netwerk rond haar opbouwen is de eerste stap.",
        (C("Aminata", "v", 29), P("Ibrahim", "m", 7, "zoon"), P("Mariama", "v", 3, "dochter")),
        language="Frans",
        extra=(0, 0),  # an isolated family: the network has yet to be found
    ),
    CaseSpec(
        "kom",
        "gent",
        "Van den Broeck",
        "Merelbeke",
        L.VL_VOLUNTARY,
        S.SERIOUS,
        R.HOSPITAL,
        "Kraamafdeling, sociale dienst",
        "closed:safety_escalated",
        "Wij willen dat de baby bij ons blijft en dat we leren hoe we goed voor haar zorgen.",
        "Beide ouders hebben een verstandelijke beperking. Lena verloor gewicht en er werden controles gemist. Het "
        "netwerk kon geen veiligheidsplan maken dat aan de ondergrenzen voldeed; de situatie is aangemeld bij het "
        "ondersteuningscentrum jeugdzorg.",
        "Lena: als baby is zij volledig afhankelijk van de zorg van anderen.",
        (C("Lena", "v", 0), P("Jana", "v", 24, "moeder", "De Cock"), P("Glenn", "m", 27, "vader")),
    ),
    CaseSpec(
        "kom",
        "meetjesland",
        "Jacobs",
        "Eeklo",
        L.VL_VOLUNTARY,
        S.NONE,
        R.FAMILY,
        "Ouders zelf",
        "closed:goals_reached",
        "Wij zijn uit elkaar, maar we willen samen met onze families afspraken maken zodat Lore en Finn niet "
        "moeten kiezen.",
        "Ouders gingen in goede verstandhouding uit elkaar, maar de grootouders aan beide kanten nemen partij. De "
        "kinderen voelen zich verscheurd bij de wissels.",
        "Lore en Finn: zij moeten zich thuis voelen bij allebei hun ouders.",
        (
            C("Lore", "v", 10),
            C("Finn", "m", 7, relation="broer"),
            P("Hanne", "v", 37, "moeder", "Verbruggen"),
            P("Wim", "m", 39, "vader", home=False),
        ),
    ),
    CaseSpec(
        "kom",
        "waasland",
        "De Backer",
        "Beveren",
        L.VL_SOCIALLY_URGENT,
        S.SERIOUS,
        R.PROFESSIONAL,
        "Regioverpleegkundige Kind en Gezin",
        "closed:referred_elsewhere",
        "Ik wil mijn kinderen zelf opvoeden, zonder dat iedereen zich ermee moeit.",
        "Drie jonge kinderen zijn vaak alleen thuis, er zijn grote schulden en de woning is onveilig. Mama "
        "weigerde eerst elke hulp. Na overleg met het ondersteuningscentrum jeugdzorg is het gezin doorverwezen "
        "naar intensieve contextbegeleiding.",
        "De kinderen: hun basisverzorging en het toezicht op hen schieten tekort.",
        (
            C("Jayden", "m", 6),
            C("Amber", "v", 4, relation="zus"),
            P("Luna", "v", 2, "zus"),
            P("Kimberly", "v", 26, "moeder"),
        ),
    ),
    CaseSpec(
        "kom",
        "gent",
        "Lambert",
        "Gent",
        L.VL_VOLUNTARY,
        S.SOME,
        R.GP,
        "Huisarts",
        "active",
        "Ik wil dat mijn ouders me zien zoals ik ben, en ik wil terug naar de jeugdbeweging.",
        "Sam identificeert zich als non-binair, trekt zich terug en sprak bij de huisarts over donkere gedachten. "
        "Ouders willen helpen maar weten niet hoe. Er is een afspraak bij het centrum geestelijke "
        "gezondheidszorg.",
        "Sam: hun welbevinden en hun plek in het gezin.",
        (
            C("Sam", "x", 16),
            P("Isabelle", "v", 48, "moeder", "Leclercq"),
            P("Philippe", "m", 50, "vader"),
            P("Louise", "v", 19, "zus", home=False),
        ),
    ),
    CaseSpec(
        "kom",
        "meetjesland",
        "Aydın",
        "Eeklo",
        L.VL_JUDICIAL,
        S.SOME,
        R.OTHER,
        "Jeugdrechter (als misdrijf omschreven feit)",
        "referred",
        "Wij willen dat Yusuf zijn gemeenschapsdienst afmaakt, terug gaat voetballen en dat zijn vrienden van "
        "vroeger hem niet meer meetrekken.",
        "Yusuf werd met vrienden betrapt op vandalisme en bedreiging. De jeugdrechter legde een leerproject en "
        "gemeenschapsdienst op. Papa is streng en schaamt zich tegenover de familie.",
        "Yusuf: hij is de jongere over wie de jeugdrechter besliste.",
        (
            C("Yusuf", "m", 15),
            P("Hatice", "v", 42, "moeder", "Şahin", interpreter=True),
            P("Mehmet", "m", 45, "vader"),
            P("Ela", "v", 9, "zus"),
        ),
        language="Turks",
    ),
    CaseSpec(
        "kom",
        "waasland",
        "Vandenberghe",
        "Lokeren",
        L.VL_SOCIALLY_URGENT,
        S.ACUTE,
        R.HOSPITAL,
        "Spoedgevallen, sociale dienst ziekenhuis",
        "active",
        "Wij willen dat Lina niet meer wegloopt en dat ze weet dat we van haar houden, wat er ook gebeurd is.",
        "Lina werd opgenomen na een overdosis. Er zijn aanwijzingen van seksuele uitbuiting door een oudere "
        "vriend. Mama en stiefvader zijn radeloos; Lina vertrouwt alleen haar tante.",
        "Lina: haar veiligheid is acuut bedreigd.",
        (
            C("Lina", "v", 14),
            P("Nathalie", "v", 40, "moeder"),
            P("Stijn", "m", 42, "stiefvader", "Bogaert"),
            P("Kobe", "m", 6, "halfbroer", "Bogaert"),
        ),
    ),
    CaseSpec(
        "kom",
        "meetjesland",
        "Hermans",
        "Kaprijke",
        L.VL_VOLUNTARY,
        S.SOME,
        R.SCHOOL,
        "CLB-medewerker",
        "closed:other",
        "Wij willen dat Arne durft te zeggen wat hem dwarszit, en dat het pesten stopt.",
        "Arne wordt al twee jaar gepest en wil niet meer naar de jeugdbeweging. Het gezin koos na de eerste "
        "gesprekken voor begeleiding door de school zelf; een netwerkberaad was niet meer nodig.",
        "Arne: het gaat om zijn welbevinden op school en daarbuiten.",
        (
            C("Arne", "m", 11),
            P("Lies", "v", 42, "moeder", "Vercammen"),
            P("Koen", "m", 44, "vader"),
            P("Marthe", "v", 14, "zus"),
        ),
    ),
    # Jeugdbescherming Rivierenland, the Netherlands
    CaseSpec(
        "jbr",
        "tiel",
        "De Vries",
        "Tiel",
        L.NL_VOLUNTARY,
        S.SOME,
        R.PROFESSIONAL,
        "Sociaal wijkteam Tiel",
        "active",
        "Wij willen weer een gezin zijn waar we samen eten en niet alleen maar tegen elkaar schreeuwen.",
        "Veel ruzie tussen de ouders en de twee pubers sinds vader zijn baan verloor. Er zijn schulden en moeder "
        "werkt extra uren. Geen signalen van geweld, wel van uitputting.",
        "Jesse: hij is aangemeld omdat hij na ruzies het vaakst wegloopt; het plan gaat over het hele gezin.",
        (
            C("Jesse", "m", 14),
            P("Ilse", "v", 44, "moeder", "Hoekstra"),
            P("Marco", "m", 46, "vader"),
            P("Fleur", "v", 16, "zus"),
        ),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Jansen",
        "Geldermalsen",
        L.NL_PREVENTIVE,
        S.SERIOUS,
        R.PROFESSIONAL,
        "Veilig Thuis (melding)",
        "active",
        "Ik wil dat mijn kinderen bij mij blijven. Ik wil laten zien dat ik het samen met mijn familie kan.",
        "Melding bij Veilig Thuis: moeder drinkt, de kinderen komen regelmatig te laat of niet op school. Bij "
        "onvoldoende verbetering volgt een verzoek tot onderzoek aan de Raad voor de Kinderbescherming.",
        "Lieke en Milan: hun veiligheid en dagelijkse verzorging.",
        (
            C("Lieke", "v", 10),
            C("Milan", "m", 7, relation="broer"),
            P("Sandra", "v", 36, "moeder"),
            P("Rob", "m", 38, "vader", "Verhoef", home=False),
        ),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "Bakker",
        "Culemborg",
        L.NL_SUPERVISION,
        S.SERIOUS,
        R.OTHER,
        "Kinderrechter (ondertoezichtstelling)",
        "active",
        "Wij willen dat de OTS stopt en dat Daan en Sem gewoon thuis kunnen opgroeien.",
        "OTS sinds het voorjaar wegens verwaarlozing. Beide ouders hebben een licht verstandelijke beperking. Het "
        "netwerk is groot maar wordt weinig benut; de jeugdbeschermer stelt als voorwaarde dat er elke dag een "
        "volwassene uit het netwerk meekijkt.",
        "Daan en Sem: de ondertoezichtstelling gaat over hun ontwikkeling en veiligheid.",
        (
            C("Daan", "m", 8),
            C("Sem", "m", 5, relation="broer"),
            P("Kim", "v", 30, "moeder", "Pronk"),
            P("Dennis", "m", 33, "vader"),
        ),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Visser",
        "Buren",
        L.NL_VOLUNTARY,
        S.NONE,
        R.GP,
        "Huisarts",
        "closed:plan_in_place",
        "Ik wil niet meer alles alleen hoeven doen voor mama, en ik wil gewoon naar hockey kunnen.",
        "Sophie is mantelzorger voor haar moeder met MS. Haar cijfers gaan achteruit en ze ziet haar vriendinnen "
        "niet meer. Vader woont in Utrecht met een nieuw gezin.",
        "Sophie: een jonge mantelzorger die te veel draagt.",
        (
            C("Sophie", "v", 15),
            P("Anja", "v", 48, "moeder"),
            P("Thomas", "m", 12, "broer"),
            P("Erik", "m", 50, "vader", home=False),
        ),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "Smit",
        "Zaltbommel",
        L.NL_JUVENILE_PROBATION,
        S.SOME,
        R.POLICE,
        "Politie, na Halt-afdoening en strafzaak",
        "active",
        "Ik wil mijn taakstraf afmaken en een stageplek vinden. Mijn moeder wil dat ik weer op tijd thuis ben.",
        "Jeugdreclassering na betrokkenheid bij een inbraak. Mike hangt veel rond met oudere jongens en blowt "
        "dagelijks. Moeder voedt hem alleen op en voelt zich machteloos.",
        "Mike: de jeugdreclassering gaat over hem.",
        (C("Mike", "m", 17), P("Monique", "v", 45, "moeder"), P("Ricardo", "m", 20, "broer", home=False)),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Meijer",
        "Tiel",
        L.NL_PROVISIONAL_SUPERVISION,
        S.ACUTE,
        R.POLICE,
        "Politie, crisisdienst en kinderrechter (VOTS)",
        "active",
        "Wij willen dat Eva veilig is en zo snel mogelijk weer thuis kan wonen.",
        "Voorlopige ondertoezichtstelling na huiselijk geweld waarbij Eva gewond raakte. Eva verblijft tijdelijk "
        "bij haar tante. De kinderrechter beslist over drie maanden over een OTS; tot dan moet er een "
        "veiligheidsplan liggen.",
        "Eva: zij is jong en volledig afhankelijk van de volwassenen om haar heen.",
        (
            C("Eva", "v", 5),
            P("Anouk", "v", 33, "tante (zus van moeder)"),
            P("Linda", "v", 29, "moeder", home=False),
            P("Patrick", "m", 35, "vader", "de Wit", home=False),
        ),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "de Boer",
        "Culemborg",
        L.NL_GUARDIANSHIP,
        S.SOME,
        R.OTHER,
        "Kinderrechter (voogdij)",
        "active",
        "Ik wil weten waar ik vandaan kom en mijn broertje vaker zien.",
        "Noah woont sinds zijn vierde in een pleeggezin; zijn moeder is overleden, zijn vader is uit beeld. De "
        "voogdij ligt bij de gecertificeerde instelling. Het contact met zijn halfbroer en zijn oma is "
        "onregelmatig.",
        "Noah: als voogd dragen wij de verantwoordelijkheid voor zijn opvoeding.",
        (
            C("Noah", "m", 12),
            P("Petra", "v", 45, "pleegmoeder", "Kok"),
            P("Gerrit", "m", 47, "pleegvader", "Kok"),
            P("Tim", "m", 8, "halfbroer", "van Rijn", home=False),
            P("Wilma", "v", 66, "oma (moederskant)", home=False),
        ),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Mulder",
        "Lienden",
        L.NL_CLOSED_CARE,
        S.SERIOUS,
        R.OTHER,
        "Kinderrechter (machtiging gesloten jeugdhulp)",
        "active",
        "Ik wil hier weg en terug naar huis, en dan wil ik mijn school afmaken.",
        "Jade verblijft met een machtiging gesloten jeugdhulp na herhaald weglopen en seksuele uitbuiting. Het "
        "netwerk bereidt de terugkeer naar huis voor: wie is er wanneer, en wie let op contacten via haar "
        "telefoon.",
        "Jade: de machtiging en het plan gaan over haar veiligheid.",
        (
            C("Jade", "v", 15, home=False),
            P("Wendy", "v", 43, "moeder", "Schipper"),
            P("Sander", "m", 45, "vader"),
            P("Lars", "m", 10, "broer"),
        ),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "Bos",
        "Maasdriel",
        L.NL_VOLUNTARY,
        S.SOME,
        R.SCHOOL,
        "Intern begeleider basisschool",
        "referred",
        "Wij willen dat Thijs niet meer naar huis gestuurd wordt en dat hij thuis minder boos is.",
        "Thijs is dit schooljaar vier keer naar huis gestuurd na woede-uitbarstingen. Er loopt een onderzoek naar "
        "ADHD. Ouders zijn uitgeput en wonen ver van hun familie.",
        "Thijs: zijn gedrag op school en thuis staat centraal.",
        (
            C("Thijs", "m", 9),
            P("Janneke", "v", 38, "moeder", "Vermeer"),
            P("Maarten", "m", 40, "vader"),
            P("Roos", "v", 6, "zus"),
        ),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Vos",
        "Tiel",
        L.NL_PREVENTIVE,
        S.SOME,
        R.GP,
        "Jeugdarts consultatiebureau",
        "closed:goals_reached",
        "Ik wil dat de kinderen weer naar de opvang gaan en dat ik hulp krijg met de schulden, zodat ik weer kan "
        "slapen.",
        "Alleenstaande moeder met drie jonge kinderen, oplopende schulden en een dreigende huisuitzetting. De "
        "jeugdarts zag een achterstand in de ontwikkeling van de jongste.",
        "Moeder: als zij weer grip krijgt, krijgen de kinderen rust.",
        (C("Priscilla", "v", 27), P("Dylan", "m", 6, "zoon"), P("Zoë", "v", 3, "dochter"), P("Luuk", "m", 1, "zoon")),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "Öztürk",
        "Culemborg",
        L.NL_SUPERVISION,
        S.SERIOUS,
        R.OTHER,
        "Raad voor de Kinderbescherming; OTS uitgesproken",
        "referred",
        "Wij willen dat Zeynep stopt met weglopen en dat de familie weer met elkaar praat.",
        "Zeynep liep twee keer weg na hoog oplopende conflicten over vrijheid en vriendschappen. De kinderrechter "
        "sprak een OTS uit. Er zijn spanningen tussen de familie hier en in Turkije over wat goed voor haar is; "
        "oma spreekt alleen Turks.",
        "Zeynep: de ondertoezichtstelling gaat over haar.",
        (
            C("Zeynep", "v", 16),
            P("Emine", "v", 44, "moeder", "Arslan"),
            P("Hasan", "m", 48, "vader"),
            P("Fatma", "v", 70, "oma (moederskant)", "Arslan", interpreter=True),
            P("Burak", "m", 12, "broer"),
        ),
        language="Turks",
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Haddou",
        "Tiel",
        L.NL_SUPERVISION,
        S.SERIOUS,
        R.OTHER,
        "Kinderrechter (OTS)",
        "closed:safety_escalated",
        "Wij willen dat Ayoub thuis blijft wonen en dat we leren opvoeden zonder slaan.",
        "Tijdens de OTS kwamen nieuwe signalen van fysieke mishandeling door vader. Het netwerkberaad werd "
        "afgebroken; de kinderrechter verleende een machtiging uithuisplaatsing en Ayoub woont nu bij zijn oom.",
        "Ayoub: zijn veiligheid is de ondergrens.",
        (
            C("Ayoub", "m", 11),
            P("Samira", "v", 38, "moeder", "El Idrissi", interpreter=True),
            P("Mohamed", "m", 43, "vader"),
            P("Nora", "v", 15, "zus"),
            P("Youssef", "m", 40, "oom", home=False),
        ),
        language="Arabisch",
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "Nowak",
        "Zaltbommel",
        L.NL_VOLUNTARY,
        S.SOME,
        R.SCHOOL,
        "Mentor middelbare school",
        "closed:moved",
        "Wij willen dat Kacper Nederlands leert en vrienden maakt, en dat wij weten hoe school hier werkt.",
        "Het gezin woont sinds een jaar in Nederland; vader werkt via een uitzendbureau en maakt lange dagen. "
        "Kacper is somber en zit vaak alleen. Na enkele maanden verhuisde het gezin voor werk naar Noord-Brabant.",
        "Kacper: zijn welbevinden en aansluiting op school.",
        (
            C("Kacper", "m", 13),
            P("Magdalena", "v", 37, "moeder", interpreter=True),
            P("Tomasz", "m", 39, "vader", interpreter=True),
        ),
        language="Pools",
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Pinas",
        "Tiel",
        L.NL_PROVISIONAL_SUPERVISION,
        S.SERIOUS,
        R.HOSPITAL,
        "Verloskundige en medisch maatschappelijk werk",
        "closed:other",
        "Ik wil zelf voor mijn zoon zorgen, met hulp van mijn moeder.",
        "Shanice is zestien en beviel van Jaylen. Er waren zorgen over haar veiligheid thuis en over de vader van "
        "het kind. Na de voorlopige OTS sprak de kinderrechter geen OTS uit; moeder en oma kozen voor vrijwillige "
        "hulp.",
        "Shanice en Jaylen: een minderjarige moeder en haar baby.",
        (
            C("Shanice", "v", 16),
            C("Jaylen", "m", 0, relation="zoon"),
            P("Marcia", "v", 42, "moeder"),
            P("Romano", "m", 22, "vader van Jaylen", "Wijngaarde", home=False),
        ),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "van Dam",
        "Kerkdriel",
        L.NL_JUVENILE_PROBATION,
        S.SERIOUS,
        R.POLICE,
        "Officier van justitie (jeugdreclassering)",
        "closed:not_eligible",
        "Ik wil gewoon mijn leven weer oppakken. Mijn vader wil dat ik stop met die vrienden.",
        "Jeugdreclassering na een geweldsincident. Stefan werd achttien voordat het traject kon starten; de "
        "begeleiding is overgedragen aan de volwassenenreclassering.",
        "Stefan: de maatregel gaat over hem.",
        (C("Stefan", "m", 17), P("Henk", "m", 52, "vader"), P("Marleen", "v", 50, "moeder", "Huisman", home=False)),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Martina",
        "Geldermalsen",
        L.NL_GUARDIANSHIP,
        S.NONE,
        R.OTHER,
        "Kinderrechter (tijdelijke voogdij)",
        "closed:goals_reached",
        "Ik wil dat tante Giselle mijn voogd wordt, zodat ik bij haar kan blijven.",
        "Moeder is overleden; Keanu woont bij zijn tante. De voogdij ligt tijdelijk bij de gecertificeerde "
        "instelling. Het netwerk bereidde de overdracht van de voogdij aan de tante voor.",
        "Keanu: wij zijn zijn voogd tot zijn tante dat kan overnemen.",
        (
            C("Keanu", "m", 14),
            P("Giselle", "v", 41, "tante (zus van moeder)"),
            P("Ruthmilda", "v", 68, "oma (moederskant)", home=False),
            P("Jurick", "m", 17, "neef", "Rosaria"),
        ),
        language="Papiaments",
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "de Jong",
        "Culemborg",
        L.NL_CLOSED_CARE,
        S.ACUTE,
        R.OTHER,
        "Kinderrechter (spoedmachtiging gesloten jeugdhulp)",
        "referred",
        "Ik wil niet terug naar de groep. Ik wil bij mijn oom wonen.",
        "Crisisplaatsing in een gesloten groep na ernstige zelfbeschadiging en agressie tegen begeleiders. Acute "
        "zorg om zijn veiligheid. Oom Richard wil Ryan opvangen, maar woont klein.",
        "Ryan: de spoedmachtiging gaat over zijn veiligheid.",
        (C("Ryan", "m", 16, home=False), P("Mariska", "v", 42, "moeder"), P("Richard", "m", 45, "oom", home=False)),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "van Leeuwen",
        "Buren",
        L.NL_VOLUNTARY,
        S.NONE,
        R.FAMILY,
        "Gezin zelf, op aanraden van de huisarts",
        "referred",
        "Wij willen hulp van onze familie en vrienden nu papa ziek is, zodat de kinderen gewoon kunnen blijven "
        "sporten en naar school gaan.",
        "Vader is ongeneeslijk ziek. Moeder combineert de zorg met haar werk. Geen zorgen over de veiligheid, wel "
        "over hoe lang het gezin het volhoudt.",
        "Moeder: zij draagt de zorg voor haar man en de kinderen.",
        (
            C("Karin", "v", 44),
            P("Jeroen", "m", 47, "echtgenoot"),
            P("Julia", "v", 15, "dochter"),
            P("Bram", "m", 11, "zoon"),
        ),
    ),
    CaseSpec(
        "jbr",
        "culemborg",
        "Dekker",
        "Zaltbommel",
        L.NL_PREVENTIVE,
        S.SOME,
        R.SCHOOL,
        "Schoolmaatschappelijk werker",
        "active",
        "Ik wil dat mama en ik weer samen dingen doen, en dat ik me thuis niet meer zo alleen voel.",
        "Lisa zit veel alleen op haar kamer sinds de nieuwe partner van moeder er woont. Er zijn signalen van "
        "zelfbeschadiging. Moeder erkent de zorgen maar onderneemt weinig; de jeugdbeschermer dringt aan op een "
        "netwerkberaad.",
        "Lisa: haar veiligheid en welbevinden.",
        (
            C("Lisa", "v", 13),
            P("Yvonne", "v", 39, "moeder"),
            P("Ronald", "m", 41, "partner van moeder", "Kramer"),
            P("Frank", "m", 42, "vader", "Dekker", home=False),
        ),
    ),
    CaseSpec(
        "jbr",
        "tiel",
        "Kaya",
        "Tiel",
        L.NL_SUPERVISION,
        S.SOME,
        R.OTHER,
        "Kinderrechter (verlenging OTS)",
        "closed:family_withdrew",
        "Wij willen dat de OTS zo kort mogelijk duurt en dat we het weer zelf doen.",
        "Verlenging van de OTS voor Melis en Mert na spanningen tussen de ouders. Na de eerste voorbereidende "
        "gesprekken wilde het gezin geen beraad met de familie: 'dit houden we binnen ons gezin'. De OTS loopt "
        "door via de jeugdbeschermer.",
        "Melis en Mert: de ondertoezichtstelling gaat over hen.",
        (
            C("Melis", "v", 12),
            C("Mert", "m", 9, relation="broer"),
            P("Gül", "v", 37, "moeder", "Doğan", interpreter=True),
            P("Ahmet", "m", 40, "vader"),
        ),
        language="Turks",
    ),
)


# --- Network members added at random ---------------------------------------------------------------------

# Given names and family names per language, for the relatives and acquaintances added at random.
NAMES = {
    "VL": {
        "v": ["Els", "An", "Sofie", "Lies", "Veerle", "Inge", "Hilde", "Marleen", "Greet", "Kaat"],
        "m": ["Koen", "Bart", "Wim", "Stijn", "Geert", "Filip", "Jan", "Luc", "Ward", "Pieter-Jan"],
        "last": [
            "Vermeersch",
            "De Wolf",
            "Van Hoecke",
            "Bogaert",
            "De Meyer",
            "Verbeke",
            "De Pauw",
            "Cools",
            "Pauwels",
            "Segers",
            "Aerts",
            "Van Hove",
        ],
    },
    "NL": {
        "v": ["Anouk", "Marieke", "Petra", "Linda", "Femke", "Wendy", "Ingrid", "Tineke", "Ria", "Nicole"],
        "m": ["Erik", "Mark", "Jeroen", "Rob", "Martijn", "Bas", "Henk", "Gert", "Arjen", "Kees"],
        "last": [
            "van den Berg",
            "Kok",
            "Verbeek",
            "Peters",
            "Dijkstra",
            "van Wijk",
            "Schouten",
            "Prins",
            "Huisman",
            "Koster",
            "Timmermans",
            "van der Heijden",
        ],
    },
    "Arabisch": {
        "v": ["Khadija", "Nadia", "Malika", "Houda", "Zahra"],
        "m": ["Ahmed", "Hassan", "Abdelkader", "Mustafa", "Driss"],
        "last": ["Azzouzi", "Chakir", "El Khattabi", "Ouhadi", "Tahiri"],
    },
    "Turks": {
        "v": ["Fatma", "Emine", "Hatice", "Sevgi", "Aylin"],
        "m": ["Ali", "Hüseyin", "Mustafa", "Osman", "İbrahim"],
        "last": ["Demir", "Çelik", "Aydın", "Arslan", "Doğan", "Koç"],
    },
    "Pools": {
        "v": ["Katarzyna", "Magdalena", "Anna", "Ewa", "Joanna"],
        "m": ["Tomasz", "Krzysztof", "Marek", "Paweł", "Andrzej"],
        "last": ["Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński"],
    },
    "Frans": {
        "v": ["Marie", "Nathalie", "Christine", "Fatoumata", "Aïssatou"],
        "m": ["Jean", "Olivier", "Luc", "Mamadou", "Ousmane"],
        "last": ["Dupont", "Leclercq", "Martin", "Lefèvre", "Bah", "Sow"],
    },
    "Vietnamees": {
        "v": ["Hoa", "Mai", "Thu", "Linh"],
        "m": ["Hung", "Duc", "Long", "Quang"],
        "last": ["Tran", "Le", "Pham", "Hoang"],
    },
    "Papiaments": {
        "v": ["Shurmeley", "Quisette", "Ruthsel"],
        "m": ["Edsel", "Giovanni", "Ruendel"],
        "last": ["Statia", "Rosaria", "Isenia", "Janga"],
    },
}

# (relation to the central person, sex, youngest, oldest, whose family name, local acquaintance?)
# "family": the case's family name; "mother": the mother's; "central": the central person's; "other": any.
CHILD_NETWORK = {
    "VL": [
        ("grootmoeder (moederskant)", "v", 58, 78, "other", False),
        ("grootvader (moederskant)", "m", 60, 80, "mother", False),
        ("grootvader (vaderskant)", "m", 60, 80, "family", False),
        ("tante (zus van mama)", "v", 28, 50, "mother", False),
        ("nonkel (broer van papa)", "m", 28, 52, "family", False),
        ("meter", "v", 28, 55, "other", False),
        ("peter", "m", 28, 55, "other", False),
        ("buurvrouw", "v", 35, 75, "other", True),
        ("buurman", "m", 35, 75, "other", True),
        ("klastitularis", "v", 25, 60, "other", True),
        ("trainer voetbalclub", "m", 22, 55, "other", True),
        ("leiding jeugdbeweging", "v", 18, 23, "other", True),
        ("vriendin van mama", "v", 28, 50, "other", True),
    ],
    "NL": [
        ("oma (moederskant)", "v", 58, 78, "other", False),
        ("opa (moederskant)", "m", 60, 80, "mother", False),
        ("opa (vaderskant)", "m", 60, 80, "family", False),
        ("tante (zus van moeder)", "v", 28, 50, "mother", False),
        ("oom (broer van vader)", "m", 28, 52, "family", False),
        ("buurvrouw", "v", 35, 75, "other", True),
        ("buurman", "m", 35, 75, "other", True),
        ("mentor op school", "v", 25, 60, "other", True),
        ("trainer voetbalclub", "m", 22, 55, "other", True),
        ("jongerenwerker", "m", 24, 45, "other", True),
        ("vriendin van moeder", "v", 28, 50, "other", True),
    ],
}
PARENT_NETWORK = [
    ("moeder", "v", 55, 78, "other", False),
    ("vader", "m", 58, 80, "central", False),
    ("zus", "v", 25, 50, "central", False),
    ("broer", "m", 25, 50, "central", False),
    ("beste vriendin", "v", 25, 50, "other", True),
    ("buurvrouw", "v", 35, 75, "other", True),
    ("collega", "v", 25, 60, "other", True),
    ("buurman", "m", 35, 75, "other", True),
]

GENDERS = {"v": Gender.FEMALE, "m": Gender.MALE, "x": Gender.NON_BINARY, "?": Gender.UNKNOWN}
PARENT_RELATIONS = ("moeder", "vader", "pleegmoeder", "pleegvader", "tante (zus van moeder)", "echtgenoot")


# --- The plan: everything a case will hold, worked out before anything is written ------------------------


@dataclass
class ConsentPlan:
    person: int  # index into persons
    purpose: str
    given_on: datetime.date
    withdrawn_on: datetime.date | None = None
    note: str = ""


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

    @property
    def status(self):
        return self.spec.status.split(":")[0]

    @property
    def closure_reason(self):
        return self.spec.status.split(":")[1] if ":" in self.spec.status else ""


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _jurisdiction(spec: CaseSpec) -> str:
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
    birth_date = birth_date or (_years_before(referral, age) - datetime.timedelta(days=rng.randint(0, 364)))
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
    jurisdiction = _jurisdiction(spec)
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


def _consents(plan: CasePlan, rng: random.Random) -> list[ConsentPlan]:
    persons = plan.persons
    ages = [(plan.referral_date - p["birth_date"]).days // 365 for p in persons]
    adults = [i for i, age in enumerate(ages) if age >= 18]
    giver = next((i for i in adults if persons[i]["is_central"]), None)
    if giver is None:
        giver = next(
            (i for i in adults if persons[i]["relation"] in PARENT_RELATIONS and persons[i]["in_household"]), adults[0]
        )
    last_day = plan.closed_on or REFERENCE_DATE - datetime.timedelta(days=1)
    first_day = min(plan.referral_date + datetime.timedelta(days=rng.randint(2, 14)), last_day)
    note = rng.choice(
        [
            "Mondeling gegeven tijdens het kennismakingsgesprek.",
            "Schriftelijk gegeven, formulier in het dossier.",
            "Gegeven na uitleg met tolk." if persons[giver]["interpreter_needed"] else "Gegeven thuis.",
        ]
    )
    if plan.status == CaseStatus.REFERRED:
        return [ConsentPlan(giver, ConsentPurpose.CONTACT_NETWORK, first_day, note=note)] if rng.random() < 0.5 else []
    consents = [ConsentPlan(giver, ConsentPurpose.CONTACT_NETWORK, first_day, note=note)]
    if plan.closure_reason == ClosureReason.NOT_ELIGIBLE:
        return consents
    consents.append(ConsentPlan(giver, ConsentPurpose.SHARE_WITH_NETWORK, first_day, note=note))
    if rng.random() < 0.5:
        consents.append(ConsentPlan(giver, ConsentPurpose.SHARE_WITH_PROFESSIONALS, first_day, note=note))
    if plan.closure_reason in (ClosureReason.PLAN_IN_PLACE, ClosureReason.GOALS_REACHED):
        plan_day = max(first_day, last_day - datetime.timedelta(days=rng.randint(10, 40)))
        consents.append(
            ConsentPlan(giver, ConsentPurpose.SHARE_PLAN, plan_day, note="Bij de presentatie van het plan.")
        )
    if rng.random() < 0.5:
        research = ConsentPlan(giver, ConsentPurpose.RESEARCH, first_day, note=note)
        if rng.random() < 0.3:  # some families change their mind about research
            research.withdrawn_on = min(first_day + datetime.timedelta(days=rng.randint(20, 120)), last_day)
        consents.append(research)
    central = next(i for i, p in enumerate(persons) if p["is_central"])
    # Young people of sixteen and seventeen often sign for themselves as well.
    if central != giver and 16 <= ages[central] < 18 and rng.random() < 0.7:
        consents.append(
            ConsentPlan(central, ConsentPurpose.SHARE_WITH_NETWORK, first_day, note="De jongere gaf zelf toestemming.")
        )
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


# --- The network: who is family of whom, and the ties to systems ------------------------------------------
#
# Worked out from the persons' ``relation`` (always relative to the first central person), the same way for a
# new build and for a demo case that exists already. Its own generator per case, so the rest of the plan does
# not change when the network does.


@dataclass
class NetworkPlan:
    members: dict = field(default_factory=dict)  # person index -> NetworkMember fields
    relationships: list = field(default_factory=list)  # RelationshipPlan
    ties: list = field(default_factory=list)  # dicts of SystemTie fields, "person" an index or None


@dataclass(frozen=True)
class RelationshipPlan:
    kind: str
    subtype: str
    a: int  # person index; for a parent link the parent, for abuse the one who harms
    b: int
    start: datetime.date | None = None
    end: datetime.date | None = None
    note: str = ""


# Persons whose safety is the concern of the case (the case's family name -> first name) ...
UNSAFE = {"Wouters": "Kevin", "Haddou": "Mohamed", "Pinas": "Romano"}
# ... and persons whose part in what happened is not yet clear.
SAFETY_UNKNOWN = {"Meijer": ("Linda", "Patrick"), "El Amrani": ("Karim",)}
# Emotional ties the case descriptions speak of: (person a, person b, kind, note).
EMOTIONAL_TIES = {
    "Peeters": [("Noor", "Sarah", "conflict", "Hoog oplopende ruzies thuis.")],
    "Wouters": [
        ("Kevin", "Jessica", "physical_abuse", "Politietussenkomst na ernstig geweld."),
        ("Kiara", "Martine", "close", "Kiara verblijft bij haar oma."),
    ],
    "Haddou": [("Mohamed", "Ayoub", "physical_abuse", "Nieuwe signalen tijdens de OTS.")],
    "de Boer": [("Noah", "Tim", "close", "Noah wil zijn broertje vaker zien.")],
    "Meijer": [("Eva", "Anouk", "close", "Eva verblijft tijdelijk bij haar tante.")],
    "Öztürk": [("Zeynep", "Hasan", "conflict", "Conflicten over vrijheid en vriendschappen.")],
    "Dekker": [("Lisa", "Ronald", "distant", "")],
    "De Vries": [("Jesse", "Marco", "conflict", "Ruzies sinds vader zijn baan verloor.")],
    "Vandenberghe": [("Lina", "Stijn", "distant", "")],
}
# Parents who separated on good terms: no conflict line between them.
AMICABLE = {"Jacobs"}

SCHOOLS = {
    "VL": {
        "childcare": ["Kinderdagverblijf 't Kabouterhuis", "Kinderopvang De Speelvogel"],
        "primary": ["Basisschool De Regenboog", "Vrije Basisschool Sint-Jozef", "GO! Basisschool De Linde"],
        "secondary": ["Sint-Lievenscollege", "Koninklijk Atheneum", "Technisch Instituut Sint-Vincentius"],
    },
    "NL": {
        "childcare": ["Kinderopvang Dikkertje Dap", "Peuterspeelzaal Het Ukkepuk"],
        "primary": ["Basisschool De Wegwijzer", "OBS De Klimop", "CBS De Fontein"],
        "secondary": ["RSG Lingecollege", "Koningin Wilhelmina College", "Heerenlanden College"],
    },
}
WORKPLACES = {
    "VL": [
        "AZ Sint-Lucas",
        "Volvo Car Gent",
        "Colruyt",
        "Bouwbedrijf Van Hoecke",
        "Stad {town}",
        "Schoonmaakbedrijf Net & Proper",
    ],
    "NL": [
        "Ziekenhuis Rivierenland",
        "Albert Heijn {town}",
        "Gemeente {town}",
        "Transportbedrijf Van der Heijden",
        "Uitzendbureau Flexwerk",
        "Thuiszorg Rivierenland",
    ],
}
CLUBS = {
    "VL": {"voetbal": "Voetbalclub KFC {town}", "jeugdbeweging": "Chiro {town}", "other": "Zwemclub {town}"},
    "NL": {"voetbal": "VV {town}", "jeugdbeweging": "Scouting {town}", "other": "Hockeyclub {town}"},
}

PROFESSIONAL_WORDS = ("jongerenwerker", "huisarts", "arts", "therapeut", "maatschappelijk", "begeleider")
SCHOOL_WORK_WORDS = ("klastitularis", "mentor", "juf", "meester", "leerkracht", "collega")
CLUB_WORDS = ("buur", "trainer", "leiding", "club")
FRIEND_WORDS = ("vriend", "peter", "meter")
GRANDPARENT_WORDS = ("grootmoeder", "grootvader", "oma", "opa")
AUNT_UNCLE_WORDS = ("tante", "oom", "nonkel")
MATERNAL_WORDS = ("moeder", "mama", "moederskant")
PATERNAL_WORDS = ("vader", "papa", "vaderskant")


def _years_after(day: datetime.date, years: int) -> datetime.date:
    return _years_before(day, -years)


def _between(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


class _Family:
    """Who is who in one case's family, by person index, read from the relations."""

    def __init__(self, plan: CasePlan):
        persons = plan.persons
        self.persons = persons
        self.referral = plan.referral_date
        self.central = next(i for i, p in enumerate(persons) if p["is_central"])
        self.child_centred = self.age(self.central) < 18
        self.children = []  # the generation of the (central) child
        self.parents = {}  # "mother" / "father" -> index: the parents of the children
        self.half = []  # half siblings: children of the mother with someone else
        self.step = []  # partners of a parent who are not the children's parent
        self.foster = []
        self.grandchildren = []  # (child index, other parent index or None): children of the central young person
        self.grandparents = {}  # side -> indexes of the parents of that side's parent
        self.aunts = {}  # side -> indexes of the brothers and sisters of that side's parent
        self.cousins = []
        # Side ("m" mother's, "f" father's, "c" the central parent's) -> that parent's index, None if not in the case.
        self.side = {}
        self.family = set()
        self._read()

    def age(self, i) -> int:
        return (self.referral - self.persons[i]["birth_date"]).days // 365

    def gap(self, older, younger) -> float:
        return (self.persons[younger]["birth_date"] - self.persons[older]["birth_date"]).days / 365.25

    def relation(self, i) -> str:
        return self.persons[i]["relation"].lower().strip()

    def _read(self):
        persons = self.persons
        later = []
        if self.child_centred:
            for i, p in enumerate(persons):
                r = self.relation(i)
                if (
                    i == self.central
                    or r in ("broer", "zus")
                    or (p["is_central"] and not r.startswith(("zoon", "dochter")))
                ):
                    self.children.append(i)
                elif r == "moeder":
                    self.parents["mother"] = i
                elif r == "vader":
                    self.parents["father"] = i
                elif r.startswith(("halfbroer", "halfzus")):
                    self.half.append(i)
                elif r.startswith(("stiefvader", "stiefmoeder", "partner van")):
                    self.step.append(i)
                elif r.startswith(("pleegmoeder", "pleegvader")):
                    self.foster.append(i)
                else:
                    later.append(i)
            self.side = {"m": self.parents.get("mother"), "f": self.parents.get("father")}
        else:
            sex = "mother" if persons[self.central]["gender"] == Gender.FEMALE else "father"
            self.parents[sex] = self.central
            self.side = {"c": self.central}
            for i in range(len(persons)):
                r = self.relation(i)
                if i == self.central:
                    continue
                if r in ("zoon", "dochter"):
                    self.children.append(i)
                elif r in ("echtgenoot", "echtgenote", "partner"):
                    self.parents["father" if sex == "mother" else "mother"] = i
                elif r in ("moeder", "vader"):
                    self.grandparents.setdefault("c", []).append(i)
                elif r in ("broer", "zus"):
                    self.aunts.setdefault("c", []).append(i)
                else:
                    later.append(i)
        for i in later:
            r = self.relation(i)
            if self.child_centred and r.startswith(("zoon", "dochter")):
                self.grandchildren.append((i, None))
            elif r.startswith(("vader van", "moeder van")):
                named = r.split(" van ", 1)[1]
                child = next((j for j in range(len(persons)) if persons[j]["first_name"].lower() == named), None)
                if child is not None:
                    self.grandchildren = [(c, i if c == child else o) for c, o in self.grandchildren]
                    self.family.add(i)
            elif r.startswith(GRANDPARENT_WORDS):
                self.grandparents.setdefault(self._side(i, r), []).append(i)
                self.family.add(i)
            elif r.startswith(AUNT_UNCLE_WORDS):
                self.aunts.setdefault(self._side(i, r), []).append(i)
                self.family.add(i)
            elif r.startswith(("neef", "nicht")):
                self.cousins.append(i)
        parents = set(self.parents.values())
        self.family |= set(self.children) | parents | set(self.half) | set(self.step) | set(self.foster)
        self.family |= {c for c, _o in self.grandchildren} | set(self.cousins)
        for group in (*self.grandparents.values(), *self.aunts.values()):
            self.family |= set(group)

    def _side(self, i, r):
        """The side of the family of a grandparent, aunt or uncle: "m" (the mother's) or "f" (the father's)."""
        if "(" in r:
            words = r.split("(", 1)[1]
            side = (
                "m"
                if any(w in words for w in MATERNAL_WORDS)
                else "f"
                if any(w in words for w in PATERNAL_WORDS)
                else None
            )
        else:
            side = None
        if side is None:  # "oom": the side whose family name they share
            last = self.persons[i]["last_name"]
            father, mother = self.side.get("f"), self.side.get("m")
            side = (
                "f"
                if father is not None and self.persons[father]["last_name"] == last
                else "m"
                if mother is not None and self.persons[mother]["last_name"] == last
                else "f"
            )
        return side


def plan_network(plan: CasePlan) -> NetworkPlan:
    """The genogram, eco-map and circle of one case: members, relationships and ties to systems."""
    spec = plan.spec
    rng = random.Random(f"{SEED}:network:{spec.organisation}:{spec.family}")
    family = _Family(plan)
    net = NetworkPlan()
    _plan_relationships(plan, family, net, rng)
    _plan_members(plan, family, net, rng)
    _plan_emotional_ties(plan, family, net, rng)
    net.ties = _plan_system_ties(plan, family, rng)
    return net


def _parent_link(net, family, parent, child, subtype="biological", start=None, note=""):
    # Parents are older than their children: a relation that does not fit the birth dates is left undrawn.
    if family.gap(parent, child) >= (15 if subtype == "biological" else 0):
        net.relationships.append(RelationshipPlan("parent", subtype, parent, child, start=start, note=note))


def _partnership(rng, family, a, b, subtype, children=(), end_after=None):
    """A partnership of ``a`` and ``b`` dated around their children's births."""
    births = sorted(family.persons[c]["birth_date"] for c in children)
    adult = _years_after(max(family.persons[a]["birth_date"], family.persons[b]["birth_date"]), 16)
    if births:
        start = _years_before(births[0], rng.randint(1, 6)) - datetime.timedelta(days=rng.randint(0, 300))
    else:
        start = _years_before(family.referral, rng.randint(2, 12))
    start = max(start, adult, end_after + datetime.timedelta(days=rng.randint(120, 600)) if end_after else adult)
    start = min(start, family.referral - datetime.timedelta(days=60))
    end = None
    if subtype in ("separated", "divorced"):
        last = family.referral - datetime.timedelta(days=90)
        start = min(start, last - datetime.timedelta(days=365))
        youngest = births[-1] if births else start
        first = max(start + datetime.timedelta(days=180), youngest + datetime.timedelta(days=365))
        end = _between(rng, min(first, last), last)
    return RelationshipPlan("partner", subtype, a, b, start=start, end=end)


def _plan_relationships(plan, family, net, rng):
    persons = family.persons
    mother, father = family.parents.get("mother"), family.parents.get("father")
    # Parents and their children.
    for parent in (mother, father):
        if parent is not None:
            for child in family.children:
                _parent_link(net, family, parent, child)
    for child, other in family.grandchildren:
        _parent_link(net, family, family.central, child)
        if other is not None:
            _parent_link(net, family, other, child)
    if family.child_centred and not family.parents and not family.foster:
        # No parent in the case: the relative the child lives with is the network foster parent.
        carer = next((i for group in family.aunts.values() for i in group if persons[i]["in_household"]), None)
        carer = (
            carer
            if carer is not None
            else next(
                (
                    i
                    for i in family.family
                    if persons[i]["in_household"]
                    and family.age(i) >= 21
                    and persons[i]["relation"].lower().startswith(AUNT_UNCLE_WORDS)
                ),
                None,
            )
        )
        if carer is not None:
            family.foster.append(carer)
    for carer in family.foster:
        start = _years_after(persons[family.central]["birth_date"], min(4, family.age(family.central)))
        for child in family.children:
            _parent_link(net, family, carer, child, "foster", start=start)
    # The parents as a couple.
    previous_end = None
    if mother is not None and father is not None:
        young = min(family.age(mother), family.age(father)) < 21
        apart = persons[mother]["in_household"] != persons[father]["in_household"] or bool(family.step)
        if not family.child_centred and family.relation(father if mother == family.central else mother) in (
            "echtgenoot",
            "echtgenote",
        ):
            subtype = "married"
        elif young:
            subtype = "separated" if apart else "relationship"
        elif apart:
            subtype = "divorced" if rng.random() < 0.6 else "separated"
        else:
            subtype = "married" if rng.random() < 0.65 else "cohabiting"
        couple = _partnership(rng, family, mother, father, subtype, family.children)
        net.relationships.append(couple)
        previous_end = couple.end
    for child, other in family.grandchildren:
        if other is not None:
            net.relationships.append(_partnership(rng, family, family.central, other, "separated", [child]))
    # A step parent: the partner of the parent the children live with, and parent of the half siblings.
    for step in family.step:
        parent = mother if mother is not None else father
        if parent is None:
            continue
        half = [h for h in family.half if persons[h]["last_name"] == persons[step]["last_name"]]
        subtype = "married" if rng.random() < 0.4 else "cohabiting"
        couple = _partnership(rng, family, parent, step, subtype, half, end_after=previous_end)
        net.relationships.append(couple)
        for child in family.children:
            _parent_link(net, family, step, child, "step", start=couple.start)
        for child in half:
            _parent_link(net, family, step, child)
    for child in family.half:
        if mother is not None:
            _parent_link(net, family, mother, child)
    # Grandparents as the parents of one parent; aunts and uncles as that parent's brothers and sisters.
    # Without that parent in the case, the grandparents are still the parents of the aunts and uncles.
    for side, grandparents in family.grandparents.items():
        parent = family.side.get(side)
        children = ([parent] if parent is not None else []) + family.aunts.get(side, [])
        for grandparent in grandparents:
            for child in children:
                _parent_link(net, family, grandparent, child)
        pair = sorted(grandparents, key=lambda i: persons[i]["gender"] != Gender.FEMALE)
        if len(pair) == 2 and persons[pair[0]]["gender"] != persons[pair[1]]["gender"]:
            subtype = "married" if rng.random() < 0.8 else "divorced"
            net.relationships.append(_partnership(rng, family, pair[0], pair[1], subtype, children))
    # Cousins: children of the aunt or uncle they live with or share a name with.
    for cousin in family.cousins:
        aunts = [i for group in family.aunts.values() for i in group] + [
            i for i in family.foster if family.relation(i).startswith(AUNT_UNCLE_WORDS)
        ]
        parent = next((i for i in aunts if persons[i]["in_household"] and persons[cousin]["in_household"]), None)
        parent = (
            parent
            if parent is not None
            else next((i for i in aunts if persons[i]["last_name"] == persons[cousin]["last_name"]), None)
        )
        if parent is not None:
            _parent_link(net, family, parent, cousin)
    # Twins: born on the same day to the same parent.
    for i, j in zip(family.children, family.children[1:]):
        if persons[i]["birth_date"] == persons[j]["birth_date"]:
            same = persons[i]["gender"] == persons[j]["gender"] and rng.random() < 0.3
            net.relationships.append(RelationshipPlan("twin", "identical" if same else "fraternal", i, j))


def _domain(family, i) -> str:
    p, r = family.persons[i], family.relation(i)
    if p["in_household"] or i == family.central:
        return "household"
    if i in family.family:
        return "family"
    if r.startswith(PROFESSIONAL_WORDS):
        return "professional"
    if any(w in r for w in SCHOOL_WORK_WORDS):
        return "school_work"
    if any(w in r for w in CLUB_WORDS):
        return "neighbourhood_clubs"
    if any(w in r for w in FRIEND_WORDS):
        return "friends"
    return "family"


def _plan_members(plan, family, net, rng):
    spec = plan.spec
    persons = family.persons
    unsafe = UNSAFE.get(spec.family)
    unknown = SAFETY_UNKNOWN.get(spec.family, ())
    grandparents = {i for group in family.grandparents.values() for i in group}
    # A grandfather who died, in a few cases: never one who lives with or looks after the child.
    deceased = None
    candidates = [
        i for i in sorted(grandparents) if persons[i]["gender"] == Gender.MALE and not persons[i]["in_household"]
    ]
    if candidates and rng.random() < 0.4:
        deceased = candidates[0]
    for i, p in enumerate(persons):
        domain = _domain(family, i)
        age = family.age(i)
        adult = age >= 18
        data = {
            "kind": "person",
            "domain": domain,
            "reachable": True,
            "deceased": False,
            "death_date": None,
            "practical_support": False,
            "emotional_support": False,
            "information_support": False,
            "critical": False,
            "help_direction": "",
            "contact_frequency": "",
            "known_for": "",
            "ring": None,
        }
        if domain == "household":
            data.update(
                ring=1,
                contact_frequency="daily",
                known_for="over_5" if age >= 5 else "1_to_5" if age >= 1 else "under_1",
            )
            if adult and i != family.central:
                data.update(practical_support=True, emotional_support=True, help_direction="both")
            elif age >= 12:
                data["emotional_support"] = rng.random() < 0.5
            if i == family.central and adult:
                data["help_direction"] = "receives"
        elif domain == "family":
            close = i in family.parents.values() or i in grandparents and rng.random() < 0.4
            data.update(
                ring=1 if close and rng.random() < 0.5 else 2 if close or rng.random() < 0.6 else 3,
                contact_frequency=rng.choice(["weekly", "weekly", "monthly", "few_times_a_year"]),
                known_for="over_5",
            )
            if adult:
                data["practical_support"] = rng.random() < 0.6
                data["emotional_support"] = not data["practical_support"] or rng.random() < 0.5
                data["critical"] = rng.random() < 0.15
                data["help_direction"] = "gives"
        elif domain == "friends":
            data.update(
                ring=2,
                emotional_support=True,
                practical_support=rng.random() < 0.5,
                contact_frequency=rng.choice(["weekly", "monthly"]),
                known_for=rng.choice(["1_to_5", "over_5"]),
                help_direction="both",
            )
        elif domain == "neighbourhood_clubs":
            data.update(
                ring=rng.choice([2, 3]),
                practical_support=True,
                emotional_support=rng.random() < 0.3,
                contact_frequency="weekly",
                known_for=rng.choice(["under_1", "1_to_5", "over_5"]),
                help_direction="gives",
            )
        elif domain == "school_work":
            data.update(
                ring=rng.choice([2, 3]),
                information_support=True,
                emotional_support=rng.random() < 0.4,
                contact_frequency="weekly",
                known_for=rng.choice(["under_1", "1_to_5"]),
                help_direction="gives",
            )
        else:  # professional
            data.update(
                ring=3,
                information_support=True,
                emotional_support=rng.random() < 0.5,
                contact_frequency=rng.choice(["weekly", "monthly"]),
                known_for="under_1",
                help_direction="gives",
            )
        if i == deceased:
            death = _between(
                rng,
                max(
                    p["birth_date"] + datetime.timedelta(days=365 * 50),
                    plan.referral_date - datetime.timedelta(days=3650),
                ),
                plan.referral_date - datetime.timedelta(days=200),
            )
            data.update(
                deceased=True,
                death_date=death,
                ring=3,
                reachable=False,
                practical_support=False,
                emotional_support=False,
                information_support=False,
                critical=False,
                help_direction="",
                contact_frequency="",
                known_for="",
            )
        if p["first_name"] == unsafe:
            safety = "unsafe"
            data.update(practical_support=False, emotional_support=False, help_direction="", critical=False)
        elif p["first_name"] in unknown or (domain != "household" and adult and rng.random() < 0.08):
            safety = "unknown"
        else:
            safety = "safe"
        data["safety"] = safety
        data["may_invite"] = safety == "safe" and domain != "professional" and not data["deceased"] and age >= 12
        net.members[i] = data


def _plan_emotional_ties(plan, family, net, rng):
    persons = family.persons
    by_name = {p["first_name"]: i for i, p in enumerate(persons)}
    seen = set()
    for a, b, kind, note in EMOTIONAL_TIES.get(plan.spec.family, ()):
        if a in by_name and b in by_name:
            net.relationships.append(RelationshipPlan("emotional", kind, by_name[a], by_name[b], note=note))
            seen.add(frozenset((by_name[a], by_name[b])))
    # Separated parents who still fight; a child who is close to a grandmother.
    for r in list(net.relationships):
        if (
            r.kind == "partner"
            and r.subtype in ("separated", "divorced")
            and plan.spec.family not in AMICABLE
            and {r.a, r.b} <= set(family.parents.values())
            and rng.random() < 0.6
            and frozenset((r.a, r.b)) not in seen
        ):
            net.relationships.append(
                RelationshipPlan("emotional", "conflict", r.a, r.b, note="Ruzie over de omgang met de kinderen.")
            )
    if family.child_centred:
        grandmothers = [
            i
            for group in family.grandparents.values()
            for i in group
            if persons[i]["gender"] == Gender.FEMALE and not net.members[i]["deceased"]
        ]
        for grandmother in grandmothers[:1]:
            if frozenset((family.central, grandmother)) not in seen and rng.random() < 0.7:
                net.relationships.append(RelationshipPlan("emotional", "close", family.central, grandmother))
                net.members[grandmother].update(ring=1, emotional_support=True)


def _plan_system_ties(plan, family, rng) -> list[dict]:
    spec = plan.spec
    persons = family.persons
    jurisdiction = _jurisdiction(spec)
    town = spec.town
    ties = []
    concerns = f"{spec.concerns} {spec.question}".lower()
    # The school (or childcare) of the central child, or of the eldest child of a central parent.
    pupils = (
        [family.central]
        if family.child_centred
        else sorted((c for c in family.children if 1 <= family.age(c) < 18), key=lambda c: persons[c]["birth_date"])
    )
    if pupils:
        pupil = pupils[0]
        age = family.age(pupil)
        level = "childcare" if age < 4 else "primary" if age < 12 else "secondary"
        school = rng.choice(SCHOOLS[jurisdiction][level])
        stressful = spec.route == ReferralRoute.SCHOOL or any(
            w in concerns for w in ("school", "spijbel", "gepest", "pesten", "naar huis gestuurd")
        )
        strength = "stressful" if stressful else "strong" if rng.random() < 0.7 else "tenuous"
        year = plan.referral_date.year - (0 if plan.referral_date.month >= 9 else 1)
        ties.append(
            {
                "system": f"{school}, {town}",
                "system_kind": "school",
                "person": pupil,
                "strength": strength,
                "energy": {"stressful": "to_system", "strong": "both"}.get(strength, "none"),
                "start": datetime.date(year - rng.randint(0, 2), 9, 1),
                "note": "Veel contact over afwezigheid en gedrag." if stressful else "",
            }
        )
    # The GP of the household.
    gp_strength = "strong" if spec.route == ReferralRoute.GP or rng.random() < 0.6 else "tenuous"
    ties.append(
        {
            "system": f"Huisartsenpraktijk {town}",
            "system_kind": "gp",
            "person": None,
            "strength": gp_strength,
            "energy": "from_system" if gp_strength == "strong" else "none",
        }
    )
    extra = []
    # Youth care around the child.
    child = family.central if family.child_centred else None
    context = spec.legal_context
    if child is not None and not persons[child]["in_household"]:
        name = "Gesloten jeugdzorg De Hunnerberg" if jurisdiction == "NL" else "Leefgroep De Kering"
        extra.append(
            {
                "system": name,
                "system_kind": "youth_care",
                "person": child,
                "strength": "stressful",
                "energy": "both",
                "start": plan.referral_date - datetime.timedelta(days=rng.randint(30, 120)),
            }
        )
    elif family.foster:
        extra.append(
            {
                "system": "Pleegzorg Gelderland" if jurisdiction == "NL" else "Pleegzorg Oost-Vlaanderen",
                "system_kind": "youth_care",
                "person": child,
                "strength": "strong",
                "energy": "from_system",
            }
        )
    elif (
        context in (LegalContext.NL_JUVENILE_PROBATION, LegalContext.VL_JUDICIAL) and spec.route == ReferralRoute.POLICE
    ):
        extra.append(
            {
                "system": f"Politie, wijkagent {town}",
                "system_kind": "police",
                "person": child,
                "strength": "stressful",
                "energy": "to_system",
            }
        )
    elif any(w in concerns for w in ("depressie", "bipolaire", "donkere gedachten", "zelfbeschadiging", "overdosis")):
        name = "CGG Eclips" if jurisdiction == "VL" else "GGZ Rivierenland"
        extra.append(
            {
                "system": name,
                "system_kind": "mental_health",
                "person": None,
                "strength": "tenuous",
                "energy": "from_system",
            }
        )
    elif spec.safety in (SafetyConcern.SERIOUS, SafetyConcern.ACUTE):
        name = "Ondersteuningscentrum Jeugdzorg" if jurisdiction == "VL" else "Veilig Thuis Gelderland-Zuid"
        extra.append(
            {
                "system": name,
                "system_kind": "youth_care",
                "person": None,
                "strength": "stressful" if rng.random() < 0.5 else "tenuous",
                "energy": "to_system",
            }
        )
    # A club the child goes to.
    relations = " ".join(family.relation(i) for i in range(len(persons)))
    clubs = CLUBS[jurisdiction]
    member = child if child is not None else (pupils[0] if pupils else None)
    if member is not None and family.age(member) >= 6:
        club = (
            clubs["voetbal"]
            if "voetbal" in relations
            else clubs["jeugdbeweging"]
            if "jeugdbeweging" in relations
            else clubs["other"]
            if rng.random() < 0.4
            else None
        )
        if club:
            extra.append(
                {
                    "system": club.format(town=town),
                    "system_kind": "sports_club",
                    "person": member,
                    "strength": "strong" if rng.random() < 0.7 else "tenuous",
                    "energy": "both",
                }
            )
    # Income support or a social district team for a family with debts or without anyone around.
    if any(w in concerns for w in ("schulden", "ken bijna niemand", "nederlandse les")):
        name = "Sociaal Huis {town}" if jurisdiction == "VL" else "Sociaal wijkteam {town}"
        extra.insert(
            0,
            {
                "system": name.format(town=town),
                "system_kind": "social_services",
                "person": None,
                "strength": rng.choice(["strong", "tenuous"]),
                "energy": "from_system",
            },
        )
    # The work of a parent at home.
    workers = [
        i
        for i in family.parents.values()
        if persons[i]["in_household"]
        and 20 <= family.age(i) < 67
        and not (family.child_centred and i == family.central)
    ]
    if workers:
        worker = workers[-1]
        strength = rng.choice(["strong", "strong", "stressful", "tenuous"])
        extra.append(
            {
                "system": rng.choice(WORKPLACES[jurisdiction]).format(town=town),
                "system_kind": "work",
                "person": worker,
                "strength": strength,
                "energy": {"stressful": "to_system", "strong": "both"}.get(strength, "none"),
            }
        )
    return ties + extra[: 4 - len(ties)]


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
        _save_changes(organisation, {"name": spec.name, "jurisdiction": spec.jurisdiction, "region": spec.region})
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
    password = make_password(DEMO_PASSWORD, salt=_PASSWORD_SALT)
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
    actor = Actor(user=users[plan.case_worker], ip_address=None)
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
    case = services.create_referral(actor, organisation, data, plan.persons, path=ACCESS_PATH)
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=max(sequence.last, wanted))
    if case.number != plan.number:
        raise RuntimeError(f"Expected case number {plan.number}, got {case.number}.")

    if plan.status in (CaseStatus.ACTIVE, CaseStatus.CLOSED) and plan.closure_reason != ClosureReason.NOT_ELIGIBLE:
        services.update_case(actor, case.pk, {"status": CaseStatus.ACTIVE}, None, path=ACCESS_PATH)
    for email, role in plan.team_additions:
        services.add_team_member(actor, case.pk, users[email].pk, role, path=ACCESS_PATH)
    persons = list(case.persons.order_by("pk"))
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
            path=ACCESS_PATH,
        )
        if consent_plan.withdrawn_on:
            services.withdraw_consent(actor, case.pk, consent.pk, consent_plan.withdrawn_on, None, path=ACCESS_PATH)
    if plan.status == CaseStatus.CLOSED:
        # update_case dates a closure today; set the planned date first, which it then keeps.
        Case.objects.filter(pk=case.pk).update(closed_on=plan.closed_on)
        services.update_case(
            actor, case.pk, {"status": CaseStatus.CLOSED, "closure_reason": plan.closure_reason}, None, path=ACCESS_PATH
        )
    return case


def _ensure_network(plan: CasePlan, case: Case, users) -> int:
    """Add what is missing of the case's planned network, through the network services, as the case worker.
    Members, relationships (by case, kind, subtype and persons) and system ties (by case, system and person)
    that exist are left alone. Returns how many records were added."""
    net = plan_network(plan)
    actor = Actor(user=users[plan.case_worker], ip_address=None)
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
            network_services.save_member(actor, case.pk, person.pk, data, path=ACCESS_PATH)
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
                path=ACCESS_PATH,
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
        network_services.add_system_tie(
            actor, case.pk, {**tie, "person": person.pk if person else None}, path=ACCESS_PATH
        )
        added += 1
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
    from kring.evaluation import demo as evaluation_demo
    from kring.measures import demo as measures_demo
    from kring.meetings import demo as meetings_demo
    from kring.methods import demo as methods_demo
    from kring.plans import demo as plans_demo
    from kring.trajectories import demo as trajectories_demo

    for stage in (methods_demo, trajectories_demo, meetings_demo, plans_demo, measures_demo, evaluation_demo):
        result.stage_records_created += stage.ensure(organisations, users)
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
