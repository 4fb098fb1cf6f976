"""Method selector: a short set of answers about a case -> the methods ranked, every outcome explained.

Pure Python, no Django. Two kinds of logic, both transparent:

* the *situational rules* in ``selector_rules.toml`` (data: when <answer conditions> then
  <points for or against a method, with a text and a source>), loaded and validated by
  :func:`load_rules`;
* the *generic checks* below, which compare the answers with each method definition
  (max safety concern, contra-indications, legal contexts, settings, request kinds, earlier
  attempts). Their points and texts also come from the rules file (the ``[generic]`` table).

``rank()`` returns one :class:`Suggestion` per method, sorted by (not excluded, score) descending,
ties broken by :data:`METHOD_ORDER`. Each suggestion carries the reasons for, the reasons against
and the warnings (contra-indications and safety limits) that produced its score.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAFETY_LEVELS = ("none", "some", "serious", "acute")
MOTIVATION_LEVELS = ("none", "some", "high")
CENTRAL = ("child", "parent", "young_adult")
SETTINGS = (
    "family",
    "foster_care",
    "residential",
    "school",
    "disability",
    "transition_adulthood",
    "crisis",
    "justice",
)
REQUEST_KINDS = (
    "parenting",
    "safety",
    "school",
    "placement",
    "transition_adulthood",
    "crisis",
    "disability",
    "restoration",
    "future_planning",
    "lost_contacts",
    "violence_at_home",
    "justice",
)
CONFLICTS = ("fighting_divorce", "loyalty_conflict", "network_danger")

# Fixed tie-break order (most protective / most general first).
METHOD_ORDER = (
    "signs_of_safety",
    "ekc",
    "fnb",
    "ptp",
    "columbus",
    "hergo",
    "netwerk_leerrecht",
    "family_finding",
    "nvr",
    "regular_care",
)

DEFAULT_RULES_PATH = Path(__file__).with_name("selector_rules.toml")

# Ordinal scales used by ``at_least`` / ``at_most`` on string answers.
ORDINALS: dict[str, tuple[str, ...]] = {
    "safety_concern": SAFETY_LEVELS,
    "motivation": MOTIVATION_LEVELS,
}

CONDITION_OPS = ("equals", "in", "at_least", "at_most", "contains")

# Generic checks whose points and texts live in the [generic] table of the rules file.
GENERIC_KEYS = (
    "setting_match",
    "setting_mismatch",
    "request_match",
    "request_mismatch",
    "legal_context_outside",
    "safety_above_max",
    "safety_far_above_max",
    "contra_indication_warning",
    "contra_indication_exclude",
    "earlier_attempt",
    "no_indication",
)


# --------------------------------------------------------------------------------------------
# Answers and results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    safety_concern: str = "none"  # none / some / serious / acute
    legal_context: str | None = None  # a LegalContext value, e.g. "nl_supervision"
    central: str = "child"  # child / parent / young_adult
    setting: str = "family"  # one of SETTINGS
    request: str | None = None  # one of REQUEST_KINDS
    network_size: int | None = None  # informal persons on the network map
    network_unsafe: bool = False
    motivation: str = "some"  # high / some / none
    conflicts: frozenset[str] = frozenset()  # fighting_divorce / loyalty_conflict / network_danger
    earlier_attempts: frozenset[str] = frozenset()  # method codes tried before
    incident_with_victim: bool = False
    left_school: bool = False
    lost_contacts: bool = False
    violence_by_child: bool = False

    def __post_init__(self) -> None:
        def check(name: str, value: object, allowed: Iterable[object]) -> None:
            if value not in allowed:
                raise ValueError(f"Answers.{name}: {value!r} is not one of {', '.join(map(str, allowed))}")

        check("safety_concern", self.safety_concern, SAFETY_LEVELS)
        check("motivation", self.motivation, MOTIVATION_LEVELS)
        check("central", self.central, CENTRAL)
        check("setting", self.setting, SETTINGS)
        if self.request is not None:
            check("request", self.request, REQUEST_KINDS)
        if self.network_size is not None and (not isinstance(self.network_size, int) or self.network_size < 0):
            raise ValueError(f"Answers.network_size: {self.network_size!r} must be a non-negative integer or None")
        object.__setattr__(self, "conflicts", frozenset(self.conflicts))
        object.__setattr__(self, "earlier_attempts", frozenset(self.earlier_attempts))
        for c in self.conflicts:
            check("conflicts", c, CONFLICTS)


ANSWER_FIELDS = tuple(Answers.__dataclass_fields__)


@dataclass(frozen=True)
class Reason:
    code: str
    text: dict[str, str]
    source: str = ""
    points: int = 0

    def render(self, lang: str = "en") -> str:
        return self.text.get(lang) or self.text.get("en") or next(iter(self.text.values()), self.code)


@dataclass
class Suggestion:
    method: str
    name: dict[str, str] = field(default_factory=dict)
    score: int = 0
    reasons_for: list[Reason] = field(default_factory=list)
    reasons_against: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    excluded: bool = False
    continua: dict[str, float] = field(default_factory=dict)

    @property
    def all_reasons(self) -> list[Reason]:
        return [*self.reasons_for, *self.reasons_against, *self.warnings]

    def warning_codes(self) -> set[str]:
        return {w.code for w in self.warnings}

    def explain(self, lang: str = "en") -> str:
        label = self.name.get(lang) or self.name.get("en") or self.method
        head = f"{label} [{self.method}] score {self.score:+d}"
        if self.excluded:
            head += " — EXCLUDED" if lang == "en" else " — UITGESLOTEN"
        lines = [head]
        if self.continua:
            lines.append("  continua: " + ", ".join(f"{k}={v:.2f}" for k, v in self.continua.items()))
        for title_en, title_nl, items, mark in (
            ("for", "voor", self.reasons_for, "+"),
            ("against", "tegen", self.reasons_against, "-"),
            ("warnings", "waarschuwingen", self.warnings, "!"),
        ):
            if items:
                lines.append(f"  {title_en if lang == 'en' else title_nl}:")
                for r in items:
                    pts = f" ({r.points:+d})" if r.points else ""
                    src = f" [{r.source}]" if r.source else ""
                    lines.append(f"    {mark} {r.render(lang)}{pts}{src}")
        return "\n".join(lines)


def explain(suggestions: Iterable[Suggestion], lang: str = "en") -> str:
    """A readable account of a ranking: one numbered block per method."""
    return "\n".join(f"{i}. {s.explain(lang)}" for i, s in enumerate(suggestions, 1))


# --------------------------------------------------------------------------------------------
# Rules: data + loader with validation
# --------------------------------------------------------------------------------------------


class RulesError(ValueError):
    """The rules file is invalid; the message names the rule id and the field."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any

    def holds(self, answers: Answers) -> bool:
        actual = getattr(answers, self.field)
        if self.op == "equals":
            return bool(actual == self.value)
        if self.op == "in":
            return actual in self.value
        if self.op == "contains":
            return self.value in actual
        if actual is None:
            return False
        scale = ORDINALS.get(self.field)
        if scale is not None:
            a, v = scale.index(actual), scale.index(self.value)
        else:
            a, v = actual, self.value
        return a >= v if self.op == "at_least" else a <= v


@dataclass(frozen=True)
class Effect:
    method: str
    points: int
    text: dict[str, str]
    source: str
    warning: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]
    effects: tuple[Effect, ...]

    def applies(self, answers: Answers) -> bool:
        return all(c.holds(answers) for c in self.when)


@dataclass(frozen=True)
class GenericCheck:
    points: int
    text: dict[str, str]
    source: str = ""


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    generic: dict[str, GenericCheck]


def _check_text(text: object, where: str) -> dict[str, str]:
    if not isinstance(text, dict) or not text.get("nl") or not text.get("en"):
        raise RulesError(f"{where}: 'text' must be a table with non-empty 'nl' and 'en'")
    return {"nl": str(text["nl"]), "en": str(text["en"])}


def _parse_condition(rule_id: str, fld: str, spec: Any) -> Condition:
    where = f"rule {rule_id!r}, field 'when.{fld}'"
    if fld not in ANSWER_FIELDS:
        raise RulesError(f"{where}: unknown answer field (known: {', '.join(ANSWER_FIELDS)})")
    if not isinstance(spec, dict):
        spec = {"equals": spec}
    if len(spec) != 1:
        raise RulesError(f"{where}: give exactly one of {', '.join(CONDITION_OPS)}")
    op, value = next(iter(spec.items()))
    if op not in CONDITION_OPS:
        raise RulesError(f"{where}: unknown condition {op!r} (use {', '.join(CONDITION_OPS)})")
    if op == "in":
        if not isinstance(value, list) or not value:
            raise RulesError(f"{where}: 'in' needs a non-empty list")
        value = tuple(value)
    if op == "contains" and fld not in ("conflicts", "earlier_attempts"):
        raise RulesError(f"{where}: 'contains' only works on conflicts and earlier_attempts")
    if op in ("at_least", "at_most"):
        scale = ORDINALS.get(fld)
        if scale is not None:
            if value not in scale:
                raise RulesError(f"{where}: {value!r} is not one of {', '.join(scale)}")
        elif fld != "network_size" or not isinstance(value, int):
            raise RulesError(
                f"{where}: {op!r} needs an ordinal field ({', '.join(ORDINALS)}) or an integer network_size"
            )
    allowed = {
        "safety_concern": SAFETY_LEVELS,
        "motivation": MOTIVATION_LEVELS,
        "central": CENTRAL,
        "setting": SETTINGS,
        "request": REQUEST_KINDS,
        "conflicts": CONFLICTS,
    }.get(fld)
    if allowed is not None:
        values = value if isinstance(value, tuple) else (value,)
        bad = [v for v in values if v not in allowed and not (fld == "request" and v is None)]
        if bad:
            raise RulesError(f"{where}: {bad[0]!r} is not one of {', '.join(allowed)}")
    return Condition(fld, op, value)


def parse_rules(data: Mapping[str, Any]) -> Rules:
    """Validate the parsed TOML and build :class:`Rules`."""
    raw_rules = data.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RulesError("the rules file needs at least one [[rule]]")
    rules, seen = [], set()
    for i, raw in enumerate(raw_rules):
        rule_id = raw.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            raise RulesError(f"rule #{i + 1}: field 'id' is missing or empty")
        if rule_id in seen:
            raise RulesError(f"rule {rule_id!r}: field 'id' is a duplicate")
        seen.add(rule_id)
        unknown = set(raw) - {"id", "when", "effects", "note"}
        if unknown:
            raise RulesError(f"rule {rule_id!r}: unknown field {sorted(unknown)[0]!r}")
        when = raw.get("when")
        if not isinstance(when, dict) or not when:
            raise RulesError(f"rule {rule_id!r}, field 'when': needs at least one answer condition")
        conditions = tuple(_parse_condition(rule_id, f, spec) for f, spec in when.items())
        raw_effects = raw.get("effects")
        if not isinstance(raw_effects, list) or not raw_effects:
            raise RulesError(f"rule {rule_id!r}, field 'effects': needs at least one effect")
        effects = []
        for j, eff in enumerate(raw_effects):
            where = f"rule {rule_id!r}, field 'effects[{j}]'"
            unknown = set(eff) - {"method", "points", "text", "source", "warning"}
            if unknown:
                raise RulesError(f"{where}: unknown key {sorted(unknown)[0]!r}")
            method = eff.get("method")
            if not isinstance(method, str) or not method:
                raise RulesError(f"{where}.method: missing")
            points = eff.get("points", 0)
            if not isinstance(points, int) or isinstance(points, bool):
                raise RulesError(f"{where}.points: must be an integer")
            source = eff.get("source")
            if not isinstance(source, str) or not source:
                raise RulesError(f"{where}.source: every effect must cite its source")
            warning = eff.get("warning", False)
            if not isinstance(warning, bool):
                raise RulesError(f"{where}.warning: must be true or false")
            effects.append(Effect(method, points, _check_text(eff.get("text"), f"{where}"), source, warning))
        rules.append(Rule(rule_id, conditions, tuple(effects)))

    raw_generic = data.get("generic", {})
    generic = {}
    for key in GENERIC_KEYS:
        g = raw_generic.get(key)
        where = f"rule 'generic.{key}'"
        if not isinstance(g, dict):
            raise RulesError(f"{where}: missing table [generic.{key}]")
        points = g.get("points", 0)
        if not isinstance(points, int) or isinstance(points, bool):
            raise RulesError(f"{where}, field 'points': must be an integer")
        generic[key] = GenericCheck(points, _check_text(g.get("text"), where), str(g.get("source", "")))
    extra = set(raw_generic) - set(GENERIC_KEYS)
    if extra:
        raise RulesError(f"rule 'generic.{sorted(extra)[0]}': unknown generic check")
    return Rules(tuple(rules), generic)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and validate the rules file (default: ``selector_rules.toml`` next to this module)."""
    path = Path(path) if path is not None else DEFAULT_RULES_PATH
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from exc
    return parse_rules(data)


# --------------------------------------------------------------------------------------------
# Ranking
# --------------------------------------------------------------------------------------------


# Which answer raises which contra-indication code of a method definition, and how the reason names that answer
# (in words, per language: the reader sees "conflicten: loyaliteitsconflict", never the answer's code).
ANSWER_WORDS: dict[str, dict[str, str]] = {
    "fighting_divorce": {"nl": "conflicten: vechtscheiding", "en": "conflicts: high-conflict divorce"},
    "loyalty_conflict": {"nl": "conflicten: loyaliteitsconflict", "en": "conflicts: loyalty conflict"},
    "network_danger": {"nl": "conflicten: gevaar vanuit het netwerk", "en": "conflicts: danger from the network"},
    "no_motivation": {"nl": "motivatie: geen", "en": "motivation: none"},
    "network_unsafe": {"nl": "het netwerk is onveilig", "en": "the network is unsafe"},
    "no_network": {"nl": "grootte van het netwerk: 0", "en": "network size: 0"},
    "acute_danger": {"nl": "zorg over de veiligheid: acuut", "en": "safety concern: acute"},
}


def answer_contra_indications(a: Answers) -> dict[str, dict[str, str]]:
    """Contra-indication codes raised by the answers -> the answer that raised them, in words per language."""
    found: dict[str, dict[str, str]] = {}
    if "fighting_divorce" in a.conflicts:
        found["fighting_divorce"] = ANSWER_WORDS["fighting_divorce"]
    if "loyalty_conflict" in a.conflicts:
        found["loyalty_conflict"] = ANSWER_WORDS["loyalty_conflict"]
    if "network_danger" in a.conflicts:
        found["network_is_source_of_conflict"] = ANSWER_WORDS["network_danger"]
    if a.motivation == "none":
        found["no_motivation"] = ANSWER_WORDS["no_motivation"]
    if a.network_unsafe:
        found["unsafe_network"] = ANSWER_WORDS["network_unsafe"]
    if a.network_size == 0:
        found["no_network"] = ANSWER_WORDS["no_network"]
    if a.safety_concern == "acute":
        found["acute_danger"] = ANSWER_WORDS["acute_danger"]
    return found


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _as_text(obj: Any) -> dict[str, str]:
    if obj is None:
        return {}
    if isinstance(obj, str):
        return {"nl": obj, "en": obj}
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump()
    if isinstance(obj, Mapping):
        return {k: str(v) for k, v in obj.items() if v}
    return {k: str(_get(obj, k)) for k in ("nl", "en") if _get(obj, k)}


def _values(seq: Iterable[Any] | None) -> list[str]:
    return [getattr(x, "value", x) for x in (seq or ())]


def _continua(method: Any) -> dict[str, float]:
    c = _get(method, "continua")
    if c is None:
        return {}
    if hasattr(c, "model_dump"):
        c = c.model_dump()
    return {k: float(_get(c, k)) for k in ("family_lead", "network_breadth") if _get(c, k) is not None}


Words = Mapping[str, Mapping[str, str]]  # answer code -> {language: word}


def _word(value: Any, lang: str, words: Words | None) -> Any:
    """A value as the reader should see it: a per-language text in that language, a list as words joined by
    commas, and an answer code (e.g. ``nl_supervision``) as its word from ``words`` when the caller gave one."""
    if isinstance(value, Mapping):
        return value.get(lang) or value.get("en") or next(iter(value.values()), "")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_word(v, lang, words)) for v in value)
    if words and isinstance(value, str) and value in words:
        return words[value].get(lang) or value
    return value


def _fmt(text: dict[str, str], words: Words | None = None, **kw: Any) -> dict[str, str]:
    out = {}
    for lang, t in text.items():
        try:
            out[lang] = t.format(**{key: _word(value, lang, words) for key, value in kw.items()})
        except (KeyError, IndexError, ValueError):
            out[lang] = t
    return out


def _order_key(code: str) -> tuple[int, str]:
    return (METHOD_ORDER.index(code) if code in METHOD_ORDER else len(METHOD_ORDER), code)


def _generic(s: Suggestion, g: GenericCheck, kind: str, code: str, source: str = "", **kw: Any) -> None:
    reason = Reason(code, _fmt(g.text, **kw), source or g.source, g.points)
    s.score += g.points
    {"for": s.reasons_for, "against": s.reasons_against, "warning": s.warnings}[kind].append(reason)


def _check_setting_and_request(
    s: Suggestion, answers: Answers, method: Any, g: Mapping[str, GenericCheck], kw: dict[str, Any]
) -> None:
    """For when the method is meant for this setting (and request kind), against when it names others."""
    settings = _values(_get(method, "settings"))
    if answers.setting in settings:
        _generic(s, g["setting_match"], "for", "setting_match", setting=answers.setting, **kw)
    elif settings:
        _generic(s, g["setting_mismatch"], "against", "setting_mismatch", setting=answers.setting, **kw)
    if answers.request is not None:
        kinds = _values(_get(method, "request_kinds"))
        if answers.request in kinds:
            _generic(s, g["request_match"], "for", "request_match", request=answers.request, **kw)
        elif kinds:
            _generic(s, g["request_mismatch"], "against", "request_mismatch", request=answers.request, **kw)


def _check_legal_context(
    s: Suggestion, answers: Answers, method: Any, g: Mapping[str, GenericCheck], kw: dict[str, Any]
) -> None:
    """Against when the method names the legal contexts it is for and this one is not among them."""
    legal = _values(_get(method, "legal_contexts"))
    if answers.legal_context and legal and answers.legal_context not in legal:
        _generic(
            s,
            g["legal_context_outside"],
            "against",
            "legal_context_outside",
            legal_context=answers.legal_context,
            allowed=list(legal),
            **kw,
        )


def _check_safety(
    s: Suggestion, answers: Answers, method: Any, g: Mapping[str, GenericCheck], kw: dict[str, Any]
) -> None:
    """A warning when the safety concern is above what the method is meant for; two levels above excludes it."""
    max_safety = getattr(_get(method, "max_safety_concern"), "value", _get(method, "max_safety_concern"))
    if max_safety not in SAFETY_LEVELS:
        return
    above = SAFETY_LEVELS.index(answers.safety_concern) - SAFETY_LEVELS.index(max_safety)
    if above >= 2:
        _generic(
            s,
            g["safety_far_above_max"],
            "warning",
            "safety_above_max",
            concern=answers.safety_concern,
            max=max_safety,
            **kw,
        )
        s.excluded = True
    elif above == 1:
        _generic(
            s,
            g["safety_above_max"],
            "warning",
            "safety_above_max",
            concern=answers.safety_concern,
            max=max_safety,
            **kw,
        )


def _check_contra_indications(
    s: Suggestion, answers: Answers, method: Any, g: Mapping[str, GenericCheck], kw: dict[str, Any]
) -> None:
    """A warning per contra-indication of the method that the answers raise; one of severity "exclude" excludes."""
    raised = answer_contra_indications(answers)
    for ci in _get(method, "contra_indications") or ():
        ci_code = str(getattr(_get(ci, "code"), "value", _get(ci, "code")))
        if ci_code not in raised:
            continue
        severity = str(getattr(_get(ci, "severity"), "value", _get(ci, "severity")))
        key = "contra_indication_exclude" if severity == "exclude" else "contra_indication_warning"
        text = _as_text(_get(ci, "text")) or {"nl": ci_code, "en": ci_code}
        gen = g[key]
        reason_text = {
            lang: _fmt({lang: gen.text.get(lang, "{ci}")}, ci=t, answer=raised[ci_code], **kw)[lang]
            for lang, t in text.items()
        }
        s.warnings.append(Reason(ci_code, reason_text, str(_get(ci, "source") or gen.source), gen.points))
        s.score += gen.points
        if severity == "exclude":
            s.excluded = True


def _apply_situational_rules(s: Suggestion, answers: Answers, code: str, rules: Rules) -> None:
    """The effects on this method of every situational rule that applies: for, against or a warning."""
    for rule in rules.rules:
        effects = [e for e in rule.effects if e.method == code]
        if not effects or not rule.applies(answers):
            continue
        for e in effects:
            reason = Reason(rule.id, dict(e.text), e.source, e.points)
            s.score += e.points
            if e.warning:
                s.warnings.append(reason)
            elif e.points >= 0:
                s.reasons_for.append(reason)
            else:
                s.reasons_against.append(reason)


def evaluate(answers: Answers, method: Any, rules: Rules, words: Words | None = None) -> Suggestion:
    """All checks for one method; not sorted. ``words`` maps answer codes to {language: word} for the texts."""
    code = str(_get(method, "code"))
    name = _as_text(_get(method, "name")) or {"nl": code, "en": code}
    s = Suggestion(method=code, name=name, continua=_continua(method))
    g = rules.generic
    kw: dict[str, Any] = {"method": name, "words": words}
    _check_setting_and_request(s, answers, method, g, kw)
    _check_legal_context(s, answers, method, g, kw)
    _check_safety(s, answers, method, g, kw)
    _check_contra_indications(s, answers, method, g, kw)
    if code in answers.earlier_attempts:  # tried before
        _generic(s, g["earlier_attempt"], "against", "earlier_attempt", **kw)
    _apply_situational_rules(s, answers, code, rules)
    if not s.all_reasons:
        _generic(s, g["no_indication"], "against", "no_indication", **kw)
    return s


def rank(
    answers: Answers, methods: Iterable[Any] | Mapping[str, Any], rules: Rules | None = None, words: Words | None = None
) -> list[Suggestion]:
    """Every method scored and explained; sorted by (not excluded, score) desc, then METHOD_ORDER.

    ``words`` ({code: {language: word}}) lets the texts name answers in words rather than codes; the caller
    supplies them because this core has no translations of its own."""
    if rules is None:
        rules = load_rules()
    if isinstance(methods, Mapping):
        methods = methods.values()
    suggestions = [evaluate(answers, m, rules, words) for m in methods]
    suggestions.sort(key=lambda s: _order_key(s.method))
    suggestions.sort(key=lambda s: (not s.excluded, s.score), reverse=True)
    return suggestions
