"""One familienetwerkberaad from referral to closure (issue 14, "Must show"), three people each in their own
browser: the case worker records the referral and chooses FNB; the trajectory without a coordinator reaches the
team lead's inbox; the team lead allocates the coordinator, who is told; the coordinator plans and holds the
meeting (the method's table moves the trajectory on); the case worker sets a bottom line, the coordinator
writes down the plan and submits it; the case worker is told, sends it back once (the coordinator is told), and
accepts it when it comes back; a review that closes the plan closes the trajectory.

At each step the trajectory's status and phase, each person's inbox (the page and the unread count in the
header) and My work are checked, and axe-core may find no serious or critical violation. The steps the three
one-flow walks share are in one_flow.py.
"""

import pytest

from kring.plans.models import Plan, Review

from .one_flow import (
    NOOR_BOTTOM_LINE,
    add_agreement,
    add_oma,
    choose_and_offer,
    coordinator_is_told,
    decide,
    family_accepts,
    hold_meeting,
    hold_review,
    inbox_items,
    lead_allocates_from_inbox,
    my_work,
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

MET_BECAUSE = "Oma vangt Noor 's nachts op."


def write_and_submit_plan(page, plan_url, trajectory, oma, case_worker, first_time):
    """The coordinator writes the plan down (the first time: starts it and adds Oma's safety agreement) and
    submits it."""
    if first_time:
        start_plan(page, plan_url, trajectory)
    else:
        page.goto(plan_url)
    words = {
        "concerns": "Noor kan rustig slapen en gaat elke dag naar school.",
        "if_it_goes_wrong": "Dan belt mama oma en slaapt Noor bij oma.",
        "child_view": "Ik wil bij oma kunnen logeren.",
    }
    write_family_words(page, trajectory, words, "rustig slapen")
    if first_time:
        safety = "Noor slaapt bij oma als het thuis onrustig is."
        add_agreement(page, trajectory, safety, oma, case_worker, 7, is_safety=True)
    submit_plan(page, trajectory)


def test_one_fnb_from_referral_to_closure(browser, browser_context_args, live_server, world):
    a = world.a
    walk = open_walk(browser, browser_context_args, live_server, world, a)
    for page in walk.everyone:
        assert inbox_items(page, live_server) == []

    # 1. The case worker records the referral and chooses FNB (offered, then accepted by the family).
    case = walk.case = register_referral(walk.worker, live_server, noor_referral(world))
    oma = add_oma(a.case_worker, case)
    walk.trajectory = choose_and_offer(
        walk.worker,
        live_server,
        case,
        "fnb",
        {"safety_concern": "some", "setting": "foster_care", "motivation": "high"},
        "Het gezin kent het familienetwerkberaad al.",
    )
    family_accepts(walk, "Voorbereiding")  # the family's yes made the case active (the table)
    assert inbox_items(walk.worker, live_server) == [] and inbox_items(walk.coordinator, live_server) == []

    _allocation(walk)
    _meeting_and_plan(walk, oma)
    _decision_to_closure(walk, oma)


def _allocation(walk):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory = walk.server, walk.case, walk.trajectory
    # 2. The trajectory without a coordinator is in the team lead's inbox; the lead opens it and allocates.
    # My work: the case worker has the preparation's planned end; the others nothing of this family yet.
    assert [r for r in my_work(worker, live_server, case, axe=True) if "Voorbereiding" in r], "case worker"
    assert my_work(lead, live_server, case, axe=True) == []
    assert my_work(coordinator, live_server, case) == []
    lead_allocates_from_inbox(walk, walk.world.a.coordinator)
    shows_trajectory(lead, live_server, case, trajectory, "preparing", "Voorbereiding")

    # 3. The coordinator is told, opens the trajectory from the inbox and sees the preparation in My work.
    coordinator_is_told(walk)
    shows_trajectory(coordinator, live_server, case, trajectory, "preparing", "Voorbereiding")
    assert [r for r in my_work(coordinator, live_server, case, axe=True) if "Voorbereiding" in r]


def _meeting_and_plan(walk, oma):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory = walk.server, walk.case, walk.trajectory
    a = walk.world.a
    # 4. The coordinator plans and holds the meeting: recording attendance moves the trajectory on by itself.
    meeting_id = plan_network_meeting(coordinator, live_server, case, trajectory)
    hold_meeting(coordinator, live_server, case, meeting_id, a.coordinator)
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", "Netwerkberaad")
    shows_trajectory(worker, live_server, case, trajectory, "meeting_held", "Netwerkberaad", axe=False)
    for page in (worker, coordinator):
        steps = my_work(page, live_server, case)
        assert steps and all("Netwerkberaad" in step for step in steps), steps
    assert my_work(lead, live_server, case) == [] and inbox_items(lead, live_server) == []

    # 5. The case worker sets a bottom line; the coordinator writes down the plan and submits it.
    set_bottom_line(worker, walk.plan_url, trajectory, **NOOR_BOTTOM_LINE)
    write_and_submit_plan(coordinator, walk.plan_url, trajectory, oma, a.case_worker, first_time=True)
    assert Plan.objects.get(trajectory=trajectory).status == "submitted"


def _decision_to_closure(walk, oma):
    worker, lead, coordinator = walk.everyone
    live_server, case, trajectory, plan_url = walk.server, walk.case, walk.trajectory, walk.plan_url
    # 6. The case worker's inbox has the plan for decision; it is sent back once, which the coordinator is told.
    open_plan_for_decision(worker, live_server, case, trajectory)
    reason = "Schrijf erbij wie Noor naar school brengt."
    decide(worker, plan_url, trajectory, "sent_back", reason, bottom_lines_met_because=MET_BECAUSE)
    assert Plan.objects.get(trajectory=trajectory).status == "sent_back"
    assert inbox_items(worker, live_server) == []
    told_once(coordinator, live_server, case, "teruggestuurd", axe=False)
    open_from_inbox(coordinator, live_server, case, "teruggestuurd")
    shows_trajectory(coordinator, live_server, case, trajectory, "meeting_held", "Netwerkberaad", axe=False)

    # 7. Handed in again (the next version), the case worker is told again and accepts: the plan is made.
    write_and_submit_plan(coordinator, plan_url, trajectory, oma, walk.world.a.case_worker, first_time=False)
    told_once(worker, live_server, case, axe=False)
    reason = "Het plan is veilig genoeg."
    decide(worker, plan_url, trajectory, "accepted", reason, bottom_lines_met_because=MET_BECAUSE)
    plan = Plan.objects.get(trajectory=trajectory)
    assert plan.status == "accepted" and plan.edition == 2
    assert inbox_items(worker, live_server) == []
    for page in walk.everyone:
        shows_trajectory(
            page, live_server, case, trajectory, "plan_made", "Uitvoering en opvolging", axe=page is worker
        )
    # My work: the case worker checks the safety agreement; both follow the execution phase.
    steps = my_work(worker, live_server, case)
    assert [step for step in steps if "slaapt bij oma" in step and "veiligheidsafspraak" in step], steps
    assert [step for step in my_work(coordinator, live_server, case) if "Uitvoering en opvolging" in step]

    # 8. The review, held by the case worker, closes the plan: the trajectory closes by itself.
    review = Review.objects.filter(plan=plan).order_by("planned_on").first()
    hold_review(worker, plan_url, review, "kept", "close", score="8")
    for page in walk.everyone:
        shows_trajectory(page, live_server, case, trajectory, "closed", "—", axe=page is lead)
    nobody_left_with_work(walk)
