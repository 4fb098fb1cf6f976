"""The schema every instrument definition file must satisfy (pydantic v2).

Django-free on purpose, like the method schema: the files are checked at start-up and in tests without settings.

An instrument is items on response scales, and scores computed from them. What may be shipped depends on the
licence: for ``open`` instruments and Kring's ``own`` ones the question texts are in the file and the instrument
may be filled in through a personal link; for ``licence_required`` instruments the file holds item codes and
scoring rules only, so a professional enters the item scores (or only the totals) from the licensed paper form.
Short names of items and scale levels may be shipped for those only when ``licence.labels_source`` says where
they are published.

Cross-field problems raise a ``reference`` error whose context carries the dotted path of the field, so the
catalogue can name it (``fes.toml: items.3.text: ...``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal, NoReturn, cast

from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from kring.core.definitions import Strict, Text

RespondentCode = Literal["parent", "child", "youth", "network_member", "professional"]
RESPONDENTS: tuple[str, ...] = ("parent", "child", "youth", "network_member", "professional")
EntryModeCode = Literal["items", "totals", "link"]
ENTRY_MODES: tuple[str, ...] = ("items", "totals", "link")
LicenceKind = Literal["open", "own", "licence_required"]
# Licences under which the question texts may be shipped and shown (and so filled in through a link).
TEXT_LICENCES: tuple[str, ...] = ("open", "own")

CodeStr = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=60)]
Code = Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=60)
NonEmpty = Field(min_length=1)


class Licence(Strict):
    kind: LicenceKind
    holder: str = NonEmpty
    note: Text  # shown in the interface: what may be shown, and where the form is to be had
    # Where the item names and level labels shipped for a licence_required instrument are published.
    labels_source: str | None = Field(default=None, min_length=1)


class ScaleLabel(Strict):
    value: int
    label: Text


class ResponseScale(Strict):
    """The values one item may take: ``min``, ``min + step``, ... up to ``max`` (no ``max``: a count)."""

    min: int
    max: int | None = None
    step: int = Field(default=1, ge=1)
    labels: list[ScaleLabel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _values(self) -> ResponseScale:
        if self.max is not None:
            if self.max <= self.min:
                raise PydanticCustomError(
                    "reference", "{path}: {message}", {"path": "max", "message": f"must be above min ({self.min})"}
                )
            if (self.max - self.min) % self.step:
                raise PydanticCustomError(
                    "reference",
                    "{path}: {message}",
                    {"path": "max", "message": f"must be min plus a whole number of steps of {self.step}"},
                )
        seen: set[int] = set()
        for index, label in enumerate(self.labels):
            if not self.allows(label.value):
                raise PydanticCustomError(
                    "reference",
                    "{path}: {message}",
                    {"path": f"labels.{index}.value", "message": f"{label.value} is not a value of this scale"},
                )
            if label.value in seen:
                raise PydanticCustomError(
                    "reference",
                    "{path}: {message}",
                    {"path": f"labels.{index}.value", "message": f"duplicate label for {label.value}"},
                )
            seen.add(label.value)
        return self

    def allows(self, value: int) -> bool:
        if value < self.min or (self.max is not None and value > self.max):
            return False
        return (value - self.min) % self.step == 0

    def reverse(self, value: int) -> int:
        """The value counted from the other end of the scale (``max + min - value``)."""
        if self.max is None:
            raise ValueError("a scale without a maximum cannot be reversed")
        return self.max + self.min - value

    def label_for(self, value: int) -> Text | None:
        for label in self.labels:
            if label.value == value:
                return label.label
        return None


class Item(Strict):
    code: str = Code
    scale: str = Code  # key of a response scale of the same file
    label: Text | None = None  # short name (a domain name, "Goal 1"), shown beside the entry field
    text: Text | None = None  # the question as asked; only where the licence lets us ship it
    reverse: bool = False
    subscales: list[str] = Field(default_factory=list)  # codes of scores this item counts in


class ValueRange(Strict):
    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> ValueRange:
        if not (math.isfinite(self.min) and math.isfinite(self.max)) or self.max <= self.min:
            raise PydanticCustomError(
                "reference", "{path}: {message}", {"path": "max", "message": f"must be above min ({self.min})"}
            )
        return self


class Missing(Strict):
    """How many unanswered items a score tolerates, and what is done about them.

    ``prorate``: a sum is scaled up from the mean of the answered items (sum × items / answered); a mean is the
    mean of the answered items. ``none``: nothing is filled in, so a sum then allows no missing item at all.
    """

    max_missing: int | None = Field(default=None, ge=0)
    max_missing_share: float | None = Field(default=None, ge=0, lt=1)
    impute: Literal["prorate", "none"]

    @model_validator(mode="after")
    def _one_limit(self) -> Missing:
        if (self.max_missing is None) == (self.max_missing_share is None):
            raise PydanticCustomError(
                "reference",
                "{path}: {message}",
                {"path": "max_missing", "message": "give exactly one of max_missing and max_missing_share"},
            )
        return self

    def allows(self, missing: int, items: int) -> bool:
        if self.max_missing is not None:
            return missing <= self.max_missing
        return missing <= cast(float, self.max_missing_share) * items + 1e-9  # one of the two is set (checked)


class NormBand(Strict):
    """A published band of score values (a cut-off): ``from`` and ``to`` both belong to the band."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)

    from_: float = Field(alias="from")
    to: float
    label: Text
    source: str = NonEmpty  # the publication the band comes from; a band without one is never shipped

    @model_validator(mode="after")
    def _ordered(self) -> NormBand:
        if self.to < self.from_:
            raise PydanticCustomError(
                "reference", "{path}: {message}", {"path": "to", "message": f"must not be below from ({self.from_})"}
            )
        return self

    def contains(self, value: float) -> bool:
        return self.from_ <= value <= self.to


class Score(Strict):
    """A score of the instrument.

    ``items``: ``subscale`` (the items that list this code in their ``subscales``), ``all`` (every item of the
    instrument), or ``none`` (no item is known to belong to it: the score can only be entered as a total).
    ``method``: ``sum``, ``mean``, or ``share`` (the share of the answered items scoring at least ``threshold``).
    """

    code: str = Code
    name: Text
    items: Literal["subscale", "all", "none"] = "subscale"
    method: Literal["sum", "mean", "share"]
    threshold: int | None = None
    missing: Missing | None = None
    range: ValueRange | None = None
    norms: list[NormBand] = Field(default_factory=list)
    higher_is_better: bool | None = None
    note: Text | None = None


class InstrumentDefinition(Strict):
    code: str = Code
    version: str = Field(pattern=r"^\d+\.\d+$")
    name: Text
    description: Text
    measures: Text
    source: str = NonEmpty
    licence: Licence
    respondents: list[RespondentCode] = Field(min_length=1)
    min_respondent_age: int | None = Field(default=None, ge=0, le=120)
    rated_by_professional: bool
    entry_modes: list[EntryModeCode] = Field(min_length=1)
    response_scales: dict[CodeStr, ResponseScale] = Field(min_length=1)
    items: list[Item] = Field(min_length=1)
    scores: list[Score] = Field(min_length=1)

    @field_validator("code")
    @classmethod
    def _code_matches_file(cls, value: str, info: ValidationInfo) -> str:
        stem = (info.context or {}).get("file_stem")
        if stem is not None and value != stem:
            raise PydanticCustomError("code_mismatch", "must equal the file name '{stem}'", {"stem": stem})
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> InstrumentDefinition:
        def fail(path: str, message: str) -> NoReturn:
            raise PydanticCustomError("reference", "{path}: {message}", {"path": path, "message": message})

        for label in ("respondents", "entry_modes"):
            values = getattr(self, label)
            if len(set(values)) != len(values):
                fail(label, "contains a value twice")
        if self.rated_by_professional and list(self.respondents) != ["professional"]:
            fail("respondents", "an instrument rated by a professional has the professional as its only respondent")
        shows_text = self.licence.kind in TEXT_LICENCES
        if "link" in self.entry_modes and not shows_text:
            fail("entry_modes", "'link' needs the item texts, which a licence_required instrument may not ship")

        score_codes: dict[str, Score] = {}
        for index, score in enumerate(self.scores):
            if score.code in score_codes:
                fail(f"scores.{index}.code", f"duplicate '{score.code}'")
            score_codes[score.code] = score
        for name, named_scale in self.response_scales.items():
            if named_scale.labels and not shows_text and self.licence.labels_source is None:
                fail(
                    f"response_scales.{name}.labels",
                    "labels of a licence_required instrument need licence.labels_source (where they are published)",
                )

        seen_items: set[str] = set()
        for index, item in enumerate(self.items):
            path = f"items.{index}"
            if item.code in seen_items:
                fail(f"{path}.code", f"duplicate '{item.code}'")
            seen_items.add(item.code)
            scale = self.response_scales.get(item.scale)
            if scale is None:
                fail(f"{path}.scale", f"unknown response scale '{item.scale}'")
            if item.reverse and scale.max is None:
                fail(f"{path}.reverse", f"scale '{item.scale}' has no max, so the item cannot be reverse-scored")
            if shows_text and item.text is None:
                fail(f"{path}.text", f"required: the licence is '{self.licence.kind}', so the question is shown")
            if not shows_text and item.text is not None:
                fail(f"{path}.text", "must be absent: the licence does not allow shipping the item wording")
            if not shows_text and item.label is not None and self.licence.labels_source is None:
                fail(
                    f"{path}.label",
                    "labels of a licence_required instrument need licence.labels_source (where they are published)",
                )
            if len(set(item.subscales)) != len(item.subscales):
                fail(f"{path}.subscales", "contains a value twice")
            for position, code in enumerate(item.subscales):
                target = score_codes.get(code)
                if target is None:
                    fail(f"{path}.subscales.{position}", f"unknown subscale '{code}' (no score has that code)")
                if target.items != "subscale":
                    fail(
                        f"{path}.subscales.{position}",
                        f"score '{code}' takes items = '{target.items}', not its subscale members",
                    )

        for index, score in enumerate(self.scores):
            self._check_score(index, score, fail)
        return self

    def _check_score(self, index: int, score: Score, fail: Callable[[str, str], NoReturn]) -> None:
        path = f"scores.{index}"
        members = self.score_items(score.code)
        if score.items == "none":
            if score.range is None:
                fail(f"{path}.range", "required for a score entered only as a total")
            if "totals" not in self.entry_modes:
                fail(
                    f"{path}.items", "a score without items can only be entered as a total: add 'totals' to entry_modes"
                )
            if score.missing is not None:
                fail(f"{path}.missing", "must be absent for a score without items")
        else:
            if not members:
                fail(f"{path}.items", "no item lists this score in its subscales")
            scales = sorted({item.scale for item in members})
            if len(scales) > 1:
                fail(f"{path}.items", f"the items use different response scales ({', '.join(scales)})")
            if score.missing is None:
                fail(f"{path}.missing", "required field is missing")
            rule = score.missing
            if rule.max_missing is not None and rule.max_missing >= len(members):
                fail(
                    f"{path}.missing.max_missing",
                    f"must be below the number of items ({len(members)}): at least one must be answered",
                )
            allows_missing = (rule.max_missing or 0) > 0 or (rule.max_missing_share or 0) > 0
            if score.method == "sum" and rule.impute == "none" and allows_missing:
                fail(
                    f"{path}.missing.impute",
                    "a sum without prorating would count a missing item as 0: prorate, or allow no missing item",
                )
            if score.method == "mean" and rule.impute == "none" and allows_missing:
                fail(
                    f"{path}.missing.impute",
                    "a mean of the answered items fills in the missing ones: say 'prorate', or allow no missing item",
                )
            if score.method == "share" and rule.impute == "prorate":
                fail(f"{path}.missing.impute", "a share is taken over the answered items: use 'none'")
        scale = self.response_scales[members[0].scale] if members else None
        if score.method == "share":
            if score.threshold is None:
                fail(f"{path}.threshold", "required for method 'share'")
            if scale is not None and not scale.allows(score.threshold):
                fail(f"{path}.threshold", f"{score.threshold} is not a value of scale '{members[0].scale}'")
        elif score.threshold is not None:
            fail(f"{path}.threshold", "only a 'share' score has a threshold")
        derived = self._derived_range(score)
        if score.range is not None and derived is not None and derived[1] is not None:
            if (score.range.min, score.range.max) != derived:
                fail(
                    f"{path}.range",
                    f"the items give {_fmt(derived[0])}-{_fmt(derived[1])}, not "
                    f"{_fmt(score.range.min)}-{_fmt(score.range.max)}",
                )
        low, high = self.score_range(score.code)
        bands = sorted(enumerate(score.norms), key=lambda pair: pair[1].from_)
        for position, band in enumerate(score.norms):
            if band.from_ < low or (high is not None and band.to > high):
                fail(
                    f"{path}.norms.{position}",
                    f"band {_fmt(band.from_)}-{_fmt(band.to)} lies outside the possible range "
                    f"{_fmt(low)}-{_fmt(high) if high is not None else '...'}",
                )
        for (_, before), (position, band) in zip(bands, bands[1:]):
            if band.from_ <= before.to:
                fail(
                    f"{path}.norms.{position}",
                    f"band {_fmt(band.from_)}-{_fmt(band.to)} overlaps band {_fmt(before.from_)}-{_fmt(before.to)}",
                )

    # ---- convenience for the scoring core and the Django app ------------------------------------------------
    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def score(self, code: str) -> Score:
        for score in self.scores:
            if score.code == code:
                return score
        raise KeyError(code)

    def scale_of(self, item: Item) -> ResponseScale:
        return self.response_scales[item.scale]

    def score_items(self, code: str) -> list[Item]:
        """The items a score is computed from, in file order (empty for a totals-only score)."""
        score = self.score(code)
        if score.items == "all":
            return list(self.items)
        if score.items == "none":
            return []
        return [item for item in self.items if code in item.subscales]

    def _derived_range(self, score: Score) -> tuple[float, float | None] | None:
        members = self.score_items(score.code)
        if not members:
            return None
        if score.method == "share":
            return (0.0, 1.0)
        scale = self.response_scales[members[0].scale]
        if score.method == "mean":
            return (float(scale.min), None if scale.max is None else float(scale.max))
        return (float(scale.min * len(members)), None if scale.max is None else float(scale.max * len(members)))

    def score_range(self, code: str) -> tuple[float, float | None]:
        """Lowest and highest possible value of a score (highest ``None``: no upper bound, a count)."""
        score = self.score(code)
        if score.range is not None:
            return (score.range.min, score.range.max)
        derived = self._derived_range(score)
        assert derived is not None  # a score without items always declares its range (checked above)
        return derived

    def is_whole_number(self, code: str) -> bool:
        """Whether a score can only be a whole number: a sum of item scores that allows no missing item."""
        score = self.score(code)
        if score.method != "sum" or score.items == "none":
            return False
        rule = cast(Missing, score.missing)  # a score of items always has a rule (checked on load)
        return not ((rule.max_missing or 0) > 0 or (rule.max_missing_share or 0) > 0)

    @property
    def shows_item_text(self) -> bool:
        """Whether the question texts may be shown (and so whether the interface must say they are absent)."""
        return self.licence.kind in TEXT_LICENCES


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
