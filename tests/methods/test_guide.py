"""The public method guide: list, comparison, continua figure, one page per method."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from kring.methods.catalogue import catalogue
from kring.methods.continua import Point, draw_continua

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def _html(response):
    return response.content.decode()


def _svg(html):
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "no inline SVG on the page"
    return ET.fromstring(match.group(0))


def test_there_are_ten_methods():
    assert len(catalogue()) == 10


def test_guide_is_public_and_lists_every_method_with_a_link(client):
    response = client.get(reverse("methods:guide"))
    assert response.status_code == 200
    html = _html(response)
    for code, definition in catalogue().items():
        assert f'href="{reverse("methods:method", args=[code])}"' in html
        assert definition.name.nl in html


def test_navigation_links_to_the_guide_when_logged_out(client):
    html = _html(client.get(reverse("web:home"), follow=True))
    assert f'href="{reverse("methods:guide")}"' in html


def test_comparison_table_has_a_row_per_method(client):
    html = _html(client.get(reverse("methods:guide")))
    table = re.search(r'<table class="responsive comparison">.*?</table>', html, re.S).group(0)
    rows = re.findall(r'<tr class="method-row">\s*<th scope="row">', table)
    assert len(rows) == len(catalogue())
    assert 'scope="col"' in table


def test_comparison_shows_total_default_duration(client):
    html = _html(client.get(reverse("methods:guide")))
    fnb = catalogue()["fnb"]
    total = sum(phase.default_weeks for phase in fnb.phases)
    row = re.search(r'<tr class="method-row">\s*<th scope="row"><a href="/methods/fnb/">.*?</tr>', html, re.S).group(0)
    assert f"{total:g} weken" in row or f"{total:g} weeks" in row


def test_figure_is_valid_svg_with_a_title_and_one_dot_per_method(client):
    html = _html(client.get(reverse("methods:guide")))
    svg = _svg(html)
    assert svg.tag == f"{SVG}svg"
    assert svg.find(f"{SVG}title") is not None and svg.find(f"{SVG}title").text
    dots = [c for c in svg.iter(f"{SVG}circle") if c.get("class") == "dot"]
    assert len(dots) == len(catalogue())
    codes = {g.get("data-code") for g in svg.iter(f"{SVG}g") if g.get("class") == "method"}
    assert codes == set(catalogue())
    # The text alternative carries the same data.
    text_list = re.search(r'<ul id="continua-list">(.*?)</ul>', html, re.S).group(1)
    assert text_list.count("<li>") == len(catalogue())


def test_draw_continua_places_and_escapes():
    svg = draw_continua(
        [Point("a", "A & <b>", 0, 0), Point("b", "B", 1, 1)],
        title="T",
        x_label="Family lead",
        y_label="Network <breadth>",
    )
    root = ET.fromstring(svg)
    dots = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "dot"]
    (ax, ay), (bx, by) = [(float(d.get("cx")), float(d.get("cy"))) for d in dots]
    assert bx > ax and by < ay  # family leads to the right, wider network upwards
    assert "A &amp; &lt;b&gt;" in svg


@pytest.mark.parametrize("code", sorted(catalogue()))
def test_each_method_page_shows_phases_in_order_and_marks_default_durations(client, code):
    definition = catalogue()[code]
    response = client.get(reverse("methods:method", args=[code]))
    assert response.status_code == 200
    html = _html(response)
    positions = [html.index(f'id="phase-{phase.code}"') for phase in definition.phases]
    assert positions == sorted(positions)
    blocks = re.split(r'<li class="phase" id="phase-', html)[1:]
    assert len(blocks) == len(definition.phases)
    for phase, block in zip(definition.phases, blocks):
        assert block.startswith(f'{phase.code}"')
        assert phase.name.nl in block
        marked = "duration-default" in block.split("</li>")[0]
        assert marked == (phase.duration_source == "default"), phase.code
    for source in definition.sources:
        assert f'id="source-{source.id}"' in html


def test_english_cookie_shows_english_names(client):
    client.cookies["django_language"] = "en"
    html = _html(client.get(reverse("methods:guide")))
    for definition in catalogue().values():
        assert definition.name.en in html
    page = _html(client.get(reverse("methods:method", args=["fnb"])))
    fnb = catalogue()["fnb"]
    assert fnb.name.en in page and fnb.origin.en.split(" [")[0] in page and "[seed" not in page
    assert "set by the organisation" in page
    assert "Independent coordinator" in page


def test_unknown_method_is_404(client):
    assert client.get("/methods/no_such_method/").status_code == 404


def test_every_role_and_artefact_of_the_definitions_has_a_translatable_label():
    from kring.methods import labels
    from kring.methods.catalogue import load_all

    for definition in load_all().values():
        for phase in definition.phases:
            assert set(phase.roles) <= set(labels.ROLES), (definition.code, phase.code)
            assert set(phase.artefacts) <= set(labels.ARTEFACTS), (definition.code, phase.code)
