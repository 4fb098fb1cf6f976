"""Kring addresses its users with the formal "u", the login library's own messages included.

django-allauth's Dutch catalogue says "je"/"jouw" in places; Kring's catalogue (LOCALE_PATHS, which takes
precedence) overrides those messages. This test asks Django for the Dutch of every message Kring serves (its own
catalogue and allauth's account, MFA and shared messages; not the social-account or identity-provider apps, which
Kring does not install) and fails on an informal pronoun. Letters written for a child (kring/meetings/documents.py,
or a message whose context names a child) are meant to say "je" and are left out.
"""

import ast
import re
from pathlib import Path

import allauth
import polib
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "kring" / "locale" / "nl" / "LC_MESSAGES" / "django.po"
ALLAUTH_CATALOGUE = Path(allauth.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"
# allauth's parts that Kring does not install (settings.INSTALLED_APPS has allauth, .account and .mfa only).
NOT_SERVED = re.compile(r"^(templates/)?(socialaccount|idp|usersessions|headless)/")
INFORMAL = re.compile(r"\b(je|jij|jouw|jou|jezelf|jullie)\b", re.IGNORECASE)
# Messages for children are deliberately informal.
FOR_CHILDREN = [ROOT / "kring" / "meetings" / "documents.py"]


def _child_messages():
    texts = set()
    for path in FOR_CHILDREN:
        if path.exists():
            tree = ast.parse(path.read_text(encoding="utf-8"))
            texts |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return texts


def _served(entry):
    return not entry.occurrences or any(not NOT_SERVED.match(path) for path, _ in entry.occurrences)


def _dutch(entry):
    """What Django serves in Dutch for this entry (Kring's catalogue first, then the apps')."""
    if entry.msgid_plural:
        if entry.msgctxt:
            forms = [translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        else:
            forms = [translation.ngettext(entry.msgid, entry.msgid_plural, n) for n in (1, 2)]
        return " / ".join(forms)
    if entry.msgctxt:
        return translation.pgettext(entry.msgctxt, entry.msgid)
    return translation.gettext(entry.msgid)


def informal_messages(entries, exempt=frozenset()):
    found = []
    with translation.override("nl"):
        for entry in entries:
            if entry.obsolete or not _served(entry) or entry.msgid in exempt:
                continue
            if entry.msgctxt and "child" in entry.msgctxt.lower():
                continue
            dutch = _dutch(entry)
            if INFORMAL.search(dutch):
                found.append(f"{entry.msgid[:70]!r}: {dutch[:90]!r}")
    return found


def test_kring_says_u():
    found = informal_messages(polib.pofile(str(CATALOGUE)), _child_messages())
    assert not found, f"{len(found)} informal messages:\n" + "\n".join(found)


def test_the_login_library_says_u_too():
    entries = polib.pofile(str(ALLAUTH_CATALOGUE))
    served = [e for e in entries if _served(e) and not e.obsolete]
    assert len(served) > 200, "allauth's account and MFA messages are checked"
    found = informal_messages(entries)
    assert not found, f"{len(found)} of allauth's messages are informal; override them in Kring's catalogue:\n" + (
        "\n".join(found)
    )


def test_login_pages_in_dutch_say_u(client):
    with translation.override("nl"):
        for url in ("/accounts/login/", "/accounts/password/reset/"):
            page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
            assert not INFORMAL.search(re.sub(r"<[^>]+>", " ", page)), url


def test_kring_overrides_the_library_and_the_check_finds_je():
    raw = {e.msgid: e.msgstr for e in polib.pofile(str(ALLAUTH_CATALOGUE))}
    assert INFORMAL.search(raw["Are you sure you want to sign out?"]), "allauth's own Dutch is informal"
    with translation.override("nl"):
        assert translation.gettext("Are you sure you want to sign out?") == "Weet u zeker dat u zich wilt afmelden?"
    assert INFORMAL.search("Weet je het zeker?") and INFORMAL.search("Jouw plan")
    assert not INFORMAL.search("Jeugdwet, jeugdhulp, majeure")
