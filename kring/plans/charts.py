"""Small line charts drawn as SVG on the server: the safety scale per person over time, and how well a plan is
kept from review to review. No JavaScript and no chart library: a few points on a fixed grid, with a title and a
text alternative for screen readers (the pages show the numbers in a table too)."""

from __future__ import annotations

from datetime import date
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 28, 36
# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito), each with its own marker.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MARKERS = ("circle", "square", "diamond", "triangle")


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" '
            f'fill="{colour}"/>'
        )
    if kind == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart_svg(
    series: dict[str, list[tuple[date, float]]], y_min: float, y_max: float, title: str, y_label: str = ""
) -> str:
    """An SVG line chart: one line per series over shared dates. Every text is escaped, so the result can be
    marked safe. With no points at all, an empty frame with the title."""
    points = [d for values in series.values() for d, _v in values]
    first, last = (min(points), max(points)) if points else (date.today(), date.today())
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: date) -> float:
        if first == last:
            return LEFT + plot_w / 2
        return LEFT + (day - first).days / span * plot_w

    def y_of(value: float) -> float:
        value = min(max(value, y_min), y_max)
        return TOP + plot_h - (value - y_min) / ((y_max - y_min) or 1) * plot_h

    summary = "; ".join(
        f"{name}: " + ", ".join(f"{d.strftime('%d-%m-%Y')} {v:g}" for d, v in sorted(values))
        for name, values in series.items()
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(summary)}</desc>',
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    steps = 5
    for i in range(steps + 1):
        value = y_min + (y_max - y_min) * i / steps
        y = y_of(value)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{value:g}</text>')
    if y_label:
        parts.append(
            f'<text x="12" y="{TOP + plot_h / 2:.1f}" font-size="11" '
            f'transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" text-anchor="middle">{escape(y_label)}</text>'
        )
    dates = sorted(set(points))
    for day in dates if len(dates) <= 6 else [dates[0], dates[len(dates) // 2], dates[-1]]:
        parts.append(
            f'<text x="{x_of(day):.1f}" y="{HEIGHT - 12}" font-size="11" text-anchor="middle">'
            f"{day.strftime('%d-%m-%Y')}</text>"
        )
    for index, (name, values) in enumerate(series.items()):
        colour, marker = COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)]
        ordered = sorted(values)
        if len(ordered) > 1:
            path = " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in ordered)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(_marker(marker, x_of(d), y_of(v), colour) for d, v in ordered)
        legend_y = TOP + 14 + index * 18
        parts.append(_marker(marker, WIDTH - RIGHT + 16, legend_y - 4, colour))
        parts.append(f'<text x="{WIDTH - RIGHT + 26}" y="{legend_y}" font-size="12">{escape(name[:22])}</text>')
    parts.append("</svg>")
    return "".join(parts)
