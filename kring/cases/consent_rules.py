"""Who may give a consent for the child of a case (decision 115).

A central person (the child or young person) consents for themselves from the age the law of the case's
jurisdiction gives them that right: 16 in the Netherlands (WGBO art. 7:450 BW, Jeugdwet art. 7.3.4), 12 in
Flanders, where a minor of twelve is presumed "bekwaam" to judge their own interests (Decreet rechtspositie
minderjarige, art. 3 §2). For a younger child a parent or legal representative gives it. Anybody else of the
network (a grandmother, a neighbour, a foster parent without authority) cannot consent for the child.

Whether a person is a parent or legal representative is read from their relation to the central person as typed
at intake ("moeder", "vader", "voogd", "mother" ...): the words are in ``PARENT_WORDS``; words that name somebody
else (grand-, step-, foster-, in-law) do not count, nor does a relation that names a parent only to place another
person ("tante (zus van moeder)", "zus van vader").
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kring.accounts.models import Jurisdiction

# The age from which a child gives consent for themselves, per jurisdiction.
OWN_CONSENT_AGE = {Jurisdiction.NETHERLANDS: 16, Jurisdiction.FLANDERS: 12}

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


def check_giver(person, jurisdiction: str, given_on: datetime.date | None) -> None:
    """Refuse, with a ValidationError on ``person``, a consent from somebody who may not give it for the child."""
    day = given_on or datetime.date.today()
    own_age = OWN_CONSENT_AGE.get(jurisdiction, 16)
    place = Jurisdiction(jurisdiction).label if jurisdiction in Jurisdiction.values else ""
    if person.is_central:
        if person.birth_date is None:
            message = _(
                "%(name)s is a central person without a birth date: record the birth date first, so Kring can "
                "tell whether they may consent for themselves."
            ) % {"name": person.full_name}
        elif age_on(person.birth_date, day) < own_age:
            message = _(
                "%(name)s was %(age)d on that day; in %(place)s a child consents for themselves from %(own)d. "
                "Record the consent of a parent or legal representative."
            ) % {"name": person.full_name, "age": age_on(person.birth_date, day), "place": place, "own": own_age}
        else:
            return
    elif not is_parent_relation(person.relation):
        message = _(
            "%(name)s (%(relation)s) is not a parent or legal representative of the child and cannot consent for "
            "them. Record the consent of a parent or legal representative, or of the young person from %(own)d."
        ) % {"name": person.full_name, "relation": person.relation or _("relation not recorded"), "own": own_age}
    elif person.birth_date is not None and age_on(person.birth_date, day) < 18:
        message = _("%(name)s is a minor and cannot consent as a legal representative.") % {"name": person.full_name}
    else:
        return
    raise ValidationError({"person": [message]})
