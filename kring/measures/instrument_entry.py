"""The instrument definitions and their scoring, as the Django side uses them: texts in the reader's language,
the fields of an entry form, and the scoring core's refusals turned into messages beside the right field.

The definitions and the scoring core (``instrument_catalogue``, ``scoring``) know nothing of Django; this module
is the one place that translates between them and the pages, services and API."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from . import scoring
from .choices import EntryMode
from .instrument_catalogue import load_all


def _lang() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


def text(value) -> str:
    """A definition's {nl, en} text in the current language."""
    if value is None:
        return ""
    return getattr(value, _lang())


def definitions() -> dict:
    return load_all()


def definition(code):
    if not isinstance(code, str):
        return None
    return load_all().get(code)


def _format(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        shown = f"{value:.2f}"
        return shown.replace(".", ",") if _lang() == "nl" else shown
    return str(int(value)) if isinstance(value, float) else str(value)


def describe(definition) -> dict:
    """What a page says about an instrument."""
    return {
        "code": definition.code,
        "version": definition.version,
        "name": text(definition.name),
        "description": text(definition.description),
        "measures": text(definition.measures),
        "source": definition.source,
        "licence": definition.licence.kind,
        "licence_holder": definition.licence.holder,
        "licence_note": text(definition.licence.note),
        "shows_text": definition.shows_item_text,
    }


def entry_choices() -> list[dict]:
    """The instruments a professional can enter, each with the ways it can be entered from the pages."""
    labels = {EntryMode.ITEMS: _("enter the item scores"), EntryMode.TOTALS: _("enter only the totals")}
    out = []
    for definition in sorted(load_all().values(), key=lambda d: text(d.name).lower()):
        modes = [(mode, labels[mode]) for mode in (EntryMode.ITEMS, EntryMode.TOTALS) if mode in definition.entry_modes]
        if modes:
            out.append({**describe(definition), "modes": modes})
    return out


def _item_label(definition, item, position) -> str:
    if item.text is not None:
        return f"{position}. {text(item.text)}"
    if item.label is not None:
        return f"{position}. {text(item.label)}"
    return _("Item %(number)s") % {"number": position}


def _scale_help(scale, reverse: bool) -> str:
    parts = []
    if scale.max is not None:
        parts.append(_("%(min)s to %(max)s") % {"min": scale.min, "max": scale.max})
    labelled = [f"{label.value} = {text(label.label)}" for label in scale.labels]
    if labelled:
        parts.append("; ".join(labelled))
    return " · ".join(parts)


def entry_fields(definition, mode) -> list[tuple]:
    """(name, label, help, minimum, maximum, step) per value a form asks for; step None means a decimal."""
    fields = []
    if mode == EntryMode.ITEMS:
        for position, item in enumerate(definition.items, start=1):
            scale = definition.scale_of(item)
            fields.append(
                (
                    item.code,
                    _item_label(definition, item, position),
                    _scale_help(scale, item.reverse),
                    scale.min,
                    scale.max,
                    scale.step,
                )
            )
    else:
        for score in definition.scores:
            low, high = scoring.possible_range(definition, score.code)
            integral = definition.is_whole_number(score.code)
            help_text = (
                _("%(min)s to %(max)s") % {"min": _format(low), "max": _format(high)} if high is not None else ""
            )
            fields.append((score.code, text(score.name), help_text, low, high, 1 if integral else None))
    return fields


def _message(error: scoring.ScoringError) -> str:
    params = error.params
    if error.code == "out_of_range":
        return _("Enter a value from %(min)s to %(max)s.") % {
            "min": _format(params.get("min")),
            "max": _format(params.get("max")),
        }
    if error.code == "not_an_integer":
        return _("Enter a whole number.")
    if error.code == "not_a_number":
        return _("Enter a number.")
    if error.code in ("unknown_item", "unknown_score"):
        return _("This instrument has no such question or score.")
    if error.code == "entry_mode_not_allowed":
        return _("This instrument cannot be entered that way.")
    return _("This value was refused.")


def score(definition, mode, values: dict):
    """Score one administration; a refused value becomes a ValidationError beside its field (``v_<code>``)."""
    if not isinstance(values, dict):
        raise ValidationError({"values": [_("Give the values as a list of codes and numbers.")]})
    try:
        if mode == EntryMode.ITEMS:
            result = scoring.score_items(definition, values)
        else:
            result = scoring.score_totals(definition, values)
    except scoring.ScoringError as error:
        where = error.params.get("item") or error.params.get("score")
        raise ValidationError({f"v_{where}" if where else "values": [_message(error)]}) from None
    if not any(s.computable for s in result.scores):
        raise ValidationError(_("Nothing could be scored: too many questions were left empty."))
    return result


def score_values(result) -> dict:
    return result.values()


def _reason(score_data) -> str:
    reason = score_data.get("reason")
    params = score_data.get("reason_params") or {}
    if reason == "too_many_missing":
        return _("not computed: %(missing)s of %(items)s questions empty") % {
            "missing": score_data.get("missing"),
            "items": score_data.get("items"),
        }
    if reason in ("totals_only", "not_entered"):
        return _("not entered")
    if score_data.get("prorated"):
        return _("%(missing)s empty, prorated") % {"missing": score_data.get("missing")}
    return str(params.get("note", "")) if params.get("note") else ""


def display(administration) -> dict:
    """An administration as a page shows it: the instrument's name and each score in words."""
    found = definition(administration.instrument_code)
    name = text(found.name) if found else administration.instrument_code
    rows = []
    for code, data in (administration.scores.get("scores") or {}).items():
        score_def = next((s for s in found.scores if s.code == code), None) if found else None
        band = data.get("band")
        rows.append(
            {
                "code": code,
                "name": text(score_def.name) if score_def else code,
                "value": _format(data.get("value")),
                "band": (band["label"].get(_lang()) if band else ""),
                "note": _reason(data),
            }
        )
    return {"name": name, "scores": rows}


def link_choices() -> list[tuple[str, str]]:
    """(code, name) of the instruments a network member can fill in through a link."""
    return [
        (d.code, text(d.name))
        for d in sorted(load_all().values(), key=lambda d: d.code)
        if EntryMode.LINK in d.entry_modes
    ]
