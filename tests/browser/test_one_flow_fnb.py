"""One familienetwerkberaad from referral to closure (issue 14, "Must show"), three people each in their own
browser: the case worker records the referral and chooses FNB; the trajectory without a coordinator reaches the
team lead's inbox; the team lead allocates the coordinator, who is told; the coordinator plans and holds the
meeting (the method's table moves the trajectory on); the case worker sets a bottom line, the coordinator
writes down the plan and submits it; the case worker is told, sends it back once (the coordinator is told), and
accepts it when it comes back; a review that closes the plan closes the trajectory.

At each step the trajectory's status and phase, each person's inbox (the page and the unread count in the
header) and My work are checked, and axe-core may find no serious or critical violation.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kring.cases.models import Case
from kring.network import services as network_services
from kring.plans.models import Plan, Review
from kring.trajectories.models import Trajectory

from ..factories import actor
from .conftest import assert_accessible
from .test_foundation_journey import log_in

pytestmark = pytest.mark.browser


def _page(browser, browser_context_args, live_server, user):
    """A browser of this person's own (own cookies), logged in."""
    page = browser.new_context(**browser_context_args).new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, user.email)
    return page


def header_unread(page):
    """The unread count the header shows on the inbox link (0 when it shows none)."""
    badge = page.locator("nav a[href='/inbox/'] .badge")
    if badge.count() == 0:
        return 0
    return int(re.match(r"\d+", badge.inner_text().strip()).group())


def inbox_items(page, live_server, axe=False):
    """Open the inbox; the texts of the unread notifications, the count in the header."""
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("h1")).to_be_visible()
    if axe:
        assert_accessible(page)
    unread = [item.inner_text() for item in page.locator("ul.inbox > li.unread").all()]
    assert header_unread(page) == len(unread), (page.url, header_unread(page), unread)
    return unread


def _open_from_inbox(page, live_server, case, title):
    """Open the unread notification with this title (it leads to the case's page and is read then)."""
    page.goto(f"{live_server.url}/inbox/")
    item = page.locator("ul.inbox > li.unread").filter(has_text=title)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(case.number)
    item.locator("button[name=open]").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/"))


def _my_work(page, live_server, case, axe=False):
    """Open My work; the rows of its steps (what is due) for this case."""
    page.goto(f"{live_server.url}/work/")
    expect(page.locator("h1")).to_be_visible()
    if axe:
        assert_accessible(page)
    rows = page.locator("section[aria-labelledby=steps-h] tbody tr").filter(has_text=case.number)
    return [" ".join(row.inner_text().split()) for row in rows.all()]


def shows_trajectory(page, live_server, case, trajectory, status, phase, axe=True):
    """The trajectory page shows this status (its code as the badge's class) and this current phase."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/")
    expect(page.locator("#trajectory-status")).to_have_attribute("class", re.compile(rf"\bstatus-{status}\b"))
    expect(page.locator("#current-phase")).to_have_text(phase)
    if axe:
        assert_accessible(page)


def _register_referral(page, live_server, world):
    page.locator("nav a[href='/cases/new/']").click()
    page.fill("[name=family_name]", "Familie Kringloop")
    page.select_option("[name=team]", str(world.a.team.pk))
    page.select_option("[name=legal_context]", "nl_voluntary")
    page.select_option("[name=safety_concern]", "some")
    page.fill("[name=central_reason]", "Noor is degene over wie de zorgen gaan.")
    page.fill("[name=referral_date]", (datetime.date.today() - datetime.timedelta(days=14)).isoformat())
    page.fill("[name=referrer_name]", "Mevr. Bakker, huisarts")
    page.select_option("[name=referral_route]", "school")
    page.fill("[name=question]", "Wij willen dat Noor weer rustig thuis kan wonen.")
    page.fill("[name=person-0-first_name]", "Noor")
    page.fill("[name=person-0-last_name]", "Kringloop")
    page.fill("[name=person-0-birth_date]", "2015-04-09")
    page.select_option("[name=person-0-gender]", "female")
    assert_accessible(page)
    page.locator("main form[method=post] button[type=submit]").click()
    case = Case.objects.get(family_name="Familie Kringloop")
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    assert_accessible(page)
    return case


def choose_and_offer(page, live_server, case, method, answers, reason):
    """The case worker runs the selector with these answers (field name: value), chooses the method by its code
    (with the reason, asked when it is not the top suggestion) and offers it; the trajectory's page opens."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/selector/")
    for name, value in answers.items():
        page.select_option(f"[name={name}]", value)
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/selector/\d+/$"))
    assert_accessible(page)
    page.select_option("[name=chosen_method]", method)
    reason_field = page.locator("[name=choice_reason]")
    if reason_field.is_visible():
        reason_field.fill(reason)
    page.locator("section[aria-labelledby=choice-h] form").first.locator("button[type=submit]").click()
    expect(page.locator("[name=offered_on]")).to_be_visible()
    page.locator(f"form[action='/cases/{case.pk}/trajectories/offer/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/\d+/$"))
    return Trajectory.objects.get(case=case, method_code=method)


def _choose_and_offer_fnb(page, live_server, case):
    return choose_and_offer(
        page,
        live_server,
        case,
        "fnb",
        {"safety_concern": "some", "setting": "foster_care", "motivation": "high"},
        "Het gezin kent het familienetwerkberaad al.",
    )


def plan_meeting(page, live_server, case, trajectory):
    """From the trajectory's page: the network meeting, yesterday evening; the meeting's id."""
    page.locator(f"a[href='/cases/{case.pk}/meetings/new/{trajectory.pk}/']").click()
    expect(page.locator("[name=kind]")).to_be_visible()
    assert_accessible(page)
    start = (timezone.localtime() - datetime.timedelta(days=1)).replace(hour=18, minute=0)
    page.select_option("[name=kind]", "network_meeting")
    page.fill("[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=ends_at]", (start + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=place]", "Buurthuis De Kring, Tiel")
    page.fill("main [name=language]", "Nederlands")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/meetings/(\d+)/$"))
    return re.search(r"/meetings/(\d+)/$", page.url).group(1)


def hold_meeting(page, live_server, case, meeting_id, user):
    """Attendance: this user in every part of the meeting they can be ticked for (which records it held)."""
    page.goto(f"{live_server.url}/cases/{case.pk}/meetings/{meeting_id}/attendance/")
    for box in page.locator(f"input[type=checkbox][name$='_u{user.pk}']:not([disabled])").all():
        box.check()
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/$"))


def _plan_and_hold_meeting(page, live_server, case, trajectory, coordinator):
    hold_meeting(page, live_server, case, plan_meeting(page, live_server, case, trajectory), coordinator)


def _write_and_submit_plan(page, plan_url, trajectory, oma, case_worker, first_time):
    page.goto(plan_url)
    if first_time:
        page.locator(f"form[action$='/plans/{trajectory.pk}/start/'] button").click()
    page.locator(f"a[href$='/plans/{trajectory.pk}/edit/']").first.click()
    expect(page.locator("[name=concerns]")).to_be_visible()
    page.fill("[name=concerns]", "Noor kan rustig slapen en gaat elke dag naar school.")
    page.fill("[name=if_it_goes_wrong]", "Dan belt mama oma en slaapt Noor bij oma.")
    page.fill("[name=child_view]", "Ik wil bij oma kunnen logeren.")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#family-words")).to_contain_text("rustig slapen")
    if first_time:
        page.locator(f"#agreements a[href$='/plans/{trajectory.pk}/agreements/new/']").click()
        expect(page.locator("[name=what]")).to_be_visible()
        page.fill("[name=what]", "Noor slaapt bij oma als het thuis onrustig is.")
        page.select_option("[name=owner_person]", str(oma.pk))
        page.select_option("[name=checker_user]", str(case_worker.pk))
        page.fill("[name=due_on]", (datetime.date.today() + datetime.timedelta(days=7)).isoformat())
        page.check("[name=is_safety]")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator("#agreements")).to_contain_text("slaapt bij oma")
    page.locator(f"form[action$='/plans/{trajectory.pk}/submit/'] button").click()
    expect(page.locator(f"a[href$='/plans/{trajectory.pk}/edit/']")).to_have_count(0)
    assert_accessible(page)


def _decide(page, plan_url, trajectory, outcome, reason):
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/decide/']").click()
    expect(page.locator("input[name=outcome]").first).to_be_visible()
    assert_accessible(page)
    page.locator("input[name^=met_][value=met]").check()
    page.locator("textarea[name^=why_], input[name^=why_]").first.fill("Oma vangt Noor 's nachts op.")
    page.locator(f"input[name=outcome][value={outcome}]").check()
    page.fill("[name=reason]", reason)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/plans/{trajectory.pk}/(#decision-\d+)?$"))
    assert_accessible(page)


def test_one_fnb_from_referral_to_closure(browser, browser_context_args, live_server, world):
    a = world.a
    worker = _page(browser, browser_context_args, live_server, a.case_worker)
    lead = _page(browser, browser_context_args, live_server, a.lead)
    coordinator = _page(browser, browser_context_args, live_server, a.coordinator)
    for page in (worker, lead, coordinator):
        assert inbox_items(page, live_server) == []

    # 1. The case worker records the referral and chooses FNB (offered, then accepted by the family).
    case = _register_referral(worker, live_server, world)
    oma = network_services.add_network_person(
        actor(a.case_worker),
        case.pk,
        {"first_name": "Oma", "last_name": "Kringloop"},
        {"domain": "family", "safety": "safe", "may_invite": True},
    )
    trajectory = _choose_and_offer_fnb(worker, live_server, case)
    f = SimpleNamespace(
        worker=worker,
        lead=lead,
        coordinator=coordinator,
        server=live_server,
        world=world,
        case=case,
        oma=oma,
        trajectory=trajectory,
        plan_url=f"{live_server.url}/cases/{case.pk}/plans/{trajectory.pk}/",
    )
    shows_trajectory(worker, live_server, case, trajectory, "offered", "—")
    worker.select_option("[name=status]", "accepted")
    worker.locator(f"form[action$='/{trajectory.pk}/status/'] button[type=submit]").click()
    expect(worker.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-accepted"))
    shows_trajectory(worker, live_server, case, trajectory, "accepted", "Voorbereiding")
    assert Case.objects.get(pk=case.pk).status == "active"  # the family's yes made the case active (the table)
    assert inbox_items(worker, live_server) == [] and inbox_items(coordinator, live_server) == []

    _allocation(f)
    _meeting_and_plan(f)
    _decision_to_closure(f)


def _allocation(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    a = f.world.a
    # 2. The trajectory without a coordinator is in the team lead's inbox; the lead opens it and allocates.
    # My work: the case worker has the preparation's planned end; the others nothing of this family yet.
    assert [r for r in _my_work(worker, live_server, case, axe=True) if "Voorbereiding" in r], "case worker"
    assert _my_work(lead, live_server, case, axe=True) == []
    assert _my_work(coordinator, live_server, case) == []
    told = inbox_items(lead, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0] and "coördinator" in told[0], told
    _open_from_inbox(lead, live_server, case, "zonder coördinator")
    expect(lead).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    assert header_unread(lead) == 0
    lead.select_option("[name=coordinator]", str(a.coordinator.pk))
    lead.locator(f"form[action$='/{trajectory.pk}/coordinator/'] button[type=submit]").click()
    expect(lead.locator("#coordinator")).to_contain_text(str(a.coordinator))
    assert inbox_items(lead, live_server) == []
    shows_trajectory(lead, live_server, case, trajectory, "preparing", "Voorbereiding")

    # 3. The coordinator is told, opens the trajectory from the inbox and sees the preparation in My work.
    told = inbox_items(coordinator, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0], told
    _open_from_inbox(coordinator, live_server, case, "coördinator")
    shows_trajectory(coordinator, live_server, case, trajectory, "preparing", "Voorbereiding")
    assert [r for r in _my_work(coordinator, live_server, case, axe=True) if "Voorbereiding" in r]


def _meeting_and_plan(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    a = f.world.a
    oma, plan_url = f.oma, f.plan_url
    # 4. The coordinator plans and holds the meeting: recording attendance moves the trajectory on by itself.
    coordinator.goto(f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/")
    _plan_and_hold_meeting(coordinator, live_server, case, trajectory, a.coordinator)
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", "Netwerkberaad")
    shows_trajectory(worker, live_server, case, trajectory, "meeting_held", "Netwerkberaad", axe=False)
    for page in (worker, coordinator):
        steps = _my_work(page, live_server, case)
        assert steps and all("Netwerkberaad" in step for step in steps), steps
    assert _my_work(lead, live_server, case) == [] and inbox_items(lead, live_server) == []

    # 5. The case worker sets a bottom line; the coordinator writes down the plan and submits it.
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
    _write_and_submit_plan(coordinator, plan_url, trajectory, oma, a.case_worker, first_time=True)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"


def _decision_to_closure(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    a = f.world.a
    oma, plan_url = f.oma, f.plan_url
    # 6. The case worker's inbox has the plan for decision; it is sent back once, which the coordinator is told.
    told = inbox_items(worker, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0] and "beslissing" in told[0], told
    _open_from_inbox(worker, live_server, case, "beslissing")
    expect(worker).to_have_url(re.compile(rf"/plans/{trajectory.pk}/$"))
    _decide(worker, plan_url, trajectory, "sent_back", "Schrijf erbij wie Noor naar school brengt.")
    assert Plan.objects.get(trajectory=trajectory).status == "sent_back"
    assert inbox_items(worker, live_server) == []
    told = inbox_items(coordinator, live_server)
    assert len(told) == 1 and case.number in told[0] and "teruggestuurd" in told[0], told
    _open_from_inbox(coordinator, live_server, case, "teruggestuurd")
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", "Netwerkberaad", axe=False)

    # 7. Handed in again (the next version), the case worker is told again and accepts: the plan is made.
    _write_and_submit_plan(coordinator, plan_url, trajectory, oma, a.case_worker, first_time=False)
    told = inbox_items(worker, live_server)
    assert len(told) == 1 and case.number in told[0], told
    _decide(worker, plan_url, trajectory, "accepted", "Het plan is veilig genoeg.")
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted" and plan.edition == 2
    assert inbox_items(worker, live_server) == []
    for page in (worker, coordinator, lead):
        shows_trajectory(
            page, live_server, case, trajectory, "plan_made", "Uitvoering en opvolging", axe=page is worker
        )
    # My work: the case worker checks the safety agreement; both follow the execution phase.
    steps = _my_work(worker, live_server, case)
    assert [step for step in steps if "slaapt bij oma" in step and "veiligheidsafspraak" in step], steps
    assert [step for step in _my_work(coordinator, live_server, case) if "Uitvoering en opvolging" in step]

    # 8. The review, held by the case worker, closes the plan: the trajectory closes by itself.
    review = Review.objects.filter(plan=plan).order_by("planned_on").first()
    worker.goto(f"{plan_url}reviews/{review.pk}/")
    assert_accessible(worker)
    worker.locator("[id^=keeping-] input[value=kept]").first.check()
    worker.fill("[name=my_score]", "8")
    worker.locator("input[name=decision][value=close]").check()
    worker.locator("main form button[type=submit]").first.click()
    expect(worker.locator("#keeping")).to_be_visible()
    assert_accessible(worker)
    assert Review.objects.get(pk=review.pk).decision == "close"
    for page in (worker, coordinator, lead):
        shows_trajectory(page, live_server, case, trajectory, "closed", "—", axe=page is lead)
    # Nobody is left with an unread hand-off of this family, nor a step in My work.
    for page in (worker, coordinator, lead):
        assert inbox_items(page, live_server) == []
        assert _my_work(page, live_server, case) == []
