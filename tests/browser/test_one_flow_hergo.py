"""One herstelgericht groepsoverleg (Hergo) from referral to closure (issue 14, "Must show", the Flemish
methods), three people each in their own browser, in a Flemish organisation.

What differs from the familienetwerkberaad (test_one_flow_fnb.py): a Flemish case (legal context "vrijwillige
jeugdhulp", referred by the school) for which the method selector proposes Hergo at school after an incident with
a victim; Hergo's own phases (the first, "Aanmelding en toets", ends when the team lead allocates the independent
coordinator, who starts the preparatory talks); the group conference's own parts (conversation, repair,
agreements: no private part, so the coordinator is present throughout); a restoration plan accepted at once; no
Jeugdwet deadline anywhere (a Flemish case); and the follow-up held by the coordinator, as the method says: a
first review that continues the plan moves the trajectory into follow-up, an extra review moment the coordinator
plans and holds closes the plan and with it the trajectory. Closed, the trajectory's timeline says in Dutch what
moved it and why, and its pages offer no step the services would refuse.

At each step the trajectory's status and phase, each person's inbox (the page and the unread count in the header)
and My work are checked, axe-core may find no serious or critical violation, and the pages read as Dutch (no
English word, no code).
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kring.cases.models import Case
from kring.plans.models import Plan, Review
from kring.trajectories.models import Trajectory, TrajectoryPhase

from ..test_dutch_pages import problems_in, visible_text
from .conftest import assert_accessible
from .test_one_flow_fnb import _my_work, _open_from_inbox, _page, header_unread, inbox_items, shows_trajectory

pytestmark = pytest.mark.browser

FAMILY = "Familie Hersteller"


def reads_as_dutch(page, names):
    """The page the browser shows holds no English word and no code (the world's own names taken out)."""
    found = problems_in(visible_text(page.content()), {name for name in names if name}, codes={"hergo"})
    assert not found, (page.url, found)


def next_step(page, live_server, case, names):
    """The case page's hint of what the method expects next ("" when no trajectory is under way)."""
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("h1")).to_contain_text(case.family_name)
    reads_as_dutch(page, names)
    hint = page.locator(".next-steps .next-step-text")
    return " ".join(hint.inner_text().split()) if hint.count() else ""


def _register_flemish_referral(page, live_server, world):
    """The Flemish case worker records the referral: the school refers Daan after an incident at school."""
    page.locator("nav a[href='/cases/new/']").click()
    page.fill("[name=family_name]", FAMILY)
    page.select_option("[name=team]", str(world.b.team.pk))
    page.select_option("[name=legal_context]", "vl_voluntary")
    page.select_option("[name=safety_concern]", "some")
    page.fill("[name=central_reason]", "Daan sloeg een klasgenoot en wil het goedmaken.")
    page.fill("[name=referral_date]", (datetime.date.today() - datetime.timedelta(days=10)).isoformat())
    page.fill("[name=referrer_name]", "Dhr. Peeters, directeur")
    page.select_option("[name=referral_route]", "school")
    page.fill("[name=question]", "Wij willen dat Daan terug naar school kan en dat Lotte zich weer veilig voelt.")
    page.fill("[name=person-0-first_name]", "Daan")
    page.fill("[name=person-0-last_name]", "Hersteller")
    page.fill("[name=person-0-birth_date]", "2011-02-17")
    page.select_option("[name=person-0-gender]", "male")
    assert_accessible(page)
    page.locator("main form[method=post] button[type=submit]").click()
    case = Case.objects.get(family_name=FAMILY)
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    assert_accessible(page)
    return case


def _choose_and_offer_hergo(page, live_server, case, names):
    """The selector, answered for an incident with a victim at school, proposes Hergo; its school variant is
    chosen and offered."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/selector/")
    page.select_option("[name=safety_concern]", "some")
    page.select_option("[name=legal_context]", "vl_voluntary")
    page.select_option("[name=setting]", "school")
    page.select_option("[name=request]", "restoration")
    page.select_option("[name=motivation]", "high")
    page.check("[name=incident_with_victim]")
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/selector/\d+/$"))
    expect(page.locator("ol.ranking > li").first).to_have_id("method-hergo")
    assert_accessible(page)
    reads_as_dutch(page, names)
    page.select_option("[name=chosen_method]", "hergo")
    page.select_option("[name=chosen_variant]", "school")
    reason = page.locator("[name=choice_reason]")
    if reason.is_visible():
        reason.fill("De school wil herstel in plaats van een tuchtmaatregel.")
    page.locator("section[aria-labelledby=choice-h] form").first.locator("button[type=submit]").click()
    expect(page.locator("[name=offered_on]")).to_be_visible()
    expect(page.locator("[name=variant_code]")).to_have_value("school")
    page.locator(f"form[action='/cases/{case.pk}/trajectories/offer/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/\d+/$"))
    trajectory = Trajectory.objects.get(case=case)
    assert (trajectory.method_code, trajectory.variant_code) == ("hergo", "school")
    return trajectory


def test_one_hergo_from_referral_to_closure(browser, browser_context_args, live_server, world):
    b = world.b
    worker = _page(browser, browser_context_args, live_server, b.case_worker)
    lead = _page(browser, browser_context_args, live_server, b.lead)
    coordinator = _page(browser, browser_context_args, live_server, b.coordinator)
    for page in (worker, lead, coordinator):
        assert inbox_items(page, live_server) == []
    names = {FAMILY, "Daan", "Hersteller", "Lotte", "Peeters", b.org.name, b.team.name}
    for user in (b.case_worker, b.coordinator, b.lead):
        names |= {user.get_full_name(), user.first_name, user.last_name, str(user)}

    # 1. The case worker records the referral and chooses Hergo; the family accepts the offer.
    case = _register_flemish_referral(worker, live_server, world)
    trajectory = _choose_and_offer_hergo(worker, live_server, case, names)
    f = SimpleNamespace(
        worker=worker,
        lead=lead,
        coordinator=coordinator,
        server=live_server,
        world=world,
        case=case,
        names=names,
        trajectory=trajectory,
        plan_url=f"{live_server.url}/cases/{case.pk}/plans/{trajectory.pk}/",
    )
    shows_trajectory(worker, live_server, case, trajectory, "offered", "—")
    reads_as_dutch(worker, names)
    worker.select_option("[name=status]", "accepted")
    worker.locator(f"form[action$='/{trajectory.pk}/status/'] button[type=submit]").click()
    expect(worker.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-accepted"))
    shows_trajectory(worker, live_server, case, trajectory, "accepted", "Aanmelding en toets")
    assert Case.objects.get(pk=case.pk).status == "active"
    assert inbox_items(worker, live_server) == [] and inbox_items(coordinator, live_server) == []
    assert "coördinator toe" in next_step(worker, live_server, case, names)  # the team lead allocates one

    _allocation(f)
    _conference_and_plan(f)
    _decision_to_follow_up(f)
    _closing_review(f)


def _allocation(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    b = f.world.b
    # 2. The team lead is told the trajectory has no coordinator; My work shows the registration's planned end
    # to the case worker, nothing of this family to the others, and no Jeugdwet deadline (a Flemish case).
    steps = _my_work(worker, live_server, case, axe=True)
    assert steps and all("Aanmelding en toets" in step for step in steps), steps
    reads_as_dutch(worker, f.names)
    assert _my_work(lead, live_server, case, axe=True) == []
    assert _my_work(coordinator, live_server, case) == []
    told = inbox_items(lead, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0] and "coördinator" in told[0], told
    reads_as_dutch(lead, f.names)
    _open_from_inbox(lead, live_server, case, "zonder coördinator")
    expect(lead).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    assert header_unread(lead) == 0
    lead.select_option("[name=coordinator]", str(b.coordinator.pk))
    lead.locator(f"form[action$='/{trajectory.pk}/coordinator/'] button[type=submit]").click()
    expect(lead.locator("#coordinator")).to_contain_text(str(b.coordinator))
    assert inbox_items(lead, live_server) == []
    # The allocation starts the preparatory talks: the registration phase ends the same day.
    shows_trajectory(lead, live_server, case, trajectory, "preparing", "Voorbereidende gesprekken")
    reads_as_dutch(lead, f.names)
    phases = {p.code: p for p in TrajectoryPhase.objects.filter(trajectory=trajectory)}
    today = datetime.date.today()
    assert phases["registration"].ended_on == today and phases["preparation"].started_on == today

    # 3. The coordinator is told, opens the trajectory from the inbox and sees the preparation in My work.
    told = inbox_items(coordinator, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0], told
    _open_from_inbox(coordinator, live_server, case, "coördinator")
    shows_trajectory(coordinator, live_server, case, trajectory, "preparing", "Voorbereidende gesprekken")
    steps = _my_work(coordinator, live_server, case, axe=True)
    assert steps and all("Voorbereidende gesprekken" in step for step in steps), steps
    reads_as_dutch(coordinator, f.names)
    assert "Plan de bijeenkomst" in next_step(coordinator, live_server, case, f.names)


def _hold_group_conference(page, live_server, case, trajectory, coordinator, names):
    """The coordinator plans the group conference (the form proposes Hergo's kind) and records attendance: the
    conference has no private part, so the coordinator is present in every part."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/")
    page.locator(f"a[href='/cases/{case.pk}/meetings/new/{trajectory.pk}/']").click()
    expect(page.locator("[name=kind]")).to_have_value("hergo_circle")
    assert_accessible(page)
    reads_as_dutch(page, names)
    start = (timezone.localtime() - datetime.timedelta(days=1)).replace(hour=15, minute=30)
    page.fill("[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=ends_at]", (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=place]", "Vergaderzaal, Sint-Jozefscollege Kortrijk")
    page.fill("main [name=language]", "Nederlands")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/meetings/(\d+)/$"))
    meeting_id = re.search(r"/meetings/(\d+)/$", page.url).group(1)
    page.goto(f"{live_server.url}/cases/{case.pk}/meetings/{meeting_id}/attendance/")
    boxes = page.locator(f"input[type=checkbox][name$='_u{coordinator.pk}']")
    expect(boxes).to_have_count(3)  # conversation, repair, agreements
    for box in boxes.all():
        expect(box).to_be_enabled()
        box.check()
    assert_accessible(page)
    reads_as_dutch(page, names)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/$"))
    reads_as_dutch(page, names)


def _conference_and_plan(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    b = f.world.b
    # 4. The coordinator plans and holds the group conference: the trajectory moves on by itself.
    _hold_group_conference(coordinator, live_server, case, trajectory, b.coordinator, f.names)
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", "Groepsoverleg")
    shows_trajectory(worker, live_server, case, trajectory, "meeting_held", "Groepsoverleg", axe=False)
    for page in (worker, coordinator):
        steps = _my_work(page, live_server, case)
        assert steps and all("Groepsoverleg" in step for step in steps), steps
    assert _my_work(lead, live_server, case) == [] and inbox_items(lead, live_server) == []

    # 5. The coordinator writes down the restoration plan with Daan's agreement and submits it.
    coordinator.goto(f.plan_url)
    coordinator.locator(f"form[action$='/plans/{trajectory.pk}/start/'] button").click()
    expect(coordinator.locator("h1")).to_contain_text("Herstelplan")
    coordinator.locator(f"a[href$='/plans/{trajectory.pk}/edit/']").first.click()
    expect(coordinator.locator("[name=concerns]")).to_be_visible()
    coordinator.fill("[name=concerns]", "Daan maakt het goed met Lotte en gaat weer elke dag naar school.")
    coordinator.fill("[name=if_it_goes_wrong]", "Dan praat Daan eerst met de leerlingbegeleider.")
    coordinator.fill("[name=child_view]", "Ik wil terug naar mijn klas.")
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#family-words")).to_contain_text("goed met Lotte")
    daan = case.persons.get(first_name="Daan")
    coordinator.locator(f"#agreements a[href$='/plans/{trajectory.pk}/agreements/new/']").click()
    expect(coordinator.locator("[name=what]")).to_be_visible()
    coordinator.fill("[name=what]", "Daan schrijft Lotte een brief en helpt een maand in de refter.")
    coordinator.select_option("[name=owner_person]", str(daan.pk))
    coordinator.select_option("[name=checker_user]", str(b.coordinator.pk))
    coordinator.fill("[name=due_on]", (datetime.date.today() + datetime.timedelta(days=14)).isoformat())
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#agreements")).to_contain_text("brief")
    coordinator.locator(f"form[action$='/plans/{trajectory.pk}/submit/'] button").click()
    expect(coordinator.locator(f"a[href$='/plans/{trajectory.pk}/edit/']")).to_have_count(0)
    assert_accessible(coordinator)
    reads_as_dutch(coordinator, f.names)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"
    assert "besluit" in next_step(worker, live_server, case, f.names)


def _decision_to_follow_up(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    plan_url = f.plan_url
    # 6. The case worker is told, opens the plan from the inbox and accepts it at once.
    told = inbox_items(worker, live_server, axe=True)
    assert len(told) == 1 and case.number in told[0] and "beslissing" in told[0], told
    _open_from_inbox(worker, live_server, case, "beslissing")
    expect(worker).to_have_url(re.compile(rf"/plans/{trajectory.pk}/$"))
    worker.locator(f"a[href$='/plans/{trajectory.pk}/decide/']").click()
    expect(worker.locator("input[name=outcome]").first).to_be_visible()
    assert_accessible(worker)
    reads_as_dutch(worker, f.names)
    worker.locator("input[name=outcome][value=accepted]").check()
    worker.fill("[name=reason]", "Het herstelplan is gedragen door Daan, Lotte en de school.")
    worker.locator("main form button[type=submit]").first.click()
    expect(worker).to_have_url(re.compile(rf"/plans/{trajectory.pk}/(#decision-\d+)?$"))
    assert_accessible(worker)
    reads_as_dutch(worker, f.names)
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted" and plan.edition == 1
    assert inbox_items(worker, live_server) == [] and inbox_items(coordinator, live_server) == []
    for page in (worker, coordinator, lead):
        shows_trajectory(
            page, live_server, case, trajectory, "plan_made", "Opvolging van de afspraken", axe=page is lead
        )
    # My work: the coordinator checks Daan's agreement (due in two weeks), as does the case worker; no Jeugdwet
    # deadline. The method's follow-up is planned six weeks on, on a working day: not on the list yet.
    review = Review.objects.get(plan=plan)
    assert review.name == "Opvolging van de afspraken", review.name
    assert 42 <= (review.planned_on - datetime.date.today()).days <= 49 and review.planned_on.weekday() < 5
    for page in (coordinator, worker):
        steps = _my_work(page, live_server, case, axe=page is coordinator)
        assert [step for step in steps if "brief" in step and "Afspraak" in step], steps
        assert not [step for step in steps if "Evaluatie van het plan" in step], steps
        assert not [step for step in steps if "Jeugdwet" in step], steps
    reads_as_dutch(worker, f.names)

    # 7. The coordinator holds the follow-up: the agreement is under way, the plan continues: follow-up.
    coordinator.goto(f"{plan_url}reviews/{review.pk}/")
    assert_accessible(coordinator)
    reads_as_dutch(coordinator, f.names)
    coordinator.locator("[id^=keeping-] input[value=partly]").first.check()
    coordinator.locator("input[name=decision][value=continue]").check()
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#keeping")).to_be_visible()
    assert Review.objects.get(pk=review.pk).decision == "continue"
    for page in (coordinator, worker):
        shows_trajectory(
            page, live_server, case, trajectory, "follow_up", "Opvolging van de afspraken", axe=page is worker
        )
    assert [step for step in _my_work(coordinator, live_server, case) if "brief" in step]
    for page in (worker, coordinator, lead):
        assert inbox_items(page, live_server) == []
    assert "evaluatie" in next_step(coordinator, live_server, case, f.names)


def _closing_review(f):
    worker, lead, coordinator, live_server, case, trajectory = (
        f.worker,
        f.lead,
        f.coordinator,
        f.server,
        f.case,
        f.trajectory,
    )
    plan_url = f.plan_url
    # 8. The coordinator plans an extra review moment (the family asked for one) and holds it: the agreement was
    # kept, the plan is closed, and with it the trajectory.
    coordinator.goto(plan_url)
    coordinator.locator(f"#reviews a[href$='/plans/{trajectory.pk}/reviews/new/']").click()
    expect(coordinator.locator("[name=name]")).to_be_visible()
    assert_accessible(coordinator)
    reads_as_dutch(coordinator, f.names)
    coordinator.fill("[name=name]", "Slotgesprek met Daan en Lotte")
    coordinator.fill("[name=planned_on]", datetime.date.today().isoformat())
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#reviews")).to_contain_text("Slotgesprek")
    extra = Review.objects.get(plan__trajectory=trajectory, name="Slotgesprek met Daan en Lotte")
    steps = _my_work(coordinator, live_server, case)
    assert [step for step in steps if "Slotgesprek" in step and "Evaluatie van het plan" in step], steps
    coordinator.goto(f"{plan_url}reviews/{extra.pk}/")
    coordinator.locator("[id^=keeping-] input[value=kept]").first.check()
    coordinator.locator("input[name=decision][value=close]").check()
    coordinator.fill("[name=note]", "Daan is terug in de klas; Lotte voelt zich weer veilig.")
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#keeping")).to_be_visible()
    assert_accessible(coordinator)
    reads_as_dutch(coordinator, f.names)
    assert Review.objects.get(pk=extra.pk).decision == "close"
    for page in (worker, coordinator, lead):
        shows_trajectory(page, live_server, case, trajectory, "closed", "—", axe=page is lead)
        reads_as_dutch(page, f.names)
    trajectory.refresh_from_db()
    assert trajectory.closure_reason == "plan_carried_out"
    # The timeline says in Dutch what moved the trajectory, and why.
    timeline = " ".join(worker.locator("ol.timeline").inner_text().split())
    for reason in (
        "want het gezin heeft het aanbod aanvaard",
        "want er werd een coördinator toegewezen",
        "want de bijeenkomst werd gehouden",
        "want het plan werd aanvaard",
        "want het plan werd geëvalueerd",
        "want een evaluatie sloot het plan af",
    ):
        assert reason in timeline, (reason, timeline)
    # The closed trajectory offers no step the services would refuse: no new plan version, review or link, no
    # meeting; no next step on the case page.
    coordinator.goto(plan_url)
    expect(coordinator.locator("#plan-ended")).to_be_visible()
    expect(coordinator.locator(f"a[href$='/plans/{trajectory.pk}/new-version/']")).to_have_count(0)
    expect(coordinator.locator(f"a[href$='/plans/{trajectory.pk}/reviews/new/']")).to_have_count(0)
    expect(coordinator.locator(f"a[href$='/plans/{trajectory.pk}/links/new/']")).to_have_count(0)
    reads_as_dutch(coordinator, f.names)
    coordinator.goto(f"{live_server.url}/cases/{case.pk}/meetings/")
    expect(coordinator.locator(f"a[href$='/meetings/new/{trajectory.pk}/']")).to_have_count(0)
    assert next_step(worker, live_server, case, f.names) == ""
    # Nobody is left with an unread hand-off of this family, nor a step in My work.
    for page in (worker, coordinator, lead):
        assert inbox_items(page, live_server) == []
        assert _my_work(page, live_server, case) == []
