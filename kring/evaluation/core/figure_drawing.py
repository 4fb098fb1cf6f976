"""The shared drawing of the evaluation figures: text and numbers, the SVG frame, markers and styles, axes
and scales. Every figure module draws with these, so all figures look and read alike."""

from __future__ import annotations

import hashlib
import math
import numbers
import re
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from .errors import EvaluationInputError

WIDTH = 680
FONT = "sans-serif"
INK, MUTED, GRID = "#222", "#555", "#ddd"
# Okabe-Ito without the yellow (1.3:1 on white); blue, vermillion, green, purple and black keep 3:1 or more.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
MARKERS = ("circle", "square", "diamond", "triangle", "triangle-down", "cross", "plus")
DASHES = ("", "7 4", "2 3", "9 3 2 3", "4 2", "12 4", "1 3")
CHAR = 0.58  # average glyph width in em, for laying out text without measuring it
MAX_LABEL = 40  # characters; longer labels are cut with "…" and keep their full text in a <title>
ROW = 24  # height of one row in the row-based figures
NBSP = "\u00a0"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- text and numbers ------------------------------------------------------------------------------------------


def _t(text: object) -> str:
    return escape(_NOT_XML.sub("", str(text)), quote=True)


def coord(value: float) -> str:
    return f"{value:.1f}"


def format_number(value: float, digits: int = 2, *, decimal_comma: bool = False) -> str:
    """``value`` rounded to ``digits`` decimals with thousands grouped: 1,794.5 or, with a decimal comma, 1.794,5.
    A true minus sign, and no "-0"."""
    rounded = round(float(value), digits)
    text = f"{abs(rounded):,.{digits}f}"
    if decimal_comma:
        text = text.translate(str.maketrans(",.", ".,"))
    return ("\u2212" if rounded < 0 else "") + text


def finite_or_none(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _digits_for(values: Sequence[float]) -> int:
    # One precision per figure, from its largest number, so a column of estimates lines up; counts stay whole.
    if all(float(v).is_integer() for v in values):
        return 0
    largest = max((abs(v) for v in values), default=0.0)
    return 0 if largest >= 100 else 1 if largest >= 10 else 2


def number_formatter(
    number_format: Callable[[float], str] | None, decimal_comma: bool, values: Sequence[float]
) -> Callable[[float], str]:
    if number_format is not None:
        return number_format
    digits = _digits_for(values)
    return lambda v: format_number(v, digits, decimal_comma=decimal_comma)


def percent_formatter(number_format: Callable[[float], str] | None, decimal_comma: bool) -> Callable[[float], str]:
    """Formats a proportion as a percentage; a caller's formatter gets the percentage (0-100)."""
    if number_format is not None:
        return lambda p: f"{number_format(p * 100)}{NBSP}%"
    return lambda p: f"{format_number(p * 100, 0, decimal_comma=decimal_comma)}{NBSP}%"


def format_or_none(fmt: Callable[[float], str], value: float | None) -> str | None:
    return None if value is None else fmt(value)


def with_interval(text: str, low: str | None, high: str | None) -> str:
    return f"{text} [{low}; {high}]" if low is not None and high is not None else text


def tick_label(value: float, step: float, number_format: Callable[[float], str] | None, decimal_comma: bool) -> str:
    if number_format is not None:
        return number_format(value)
    digits = 0
    while digits < 6 and abs(round(step, digits) - step) > 1e-9 * max(1.0, abs(step)):
        digits += 1
    return format_number(value, digits, decimal_comma=decimal_comma)


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_width(text: str, size: float) -> float:
    return len(str(text)) * size * CHAR


def _wrap(text: str, limit: int, max_lines: int = 2) -> list[str]:
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [shorten(" ".join(lines[max_lines - 1 :]), limit)]
    return lines or [""]


def refusal(argument: str, value: object) -> EvaluationInputError:
    return EvaluationInputError("invalid_argument", argument=argument, value=str(value))


# -- the frame -------------------------------------------------------------------------------------------------


def _figure_id(kind: str, title: str, figure_id: str | None) -> str:
    # Several figures on one page need distinct ids for aria-labelledby.
    if figure_id:
        clean = re.sub(r"[^A-Za-z0-9_-]", "-", figure_id)
        return clean if clean[0].isalpha() else f"fig-{clean}"
    return f"fig-{kind}-{hashlib.sha256(str(title).encode()).hexdigest()[:8]}"


class Svg:
    """Collects the parts of one figure; the height is known only at the end."""

    def __init__(self, kind: str, title: str, desc: str, figure_id: str | None, width: float = WIDTH):
        self.kind, self.width = kind, width
        self.id = _figure_id(kind, title, figure_id)
        self.title, self.desc = title, desc
        self.parts: list[str] = []
        self.title_lines = _wrap(title, int((width - 16) / (14 * CHAR)))
        for n, line in enumerate(self.title_lines):
            self.text(8, 20 + n * 18, line, size=14, weight="bold")
        self.top = 20 + 18 * (len(self.title_lines) - 1) + 16  # first free y below the title

    def add(self, part: str) -> None:
        self.parts.append(part)

    def text(
        self,
        x: float,
        y: float,
        text: object,
        *,
        size: float = 11,
        anchor: str = "start",
        weight: str | None = None,
        fill: str = INK,
        cls: str | None = None,
        extra: str = "",
    ) -> None:
        attrs = f' font-weight="{weight}"' if weight else ""
        attrs += f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<text x="{coord(x)}" y="{coord(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}"{attrs}{extra}>{_t(text)}</text>'
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        colour: str = INK,
        width: float = 1.0,
        dash: str = "",
        cls: str | None = None,
    ) -> None:
        attrs = f' stroke-dasharray="{dash}"' if dash else ""
        attrs += f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<line x1="{coord(x1)}" y1="{coord(y1)}" x2="{coord(x2)}" y2="{coord(y2)}" stroke="{colour}" '
            f'stroke-width="{width}"{attrs}/>'
        )

    def label(
        self, x: float, y: float, text: str, *, size: float = 12, anchor: str = "start", weight: str | None = None
    ) -> None:
        """A row label: cut to fit, with the full text as a tooltip and for screen readers."""
        short = shorten(text)
        if short == str(text):
            self.text(x, y, text, size=size, anchor=anchor, weight=weight)
        else:
            self.parts.append(f"<g><title>{_t(text)}</title>")
            self.text(x, y, short, size=size, anchor=anchor, weight=weight)
            self.parts.append("</g>")

    def render(self, height: float) -> str:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="figure figure-{self.kind}" '
            f'width="{coord(self.width)}" height="{coord(height)}" viewBox="0 0 {coord(self.width)} {coord(height)}" '
            f'role="img" aria-labelledby="{self.id}-title {self.id}-desc" font-family="{FONT}">'
            f'<title id="{self.id}-title">{_t(self.title)}</title>'
            f'<desc id="{self.id}-desc">{_t(self.desc)}</desc>'
        )
        return head + "".join(self.parts) + "</svg>"


def empty_figure(kind: str, title: str, desc: str | None, no_data: str, figure_id: str | None) -> str:
    svg = Svg(kind, title, desc if desc is not None else (no_data or title), figure_id)
    height = svg.top + 110
    svg.add(
        f'<rect x="8" y="{coord(svg.top)}" width="{coord(svg.width - 16)}" height="96" fill="none" stroke="{GRID}"/>'
    )
    svg.text(svg.width / 2, svg.top + 52, no_data, size=12, anchor="middle", fill=MUTED, cls="no-data")
    return svg.render(height)


def marker_svg(
    kind: str, x: float, y: float, colour: str, *, size: float = 4.5, cls: str = "marker", hollow: bool = False
) -> str:
    paint = f'fill="#fff" stroke="{colour}" stroke-width="2"' if hollow else f'fill="{colour}"'
    s = size
    if kind == "square":
        return f'<rect class="{cls}" x="{coord(x - s)}" y="{coord(y - s)}" width="{coord(2 * s)}" height="{coord(2 * s)}" {paint}/>'
    if kind in ("diamond", "triangle", "triangle-down"):
        if kind == "diamond":
            points = [(x, y - s * 1.2), (x + s * 1.2, y), (x, y + s * 1.2), (x - s * 1.2, y)]
        elif kind == "triangle":
            points = [(x, y - s * 1.2), (x + s * 1.1, y + s * 0.9), (x - s * 1.1, y + s * 0.9)]
        else:
            points = [(x, y + s * 1.2), (x + s * 1.1, y - s * 0.9), (x - s * 1.1, y - s * 0.9)]
        text = " ".join(f"{coord(px)},{coord(py)}" for px, py in points)
        return f'<polygon class="{cls}" points="{text}" {paint}/>'
    if kind in ("cross", "plus"):
        if kind == "cross":
            d = f"M{coord(x - s)},{coord(y - s)}L{coord(x + s)},{coord(y + s)}M{coord(x - s)},{coord(y + s)}L{coord(x + s)},{coord(y - s)}"
        else:
            d = f"M{coord(x - s)},{coord(y)}L{coord(x + s)},{coord(y)}M{coord(x)},{coord(y - s)}L{coord(x)},{coord(y + s)}"
        return f'<path class="{cls}" d="{d}" stroke="{colour}" stroke-width="2.2" fill="none"/>'
    return f'<circle class="{cls}" cx="{coord(x)}" cy="{coord(y)}" r="{coord(s)}" {paint}/>'


def series_style(index: int) -> tuple[str, str, str]:
    return COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)], DASHES[index % len(DASHES)]


# -- axes ------------------------------------------------------------------------------------------------------


def nice_ticks(low: float, high: float, most: int = 6) -> tuple[list[float], float]:
    if high <= low:
        return [low], 1.0
    raw = (high - low) / most
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if (high - low) / (m * magnitude) <= most)
    first = math.ceil(low / step - 1e-9)
    count = math.floor(high / step + 1e-9) - first + 1
    return [round((first + k) * step, 12) for k in range(count)], step


def log_ticks(low: float, high: float) -> list[float]:
    ticks = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                ticks.append(round(value, 12))
    if len(ticks) > 8:
        ticks = [t for t in ticks if math.isclose(10 ** round(math.log10(t)), t)]
    if len(ticks) < 3:  # a narrow range such as 0.8-1.3: ordinary steps, placed on the log axis
        ticks = [t for t in nice_ticks(low, high, 4)[0] if t > 0]
    return ticks


class Scale:
    """Data to pixels on one axis, linear or logarithmic."""

    def __init__(self, low: float, high: float, start: float, end: float, log: bool = False):
        self.log = log
        self.low, self.high = (math.log(low), math.log(high)) if log else (low, high)
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        v = math.log(value) if self.log else value
        span = (self.high - self.low) or 1.0
        return self.start + (v - self.low) / span * (self.end - self.start)
