"""The balance (Love) plot: per covariate its standardised mean difference before and after adjustment."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .figure_drawing import (
    COLOURS,
    MUTED,
    Scale,
    Svg,
    empty_figure,
    finite_or_none,
    marker_svg,
    nice_ticks,
    number_formatter,
    refusal,
    text_width,
    tick_label,
)
from .figure_rows import Rows


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
