"""JSON that cannot exhaust the interpreter: a nesting limit for every body the API or an import reads.

Python's JSON reader recurses once per level, so a body nested some thousands deep raises RecursionError, which
no caller expected (a server error); a body nested a few hundred deep parses but then recurses through every
serializer and validator after it. No Kring document needs more than a handful of levels.
"""

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

MAX_JSON_DEPTH = 64


class JSONTooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""

    def __init__(self, limit):
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def nesting_depth(value, stop_after: int | None = None) -> int:
    """How deep arrays and objects nest in a parsed JSON value (a scalar is 0, ``[]`` is 1). Walks without
    recursion; with ``stop_after`` it returns as soon as the depth passes that number."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if stop_after is not None and deepest > stop_after:
            return deepest
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def load_bounded_json(text, max_depth: int = MAX_JSON_DEPTH, **options):
    """``json.loads`` that raises JSONTooDeep (a ValueError) instead of RecursionError or a too-deep value."""
    try:
        value = json.loads(text, **options)
    except RecursionError:
        raise JSONTooDeep(max_depth) from None
    if nesting_depth(value, stop_after=max_depth) > max_depth:
        raise JSONTooDeep(max_depth)
    return value


def too_deep_message(limit: int) -> str:
    return _("The JSON is nested too deeply: at most %(limit)s levels of arrays and objects are allowed.") % {
        "limit": limit
    }


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the nesting limit: a too-deep body is a 400 with a clear message."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        options = {"parse_constant": drf_json.strict_constant} if self.strict else {}
        try:
            return load_bounded_json(stream.read().decode(encoding), self.max_depth, **options)
        except JSONTooDeep as error:
            raise ParseError(too_deep_message(error.limit)) from None
        except ValueError as error:  # also UnicodeDecodeError; the same answer as DRF's own parser
            raise ParseError("JSON parse error - %s" % error) from None
