"""The report's SVG figures: valid XML, text alternatives, escaping, markers, and points where the axes say."""

import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from kring.evaluation.core.errors import EvaluationInputError
from kring.evaluation.core.figures import (
    balance_plot_svg,
    bar_with_intervals_svg,
    cumulative_incidence_svg,
    forest_plot_svg,
    format_number,
    overlap_svg,
)

NS = "{http://www.w3.org/2000/svg}"
NASTY = "<script>alert(1)</script>&\"'"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def _with_class(root, name):
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def _texts(root):
    return {"".join(e.itertext()): e for e in root.iter(f"{NS}text")}


def _centre(element) -> tuple[float, float]:
    if element.tag == f"{NS}circle":
        return float(element.get("cx")), float(element.get("cy"))
    if element.tag == f"{NS}rect":
        return (
            float(element.get("x")) + float(element.get("width")) / 2,
            float(element.get("y")) + float(element.get("height")) / 2,
        )
    points = [tuple(map(float, p.split(","))) for p in element.get("points").split()]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _tick_x(root, text) -> float:
    return float(_texts(root)[text].get("x"))


def _tick_y(root, text) -> float:
    return float(_texts(root)[text].get("y")) - 4  # labels sit 4 px below their grid line's baseline offset


def _assert_accessible(root, title, desc_part=""):
    title_el, desc_el = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title_el.text == title
    assert desc_part in (desc_el.text or "")
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title_el.get('id')} {desc_el.get('id')}"


def _curves():
    return {
        "plan": {
            "times": [0, 2, 5, 10, 20],
            "values": [0.0, 0.1, 0.25, 0.5, 0.6],
            "low": [0.0, 0.04, 0.15, 0.38, 0.47],
            "high": [0.0, 0.2, 0.37, 0.62, 0.72],
        },
        "abandoned": {"times": [0, 3, 8, 30], "values": [0.0, 0.05, 0.12, 0.2], "low": None, "high": None},
    }


# -- cumulative incidence --------------------------------------------------------------------------------------


def test_cumulative_incidence_places_each_point_on_its_axes():
    svg = cumulative_incidence_svg(
        _curves(),
        title="Plan en afhaken",
        x_label="Weken",
        y_label="Aandeel",
        labels={"plan": "Plan", "abandoned": "Afgehaakt"},
        horizon=25,
        decimal_comma=True,
    )
    root = _parse(svg)
    _assert_accessible(root, "Plan en afhaken", "Plan: Weken 20: 60\u00a0% [47\u00a0%; 72\u00a0%]")
    # "Afgehaakt" is followed to week 30: at the horizon (25) it stands at its week-8 level.
    assert "Afgehaakt: Weken 25: 12\u00a0%" in root.find(f"{NS}desc").text
    markers = _with_class(root, "marker")
    assert len(markers) == 5 + 3  # every point up to the horizon; week 30 lies beyond it
    x0, x20 = _tick_x(root, "0"), _tick_x(root, "20")
    y40, y60 = _tick_y(root, "40\u00a0%"), _tick_y(root, "60\u00a0%")
    cx, cy = _centre(markers[3])  # plan, week 10, 50 %
    assert cx == pytest.approx(x0 + (x20 - x0) / 2, abs=0.2)
    assert cy == pytest.approx((y40 + y60) / 2, abs=0.2)


def test_cumulative_incidence_steps_bands_and_styles():
    root = _parse(
        cumulative_incidence_svg(
            _curves(), title="t", x_label="x", y_label="y", labels={}, horizon=25, band_label="95 % interval"
        )
    )
    curves = _with_class(root, "curve")
    assert len(curves) == 2
    # Colour is never the only cue: the two curves differ in dash and in marker shape too.
    assert curves[0].get("stroke") != curves[1].get("stroke")
    assert curves[0].get("stroke-dasharray") != curves[1].get("stroke-dasharray")
    shapes = {m.get("fill"): m.tag for m in _with_class(root, "marker")}
    assert len(set(shapes.values())) == 2
    # A step curve: only horizontal and vertical moves, starting at 0 %.
    path = curves[0].get("d")
    assert path.startswith("M") and set(path.split()[1][0] + "".join(p[0] for p in path.split()[1:])) <= {"H", "V"}
    assert len(_with_class(root, "band")) == 1  # only "plan" has a band
    # "abandoned" is followed beyond the horizon: its last level runs to the end of the axis, not past it.
    x25 = _tick_x(root, "25")
    assert float(curves[1].get("d").split()[-1][1:]) == pytest.approx(x25, abs=0.2)
    # "plan" ends at week 20, its last observation: no extrapolation.
    assert float(curves[0].get("d").split()[-2][1:]) == pytest.approx(_tick_x(root, "20"), abs=0.2)
    assert "95 % interval" in _texts(root)


def test_cumulative_incidence_escapes_and_handles_gaps():
    curves = {"plan": {"times": [0, 1, 2], "values": [0.0, float("nan"), None], "low": None, "high": None}}
    root = _parse(cumulative_incidence_svg(curves, title=NASTY, x_label=NASTY, y_label="y", labels={"plan": NASTY}))
    assert root.find(f"{NS}title").text == NASTY
    assert NASTY in _texts(root)
    assert not list(root.iter(f"{NS}script"))
    assert len(_with_class(root, "marker")) == 1


def test_cumulative_incidence_empty_and_bad_input():
    root = _parse(
        cumulative_incidence_svg({}, title="Leeg", x_label="x", y_label="y", labels={}, no_data="Nog geen trajecten")
    )
    _assert_accessible(root, "Leeg", "Nog geen trajecten")
    assert [e.text for e in _with_class(root, "no-data")] == ["Nog geen trajecten"]
    with pytest.raises(EvaluationInputError):
        cumulative_incidence_svg(
            {"a": {"times": [0, 5, 3], "values": [0, 0.1, 0.2]}}, title="t", x_label="x", y_label="y", labels={}
        )
    with pytest.raises(EvaluationInputError, match="proportion"):
        cumulative_incidence_svg(
            {"a": {"times": [0, 5], "values": [0, 34]}}, title="t", x_label="x", y_label="y", labels={}
        )


# -- forest plot -----------------------------------------------------------------------------------------------

NSW = [
    {"label": "Unadjusted", "estimate": 1794.34, "low": 552.93, "high": 3035.75, "group": "Earnings 1978"},
    {"label": "Regression", "estimate": 1676.34, "low": -1.2, "high": 3353.9, "group": "Earnings 1978"},
    {
        "label": NASTY,
        "estimate": float("nan"),
        "low": None,
        "high": None,
        "note": "n too small",
        "group": "Earnings 1978",
    },
    {"label": "IPW", "estimate": None, "group": "Subgroup"},
]


def test_forest_plot_rows_numbers_and_notes():
    svg = forest_plot_svg(
        NSW,
        title="Effect",
        x_label="Difference",
        estimate_heading="Estimate [95% CI]",
        decimal_comma=True,
        missing="n/a",
    )
    root = _parse(svg)
    _assert_accessible(root, "Effect", "Unadjusted: 1.794 [553; 3.036]")
    texts = _texts(root)
    assert "1.794 [553; 3.036]" in texts and "1.676 [\u22121; 3.354]" in texts
    assert "n too small" in texts and "n/a" in texts
    assert {"Earnings 1978", "Subgroup", NASTY} <= set(texts)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(_with_class(root, "marker")) == 2  # no marker for the NaN and the missing estimate
    assert len(_with_class(root, "whisker")) == 2


def test_forest_plot_places_estimates_and_the_null_line():
    rows = [{"label": "a", "estimate": 1000.0, "low": 0.0, "high": 2000.0}]
    root = _parse(forest_plot_svg(rows, title="t", x_label="x"))
    x0, x1000 = _tick_x(root, "0"), _tick_x(root, "1,000")
    (marker,) = _with_class(root, "marker")
    assert _centre(marker)[0] == pytest.approx(x1000, abs=0.2)
    (null,) = _with_class(root, "null-line")
    assert float(null.get("x1")) == pytest.approx(x0, abs=0.2)
    assert "1,000 [0; 2,000]" in _texts(root)


def test_forest_plot_on_a_log_scale():
    rows = [{"label": "OR", "estimate": math.sqrt(2), "low": 0.5, "high": 4.0}]
    root = _parse(forest_plot_svg(rows, title="t", x_label="Odds ratio", null_value=1, log_scale=True))
    x1, x2 = _tick_x(root, "1"), _tick_x(root, "2")
    (marker,) = _with_class(root, "marker")
    assert _centre(marker)[0] == pytest.approx((x1 + x2) / 2, abs=0.2)  # the geometric middle of 1 and 2
    (null,) = _with_class(root, "null-line")
    assert float(null.get("x1")) == pytest.approx(x1, abs=0.2)
    assert "1.41 [0.50; 4.00]" in _texts(root)


@pytest.mark.parametrize(
    "row, null",
    [
        ({"label": "a", "estimate": 0.0, "low": 0.5, "high": 2}, 1),
        ({"label": "a", "estimate": 1.2, "low": -0.1, "high": 2}, 1),
        ({"label": "a", "estimate": 1.2, "low": 0.5, "high": 2}, 0),
    ],
)
def test_a_log_scale_refuses_values_of_zero_and_below(row, null):
    with pytest.raises(ValueError):
        forest_plot_svg([row], title="t", x_label="x", null_value=null, log_scale=True)


def test_forest_plot_with_a_formatter_and_no_rows():
    rows = [{"label": "a", "estimate": 0.123, "low": 0.05, "high": 0.2}]
    root = _parse(forest_plot_svg(rows, title="t", x_label="x", number_format=lambda v: f"{v:.1%}"))
    assert "12.3% [5.0%; 20.0%]" in _texts(root)
    empty = _parse(forest_plot_svg([], title="Nothing", x_label="x", no_data="No estimates yet"))
    _assert_accessible(empty, "Nothing", "No estimates yet")
    assert not _with_class(empty, "marker")


# -- balance ---------------------------------------------------------------------------------------------------


def test_balance_plot_markers_and_threshold_lines():
    rows = [
        {"label": "age", "before": 0.24, "after": 0.03},
        {"label": "married", "before": -0.72, "after": 0.05},
        {"label": NASTY, "before": None, "after": -0.12},
    ]
    root = _parse(
        balance_plot_svg(
            rows, title="Balance", before_label="Before", after_label="After", threshold_label="|SMD| = 0.1"
        )
    )
    _assert_accessible(root, "Balance", "married: Before \u22120.72, After 0.05")
    assert len(_with_class(root, "marker")) == 5
    assert "\u2014 \u2192 \u22120.12" in _texts(root)
    lines = sorted(float(e.get("x1")) for e in _with_class(root, "threshold"))
    (zero,) = _with_class(root, "null-line")
    assert len(lines) == 2
    assert float(zero.get("x1")) - lines[0] == pytest.approx(lines[1] - float(zero.get("x1")), abs=0.2)
    # The +0.1 line and the "after" of age (0.03) sit where the axis labels 0.0 and 0.5 put them.
    x0, x05 = _tick_x(root, "0.0"), _tick_x(root, "0.5")
    assert lines[1] == pytest.approx(x0 + (x05 - x0) / 5, abs=0.2)
    after_age = [m for m in _with_class(root, "marker") if m.tag == f"{NS}rect"][0]
    assert _centre(after_age)[0] == pytest.approx(x0 + (x05 - x0) * 0.03 / 0.5, abs=0.2)


def test_balance_plot_absolute_and_empty():
    rows = [{"label": "age", "before": -0.3, "after": -0.05}]
    root = _parse(balance_plot_svg(rows, title="t", before_label="b", after_label="a", absolute=True))
    assert len(_with_class(root, "threshold")) == 1
    assert "0.30 \u2192 0.05" in _texts(root)
    empty = _parse(
        balance_plot_svg(
            [{"label": "x", "before": None, "after": None}],
            title="t",
            before_label="b",
            after_label="a",
            no_data="none",
        )
    )
    assert [e.text for e in _with_class(empty, "no-data")] == ["none"]


# -- overlap ---------------------------------------------------------------------------------------------------


def test_overlap_mirrors_the_groups():
    edges = [0, 0.25, 0.5, 0.75, 1.0]
    root = _parse(
        overlap_svg(
            [0, 2, 6, 4],
            [8, 4, 1, 0],
            edges,
            title="Overlap",
            labels={"treated": "EKC", "control": NASTY},
            x_label="Propensity",
        )
    )
    _assert_accessible(root, "Overlap", "EKC: 0.00\u20130.25: 0, 0.25\u20130.50: 2")
    treated, control = _with_class(root, "bar-treated"), _with_class(root, "bar-control")
    assert (len(treated), len(control)) == (3, 3)  # empty bins draw nothing
    axis = max(float(b.get("y")) + float(b.get("height")) for b in treated)
    assert all(float(b.get("y")) == pytest.approx(axis, abs=0.2) for b in control)
    # Both halves share one scale: the tallest treated bin (6) is 6/8 of the tallest control bin (8).
    tallest_treated = max(float(b.get("height")) for b in treated)
    tallest_control = max(float(b.get("height")) for b in control)
    assert tallest_treated / tallest_control == pytest.approx(6 / 8, abs=0.01)
    # Bins sit on their edges (each edge has a tick): the bin 0.5-0.75 starts at the 0.50 tick.
    x05 = _tick_x(root, "0.50")
    assert min(float(b.get("x")) for b in treated if float(b.get("height")) == tallest_treated) == pytest.approx(
        x05 + 0.5, abs=0.2
    )
    assert f"\u25bc {NASTY}" in _texts(root)


def test_overlap_empty_and_bad_edges():
    root = _parse(overlap_svg([0, 0], [0, 0], [0, 0.5, 1], title="t", labels={}, no_data="none"))
    assert [e.text for e in _with_class(root, "no-data")] == ["none"]
    with pytest.raises(EvaluationInputError):
        overlap_svg([1, 2], [1, 2], [0, 1], title="t", labels={})
    with pytest.raises(EvaluationInputError):
        overlap_svg([1, 2], [1, 2], [0, 0.7, 0.5], title="t", labels={})


# -- bars ------------------------------------------------------------------------------------------------------


def test_bars_with_intervals():
    rows = [
        {"label": "EKC (n = 40)", "value": 0.34, "low": 0.21, "high": 0.49},
        {"label": "FNB", "value": 0.5, "low": None, "high": None},
        {"label": "Hergo", "value": None, "note": "fewer than 5"},
    ]
    root = _parse(bar_with_intervals_svg(rows, title="Plan rate", x_label="Share with a plan", decimal_comma=True))
    _assert_accessible(root, "Plan rate", "EKC (n = 40): 34\u00a0% [21\u00a0%; 49\u00a0%]")
    bars = _with_class(root, "bar")
    assert len(bars) == 2 and len(_with_class(root, "whisker")) == 1
    x0, x100 = _tick_x(root, "0\u00a0%"), _tick_x(root, "100\u00a0%")
    assert float(bars[0].get("x")) == pytest.approx(x0, abs=0.2)
    assert float(bars[0].get("width")) == pytest.approx(0.34 * (x100 - x0), abs=0.2)
    assert "fewer than 5" in _texts(root)
    with pytest.raises(EvaluationInputError, match="proportion"):
        bar_with_intervals_svg([{"label": "a", "value": 34}], title="t")
    assert _with_class(_parse(bar_with_intervals_svg([], title="t", no_data="none")), "no-data")


# -- shared ----------------------------------------------------------------------------------------------------


def test_format_number():
    assert format_number(1794.34, 0, decimal_comma=True) == "1.794"
    assert format_number(1794.34, 1) == "1,794.3"
    assert format_number(-0.004, 2) == "0.00"  # no minus zero
    assert format_number(-0.35, 2, decimal_comma=True) == "\u22120,35"


def test_text_that_xml_forbids_is_dropped_and_ids_differ():
    one = _parse(forest_plot_svg([{"label": "a\x00b\x1f", "estimate": 1.0}], title="one\x0b", x_label="x"))
    assert "ab" in _texts(one)
    two = _parse(forest_plot_svg([{"label": "a", "estimate": 1.0}], title="two", x_label="x"))
    assert one.find(f"{NS}title").get("id") != two.find(f"{NS}title").get("id")
    own = _parse(forest_plot_svg([], title="t", x_label="x", figure_id="9 effect"))
    assert own.find(f"{NS}title").get("id") == "fig-9-effect-title"


def test_weasyprint_draws_every_figure():
    weasyprint = pytest.importorskip("weasyprint")
    figures = [
        cumulative_incidence_svg(_curves(), title="ci", x_label="x", y_label="y", labels={}, horizon=25),
        forest_plot_svg(NSW, title="forest", x_label="x"),
        balance_plot_svg([{"label": "a", "before": 0.3, "after": 0.01}], title="b", before_label="b", after_label="a"),
        overlap_svg([1, 2], [2, 1], [0, 0.5, 1], title="o", labels={"treated": "t", "control": "c"}),
        bar_with_intervals_svg([{"label": "a", "value": 0.4, "low": 0.3, "high": 0.5}], title="bars"),
    ]
    pdf = weasyprint.HTML(string="<html><body>" + "".join(figures) + "</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")


def test_the_module_needs_no_django():
    code = "import sys; sys.modules['django'] = None; import kring.evaluation.core.figures"
    subprocess.run([sys.executable, "-c", code], check=True)
