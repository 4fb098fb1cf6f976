"""The plan of a case's network: who is family of whom, and the ties to systems."""

import datetime
import random
from dataclasses import dataclass, field

from kring.cases.choices import (
    Gender,
    LegalContext,
    ReferralRoute,
    SafetyConcern,
)

from .plan import CasePlan, jurisdiction_of, years_before
from .world import SEED

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
    return years_before(day, -years)


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
        start = years_before(births[0], rng.randint(1, 6)) - datetime.timedelta(days=rng.randint(0, 300))
    else:
        start = years_before(family.referral, rng.randint(2, 12))
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
    jurisdiction = jurisdiction_of(spec)
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
