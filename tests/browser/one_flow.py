"""The steps the three one-flow walks share (test_one_flow_fnb.py, test_one_flow_sos_safety_alert.py,
test_one_flow_hergo.py): each person's own browser, their inbox, My work and the case page's next step, and the
step sequences the methods have in common (the referral, the selector and the offer, the coordinator's
allocation, the meeting, the plan, the decision, a review), parameterised by what differs between the methods.

Where a walk passes `names` (the world's own names), every page the step checks with axe-core must also read as
Dutch (no English word, no code).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from playwright.sync_api import expect

from kring.cases.models import Case
from kring.network import services as network_services
from kring.plans.models import Review
from kring.trajectories.models import Trajectory

from ..factories import actor
from ..test_dutch_pages import problems_in, visible_text
from .conftest import assert_accessible
from .test_foundation_journey import log_in


@dataclass(frozen=True)
class Referral:
    """What the case worker records on the referral form (one child)."""

    family_name: str
    team_pk: int
    legal_context: str
    central_reason: str
    referred_days_ago: int
    referrer_name: str
    question: str
    first_name: str
    last_name: str
    birth_date: str
    gender: str
    safety_concern: str = "some"
    referral_route: str = "school"


def noor_referral(world):
    """The Dutch referral of both Kringloop walks (FNB, Signs of Safety): the GP refers Noor, voluntary."""
    return Referral(
        family_name="Familie Kringloop",
        team_pk=world.a.team.pk,
        legal_context="nl_voluntary",
        central_reason="Noor is degene over wie de zorgen gaan.",
        referred_days_ago=14,
        referrer_name="Mevr. Bakker, huisarts",
        question="Wij willen dat Noor weer rustig thuis kan wonen.",
        first_name="Noor",
        last_name="Kringloop",
        birth_date="2015-04-09",
        gender="female",
    )


# The case worker's bottom line for Noor in both Kringloop walks.
NOOR_BOTTOM_LINE = {
    "text": "Noor slaapt elke nacht op een veilige plek.",
    "reason": "Er waren ruzies 's nachts waar Noor bij was.",
    "legal_basis": "Vrijwillig kader",
}


def add_oma(case_worker, case, **contact):
    """The case worker adds Noor's grandmother to the network: family, safe, may be invited."""
    return network_services.add_network_person(
        actor(case_worker),
        case.pk,
        {"first_name": "Oma", "last_name": "Kringloop", **contact},
        {"domain": "family", "safety": "safe", "may_invite": True},
    )


@dataclass
class Walk:
    """One walk's three people (each a page in their own browser), the server, and the case and trajectory
    once they are made."""

    worker: object
    lead: object
    coordinator: object
    server: object
    world: object
    case: Case | None = None
    trajectory: Trajectory | None = None
    names: set[str] | None = None

    @property
    def everyone(self):
        return (self.worker, self.lead, self.coordinator)

    @property
    def plan_url(self):
        return f"{self.server.url}/cases/{self.case.pk}/plans/{self.trajectory.pk}/"


def new_page(browser, browser_context_args, live_server, user=None):
    """A browser of this person's own (own cookies), logged in when it is a user's."""
    page = browser.new_context(**browser_context_args).new_page()
    page.set_default_timeout(15_000)
    if user is not None:
        log_in(page, live_server, user.email)
    return page


def open_walk(browser, browser_context_args, live_server, world, org, names=None):
    """The walk of this organisation's case worker, team lead and coordinator (world.a or world.b), each logged
    in in a browser of their own."""
    return Walk(
        worker=new_page(browser, browser_context_args, live_server, org.case_worker),
        lead=new_page(browser, browser_context_args, live_server, org.lead),
        coordinator=new_page(browser, browser_context_args, live_server, org.coordinator),
        server=live_server,
        world=world,
        names=names,
    )


def reads_as_dutch(page, names):
    """The page the browser shows holds no English word and no code (the world's own names taken out)."""
    found = problems_in(visible_text(page.content()), {name for name in names if name}, codes={"hergo"})
    assert not found, (page.url, found)


def checked(page, names=None):
    """axe-core finds no serious or critical violation; with names, the page reads as Dutch too."""
    assert_accessible(page)
    if names is not None:
        reads_as_dutch(page, names)


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


def told_once(page, live_server, case, *words, axe=True):
    """The inbox holds one unread notification, of this case and with these words; its text."""
    told = inbox_items(page, live_server, axe=axe)
    assert len(told) == 1 and case.number in told[0] and all(word in told[0] for word in words), told
    return told[0]


def open_from_inbox(page, live_server, case, title):
    """Open the unread notification with this title (it leads to the case's page and is read then)."""
    page.goto(f"{live_server.url}/inbox/")
    item = page.locator("ul.inbox > li.unread").filter(has_text=title)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(case.number)
    item.locator("button[name=open]").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/"))


def my_work(page, live_server, case, axe=False):
    """Open My work; the rows of its steps (what is due) for this case."""
    page.goto(f"{live_server.url}/work/")
    expect(page.locator("h1")).to_be_visible()
    if axe:
        assert_accessible(page)
    rows = page.locator("section[aria-labelledby=steps-h] tbody tr").filter(has_text=case.number)
    return [" ".join(row.inner_text().split()) for row in rows.all()]


def next_step(page, live_server, case, names):
    """The case page's hint of what the method expects next ("" when no trajectory is under way)."""
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("h1")).to_contain_text(case.family_name)
    reads_as_dutch(page, names)
    hint = page.locator(".next-steps .next-step-text")
    return " ".join(hint.inner_text().split()) if hint.count() else ""


def shows_trajectory(page, live_server, case, trajectory, status, phase, axe=True):
    """The trajectory page shows this status (its code as the badge's class) and this current phase."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/")
    expect(page.locator("#trajectory-status")).to_have_attribute("class", re.compile(rf"\bstatus-{status}\b"))
    expect(page.locator("#current-phase")).to_have_text(phase)
    if axe:
        assert_accessible(page)


def nobody_left_with_work(walk):
    """Nobody is left with an unread hand-off of this family, nor a step in My work."""
    for page in walk.everyone:
        assert inbox_items(page, walk.server) == []
        assert my_work(page, walk.server, walk.case) == []


def register_referral(page, live_server, referral):
    """The case worker records the referral from the menu; the new case's page opens."""
    page.locator("nav a[href='/cases/new/']").click()
    page.fill("[name=family_name]", referral.family_name)
    page.select_option("[name=team]", str(referral.team_pk))
    page.select_option("[name=legal_context]", referral.legal_context)
    page.select_option("[name=safety_concern]", referral.safety_concern)
    page.fill("[name=central_reason]", referral.central_reason)
    referred_on = datetime.date.today() - datetime.timedelta(days=referral.referred_days_ago)
    page.fill("[name=referral_date]", referred_on.isoformat())
    page.fill("[name=referrer_name]", referral.referrer_name)
    page.select_option("[name=referral_route]", referral.referral_route)
    page.fill("[name=question]", referral.question)
    page.fill("[name=person-0-first_name]", referral.first_name)
    page.fill("[name=person-0-last_name]", referral.last_name)
    page.fill("[name=person-0-birth_date]", referral.birth_date)
    page.select_option("[name=person-0-gender]", referral.gender)
    assert_accessible(page)
    page.locator("main form[method=post] button[type=submit]").click()
    case = Case.objects.get(family_name=referral.family_name)
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    assert_accessible(page)
    return case


def run_selector(page, live_server, case, answers):
    """The case worker answers the method selector (field name: value; True ticks a box); its suggestions
    open."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/selector/")
    for name, value in answers.items():
        if value is True:
            page.check(f"[name={name}]")
        else:
            page.select_option(f"[name={name}]", value)
    page.locator("form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/selector/\d+/$"))


def offer_chosen(page, case, method, reason, variant=None):
    """On the selector's suggestions: choose the method by its code (and variant), with the reason (asked when
    it is not the top suggestion), and offer it; the trajectory's page opens."""
    page.select_option("[name=chosen_method]", method)
    if variant is not None:
        page.select_option("[name=chosen_variant]", variant)
    reason_field = page.locator("[name=choice_reason]")
    if reason_field.is_visible():
        reason_field.fill(reason)
    page.locator("section[aria-labelledby=choice-h] form").first.locator("button[type=submit]").click()
    expect(page.locator("[name=offered_on]")).to_be_visible()
    if variant is not None:
        expect(page.locator("[name=variant_code]")).to_have_value(variant)
    page.locator(f"form[action='/cases/{case.pk}/trajectories/offer/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/trajectories/\d+/$"))
    return Trajectory.objects.get(case=case, method_code=method)


def choose_and_offer(page, live_server, case, method, answers, reason):
    """The case worker runs the selector with these answers, chooses the method and offers it."""
    run_selector(page, live_server, case, answers)
    assert_accessible(page)
    return offer_chosen(page, case, method, reason)


def family_accepts(walk, phase):
    """The offered trajectory (no phase yet) is accepted by the family on the case worker's page: the
    trajectory is accepted, in this phase, and the case active (the table)."""
    worker, live_server, case, trajectory = walk.worker, walk.server, walk.case, walk.trajectory
    shows_trajectory(worker, live_server, case, trajectory, "offered", "—")
    if walk.names is not None:
        reads_as_dutch(worker, walk.names)
    worker.select_option("[name=status]", "accepted")
    worker.locator(f"form[action$='/{trajectory.pk}/status/'] button[type=submit]").click()
    expect(worker.locator("#trajectory-status")).to_have_attribute("class", re.compile("status-accepted"))
    shows_trajectory(worker, live_server, case, trajectory, "accepted", phase)
    assert Case.objects.get(pk=case.pk).status == "active"


def allocate_coordinator(page, trajectory, coordinator):
    """On the trajectory's page, the team lead allocates this coordinator."""
    page.select_option("[name=coordinator]", str(coordinator.pk))
    page.locator(f"form[action$='/{trajectory.pk}/coordinator/'] button[type=submit]").click()
    expect(page.locator("#coordinator")).to_contain_text(str(coordinator))


def lead_allocates_from_inbox(walk, coordinator):
    """The team lead is told of the trajectory without a coordinator, opens it from the inbox (which reads the
    notification) and allocates the coordinator; nothing is left unread."""
    lead, live_server, case, trajectory = walk.lead, walk.server, walk.case, walk.trajectory
    told_once(lead, live_server, case, "coördinator")
    if walk.names is not None:
        reads_as_dutch(lead, walk.names)
    open_from_inbox(lead, live_server, case, "zonder coördinator")
    expect(lead).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    assert header_unread(lead) == 0
    allocate_coordinator(lead, trajectory, coordinator)
    assert inbox_items(lead, live_server) == []


def coordinator_is_told(walk):
    """The coordinator is told of the allocation and opens the trajectory from the inbox (which reads it)."""
    coordinator, live_server, case, trajectory = walk.coordinator, walk.server, walk.case, walk.trajectory
    told_once(coordinator, live_server, case, "coördinator")
    open_from_inbox(coordinator, live_server, case, "coördinator")
    expect(coordinator).to_have_url(re.compile(rf"/trajectories/{trajectory.pk}/$"))
    assert header_unread(coordinator) == 0


def plan_meeting(page, live_server, case, trajectory, kind, start, hours, place, proposed=False, names=None):
    """From the trajectory's page: the meeting of this kind (chosen, or with proposed=True only checked as the
    form's proposal), from start for these hours; the meeting's id."""
    page.goto(f"{live_server.url}/cases/{case.pk}/trajectories/{trajectory.pk}/")
    page.locator(f"a[href='/cases/{case.pk}/meetings/new/{trajectory.pk}/']").click()
    if proposed:
        expect(page.locator("[name=kind]")).to_have_value(kind)
    else:
        expect(page.locator("[name=kind]")).to_be_visible()
    checked(page, names)
    if not proposed:
        page.select_option("[name=kind]", kind)
    page.fill("[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=ends_at]", (start + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("[name=place]", place)
    page.fill("main [name=language]", "Nederlands")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/meetings/(\d+)/$"))
    return re.search(r"/meetings/(\d+)/$", page.url).group(1)


def yesterday_at(hour, minute=0):
    return (timezone.localtime() - datetime.timedelta(days=1)).replace(hour=hour, minute=minute)


def plan_network_meeting(page, live_server, case, trajectory):
    """The network meeting, yesterday evening in the neighbourhood centre; the meeting's id."""
    start = yesterday_at(18)
    return plan_meeting(page, live_server, case, trajectory, "network_meeting", start, 3, "Buurthuis De Kring, Tiel")


def hold_meeting(page, live_server, case, meeting_id, user, parts=None, names=None):
    """Attendance: this user in every part of the meeting they can be ticked for (which records it held); with
    parts, the user can be ticked in exactly that many parts, all of them."""
    page.goto(f"{live_server.url}/cases/{case.pk}/meetings/{meeting_id}/attendance/")
    if parts is None:
        boxes = page.locator(f"input[type=checkbox][name$='_u{user.pk}']:not([disabled])")
    else:
        boxes = page.locator(f"input[type=checkbox][name$='_u{user.pk}']")
        expect(boxes).to_have_count(parts)
    for box in boxes.all():
        if parts is not None:
            expect(box).to_be_enabled()
        box.check()
    checked(page, names)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/$"))
    if names is not None:
        reads_as_dutch(page, names)


def set_bottom_line(page, plan_url, trajectory, text, reason, legal_basis, kind="non_negotiable"):
    """The case worker sets a bottom line on the plan."""
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/bottom-lines/new/']").click()
    expect(page.locator("[name=text]")).to_be_visible()
    page.fill("[name=text]", text)
    page.fill("[name=reason]", reason)
    page.fill("[name=legal_basis]", legal_basis)
    page.select_option("[name=kind]", kind)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#bottom-lines")).to_contain_text(text)
    assert_accessible(page)


def start_plan(page, plan_url, trajectory):
    """The coordinator starts the trajectory's plan."""
    page.goto(plan_url)
    page.locator(f"form[action$='/plans/{trajectory.pk}/start/'] button").click()


def write_family_words(page, trajectory, words, shown, axe=False):
    """The plan's own words (field name: text), saved; the plan shows them."""
    page.locator(f"a[href$='/plans/{trajectory.pk}/edit/']").first.click()
    expect(page.locator("[name=concerns]")).to_be_visible()
    for name, text in words.items():
        page.fill(f"[name={name}]", text)
    if axe:
        assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#family-words")).to_contain_text(shown)


def add_agreement(page, trajectory, what, owner, checker, due_in_days, is_safety=False):
    """An agreement of the plan: what the owner (a person) does, checked by a user, due in so many days."""
    page.locator(f"#agreements a[href$='/plans/{trajectory.pk}/agreements/new/']").click()
    expect(page.locator("[name=what]")).to_be_visible()
    page.fill("[name=what]", what)
    page.select_option("[name=owner_person]", str(owner.pk))
    page.select_option("[name=checker_user]", str(checker.pk))
    page.fill("[name=due_on]", (datetime.date.today() + datetime.timedelta(days=due_in_days)).isoformat())
    if is_safety:
        page.check("[name=is_safety]")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#agreements")).to_contain_text(what)


def submit_plan(page, trajectory, names=None):
    """The coordinator hands the plan in for decision: it can no longer be edited."""
    page.locator(f"form[action$='/plans/{trajectory.pk}/submit/'] button").click()
    expect(page.locator(f"a[href$='/plans/{trajectory.pk}/edit/']")).to_have_count(0)
    checked(page, names)


def open_plan_for_decision(page, live_server, case, trajectory):
    """The case worker is told the plan waits for a decision and opens it from the inbox."""
    told_once(page, live_server, case, "beslissing")
    open_from_inbox(page, live_server, case, "beslissing")
    expect(page).to_have_url(re.compile(rf"/plans/{trajectory.pk}/$"))


def decide(page, plan_url, trajectory, outcome, reason, bottom_lines_met_because=None, names=None):
    """The case worker decides on the plan with this outcome and reason; where the plan has bottom lines,
    each is met, for this reason."""
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/decide/']").click()
    expect(page.locator("input[name=outcome]").first).to_be_visible()
    checked(page, names)
    if bottom_lines_met_because is not None:
        page.locator("input[name^=met_][value=met]").check()
        page.locator("textarea[name^=why_], input[name^=why_]").first.fill(bottom_lines_met_because)
    page.locator(f"input[name=outcome][value={outcome}]").check()
    page.fill("[name=reason]", reason)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/plans/{trajectory.pk}/(#decision-\d+)?$"))
    checked(page, names)


def hold_review(page, plan_url, review, keeping, decision, score=None, note=None, shows=None, names=None):
    """The review of the plan: the first agreement kept this way (kept, partly …), the score and note if given,
    and the decision (continue, close …); the review page shows `shows` before it is filled in."""
    page.goto(f"{plan_url}reviews/{review.pk}/")
    if shows is not None:
        expect(page.locator("[id^=keeping-]").first).to_contain_text(shows)
    checked(page, names)
    page.locator(f"[id^=keeping-] input[value={keeping}]").first.check()
    if score is not None:
        page.fill("[name=my_score]", score)
    page.locator(f"input[name=decision][value={decision}]").check()
    if note is not None:
        page.fill("[name=note]", note)
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#keeping")).to_be_visible()
    checked(page, names)
    assert Review.objects.get(pk=review.pk).decision == decision
