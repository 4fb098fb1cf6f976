"""A broken method definition stops Kring at start-up, with a message that names the file and the field."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "kring" / "methods" / "definitions"


def _start(definitions_dir):
    env = {
        **os.environ,
        "KRING_METHOD_DEFINITIONS_DIR": str(definitions_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_shipped_definitions_let_kring_start(tmp_path):
    shutil.copytree(SHIPPED, tmp_path / "defs")
    result = _start(tmp_path / "defs")
    assert result.returncode == 0, result.stderr


def test_a_broken_definition_stops_start_up_naming_file_and_field(tmp_path):
    shutil.copytree(SHIPPED, tmp_path / "defs")
    fnb = tmp_path / "defs" / "fnb.toml"
    fnb.write_text(
        fnb.read_text(encoding="utf-8").replace('max_safety_concern = "serious"', 'max_safety_concern = "dreadful"'),
        encoding="utf-8",
    )
    result = _start(tmp_path / "defs")
    assert result.returncode != 0
    assert "fnb.toml: max_safety_concern" in result.stderr
