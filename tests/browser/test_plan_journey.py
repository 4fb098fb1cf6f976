"""The plan journey in a real browser: the case worker sets a bottom line; after the meeting the coordinator
writes down the plan the family presented, with two agreements for Oma, and submits it; the case worker first
judges the bottom line not met (acceptance is refused), then met, and accepts; the coordinator makes Oma's
personal link; Oma, without an account, confirms one agreement and reports the safety agreement not done; the
case worker sees the safety alert on My work, and the review shows both reports.

Screenshots land in /tmp/kring-plan.png and /tmp/kring-plan-link.png.
"""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from kring.plans.models import Agreement, Plan, Review
from kring.trajectories import services as trajectory_services
from kring.trajectories.models import Reminder

from ..factories import actor
from ..meetings.conftest import mw  # noqa: F401  (the trajectory, the map and the meeting)
from .conftest import assert_accessible
from .test_foundation_journey import log_in, log_out

pytestmark = pytest.mark.browser


def test_plan_made_approved_kept_through_a_link_and_reviewed(page, live_server, mw):  # noqa: F811
    case, trajectory, world = mw.case, mw.trajectory, mw.world
    plan_url = f"{live_server.url}/cases/{case.pk}/plans/{trajectory.pk}/"

    # The case worker sets the bottom line before the meeting.
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/bottom-lines/new/']").click()
    expect(page.locator("[name=text]")).to_be_visible()  # the bottom line form is open
    assert_accessible(page)
    page.fill("[name=text]", "De kinderen slapen elke nacht op een veilige plek.")
    page.fill("[name=reason]", "Er waren ruzies 's nachts waar de kinderen bij waren.")
    page.fill("[name=legal_basis]", "Ondertoezichtstelling")
    page.select_option("[name=kind]", "non_negotiable")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#bottom-lines")).to_contain_text("veilige plek")
    assert_accessible(page)
    log_out(page, live_server)

    # The meeting was held (the coordinator's step, recorded here directly).
    trajectory_services.change_status(
        actor(world.a.coordinator),
        case.pk,
        trajectory.pk,
        "meeting_held",
        datetime.date.today(),
        note="Aanwezigheid op papier.",
    )

    # The coordinator writes down the plan as the family presented it, on the plan page.
    log_in(page, live_server, world.a.coordinator.email)
    page.goto(plan_url)
    page.locator(f"form[action$='/plans/{trajectory.pk}/start/'] button").click()
    page.locator(f"a[href$='/plans/{trajectory.pk}/edit/']").first.click()
    expect(page.locator("[name=concerns]")).to_be_visible()  # the plan form is open
    assert_accessible(page)
    page.fill("[name=concerns]", "We willen dat Sam rustig kan slapen en elke dag naar school gaat.")
    page.fill("[name=if_it_goes_wrong]", "Dan belt mama oma en slaapt Sam bij oma.")
    page.fill("[name=child_view]", "Ik wil bij oma kunnen logeren.")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#family-words")).to_contain_text("rustig kan slapen")
    assert_accessible(page)
    for what, safety in (
        ("Sam slaapt bij oma als het thuis onrustig is.", True),
        ("Oma haalt Sam op woensdag van school.", False),
    ):
        page.locator(f"#agreements a[href$='/plans/{trajectory.pk}/agreements/new/']").click()
        expect(page.locator("[name=what]")).to_be_visible()  # the agreement form is open
        assert_accessible(page)
        page.fill("[name=what]", what)
        page.select_option("[name=owner_person]", str(mw.oma.pk))
        page.select_option("[name=backup_person]", str(mw.piet.pk))
        page.select_option("[name=checker_user]", str(world.a.case_worker.pk))
        page.fill("[name=due_on]", (datetime.date.today() + datetime.timedelta(days=7)).isoformat())
        if safety:
            page.check("[name=is_safety]")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator("#agreements")).to_contain_text(what)
    page.locator(f"form[action$='/plans/{trajectory.pk}/submit/'] button").click()
    expect(page.locator(f"a[href$='/plans/{trajectory.pk}/edit/']")).to_have_count(0)
    assert_accessible(page)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"
    log_out(page, live_server)

    # The case worker checks the plan: first judged not met, so acceptance is refused; then met, accepted.
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/decide/']").click()
    expect(page.locator("input[name=outcome]").first).to_be_visible()  # the decision form is open
    assert_accessible(page)
    page.locator("input[name^=met_][value=not_met]").check()
    page.locator("textarea[name^=why_], input[name^=why_]").first.fill("Er staat niet wie 's nachts opvangt.")
    page.locator("input[name=outcome][value=accepted]").check()
    page.fill("[name=reason]", "Het plan is veilig genoeg.")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".errorlist, [role=alert]").first).to_be_visible()
    # The refusal is summarised at the top of the form, on the screen and focused, and stands beside the button.
    summary = page.locator(".error-summary")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    # Its link leads to the field the refusal is about, and puts the keyboard there.
    to_field = summary.locator("a[data-field]").first
    expect(to_field).to_contain_text("aanvaard")  # "cannot accept: a non-negotiable bottom line is not met"
    to_field.click()
    summary_focus = page.evaluate("document.activeElement.closest('.field') !== null")
    assert summary_focus and page.evaluate("document.activeElement.name") == "outcome"
    assert_accessible(page)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"
    page.locator("input[name^=met_][value=met]").check()
    page.locator("textarea[name^=why_], input[name^=why_]").first.fill("Oma vangt Sam op; Piet staat in.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/plans/{trajectory.pk}/(#decision-\d+)?$"))
    expect(page.locator("#decisions")).to_contain_text("Oma vangt Sam op")
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted" and plan.accepted_on == datetime.date.today()
    page.screenshot(path="/tmp/kring-plan.png", full_page=True)
    assert_accessible(page)
    log_out(page, live_server)

    # The coordinator makes Oma's personal link; its address is shown once.
    log_in(page, live_server, world.a.coordinator.email)
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/links/new/']").click()
    expect(page.locator("[name=person]")).to_be_visible()  # the link form is open
    assert_accessible(page)
    page.select_option("[name=person]", str(mw.oma.pk))
    page.locator("main form button[type=submit]").first.click()
    address = page.locator(".secret").first.inner_text().strip()
    assert re.search(r"/l/[\w-]{40,}/$", address)
    assert_accessible(page)
    log_out(page, live_server)

    # Oma, without an account: confirms the school agreement, reports the safety agreement not done.
    sleep = Agreement.objects.get(plan=plan, is_safety=True)
    school = Agreement.objects.get(plan=plan, is_safety=False)
    page.goto(address)
    expect(page.locator("h1")).to_contain_text("Oma")
    expect(page.locator("body")).not_to_contain_text(case.number)
    assert_accessible(page)
    page.locator(f"form[action$='/agreements/{school.pk}/confirm/'] button").click()
    report = page.locator(f"form[action$='/agreements/{sleep.pk}/report/']")
    report.locator("input[name=outcome][value=not_done]").check()
    report.locator("textarea[name=note]").fill("Ik lag zelf in het ziekenhuis.")
    report.locator("button[type=submit]").click()
    page.screenshot(path="/tmp/kring-plan-link.png", full_page=True)
    assert_accessible(page)
    assert Agreement.objects.get(pk=school.pk).confirmed_on == datetime.date.today()
    assert Agreement.objects.get(pk=sleep.pk).status == "not_done"

    # The case worker sees the safety alert at once.
    alert = Reminder.objects.get(kind="safety_alert", user=world.a.case_worker)
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(f"{live_server.url}/work/")
    expect(page.locator(f"input[name=reminder][value='{alert.pk}']")).to_be_visible()
    expect(page.locator("section[aria-labelledby=reminders-h]")).to_contain_text(case.number)
    assert_accessible(page)

    # The review shows both reports; the case worker records it.
    review = Review.objects.filter(plan=plan).order_by("planned_on").first()
    page.goto(f"{plan_url}reviews/{review.pk}/")
    with translation.override("nl"):
        confirmed_on = date_format(datetime.date.today(), "SHORT_DATE_FORMAT")
    expect(page.locator(f"#keeping-{school.pk}")).to_contain_text(confirmed_on)
    expect(page.locator(f"#keeping-{sleep.pk}")).to_contain_text("Ik lag zelf in het ziekenhuis.")
    assert_accessible(page)
    page.locator(f"#keeping-{school.pk} input[value=kept]").check()
    page.locator(f"#keeping-{sleep.pk} input[value=not_kept]").check()
    page.fill("[name=my_score]", "4")
    page.locator("input[name=decision][value=new_meeting]").check()
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#keeping")).to_contain_text("50")
    assert Review.objects.get(pk=review.pk).decision == "new_meeting"
    assert list(review.ratings.values_list("score", flat=True)) == [4]
    expect(page.locator(f"#review-{review.pk}")).to_contain_text("4")
    assert_accessible(page)
