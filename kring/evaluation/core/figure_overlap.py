"""Propensity score overlap: a mirrored histogram, the treated group above the axis and the control group below."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .figure_drawing import (
    COLOURS,
    GRID,
    Scale,
    Svg,
    coord,
    empty_figure,
    finite_or_none,
    nice_ticks,
    number_formatter,
    refusal,
    text_width,
    tick_label,
)


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
