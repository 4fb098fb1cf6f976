"""Signs of Safety, the safety-alert path (issue 14, "Must show", item 6), in real browsers: with a network safety
plan accepted (made through the services here; tests/browser/test_one_flow_fnb.py walks those steps on the pages),
Oma reports the safety agreement not done through her personal link, which tells her whom to call now; the case
worker is told in the inbox, sees the banner on the case page and the alert in the header, and acknowledges it with
the action taken; a second report nobody acknowledges goes to the team lead once the organisation's time has passed
(the worker's scan, called here with the time moved on). axe-core on every page.
"""

import datetime
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kring.network import services as network_services
from kring.plans import services as plan_services
from kring.plans.alerts import services as alert_services
from kring.plans.links import services as link_services
from kring.plans.models import SafetyAlert
from kring.trajectories import services as trajectory_services

from ..factories import actor
from .conftest import assert_accessible
from .test_foundation_journey import log_in
from .test_one_flow_fnb import header_unread, inbox_items, shows_trajectory

pytestmark = pytest.mark.browser

SAFETY = "Noor slaapt bij oma als het thuis onrustig is."


def _accepted_safety_plan(world):
    """A Signs of Safety trajectory on world.a.case with an accepted safety plan: one safety agreement for Oma,
    checked by the case worker; and Oma's personal link (its secret)."""
    a, case, today = world.a, world.a.case, timezone.localdate()
    worker, coordinator = actor(a.case_worker), actor(a.coordinator)
    oma = network_services.add_network_person(
        worker,
        case.pk,
        {"first_name": "Oma", "last_name": "Veilig", "phone": "0612345678"},
        {"domain": "family", "safety": "safe", "may_invite": True},
    )
    t = trajectory_services.offer_trajectory(worker, case.pk, "signs_of_safety", today - timedelta(days=20))
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", today - timedelta(days=19))
    t = trajectory_services.allocate_coordinator(actor(a.lead), case.pk, t.pk, a.coordinator.pk, on=today)
    t = trajectory_services.change_status(worker, case.pk, t.pk, "preparing", today, note="Op papier.")
    t = trajectory_services.change_status(worker, case.pk, t.pk, "meeting_held", today, note="Op papier.")
    plan = plan_services.start_plan(coordinator, case.pk, t.pk)
    plan = plan_services.update_plan(
        coordinator,
        case.pk,
        plan.pk,
        {
            "concerns": "Noor is 's nachts veilig.",
            "if_it_goes_wrong": "Dan belt mama oma.",
            "presented_on": today,
        },
        plan.version,
    )
    plan_services.add_agreement(
        coordinator,
        case.pk,
        plan.pk,
        {
            "what": SAFETY,
            "owner_person": oma.pk,
            "checker_user": a.case_worker.pk,
            "is_safety": True,
            "due_on": today + timedelta(days=7),
        },
    )
    plan.refresh_from_db()
    plan = plan_services.submit_plan(coordinator, case.pk, plan.pk, plan.version)
    plan_services.decide_plan(worker, case.pk, plan.pk, "accepted", "Veilig genoeg.", {}, plan.version)
    _link, secret = link_services.create_link(coordinator, case.pk, plan.pk, oma.pk)
    return t, secret


def _report_not_done(page, live_server, secret, note):
    """Oma, without an account, on her link page: whom to call, then the report."""
    page.goto(f"{live_server.url}/l/{secret}/")
    expect(page.locator("h1")).to_contain_text("Oma")
    expect(page.locator("main")).to_contain_text("112")  # where life is at risk
    assert_accessible(page)
    form = page.locator("form[action$='/report/']").first
    form.locator("input[name=outcome][value=not_done]").check()
    form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    assert_accessible(page)


def _page(browser, browser_context_args):
    page = browser.new_context(**browser_context_args).new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_safety_report_is_unmistakable_acknowledged_and_escalated(browser, browser_context_args, live_server, world):
    a, case = world.a, world.a.case
    trajectory, secret = _accepted_safety_plan(world)
    oma, worker, lead = (_page(browser, browser_context_args) for _ in range(3))
    log_in(worker, live_server, a.case_worker.email)
    log_in(lead, live_server, a.lead.email)
    shows_trajectory(worker, live_server, case, trajectory, "plan_made", "Plan van aanpak en veiligheidsplan")
    assert inbox_items(worker, live_server) == []
    expect(worker.locator(".safety-header")).to_have_count(0)

    # Oma reports the safety agreement not done.
    _report_not_done(oma, live_server, secret, "Ik lag zelf in het ziekenhuis.")
    alert = SafetyAlert.objects.get(case=case)

    # The case worker: told in the inbox, the alert in the header, on the caseload and as a banner on the case page.
    told = inbox_items(worker, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0], told
    expect(worker.locator(".safety-header")).to_contain_text(case.number)
    worker.goto(f"{live_server.url}/cases/")  # the caseload names the case and its agreement
    expect(worker.locator(".safety-banner")).to_contain_text(case.number)
    expect(worker.locator(".safety-banner")).to_contain_text(SAFETY)
    assert_accessible(worker)
    worker.goto(f"{live_server.url}/cases/{case.pk}/")
    banner = worker.locator(f"#safety-alert-{alert.pk}")
    for shown in (SAFETY, "Oma", "Ik lag zelf in het ziekenhuis."):
        expect(banner).to_contain_text(shown)
    assert_accessible(worker)
    # Acknowledged with the action taken: the banner and the header's alert are gone.
    banner.locator("textarea[name=action_taken]").fill("Mama gebeld; Noor slaapt vannacht bij de buurvrouw.")
    banner.locator("button[type=submit]").click()
    expect(worker).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(worker.locator(".safety-banner")).to_have_count(0)
    expect(worker.locator(".safety-header")).to_have_count(0)
    assert_accessible(worker)
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == a.case_worker.pk and "buurvrouw" in alert.action_taken

    # A second report nobody acknowledges: before the organisation's time nothing goes up, after it the team lead
    # is told, once.
    _report_not_done(oma, live_server, secret, "Weer niet gelukt.")
    second = SafetyAlert.objects.get(case=case, acknowledged_at__isnull=True)
    hours = alert_services.hours_for(a.org.pk)
    assert alert_services.escalate_alerts(second.raised_at + timedelta(hours=hours) - timedelta(minutes=1)) == 0
    assert inbox_items(lead, live_server) == []
    later = second.raised_at + timedelta(hours=hours, minutes=1)
    assert alert_services.escalate_alerts(later) == 1
    assert alert_services.escalate_alerts(later + datetime.timedelta(hours=1)) == 0
    told = inbox_items(lead, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0], told
    assert header_unread(lead) == 1
    lead.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(lead.locator(f"#safety-alert-{second.pk}")).to_contain_text("Weer niet gelukt.")
    assert_accessible(lead)
    # The case worker still has the open alert in the header, and the trajectory carries on.
    worker.goto(f"{live_server.url}/work/")
    expect(worker.locator(".safety-header")).to_contain_text(case.number)
    shows_trajectory(worker, live_server, case, trajectory, "plan_made", "Plan van aanpak en veiligheidsplan")
