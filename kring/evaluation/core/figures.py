"""SVG figures for the evaluation report, drawn on the server for the page and for the PDF.

WeasyPrint renders inline SVG, so these are plain SVG: no JavaScript, no web fonts (``sans-serif`` is whatever the
machine has, DejaVu Sans on Debian), no chart library. The house style of ``kring/plans/charts.py``:

- Every text comes from the caller (the core has no translations) and is escaped; characters that XML forbids
  are dropped, so a label can never break the document.
- Each figure has a ``<title>`` and a ``<desc>`` (``role="img"``, ``aria-labelledby``). Without a ``desc`` from the
  caller, one is written from the labels and the numbers; the page should show the numbers in a table as well.
- Colours are Okabe-Ito, in an order whose first five keep 3:1 contrast against white (WCAG 1.4.11), and every
  series also has its own marker and dash, so colour is never the only cue.
- Numbers go through the caller's ``number_format`` or ``format_number`` (``decimal_comma=True`` for Dutch:
  "1.794 [553; 3.035]"). Intervals are always written with "; " so a decimal comma cannot be misread.
- Proportions come in as 0-1 and are drawn and written as percentages (a formatter then receives 0-100).
- Empty input gives a frame with the title and the caller's ``no_data`` text. A missing or non-finite estimate
  is a row without a marker, with its note.

Elements carry classes (``marker``, ``whisker``, ``bar``, ``band``, ``curve``, ``null-line``, ``threshold``) so a
page can style them and tests can count them.
"""

from __future__ import annotations

import hashlib
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any, cast

from .errors import EvaluationInputError

__all__ = [
    "balance_plot_svg",
    "bar_with_intervals_svg",
    "cumulative_incidence_svg",
    "forest_plot_svg",
    "format_number",
    "overlap_svg",
]

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


# -- cumulative incidence --------------------------------------------------------------------------------------


def _series(key: str, data: Mapping[str, Any]) -> _Series:
    given_times = [finite_or_none(t) for t in data.get("times") or ()]
    values = list(data.get("values") or ())
    low, high = data.get("low"), data.get("high")
    if len(values) != len(given_times) or any(t is None or t < 0 for t in given_times):
        raise refusal(f"curves[{key!r}]", "times must be numbers of at least 0, one per value")
    times = cast(list[float], given_times)  # none is None: refused above
    if any(b > a for a, b in zip(times[1:], times)):
        raise refusal(f"curves[{key!r}]", "times must not decrease")
    for name, band in (("low", low), ("high", high)):
        if band is not None and len(band) != len(times):
            raise refusal(f"curves[{key!r}][{name!r}]", "one value per time needed")
    for value in (*values, *(low or ()), *(high or ())):
        v = finite_or_none(value)
        if v is not None and not -1e-9 <= v <= 1 + 1e-9:
            raise refusal(f"curves[{key!r}]", f"{value} is not a proportion between 0 and 1")
    return times, values, (list(low) if low is not None else None), (list(high) if high is not None else None)


_Series = tuple[list[float], list[Any], list[Any] | None, list[Any] | None]  # times, values, low, high


def _cif_summaries(
    parsed: dict[str, _Series],
    end: float,
    labels: Mapping[str, str],
    x_label: str,
    pct: Callable[[float], str],
    week: Callable[[float], str],
) -> list[str]:
    """The text alternative: per curve its level (and interval) at the horizon or its last time before it."""
    summaries = []
    for key, (times, values, low, high) in parsed.items():
        last = max((i for i, t in enumerate(times) if t <= end and finite_or_none(values[i]) is not None), default=None)
        if last is None:
            continue
        lo = finite_or_none(low[last]) if low else None
        hi = finite_or_none(high[last]) if high else None
        shown = with_interval(
            pct(cast(float, finite_or_none(values[last]))), format_or_none(pct, lo), format_or_none(pct, hi)
        )
        # Followed past the horizon: the level at the horizon is the last one before it.
        at = end if times[-1] > end else times[last]
        summaries.append(f"{labels.get(key, key)}: {x_label} {week(at)}: {shown}")
    return summaries


def _cif_band(
    svg: Svg,
    times: list[float],
    low: list[Any],
    high: list[Any],
    inside: list[int],
    until: Callable[[int], float],
    x: Scale,
    yv: Callable[[float], float],
    colour: str,
) -> None:
    """The shaded interval of a step curve, one polygon per run of times with both bounds known."""
    run: list[int] = []
    for i in [*inside, None]:
        ok = i is not None and finite_or_none(low[i]) is not None and finite_or_none(high[i]) is not None
        if ok:
            run.append(cast(int, i))  # ok: not the end marker
            continue
        if run:
            upper = [(t, cast(float, finite_or_none(high[j]))) for j in run for t in (times[j], until(j))]
            lower = [(t, cast(float, finite_or_none(low[j]))) for j in reversed(run) for t in (until(j), times[j])]
            path = " ".join(f"{coord(x(t))},{coord(yv(v))}" for t, v in upper + lower)
            svg.add(f'<polygon class="band" points="{path}" fill="{colour}" fill-opacity="0.16" stroke="none"/>')
        run = []


def _cif_axes(
    svg: Svg,
    x: Scale,
    y: Scale,
    frame: tuple[float, float, float, float],
    end: float,
    pct: Callable[[float], str],
    x_label: str,
    y_label: str,
    decimal_comma: bool,
) -> None:
    """Grid lines every 20 %, week ticks, the axes and their labels; ``frame``: left, right, top, plot height."""
    left, right, top, plot_h = frame
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        svg.line(left, y(tick), svg.width - right, y(tick), colour=GRID)
        svg.text(left - 6, y(tick) + 4, pct(tick), anchor="end")
    ticks, step = nice_ticks(0.0, end, 8)
    for tick in ticks:
        svg.line(x(tick), top + plot_h, x(tick), top + plot_h + 4)
        svg.text(x(tick), top + plot_h + 17, tick_label(tick, step, None, decimal_comma), anchor="middle")
    svg.line(left, top + plot_h, svg.width - right, top + plot_h)
    svg.line(left, top, left, top + plot_h)
    svg.text((left + svg.width - right) / 2, top + plot_h + 34, x_label, anchor="middle")
    svg.text(
        14, top + plot_h / 2, y_label, anchor="middle", extra=f' transform="rotate(-90 14 {coord(top + plot_h / 2)})"'
    )


def _cif_legend(svg: Svg, legend: list[tuple[str, str, str, str]], left: float, ly: float, band_label: str) -> float:
    """One line per curve (its colour, marker and dash), then the band's meaning; returns where it ends."""
    for text, colour, marker, dash in legend:
        svg.line(left, ly - 4, left + 30, ly - 4, colour=colour, width=2, dash=dash)
        svg.add(marker_svg(marker, left + 15, ly - 4, colour, size=3.5, cls="legend-marker"))
        svg.label(left + 38, ly, text)
        ly += 18
    if band_label:
        svg.add(f'<rect x="{left}" y="{coord(ly - 10)}" width="30" height="10" fill="{MUTED}" fill-opacity="0.2"/>')
        svg.text(left + 38, ly, band_label, size=12)
        ly += 18
    return ly


def cumulative_incidence_svg(
    curves: Mapping[str, Mapping[str, Any]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    labels: Mapping[str, str],
    horizon: float | None = None,
    band_label: str = "",
    desc: str | None = None,
    no_data: str = "",
    decimal_comma: bool = False,
    number_format: Callable[[float], str] | None = None,
    figure_id: str | None = None,
) -> str:
    """Step curves of cumulative incidence (one per cause, or per cause and group), 0-100 % over weeks from 0.

    ``curves``: ``{key: {"times": [...], "values": [...], "low": [...] | None, "high": [...] | None}}`` with
    values as proportions (0-1); ``low``/``high`` draw a shaded 95 % band. ``labels``: ``{key: text}``.
    ``number_format`` formats percentages (it receives 0-100); weeks are written as whole numbers.
    ``horizon`` ends the time axis there (curves are cut at it); without it the axis ends at the last time.
    A marker sits on every point given, so pass the curve on the grid you want marked (every week, say).
    Curves are not drawn past their own last time: no extrapolation beyond follow-up.
    """
    parsed = {key: _series(key, data) for key, data in curves.items()}
    points = [
        t for times, values, _l, _h in parsed.values() for t, v in zip(times, values) if finite_or_none(v) is not None
    ]
    if not points:
        return empty_figure("cumulative-incidence", title, desc, no_data, figure_id)
    if horizon is not None and (finite_or_none(horizon) is None or horizon <= 0):
        raise refusal("horizon", horizon)
    end = float(horizon) if horizon is not None else max(max(points), 1.0)
    pct = percent_formatter(number_format, decimal_comma)

    def week(t: float) -> str:
        return format_number(t, 0 if float(t).is_integer() else 1, decimal_comma=decimal_comma)

    summaries = _cif_summaries(parsed, end, labels, x_label, pct, week)
    svg = Svg(
        "cumulative-incidence", title, desc if desc is not None else f"{y_label}. " + "; ".join(summaries), figure_id
    )
    left, right = 64, 24
    top, plot_h = svg.top + 14, 240
    x = Scale(0.0, end, left, svg.width - right)
    y = Scale(0.0, 1.0, top + plot_h, top)

    _cif_axes(svg, x, y, (left, right, top, plot_h), end, pct, x_label, y_label, decimal_comma)

    def yv(value: float) -> float:
        return y(min(max(value, 0.0), 1.0))

    legend = []
    for index, (key, (times, values, low, high)) in enumerate(parsed.items()):
        colour, marker, dash = series_style(index)
        inside = [i for i, t in enumerate(times) if t <= end]
        beyond = len(inside) < len(times)  # follow-up goes on past the horizon: the last level holds to it

        def until(i: int, times: list[float] = times, inside: list[int] = inside, beyond: bool = beyond) -> float:
            later = [times[j] for j in inside if j > i and times[j] > times[i]]
            return later[0] if later else (end if beyond else times[i])

        if low is not None and high is not None:
            _cif_band(svg, times, low, high, inside, until, x, yv, colour)
        valid = [
            (times[i], cast(float, finite_or_none(values[i]))) for i in inside if finite_or_none(values[i]) is not None
        ]
        d = f"M{coord(x(0))},{coord(yv(0))}" + "".join(f" H{coord(x(t))} V{coord(yv(v))}" for t, v in valid)
        if beyond:
            d += f" H{coord(x(end))}"
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        svg.add(f'<path class="curve" d="{d}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>')
        svg.parts.extend(marker_svg(marker, x(t), yv(v), colour, size=3.5) for t, v in valid)
        legend.append((labels.get(key, key), colour, marker, dash))

    return svg.render(_cif_legend(svg, legend, left, top + plot_h + 56, band_label))


# -- figures with one row per estimate -------------------------------------------------------------------------


class Rows:
    """The shared layout of the forest, balance and bar figures: labels | plot | numbers."""

    def __init__(self, svg: Svg, labels: Sequence[str], numbers: Sequence[str], headed: bool, rows: int):
        label_w = min(max((text_width(shorten(t), 12) for t in labels), default=0) + 16, 300)
        numbers_w = max((text_width(t, 11) for t in numbers), default=0) + 16
        self.label_x = 8.0
        self.plot_left = 8 + max(label_w, 60)
        self.plot_right = max(svg.width - 8 - numbers_w, self.plot_left + 220)
        svg.width = max(svg.width, self.plot_right + numbers_w + 8)
        self.numbers_x = self.plot_right + 12
        self.top = svg.top + 10 + (18 if headed else 0)  # room for the column headings
        self.bottom = self.top + rows * ROW

    def y(self, row: int) -> float:
        return self.top + row * ROW + ROW / 2

    def axis(
        self, svg: Svg, scale: Scale, ticks: Sequence[float], tick_text: Callable[[float], str], x_label: str
    ) -> float:
        """The x axis under the rows, with grid lines; returns the y below the axis label."""
        for tick in ticks:
            svg.line(scale(tick), self.top, scale(tick), self.bottom, colour=GRID)
            svg.line(scale(tick), self.bottom, scale(tick), self.bottom + 4)
            svg.text(scale(tick), self.bottom + 16, tick_text(tick), anchor="middle")
        svg.line(self.plot_left, self.bottom, self.plot_right, self.bottom)
        if x_label:
            svg.text((self.plot_left + self.plot_right) / 2, self.bottom + 32, x_label, anchor="middle")
        return self.bottom + 40


def draw_whisker(svg: Svg, x1: float, x2: float, y: float, colour: str = INK) -> None:
    svg.add(
        f'<path class="whisker" d="M{coord(x1)},{coord(y)}H{coord(x2)}M{coord(x1)},{coord(y - 4)}V{coord(y + 4)}'
        f'M{coord(x2)},{coord(y - 4)}V{coord(y + 4)}" stroke="{colour}" stroke-width="1.4" fill="none"/>'
    )


def rows_with_headings(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, int | str]]:
    """The lines to draw: a heading where the ``group`` changes, then the row: [("heading", text) | ("row", i)]."""
    out: list[tuple[str, int | str]] = []
    group = None
    for i, row in enumerate(rows):
        if row.get("group") and row.get("group") != group:
            out.append(("heading", str(row["group"])))
        group = row.get("group")
        out.append(("row", i))
    return out


_ForestRow = tuple[Mapping[str, Any], float | None, float | None, float | None]  # row, estimate, low, high


def _forest_rows(rows: list[Mapping[str, Any]], log_scale: bool) -> list[_ForestRow]:
    """Each row's estimate and interval as finite numbers (or None), the interval in order; a log scale refuses
    values of 0 or below."""
    parsed = []
    for i, row in enumerate(rows):
        estimate, low, high = (finite_or_none(row.get(k)) for k in ("estimate", "low", "high"))
        if log_scale:
            for name in ("estimate", "low", "high"):
                value = finite_or_none(row.get(name))
                if value is not None and value <= 0:
                    raise refusal(f"rows[{i}][{name!r}]", f"{value} (a log scale needs values above 0)")
        if low is not None and high is not None and low > high:
            low, high = high, low
        parsed.append((row, estimate, low, high))
    return parsed


def _forest_scale(
    values: list[float], null: float, log_scale: bool, number_format: Callable[[float], str] | None, decimal_comma: bool
) -> tuple[float, float, list[float], Callable[[float], str]]:
    """The x range (every value and the null, padded by 6 %), its ticks and how a tick is written."""
    span_values = values + [null]
    low_end, high_end = min(span_values), max(span_values)
    if log_scale:
        pad = (math.log(high_end) - math.log(low_end)) * 0.06 or math.log(2)
        low_end, high_end = low_end / math.exp(pad), high_end * math.exp(pad)
        ticks = log_ticks(low_end, high_end)

        def tick_text(v: float) -> str:
            return tick_label(v, v, number_format, decimal_comma)

        return low_end, high_end, ticks, tick_text
    pad = (high_end - low_end) * 0.06 or 1.0
    low_end, high_end = low_end - pad, high_end + pad
    ticks, step = nice_ticks(low_end, high_end, 6)

    def step_tick_text(v: float) -> str:
        return tick_label(v, step, number_format, decimal_comma)

    return low_end, high_end, ticks, step_tick_text


def _null_line(svg: Svg, grid: Rows, at: float, below: float, below_null_label: str, above_null_label: str) -> float:
    """The line at the null, and under the axis what each side of it means; returns where that text ends."""
    svg.line(at, grid.top - 4, at, grid.bottom, colour=MUTED, width=1.2, cls="null-line")
    if below_null_label:
        svg.text(at - 8, below + 6, f"\u2190 {below_null_label}", anchor="end", fill=MUTED)
    if above_null_label:
        svg.text(at + 8, below + 6, f"{above_null_label} \u2192", fill=MUTED)
    if below_null_label or above_null_label:
        below += 20
    return below


def _forest_marks(
    svg: Svg,
    grid: Rows,
    x: Scale,
    layout_rows: list[tuple[str, int | str]],
    parsed: list[_ForestRow],
    texts: list[str],
) -> None:
    """Per line a group heading, or a row's label, numbers, whisker and square (none without an estimate)."""
    for n, (_kind, item) in enumerate(layout_rows):
        cy = grid.y(n)
        if isinstance(item, str):  # a heading
            svg.label(grid.label_x, cy + 4, item, weight="bold")
            continue
        row, estimate, low, high = parsed[item]
        svg.label(grid.label_x + (12 if row.get("group") else 0), cy + 4, row.get("label", ""))
        svg.text(grid.numbers_x, cy + 4, texts[item], fill=INK if estimate is not None else MUTED)
        if estimate is None:
            continue
        if low is not None and high is not None:
            draw_whisker(svg, x(low), x(high), cy)
        svg.add(marker_svg("square", x(estimate), cy, COLOURS[0], size=5))


def forest_plot_svg(
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str,
    x_label: str,
    null_value: float = 0.0,
    log_scale: bool = False,
    label_heading: str = "",
    estimate_heading: str = "",
    below_null_label: str = "",
    above_null_label: str = "",
    missing: str = "\u2014",
    desc: str | None = None,
    no_data: str = "",
    decimal_comma: bool = False,
    number_format: Callable[[float], str] | None = None,
    figure_id: str | None = None,
) -> str:
    """A forest plot: one row per estimate, a square with its confidence interval, a line at the null.

    ``rows``: ``{"label", "estimate", "low", "high", "group"?, "note"?}``; a change of ``group`` starts a heading.
    A row without a finite estimate gets no marker and shows its ``note`` (or ``missing``) in the numbers column.
    ``null_value``: 0 for differences, 1 for ratios; ``log_scale`` for ratios, which refuses values of 0 or below.
    ``below_null_label``/``above_null_label`` say under the axis what each side means ("favours EKC").
    """
    rows = list(rows)
    if not rows:
        return empty_figure("forest", title, desc, no_data, figure_id)
    null = finite_or_none(null_value)
    if null is None:
        raise refusal("null_value", null_value)
    parsed = _forest_rows(rows, log_scale)
    if log_scale and null <= 0:
        raise refusal("null_value", f"{null} (a log scale needs values above 0)")
    values = [v for _r, *vs in parsed for v in vs if v is not None]
    fmt = number_formatter(number_format, decimal_comma, values)

    def numbers_of(row: Mapping[str, Any], estimate: float | None, low: float | None, high: float | None) -> str:
        if estimate is None:
            return str(row.get("note") or missing)
        text = with_interval(fmt(estimate), format_or_none(fmt, low), format_or_none(fmt, high))
        return f"{text} {row['note']}" if row.get("note") else text

    texts = [numbers_of(*p) for p in parsed]
    layout_rows = rows_with_headings(rows)
    summary = "; ".join(
        f"{r.get('group')}: {r.get('label', '')}: {t}" if r.get("group") else f"{r.get('label', '')}: {t}"
        for (r, *_v), t in zip(parsed, texts)
    )
    svg = Svg("forest", title, desc if desc is not None else f"{x_label}. {summary}", figure_id)
    heading = bool(label_heading or estimate_heading)
    grid = Rows(
        svg,
        [str(r.get("label", "")) for r in rows] + [str(h) for k, h in layout_rows if k == "heading"],
        texts + [estimate_heading],
        heading,
        len(layout_rows),
    )
    low_end, high_end, ticks, tick_text = _forest_scale(values, null, log_scale, number_format, decimal_comma)
    x = Scale(low_end, high_end, grid.plot_left, grid.plot_right, log=log_scale)

    if label_heading:
        svg.text(grid.label_x, grid.top - 8, label_heading, size=11, weight="bold")
    if estimate_heading:
        svg.text(grid.numbers_x, grid.top - 8, estimate_heading, size=11, weight="bold")
    below = grid.axis(svg, x, ticks, tick_text, x_label)
    below = _null_line(svg, grid, x(null), below, below_null_label, above_null_label)
    _forest_marks(svg, grid, x, layout_rows, parsed, texts)
    return svg.render(below)


def balance_plot_svg(
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str,
    before_label: str,
    after_label: str,
    threshold: float = 0.1,
    absolute: bool = False,
    x_label: str = "",
    threshold_label: str = "",
    missing: str = "\u2014",
    desc: str | None = None,
    no_data: str = "",
    decimal_comma: bool = False,
    number_format: Callable[[float], str] | None = None,
    figure_id: str | None = None,
) -> str:
    """A Love plot: per covariate its standardised mean difference before and after adjustment.

    ``rows``: ``{"label", "before", "after"}`` (either may be None). Signed SMDs by default, with dashed lines at
    -threshold and +threshold and a line at 0; ``absolute=True`` draws |SMD| with one dashed line at threshold.
    Before is an open circle, after a filled square, and a grey line joins them.
    """
    rows = list(rows)
    threshold_value = finite_or_none(threshold)
    if threshold_value is None or threshold_value <= 0:
        raise refusal("threshold", threshold)
    parsed = []
    for row in rows:
        before, after = finite_or_none(row.get("before")), finite_or_none(row.get("after"))
        if absolute:
            before, after = (abs(v) if v is not None else None for v in (before, after))
        parsed.append((row, before, after))
    values = [v for _r, *vs in parsed for v in vs if v is not None]
    if not values:
        return empty_figure("balance", title, desc, no_data, figure_id)
    fmt = number_formatter(number_format, decimal_comma, [*values, threshold_value])
    texts = [
        f"{fmt(b) if b is not None else missing} \u2192 {fmt(a) if a is not None else missing}" for _r, b, a in parsed
    ]
    summary = "; ".join(
        f"{r.get('label', '')}: {before_label} {fmt(b) if b is not None else missing}, "
        f"{after_label} {fmt(a) if a is not None else missing}"
        for r, b, a in parsed
    )
    svg = Svg("balance", title, desc if desc is not None else summary, figure_id)
    grid = Rows(svg, [str(r.get("label", "")) for r in rows], texts, False, len(rows))
    reach = max(max(abs(v) for v in values), threshold_value * 1.5) * 1.08
    low_end = 0.0 if absolute else -reach
    x = Scale(low_end, reach, grid.plot_left, grid.plot_right)
    ticks, step = nice_ticks(low_end, reach, 6)
    below = grid.axis(svg, x, ticks, lambda v: tick_label(v, step, number_format, decimal_comma), x_label)
    if not absolute:
        svg.line(x(0), grid.top, x(0), grid.bottom, colour=MUTED, width=1.2, cls="null-line")
    for edge in (threshold_value,) if absolute else (-threshold_value, threshold_value):
        svg.line(x(edge), grid.top, x(edge), grid.bottom, colour=MUTED, dash="5 4", cls="threshold")
    before_colour, after_colour = COLOURS[1], COLOURS[0]
    for n, ((row, before, after), text) in enumerate(zip(parsed, texts)):
        cy = grid.y(n)
        svg.label(grid.label_x, cy + 4, row.get("label", ""))
        svg.text(grid.numbers_x, cy + 4, text)
        if before is not None and after is not None:
            svg.line(x(before), cy, x(after), cy, colour="#999", width=1.2, cls="change")
        if before is not None:
            svg.add(marker_svg("circle", x(before), cy, before_colour, size=4.5, hollow=True))
        if after is not None:
            svg.add(marker_svg("square", x(after), cy, after_colour, size=4))
    ly = below + 6
    svg.add(marker_svg("circle", grid.plot_left + 6, ly - 4, before_colour, size=4.5, hollow=True, cls="legend-marker"))
    svg.text(grid.plot_left + 16, ly, before_label, size=12)
    offset = grid.plot_left + 16 + text_width(before_label, 12) + 24
    svg.add(marker_svg("square", offset + 6, ly - 4, after_colour, size=4, cls="legend-marker"))
    svg.text(offset + 16, ly, after_label, size=12)
    if threshold_label:
        offset += 16 + text_width(after_label, 12) + 24
        svg.line(offset, ly - 10, offset, ly + 2, colour=MUTED, dash="3 2")
        svg.text(offset + 8, ly, threshold_label, size=12)
    return svg.render(ly + 14)


def bar_with_intervals_svg(
    rows: Sequence[Mapping[str, Any]],
    *,
    title: str,
    x_label: str = "",
    value_heading: str = "",
    missing: str = "\u2014",
    desc: str | None = None,
    no_data: str = "",
    decimal_comma: bool = False,
    number_format: Callable[[float], str] | None = None,
    figure_id: str | None = None,
) -> str:
    """Proportions per group as horizontal bars on 0-100 %, each with its (Wilson) interval.

    ``rows``: ``{"label", "value", "low", "high", "note"?, "group"?}`` with proportions (0-1). A row without a
    value (for example a suppressed small group) gets no bar and shows its ``note`` (or ``missing``).
    """
    rows = list(rows)
    if not rows:
        return empty_figure("bars", title, desc, no_data, figure_id)
    pct = percent_formatter(number_format, decimal_comma)
    parsed = []
    for i, row in enumerate(rows):
        value, low, high = (finite_or_none(row.get(k)) for k in ("value", "low", "high"))
        for name, v in (("value", value), ("low", low), ("high", high)):
            if v is not None and not -1e-9 <= v <= 1 + 1e-9:
                raise refusal(f"rows[{i}][{name!r}]", f"{v} is not a proportion between 0 and 1")
        parsed.append((row, value, low, high))

    def text_of(row: Mapping[str, Any], value: float | None, low: float | None, high: float | None) -> str:
        if value is None:
            return str(row.get("note") or missing)
        text = with_interval(pct(value), format_or_none(pct, low), format_or_none(pct, high))
        return f"{text} {row['note']}" if row.get("note") else text

    texts = [text_of(*p) for p in parsed]
    layout_rows = rows_with_headings(rows)
    summary = "; ".join(f"{r.get('label', '')}: {t}" for (r, *_v), t in zip(parsed, texts))
    svg = Svg("bars", title, desc if desc is not None else (f"{x_label}. {summary}" if x_label else summary), figure_id)
    grid = Rows(
        svg,
        [str(r.get("label", "")) for r in rows] + [str(h) for k, h in layout_rows if k == "heading"],
        texts + [value_heading],
        bool(value_heading),
        len(layout_rows),
    )
    x = Scale(0.0, 1.0, grid.plot_left, grid.plot_right)
    if value_heading:
        svg.text(grid.numbers_x, grid.top - 8, value_heading, size=11, weight="bold")
    below = grid.axis(svg, x, [0, 0.2, 0.4, 0.6, 0.8, 1.0], pct, x_label)
    for n, (_kind, item) in enumerate(layout_rows):
        cy = grid.y(n)
        if isinstance(item, str):  # a heading
            svg.label(grid.label_x, cy + 4, item, weight="bold")
            continue
        row, value, low, high = parsed[item]
        svg.label(grid.label_x + (12 if row.get("group") else 0), cy + 4, row.get("label", ""))
        svg.text(grid.numbers_x, cy + 4, texts[item], fill=INK if value is not None else MUTED)
        if value is None:
            continue
        v = min(max(value, 0.0), 1.0)
        svg.add(
            f'<rect class="bar" x="{coord(x(0))}" y="{coord(cy - 7)}" width="{coord(x(v) - x(0))}" height="14" '
            f'fill="{COLOURS[0]}" fill-opacity="0.85"/>'
        )
        if low is not None and high is not None:
            draw_whisker(svg, x(min(max(low, 0.0), 1.0)), x(min(max(high, 0.0), 1.0)), cy)
    return svg.render(below)


# -- propensity score overlap ----------------------------------------------------------------------------------


def _overlap_bins(
    treated: list[Any], control: list[Any], edges: list[float | None]
) -> tuple[list[float], list[float], list[float]]:
    """The bins as numbers of at least 0 and the edges, one more than the bins and increasing (else refused)."""
    if len(treated) != len(control) or len(edges) != len(treated) + 1:
        raise refusal("edges", f"{len(edges)} edges for {len(treated)} and {len(control)} bins (one more needed)")
    if any(e is None for e in edges) or any(b <= a for a, b in zip(edges, edges[1:])):  # type: ignore[operator]  # no None reaches <=: the first test refuses it
        raise refusal("edges", "edges must be numbers that increase")
    heights = []
    for name, values in (("bins_treated", treated), ("bins_control", control)):
        parsed = [finite_or_none(v) for v in values]
        if any(v is None or v < 0 for v in parsed):
            raise refusal(name, "every bin needs a number of at least 0")
        heights.append(parsed)
    return heights[0], heights[1], edges  # type: ignore[return-value]  # no None left: refused above


def _overlap_key(svg: Svg, left: float, treated_label: str, control_label: str) -> None:
    """A key above the plot rather than labels inside it, where bars would cover them: the arrow says the side."""
    key_y = svg.top + 8
    svg.add(f'<rect x="{left}" y="{coord(key_y - 10)}" width="12" height="12" fill="{COLOURS[0]}"/>')
    svg.text(left + 18, key_y, f"\u25b2 {treated_label}", size=12, cls="group-label")
    second = left + 18 + text_width(f"\u25b2 {treated_label}", 12) + 28
    svg.add(f'<rect x="{coord(second)}" y="{coord(key_y - 10)}" width="12" height="12" fill="{COLOURS[1]}"/>')
    svg.text(second + 18, key_y, f"\u25bc {control_label}", size=12, cls="group-label")


def _overlap_bars(
    svg: Svg,
    edges: list[float],
    treated: list[float],
    control: list[float],
    x: Scale,
    up: Scale,
    down: Scale,
    axis: float,
) -> None:
    """The treated bars up from the axis, the control bars down from it."""
    for a, b, v in zip(edges, edges[1:], treated):
        if v > 0:
            svg.add(
                f'<rect class="bar bar-treated" x="{coord(x(a) + 0.5)}" y="{coord(up(v))}" '
                f'width="{coord(max(x(b) - x(a) - 1, 0.5))}" height="{coord(axis - up(v))}" fill="{COLOURS[0]}"/>'
            )
    for a, b, v in zip(edges, edges[1:], control):
        if v > 0:
            svg.add(
                f'<rect class="bar bar-control" x="{coord(x(a) + 0.5)}" y="{coord(axis)}" '
                f'width="{coord(max(x(b) - x(a) - 1, 0.5))}" height="{coord(down(v) - axis)}" fill="{COLOURS[1]}"/>'
            )


def _overlap_x_ticks(
    edges: list[float], edge_fmt: Callable[[float], str], decimal_comma: bool
) -> tuple[list[float], Callable[[float], str]]:
    """Few bins: a tick on every edge, so each bar's range can be read off; else round ticks."""
    if len(edges) <= 11:
        return edges, edge_fmt
    x_ticks, x_step = nice_ticks(edges[0], edges[-1], 8)

    def x_text(value: float) -> str:
        return tick_label(value, x_step, None, decimal_comma)

    return x_ticks, x_text


def overlap_svg(
    bins_treated: Sequence[float],
    bins_control: Sequence[float],
    edges: Sequence[float],
    *,
    title: str,
    labels: Mapping[str, str],
    x_label: str = "",
    y_label: str = "",
    desc: str | None = None,
    no_data: str = "",
    decimal_comma: bool = False,
    number_format: Callable[[float], str] | None = None,
    figure_id: str | None = None,
) -> str:
    """A mirrored histogram of propensity scores: the treated group above the axis, the control group below.

    ``bins_treated``/``bins_control``: one count (or share) per bin; ``edges``: the bin edges, one more than the
    bins, increasing. ``labels``: ``{"treated": text, "control": text}``, in a key above the plot with an arrow up
    or down, so the side and the text say which group is which, not only the colour.
    """
    given_treated, given_control, given_edges = (
        list(bins_treated),
        list(bins_control),
        [finite_or_none(e) for e in edges],
    )
    if not given_treated and not given_control:
        return empty_figure("overlap", title, desc, no_data, figure_id)
    treated, control, bin_edges = _overlap_bins(given_treated, given_control, given_edges)
    if not any(treated) and not any(control):
        return empty_figure("overlap", title, desc, no_data, figure_id)
    fmt = number_formatter(number_format, decimal_comma, [*treated, *control])
    edge_fmt = number_formatter(None, decimal_comma, bin_edges)

    def bins_text(values: list[float]) -> str:
        return ", ".join(
            f"{edge_fmt(a)}\u2013{edge_fmt(b)}: {fmt(v)}" for a, b, v in zip(bin_edges, bin_edges[1:], values)
        )

    treated_label, control_label = labels.get("treated", ""), labels.get("control", "")
    summary = f"{x_label}. {treated_label}: {bins_text(treated)}. {control_label}: {bins_text(control)}"
    svg = Svg("overlap", title, desc if desc is not None else summary, figure_id)
    left, right = 64, 24
    _overlap_key(svg, left, treated_label, control_label)
    top, half = svg.top + 26, 110
    axis = top + half
    ticks, step = nice_ticks(0.0, max(*treated, *control), 3)
    peak = math.ceil(max(*treated, *control) / step - 1e-9) * step  # end the axis on a tick
    if peak > ticks[-1] + 1e-12:
        ticks.append(round(peak, 12))
    x = Scale(bin_edges[0], bin_edges[-1], left, svg.width - right)
    up = Scale(0.0, peak, axis, top)
    down = Scale(0.0, peak, axis, axis + half)
    for tick in ticks:
        for scale in (up,) if tick == 0 else (up, down):
            svg.line(left, scale(tick), svg.width - right, scale(tick), colour=GRID)
            svg.text(left - 6, scale(tick) + 4, tick_label(tick, step, number_format, decimal_comma), anchor="end")
    _overlap_bars(svg, bin_edges, treated, control, x, up, down, axis)
    svg.line(left, axis, svg.width - right, axis, width=1.2)
    svg.line(left, top, left, axis + half)
    x_ticks, x_text = _overlap_x_ticks(bin_edges, edge_fmt, decimal_comma)
    for tick in x_ticks:
        svg.line(x(tick), axis + half, x(tick), axis + half + 4)
        svg.text(x(tick), axis + half + 17, x_text(tick), anchor="middle")
    svg.line(left, axis + half, svg.width - right, axis + half, colour=GRID)
    if x_label:
        svg.text((left + svg.width - right) / 2, axis + half + 34, x_label, anchor="middle")
    if y_label:
        svg.text(14, axis, y_label, anchor="middle", extra=f' transform="rotate(-90 14 {coord(axis)})"')
    return svg.render(axis + half + 44)
