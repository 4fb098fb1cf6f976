"""The method journey in a real browser: answer the selector, offer FNB, accept, the team lead allocates a
coordinator, prepare, plan the meeting, invite from the network map, hold the meeting with its three parts and
record attendance per part, showing that professionals were absent during private family time.

A screenshot of the meeting page lands in /tmp/kring-meeting.png.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kring.meetings.models import Attendance, Invitation, Meeting
from kring.network import services as network_services
from kring.trajectories.models import SelectorRun, Trajectory

from ..factories import actor
from .conftest import assert_accessible
from .test_foundation_journey import log_in, log_out

pytestmark = pytest.mark.browser


def _on_map(world, first, last, **member):
    return network_services.add_network_person(
        actor(world.a.case_worker), world.a.case.pk, {"first_name": first, "last_name": last}, member
    )


def _trajectory_url(live_server, case, trajectory):
    return f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/"


def test_selector_offer_allocate_prepare_invite_and_hold_the_meeting(page, live_server, world):
    case = world.a.case
    oma = _on_map(world, "Oma", "Jansen", domain="family", safety="safe", may_invite=True)
    _on_map(world, "Piet", "de Buurman", domain="neighbourhood_clubs", safety="safe", may_invite=True)
    kees = _on_map(world, "Kees", "Onveilig", domain="family", safety="unsafe", may_invite=False)

    # The case worker answers the selector from the case page.
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator(f"a[href='/cases/{case.pk}/trajectories/']").first.click()
    page.locator(f"a[href='/cases/{case.pk}/trajectories/selector/']").click()
    # From the map: the sibling already on the case and the three persons just added (the central child not).
    expect(page.locator("[name=network_size]")).to_have_value("4")
    assert_accessible(page)
    page.select_option("[name=safety_concern]", "some")
    page.select_option("[name=setting]", "foster_care")
    page.select_option("[name=motivation]", "high")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/selector/\d+/$"))
    expect(page.locator("ol.ranking > li").first).to_be_visible()
    assert_accessible(page)
    run = SelectorRun.objects.get(case=case)
    assert run.answers["setting"] == "foster_care"

    # Choose FNB (with a reason if it is not the top suggestion), then offer it.
    page.select_option("[name=chosen_method]", "fnb")
    if run.top_method != "fnb":
        page.fill("[name=choice_reason]", "Het gezin kent het familienetwerkberaad van de pleegzorg.")
    page.locator("section[aria-labelledby=choice-h] form").first.locator("button[type=submit]").click()
    expect(page.locator("[name=offered_on]")).to_be_visible()
    assert_accessible(page)
    page.locator(f"form[action='/cases/{case.pk}/trajectories/offer/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/\d+/$"))
    trajectory = Trajectory.objects.get(case=case)
    assert (trajectory.method_code, trajectory.selector_run_id) == ("fnb", run.pk)
    expect(page.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-offered"))
    assert_accessible(page)

    # The family accepts.
    page.select_option("[name=status]", "accepted")
    page.locator(f"form[action$='/{trajectory.pk}/status/'] button[type=submit]").click()
    expect(page.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-accepted"))
    expect(page.locator("#current-phase")).not_to_have_text("—")
    log_out(page, live_server)

    # The team lead allocates the coordinator.
    log_in(page, live_server, world.a.lead.email)
    page.goto(_trajectory_url(live_server, case, trajectory))
    assert_accessible(page)
    page.select_option("[name=coordinator]", str(world.a.coordinator.pk))
    page.locator(f"form[action$='/{trajectory.pk}/coordinator/'] button[type=submit]").click()
    expect(page.locator("#coordinator")).to_contain_text(str(world.a.coordinator))
    log_out(page, live_server)

    # The allocation started the preparation (the method's table); the coordinator plans the meeting (it took place
    # yesterday evening).
    log_in(page, live_server, world.a.coordinator.email)
    page.goto(_trajectory_url(live_server, case, trajectory))
    expect(page.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-preparing"))
    page.locator(f"a[href='/cases/{case.pk}/meetings/new/{trajectory.pk}/']").click()
    expect(page.locator("[name=kind]")).to_be_visible()  # the meeting form is open
    assert_accessible(page)
    start = (timezone.localtime() - datetime.timedelta(days=1)).replace(hour=18, minute=0)
    page.select_option("[name=kind]", "network_meeting")
    page.fill("[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=ends_at]", (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=place]", "Buurthuis De Kring, Tiel")
    page.fill("main [name=language]", "Nederlands")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/meetings/\d+/$"))
    meeting = Meeting.objects.get(trajectory=trajectory)
    assert [p.kind for p in meeting.parts.order_by("order")] == [
        "information",
        "private_family_time",
        "plan_presentation",
    ]

    # Invite from the map: the safe persons are ticked, the unsafe one is not.
    page.goto(f"{live_server.url}/cases/{case.pk}/meetings/{meeting.pk}/invite/")
    expect(page.locator(f"#person-{oma.pk}")).to_be_checked()
    expect(page.locator(f"#person-{kees.pk}")).not_to_be_checked()
    assert_accessible(page)
    # No consent is on file yet: the page names what the method needs, and inviting anyway takes a reason.
    expect(page.locator("#consent-needs-h")).to_be_visible()
    page.fill("#consent-reason", "Mondeling toegestemd bij het kennismakingsgesprek.")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("person__first_name", flat=True))
    assert {"Oma", "Piet"} <= invited and "Kees" not in invited

    # Attendance per part: the family everywhere; the coordinator not in private family time (disabled).
    page.goto(f"{live_server.url}/cases/{case.pk}/meetings/{meeting.pk}/attendance/")
    parts = {p.kind: p for p in meeting.parts.all()}
    oma_invitation = Invitation.objects.get(meeting=meeting, person=oma)
    for part in parts.values():
        page.check(f"[name=p{part.pk}_i{oma_invitation.pk}]")
    coordinator_private = page.locator(f"[name=p{parts['private_family_time'].pk}_u{world.a.coordinator.pk}]")
    expect(coordinator_private).to_be_disabled()
    assert_accessible(page)
    page.check(f"[name=p{parts['information'].pk}_u{world.a.coordinator.pk}]")
    page.check(f"[name=p{parts['plan_presentation'].pk}_u{world.a.coordinator.pk}]")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    expect(page.locator(".private-holds")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path="/tmp/kring-meeting.png", full_page=True)
    present = Attendance.objects.filter(part__meeting=meeting, present=True)
    assert present.filter(invitation=oma_invitation).count() == 3
    assert not present.filter(part=parts["private_family_time"], user__isnull=False).exists()

    # Back on the trajectory: recording who was there moved it on (the method's table), no step by hand.
    page.goto(_trajectory_url(live_server, case, trajectory))
    expect(page.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-meeting_held"))
