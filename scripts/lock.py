#!/usr/bin/env python3
"""Write the lock files that scripts/run.py and scripts/test.py install from, after pyproject.toml changed.

    python3 scripts/lock.py                            # lock what pyproject.toml added; keep every other pin
    python3 scripts/lock.py --upgrade                  # the newest versions pyproject.toml's ranges allow
    python3 scripts/lock.py --upgrade-package django   # the newest allowed version of one package

requirements/run.txt is what Kring needs to run and to build itself (setuptools); requirements/test.txt adds the
test extra, with every package of run.txt at the same version, so the tests run what production runs. Both hold
one resolution for every platform and for each Python version requires-python allows, with the hash of every
file (wheel or source) of each pinned version. Needs uv, on PATH or in .venv (`python3 -m pip install uv`).
"""

import argparse
import shutil
import subprocess
import sys
import tomllib

from _setup import LOCKS, ROOT, SUPPORTED_PYTHONS, VENV, check_python

COMMAND = "python3 scripts/lock.py"


def find_uv() -> str:
    for candidate in (shutil.which("uv"), VENV / "bin" / "uv", VENV / "Scripts" / "uv.exe"):
        if candidate and shutil.which(str(candidate)):
            return str(candidate)
    raise SystemExit("scripts/lock.py needs uv: install it with `python3 -m pip install uv` and run it again.")


def build_requirements() -> str:
    """pyproject.toml's [build-system] requires: Kring is installed without build isolation, so they are locked."""
    with open(ROOT / "pyproject.toml", "rb") as file:
        return "\n".join(tomllib.load(file)["build-system"]["requires"]) + "\n"


def compile_lock(uv: str, extras: str, upgrade: list[str]) -> None:
    lowest = "{}.{}".format(*SUPPORTED_PYTHONS[0])
    command = [uv, "pip", "compile", "pyproject.toml", "-", "--universal", "--python-version", lowest]
    command += ["--generate-hashes", "--custom-compile-command", COMMAND, "--quiet", "-o", str(LOCKS[extras])]
    if extras:
        # The runtime pins are constraints here: the test environment is the runtime one plus the test tools.
        command += ["--extra", extras, "--constraint", str(LOCKS[""])]
    subprocess.run([*command, *upgrade], input=build_requirements(), text=True, check=True, cwd=ROOT)
    print(f"wrote {LOCKS[extras].as_posix()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upgrade", action="store_true", help="re-resolve every package to its newest version")
    parser.add_argument("--upgrade-package", action="append", default=[], metavar="NAME", help="re-resolve NAME")
    args = parser.parse_args()
    check_python(sys.version_info[:2], f"this interpreter ({sys.executable})")
    upgrade = ["--upgrade"] if args.upgrade else []
    for name in args.upgrade_package:
        upgrade += ["--upgrade-package", name]
    uv = find_uv()
    (ROOT / LOCKS[""]).parent.mkdir(exist_ok=True)
    for extras in ("", "test"):  # the runtime first: the test lock is constrained by it
        compile_lock(uv, extras, upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
