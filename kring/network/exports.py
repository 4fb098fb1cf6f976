"""A drawn map (standalone SVG) as PNG or PDF, with cairosvg.

The SVG from ``core.svg.render_map`` already carries the legend, the case and the date; with a page size
(A4 or A3) it is drawn for that page, landscape. Here it is only converted, and a PDF is made to measure the
page exactly, whatever units the drawing uses.
"""

import re

import cairosvg
from django.utils.text import slugify

# Landscape pages in PostScript points (1/72 inch).
PAGES_PT = {"A4": (841.89, 595.28), "A3": (1190.55, 841.89)}
PNG_SCALE = 2  # a sharp image on a screen or in a report


def svg_to_png(svg: str) -> bytes:
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=PNG_SCALE, background_color="white")


def _with_page_size(svg: str, page: str) -> str:
    """The SVG with its outer width and height set to the page (in pt), keeping its viewBox."""
    width, height = PAGES_PT[page]
    match = re.search(r"<svg\b[^>]*>", svg)
    if not match:
        return svg
    tag = match.group(0)
    if "viewBox" not in tag:
        w = re.search(r'\swidth="([\d.]+)', tag)
        h = re.search(r'\sheight="([\d.]+)', tag)
        if w and h:
            tag = tag[:-1] + f' viewBox="0 0 {w.group(1)} {h.group(1)}">'
    tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)
    tag = tag[:-1] + f' width="{width}pt" height="{height}pt">'
    return svg[: match.start()] + tag + svg[match.end() :]


def svg_to_pdf(svg: str, page: str | None = "A4") -> bytes:
    if page:
        svg = _with_page_size(svg, page)
    return cairosvg.svg2pdf(bytestring=svg.encode("utf-8"))


def file_name(case, kind: str, fmt: str, page: str | None = None, moment=None) -> str:
    """e.g. ``a-2026-0001-genogram-2026-03-01-a4.pdf``."""
    import datetime

    parts = [slugify(case.number), kind, (moment or datetime.date.today()).isoformat()]
    if page:
        parts.append(page.lower())
    return "-".join(parts) + f".{fmt}"
