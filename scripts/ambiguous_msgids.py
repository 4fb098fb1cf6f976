#!/usr/bin/env python3
"""List the short message ids (one or two words) that several files use, with each use's source line and the
Dutch the catalogue gives, so a reader can check by hand whether one msgid carries two meanings ("Close": the
ring of the network circle, and the button that closes a panel). Give such a word a message context
(pgettext, {% translate "..." context "..." %}) per meaning; see kring/locale/glossary.toml.

    python scripts/ambiguous_msgids.py [--words N] [--all]

--words: the longest msgid to list (default 2); --all: also msgids used in one file only.
Extraction runs Django's makemessages (GNU xgettext) on a copy of kring/, without setting Django up.
"""

import argparse
import linecache
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "kring" / "locale" / "nl" / "LC_MESSAGES" / "django.po"
SETTINGS = 'SECRET_KEY = "x"\nUSE_I18N = True\nINSTALLED_APPS = []\nLOCALE_PATHS = []\n'


def extract(work: Path) -> polib.POFile:
    copy = work / "kring"
    shutil.copytree(ROOT / "kring", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po", "locale"))
    (copy / "locale").mkdir()
    (work / "extract_settings.py").write_text(SETTINGS)
    env = {**os.environ, "PYTHONPATH": str(work), "DJANGO_SETTINGS_MODULE": "extract_settings"}
    django_admin = [sys.executable, "-m", "django"]
    subprocess.run([*django_admin, "makemessages", "-l", "nl", "-v0"], cwd=copy, env=env, check=True)
    return polib.pofile(str(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2)
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args()
    dutch = {(e.msgctxt, e.msgid): e.msgstr for e in polib.pofile(str(CATALOGUE))}
    with tempfile.TemporaryDirectory() as tmp:
        extracted = extract(Path(tmp))
        source = Path(tmp) / "kring"
        listed = 0
        for entry in sorted(extracted, key=lambda e: (e.msgid.lower(), e.msgctxt or "")):
            files = {path for path, _line in entry.occurrences}
            if len(entry.msgid.split()) > args.words or (len(files) < 2 and not args.all):
                continue
            listed += 1
            context = f" [context: {entry.msgctxt}]" if entry.msgctxt else ""
            print(f"{entry.msgid!r}{context} -> {dutch.get((entry.msgctxt, entry.msgid), '(no Dutch)')!r}")
            for path, line in entry.occurrences:
                text = linecache.getline(str(source / path), int(line)).strip()
                print(f"    {path}:{line}  {text[:140]}")
    print(f"{listed} message ids listed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
