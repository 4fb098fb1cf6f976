"""The lock files against pyproject.toml, the Python versions against the README, and what kring/ imports.

A dependency added to pyproject.toml without running scripts/lock.py, or a range changed so the locked version
falls outside it, fails here, so CI never installs anything but the lock.
"""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import _setup  # noqa: E402  (scripts/ is not a package)

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]


def read_lock(path: Path) -> dict[str, list[tuple[Requirement, list[str]]]]:
    """Each package of a lock file with its pins (one per environment marker) and the hashes of each pin."""
    pins: dict[str, list[tuple[Requirement, list[str]]]] = {}
    for entry in re.split(r"\n(?=\S)", path.read_text()):
        if entry.startswith("#") or not entry.strip():
            continue
        line, *rest = entry.split("\n")
        requirement = Requirement(line.rstrip(" \\"))
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", "\n".join(rest))
        pins.setdefault(canonicalize_name(requirement.name), []).append((requirement, hashes))
    return pins


RUN_LOCK = read_lock(ROOT / _setup.LOCKS[""])
TEST_LOCK = read_lock(ROOT / _setup.LOCKS["test"])


def pinned_version(requirement: Requirement) -> Version:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not pinned to one version"
    return Version(specifier.version)


def declared(lock: str) -> list[Requirement]:
    """The requirements of pyproject.toml that `lock` must satisfy: the build backend, the runtime, the extras."""
    requirements = PYPROJECT["build-system"]["requires"] + PROJECT["dependencies"]
    if lock == "test":
        requirements += PROJECT["optional-dependencies"]["test"]
    return [Requirement(text) for text in requirements]


@pytest.mark.parametrize("lock", ["", "test"])
def test_every_dependency_of_pyproject_is_locked_within_its_range(lock):
    pins = RUN_LOCK if lock == "" else TEST_LOCK
    problems = []
    for requirement in declared(lock):
        locked = pins.get(canonicalize_name(requirement.name))
        if not locked:
            problems.append(f"{requirement} is not in {_setup.LOCKS[lock]}")
            continue
        for pin, _hashes in locked:
            if not requirement.specifier.contains(pinned_version(pin), prereleases=True):
                problems.append(f"{pin} in {_setup.LOCKS[lock]} is outside pyproject.toml's {requirement}")
    assert not problems, "Run `python3 scripts/lock.py`:\n" + "\n".join(problems)


@pytest.mark.parametrize("lock", ["", "test"])
def test_every_pin_carries_hashes(lock):
    pins = RUN_LOCK if lock == "" else TEST_LOCK
    assert pins
    unhashed = [str(pin) for locked in pins.values() for pin, hashes in locked if not hashes]
    assert not unhashed


def test_the_tests_run_the_runtime_packages_at_the_versions_production_runs():
    for name, locked in RUN_LOCK.items():
        assert sorted(map(str, (pin for pin, _ in locked))) == sorted(map(str, (pin for pin, _ in TEST_LOCK[name])))


def supported_by_requires_python() -> list[tuple[int, int]]:
    requires = SpecifierSet(PROJECT["requires-python"])
    return [(3, minor) for minor in range(30) if requires.contains(f"3.{minor}.0")]


def test_the_setup_scripts_accept_the_pythons_pyproject_allows():
    assert list(_setup.SUPPORTED_PYTHONS) == supported_by_requires_python()
    assert _setup.LOCKS.keys() == {"", *PROJECT["optional-dependencies"]}


def test_the_readme_names_the_pythons_pyproject_allows():
    readme = (ROOT / "README.md").read_text()
    statement = re.search(r"need only Python (.*?)\.(?:\s|$)", readme)
    assert statement, "the README no longer says which Python the run and test commands need"
    named = [tuple(map(int, version.split("."))) for version in re.findall(r"\d+\.\d+", statement.group(1))]
    assert named == supported_by_requires_python()


def test_an_unsupported_python_is_refused_with_the_versions_to_use():
    _setup.check_python((3, 11), "this interpreter")
    for version in [(3, 10), (3, 13), (2, 7)]:
        with pytest.raises(SystemExit, match=r"Kring needs Python 3\.11 or 3\.12; this interpreter is Python"):
            _setup.check_python(version, "this interpreter")


def test_the_install_is_redone_when_the_lock_or_pyproject_changes(tmp_path):
    (tmp_path / "requirements").mkdir()
    for path in [_setup.LOCKS[""], _setup.LOCKS["test"], Path("pyproject.toml")]:
        (tmp_path / path).write_bytes((ROOT / path).read_bytes())
    before = {extras: _setup.install_digest(extras, tmp_path) for extras in _setup.LOCKS}
    assert before[""] != before["test"]
    with open(tmp_path / _setup.LOCKS["test"], "a") as lock:
        lock.write("# changed\n")
    assert _setup.install_digest("test", tmp_path) != before["test"]
    assert _setup.install_digest("", tmp_path) == before[""]
    with open(tmp_path / "pyproject.toml", "a") as pyproject:
        pyproject.write("# changed\n")
    assert _setup.install_digest("", tmp_path) != before[""]


def imported_top_level_modules(path: Path) -> set[str]:
    """Modules a file imports at run time (imports only a type checker reads are left out)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    type_checking_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_checking_only.update(id(child) for statement in node.body for child in ast.walk(statement))
    names = set()
    for node in ast.walk(tree):
        if id(node) in type_checking_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_kring_imports_only_packages_of_the_runtime_lock():
    """A package only the tests install (statsmodels, say) imported by kring/ would break a production install."""
    distributions = importlib.metadata.packages_distributions()
    outside = set()
    for directory in ("kring", "config"):
        for path in (ROOT / directory).rglob("*.py"):
            for module in imported_top_level_modules(path) - set(sys.stdlib_module_names) - {"kring", "config"}:
                names = {canonicalize_name(name) for name in distributions.get(module, [module])}
                if not names & RUN_LOCK.keys():
                    outside.add(f"{path.relative_to(ROOT)} imports {module}")
    assert not outside, sorted(outside)
