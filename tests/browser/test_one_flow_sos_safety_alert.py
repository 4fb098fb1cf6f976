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

from kring.plans.alerts import services as alert_services
from kring.plans.models import Plan, Review, SafetyAlert
from kring.trajectories.models import FamilyPlanRight

from .conftest import assert_accessible
from .one_flow import (
    NOOR_BOTTOM_LINE,
    add_agreement,
    add_oma,
    allocate_coordinator,
    choose_and_offer,
    coordinator_is_told,
    decide,
    family_accepts,
    header_unread,
    hold_meeting,
    hold_review,
    inbox_items,
    my_work,
    new_page,
    nobody_left_with_work,
    noor_referral,
    open_from_inbox,
    open_plan_for_decision,
    open_walk,
    plan_network_meeting,
    register_referral,
    set_bottom_line,
    shows_trajectory,
    start_plan,
    submit_plan,
    told_once,
    write_family_words,
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
    walk = open_walk(browser, browser_context_args, live_server, world, a)
    worker, lead, coordinator = everyone = walk.everyone
    for page in everyone:
        assert inbox_items(page, live_server) == []

    # 1. The case worker records the referral and offers Signs of Safety; the family says yes.
    case = walk.case = register_referral(worker, live_server, noor_referral(world))
    oma = add_oma(a.case_worker, case, phone="0612345678")
    trajectory = walk.trajectory = choose_and_offer(
        worker,
        live_server,
        case,
        "signs_of_safety",
        {"safety_concern": "serious", "setting": "family", "request": "safety", "motivation": "some"},
        "De zorgen gaan over de veiligheid thuis; het gezin wil er met het netwerk aan werken.",
    )
    family_accepts(walk, MAPPING)
    # Led by the family's own case worker: nobody is told of a trajectory without a coordinator.
    for page in everyone:
        assert inbox_items(page, live_server) == []
    assert [r for r in my_work(worker, live_server, case, axe=True) if MAPPING in r]
    assert my_work(lead, live_server, case) == [] and my_work(coordinator, live_server, case) == []

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
    assert [r for r in my_work(worker, live_server, case) if TERM in r and "over tijd" not in r]

    # 3. The team lead allocates a network coordinator from the team's work list; the coordinator is told.
    lead.goto(f"{live_server.url}/work/")
    lead.locator(f"a[href='/work/team/{a.team.pk}/']").click()
    row = lead.locator("main tbody tr").filter(has_text=case.number)
    expect(row).to_contain_text("Signs of Safety")
    expect(row).to_contain_text("aanvaard")
    assert_accessible(lead)
    row.locator(f"a:text-is('{case.number}')").click()
    expect(lead).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    allocate_coordinator(lead, trajectory, a.coordinator)
    # The method's table has no step for the allocation: the trajectory waits for the meeting.
    shows_trajectory(lead, live_server, case, trajectory, "accepted", MAPPING, axe=False)
    assert inbox_items(lead, live_server) == [] and inbox_items(worker, live_server) == []
    coordinator_is_told(walk)
    assert [r for r in my_work(coordinator, live_server, case, axe=True) if MAPPING in r]

    # 4. The coordinator plans the network meeting (the preparation starts) and holds it (the meeting phase).
    meeting_id = plan_network_meeting(coordinator, live_server, case, trajectory)
    shows_trajectory(coordinator, live_server, case, trajectory, "preparing", MAPPING, axe=False)
    hold_meeting(coordinator, live_server, case, meeting_id, a.coordinator)
    for page in (coordinator, worker):
        shows_trajectory(page, live_server, case, trajectory, "meeting_held", MEETING, axe=page is coordinator)
        assert [r for r in my_work(page, live_server, case) if MEETING in r]
    assert my_work(lead, live_server, case) == [] and inbox_items(lead, live_server) == []

    plan_url = walk.plan_url
    presented = timezone.localdate() - timedelta(days=1)  # at the meeting, yesterday
    _safety_plan(worker, coordinator, live_server, case, trajectory, oma, a.case_worker, plan_url, presented)
    # 6. The case worker is told, opens the plan from the inbox and accepts it: the trajectory has its plan.
    open_plan_for_decision(worker, live_server, case, trajectory)
    reason = "Het netwerk zorgt dat Noor 's nachts veilig is."
    decide(worker, plan_url, trajectory, "accepted", reason, bottom_lines_met_because="Oma vangt Noor 's nachts op.")
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted"
    # Presented by the family with its network, it is the Jeugdwet family group plan.
    expect(worker.locator("#decisions")).to_contain_text("familiegroepsplan")
    for page in everyone:
        shows_trajectory(page, live_server, case, trajectory, "plan_made", PLAN, axe=page is lead)
        assert inbox_items(page, live_server) == []
    worker.goto(f"{live_server.url}/cases/{case.pk}/trajectories/")
    law = worker.locator("section[aria-labelledby=law-h]")
    # The record keeps the day the family presented its plan, not the day it was accepted (decision 141).
    with translation.override("nl"):
        presented_text = date_format(presented, "SHORT_DATE_FORMAT")
    expect(law).to_contain_text(f"{TERM} — afgerond op {presented_text}")
    expect(law).not_to_contain_text("over tijd")
    assert FamilyPlanRight.objects.get(case=case).family_plan_made_on == presented
    steps = my_work(worker, live_server, case)
    assert not [s for s in steps if TERM in s or "over tijd" in s], steps
    assert [s for s in steps if "slaapt bij oma" in s and "veiligheidsafspraak" in s], steps
    assert [s for s in my_work(coordinator, live_server, case) if PLAN in s]

    address = _personal_link(coordinator, plan_url, trajectory, oma)
    oma_page = new_page(browser, browser_context_args, live_server)  # Oma has no account: not logged in
    _alert_path(worker, lead, coordinator, oma_page, live_server, world, case, trajectory, address)
    _closing_review(walk, plan)


def _safety_plan(worker, coordinator, live_server, case, trajectory, oma, case_worker, plan_url, presented):
    # 5. The case worker sets a bottom line; the coordinator writes down the safety plan the family presented with
    # its network at the meeting (yesterday), with whom to call and a safety agreement for Oma, and submits it.
    set_bottom_line(worker, plan_url, trajectory, **NOOR_BOTTOM_LINE)

    start_plan(coordinator, plan_url, trajectory)
    words = {
        "concerns": "Noor is 's nachts veilig, ook als het thuis onrustig wordt.",
        "if_it_goes_wrong": "Dan belt mama oma en slaapt Noor bij oma.",
        "emergency_contact_name": "Tante Els",
        "emergency_contact_phone": "06 1122 3344",
        "child_view": "Bij oma kan ik rustig slapen.",
        "presented_on": presented.isoformat(),
    }
    write_family_words(coordinator, trajectory, words, "'s nachts veilig", axe=True)
    add_agreement(coordinator, trajectory, SAFETY, oma, case_worker, 7, is_safety=True)
    submit_plan(coordinator, trajectory)
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
    told_once(worker, live_server, case)
    expect(worker.locator(".safety-header")).to_contain_text(case.number)
    assert inbox_items(lead, live_server) == [] and inbox_items(coordinator, live_server) == []
    worker.goto(f"{live_server.url}/cases/")  # the caseload names the case and its agreement
    expect(worker.locator(".safety-banner")).to_contain_text(case.number)
    expect(worker.locator(".safety-banner")).to_contain_text(SAFETY)
    assert_accessible(worker)
    open_from_inbox(worker, live_server, case, "Veiligheidsalarm")  # to the case page
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
    told_once(lead, live_server, case)
    assert header_unread(lead) == 1
    open_from_inbox(lead, live_server, case, "niet bevestigd")  # to the case page
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


def _closing_review(walk, plan):
    # 8. The review, held by the case worker, closes the plan: the trajectory closes by itself.
    review = Review.objects.filter(plan=plan).order_by("planned_on").first()
    hold_review(walk.worker, walk.plan_url, review, "partly", "close", score="7", shows="Weer niet gelukt.")
    for page in walk.everyone:
        shows_trajectory(page, walk.server, walk.case, walk.trajectory, "closed", "—", axe=page is walk.coordinator)
    # Nobody is left with an unread hand-off of this family, a step in My work, or an open alert.
    nobody_left_with_work(walk)
    for page in walk.everyone:
        expect(page.locator(".safety-header")).to_have_count(0)
