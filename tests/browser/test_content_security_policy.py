"""Item 13 in a real browser: the pages most likely to need inline code work under the Content-Security-Policy.

The conftest fails every browser test on a policy violation; this test walks the pages the other journeys do
not: the two-factor setup (its QR code is a data: image), Django's admin with its widgets and a case form (the
network map's panels and the evaluation job page that htmx polls are in their own journeys). Screenshots land in
/tmp (kring-csp-*.png).
"""

import re

import pytest
from playwright.sync_api import expect

from kring.accounts.models import Role
from tests.factories import PASSWORD, make_user, totp_code

from .test_foundation_journey import log_in

pytestmark = pytest.mark.browser


def test_two_factor_setup_admin_and_a_form_work_under_the_policy(page, live_server, world):
    # A new administrator must set up two-factor login first: the QR code must show (img-src data:).
    administrator = make_user(world.a.org, Role.ADMINISTRATOR, email="new_admin@a.example.org", is_staff=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", administrator.email)
    page.fill("#id_password", PASSWORD)
    response_headers = {}
    page.on("response", lambda r: response_headers.setdefault(r.url.split("?")[0], r.headers))
    page.locator("main").get_by_role("button").click()
    if "/reauthenticate/" in page.url:  # allauth asks for the password again before adding an authenticator
        page.fill("#id_password", PASSWORD)
        page.locator("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    qr = page.locator("img[src^='data:image/svg+xml']")
    expect(qr).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth > 0", qr.element_handle()), "the QR code did not load"
    page.screenshot(path="/tmp/kring-csp-totp.png")
    secret = qr.get_attribute("alt")
    page.fill("#id_code", totp_code(secret))
    page.locator("main form").get_by_role("button", name=re.compile("Activ", re.I)).click()

    # The admin: the change list with its actions and the user form with its widgets.
    page.goto(f"{live_server.url}/admin/accounts/user/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"{live_server.url}/admin/accounts/user/{world.a.case_worker.pk}/change/")
    expect(page.locator("#content-main form")).to_be_visible()
    page.screenshot(path="/tmp/kring-csp-admin-user.png", full_page=True)
    headers = response_headers[f"{live_server.url}/admin/accounts/user/{world.a.case_worker.pk}/change/"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "no-store" in headers["cache-control"]


def test_a_case_form_and_htmx_work_under_the_policy(page, live_server, world):
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(f"{live_server.url}/cases/{world.a.case.pk}/edit/")
    expect(page.locator("main form")).to_be_visible()
    page.screenshot(path="/tmp/kring-csp-case-form.png", full_page=True)
    # htmx loaded, read its configuration from the meta element and may not evaluate code.
    config = page.evaluate("() => ({eval: htmx.config.allowEval, styles: htmx.config.includeIndicatorStyles})")
    assert config == {"eval": False, "styles": False}
