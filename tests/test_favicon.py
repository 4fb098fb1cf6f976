"""Item 14.12: Kring has a favicon: every page names it, in SVG and as a PNG for browsers without SVG icons, and
both are real images the static files serve."""

import re
import struct

from django.contrib.staticfiles import finders


def _icons(html):
    return dict(re.findall(r'<link rel="icon" href="/static/([^"]+)" type="([^"]+)"', html))


def test_every_page_names_a_favicon_that_exists_as_svg_and_png(client, world):
    login_page = client.get("/accounts/login/").content.decode()
    client.force_login(world.a.case_worker)
    caseload = client.get("/cases/").content.decode()
    for html in (login_page, caseload):
        assert _icons(html) == {"kring/favicon.svg": "image/svg+xml", "kring/favicon.png": "image/png"}
    svg = open(finders.find("kring/favicon.svg"), encoding="utf-8").read()
    assert svg.lstrip().startswith("<svg") and "viewBox" in svg
    with open(finders.find("kring/favicon.png"), "rb") as png:
        head = png.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (32, 32)
