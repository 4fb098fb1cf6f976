"""The foundation's main journey in a real browser: log in, record a referral, find it, and stay out of
another organisation's cases. Plus the login form by keyboard alone.

The live server runs Kring in a thread of this process on the test database; `world` gives two organisations
(A in the Netherlands, B in Flanders) with a case worker each.
"""

import re

import pytest
from playwright.sync_api import expect

from kring.cases.models import Case

from ..factories import PASSWORD
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/kring-case-page.png"
CHILD_FIRST, CHILD_LAST = "Ilias", "Vermeulen-Baert"


def log_in(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator("main").get_by_role("button").click()
    # Case workers start on their caseload.
    expect(page).to_have_url(f"{live_server.url}/cases/")


def log_out(page, live_server):
    page.locator("form[action='/accounts/logout/'] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("#id_login")).to_be_visible()


def search_caseload(page, live_server, text):
    page.goto(f"{live_server.url}/cases/")
    page.fill("input[name=q]", text)
    page.locator("form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cases/\?.*q=" + re.escape(text.split()[0])))


def test_referral_is_recorded_found_and_kept_from_the_other_organisation(page, live_server, world):
    # --- Case worker at organisation A logs in through the real form.
    log_in(page, live_server, world.a.case_worker.email)
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    # --- Records a referral through the intake form (one organisation, so straight to its form).
    page.locator("nav a[href='/cases/new/']").click()
    expect(page).to_have_url(f"{live_server.url}/cases/new/{world.a.org.pk}/")
    expect(page.locator("h1")).to_contain_text(world.a.org.name)
    assert_accessible(page)
    page.fill("[name=family_name]", "Familie Vermeulen")
    page.select_option("[name=team]", str(world.a.team.pk))
    page.select_option("[name=legal_context]", "nl_voluntary")
    page.select_option("[name=safety_concern]", "some")
    page.fill("[name=central_reason]", "Ilias is degene over wie de zorgen gaan.")
    page.fill("[name=referral_date]", "2026-03-02")
    page.fill("[name=referrer_name]", "Mevr. De Smet, intern begeleider")
    page.select_option("[name=referral_route]", "school")
    page.fill("[name=question]", "Wij willen dat Ilias weer graag naar school gaat.")
    # The central person: the first person row.
    page.fill("[name=person-0-first_name]", CHILD_FIRST)
    page.fill("[name=person-0-last_name]", CHILD_LAST)
    page.fill("[name=person-0-birth_date]", "2016-05-14")
    page.select_option("[name=person-0-gender]", "male")
    expect(page.locator("[name=person-0-is_central]")).to_be_checked()
    page.locator("main form[method=post] button[type=submit]").click()

    # --- Lands on the new case page.
    case = Case.objects.get(family_name="Familie Vermeulen")
    case_url = f"{live_server.url}/cases/{case.pk}/"
    expect(page).to_have_url(case_url)
    expect(page.locator("h1")).to_contain_text("Familie Vermeulen")
    expect(page.locator("h1")).to_contain_text(case.number)
    expect(page.locator(".messages")).to_contain_text(case.number)
    people = page.locator("section[aria-labelledby=people-h] tbody tr")
    expect(people).to_have_count(1)
    expect(people.first).to_contain_text(f"{CHILD_FIRST} {CHILD_LAST}")
    assert_accessible(page)
    expect(page.locator("section[aria-labelledby=team-h]")).to_contain_text(str(world.a.case_worker))
    assert case.organisation_id == world.a.org.pk and case.team_id == world.a.team.pk
    assert case.persons.get().is_central
    page.screenshot(path=SCREENSHOT, full_page=True)

    # --- Finds the case on the caseload by the child's name.
    search_caseload(page, live_server, CHILD_FIRST)
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.number)
    expect(rows.first).to_contain_text(f"{CHILD_FIRST} {CHILD_LAST}")
    assert_accessible(page)
    rows.first.get_by_role("link", name=case.number).click()
    expect(page).to_have_url(case_url)

    # --- A case worker of organisation B cannot open it, and does not find it.
    log_out(page, live_server)
    log_in(page, live_server, world.b.case_worker.email)
    response = page.goto(case_url)
    assert response.status == 404
    body = page.locator("body")
    expect(body).not_to_contain_text("Vermeulen")
    expect(body).not_to_contain_text(CHILD_FIRST)
    expect(body).not_to_contain_text(case.number)
    assert_accessible(page)

    search_caseload(page, live_server, CHILD_FIRST)
    expect(page.locator("table tbody tr")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(case.number)
    # Their own caseload still works: B's case is there, A's are not.
    page.goto(f"{live_server.url}/cases/")
    expect(page.locator("main")).to_contain_text(world.b.case.number)
    expect(page.locator("main")).not_to_contain_text(world.a.case.number)
    expect(page.locator("main")).not_to_contain_text(case.number)


IN_LOGOUT_FORM = "document.activeElement.closest(\"form[action='/accounts/logout/']\") !== null"


def focused(page):
    return page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.className)")


def test_login_form_works_by_keyboard_alone(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    # The first stop is the skip link, which jumps to the content.
    assert_accessible(page)
    page.keyboard.press("Tab")
    assert focused(page) == "skip-link"
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page) == "main"

    # From the content, the next Tab is the e-mail field, and the one after it the password field.
    page.keyboard.press("Tab")
    assert focused(page) == "id_login"
    page.keyboard.type(world.a.case_worker.email)
    page.keyboard.press("Tab")
    assert focused(page) == "id_password"
    page.keyboard.type("wrong-password")
    page.keyboard.press("Enter")

    # A wrong password: the error is announced, the address kept, and the form is usable again by keyboard.
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    expect(page.locator("#id_login")).to_have_value(world.a.case_worker.email)
    page.locator("#id_password").focus()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(page.locator("form[action='/accounts/logout/']")).to_be_visible()

    # Logging out works by keyboard too: Tab to the button and press Enter.
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate(IN_LOGOUT_FORM):
            break
    assert page.evaluate(IN_LOGOUT_FORM)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
