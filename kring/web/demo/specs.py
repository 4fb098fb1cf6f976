"""How a demo family is declared: its case and its persons (the families themselves are in families_*.py)."""

from dataclasses import dataclass

from kring.cases.choices import (
    LegalContext,
    ReferralRoute,
    SafetyConcern,
)

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
