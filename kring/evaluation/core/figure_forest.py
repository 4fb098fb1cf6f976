"""The forest plot: one row per estimate, a square with its confidence interval, a line at the null."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .figure_drawing import (
    COLOURS,
    INK,
    MUTED,
    Scale,
    Svg,
    empty_figure,
    finite_or_none,
    format_or_none,
    log_ticks,
    marker_svg,
    nice_ticks,
    number_formatter,
    refusal,
    tick_label,
    with_interval,
)
from .figure_rows import Rows, draw_whisker, rows_with_headings

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
