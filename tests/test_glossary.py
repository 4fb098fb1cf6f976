"""The Dutch catalogue speaks the glossary's words (kring/locale/glossary.toml).

Each domain notion has one Dutch word (and a Dutch and a Flemish variant where they differ). The catalogue's
entry for the term, its capitalised and plural forms say that word; every other message that contains the
English term says it too (or a compound of it); and the variants agree with kring/accounts/wording.py.
"""

import re
import tomllib
from pathlib import Path

import polib
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "kring" / "locale" / "nl" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "kring" / "locale" / "glossary.toml"
JURISDICTIONS = {"NL": "the Netherlands", "VL": "Flanders"}
# Placeholders and markup are not words: "%(method)s" names a method, it does not say "method".
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}|<[^>]*>")


def glossary():
    return tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))["term"]


def _entries():
    return [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete and e.msgstr]


def _cap(text):
    return text[:1].upper() + text[1:]


def own_entry_problems(terms, entries):
    """The term's own entries (as given, capitalised, plural) translate to the glossary's words."""
    index = {(e.msgctxt or None, e.msgid): e.msgstr for e in entries}
    problems = []
    for term in terms:
        ctx = term.get("msgctxt")
        expected = [(term["en"], term["nl"]), (_cap(term["en"]), _cap(term["nl"]))]
        if "en_plural" in term:
            expected += [(term["en_plural"], term["nl_plural"]), (_cap(term["en_plural"]), _cap(term["nl_plural"]))]
        found_own = False
        for msgid, want in expected:
            got = index.get((ctx, msgid))
            if got is None:
                continue
            found_own = True
            if got != want:
                problems.append(f"{msgid!r} ({ctx or 'no context'}) is {got!r}, the glossary says {want!r}")
        if not found_own and not any(_pattern(term).search(e.msgid) for e in entries):
            problems.append(f"{term['en']!r} appears nowhere in the catalogue")
        for key, context in JURISDICTIONS.items():
            got = index.get((context, term["en"]))
            if key in term and got is not None and got != term[key]:
                problems.append(f"{term['en']!r} in {context} is {got!r}, the glossary says {term[key]!r}")
    return problems


def _pattern(term):
    words = [term["en"]] + ([term["en_plural"]] if "en_plural" in term else [])
    longest_first = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in longest_first) + r")(?![\w-])", re.IGNORECASE)


def _accepted(term):
    words = [term["nl"], term.get("nl_plural", ""), term.get("NL", ""), term.get("VL", ""), *term.get("also", [])]
    return [w.lower() for w in words if w]


def running_text_problems(terms, entries):
    """No message that contains a glossary term in English translates it with another word."""
    problems = []
    for term in terms:
        if term.get("exact_only"):
            continue
        pattern, accepted = _pattern(term), _accepted(term)
        longer = [_pattern(t) for t in terms if t is not term and term["en"].lower() in t["en"].lower()]
        for entry in entries:
            text = PLACEHOLDER.sub(" ", entry.msgid)
            if entry.msgctxt in JURISDICTIONS.values() or not pattern.search(text):
                continue
            if not _stripped(text, longer, pattern):
                continue  # only inside a longer glossary term ("safety agreement"), checked with that term
            if not any(word in entry.msgstr.lower() for word in accepted):
                problems.append(f"{term['en']!r} -> {accepted[0]!r}: {entry.msgid!r} is {entry.msgstr!r}")
    return problems


def _stripped(msgid, longer, pattern):
    """Whether the term still occurs in the message once the longer glossary terms are taken out."""
    for p in longer:
        msgid = p.sub(" ", msgid)
    return bool(pattern.search(msgid))


def test_every_term_translates_to_the_glossary_word():
    problems = own_entry_problems(glossary(), _entries())
    assert not problems, "\n".join(problems)


def test_no_message_translates_a_glossary_term_differently():
    problems = running_text_problems(glossary(), _entries())
    assert not problems, f"{len(problems)} messages stray from the glossary:\n" + "\n".join(problems)


def test_dutch_and_flemish_variants_match_the_wording_module():
    from kring.accounts.models import Jurisdiction
    from kring.accounts.wording import WORDS

    codes = {"NL": Jurisdiction.NETHERLANDS, "VL": Jurisdiction.FLANDERS}
    checked = 0
    with translation.override("nl"):
        for term in glossary():
            if "wording" not in term:
                continue
            for key, code in codes.items():
                assert str(WORDS[term["wording"]][code]) == term[key], (term["en"], key)
                checked += 1
    assert checked == 2 * len(WORDS), "every word of wording.py has its variants in the glossary"


def test_the_checks_catch_a_stray_translation():
    terms = [{"en": "bottom line", "en_plural": "bottom lines", "nl": "bodemeis", "nl_plural": "bodemeisen"}]
    stray = [
        polib.POEntry(msgid="bottom line", msgstr="ondergrens"),
        polib.POEntry(msgid="Every bottom line is met.", msgstr="Aan elke ondergrens is voldaan."),
        polib.POEntry(msgid="Bottom lines", msgstr="Bodemeisen"),
    ]
    assert len(own_entry_problems(terms, stray)) == 1
    assert len(running_text_problems(terms, stray)) == 2
