"""The retention rules as data (``rules.toml``): per jurisdiction and legal context, how long a closed case is kept
and within how many months a request to destroy it must be answered. Validated at start-up (``apps.ready``); a broken
file stops Kring with the file and the dotted field named.

Pure Python (no Django), so the computation is tested without a database."""

from __future__ import annotations

import calendar
import datetime
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from kring.core.definitions import NonEmpty, Strict, load_toml

RULES_FILE = Path(__file__).with_name("rules.toml")

JURISDICTION_KEYS = {"NL": "netherlands", "VL": "flanders"}


class Rule(Strict):
    years_after_end: int = Field(ge=0, le=150)
    until_age: int | None = Field(default=None, ge=1, le=150)
    source: str = NonEmpty

    @model_validator(mode="after")
    def _some_term(self):
        if self.years_after_end == 0 and self.until_age is None:
            raise ValueError("a rule needs years_after_end above 0 or an until_age")
        return self


class JurisdictionRules(Strict):
    request_answer_months: int = Field(ge=1, le=12)
    request_source: str = NonEmpty
    rules: dict[str, Rule] = Field(min_length=1)


class RetentionRules(Strict):
    netherlands: JurisdictionRules
    flanders: JurisdictionRules

    def for_jurisdiction(self, jurisdiction: str) -> JurisdictionRules:
        return getattr(self, JURISDICTION_KEYS[jurisdiction])

    def rule(self, jurisdiction: str, legal_context: str) -> Rule:
        return self.for_jurisdiction(jurisdiction).rules[legal_context]


def load(path: Path | str = RULES_FILE) -> RetentionRules:
    return load_toml(path, RetentionRules)


@cache
def rules() -> RetentionRules:
    return load()


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` later; 29 February becomes 28 February in a year without it."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retain_until(rule: Rule, end_of_care: datetime.date, birth_date: datetime.date | None) -> datetime.date:
    """The last day the file is kept: the later of the years after the end of care and the age of the central
    person. Without a known birth date an age rule cannot be applied, and the years after the end count alone."""
    until = add_years(end_of_care, rule.years_after_end)
    if rule.until_age is not None and birth_date is not None:
        until = max(until, add_years(birth_date, rule.until_age))
    return until


def check_rules(legal_contexts: dict[str, list[str]], path: Path | str = RULES_FILE) -> list[str]:
    """Problems with the file: validation, and every legal context of every jurisdiction must have a rule."""
    from kring.core.definitions import DefinitionError

    try:
        loaded = load(path)
    except DefinitionError as exc:
        return [str(exc)]
    problems = []
    for jurisdiction, contexts in legal_contexts.items():
        key = JURISDICTION_KEYS[jurisdiction]
        for context in contexts:
            if context not in loaded.for_jurisdiction(jurisdiction).rules:
                problems.append(f"{Path(path).name}: {key}.rules.{context}: required field is missing")
        for context in loaded.for_jurisdiction(jurisdiction).rules:
            if context not in contexts:
                problems.append(f"{Path(path).name}: {key}.rules.{context}: not a legal context of {key}")
    return problems
