"""Who may give a consent for the children of a case, and which consents a purpose still lacks
(decisions 115 and 156-160).

The rules are data: ``consent_rules.toml`` names, per jurisdiction and by the child's age on the day the consent is
given, whether the holders of parental authority consent, the child, or both (the Netherlands from 12 to 15:
BW art. 7:450 lid 2, Jeugdwet art. 7.3.4), and what a case worker's judgement of the child's capability changes
(Flanders: a minor of twelve or older is presumed able to judge their own interests, the presumption can be
turned around both ways, Decreet rechtspositie minderjarige art. 4 §2). The file is read and checked at start-up.

Who holds authority over a child is what ``ParentalAuthority`` records for that child, on that day. Where nothing
is recorded for a child, Kring falls back to the relation typed at intake (a parent or legal representative by
``PARENT_WORDS``, and of age) and says on the case page that the authority is not recorded (decision 159).
"""

from __future__ import annotations

import datetime
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kring.accounts.models import Jurisdiction

RULES_FILE = Path(__file__).with_name("consent_rules.toml")
HOLDERS, CHILD, BOTH = "holders", "child", "child_and_holders"
WHO = (HOLDERS, CHILD, BOTH)
# Whether every holder of authority in force consents, or one is enough (decision 217).
ALL_HOLDERS, ANY_HOLDER = "all", "any"
MAJORITY = 18

# A relation whose head word is one of these names a parent or legal representative (Dutch and English).
PARENT_WORDS = frozenset(
    {
        "moeder",
        "vader",
        "ouder",
        "ouders",
        "mama",
        "papa",
        "mam",
        "pap",
        "adoptiefmoeder",
        "adoptiefvader",
        "adoptiefouder",
        "voogd",
        "mother",
        "father",
        "parent",
        "mum",
        "mom",
        "dad",
        "guardian",
    }
)
# Phrases that name a legal representative in more than one word.
REPRESENTATIVE_PHRASES = ("wettelijk vertegenwoordiger", "wettelijke vertegenwoordiger", "legal representative")
# Words before a parent word that make it somebody else ("stief moeder" written apart, "foster mother").
NOT_A_PARENT = frozenset({"groot", "over", "stief", "pleeg", "schoon", "grand", "step", "foster", "gezins"})


# ---- the rules as data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    from_age: int
    until_age: int
    who: str
    if_judged_capable: str = ""
    if_judged_incapable: str = ""


def parse_rules(text: str) -> dict[str, tuple[Band, ...]]:
    """The rules of a TOML text, checked: every jurisdiction of Kring, bands from 0 to 18 without gap or overlap,
    known words only. Raises ImproperlyConfigured naming what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ImproperlyConfigured(f"consent rules: {error}") from None
    rules: dict[str, tuple[Band, ...]] = {}
    for jurisdiction in Jurisdiction.values:
        section = data.get(jurisdiction)
        if not isinstance(section, dict) or not section.get("band"):
            raise ImproperlyConfigured(f"consent rules: no bands for {jurisdiction}")
        unknown_keys = set(section) - {"source", "holders", "band"}
        if unknown_keys:
            raise ImproperlyConfigured(f"consent rules {jurisdiction}: unknown keys {sorted(unknown_keys)}")
        if section.get("holders") not in (ALL_HOLDERS, ANY_HOLDER):
            raise ImproperlyConfigured(f'consent rules {jurisdiction}: holders must be "all" or "any"')
        bands = []
        expected = 0
        for raw in section["band"]:
            unknown = set(raw) - {"from_age", "until_age", "who", "if_judged_capable", "if_judged_incapable"}
            if unknown:
                raise ImproperlyConfigured(f"consent rules {jurisdiction}: unknown keys {sorted(unknown)}")
            band = Band(**raw)
            if band.from_age != expected or band.until_age <= band.from_age:
                raise ImproperlyConfigured(f"consent rules {jurisdiction}: band from {band.from_age} leaves a gap")
            for word in (band.who, band.if_judged_capable, band.if_judged_incapable):
                if word and word not in WHO:
                    raise ImproperlyConfigured(f"consent rules {jurisdiction}: unknown who {word!r}")
            expected = band.until_age
            bands.append(band)
        if expected != MAJORITY:
            raise ImproperlyConfigured(f"consent rules {jurisdiction}: the bands end at {expected}, not {MAJORITY}")
        rules[jurisdiction] = tuple(bands)
    extra = set(data) - set(Jurisdiction.values)
    if extra:
        raise ImproperlyConfigured(f"consent rules: unknown jurisdictions {sorted(extra)}")
    return rules


@functools.cache
def rules() -> dict[str, tuple[Band, ...]]:
    return parse_rules(RULES_FILE.read_text(encoding="utf-8"))


@functools.cache
def holder_rule(jurisdiction: str) -> str:
    """ "all" when every holder of authority in force must consent (the Netherlands: Jeugdwet art. 7.3.4 lid 2 names
    the parents who hold authority), "any" when one holder's consent is enough (Flanders: a parent acting alone is
    presumed to act with the other's agreement, Belgian BW art. 373-374). Checked with the bands by ``rules()``."""
    rules()
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    section = data.get(jurisdiction) or data[Jurisdiction.NETHERLANDS]
    return section["holders"]


def band_for(jurisdiction: str, age: int) -> Band:
    bands = rules().get(jurisdiction) or rules()[Jurisdiction.NETHERLANDS]
    age = min(max(age, 0), MAJORITY - 1)  # a day before the birth counts as the first band
    return next(b for b in bands if b.from_age <= age < b.until_age)


def own_consent_age(jurisdiction: str) -> int:
    """The age from which a child consents alone, without a judgement of the case worker."""
    bands = rules().get(jurisdiction) or rules()[Jurisdiction.NETHERLANDS]
    return next((b.from_age for b in bands if b.who == CHILD), MAJORITY)


def first_own_age(jurisdiction: str) -> int:
    """The age from which a child takes part in consent (alone or together with a holder of authority)."""
    bands = rules().get(jurisdiction) or rules()[Jurisdiction.NETHERLANDS]
    return next((b.from_age for b in bands if b.who in (CHILD, BOTH)), MAJORITY)


def describe(jurisdiction: str) -> list[str]:
    """The rules of a jurisdiction in words, one sentence per age band (for the consent form)."""
    if holder_rule(jurisdiction) == ALL_HOLDERS:
        sentences = {
            HOLDERS: _("from %(from)d to %(until)d years: every holder of parental authority"),
            CHILD: _("from %(from)d to %(until)d years: the young person themselves"),
            BOTH: _("from %(from)d to %(until)d years: the young person and every holder of parental authority"),
        }
    else:
        sentences = {
            HOLDERS: _("from %(from)d to %(until)d years: a holder of parental authority"),
            CHILD: _("from %(from)d to %(until)d years: the young person themselves"),
            BOTH: _("from %(from)d to %(until)d years: the young person and a holder of parental authority, both"),
        }
    lines = []
    for band in rules().get(jurisdiction) or ():
        line = sentences[band.who] % {"from": band.from_age, "until": band.until_age - 1}
        if band.if_judged_capable:
            line += " " + _("(the child themselves when you judged them able to judge their own interests)")
        if band.if_judged_incapable:
            line += " " + _("(a holder of parental authority when you judged them not able to)")
        lines.append(line)
    return lines


def who_consents(jurisdiction: str, age: int, judged_capable: bool | None = None) -> str:
    band = band_for(jurisdiction, age)
    if judged_capable is True and band.if_judged_capable:
        return band.if_judged_capable
    if judged_capable is False and band.if_judged_incapable:
        return band.if_judged_incapable
    return band.who


# ---- relation words (the fall-back) -------------------------------------------------------------------------


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_parent_relation(relation: str) -> bool:
    """Whether a relation as typed at intake names a parent or legal representative of the central person."""
    text = re.sub(r"\([^)]*\)", " ", _plain(relation))  # "moeder (biologisch)" -> "moeder"
    text = re.split(r"\b(?:van|of)\b", text)[0]  # "zus van moeder" -> "zus"
    if any(phrase in text for phrase in REPRESENTATIVE_PHRASES):
        return True
    words = re.findall(r"[a-z]+", text)
    if not words or words[-1] not in PARENT_WORDS:
        return False
    return not NOT_A_PARENT.intersection(words[:-1])


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# ---- a case's facts ----------------------------------------------------------------------------------------


@dataclass
class CaseFacts:
    """What the rules read of one case: its jurisdiction, persons, authority records and judgements."""

    jurisdiction: str
    persons: list
    authorities: list
    judgements: list
    children: list = field(init=False)

    def __post_init__(self):
        self.children = [p for p in self.persons if p.is_central]

    def recorded_for(self, child) -> bool:
        return any(a.child_id == child.pk for a in self.authorities)

    def holders(self, child, day: datetime.date) -> list:
        """The persons of the case who hold (or act for an institution holding) authority over the child on that
        day: from the authority records when there are any for the child, else by relation word (decision 159)."""
        if self.recorded_for(child):
            ids = {a.holder_id for a in self.authorities if a.child_id == child.pk and a.in_force_on(day)}
            return [p for p in self.persons if p.pk in ids]
        return [
            p
            for p in self.persons
            if p.pk != child.pk
            and is_parent_relation(p.relation)
            and (p.birth_date is None or age_on(p.birth_date, day) >= MAJORITY)
        ]

    def institutions(self, child, day: datetime.date) -> list[str]:
        return [
            a.institution for a in self.authorities if a.child_id == child.pk and a.institution and a.in_force_on(day)
        ]

    def judged_capable(self, child, purpose: str, day: datetime.date) -> bool | None:
        found = [j for j in self.judgements if j.child_id == child.pk and j.purpose == purpose and j.judged_on <= day]
        if not found:
            return None
        return max(found, key=lambda j: (j.judged_on, j.pk)).capable

    def who(self, child, purpose: str, day: datetime.date) -> str | None:
        """Who consents for this child for this purpose on that day; None when the child is of age or the birth
        date is unknown."""
        if child.birth_date is None:
            return None
        age = age_on(child.birth_date, day)
        if age >= MAJORITY:
            return None
        return who_consents(self.jurisdiction, age, self.judged_capable(child, purpose, day))

    def minors(self, day: datetime.date) -> list:
        return [c for c in self.children if c.birth_date is None or age_on(c.birth_date, day) < MAJORITY]


def case_facts(case) -> CaseFacts:
    from .models import CapabilityJudgement, ParentalAuthority

    return CaseFacts(
        jurisdiction=case.organisation.jurisdiction,
        persons=list(case.persons.all()),
        authorities=list(ParentalAuthority.objects.filter(case=case).select_related("holder")),
        judgements=list(CapabilityJudgement.objects.filter(case=case)),
    )


# ---- refusing a giver --------------------------------------------------------------------------------------


def _place(jurisdiction: str) -> str:
    return str(Jurisdiction(jurisdiction).label) if jurisdiction in Jurisdiction.values else ""


def _names(persons) -> str:
    return ", ".join(p.full_name for p in persons)


def _givers_for(facts: CaseFacts, child, purpose: str, day: datetime.date) -> str:
    """Who can give the consent for this child, in words, for a refusal."""
    who = facts.who(child, purpose, day)
    holders = _names(facts.holders(child, day)) or ", ".join(facts.institutions(child, day))
    holders = holders or _("a holder of parental authority (none is recorded)")
    if who == CHILD:
        return child.full_name
    if who == BOTH:
        return _("%(child)s together with %(holders)s") % {"child": child.full_name, "holders": holders}
    return holders


def refusal(facts: CaseFacts, person, purpose: str, day: datetime.date) -> str | None:
    """Why ``person`` may not give a consent for ``purpose`` on ``day``, or None when they may."""
    place = _place(facts.jurisdiction)
    own_reason = None
    if person.is_central:
        if person.birth_date is None:
            return _(
                "%(name)s is a central person without a birth date: record the birth date first, so Kring can tell "
                "whether they may consent for themselves."
            ) % {"name": person.full_name}
        if day < person.birth_date:
            return _("The consent is dated before %(name)s was born.") % {"name": person.full_name}
        age = age_on(person.birth_date, day)
        who = facts.who(person, purpose, day)
        if age >= MAJORITY or who in (CHILD, BOTH):
            return None
        if facts.judged_capable(person, purpose, day) is False:
            own_reason = _(
                "The case worker judged that %(name)s cannot judge their own interests for this purpose; in "
                "%(place)s a holder of parental authority consents for them: %(givers)s."
            ) % {"name": person.full_name, "place": place, "givers": _givers_for(facts, person, purpose, day)}
        else:
            own_reason = _(
                "%(name)s was %(age)d on that day; in %(place)s a child takes part in consent from %(own)d. "
                "Consent can be given by: %(givers)s."
            ) % {
                "name": person.full_name,
                "age": age,
                "place": place,
                "own": first_own_age(facts.jurisdiction),
                "givers": _givers_for(facts, person, purpose, day),
            }
    minors = [c for c in facts.minors(day) if c.pk != person.pk]
    if not minors:
        if own_reason:
            return own_reason
        # No child of the case: the relation rule as before (decision 115).
        if not is_parent_relation(person.relation):
            return _(
                "%(name)s (%(relation)s) is not a parent or legal representative of the central person and cannot "
                "consent for them."
            ) % {"name": person.full_name, "relation": person.relation or _("relation not recorded")}
        return None
    for child in minors:
        if person in facts.holders(child, day) and facts.who(child, purpose, day) in (HOLDERS, BOTH, None):
            return None
    if own_reason:
        return own_reason
    child = minors[0]
    if any(person in facts.holders(c, day) for c in minors):
        return _(
            "%(child)s was %(age)d on that day; in %(place)s %(child)s consents for themselves for this purpose. "
            "Record the consent of %(child)s."
        ) % {"child": child.full_name, "age": age_on(child.birth_date, day), "place": place}
    if (
        not facts.recorded_for(child)
        and is_parent_relation(person.relation)
        and person.birth_date is not None
        and age_on(person.birth_date, day) < MAJORITY
    ):
        return _("%(name)s is a minor and cannot consent as a legal representative.") % {"name": person.full_name}
    return _(
        "%(name)s holds no parental authority over %(child)s on that day and cannot consent for them. Consent can "
        "be given by: %(givers)s."
    ) % {"name": person.full_name, "child": child.full_name, "givers": _givers_for(facts, child, purpose, day)}


def check_giver(facts: CaseFacts, person, purposes, given_on: datetime.date | None) -> None:
    """Refuse, with a ValidationError on ``person``, a consent from somebody who may not give it."""
    day = given_on or timezone.localdate()
    for purpose in purposes:
        message = refusal(facts, person, purpose, day)
        if message:
            raise ValidationError({"person": [message]})


# ---- what a purpose still lacks ------------------------------------------------------------------------------


def missing(facts: CaseFacts, consents, purpose: str, day: datetime.date) -> list[str]:
    """What the consents in force (``consents``, with their persons) still lack for ``purpose`` on ``day``, one
    sentence per child; empty when the purpose is complete. Where every holder must consent (decision 217), the
    holders who have not are named."""
    given = [c for c in consents if c.purpose == purpose]
    every_holder = holder_rule(facts.jurisdiction) == ALL_HOLDERS
    gaps = []
    for child in facts.children:
        if child.birth_date is not None and age_on(child.birth_date, day) >= MAJORITY:
            if not any(c.person_id == child.pk for c in given) and len(facts.children) > 1:
                gaps.append(_("consent of %(child)s") % {"child": child.full_name})
            elif not given:
                gaps.append(_("consent of %(child)s") % {"child": child.full_name})
            continue
        if child.birth_date is None:
            if not given:
                gaps.append(_("consent for %(child)s (record the birth date first)") % {"child": child.full_name})
            continue
        who = facts.who(child, purpose, day)
        by_child = any(c.person_id == child.pk for c in given)
        by_holder = any(c.person in facts.holders(child, c.given_on) for c in given)
        name = child.full_name
        lacking = []
        if every_holder and by_holder and who in (HOLDERS, BOTH):
            lacking = [h for h in facts.holders(child, day) if not any(c.person_id == h.pk for c in given)]
        if lacking:
            # One holder consented, another who holds authority that day has not (the Netherlands: all of them).
            gaps.append(
                ngettext(
                    "consent of %(names)s, who also holds parental authority over %(child)s",
                    "consent of %(names)s, who also hold parental authority over %(child)s",
                    len(lacking),
                )
                % {"names": _names(lacking), "child": name}
            )
            if who == BOTH and not by_child:
                gaps.append(_("consent of %(child)s themselves") % {"child": name})
        elif who == HOLDERS and not by_holder:
            gaps.append(
                _("consent of every holder of parental authority over %(child)s") % {"child": name}
                if every_holder
                else _("consent of a holder of parental authority over %(child)s") % {"child": name}
            )
        elif who == CHILD and not by_child:
            gaps.append(_("consent of %(child)s themselves") % {"child": name})
        elif who == BOTH and not (by_child or by_holder):
            gaps.append(
                _("consent of %(child)s themselves and of every holder of parental authority") % {"child": name}
                if every_holder
                else _("consent of %(child)s themselves and of a holder of parental authority") % {"child": name}
            )
        elif who == BOTH and not by_child:
            gaps.append(_("consent of %(child)s themselves (a holder of parental authority gave it)") % {"child": name})
        elif who == BOTH and not by_holder:
            gaps.append(
                _("consent of every holder of parental authority over %(child)s (%(child)s gave it)") % {"child": name}
                if every_holder
                else _("consent of a holder of parental authority over %(child)s (%(child)s gave it)") % {"child": name}
            )
    return gaps


def authority_warnings(facts: CaseFacts, day: datetime.date) -> list[str]:
    """A sentence for each child under age without recorded parental authority (decision 159)."""
    return [
        _(
            "Parental authority over %(child)s is not recorded: Kring takes the parents named by their relation as "
            "the holders. Record who holds authority."
        )
        % {"child": child.full_name}
        for child in facts.minors(day)
        if not facts.recorded_for(child)
    ]
