"""What the definition files of every stage share (methods, instruments): a strict pydantic base, the text in
Dutch and English, and reading one TOML file into a model with an error that names the file and the dotted field.

Pure Python (no Django), so the files can be checked at start-up and in tests without settings."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

NonEmpty = Field(min_length=1)


class Strict(BaseModel):
    """Unknown fields are refused (a misspelt key is an error, not a silent default) and models are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Text(Strict):
    """The same text in Dutch and English."""

    nl: str = NonEmpty
    en: str = NonEmpty


class DefinitionError(Exception):
    """A problem in a definition file, e.g. ``fnb.toml: phases.2.default_weeks: must be at most max_weeks (8.0)``."""

    def __init__(self, file: str, field_path: str, message: str):
        self.file = file
        self.field_path = field_path
        self.message = message
        where = f"{file}: {field_path}" if field_path else file
        super().__init__(f"{where}: {message}")


M = TypeVar("M", bound=BaseModel)


def first_error(
    file: str, error: ValidationError, error_class: type[DefinitionError] = DefinitionError
) -> DefinitionError:
    """The first problem of a validation error, named by file and dotted field path.

    Cross-field checks raise a ``reference`` error whose context carries the path relative to the model that
    raised it; the error's location says where that model sits, so the two are joined."""
    detail = error.errors(include_url=False)[0]
    ctx = detail.get("ctx") or {}
    location = ".".join(str(part) for part in detail["loc"])
    if detail["type"] == "reference" and "path" in ctx:
        path = f"{location}.{ctx['path']}" if location else ctx["path"]
        return error_class(file, path, ctx["message"])
    message = detail["msg"]
    if detail["type"] == "missing":
        message = "required field is missing"
    elif detail["type"] == "extra_forbidden":
        message = "unknown field"
    return error_class(file, location or "(file)", message)


def load_toml(path: Path | str, model: type[M], error_class: type[DefinitionError] = DefinitionError) -> M:
    """One definition file, validated by ``model`` (which may check that its code equals the file's stem)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise error_class(path.name, "(syntax)", f"not valid TOML: {exc}") from None
    except OSError as exc:
        raise error_class(path.name, "(file)", f"cannot be read: {exc.strerror}") from None
    try:
        return model.model_validate(data, context={"file_stem": path.stem})
    except ValidationError as exc:
        raise first_error(path.name, exc, error_class) from None


def check_files(
    files: list[Path],
    load: Callable[[Path], object],
    error_class: type[Exception],
    directory: Path | str,
    what: str,
) -> list[str]:
    """Every file's problems as messages (not only up to the first broken file); empty when all is well."""
    if not files:
        return [f"{directory}: (directory): holds no {what} definition files"]
    problems: list[str] = []
    for file in files:
        try:
            load(file)
        except error_class as exc:
            problems.append(str(exc))
    return problems
