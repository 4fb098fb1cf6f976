"""Names as Dutch and Flemish people spell them: the search key stored with a person, and the words of a search.

Pure Python, no Django. A person's key holds every word of the name twice over, in two forms:

- plain: lower case, accents and apostrophes off, every other mark a space ("'t Hooft-Öztürk" -> "t hooft
  ozturk"), so a search for the letters a user sees finds the name, also a partial word ("oztu");
- folded: the plain word with the spelling variants of Dutch and Flemish names made one (``fold``), so "Meyer"
  finds "Meijer" and "Meier", "Sofie" finds "Sophie", "Claes" finds "Klaas".

A last name of several words is kept joined as well ("van den berghe" also as "vandenberghe"), so the Flemish
"Vandenberghe" and the Dutch "van den Berghe" find each other.

A search matches a person when every word typed is found in the key, in any order ("Jansen Milan" finds Milan
Jansen), either as typed (plain) or folded. Tussenvoegsels typed in a search ("van der", "de", "'t") are left out
unless nothing else is typed: "de Vries" finds Vries and de Vries, "van der Berg" finds Berg. Leaving a word out
only widens a search, so the list of particles may be generous; the folds narrow nothing either (both forms
match) but each one makes two spellings one, so they are few and each is a variant of the same sound in names.

Every match is a substring test on the stored key, so PostgreSQL answers it from the trigram index on the key.
"""

import re
import unicodedata

# Words before a surname (tussenvoegsels and their Flemish, French, German and Romance kin), as plain words:
# "'t" and "'s" lose their apostrophe, "v.d." becomes "v" and "d".
PARTICLES: frozenset[str] = frozenset(
    {
        "aan",
        "al",
        "bij",
        "d",
        "da",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "des",
        "di",
        "do",
        "dos",
        "du",
        "el",
        "het",
        "in",
        "l",
        "la",
        "le",
        "les",
        "op",
        "onder",
        "over",
        "s",
        "t",
        "te",
        "ten",
        "ter",
        "uit",
        "uijt",
        "v",
        "van",
        "vd",
        "voor",
        "vom",
        "von",
        "zu",
        "zum",
        "zur",
    }
)

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_APOSTROPHES = re.compile("['\u2019\u2018\u02bc`\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")

# The folds, in this order; each is a spelling variant of one sound in Dutch and Flemish names.
FOLDS: tuple[tuple[str, str, str], ...] = (
    ("ph", "f", "Sophie / Sofie, Philip / Filip"),
    ("th", "t", "Thijs / Tijs, Mathilde / Matilde"),
    ("ck", "k", "Dirck / Dirk, Vlieck / Vliek"),
    ("dt", "t", "Brandt / Brant, Aerdt / Aert"),
    ("c(?=[aoulrt]|$)", "k", "a hard c: Carla / Karla, Lucas / Lukas, Marc / Mark (not c before e, i, y or h)"),
    ("ae", "aa", "the old Flemish long a: Claes / Claas, Maes / Maas"),
    ("au", "ou", "Paulussen / Poulussen"),
    ("eij|ey|ei|ij", "y", "the ei/ij sound: Meijer / Meyer / Meier / Mijer, Heijden / Heyden / Heiden"),
    ("ui", "uy", "the old Flemish uy: Uyttendaele / Uittendaele, Huys / Huis / Huijs"),
    (r"([b-df-hj-np-tv-z])\1", r"\1", "a doubled consonant: Janssen / Jansen, Matthijs / Mathijs"),
)
_FOLD_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r, _why in FOLDS)


def plain_words(text: str) -> list[str]:
    """The words of a name or a search: lower case, no accents, no apostrophes, split on everything else."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_UNDECOMPOSED)
    return [word for word in _SEPARATORS.split(_APOSTROPHES.sub("", text)) if word]


def fold(word: str) -> str:
    """One plain word with the spelling variants of Dutch and Flemish names made one (``FOLDS``)."""
    for pattern, replacement in _FOLD_PATTERNS:
        word = pattern.sub(replacement, word)
    return word


def search_key(first_name: str, last_name: str) -> str:
    """The key stored with a person: every plain and folded word of the name once, and a last name of several
    words joined too; words separated by one space."""
    words = plain_words(first_name) + plain_words(last_name)
    surname = plain_words(last_name)
    if len(surname) > 1:
        words.append("".join(surname))
    forms = words + [fold(word) for word in words]
    return " ".join(dict.fromkeys(forms))


def search_terms(text: str) -> list[tuple[str, ...]]:
    """What a search asks of a key: per word typed, the forms of which one must occur in it (plain, and folded
    when that differs). Tussenvoegsels are left out unless they are all that was typed."""
    words = plain_words(text)
    kept = [word for word in words if word not in PARTICLES] or words
    return [tuple(dict.fromkeys((word, fold(word)))) for word in dict.fromkeys(kept)]


def key_matches(key: str, terms: list[tuple[str, ...]]) -> bool:
    """Whether a stored key answers a search, as the database tests it (every term, any of its forms)."""
    return bool(terms) and all(any(form in key for form in forms) for forms in terms)
