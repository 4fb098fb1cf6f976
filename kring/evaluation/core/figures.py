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

The figures live in sibling modules, one per family (``figure_incidence``, ``figure_forest``, ``figure_balance``,
``figure_bars``, ``figure_overlap``); ``figure_drawing`` holds what they share (text and numbers, the SVG frame,
markers and styles, scales and ticks) and ``figure_rows`` the layout of the figures with one row per estimate.
Callers import the figures from this module.
"""

from .figure_balance import balance_plot_svg
from .figure_bars import bar_with_intervals_svg
from .figure_drawing import format_number
from .figure_forest import forest_plot_svg
from .figure_incidence import cumulative_incidence_svg
from .figure_overlap import overlap_svg

__all__ = [
    "balance_plot_svg",
    "bar_with_intervals_svg",
    "cumulative_incidence_svg",
    "forest_plot_svg",
    "format_number",
    "overlap_svg",
]
