#!/usr/bin/env python3
"""Set up and run Kring's whole test suite (unit, pages, API, and the real-browser journeys).

    python3 scripts/test.py                     # on SQLite
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kring python3 scripts/test.py
    python3 scripts/test.py -k caseload         # extra arguments go to pytest

The house rules (scripts/check.py: ruff, import-linter, mypy, private names) run first; if one fails,
the tests do not run.

The browser tests drive Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH). On a Debian or Ubuntu
machine where this runs as root, missing system packages (chromium, gettext, and the cairo and Pango
libraries of the PDF exports) are installed with apt-get.
"""

import os
import shutil
import subprocess
import sys

from _setup import ROOT, ensure_venv, manage

# pdftoppm renders the Arabic plan PDF to an image to check it reads right to left (decision 273).
SYSTEM_PACKAGES = {"chromium": "chromium", "xgettext": "gettext", "pdftoppm": "poppler-utils"}
# Shared libraries the PNG/PDF exports load (cairosvg, WeasyPrint), by the name ctypes looks for.
SYSTEM_LIBRARIES = {"cairo": "libcairo2", "pango-1.0": "libpango-1.0-0", "pangoft2-1.0": "libpangoft2-1.0-0"}
# Fonts the family documents name (Latin, Turkish and Polish letters; Arabic), by the family fontconfig knows.
SYSTEM_FONTS = {"DejaVu Sans": "fonts-dejavu-core", "Noto Naskh Arabic": "fonts-noto-core"}


def missing_fonts() -> list[str]:
    if not shutil.which("fc-list"):
        return list(SYSTEM_FONTS.values())
    found = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return [package for family, package in SYSTEM_FONTS.items() if family not in found]


def ensure_system_packages():
    from ctypes.util import find_library

    missing = [package for command, package in SYSTEM_PACKAGES.items() if not shutil.which(command)]
    missing += [package for library, package in SYSTEM_LIBRARIES.items() if not find_library(library)]
    missing += missing_fonts()
    if os.environ.get("CHROMIUM_PATH"):
        missing = [p for p in missing if p != "chromium"]
    if not missing:
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print(f"Installing system packages: {' '.join(missing)} ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", *missing],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    else:
        print(
            f"Missing system packages: {' '.join(missing)}. Install them (e.g. apt-get install {' '.join(missing)})"
            " or set CHROMIUM_PATH; the browser and translation tests need them.",
            file=sys.stderr,
        )


def main():
    ensure_system_packages()
    python = ensure_venv("test")
    manage("compile_translations", "-v0")
    # The house rules (lint, format, import contracts, types) first: a broken rule fails before the long suite.
    check = subprocess.run([str(python), str(ROOT / "scripts" / "check.py")], cwd=ROOT)
    if check.returncode:
        return check.returncode
    result = subprocess.run([str(python), "-m", "pytest", *parallel(sys.argv[1:]), *sys.argv[1:]], cwd=ROOT)
    return result.returncode


def parallel(arguments: list[str]) -> list[str]:
    """pytest-xdist's options: one test process per core (KRING_TEST_PROCESSES overrides), each test file whole in
    one process so a world built once per module is built once (decision 223). None when the caller chose."""
    if any(a == "-n" or a.startswith(("-n", "--numprocesses", "--dist")) for a in arguments) or "no:xdist" in arguments:
        return []
    processes = os.environ.get("KRING_TEST_PROCESSES") or str(os.cpu_count() or 1)
    if processes in ("0", "1"):
        return []
    return ["-n", processes, "--dist", "loadfile"]


if __name__ == "__main__":
    sys.exit(main())
