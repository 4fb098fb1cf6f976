"""Read and validate the instrument definition files (``instruments/*.toml``).

``load_all()`` stops on the first problem with ``InstrumentDefinitionError``, whose message names the file and
the dotted field path, e.g. ``fes.toml: items.3.text: must be absent: the licence does not allow shipping the
item wording``. ``check_definitions()`` returns the problems as strings for a start-up check.

The shipped files live beside this module; an installation may point ``KRING_INSTRUMENT_DEFINITIONS_DIR`` at its
own reviewed copy (read when a function is called, so tests and start-up checks see the same directory).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from kring.core.definitions import DefinitionError, check_files, load_toml

from .instrument_schema import InstrumentDefinition

ENV_VAR = "KRING_INSTRUMENT_DEFINITIONS_DIR"
SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"


def definitions_dir() -> Path:
    """The directory the definitions are read from: the environment variable's, or the shipped one."""
    return Path(os.environ.get(ENV_VAR) or SHIPPED_DIR)


DEFINITIONS_DIR = definitions_dir()


class InstrumentDefinitionError(DefinitionError):
    """A problem in an instrument definition file."""


def load_file(path: Path | str) -> InstrumentDefinition:
    return load_toml(path, InstrumentDefinition, InstrumentDefinitionError)


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.toml"))


def _read_directory(directory: Path) -> dict[str, InstrumentDefinition]:
    files = _files(directory)
    if not files:
        raise InstrumentDefinitionError(str(directory), "(directory)", "holds no instrument definition files")
    return {definition.code: definition for definition in map(load_file, files)}


def load_all(directory: Path | str | None = None) -> dict[str, InstrumentDefinition]:
    """Every ``*.toml`` in the directory, by instrument code, in file-name order.

    Without an argument: the configured directory, read once per process (``clear_cache`` forgets it). A
    directory passed in is read afresh each time. The definitions are frozen; the dictionary is a new copy.
    """
    if directory is not None:
        return _read_directory(Path(directory))
    return dict(_cached(definitions_dir().resolve()))


@lru_cache(maxsize=4)
def _cached(directory: Path) -> dict[str, InstrumentDefinition]:
    return _read_directory(directory)


def clear_cache() -> None:
    """Forget what was read (for tests that change the configured directory)."""
    _cached.cache_clear()


def catalogue() -> dict[str, InstrumentDefinition]:
    """The configured definitions, read once per process (the name the methods app uses)."""
    return load_all()


def get(code: str) -> InstrumentDefinition | None:
    """One instrument of the configured directory, or ``None``."""
    return load_all().get(code)


def check_definitions(directory: Path | str | None = None) -> list[str]:
    """Problems with the definition files, as messages naming file and field; empty when all is well.

    Checks every file, not only up to the first broken one, and does not use the cache.
    """
    directory = Path(directory) if directory is not None else definitions_dir()
    return check_files(_files(directory), load_file, InstrumentDefinitionError, directory, "instrument")
