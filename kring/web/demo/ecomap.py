"""The eco-map of a demo case: its ties to systems (school, GP, care, club, social services, work)."""

import datetime

from kring.cases.choices import (
    LegalContext,
    ReferralRoute,
    SafetyConcern,
)

from .plan import jurisdiction_of

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


# Words in the case's question and concerns that point to a system around the family.
SCHOOL_WORRY_WORDS = ("school", "spijbel", "gepest", "pesten", "naar huis gestuurd")
MENTAL_HEALTH_WORDS = ("depressie", "bipolaire", "donkere gedachten", "zelfbeschadiging", "overdosis")
SOCIAL_SERVICES_WORDS = ("schulden", "ken bijna niemand", "nederlandse les")
# How much energy flows along a tie of this strength (an unnamed strength: none).
ENERGY = {"stressful": "to_system", "strong": "both"}
MAX_TIES = 4


def plan_system_ties(plan, family, rng) -> list[dict]:
    """The eco-map: the school and the GP always (when there is a pupil), then as many of youth care, a club,
    social services and a parent's work as fit in MAX_TIES. Drawn in this order, so each case keeps its draws."""
    persons = family.persons
    concerns = f"{plan.spec.concerns} {plan.spec.question}".lower()
    # The school (or childcare) of the central child, or of the eldest child of a central parent.
    pupils = (
        [family.central]
        if family.child_centred
        else sorted((c for c in family.children if 1 <= family.age(c) < 18), key=lambda c: persons[c]["birth_date"])
    )
    ties = []
    if pupils:
        ties.append(_school_tie(plan, family, pupils[0], concerns, rng))
    ties.append(_gp_tie(plan, rng))
    child = family.central if family.child_centred else None
    extra = []
    care = _care_tie(plan, family, child, concerns, rng)
    if care:
        extra.append(care)
    member = child if child is not None else (pupils[0] if pupils else None)
    club = _club_tie(plan, family, member, rng) if member is not None and family.age(member) >= 6 else None
    if club:
        extra.append(club)
    if any(w in concerns for w in SOCIAL_SERVICES_WORDS):
        extra.insert(0, _social_services_tie(plan, rng))
    work = _work_tie(plan, family, rng)
    if work:
        extra.append(work)
    return ties + extra[: MAX_TIES - len(ties)]


def _school_tie(plan, family, pupil, concerns, rng) -> dict:
    spec = plan.spec
    age = family.age(pupil)
    level = "childcare" if age < 4 else "primary" if age < 12 else "secondary"
    school = rng.choice(SCHOOLS[jurisdiction_of(spec)][level])
    stressful = spec.route == ReferralRoute.SCHOOL or any(w in concerns for w in SCHOOL_WORRY_WORDS)
    strength = "stressful" if stressful else "strong" if rng.random() < 0.7 else "tenuous"
    year = plan.referral_date.year - (0 if plan.referral_date.month >= 9 else 1)
    return {
        "system": f"{school}, {spec.town}",
        "system_kind": "school",
        "person": pupil,
        "strength": strength,
        "energy": ENERGY.get(strength, "none"),
        "start": datetime.date(year - rng.randint(0, 2), 9, 1),
        "note": "Veel contact over afwezigheid en gedrag." if stressful else "",
    }


def _gp_tie(plan, rng) -> dict:
    """The GP of the household."""
    strength = "strong" if plan.spec.route == ReferralRoute.GP or rng.random() < 0.6 else "tenuous"
    return {
        "system": f"Huisartsenpraktijk {plan.spec.town}",
        "system_kind": "gp",
        "person": None,
        "strength": strength,
        "energy": "from_system" if strength == "strong" else "none",
    }


def _care_tie(plan, family, child, concerns, rng) -> dict | None:
    """Youth care around the child, the police, mental health care or the safety organisation: the first that
    fits the case."""
    spec = plan.spec
    jurisdiction = jurisdiction_of(spec)
    if child is not None and not family.persons[child]["in_household"]:
        return {
            "system": "Gesloten jeugdzorg De Hunnerberg" if jurisdiction == "NL" else "Leefgroep De Kering",
            "system_kind": "youth_care",
            "person": child,
            "strength": "stressful",
            "energy": "both",
            "start": plan.referral_date - datetime.timedelta(days=rng.randint(30, 120)),
        }
    if family.foster:
        return {
            "system": "Pleegzorg Gelderland" if jurisdiction == "NL" else "Pleegzorg Oost-Vlaanderen",
            "system_kind": "youth_care",
            "person": child,
            "strength": "strong",
            "energy": "from_system",
        }
    if (
        spec.legal_context in (LegalContext.NL_JUVENILE_PROBATION, LegalContext.VL_JUDICIAL)
        and spec.route == ReferralRoute.POLICE
    ):
        return {
            "system": f"Politie, wijkagent {spec.town}",
            "system_kind": "police",
            "person": child,
            "strength": "stressful",
            "energy": "to_system",
        }
    if any(w in concerns for w in MENTAL_HEALTH_WORDS):
        return {
            "system": "CGG Eclips" if jurisdiction == "VL" else "GGZ Rivierenland",
            "system_kind": "mental_health",
            "person": None,
            "strength": "tenuous",
            "energy": "from_system",
        }
    if spec.safety in (SafetyConcern.SERIOUS, SafetyConcern.ACUTE):
        return {
            "system": "Ondersteuningscentrum Jeugdzorg" if jurisdiction == "VL" else "Veilig Thuis Gelderland-Zuid",
            "system_kind": "youth_care",
            "person": None,
            "strength": "stressful" if rng.random() < 0.5 else "tenuous",
            "energy": "to_system",
        }
    return None


def _club_tie(plan, family, member, rng) -> dict | None:
    """A club the child goes to: the one the case names, or now and then another."""
    relations = " ".join(family.relation(i) for i in range(len(family.persons)))
    clubs = CLUBS[jurisdiction_of(plan.spec)]
    if "voetbal" in relations:
        club = clubs["voetbal"]
    elif "jeugdbeweging" in relations:
        club = clubs["jeugdbeweging"]
    else:
        club = clubs["other"] if rng.random() < 0.4 else None
    if not club:
        return None
    return {
        "system": club.format(town=plan.spec.town),
        "system_kind": "sports_club",
        "person": member,
        "strength": "strong" if rng.random() < 0.7 else "tenuous",
        "energy": "both",
    }


def _social_services_tie(plan, rng) -> dict:
    """Income support or a social district team, for a family with debts or without anyone around."""
    name = "Sociaal Huis {town}" if jurisdiction_of(plan.spec) == "VL" else "Sociaal wijkteam {town}"
    return {
        "system": name.format(town=plan.spec.town),
        "system_kind": "social_services",
        "person": None,
        "strength": rng.choice(["strong", "tenuous"]),
        "energy": "from_system",
    }


def _work_tie(plan, family, rng) -> dict | None:
    """The work of a parent at home."""
    persons = family.persons
    workers = [
        i
        for i in family.parents.values()
        if persons[i]["in_household"]
        and 20 <= family.age(i) < 67
        and not (family.child_centred and i == family.central)
    ]
    if not workers:
        return None
    strength = rng.choice(["strong", "strong", "stressful", "tenuous"])
    return {
        "system": rng.choice(WORKPLACES[jurisdiction_of(plan.spec)]).format(town=plan.spec.town),
        "system_kind": "work",
        "person": workers[-1],
        "strength": strength,
        "energy": ENERGY.get(strength, "none"),
    }
