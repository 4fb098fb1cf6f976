"""Shared by run.py and test.py: a virtual environment under .venv with Kring installed into it."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(extras: str = "") -> Path:
    """Create .venv and install Kring (with extras) unless pyproject.toml is unchanged since the last install."""
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".kring-installed{'-' + extras if extras else ''}"
    if not stamp.exists() or stamp.read_text() != digest:
        print("Installing Kring and its dependencies ...", flush=True)
        target = f".[{extras}]" if extras else "."
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, cwd=ROOT)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
        stamp.write_text(digest)
    return PYTHON


def manage(*args, env=None):
    subprocess.run([str(PYTHON), "manage.py", *args], check=True, cwd=ROOT, env=env)
