"""The network map in a real browser: build a small network by clicking on the map, drag a person and find
them where they were left after a reload, undo, use the keyboard, and export a PNG and a PDF.

Screenshots of the genogram and the circle land in /tmp (kring-genogram.png, kring-circle.png).
"""

import io
import re
import time

import pytest
from playwright.sync_api import expect

from kring.cases.models import Person
from kring.network.models import NetworkMember, Relationship

from .conftest import assert_accessible
from .test_foundation_journey import log_in

pytestmark = pytest.mark.browser


def _open_map(page, live_server, case, kind="genogram"):
    page.goto(f"{live_server.url}/cases/{case.pk}/network/?map={kind}")
    expect(page.locator("#network[data-ready=true]")).to_be_attached()


def _add_person_by_clicking(page, first_name, last_name, gender, where):
    page.locator("[data-mode=add-person]").click()
    expect(page.locator("[data-mode=add-person]")).to_have_attribute("aria-pressed", "true")
    page.locator("#map svg").click(position=where)
    panel = page.locator("#panel")
    expect(panel.locator("[name=first_name]")).to_be_visible()
    panel.locator("[name=first_name]").fill(first_name)
    panel.locator("[name=last_name]").fill(last_name)
    panel.locator("[name=gender]").select_option(gender)
    panel.locator("form.member-form button[type=submit]").click()
    expect(page.locator(f'#map .member[aria-label*="{first_name}"]')).to_be_visible()


def _member(page, name):
    return page.locator(f'#map .member[aria-label*="{name}"]')


def _translate(locator):
    transform = locator.get_attribute("transform")
    x, y = re.search(r"translate\(\s*(-?[\d.]+)[\s,]+(-?[\d.]+)", transform).groups()
    return float(x), float(y)


def _wait_for(condition, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_build_drag_undo_and_export(page, live_server, world):
    case = world.a.case
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(f"a[href='/cases/{case.pk}/network/']").click()
    expect(page.locator("#map svg")).to_be_visible()
    expect(page.locator("#network[data-ready=true]")).to_be_attached()
    assert_accessible(page)

    # --- Two persons, each placed where the map was clicked.
    box = page.locator("#map svg").bounding_box()
    _add_person_by_clicking(page, "Henk", "Grootvader", "male", {"x": box["width"] - 40, "y": box["height"] - 30})
    henk = Person.objects.get(first_name="Henk")
    assert "genogram" in henk.network.positions
    box = page.locator("#map svg").bounding_box()
    _add_person_by_clicking(page, "Mila", "Dochter", "female", {"x": 40, "y": box["height"] - 30})
    mila = Person.objects.get(first_name="Mila")

    # --- A parent relation: click Henk, then Mila; the form comes prefilled.
    page.locator("[data-mode=add-relation]").click()
    _member(page, "Henk").click()
    expect(_member(page, "Henk")).to_have_class(re.compile(r"\bpicked\b"))
    _member(page, "Mila").click()
    panel = page.locator("#panel")
    expect(panel.locator("[name=person_a]")).to_have_value(str(henk.pk))
    expect(panel.locator("[name=person_b]")).to_have_value(str(mila.pk))
    assert_accessible(page)  # with the relation form open in the panel
    panel.locator("[name=kind]").select_option("parent")
    panel.locator("[name=subtype]").select_option("biological")
    panel.locator("form.relation-form button[type=submit]").click()
    expect(page.locator(f'#map .tie[data-a="{henk.pk}"][data-b="{mila.pk}"]')).to_be_attached()
    assert Relationship.objects.filter(case=case, kind="parent", person_a=henk, person_b=mila).exists()

    # --- Drag Mila with the mouse; the position is kept after a reload.
    mila_g = _member(page, "Mila")
    start = _translate(mila_g)
    # The mouse only reaches what is inside the viewport; the map may extend below it.
    mila_g.scroll_into_view_if_needed()
    b = mila_g.bounding_box()
    cx, cy = b["x"] + b["width"] / 2, b["y"] + 12
    page.mouse.move(cx, cy)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(cx + 8 * step, cy + 4 * step)
    page.mouse.up()
    assert _wait_for(
        lambda: NetworkMember.objects.get(pk=mila.pk).positions.get("genogram", [None])[0] not in (None, *[start[0]])
    )
    saved = NetworkMember.objects.get(pk=mila.pk).positions["genogram"]
    assert saved[0] > start[0] + 20
    page.reload()
    expect(page.locator("#network[data-ready=true]")).to_be_attached()
    after = _translate(_member(page, "Mila"))
    assert abs(after[0] - saved[0]) < 0.6 and abs(after[1] - saved[1]) < 0.6
    page.screenshot(path="/tmp/kring-genogram.png", full_page=True)

    # --- Undo (the U key): the drag is taken back.
    page.locator("h1").click()
    page.keyboard.press("u")
    expect(page.locator(".messages")).to_be_visible()
    assert NetworkMember.objects.get(pk=mila.pk).positions.get("genogram") != saved

    # --- Export a PNG and a PDF: downloads with the right bytes.
    with page.expect_download() as png_download:
        page.locator("a[href*='format=png']").click()
    assert open(png_download.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert png_download.value.suggested_filename.endswith(".png")
    png_download.value.save_as("/tmp/kring-export.png")
    with page.expect_download() as pdf_download:
        page.locator("a[href*='format=pdf'][href*='A3']").click()
    assert open(pdf_download.value.path(), "rb").read(4) == b"%PDF"
    assert pdf_download.value.suggested_filename.endswith("-a3.pdf")

    # --- The circle, for the eye; and the eco-map.
    _open_map(page, live_server, case, "circle")
    assert_accessible(page)
    page.screenshot(path="/tmp/kring-circle.png", full_page=True)
    _open_map(page, live_server, case, "ecomap")
    assert_accessible(page)


def test_keyboard_opens_moves_and_cancels(page, live_server, world):
    case = world.a.case
    person = case.persons.first()
    log_in(page, live_server, world.a.case_worker.email)
    _open_map(page, live_server, case, "circle")
    member = page.locator(f'#map .member[data-id="{person.pk}"]')
    member.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel [name=first_name]")).to_have_value(person.first_name)
    page.keyboard.press("Escape")  # from the first field: closes the panel
    expect(page.locator("#panel [name=first_name]")).to_have_count(0)
    member = page.locator(f'#map .member[data-id="{person.pk}"]')
    member.focus()
    x0, y0 = _translate(member)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    assert _wait_for(
        lambda: (
            NetworkMember.objects.filter(pk=person.pk).first() is not None
            and "circle" in NetworkMember.objects.get(pk=person.pk).positions
        )
    )
    x, y = NetworkMember.objects.get(pk=person.pk).positions["circle"]
    assert abs(x - (x0 + 10)) < 0.6 and abs(y - (y0 + 50)) < 0.6
    # Focus comes back to the same person after the map is drawn again.
    expect(page.locator(f'#map .member[data-id="{person.pk}"]')).to_be_focused()
    # Escape leaves a mode.
    page.locator("[data-mode=add-relation]").click()
    expect(page.locator("[data-mode=add-relation]")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Escape")
    expect(page.locator("[data-mode=add-relation]")).to_have_attribute("aria-pressed", "false")


FOCUS_RING = (0xB3, 0x5C, 0x00)  # kring.css: the outline of a focused person


def _ring_pixels(png_bytes):
    """How many pixels of a screenshot have the focus ring's colour."""
    from PIL import Image

    image = Image.open(io.BytesIO(png_bytes)).convert("RGB")
    return sum(
        1
        for pixel in image.getdata()
        if all(abs(got - want) <= 12 for got, want in zip(pixel, FOCUS_RING, strict=True))
    )


def test_keyboard_focus_on_the_map_is_visible(page, live_server, world):
    case = world.a.case
    log_in(page, live_server, world.a.case_worker.email)
    _open_map(page, live_server, case, "genogram")
    member = page.locator("#map .member").first
    member.scroll_into_view_if_needed()
    box = member.bounding_box()
    clip = {"x": box["x"] - 12, "y": box["y"] - 12, "width": box["width"] + 24, "height": box["height"] + 24}
    before = _ring_pixels(page.screenshot(clip=clip))

    # Tab from the last control before the map lands on the first person, as a keyboard user gets there.
    page.locator("#id_death").locator("xpath=following::button[1]").focus()
    page.keyboard.press("Tab")
    focused = page.evaluate_handle("document.activeElement")
    assert page.evaluate("(el) => el.matches('#map .member')", focused)
    # The focused element is drawn (not a hidden <title>), and has a clear outline and a ring on its symbol.
    assert page.evaluate(
        "(el) => { const b = el.getBoundingClientRect(); return b.width > 10 && b.height > 10; }", focused
    )
    outline = page.evaluate(
        "(el) => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }",
        focused,
    )
    assert outline[0] == "solid" and outline[1] >= 2 and outline[2] == "rgb(179, 92, 0)", outline
    symbol_stroke = page.evaluate(
        "(el) => { const s = getComputedStyle(el.querySelector(':scope > title + *')); "
        "return [s.stroke, parseFloat(s.strokeWidth)]; }",
        focused,
    )
    assert symbol_stroke == ["rgb(179, 92, 0)", 4], symbol_stroke
    # And it shows on the screen: the ring's colour appears round the person only once it has focus.
    after = _ring_pixels(page.screenshot(clip=clip))
    assert before == 0 and after > 40, (before, after)


def test_tapping_on_a_touch_screen_opens_a_person(browser, live_server, world):
    context = browser.new_context(
        has_touch=True, is_mobile=True, viewport={"width": 800, "height": 1100}, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        case = world.a.case
        person = case.persons.first()
        log_in(page, live_server, world.a.case_worker.email)
        _open_map(page, live_server, case, "ecomap")
        page.locator(f'#map .member[data-id="{person.pk}"]').tap()
        expect(page.locator("#panel [name=first_name]")).to_have_value(person.first_name)
    finally:
        context.close()
