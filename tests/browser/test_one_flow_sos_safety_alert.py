"""One Signs of Safety trajectory from referral to closure (issue 14, "Must show"), with the safety-alert path
(item 6), three people each in their own browser and Oma on her personal link in a fourth.

The case worker records the referral, chooses Signs of Safety and offers it; the family says yes. Signs of Safety
is led by the family's own case worker, so no trajectory "without a coordinator" reaches the team lead; the team
lead still allocates a network coordinator from the team's work list, who is told. The case worker records the
Jeugdwet offer of a family group plan (a Dutch case). The coordinator plans the network meeting (which starts the
preparation) and holds it; the case worker sets a bottom line; the coordinator writes down the network safety plan
the family presented with its network, with a safety agreement for Oma and whom to call, and submits it; the case
worker is told, accepts it, and the plan counts as the family group plan (the Jeugdwet term is done, no "over
tijd"). Oma reports the safety agreement not done through her personal link, which tells her whom to call now;
the case worker is told in the inbox, sees the alert in the header, on the caseload and as a banner on the case
page, and acknowledges it with the action taken; a second report nobody acknowledges goes to the team lead once
the organisation's time has passed (the worker's scan, called here with the time moved on). A review that closes
the plan closes the trajectory.

At each step the trajectory's status and phase, each person's inbox and My work are checked, and axe-core may
find no serious or critical violation.
"""

import datetime
import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from kring.cases.models import Case
from kring.network import services as network_services
from kring.plans.alerts import services as alert_services
from kring.plans.models import Plan, Review, SafetyAlert
from kring.trajectories.models import FamilyPlanRight

from ..factories import actor
from .conftest import assert_accessible
from .test_one_flow_fnb import (
    _decide,
    _my_work,
    _open_from_inbox,
    _page,
    _register_referral,
    choose_and_offer,
    header_unread,
    hold_meeting,
    inbox_items,
    plan_meeting,
    shows_trajectory,
)

pytestmark = pytest.mark.browser

SAFETY = "Noor slaapt bij oma als het thuis onrustig is."
MAPPING, MEETING, PLAN = "In kaart brengen", "Netwerkberaad", "Plan van aanpak en veiligheidsplan"
TERM = "termijn voor het familiegroepsplan"  # the Jeugdwet step on My work (and the record)


def _report_not_done(page, live_server, address, note):
    """Oma, without an account, on her link page: whom to call, then the report."""
    page.goto(address)
    expect(page.locator("h1")).to_contain_text("Oma")
    call = page.locator(".link-emergency")
    for shown in ("Tante Els", "06 1122 3344", "112"):  # the plan's emergency contact; 112 where life is at risk
        expect(call).to_contain_text(shown)
    assert_accessible(page)
    form = page.locator("form[action$='/report/']").first
    form.locator("input[name=outcome][value=not_done]").check()
    form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    assert_accessible(page)


def test_one_signs_of_safety_from_referral_to_closure(browser, browser_context_args, live_server, world):
    a = world.a
    worker = _page(browser, browser_context_args, live_server, a.case_worker)
    lead = _page(browser, browser_context_args, live_server, a.lead)
    coordinator = _page(browser, browser_context_args, live_server, a.coordinator)
    everyone = (worker, lead, coordinator)
    for page in everyone:
        assert inbox_items(page, live_server) == []

    # 1. The case worker records the referral and offers Signs of Safety; the family says yes.
    case = _register_referral(worker, live_server, world)
    oma = network_services.add_network_person(
        actor(a.case_worker),
        case.pk,
        {"first_name": "Oma", "last_name": "Kringloop", "phone": "0612345678"},
        {"domain": "family", "safety": "safe", "may_invite": True},
    )
    trajectory = choose_and_offer(
        worker,
        live_server,
        case,
        "signs_of_safety",
        {"safety_concern": "serious", "setting": "family", "request": "safety", "motivation": "some"},
        "De zorgen gaan over de veiligheid thuis; het gezin wil er met het netwerk aan werken.",
    )
    shows_trajectory(worker, live_server, case, trajectory, "offered", "—")
    worker.select_option("[name=status]", "accepted")
    worker.locator(f"form[action$='/{trajectory.pk}/status/'] button[type=submit]").click()
    expect(worker.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-accepted"))
    shows_trajectory(worker, live_server, case, trajectory, "accepted", MAPPING)
    assert Case.objects.get(pk=case.pk).status == "active"
    # Led by the family's own case worker: nobody is told of a trajectory without a coordinator.
    for page in everyone:
        assert inbox_items(page, live_server) == []
    assert [r for r in _my_work(worker, live_server, case, axe=True) if MAPPING in r]
    assert _my_work(lead, live_server, case) == [] and _my_work(coordinator, live_server, case) == []

    # 2. A Dutch case: the case worker records the Jeugdwet offer of a family group plan, which the parents accept.
    worker.goto(f"{live_server.url}/cases/{case.pk}/trajectories/")
    worker.locator(f"main a[href='/cases/{case.pk}/trajectories/law/']").click()
    expect(worker.locator("[name=offered_on]")).to_be_visible()
    offered = timezone.localdate() - timedelta(days=14)
    worker.fill("[name=offered_on]", offered.isoformat())
    worker.select_option("[name=offered_by_party]", "provider")
    worker.fill("[name=reasonable_term_until]", (timezone.localdate() + timedelta(days=21)).isoformat())
    worker.select_option("[name=parents_answer]", "accepted")
    worker.fill("[name=parents_answered_on]", (offered + timedelta(days=1)).isoformat())
    assert_accessible(worker)
    worker.locator("main form button[type=submit]").first.click()
    expect(worker).to_have_url(f"{live_server.url}/cases/{case.pk}/trajectories/")
    expect(worker.locator("section[aria-labelledby=law-h]")).to_contain_text(TERM)
    assert [r for r in _my_work(worker, live_server, case) if TERM in r and "over tijd" not in r]

    # 3. The team lead allocates a network coordinator from the team's work list; the coordinator is told.
    lead.goto(f"{live_server.url}/work/")
    lead.locator(f"a[href='/work/team/{a.team.pk}/']").click()
    row = lead.locator("main tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("Signs of Safety")
    expect(row).to_contain_text("aanvaard")
    assert_accessible(lead)
    row.locator(f"a:text-is('{case.number}')").click()
    expect(lead).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    lead.select_option("[name=coordinator]", str(a.coordinator.pk))
    lead.locator(f"form[action$='/{trajectory.pk}/coordinator/'] button[type=submit]").click()
    expect(lead.locator("#coordinator")).to_contain_text(str(a.coordinator))
    # The method's table has no step for the allocation: the trajectory waits for the meeting.
    shows_trajectory(lead, live_server, case, trajectory, "accepted", MAPPING, axe=False)
    assert inbox_items(lead, live_server) == [] and inbox_items(worker, live_server) == []
    told = inbox_items(coordinator, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0] and "coördinator" in told[0], told
    _open_from_inbox(coordinator, live_server, case, "coördinator")
    expect(coordinator).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    assert header_unread(coordinator) == 0
    assert [r for r in _my_work(coordinator, live_server, case, axe=True) if MAPPING in r]

    # 4. The coordinator plans the network meeting (the preparation starts) and holds it (the meeting phase).
    coordinator.goto(f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/")
    meeting_id = plan_meeting(coordinator, live_server, case, trajectory)
    shows_trajectory(coordinator, live_server, case, trajectory, "preparing", MAPPING, axe=False)
    hold_meeting(coordinator, live_server, case, meeting_id, a.coordinator)
    for page in (coordinator, worker):
        shows_trajectory(page, live_server, case, trajectory, "meeting_held", MEETING, axe=page is coordinator)
        assert [r for r in _my_work(page, live_server, case) if MEETING in r]
    assert _my_work(lead, live_server, case) == [] and inbox_items(lead, live_server) == []

    plan_url = f"{live_server.url}/cases/{case.pk}/plans/{trajectory.pk}/"
    _safety_plan(worker, coordinator, live_server, case, trajectory, oma, a.case_worker, plan_url)
    # 6. The case worker is told, opens the plan from the inbox and accepts it: the trajectory has its plan.
    told = inbox_items(worker, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0] and "beslissing" in told[0], told
    _open_from_inbox(worker, live_server, case, "beslissing")
    expect(worker).to_have_url(re.compile(rf"/plans/{trajectory.pk}/$"))
    _decide(worker, plan_url, trajectory, "accepted", "Het netwerk zorgt dat Noor 's nachts veilig is.")
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted"
    # Presented by the family with its network, it is the Jeugdwet family group plan.
    expect(worker.locator("#decisions")).to_contain_text("familiegroepsplan")
    for page in everyone:
        shows_trajectory(page, live_server, case, trajectory, "plan_made", PLAN, axe=page is lead)
        assert inbox_items(page, live_server) == []
    worker.goto(f"{live_server.url}/cases/{case.pk}/trajectories/")
    law = worker.locator("section[aria-labelledby=law-h]")
    with translation.override("nl"):
        today = date_format(timezone.localdate(), "SHORT_DATE_FORMAT")
    expect(law).to_contain_text(f"{TERM} — afgerond op {today}")
    expect(law).not_to_contain_text("over tijd")
    assert FamilyPlanRight.objects.get(case=case).family_plan_made_on == timezone.localdate()
    steps = _my_work(worker, live_server, case)
    assert not [s for s in steps if TERM in s or "over tijd" in s], steps
    assert [s for s in steps if "slaapt bij oma" in s and "veiligheidsafspraak" in s], steps
    assert [s for s in _my_work(coordinator, live_server, case) if PLAN in s]

    address = _personal_link(coordinator, plan_url, trajectory, oma)
    oma_page = browser.new_context(**browser_context_args).new_page()
    oma_page.set_default_timeout(15_000)
    _alert_path(worker, lead, coordinator, oma_page, live_server, world, case, trajectory, address)
    _closing_review(worker, lead, coordinator, live_server, case, trajectory, plan, plan_url)


def _safety_plan(worker, coordinator, live_server, case, trajectory, oma, case_worker, plan_url):
    # 5. The case worker sets a bottom line; the coordinator writes down the safety plan the family presented with
    # its network at the meeting (yesterday), with whom to call and a safety agreement for Oma, and submits it.
    worker.goto(plan_url)
    worker.locator(f"a[href$='/plans/{trajectory.pk}/bottom-lines/new/']").click()
    expect(worker.locator("[name=text]")).to_be_visible()
    worker.fill("[name=text]", "Noor slaapt elke nacht op een veilige plek.")
    worker.fill("[name=reason]", "Er waren ruzies 's nachts waar Noor bij was.")
    worker.fill("[name=legal_basis]", "Vrijwillig kader")
    worker.select_option("[name=kind]", "non_negotiable")
    worker.locator("main form button[type=submit]").first.click()
    expect(worker.locator("#bottom-lines")).to_contain_text("veilige plek")
    assert_accessible(worker)

    coordinator.goto(plan_url)
    coordinator.locator(f"form[action$='/plans/{trajectory.pk}/start/'] button").click()
    coordinator.locator(f"a[href$='/plans/{trajectory.pk}/edit/']").first.click()
    expect(coordinator.locator("[name=concerns]")).to_be_visible()
    coordinator.fill("[name=concerns]", "Noor is 's nachts veilig, ook als het thuis onrustig wordt.")
    coordinator.fill("[name=if_it_goes_wrong]", "Dan belt mama oma en slaapt Noor bij oma.")
    coordinator.fill("[name=emergency_contact_name]", "Tante Els")
    coordinator.fill("[name=emergency_contact_phone]", "06 1122 3344")
    coordinator.fill("[name=child_view]", "Bij oma kan ik rustig slapen.")
    coordinator.fill("[name=presented_on]", (timezone.localdate() - timedelta(days=1)).isoformat())
    assert_accessible(coordinator)
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#family-words")).to_contain_text("'s nachts veilig")
    coordinator.locator(f"#agreements a[href$='/plans/{trajectory.pk}/agreements/new/']").click()
    expect(coordinator.locator("[name=what]")).to_be_visible()
    coordinator.fill("[name=what]", SAFETY)
    coordinator.select_option("[name=owner_person]", str(oma.pk))
    coordinator.select_option("[name=checker_user]", str(case_worker.pk))
    coordinator.fill("[name=due_on]", (datetime.date.today() + timedelta(days=7)).isoformat())
    coordinator.check("[name=is_safety]")
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#agreements")).to_contain_text("slaapt bij oma")
    coordinator.locator(f"form[action$='/plans/{trajectory.pk}/submit/'] button").click()
    expect(coordinator.locator(f"a[href$='/plans/{trajectory.pk}/edit/']")).to_have_count(0)
    assert_accessible(coordinator)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", MEETING, axe=False)


def _personal_link(coordinator, plan_url, trajectory, oma):
    """The coordinator makes Oma's personal link; its address is shown once."""
    coordinator.goto(plan_url)
    coordinator.locator(f"a[href$='/plans/{trajectory.pk}/links/new/']").click()
    expect(coordinator.locator("[name=person]")).to_be_visible()
    coordinator.select_option("[name=person]", str(oma.pk))
    coordinator.locator("main form button[type=submit]").first.click()
    address = coordinator.locator(".secret").first.inner_text().strip()
    assert re.search(r"/l/[\w-]{40,}/$", address)
    assert_accessible(coordinator)
    return address


def _alert_path(worker, lead, coordinator, oma, live_server, world, case, trajectory, address):
    a = world.a
    expect(worker.locator(".safety-header")).to_have_count(0)
    # 7. Oma reports the safety agreement not done.
    _report_not_done(oma, live_server, address, "Ik lag zelf in het ziekenhuis.")
    alert = SafetyAlert.objects.get(case=case)

    # The case worker: told in the inbox, the alert in the header, on the caseload and as a banner on the case page.
    told = inbox_items(worker, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0], told
    expect(worker.locator(".safety-header")).to_contain_text(case.number)
    assert inbox_items(lead, live_server) == [] and inbox_items(coordinator, live_server) == []
    worker.goto(f"{live_server.url}/cases/")  # the caseload names the case and its agreement
    expect(worker.locator(".safety-banner")).to_contain_text(case.number)
    expect(worker.locator(".safety-banner")).to_contain_text(SAFETY)
    assert_accessible(worker)
    _open_from_inbox(worker, live_server, case, "Veiligheidsalarm")  # to the case page
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
    assert inbox_items(worker, live_server) == []

    # A second report nobody acknowledges: before the organisation's time nothing goes up, after it the team lead
    # is told, once.
    _report_not_done(oma, live_server, address, "Weer niet gelukt.")
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
    _open_from_inbox(lead, live_server, case, "niet bevestigd")  # to the case page
    expect(lead.locator(f"#safety-alert-{second.pk}")).to_contain_text("Weer niet gelukt.")
    assert_accessible(lead)
    assert header_unread(lead) == 0
    # The case worker still has the open alert in the header, and the trajectory carries on.
    worker.goto(f"{live_server.url}/work/")
    expect(worker.locator(".safety-header")).to_contain_text(case.number)
    shows_trajectory(worker, live_server, case, trajectory, "plan_made", PLAN, axe=False)
    # Called by the team lead, the case worker acknowledges it on the case page.
    worker.goto(f"{live_server.url}/cases/{case.pk}/")
    banner = worker.locator(f"#safety-alert-{second.pk}")
    banner.locator("textarea[name=action_taken]").fill("Met mama en oma een nieuwe afspraak gemaakt.")
    banner.locator("button[type=submit]").click()
    expect(worker.locator(".safety-banner")).to_have_count(0)
    expect(worker.locator(".safety-header")).to_have_count(0)
    lead.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(lead.locator(".safety-banner")).to_have_count(0)
    for page in (worker, lead, coordinator):
        assert inbox_items(page, live_server) == []


def _closing_review(worker, lead, coordinator, live_server, case, trajectory, plan, plan_url):
    # 8. The review, held by the case worker, closes the plan: the trajectory closes by itself.
    review = Review.objects.filter(plan=plan).order_by("planned_on").first()
    worker.goto(f"{plan_url}reviews/{review.pk}/")
    expect(worker.locator("[id^=keeping-]").first).to_contain_text("Weer niet gelukt.")
    assert_accessible(worker)
    worker.locator("[id^=keeping-] input[value=partly]").first.check()
    worker.fill("[name=my_score]", "7")
    worker.locator("input[name=decision][value=close]").check()
    worker.locator("main form button[type=submit]").first.click()
    expect(worker.locator("#keeping")).to_be_visible()
    assert_accessible(worker)
    assert Review.objects.get(pk=review.pk).decision == "close"
    for page in (worker, coordinator, lead):
        shows_trajectory(page, live_server, case, trajectory, "closed", "—", axe=page is coordinator)
    # Nobody is left with an unread hand-off of this family, a step in My work, or an open alert.
    for page in (worker, coordinator, lead):
        assert inbox_items(page, live_server) == []
        assert _my_work(page, live_server, case) == []
        expect(page.locator(".safety-header")).to_have_count(0)
