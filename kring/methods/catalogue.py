"""Read and validate the method definition files.

``load_all()`` stops on the first problem with ``MethodDefinitionError``, whose message names the
file and the dotted field path, e.g. ``fnb.toml: phases.2.default_weeks: must be at most max_weeks (8.0)``.
``check_definitions()`` returns the problems as strings for a start-up check.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kring.core.definitions import DefinitionError, check_files, first_error, load_toml

from .schema import MethodDefinition

# The shipped files; an installation may point KRING_METHOD_DEFINITIONS_DIR at its own reviewed copy.
DEFINITIONS_DIR = Path(
    os.environ.get("KRING_METHOD_DEFINITIONS_DIR") or Path(__file__).resolve().parent / "definitions"
)


class MethodDefinitionError(DefinitionError):
    """A problem in a method definition file."""


def load_file(path: Path | str) -> MethodDefinition:
    return load_toml(path, MethodDefinition, MethodDefinitionError)


def load_all(directory: Path | str | None = None) -> dict[str, MethodDefinition]:
    """Every ``*.toml`` in the directory, by method code, in file-name order."""
    directory = Path(directory) if directory is not None else DEFINITIONS_DIR
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise MethodDefinitionError(str(directory), "(directory)", "holds no method definition files")
    return {definition.code: definition for definition in map(load_file, files)}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, MethodDefinition]:
    """The shipped definitions, read once per process."""
    return load_all()


def check_definitions(directory: Path | str | None = None) -> list[str]:
    """Problems with the definition files, as messages naming file and field; empty when all is well.

    Checks every file, not only up to the first broken one.
    """
    directory = Path(directory) if directory is not None else DEFINITIONS_DIR
    return check_files(sorted(directory.glob("*.toml")), load_file, MethodDefinitionError, directory, "method")


def with_duration_overrides(
    definition: MethodDefinition, overrides: Mapping[str, Mapping[str, Any]], *, label: str = "override"
) -> MethodDefinition:
    """A copy whose phase durations follow an organisation's settings.

    ``overrides`` maps phase code to ``{"default_weeks": ..., "max_weeks": ...}`` (either key optional).
    The result is validated like a file; problems raise ``MethodDefinitionError`` naming ``label``.
    An overridden duration counts as set by the organisation (``duration_source = "default"``).
    """
    data = definition.model_dump()
    codes = {phase["code"]: index for index, phase in enumerate(data["phases"])}
    for code, values in overrides.items():
        if code not in codes:
            raise MethodDefinitionError(label, f"phases.{code}", "no such phase in this method")
        phase = data["phases"][codes[code]]
        for key, value in values.items():
            if key not in ("default_weeks", "max_weeks"):
                raise MethodDefinitionError(label, f"phases.{codes[code]}.{key}", "only durations may be overridden")
            phase[key] = value
        phase["duration_source"] = "default"
    try:
        return MethodDefinition.model_validate(data)
    except ValidationError as exc:
        raise first_error(label, exc, MethodDefinitionError) from None
