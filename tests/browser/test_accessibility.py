"""Accessibility in a real browser, page by page for each role: axe-core finds no serious or critical violation
(WCAG 2.1 A and AA, and axe's best practices), every page's title is short plain text, and the main navigation
stays on one row on a 1366 x 768 laptop screen.

The journeys (test_*_journey.py, test_network_map.py) check every page they pass with the same helper.
"""

import html
import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from kring.plans.links import services as link_services

from ..factories import PASSWORD, actor
from ..meetings.conftest import mw  # noqa: F401
from ..plans.conftest import accepted, pw  # noqa: F401  (an accepted plan on the meetings world)
from .conftest import MAX_TITLE, assert_accessible
from .test_foundation_journey import log_in, log_out

pytestmark = pytest.mark.browser


def _optional(name, *args):
    """A page that another part of the issue adds; None while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _pages_per_role(p):
    case, t, meeting, world = p.case, p.trajectory, p.mw.meeting, p.world
    on_case = f"/cases/{case.pk}"
    worker = [
        "/cases/",
        "/cases/new/",
        f"{on_case}/",
        f"{on_case}/network/",
        f"{on_case}/network/?map=ecomap",
        f"{on_case}/trajectories/",
        f"{on_case}/trajectories/{t.pk}/",
        f"{on_case}/meetings/{meeting.pk}/",
        f"{on_case}/plans/{t.pk}/",
        f"{on_case}/registration/{t.pk}/",
        "/work/",
        _optional("inbox:list"),
    ]
    coordinator = [
        "/work/",
        f"{on_case}/meetings/{meeting.pk}/",
        f"{on_case}/meetings/{meeting.pk}/attendance/",
        f"{on_case}/plans/{t.pk}/",
        f"{on_case}/plans/{t.pk}/links/new/",
    ]
    lead = [
        "/work/",
        f"/work/team/{world.a.team.pk}/",
        f"{on_case}/trajectories/{t.pk}/",
        "/evaluation/",
    ]
    return {
        world.a.case_worker.email: [path for path in worker if path],
        world.a.coordinator.email: coordinator,
        world.a.lead.email: lead,
    }


def _check_page(page, url, problems):
    """Open the page and add to ``problems`` what is wrong with it: its answer, its title, axe-core's findings."""
    response = page.goto(url)
    if response.status != 200:
        problems.append(f"{url}: answered {response.status}")
        return
    title = page.title()
    if not (
        title.endswith("· Kring") and len(title) <= MAX_TITLE and "<" not in title and html.unescape(title) == title
    ):
        problems.append(f"{url}: title of {len(title)} characters: {title[:120]!r}")
    try:
        assert_accessible(page)
    except AssertionError as error:
        problems.append(str(error))


def test_the_main_pages_of_each_role_are_accessible(page, live_server, accepted):  # noqa: F811
    problems = []
    for email, paths in _pages_per_role(accepted).items():
        _log_in_anyone(page, live_server, email)
        for path in paths:
            _check_page(page, live_server.url + path, problems)
        log_out(page, live_server)

    # The network member's own page, through a personal link, without an account.
    _link, token = link_services.create_link(
        actor(accepted.world.a.coordinator), accepted.case.pk, accepted.plan.pk, accepted.mw.oma.pk, [], 30
    )
    _check_page(page, f"{live_server.url}/l/{token}/", problems)
    # And the public pages.
    for path in ("/accounts/login/", "/methods/"):
        _check_page(page, live_server.url + path, problems)
    assert not problems, "\n".join(problems)


def _log_in_anyone(page, live_server, email):
    """Log in where the start page is not the caseload (team leads and coordinators land elsewhere)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button").click()
    expect(page.locator("form[action='/accounts/logout/']")).to_be_attached()


@pytest.mark.parametrize("email_of", ["case_worker", "lead"])
def test_the_menu_stays_on_one_row_on_a_laptop(browser, live_server, world, email_of):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _log_in_anyone(page, live_server, getattr(world.a, email_of).email)
        page.goto(f"{live_server.url}/work/")
        items = page.locator("header nav > ul > li")
        assert items.count() >= 4
        tops = {round(items.nth(i).bounding_box()["y"]) for i in range(items.count())}
        assert len(tops) == 1, f"the menu wraps to {len(tops)} rows at 1366 px"
        # The whole header is two rows: the account links and the language switch above the menu.
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] <= 2 * 56, header
        account = page.locator("header .account").bounding_box()
        language = page.locator("header form.language").bounding_box()
        assert account["y"] + account["height"] <= items.first.bounding_box()["y"]
        assert language["y"] + language["height"] <= items.first.bounding_box()["y"] + 1
    finally:
        context.close()


def test_every_title_is_short_plain_text_on_the_registration_page(page, live_server, accepted):  # noqa: F811
    # The page whose title once held 1,733 characters of a copied section.
    log_in(page, live_server, accepted.world.a.case_worker.email)
    problems = []
    _check_page(page, f"{live_server.url}/cases/{accepted.case.pk}/registration/{accepted.trajectory.pk}/", problems)
    assert not problems, problems
    assert re.fullmatch(r"[^<>&]{5,90}", page.title())
