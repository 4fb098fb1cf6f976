"""Names as people see them: no characters that turn the reading direction or cannot be seen, and one Unicode form.

A right-to-left override in a name makes a list show another name than the one stored; a zero-width space or
joiner makes two names that look alike differ (for search, sorting and the eye); a decomposed "ë" (e plus a
combining mark) differs from the composed one in every comparison. The check itself is pure (``hidden_characters``,
``normalise_name``); ``validate_name`` and ``NameField`` put it on the model fields, so pages, the API, imports
and the admin all refuse the same way through the model's validation.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Bidirectional controls: embeddings and overrides, isolates, the marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Zero-width and invisible characters named in the review; most are also format characters (Cf).
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u3164\u115f\u1160\uffa0")
# Unicode categories that have no visible letter in a name: format, control, private use, surrogate,
# unassigned, line and paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp"})


def hidden_characters(text: str) -> list[str]:
    """The characters of ``text`` that turn the reading direction or cannot be seen, each once, in order."""
    found = []
    for character in text or "":
        if (
            character in BIDI_CONTROLS or character in INVISIBLE or unicodedata.category(character) in HIDDEN_CATEGORIES
        ) and character not in found:
            found.append(character)
    return found


def normalise_name(text: str) -> str:
    """The name in Unicode normal form C (composed letters), so equal-looking names are equal."""
    return unicodedata.normalize("NFC", text) if isinstance(text, str) else text


def describe(characters) -> str:
    """``U+202E, U+200B``: the refused characters by code point (they cannot be shown)."""
    return ", ".join(f"U+{ord(c):04X}" for c in characters)


def validate_name(value):
    found = hidden_characters(value)
    if found:
        raise ValidationError(
            _(
                "The name contains invisible characters or characters that reverse the reading direction; type it "
                "again without them (found: %(characters)s)."
            ),
            code="hidden_characters",
            params={"characters": describe(found)},
        )


class NameField(models.CharField):
    """A name: stored in NFC, refused when it holds hidden or direction-changing characters."""

    default_validators = [validate_name]

    def to_python(self, value):
        return normalise_name(super().to_python(value))
