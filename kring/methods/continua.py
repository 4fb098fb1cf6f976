"""The two continua of the comparative study drawn as an inline SVG. Pure: data and labels in, markup out.

x = family lead (0 shared with the worker ... 1 the family leads);
y = network breadth (0 nuclear family ... 1 wide community), drawn upwards.
All text arrives translated; everything is escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 460
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 30, 70


@dataclass(frozen=True)
class Point:
    code: str
    label: str
    family_lead: float
    network_breadth: float


def _x(value: float) -> float:
    return round(LEFT + value * (WIDTH - LEFT - RIGHT), 1)


def _y(value: float) -> float:
    return round(HEIGHT - BOTTOM - value * (HEIGHT - TOP - BOTTOM), 1)


def draw_continua(
    points: list[Point],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_low: str = "",
    x_high: str = "",
    y_low: str = "",
    y_high: str = "",
    description_id: str = "",
) -> str:
    """An SVG with one labelled dot (``circle class="dot"``) per point; ``<title>`` first for screen readers."""
    x0, x1, y0, y1 = _x(0), _x(1), _y(0), _y(1)
    labelled_by = " aria-describedby=%s" % quoteattr(description_id) if description_id else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="continua" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="continua-title"{labelled_by}>',
        f'<title id="continua-title">{escape(title)}</title>',
        f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="#fff" stroke="#c8ced8"/>',
        f'<line x1="{(x0 + x1) / 2}" y1="{y1}" x2="{(x0 + x1) / 2}" y2="{y0}" stroke="#e3e7ee"/>',
        f'<line x1="{x0}" y1="{(y0 + y1) / 2}" x2="{x1}" y2="{(y0 + y1) / 2}" stroke="#e3e7ee"/>',
        f'<text x="{(x0 + x1) / 2}" y="{HEIGHT - 15}" text-anchor="middle" font-weight="600">{escape(x_label)}</text>',
        f'<text x="{x0}" y="{y0 + 20}" text-anchor="start" font-size="12">{escape(x_low)}</text>',
        f'<text x="{x1}" y="{y0 + 20}" text-anchor="end" font-size="12">{escape(x_high)}</text>',
        f'<text transform="translate(20 {(y0 + y1) / 2}) rotate(-90)" text-anchor="middle" '
        f'font-weight="600">{escape(y_label)}</text>',
        f'<text transform="translate(45 {y0}) rotate(-90)" text-anchor="start" font-size="12">{escape(y_low)}</text>',
        f'<text transform="translate(45 {y1}) rotate(-90)" text-anchor="end" font-size="12">{escape(y_high)}</text>',
    ]
    placed: list[tuple[float, float, float]] = []  # (left, right, baseline) of labels drawn so far
    for point in points:
        cx, cy = _x(point.family_lead), _y(point.network_breadth)
        right_side = point.family_lead > 0.7
        tx = cx - 9 if right_side else cx + 9
        anchor = "end" if right_side else "start"
        width = 7 * len(point.label)  # rough: 13px text
        left, right = (tx - width, tx) if right_side else (tx, tx + width)
        ty = cy + 4
        # Nudge a label down until it no longer overlaps one already drawn.
        while any(left < r and lft < right and abs(ty - y) < 15 for lft, r, y in placed):
            ty += 15
        placed.append((left, right, ty))
        parts.append(
            f'<g class="method" data-code={quoteattr(point.code)}>'
            f'<circle class="dot" cx="{cx}" cy="{cy}" r="6" fill="#1f5fa8"/>'
            f'<text x="{tx}" y="{ty}" text-anchor="{anchor}" font-size="13">{escape(point.label)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
