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
English word, no code). The steps the three one-flow walks share are in one_flow.py.
"""

import datetime

import pytest
from playwright.sync_api import expect

from kring.plans.models import Plan, Review
from kring.trajectories.models import TrajectoryPhase

from .one_flow import (
    Referral,
    add_agreement,
    checked,
    coordinator_is_told,
    decide,
    family_accepts,
    hold_meeting,
    hold_review,
    inbox_items,
    lead_allocates_from_inbox,
    my_work,
    next_step,
    nobody_left_with_work,
    offer_chosen,
    open_plan_for_decision,
    open_walk,
    plan_meeting,
    reads_as_dutch,
    register_referral,
    run_selector,
    shows_trajectory,
    start_plan,
    submit_plan,
    write_family_words,
    yesterday_at,
)

pytestmark = pytest.mark.browser

FAMILY = "Familie Hersteller"


def daan_referral(world):
    """The Flemish referral: the school refers Daan after an incident at school (vrijwillige jeugdhulp)."""
    return Referral(
        family_name=FAMILY,
        team_pk=world.b.team.pk,
        legal_context="vl_voluntary",
        central_reason="Daan sloeg een klasgenoot en wil het goedmaken.",
        referred_days_ago=10,
        referrer_name="Dhr. Peeters, directeur",
        question="Wij willen dat Daan terug naar school kan en dat Lotte zich weer veilig voelt.",
        first_name="Daan",
        last_name="Hersteller",
        birth_date="2011-02-17",
        gender="male",
    )


def _choose_and_offer_hergo(page, live_server, case, names):
    """The selector, answered for an incident with a victim at school, proposes Hergo; its school variant is
    chosen and offered."""
    answers = {
        "safety_concern": "some",
        "legal_context": "vl_voluntary",
        "setting": "school",
        "request": "restoration",
        "motivation": "high",
        "incident_with_victim": True,
    }
    run_selector(page, live_server, case, answers)
    expect(page.locator("ol.ranking > li").first).to_have_id("method-hergo")
    checked(page, names)
    reason = "De school wil herstel in plaats van een tuchtmaatregel."
    trajectory = offer_chosen(page, case, "hergo", reason, variant="school")
    assert (trajectory.method_code, trajectory.variant_code) == ("hergo", "school")
    return trajectory


def test_one_hergo_from_referral_to_closure(browser, browser_context_args, live_server, world):
    b = world.b
    names = {FAMILY, "Daan", "Hersteller", "Lotte", "Peeters", b.org.name, b.team.name}
    for user in (b.case_worker, b.coordinator, b.lead):
        names |= {user.get_full_name(), user.first_name, user.last_name, str(user)}
    walk = open_walk(browser, browser_context_args, live_server, world, b, names=names)
    worker, coordinator = walk.worker, walk.coordinator
    for page in walk.everyone:
        assert inbox_items(page, live_server) == []

    # 1. The case worker records the referral and chooses Hergo; the family accepts the offer.
    case = walk.case = register_referral(worker, live_server, daan_referral(world))
    walk.trajectory = _choose_and_offer_hergo(worker, live_server, case, names)
    family_accepts(walk, "Aanmelding en toets")
    assert inbox_items(worker, live_server) == [] and inbox_items(coordinator, live_server) == []
    assert "coördinator toe" in next_step(worker, live_server, case, names)  # the team lead allocates one

    _allocation(walk)
    _conference_and_plan(walk)
    _decision_to_follow_up(walk)
    _closing_review(walk)


def _allocation(walk):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory, names = walk.server, walk.case, walk.trajectory, walk.names
    # 2. The team lead is told the trajectory has no coordinator; My work shows the registration's planned end
    # to the case worker, nothing of this family to the others, and no Jeugdwet deadline (a Flemish case).
    steps = my_work(worker, live_server, case, axe=True)
    assert steps and all("Aanmelding en toets" in step for step in steps), steps
    reads_as_dutch(worker, names)
    assert my_work(lead, live_server, case, axe=True) == []
    assert my_work(coordinator, live_server, case) == []
    lead_allocates_from_inbox(walk, walk.world.b.coordinator)
    # The allocation starts the preparatory talks: the registration phase ends the same day.
    shows_trajectory(lead, live_server, case, trajectory, "preparing", "Voorbereidende gesprekken")
    reads_as_dutch(lead, names)
    phases = {p.code: p for p in TrajectoryPhase.objects.filter(trajectory=trajectory)}
    today = datetime.date.today()
    assert phases["registration"].ended_on == today and phases["preparation"].started_on == today

    # 3. The coordinator is told, opens the trajectory from the inbox and sees the preparation in My work.
    coordinator_is_told(walk)
    shows_trajectory(coordinator, live_server, case, trajectory, "preparing", "Voorbereidende gesprekken")
    steps = my_work(coordinator, live_server, case, axe=True)
    assert steps and all("Voorbereidende gesprekken" in step for step in steps), steps
    reads_as_dutch(coordinator, names)
    assert "Plan de bijeenkomst" in next_step(coordinator, live_server, case, names)


def _conference_and_plan(walk):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory, names = walk.server, walk.case, walk.trajectory, walk.names
    b = walk.world.b
    # 4. The coordinator plans the group conference (the form proposes Hergo's kind) and holds it: the conference
    # has no private part, so the coordinator is present in all three parts (conversation, repair, agreements).
    # Recording attendance moves the trajectory on by itself.
    place = "Vergaderzaal, Sint-Jozefscollege Kortrijk"
    start = yesterday_at(15, 30)
    meeting_id = plan_meeting(
        coordinator, live_server, case, trajectory, "hergo_circle", start, 2, place, proposed=True, names=names
    )
    hold_meeting(coordinator, live_server, case, meeting_id, b.coordinator, parts=3, names=names)
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", "Groepsoverleg")
    shows_trajectory(worker, live_server, case, trajectory, "meeting_held", "Groepsoverleg", axe=False)
    for page in (worker, coordinator):
        steps = my_work(page, live_server, case)
        assert steps and all("Groepsoverleg" in step for step in steps), steps
    assert my_work(lead, live_server, case) == [] and inbox_items(lead, live_server) == []

    # 5. The coordinator writes down the restoration plan with Daan's agreement and submits it.
    start_plan(coordinator, walk.plan_url, trajectory)
    expect(coordinator.locator("h1")).to_contain_text("Herstelplan")
    words = {
        "concerns": "Daan maakt het goed met Lotte en gaat weer elke dag naar school.",
        "if_it_goes_wrong": "Dan praat Daan eerst met de leerlingbegeleider.",
        "child_view": "Ik wil terug naar mijn klas.",
    }
    write_family_words(coordinator, trajectory, words, "goed met Lotte")
    daan = case.persons.get(first_name="Daan")
    agreement = "Daan schrijft Lotte een brief en helpt een maand in de refter."
    add_agreement(coordinator, trajectory, agreement, daan, b.coordinator, 14)
    submit_plan(coordinator, trajectory, names=names)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"
    assert "besluit" in next_step(worker, live_server, case, names)


def _decision_to_follow_up(walk):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory, names = walk.server, walk.case, walk.trajectory, walk.names
    # 6. The case worker is told, opens the plan from the inbox and accepts it at once.
    open_plan_for_decision(worker, live_server, case, trajectory)
    reason = "Het herstelplan is gedragen door Daan, Lotte en de school."
    decide(worker, walk.plan_url, trajectory, "accepted", reason, names=names)
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted" and plan.edition == 1
    assert inbox_items(worker, live_server) == [] and inbox_items(coordinator, live_server) == []
    for page in walk.everyone:
        shows_trajectory(
            page, live_server, case, trajectory, "plan_made", "Opvolging van de afspraken", axe=page is lead
        )
    # My work: the coordinator checks Daan's agreement (due in two weeks), as does the case worker; no Jeugdwet
    # deadline. The method's follow-up is planned six weeks on, on a working day: not on the list yet.
    review = Review.objects.get(plan=plan)
    assert review.name == "Opvolging van de afspraken", review.name
    assert 42 <= (review.planned_on - datetime.date.today()).days <= 49 and review.planned_on.weekday() < 5
    for page in (coordinator, worker):
        steps = my_work(page, live_server, case, axe=page is coordinator)
        assert [step for step in steps if "brief" in step and "Afspraak" in step], steps
        assert not [step for step in steps if "Evaluatie van het plan" in step], steps
        assert not [step for step in steps if "Jeugdwet" in step], steps
    reads_as_dutch(worker, names)

    # 7. The coordinator holds the follow-up: the agreement is under way, the plan continues: follow-up.
    hold_review(coordinator, walk.plan_url, review, "partly", "continue", names=names)
    for page in (coordinator, worker):
        shows_trajectory(
            page, live_server, case, trajectory, "follow_up", "Opvolging van de afspraken", axe=page is worker
        )
    assert [step for step in my_work(coordinator, live_server, case) if "brief" in step]
    for page in walk.everyone:
        assert inbox_items(page, live_server) == []
    assert "evaluatie" in next_step(coordinator, live_server, case, names)


def _closing_review(walk):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory, names, plan_url = walk.server, walk.case, walk.trajectory, walk.names, walk.plan_url
    # 8. The coordinator plans an extra review moment (the family asked for one) and holds it: the agreement was
    # kept, the plan is closed, and with it the trajectory.
    coordinator.goto(plan_url)
    coordinator.locator(f"#reviews a[href$='/plans/{trajectory.pk}/reviews/new/']").click()
    expect(coordinator.locator("[name=name]")).to_be_visible()
    checked(coordinator, names)
    coordinator.fill("[name=name]", "Slotgesprek met Daan en Lotte")
    coordinator.fill("[name=planned_on]", datetime.date.today().isoformat())
    coordinator.locator("main form button[type=submit]").first.click()
    expect(coordinator.locator("#reviews")).to_contain_text("Slotgesprek")
    extra = Review.objects.get(plan__trajectory=trajectory, name="Slotgesprek met Daan en Lotte")
    steps = my_work(coordinator, live_server, case)
    assert [step for step in steps if "Slotgesprek" in step and "Evaluatie van het plan" in step], steps
    note = "Daan is terug in de klas; Lotte voelt zich weer veilig."
    hold_review(coordinator, plan_url, extra, "kept", "close", note=note, names=names)
    for page in walk.everyone:
        shows_trajectory(page, live_server, case, trajectory, "closed", "—", axe=page is lead)
        reads_as_dutch(page, names)
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
    reads_as_dutch(coordinator, names)
    coordinator.goto(f"{live_server.url}/cases/{case.pk}/meetings/")
    expect(coordinator.locator(f"a[href$='/meetings/new/{trajectory.pk}/']")).to_have_count(0)
    assert next_step(worker, live_server, case, names) == ""
    nobody_left_with_work(walk)
