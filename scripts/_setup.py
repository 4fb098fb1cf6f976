"""Shared by run.py, test.py and lock.py: a virtual environment under .venv, installed from the lock files.

The lock files (requirements/run.txt, requirements/test.txt) pin every package with the hashes of its files;
scripts/lock.py writes them. Kring itself is installed from the working tree, editable, without dependencies.
"""

from __future__ import annotations  # so an older Python reaches the version check below

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

# The Python versions pyproject.toml's requires-python allows; the lock files are resolved for exactly these.
SUPPORTED_PYTHONS = ((3, 11), (3, 12))
# What to install for each set of extras: the runtime, or the runtime with the test tools.
LOCKS = {"": Path("requirements/run.txt"), "test": Path("requirements/test.txt")}


def supported_names() -> str:
    return " or ".join(f"{major}.{minor}" for major, minor in SUPPORTED_PYTHONS)


def check_python(version: tuple[int, int], where: str) -> None:
    """Stop with a clear message when `version` is not one the lock files were resolved for."""
    if tuple(version[:2]) not in SUPPORTED_PYTHONS:
        raise SystemExit(
            f"Kring needs Python {supported_names()}; {where} is Python {version[0]}.{version[1]}. "
            f"Run this script with a supported Python, e.g. python{SUPPORTED_PYTHONS[0][0]}.{SUPPORTED_PYTHONS[0][1]}."
        )


def venv_python_version() -> tuple[int, int] | None:
    """The Python version .venv was made with (from its pyvenv.cfg), or None when it cannot be told."""
    config = VENV / "pyvenv.cfg"
    if not config.exists():
        return None
    for line in config.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            major, minor = value.strip().split(".")[:2]
            return int(major), int(minor)
    return None


def install_digest(extras: str, root: Path = ROOT) -> str:
    """What an install depends on: the lock file, pyproject.toml (Kring's own metadata) and the extras."""
    parts = [(root / LOCKS[extras]).read_bytes(), (root / "pyproject.toml").read_bytes(), extras.encode()]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def ensure_venv(extras: str = "") -> Path:
    """Create .venv and install the lock for `extras` and Kring, unless that exact install was done already."""
    check_python(sys.version_info[:2], f"this interpreter ({sys.executable})")
    made_with = venv_python_version()
    if PYTHON.exists() and made_with is not None:
        check_python(made_with, f"the virtual environment in {VENV} (remove it to make a new one)")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    digest = install_digest(extras)
    stamp = VENV / f".kring-installed{'-' + extras if extras else ''}"
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"Installing Kring's dependencies from {LOCKS[extras].as_posix()} ...", flush=True)
        pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
        # Every file is checked against the hash in the lock, and a package missing from it is refused.
        subprocess.run([*pip, "--require-hashes", "-r", str(LOCKS[extras])], check=True, cwd=ROOT)
        # The build backend (setuptools) comes from the lock too, so nothing unpinned is fetched to build Kring.
        subprocess.run([*pip, "--no-deps", "--no-build-isolation", "-e", "."], check=True, cwd=ROOT)
        stamp.write_text(digest)
    return PYTHON


def manage(*args, env=None):
    subprocess.run([str(PYTHON), "manage.py", *args], check=True, cwd=ROOT, env=env)
