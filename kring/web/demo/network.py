"""The plan of a case's network: who is family of whom, and the ties to systems."""

import datetime
import random
from dataclasses import dataclass, field

from kring.cases.choices import (
    Gender,
)

from .ecomap import plan_system_ties
from .plan import CasePlan, years_before
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
    net.ties = plan_system_ties(plan, family, rng)
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
    """Every relationship of the genogram, one kind of family tie after another (the order keeps the draws)."""
    _parents_and_children(family, net)
    previous_end = _couples(family, net, rng)
    _step_parents(family, net, rng, previous_end)
    _grandparents(family, net, rng)
    _cousins(family, net)
    _twins(family, net, rng)


def _foster_carer(family):
    """Without a parent in the case, the relative the child lives with: an aunt or uncle, or an adult relative."""
    persons = family.persons
    carer = next((i for group in family.aunts.values() for i in group if persons[i]["in_household"]), None)
    if carer is not None:
        return carer
    return next(
        (
            i
            for i in family.family
            if persons[i]["in_household"]
            and family.age(i) >= 21
            and persons[i]["relation"].lower().startswith(AUNT_UNCLE_WORDS)
        ),
        None,
    )


def _parents_and_children(family, net):
    """Parents and their children, the central person's own children, and foster parents."""
    persons = family.persons
    for parent in (family.parents.get("mother"), family.parents.get("father")):
        if parent is not None:
            for child in family.children:
                _parent_link(net, family, parent, child)
    for child, other in family.grandchildren:
        _parent_link(net, family, family.central, child)
        if other is not None:
            _parent_link(net, family, other, child)
    if family.child_centred and not family.parents and not family.foster:
        # No parent in the case: the relative the child lives with is the network foster parent.
        carer = _foster_carer(family)
        if carer is not None:
            family.foster.append(carer)
    for carer in family.foster:
        start = _years_after(persons[family.central]["birth_date"], min(4, family.age(family.central)))
        for child in family.children:
            _parent_link(net, family, carer, child, "foster", start=start)


def _couple_subtype(family, mother, father, rng) -> str:
    """How the parents are (or were) together: from the relation named, their ages and where they live."""
    persons = family.persons
    young = min(family.age(mother), family.age(father)) < 21
    apart = persons[mother]["in_household"] != persons[father]["in_household"] or bool(family.step)
    if not family.child_centred and family.relation(father if mother == family.central else mother) in (
        "echtgenoot",
        "echtgenote",
    ):
        return "married"
    if young:
        return "separated" if apart else "relationship"
    if apart:
        return "divorced" if rng.random() < 0.6 else "separated"
    return "married" if rng.random() < 0.65 else "cohabiting"


def _couples(family, net, rng):
    """The parents as a couple, and the central person with the other parent of each of their children. Gives
    the day the parents' partnership ended (a step parent's partnership starts after it)."""
    mother, father = family.parents.get("mother"), family.parents.get("father")
    previous_end = None
    if mother is not None and father is not None:
        subtype = _couple_subtype(family, mother, father, rng)
        couple = _partnership(rng, family, mother, father, subtype, family.children)
        net.relationships.append(couple)
        previous_end = couple.end
    for child, other in family.grandchildren:
        if other is not None:
            net.relationships.append(_partnership(rng, family, family.central, other, "separated", [child]))
    return previous_end


def _step_parents(family, net, rng, previous_end):
    """A step parent: the partner of the parent the children live with, and parent of the half siblings."""
    persons = family.persons
    mother, father = family.parents.get("mother"), family.parents.get("father")
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


def _grandparents(family, net, rng):
    """Grandparents as the parents of one parent; aunts and uncles as that parent's brothers and sisters.
    Without that parent in the case, the grandparents are still the parents of the aunts and uncles."""
    persons = family.persons
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


def _cousins(family, net):
    """Cousins: children of the aunt or uncle they live with or share a name with."""
    persons = family.persons
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


def _twins(family, net, rng):
    """Twins: born on the same day to the same parent."""
    persons = family.persons
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


# What a network member's map details are before their place in the network fills them in.
MEMBER_DEFAULTS = {
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
# A member who died: no ring close by, no support, no contact.
DECEASED_DETAILS = {
    "ring": 3,
    "reachable": False,
    "practical_support": False,
    "emotional_support": False,
    "information_support": False,
    "critical": False,
    "help_direction": "",
    "contact_frequency": "",
    "known_for": "",
}


def _plan_members(plan, family, net, rng):
    """Each person's map details: ring, support and contact by domain, then death and safety."""
    persons = family.persons
    grandparents = {i for group in family.grandparents.values() for i in group}
    deceased = _deceased_grandfather(family, grandparents, rng)
    for i, p in enumerate(persons):
        domain = _domain(family, i)
        age = family.age(i)
        data = {"kind": "person", "domain": domain, **MEMBER_DEFAULTS}
        DOMAIN_DETAILS[domain](data, family, i, age, grandparents, rng)
        if i == deceased:
            data.update(deceased=True, death_date=_death_date(p, plan.referral_date, rng), **DECEASED_DETAILS)
        data["safety"] = _member_safety(plan.spec.family, p, domain, age >= 18, data, rng)
        data["may_invite"] = (
            data["safety"] == "safe" and domain != "professional" and not data["deceased"] and age >= 12
        )
        net.members[i] = data


def _deceased_grandfather(family, grandparents, rng):
    """A grandfather who died, in a few cases: never one who lives with or looks after the child."""
    persons = family.persons
    candidates = [
        i for i in sorted(grandparents) if persons[i]["gender"] == Gender.MALE and not persons[i]["in_household"]
    ]
    if candidates and rng.random() < 0.4:
        return candidates[0]
    return None


def _death_date(person, referral_date, rng) -> datetime.date:
    return _between(
        rng,
        max(
            person["birth_date"] + datetime.timedelta(days=365 * 50),
            referral_date - datetime.timedelta(days=3650),
        ),
        referral_date - datetime.timedelta(days=200),
    )


def _member_safety(family_name, person, domain, adult, data, rng) -> str:
    """Safe, unsafe (the person the case's safety is about) or unknown (not yet clear, or at random)."""
    if person["first_name"] == UNSAFE.get(family_name):
        data.update(practical_support=False, emotional_support=False, help_direction="", critical=False)
        return "unsafe"
    if person["first_name"] in SAFETY_UNKNOWN.get(family_name, ()) or (
        domain != "household" and adult and rng.random() < 0.08
    ):
        return "unknown"
    return "safe"


def _household_details(data, family, i, age, grandparents, rng):
    data.update(
        ring=1,
        contact_frequency="daily",
        known_for="over_5" if age >= 5 else "1_to_5" if age >= 1 else "under_1",
    )
    if age >= 18 and i != family.central:
        data.update(practical_support=True, emotional_support=True, help_direction="both")
    elif age >= 12:
        data["emotional_support"] = rng.random() < 0.5
    if i == family.central and age >= 18:
        data["help_direction"] = "receives"


def _family_details(data, family, i, age, grandparents, rng):
    close = i in family.parents.values() or i in grandparents and rng.random() < 0.4
    data.update(
        ring=1 if close and rng.random() < 0.5 else 2 if close or rng.random() < 0.6 else 3,
        contact_frequency=rng.choice(["weekly", "weekly", "monthly", "few_times_a_year"]),
        known_for="over_5",
    )
    if age >= 18:
        data["practical_support"] = rng.random() < 0.6
        data["emotional_support"] = not data["practical_support"] or rng.random() < 0.5
        data["critical"] = rng.random() < 0.15
        data["help_direction"] = "gives"


def _friend_details(data, family, i, age, grandparents, rng):
    data.update(
        ring=2,
        emotional_support=True,
        practical_support=rng.random() < 0.5,
        contact_frequency=rng.choice(["weekly", "monthly"]),
        known_for=rng.choice(["1_to_5", "over_5"]),
        help_direction="both",
    )


def _neighbour_details(data, family, i, age, grandparents, rng):
    data.update(
        ring=rng.choice([2, 3]),
        practical_support=True,
        emotional_support=rng.random() < 0.3,
        contact_frequency="weekly",
        known_for=rng.choice(["under_1", "1_to_5", "over_5"]),
        help_direction="gives",
    )


def _school_work_details(data, family, i, age, grandparents, rng):
    data.update(
        ring=rng.choice([2, 3]),
        information_support=True,
        emotional_support=rng.random() < 0.4,
        contact_frequency="weekly",
        known_for=rng.choice(["under_1", "1_to_5"]),
        help_direction="gives",
    )


def _professional_details(data, family, i, age, grandparents, rng):
    data.update(
        ring=3,
        information_support=True,
        emotional_support=rng.random() < 0.5,
        contact_frequency=rng.choice(["weekly", "monthly"]),
        known_for="under_1",
        help_direction="gives",
    )


# A member's ring, support and contact by the domain ``_domain`` puts them in.
DOMAIN_DETAILS = {
    "household": _household_details,
    "family": _family_details,
    "friends": _friend_details,
    "neighbourhood_clubs": _neighbour_details,
    "school_work": _school_work_details,
    "professional": _professional_details,
}


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
