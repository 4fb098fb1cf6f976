"""Proportions per group as horizontal bars, each with its interval."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .figure_drawing import (
    COLOURS,
    INK,
    MUTED,
    Scale,
    Svg,
    coord,
    empty_figure,
    finite_or_none,
    format_or_none,
    percent_formatter,
    refusal,
    with_interval,
)
from .figure_rows import Rows, draw_whisker, rows_with_headings


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
