"""The house rules that are proven by running code, beside the static checks of scripts/check.py.

The pure cores are the modules named by the "Pure cores import no Django" contract in pyproject.toml: each is
imported here in a fresh interpreter in which importing Django (or a Django package) fails.
"""

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DJANGO_PACKAGES = ("django", "rest_framework", "drf_spectacular", "allauth", "simple_history")

# Run in a fresh interpreter: any attempt to import a Django package raises, then the module is imported.
IMPORT_WITHOUT_DJANGO = f"""
import importlib, sys

class RefuseDjango:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {DJANGO_PACKAGES!r}:
            raise ImportError("a pure core imported " + name)
        return None

sys.meta_path.insert(0, RefuseDjango())
importlib.import_module(sys.argv[1])
"""


def load_check_script():
    spec = importlib.util.spec_from_file_location("house_rules_check", ROOT / "scripts" / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pure_core_modules():
    """Every module of the pure cores named in pyproject.toml, packages expanded into their modules."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith("Pure cores import no Django")
    )
    modules = []
    for name in contract["source_modules"]:
        modules.append(name)
        package = ROOT.joinpath(*name.split("."))
        if package.is_dir():
            modules += [f"{name}.{path.stem}" for path in sorted(package.rglob("*.py")) if path.stem != "__init__"]
    return modules


def test_the_pure_cores_are_all_found():
    modules = pure_core_modules()
    assert "kring.network.core.graph" in modules
    assert "kring.core.deployment" in modules
    assert all(importlib.util.find_spec(name) for name in modules)


@pytest.mark.parametrize("module", pure_core_modules())
def test_pure_core_imports_without_django(module):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT_DJANGO, module], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_django_blocker_blocks():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT_DJANGO, "kring.cases.models"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "a pure core imported django" in result.stderr


def test_no_app_uses_another_apps_private_names():
    assert load_check_script().private_name_uses() == []


def write_tree(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_private_name_check_finds_every_form_of_use(tmp_path):
    write_tree(
        tmp_path,
        {
            "kring/__init__.py": "",
            "kring/plans/__init__.py": "",
            "kring/plans/links.py": "def _open(): pass\n_PRIVATE = 1\n",
            "kring/plans/models.py": "class Plan: pass\n",
            "kring/measures/__init__.py": "",
            "kring/measures/views.py": (
                "from kring.plans.links import _open\n"
                "from ..plans.links import _PRIVATE\n"
                "from kring.plans import links\n"
                "import kring.plans.links as plan_links\n"
                "import kring.plans.links\n"
                "links._open()\n"
                "plan_links._PRIVATE\n"
                "kring.plans.links._open()\n"
            ),
        },
    )
    uses = load_check_script().private_name_uses(tmp_path)
    assert [use.split(": ", 2)[2] for use in uses] == [
        "from kring.plans.links import _open",
        "from kring.plans.links import _PRIVATE",
        "kring.plans.links._open",
        "kring.plans.links._PRIVATE",
        "kring.plans.links._open",
    ]
    assert all(use.startswith("kring/measures/views.py:") for use in uses)


def test_private_name_check_allows_own_app_dunders_and_attributes_of_classes(tmp_path):
    write_tree(
        tmp_path,
        {
            "kring/__init__.py": "",
            "kring/plans/__init__.py": "",
            "kring/plans/links.py": "def _open(): pass\n",
            "kring/plans/views.py": "from kring.plans.links import _open\nfrom . import links\nlinks._open()\n",
            "kring/plans/models.py": "class Plan: pass\n",
            "kring/measures/__init__.py": "",
            "kring/measures/views.py": (
                "from kring.plans.models import Plan\n"
                "from kring.plans import links\n"
                "Plan._meta\n"
                "links.__name__\n"
                "from django.utils.translation import gettext as _\n"
            ),
        },
    )
    assert load_check_script().private_name_uses(tmp_path) == []
