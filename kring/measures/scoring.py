"""Scoring of instrument administrations: plain data in, plain data out, no Django.

``score_items`` takes the item scores of one filled-in instrument (from paper or a personal link) and computes
every score under the instrument's own rules: reverse-scored items, the missing-data rule (with prorating where
allowed) and the norm band. ``score_totals`` takes only the totals, for when the paper total is all that is known,
and checks them against the possible range. Both return a ``ScoreResult`` that serialises to JSON.

A refused value raises ``ScoringError`` with a stable ``code`` and its parameters, so the caller can say what is
wrong in the user's language: ``unknown_item``, ``unknown_score``, ``not_an_integer``, ``not_a_number``,
``out_of_range``, ``entry_mode_not_allowed``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from .instrument_schema import InstrumentDefinition, Missing, ResponseScale, Score

ITEMS = "items"
TOTALS = "totals"


class ScoringError(ValueError):
    """A value the instrument does not accept. ``code`` says what is wrong, ``params`` where and why."""

    def __init__(self, code: str, **params: Any):
        self.code = code
        self.params = params
        detail = ", ".join(f"{key}={value!r}" for key, value in params.items())
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass(frozen=True)
class Band:
    from_: float
    to: float
    label: dict[str, str]
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.from_, "to": self.to, "label": dict(self.label), "source": self.source}


@dataclass(frozen=True)
class ScoreValue:
    """One score of one administration.

    ``value`` is ``None`` when the score is not computable; ``reason`` then says why (``too_many_missing``,
    ``totals_only``, ``not_entered``) and ``reason_params`` gives the numbers.
    """

    code: str
    method: str
    value: float | int | None
    computable: bool
    items: int  # number of items the score is computed from (0 for totals)
    answered: int
    missing: int
    prorated: bool
    range: tuple[float, float | None]
    band: Band | None = None
    reason: str | None = None
    reason_params: dict[str, Any] = field(default_factory=dict)
    higher_is_better: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["range"] = list(self.range)
        data["band"] = self.band.as_dict() if self.band else None
        return data


@dataclass(frozen=True)
class ScoreResult:
    instrument: str
    version: str
    mode: str  # "items" or "totals"
    scores: tuple[ScoreValue, ...]
    item_scores: dict[str, int] = field(default_factory=dict)  # answered items after reverse scoring

    def score(self, code: str) -> ScoreValue:
        for score in self.scores:
            if score.code == code:
                return score
        raise KeyError(code)

    def values(self) -> dict[str, float | int | None]:
        """Score code to value (``None`` where not computable)."""
        return {score.code: score.value for score in self.scores}

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "version": self.version,
            "mode": self.mode,
            "scores": {score.code: score.as_dict() for score in self.scores},
            "item_scores": dict(self.item_scores),
        }


# ---- helpers ------------------------------------------------------------------------------------------------
def possible_range(definition: InstrumentDefinition, score_code: str) -> tuple[float, float | None]:
    """Lowest and highest value a score can take (highest ``None``: unbounded, for counts)."""
    try:
        return definition.score_range(score_code)
    except KeyError:
        raise ScoringError("unknown_score", score=score_code) from None


def reverse_value(scale: ResponseScale, value: int) -> int:
    """``max + min - value``: the same answer counted from the other end of the scale."""
    return scale.reverse(value)


def find_band(score: Score, value: float) -> Band | None:
    for band in score.norms:
        if band.contains(value):
            return Band(band.from_, band.to, band.label.model_dump(), band.source)
    return None


def _check_item_value(code: str, scale: ResponseScale, value: Any) -> int:
    # Any integer type (int, a numpy integer from a data frame), but not a bool and not 3.0.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ScoringError("not_an_integer", item=code, value=value)
    whole = int(value)
    if not scale.allows(whole):
        raise ScoringError("out_of_range", item=code, value=whole, min=scale.min, max=scale.max, step=scale.step)
    return whole


def _require_mode(definition: InstrumentDefinition, mode: str) -> None:
    if mode not in definition.entry_modes and not (mode == ITEMS and "link" in definition.entry_modes):
        raise ScoringError("entry_mode_not_allowed", instrument=definition.code, mode=mode)


# ---- scoring from items ---------------------------------------------------------------------------------------
def score_items(definition: InstrumentDefinition, responses: Mapping[str, int | None]) -> ScoreResult:
    """Every score of the instrument from its item scores; an item absent or ``None`` is unanswered."""
    _require_mode(definition, ITEMS)
    known = {item.code: item for item in definition.items}
    for code in responses:
        if code not in known:
            raise ScoringError("unknown_item", item=code)
    scored: dict[str, int] = {}
    for item in definition.items:  # file order, so the first bad value is the first on the form
        value = responses.get(item.code)
        if value is None:
            continue
        scale = definition.scale_of(item)
        value = _check_item_value(item.code, scale, value)
        scored[item.code] = reverse_value(scale, value) if item.reverse else value
    results = tuple(_score_from_items(definition, score, scored) for score in definition.scores)
    return ScoreResult(definition.code, definition.version, ITEMS, results, scored)


def _score_from_items(definition: InstrumentDefinition, score: Score, scored: Mapping[str, int]) -> ScoreValue:
    members = definition.score_items(score.code)
    value_range = definition.score_range(score.code)
    common: dict[str, Any] = dict(
        code=score.code,
        method=score.method,
        items=len(members),
        range=value_range,
        higher_is_better=score.higher_is_better,
    )
    if not members:
        return ScoreValue(
            value=None, computable=False, answered=0, missing=0, prorated=False, reason="totals_only", **common
        )
    answered = [scored[item.code] for item in members if item.code in scored]
    missing = len(members) - len(answered)
    rule = cast(Missing, score.missing)  # a score of items always has a rule (checked on load)
    if not answered or not rule.allows(missing, len(members)):
        allowed = (
            rule.max_missing
            if rule.max_missing is not None
            else math.floor(cast(float, rule.max_missing_share) * len(members) + 1e-9)
        )
        return ScoreValue(
            value=None,
            computable=False,
            answered=len(answered),
            missing=missing,
            prorated=False,
            reason="too_many_missing",
            reason_params={"missing": missing, "allowed": allowed},
            **common,
        )
    prorated = False
    if score.method == "sum":
        if missing:
            value: float | int = sum(answered) * len(members) / len(answered)
            prorated = True
        else:
            value = sum(answered)
    elif score.method == "mean":
        value = sum(answered) / len(answered)
        prorated = bool(missing)
    else:  # share
        threshold = cast(int, score.threshold)  # required for method 'share' (checked on load)
        value = sum(1 for answer in answered if answer >= threshold) / len(answered)
    return ScoreValue(
        value=value,
        computable=True,
        answered=len(answered),
        missing=missing,
        prorated=prorated,
        band=find_band(score, value),
        **common,
    )


# ---- scoring from totals --------------------------------------------------------------------------------------
def score_totals(definition: InstrumentDefinition, totals: Mapping[str, float | int | None]) -> ScoreResult:
    """The scores as entered from a paper total, each checked against its possible range."""
    _require_mode(definition, TOTALS)
    known = {score.code: score for score in definition.scores}
    for code in totals:
        if code not in known:
            raise ScoringError("unknown_score", score=code)
    results = []
    for score in definition.scores:
        value = totals.get(score.code)
        value_range = definition.score_range(score.code)
        common: dict[str, Any] = dict(
            code=score.code,
            method=score.method,
            items=0,
            answered=0,
            missing=0,
            prorated=False,
            range=value_range,
            higher_is_better=score.higher_is_better,
        )
        if value is None:
            results.append(ScoreValue(value=None, computable=False, reason="not_entered", **common))
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ScoringError("not_a_number", score=score.code, value=value)
        value = int(value) if isinstance(value, numbers.Integral) else float(value)
        if definition.is_whole_number(score.code) and not float(value).is_integer():
            raise ScoringError("not_an_integer", score=score.code, value=value)
        low, high = value_range
        if value < low or (high is not None and value > high):
            raise ScoringError("out_of_range", score=score.code, value=value, min=low, max=high)
        results.append(ScoreValue(value=value, computable=True, band=find_band(score, value), **common))
    return ScoreResult(definition.code, definition.version, TOTALS, tuple(results))


# ---- data dictionary ------------------------------------------------------------------------------------------
_UNITS = {"sum": "points", "mean": "mean item score", "share": "proportion (0-1)"}


def _missing_rule(score: Score) -> str:
    if score.items == "none":
        return "entered as a total; no item rule"
    rule = cast(Missing, score.missing)  # only asked of scores of items, which always have one
    if not rule.max_missing and not rule.max_missing_share:
        return "every item must be answered"
    limit = (
        f"at most {rule.max_missing} items missing"
        if rule.max_missing is not None
        else f"at most {rule.max_missing_share:.0%} of the items missing"
    )
    if rule.impute == "prorate":
        limit += ", " + (
            "sum prorated from the mean of the answered items"
            if score.method == "sum"
            else "mean of the answered items"
        )
    return limit


def dictionary_entries(definition: InstrumentDefinition) -> list[dict[str, Any]]:
    """One plain dict per item and per score, for a generated data dictionary of research extracts.

    Variable names join the instrument and the item or score code (``fes_total``, ``zrm_housing``). Item
    wording is never included: the label is the item's short name, or its number where none may be shipped.
    """
    licence = {"kind": definition.licence.kind, "holder": definition.licence.holder}
    entries: list[dict[str, Any]] = []
    for number, item in enumerate(definition.items, start=1):
        scale = definition.scale_of(item)
        label = item.label.model_dump() if item.label else {"nl": f"Item {number}", "en": f"Item {number}"}
        entries.append(
            {
                "variable": f"{definition.code}_{item.code}",
                "kind": "item",
                "instrument": definition.code,
                "version": definition.version,
                "label": label,
                "type": "integer",
                "range": [scale.min, scale.max],
                "step": scale.step,
                "unit": "scale value",
                "reverse": item.reverse,
                "scores": [
                    score.code
                    for score in definition.scores
                    if item.code in {member.code for member in definition.score_items(score.code)}
                ],
                "missing": "empty when unanswered",
                "licence": dict(licence),
            }
        )
    for score in definition.scores:
        low, high = definition.score_range(score.code)
        integral = definition.is_whole_number(score.code)
        entries.append(
            {
                "variable": f"{definition.code}_{score.code}",
                "kind": "score",
                "instrument": definition.code,
                "version": definition.version,
                "label": score.name.model_dump(),
                "type": "integer" if integral else "number",
                "range": [low, high],
                "unit": _UNITS[score.method],
                "method": score.method,
                "higher_is_better": score.higher_is_better,
                "missing": _missing_rule(score),
                "norms": [
                    {"from": band.from_, "to": band.to, "label": band.label.model_dump(), "source": band.source}
                    for band in score.norms
                ],
                "licence": dict(licence),
            }
        )
    return entries
