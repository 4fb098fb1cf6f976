"""Ranking an office's pool for a referred case (decision 243). Pure: no Django.

A coordinator is ranked on, in this order: being available on the wished start (within their availability and
below their number of assignments at once), how many of the family's languages they speak, working in the
case's region, a cultural background that shares a word with what the family wished, and the lighter load.
Every step gives its reason, so the case worker and the family see why a coordinator stands where they stand.
"""

import re
from dataclasses import dataclass
from datetime import date

# Language names as people type them (Dutch, English and the language's own name) and codes, to one code.
LANGUAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "nl": ("nederlands", "dutch", "vlaams", "flemish"),
    "en": ("engels", "english"),
    "ar": ("arabisch", "arabic", "العربية", "marokkaans-arabisch", "darija"),
    "tr": ("turks", "turkish", "türkçe", "turkce"),
    "pl": ("pools", "polish", "polski"),
    "ber": ("berbers", "tamazight", "tarifit", "amazigh", "berber"),
    "ti": ("tigrinya", "tigrinja"),
    "so": ("somalisch", "somali"),
    "fa": ("farsi", "perzisch", "persian", "dari"),
    "ku": ("koerdisch", "kurdish", "kurmanci", "sorani"),
    "fr": ("frans", "french", "français", "francais"),
    "de": ("duits", "german", "deutsch"),
    "es": ("spaans", "spanish", "español", "espanol"),
    "pt": ("portugees", "portuguese", "português", "portugues"),
    "pap": ("papiaments", "papiamento", "papiamentu"),
    "srn": ("sranantongo", "sranan", "surinaams"),
    "ru": ("russisch", "russian", "русский"),
    "uk": ("oekraïens", "oekraiens", "ukrainian", "українська"),
    "ro": ("roemeens", "romanian", "română", "romana"),
    "bg": ("bulgaars", "bulgarian"),
}
_BY_NAME = {name: code for code, names in LANGUAGE_ALIASES.items() for name in (code, *names)}
# Dutch is the language of the work itself: every coordinator works in it, so it is no need to match on.
WORKING_LANGUAGE = "nl"


def language_key(text: str) -> str:
    """One language as typed, to the code the matching compares (unknown names compare as typed, case-folded)."""
    folded = " ".join(str(text or "").split()).casefold()
    return _BY_NAME.get(folded, folded)


def language_keys(texts) -> tuple[str, ...]:
    """Several languages, each once, in the order given; empty ones left out."""
    found: list[str] = []
    for text in texts:
        key = language_key(text)
        if key and key not in found:
            found.append(key)
    return tuple(found)


def needed_languages(texts) -> tuple[str, ...]:
    """The languages a family needs a coordinator to speak: theirs, without the working language."""
    return tuple(key for key in language_keys(texts) if key != WORKING_LANGUAGE)


@dataclass(frozen=True)
class Candidate:
    user_id: int
    name: str
    languages: tuple[str, ...]  # as typed in the profile
    cultural_background: str
    regions: tuple[str, ...]
    available_from: date | None
    available_until: date | None
    max_assignments: int
    current_assignments: int


@dataclass(frozen=True)
class Need:
    languages: tuple[str, ...]  # as typed (or codes); the working language is left out
    region: str
    culture: str
    starts_on: date


@dataclass(frozen=True)
class Reason:
    code: str  # speaks, does_not_speak, region, other_region, culture, available, not_yet, no_longer, load, full
    value: str = ""
    good: bool = True


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    available: bool
    languages_spoken: int
    region_matches: bool
    culture_matches: bool
    reasons: tuple[Reason, ...]


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"\w+", str(text or "").casefold()) if len(word) >= 3}


def judge(need: Need, candidate: Candidate) -> Match:
    reasons: list[Reason] = []
    available = True
    if candidate.available_from and candidate.available_from > need.starts_on:
        available = False
        reasons.append(Reason("not_yet", candidate.available_from.isoformat(), good=False))
    if candidate.available_until and candidate.available_until < need.starts_on:
        available = False
        reasons.append(Reason("no_longer", candidate.available_until.isoformat(), good=False))
    if candidate.current_assignments >= candidate.max_assignments:
        available = False
        reasons.append(Reason("full", f"{candidate.current_assignments}/{candidate.max_assignments}", good=False))
    elif available:
        reasons.append(Reason("available", f"{candidate.current_assignments}/{candidate.max_assignments}"))
    spoken = {language_key(language): language for language in candidate.languages}
    count = 0
    for key in language_keys(need.languages):
        if key == WORKING_LANGUAGE:
            continue
        if key in spoken:
            count += 1
            reasons.append(Reason("speaks", key))
        else:
            reasons.append(Reason("does_not_speak", key, good=False))
    region = need.region.strip().casefold()
    region_matches = bool(region) and any(r.strip().casefold() == region for r in candidate.regions)
    if region:
        reasons.append(Reason("region", need.region.strip()) if region_matches else Reason("other_region", "", False))
    culture_matches = bool(_words(need.culture) & _words(candidate.cultural_background))
    if culture_matches:
        reasons.append(Reason("culture", candidate.cultural_background))
    return Match(candidate, available, count, region_matches, culture_matches, tuple(reasons))


def rank(need: Need, candidates) -> list[Match]:
    """The candidates best first (see the module's description); ties by lighter load, then by name."""
    matches = [judge(need, candidate) for candidate in candidates]

    def key(match: Match):
        c = match.candidate
        load = c.current_assignments / c.max_assignments if c.max_assignments else 1.0
        return (
            not match.available,
            -match.languages_spoken,
            not match.region_matches,
            not match.culture_matches,
            load,
            c.name.casefold(),
            c.user_id,
        )

    return sorted(matches, key=key)


def language_label(key: str) -> str:
    """How a language's key is shown: its Dutch name where known (Kring's screens are Dutch), else as typed."""
    names = LANGUAGE_ALIASES.get(key)
    return names[0].capitalize() if names else key
