"""The layout shared by the figures with one row per estimate (forest, balance, bars): labels | plot | numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .figure_drawing import (
    GRID,
    INK,
    ROW,
    Scale,
    Svg,
    coord,
    shorten,
    text_width,
)


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
