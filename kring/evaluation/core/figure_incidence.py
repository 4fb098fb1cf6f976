"""Cumulative incidence: step curves over weeks, with their shaded intervals and a legend."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from .figure_drawing import (
    GRID,
    MUTED,
    Scale,
    Svg,
    coord,
    empty_figure,
    finite_or_none,
    format_number,
    format_or_none,
    marker_svg,
    nice_ticks,
    percent_formatter,
    refusal,
    series_style,
    tick_label,
    with_interval,
)


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
