#!/usr/bin/env python3
"""Check Kring's house rules: lint and format (ruff), journey order and Django-free pure cores (import-linter),
types (mypy), and that no app uses another app's underscore-prefixed names.

    .venv/bin/python scripts/check.py            # every check; exits 1 when one fails
    .venv/bin/python scripts/check.py ruff mypy  # only the named checks

The tools are the ones installed next to the Python that runs this script (the project's .venv), and their
configuration is in pyproject.toml. scripts/test.py runs this before the tests.
"""

import ast
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not resolved: .venv/bin/python is a link to the system Python, and the tools live beside the link.
BIN = Path(sys.executable).parent

TOOL_CHECKS = {
    "ruff": [BIN / "ruff", "check", "--no-fix", "."],
    "format": [BIN / "ruff", "format", "--check", "."],
    "imports": [BIN / "lint-imports", "--no-cache", "--no-logo"],
    "mypy": [BIN / "mypy"],
}


def app_of(module):
    """The Kring app a dotted module name belongs to ("kring.plans.views" -> "plans"), or None outside kring."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "kring" else None


def is_private(name):
    return name.startswith("_") and not name.startswith("__") and name != "_"


def module_name(path, root):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(dotted, root):
    base = root.joinpath(*dotted.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def absolute_from(node, module, is_package):
    """The module a `from ... import` names, with relative imports resolved against the importing module."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def dotted(node):
    """'a.b.c' for the expression a.b.c built of names and attributes, else None."""
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    names.append(node.id)
    return ".".join(reversed(names))


def private_uses(path, root):
    """(line, text) for each use of another app's underscore-prefixed name in one file."""
    module = module_name(path, root)
    own_app = app_of(module)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    # Names in this file that are bound to modules of other apps, by the name they are used under.
    other_modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if app_of(alias.name) in (None, own_app):
                    continue
                if alias.asname:
                    other_modules[alias.asname] = alias.name
                else:
                    # `import kring.plans.views` makes kring.plans.views reachable by its full dotted name.
                    other_modules[alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            source = absolute_from(node, module, path.name == "__init__.py")
            if app_of(source) in (None, own_app):
                continue
            for alias in node.names:
                if is_private(alias.name):
                    found.append((node.lineno, f"from {source} import {alias.name}"))
                elif is_module(f"{source}.{alias.name}", root):
                    other_modules[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = dotted(node.value)
            if owner in other_modules:
                found.append((node.lineno, f"{other_modules[owner]}.{node.attr}"))
    return sorted(set(found))


def private_name_uses(root=ROOT):
    """Every use, anywhere under kring/, of an underscore-prefixed name of another app's module, as text lines."""
    lines = []
    for path in sorted((root / "kring").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for line, text in private_uses(path, root):
            lines.append(f"{path.relative_to(root)}:{line}: uses another app's private name: {text}")
    return lines


def main(selected):
    unknown = set(selected) - set(TOOL_CHECKS) - {"private"}
    if unknown:
        print(f"Unknown check(s): {', '.join(sorted(unknown))}; known: {', '.join([*TOOL_CHECKS, 'private'])}")
        return 2
    started = time.monotonic()
    # The tools run side by side; their output is shown in a fixed order once they are done.
    running = {
        name: subprocess.Popen(
            [str(part) for part in command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for name, command in TOOL_CHECKS.items()
        if not selected or name in selected
    }
    failed = []
    if not selected or "private" in selected:
        uses = private_name_uses()
        if uses:
            failed.append("private")
            print("== private names: FAILED (use a public name, or move the helper to where both can import it)")
            print("\n".join(uses))
    for name, process in running.items():
        output, _ = process.communicate()
        if process.returncode:
            failed.append(name)
            print(f"== {name}: FAILED ({' '.join(str(part) for part in TOOL_CHECKS[name])})")
            print(output.rstrip())
    seconds = time.monotonic() - started
    if failed:
        print(f"House rules: {len(failed)} check(s) failed: {', '.join(failed)} ({seconds:.0f} s)")
        return 1
    print(
        f"House rules: all checks passed ({', '.join([*running, 'private'] if not selected else selected)}, {seconds:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
