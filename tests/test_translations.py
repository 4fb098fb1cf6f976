"""Dutch first, English complete: every translatable string of Kring has a Dutch translation.

Message ids are English, so English is complete by construction. This test extracts the strings afresh
from the source (GNU gettext's xgettext, through Django's makemessages, on a copy of the code) and checks
that the Dutch catalogue translates every one of them, without fuzzy or empty entries.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "kring" / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _extracted_messages(tmp_path):
    copy = tmp_path / "kring"
    shutil.copytree(ROOT / "kring", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    subprocess.run(
        [sys.executable, str(tmp_path / "manage.py"), "makemessages", "-l", "nl", "--no-location", "-v0"],
        cwd=copy,
        check=True,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    return polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))


def _key(entry):
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def test_every_string_in_the_code_has_a_dutch_translation(tmp_path):
    extracted = {_key(e) for e in _extracted_messages(tmp_path)}
    catalogue = polib.pofile(str(CATALOGUE))
    translated = {
        _key(e)
        for e in catalogue
        if not e.obsolete and "fuzzy" not in e.flags and (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr)
    }
    missing = sorted(extracted - translated)
    assert not missing, f"{len(missing)} strings lack a Dutch translation, e.g. {missing[:10]}"


def test_dutch_is_served_and_english_is_available():
    with translation.override("nl"):
        assert translation.gettext("My caseload") != "My caseload"
    with translation.override("en"):
        assert translation.gettext("My caseload") == "My caseload"
