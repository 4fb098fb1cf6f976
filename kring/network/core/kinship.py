"""What "relation to the central person", typed at intake, says about the family tree, and the links it implies.

The intake keeps the relation as free text ("moeder", "oma (moederskant)", "halfbroer", "nonkel", "stepfather").
``read_relation`` reads the kinship word in it, Dutch, Flemish or English, with its prefix (step, foster,
adoptive, half, twin) and, for grandparents, aunts and uncles, the side of the family when the text names it.
``derive_links`` turns the relations of a case into genogram links: parent links between a parent and the
central persons, grandparents above the parent on their side, siblings and twins beside the central persons,
aunts and uncles as siblings of the parent on their side. Nothing is guessed: a grandparent whose side is not
named, or whose side's parent is not recorded, gets no link, and an unreadable relation gets none.

Pure Python, no Django: the network service applies the links, skipping those already drawn by hand.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

PARENT, CHILD, GRANDPARENT, SIBLING, TWIN, AUNT_UNCLE = (
    "parent",
    "child",
    "grandparent",
    "sibling",
    "twin",
    "aunt_uncle",
)
MOTHER_SIDE, FATHER_SIDE = "mother", "father"

# Base words: kind and the sex they name ("" when they do not).
_WORDS: dict[str, tuple[str, str]] = {}


def _add(kind: str, sex: str, *words: str) -> None:
    for word in words:
        _WORDS[word] = (kind, sex)


_add(PARENT, "female", "moeder", "mama", "mam", "mamma", "moeke", "ma", "mother", "mum", "mom", "mummy", "mommy")
_add(PARENT, "male", "vader", "papa", "pap", "pappa", "vake", "pa", "father", "dad", "daddy")
_add(PARENT, "", "ouder", "parent")
_add(CHILD, "female", "dochter", "daughter")
_add(CHILD, "male", "zoon", "son")
_add(CHILD, "", "kind", "child")
_add(GRANDPARENT, "female", "oma", "omi", "grootmoeder", "meme", "bomma", "moemoe", "grandmother", "grandma", "granny")
_add(GRANDPARENT, "male", "opa", "opi", "grootvader", "pepe", "bompa", "vava", "grandfather", "grandpa")
_add(GRANDPARENT, "", "grootouder", "grandparent")
_add(SIBLING, "female", "zus", "zusje", "zuster", "sister")
_add(SIBLING, "male", "broer", "broertje", "brother")
_add(SIBLING, "", "sibling", "brusje")
_add(TWIN, "", "tweeling", "twin")
_add(AUNT_UNCLE, "female", "tante", "tantetje", "aunt", "auntie")
_add(AUNT_UNCLE, "male", "oom", "ome", "nonkel", "uncle")

# Prefixes, written together with the word ("stiefvader") or before it ("foster mother"), and what they mean.
_PREFIXES = {
    "stief": "step",
    "step": "step",
    "pleeg": "foster",
    "foster": "foster",
    "adoptief": "adoptive",
    "adoptie": "adoptive",
    "adoptive": "adoptive",
    "adopted": "adoptive",
    "half": "half",
    "tweeling": "twin",
    "twin": "twin",
    "biologische": "biological",
    "biologisch": "biological",
    "biological": "biological",
    "bio": "biological",
}
_GUARDIAN = ("voogd", "voogdes", "guardian")
_MOTHER_HINTS = ("moeder", "mama", "mams", "mamma", "mother", "matern", "mum", "mom")
_FATHER_HINTS = ("vader", "papa", "paps", "pappa", "father", "patern", "dad")


@dataclass(frozen=True)
class Kin:
    """A relation as read: the kind, its subtype (parent: biological, step, foster, adoptive, guardian; sibling:
    sibling, half, step; twin: fraternal), the sex the word names, and the side of the family if named."""

    kind: str
    subtype: str = ""
    sex: str = ""
    side: str = ""


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.replace("'s", "s").replace("-", "")
    return "".join(c if c.isalnum() else " " for c in text)


def _split_prefix(token: str) -> tuple[str, str]:
    """('step', 'vader') for 'stiefvader'; ('', token) when the token has no known prefix before a word."""
    for prefix, meaning in _PREFIXES.items():
        if token.startswith(prefix) and token[len(prefix) :] in _WORDS:
            return meaning, token[len(prefix) :]
    return "", token


def _side(tokens: list[str]) -> str:
    for token in tokens:
        if token.startswith(_MOTHER_HINTS):
            return MOTHER_SIDE
        if token.startswith(_FATHER_HINTS):
            return FATHER_SIDE
    return ""


def _subtype(kind: str, prefix: str) -> str:
    if kind in (PARENT, CHILD, GRANDPARENT):
        return prefix if prefix in ("step", "foster", "adoptive") else "biological"
    if kind == SIBLING:
        return prefix if prefix in ("half", "step") else "sibling"
    if kind == TWIN:
        return "fraternal"
    return ""


def _composed(kind: str, sex: str, prefix: str, of: Kin) -> Kin | None:
    """'moeder van vader' (a grandparent on the father's side), 'zus van mama' (an aunt on the mother's side);
    None for what we do not draw ('vriend van oma')."""
    if of.kind != PARENT or of.subtype != "biological" or not of.sex:
        return None
    side = MOTHER_SIDE if of.sex == "female" else FATHER_SIDE
    if kind == PARENT:
        return Kin(GRANDPARENT, _subtype(GRANDPARENT, prefix), sex, side)
    if kind == SIBLING and prefix not in ("half", "step"):
        return Kin(AUNT_UNCLE, "", sex, side)
    return None


def read_relation(text: str | None) -> Kin | None:
    """The kinship a relation text names, or None when it names none we can draw ("buurvrouw", "juf")."""
    tokens = _plain(text or "").split()
    prefix = ""
    for n, token in enumerate(tokens):
        if token in ("van", "of"):
            return None  # 'vriend van oma': the kinship word names someone else
        if token in _GUARDIAN:
            return Kin(PARENT, "guardian")
        if token in _PREFIXES and n + 1 < len(tokens) and not prefix:
            prefix = _PREFIXES[token]
            continue
        joined, word = _split_prefix(token)
        if word not in _WORDS:
            prefix = ""
            continue
        kind, sex = _WORDS[word]
        prefix = joined or prefix
        rest = tokens[n + 1 :]
        if rest[:1] in (["van"], ["of"]):
            of = read_relation(" ".join(rest[1:]))
            if of is not None:
                return _composed(kind, sex, prefix, of)
        if prefix == "twin" or kind == TWIN:
            return Kin(TWIN, "fraternal", sex)
        side = _side(rest) if kind in (GRANDPARENT, AUNT_UNCLE) else ""
        return Kin(kind, _subtype(kind, prefix), sex, side)
    return None


@dataclass(frozen=True)
class PersonFacts:
    """What the derivation needs of one person of the case. ``sex``: female, male, other or unknown."""

    id: str
    relation: str
    central: bool
    sex: str = "unknown"


@dataclass(frozen=True)
class Link:
    """A genogram link to make: kind 'parent' (a is the parent of b), 'sibling' or 'twin'."""

    kind: str
    subtype: str
    a: str
    b: str


def _parent_side(person: PersonFacts, kin: Kin | None) -> str:
    sex = (kin.sex if kin and kin.kind == PARENT else "") or person.sex
    return MOTHER_SIDE if sex == "female" else FATHER_SIDE if sex == "male" else ""


def _direct_links(person: PersonFacts, kin: Kin, centrals: list[str]) -> list[Link]:
    """Links between a person and each central person, from their own relation."""
    links = []
    for c in centrals:
        if c == person.id:
            continue
        if kin.kind == PARENT:
            links.append(Link(PARENT, kin.subtype, person.id, c))
        elif kin.kind == CHILD:
            links.append(Link(PARENT, kin.subtype, c, person.id))
        elif kin.kind == SIBLING:
            links.append(Link(SIBLING, kin.subtype, person.id, c))
        elif kin.kind == TWIN:
            links.append(Link(TWIN, kin.subtype, person.id, c))
    return links


_PARENT_ORDER = {"biological": 0, "adoptive": 1, "foster": 2, "guardian": 3, "step": 4}


def derive_links(
    persons: Iterable[PersonFacts], parent_links: Iterable[tuple[str, str, str]], changed: Iterable[str]
) -> list[Link]:
    """The links the relations imply that touch a ``changed`` person (added, or their relation changed).

    ``parent_links``: the parent links already recorded, as (parent, child, subtype). When a central person
    changed, every person's relation is read again against them. Links may repeat what is recorded; the caller
    skips those.
    """
    people = {p.id: p for p in persons}
    kins = {p.id: read_relation(p.relation) for p in people.values()}
    centrals = [p.id for p in people.values() if p.central]
    changed_ids = set(changed) & set(people)
    if any(people[i].central for i in changed_ids):
        changed_ids = set(people)
    result: list[Link] = []
    known = list(parent_links)
    for pid in people:
        kin = kins[pid]
        if kin is None or people[pid].central:
            continue
        direct = _direct_links(people[pid], kin, centrals)
        known += [(link.a, link.b, link.subtype) for link in direct if link.kind == PARENT]
        if pid in changed_ids:
            result += direct
    # Grandparents above, aunts and uncles beside, the central person's parent on their side.
    for pid in people:
        kin = kins[pid]
        if kin is None or kin.kind not in (GRANDPARENT, AUNT_UNCLE) or not kin.side or people[pid].central:
            continue
        for c in centrals:
            sides = [
                (_PARENT_ORDER.get(subtype, 9), parent)
                for parent, child, subtype in known
                if child == c
                and parent in people
                and parent != pid
                and _parent_side(people[parent], kins[parent]) == kin.side
            ]
            if not sides:
                continue
            parent = min(sides)[1]
            if pid not in changed_ids and parent not in changed_ids:
                continue
            if kin.kind == GRANDPARENT:
                result.append(Link(PARENT, kin.subtype, pid, parent))
            else:
                result.append(Link(SIBLING, "sibling", pid, parent))
    return list(dict.fromkeys(result))
