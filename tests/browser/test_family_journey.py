"""The family at the centre, in one browser journey (issue 16, "Must show"): the mother prepares the meeting on her
link (proposes an aunt, gives her view, in Arabic); an independent coordinator of a coordinating office (another
organisation) accepts the aunt, records the preparation (the question, a visit, the logistics, a cost) and books an
interpreter for one part; the meeting is held and the attendance per part recorded (how each took part); the mother
and the 13-year-old agree to the plan on their links; the case worker accepts it; the plan page shows "agreed by the
family" with both signatures' digests matching the version; and the 13-year-old's plan page is the one for their
age.

The world (the case, the office and its assignment, the trajectory, the meeting and its invitations, the bottom
line, the plan with its agreements) is built with factories and services: those steps are not the journey's subject.
Screenshots of the main steps are saved in the test's tmp_path (``NN-step.png``)."""

import datetime
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from kring.cases.coordination import services as coordination
from kring.cases.models import Person
from kring.family import services as family_services
from kring.family.models import FamilyView, InviteeProposal, PlanAgreementSignature
from kring.meetings import services as meeting_services
from kring.meetings.models import Attendance, InterpreterBooking, MeetingLogistics, PreparationVisit
from kring.network import services as network_services
from kring.plans import services as plan_services
from kring.plans.models import Plan
from kring.trajectories import consents
from kring.trajectories import services as trajectory_services

from ..factories import PASSWORD, actor, make_case
from ..test_independent_coordinators import make_office
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

MOTHER_VIEW = "أريد أن يبقى أطفالي معي، وأن تساعدنا أختي سلمى في المساء."  # "my sister Salma helps us in the evening"
AUNT = "Salma"
ARABIC = re.compile("[\u0600-\u06ff]")
NOT_CHECKED_NL = "Deze vertaling is nog niet door een beëdigd vertaler nagekeken."


def pdf_text(path) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(Path(path)).pages).split())


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=40)


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main").get_by_role("button").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def log_out(page, live_server):
    page.locator("form[action='/accounts/logout/'] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def build_world(world):
    """The Haddad family's case at organisation A (the mother Amira writes and reads Arabic, Yara is 13), a
    coordinating office whose independent coordinator Fatima is assigned to it, an Eigen Kracht-conferentie in
    preparation with Fatima as coordinator, and the conference planned (begun three hours ago, so its attendance can
    be recorded) with the mother and Yara invited."""
    worker = actor(world.a.case_worker)
    case = make_case(world.a.team, case_worker=world.a.case_worker, persons=1, family_name="Familie Haddad")
    case.question = "Hoe kunnen Yara en haar broertje veilig thuis blijven wonen?"
    case.save()
    yara = case.persons.get(is_central=True)
    yara.first_name, yara.last_name, yara.birth_date = "Yara", "Haddad", years_ago(13)
    yara.save()
    mother = network_services.add_network_person(
        worker,
        case.pk,
        {"first_name": "Amira", "last_name": "Haddad", "relation": "moeder"},
        {"domain": "household", "safety": "safe", "may_invite": True},
    )
    mother.birth_date, mother.email = datetime.date(1986, 4, 2), "amira@example.org"
    mother.document_language = "ar"
    mother.language, mother.interpreter_needed = "Arabisch", True
    mother.save()

    office, office_lead, pool = make_office("haddad")
    fatima = pool["fatima"]
    asked = coordination.request_coordinator(worker, case.pk, {"office": office})
    today = timezone.localdate()
    coordination.confirm_assignment(actor(office_lead), asked.pk, fatima.pk, today)

    t = trajectory_services.offer_trajectory(worker, case.pk, "ekc", today - datetime.timedelta(days=20))
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", today - datetime.timedelta(days=19))
    t = trajectory_services.allocate_coordinator(actor(world.a.lead), case.pk, t.pk, fatima.pk, on=today)
    t = trajectory_services.change_status(worker, case.pk, t.pk, "preparing", today)
    start = (timezone.localtime() - datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    meeting = meeting_services.schedule_meeting(
        worker,
        case.pk,
        t.pk,
        {
            "kind": "conference",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "place": "Buurthuis De Kring, Utrecht",
            "language": "Nederlands",
            "interpreter_needed": True,
            "interpreter_language": "Arabisch",
        },
    )
    missing = [need.purpose for need in consents.missing_consents(t)]
    consents.record_invited_without_consent(worker, t, missing, "Mondeling toegestemd, het formulier volgt.")
    meeting_services.invite_from_map(worker, case.pk, meeting.pk, [mother.pk, yara.pk], consent_reason="Mondeling.")
    line = plan_services.add_bottom_line(
        worker,
        case.pk,
        t.pk,
        {
            "text": "Yara en haar broertje slapen elke nacht op een veilige plek.",
            "reason": "Ruzies 's nachts waar de kinderen bij waren.",
            "legal_basis": "Vrijwillig kader",
            "kind": "non_negotiable",
        },
    )
    return case, t, meeting, mother, yara, fatima, line


def write_plan(fatima, checker, case, trajectory, mother, aunt, line):
    """The plan as the family presented it at the conference, written down by the coordinator (services)."""
    coordinator = actor(fatima)
    plan = plan_services.start_plan(coordinator, case.pk, trajectory.pk)
    plan = plan_services.update_plan(
        coordinator,
        case.pk,
        plan.pk,
        {
            "concerns": "Wij willen dat Yara en haar broertje rustig slapen en elke dag naar school gaan.",
            "if_it_goes_wrong": "Dan belt Amira haar zus Salma en slapen de kinderen bij Salma.",
            "child_view": "Yara wil thuis blijven en bij tante Salma kunnen logeren.",
            "presented_on": timezone.localdate(),
        },
        plan.version,
    )
    plan_services.add_agreement(
        coordinator,
        case.pk,
        plan.pk,
        {
            "what": "De kinderen slapen bij Salma als het thuis onrustig is.",
            "owner_person": aunt.pk,
            "backup_person": mother.pk,
            "checker_user": checker.pk,
            "is_safety": True,
            "due_on": timezone.localdate() + datetime.timedelta(days=7),
            "bottom_lines": [line.pk],
        },
    )
    plan.refresh_from_db()
    return plan_services.submit_plan(coordinator, case.pk, plan.pk, plan.version)


def family_link(page, live_server, case, trajectory, person) -> str:
    """Make a family link on the case team's page and read its address from the page (shown once)."""
    page.goto(f"{live_server.url}/cases/{case.pk}/family/{trajectory.pk}/")
    form = page.locator(f"form[action$='/family/{trajectory.pk}/links/new/']")
    form.locator("[name=person]").select_option(str(person.pk))
    form.locator("button[type=submit]").click()
    expect(page.locator("#family-link")).to_be_visible()
    address = page.locator("#family-link a").inner_text().strip()
    match = re.search(r"/l/family/([\w-]{40,})/$", address)
    assert match, address
    return f"{live_server.url}/l/family/{match.group(1)}/"


def test_the_family_prepares_agrees_and_the_plan_is_agreed_by_the_family(page, live_server, world, tmp_path):
    cache.clear()  # the link pages' try counter
    page.set_default_timeout(30_000)
    shots = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=tmp_path / f"{next(shots):02d}-{name}.png", full_page=True)

    case, trajectory, meeting, mother, yara, fatima, line = build_world(world)
    assert fatima.memberships.get().organisation != case.organisation  # from another organisation

    # --- The case worker makes the mother's and Yara's family links on the case team's page.
    log_in(page, live_server, world.a.case_worker.email)
    mother_url = family_link(page, live_server, case, trajectory, mother)
    assert_accessible(page)
    shot("mother-link-made")
    yara_url = family_link(page, live_server, case, trajectory, yara)
    log_out(page, live_server)

    # --- The mother prepares the meeting on her link: her page in her language, the meeting, the question.
    page.goto(mother_url)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("مرحباً Amira")
    expect(page.locator("main")).to_contain_text(NOT_CHECKED_NL)  # the translation's notice, in Dutch too
    # Right to left, the page is as wide as the window (nothing pushes it sideways).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The family page's own words in Arabic, not only the greeting: every heading and the buttons of its forms.
    for heading in page.locator("main h2").all_inner_texts():
        assert ARABIC.search(heading), f"not in Arabic on the mother's page: {heading!r}"
    for button in page.locator("main form button[type=submit]").all_inner_texts():
        assert ARABIC.search(button), f"a button not in Arabic on the mother's page: {button!r}"
    expect(page.locator("main")).to_contain_text("Buurthuis De Kring")
    expect(page.locator("main")).to_contain_text("Yara")
    expect(page.locator("body")).not_to_contain_text(case.number)
    expect(page.locator("body")).not_to_contain_text("Haddad")  # first names only
    assert_accessible(page)
    shot("mother-page-arabic")
    propose = page.locator("form[action$='/propose/']")
    propose.locator("[name=first_name]").fill(AUNT)
    propose.locator("[name=last_name]").fill("Haddad")
    propose.locator("[name=relation]").fill("tante")
    propose.locator("[name=contact]").fill("salma@example.org")
    propose.locator("[name=why]").fill("سلمى أختي، وهي تساعدنا كل يوم.")
    propose.locator("button[type=submit]").click()
    expect(page.locator("section[aria-labelledby=propose-h]")).to_contain_text(AUNT)
    view = page.locator("form[action$='/view/']")
    view.locator("[name=text]").fill(MOTHER_VIEW)
    view.locator("button[type=submit]").click()
    expect(page.locator("section[aria-labelledby=view-h] blockquote")).to_contain_text(MOTHER_VIEW)
    expect(page.locator("section[aria-labelledby=view-h] blockquote")).to_have_attribute("dir", "rtl")
    expect(page.locator("main [role=status]")).to_have_count(1)  # the thanks said once
    assert_accessible(page)
    shot("mother-proposed-and-gave-view")
    proposal = InviteeProposal.objects.get(trajectory=trajectory)
    assert (proposal.first_name, proposal.proposed_by_id, proposal.status) == (AUNT, mother.pk, "proposed")
    assert FamilyView.objects.get(trajectory=trajectory, person=mother).text == MOTHER_VIEW

    # --- The independent coordinator of the office sees the case through her assignment and prepares.
    log_in(page, live_server, fatima.email)
    # She sees the case of her assignment, and no other case of the organisation that referred it.
    assert page.goto(f"{live_server.url}/cases/{world.a.case.pk}/").status == 404
    assert page.goto(f"{live_server.url}/cases/{case.pk}/").status == 200
    page.goto(f"{live_server.url}/cases/{case.pk}/family/{trajectory.pk}/")
    expect(page.locator("#views")).to_contain_text(MOTHER_VIEW)
    card = page.locator("#proposals article", has_text=AUNT)
    card.locator("input[name=accept][value='1']").check()
    card.locator("button[type=submit]").click()
    expect(page.locator("#proposals")).to_contain_text(AUNT)
    expect(page.get_by_text(f"{AUNT} Haddad is aan het dossier toegevoegd.")).to_have_count(1)  # said once
    assert_accessible(page)
    shot("coordinator-accepted-the-aunt")
    aunt = Person.objects.get(case=case, first_name=AUNT)
    assert InviteeProposal.objects.get(pk=proposal.pk).person_id == aunt.pk

    prep_url = f"{live_server.url}/cases/{case.pk}/meetings/{meeting.pk}/preparation/"
    page.goto(prep_url)
    assert_accessible(page)

    def prep_form(action):
        return page.locator(f"form:has(input[name=action][value={action}])").last

    question = prep_form("question")
    question.locator("[name=text]").fill("Hoe zorgen we samen dat Yara en haar broertje thuis veilig slapen?")
    question.locator("button[type=submit]").click()
    expect(page.locator("#question")).to_contain_text("thuis veilig slapen")
    page.locator("#visits summary").click()
    visit = prep_form("visit")
    visit.locator("[name=person]").select_option(str(aunt.pk))
    visit.locator("[name=visited_on]").fill(timezone.localdate().isoformat())
    visit.locator("[name=how]").select_option("in_person")
    visit.locator("[name=note]").fill("Salma komt graag en neemt eten mee.")
    visit.locator("button[type=submit]").click()
    expect(page.locator("#visits")).to_contain_text("Salma komt graag")
    page.locator("#logistics summary").first.click()
    logistics = prep_form("logistics")
    logistics.locator("[name=date_chosen_by_family]").check()
    logistics.locator("[name=food]").fill("Salma kookt; Kring betaalt de boodschappen.")
    logistics.locator("[name=travel]").fill("Buskaart voor Amira.")
    logistics.locator("[name=childcare]").fill("De buurvrouw past op het broertje.")
    logistics.locator("[name=budget]").fill("150")
    logistics.locator("[name=plan_keeper]").select_option(str(aunt.pk))
    logistics.locator("[name=plan_keeper_chosen_by]").fill("Amira")
    logistics.locator("button[type=submit]").click()
    expect(page.locator("#logistics")).to_contain_text("Salma Haddad")
    page.locator("#logistics summary", has_text=re.compile("kost", re.I)).click()
    cost = prep_form("cost")
    cost.locator("[name=what]").fill("Boodschappen voor de maaltijd")
    cost.locator("[name=amount]").fill("45.50")
    cost.locator("button[type=submit]").click()
    expect(page.locator("#logistics tbody")).to_contain_text("Boodschappen")
    first_part = meeting.parts.order_by("order").first()
    page.locator("#interpreters summary").click()
    booking = prep_form("booking")
    booking.locator("[name=part]").select_option(str(first_part.pk))
    booking.locator("[name=language]").fill("Arabisch")
    booking.locator("[name=how]").select_option("in_person")
    booking.locator("[name=arranged_by_name]").fill("Tolkencentrum Utrecht")
    booking.locator("button[type=submit]").click()
    expect(page.locator("#interpreters")).to_contain_text("Tolkencentrum Utrecht")
    assert_accessible(page)
    shot("coordinator-preparation")
    logistics_row = MeetingLogistics.objects.get(meeting=meeting)
    assert logistics_row.date_chosen_by_family and logistics_row.plan_keeper_id == aunt.pk
    assert PreparationVisit.objects.filter(meeting=meeting, person=aunt).exists()
    bookings = InterpreterBooking.objects.filter(part__meeting=meeting)
    assert [(b.part_id, b.language) for b in bookings] == [(first_part.pk, "Arabisch")]

    # --- The conference is held: the coordinator records who took part in each part, and how.
    page.goto(f"{live_server.url}/cases/{case.pk}/meetings/{meeting.pk}/attendance/")
    parts = list(meeting.parts.order_by("order"))
    for name, mode in ((mother.first_name, "in_person"), (yara.first_name, "video"), ("Fatima", "in_person")):
        row = page.locator("table.attendance tbody tr", has=page.locator("th", has_text=name))
        for part in parts:
            box = row.locator(f"input[name^='p{part.pk}_']")
            if box.is_enabled():
                box.check()
                row.locator(f"select[name^='m{part.pk}_']").select_option(mode)
    assert_accessible(page)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))
    # The meeting page: an interpreter in the first part only, and how each one took part.
    parts_list = page.locator("ol", has_text=parts[0].name).first
    expect(parts_list.locator("li").nth(0)).to_contain_text("Arabisch")
    for later in range(1, len(parts)):
        expect(parts_list.locator("li").nth(later)).not_to_contain_text("Arabisch")
    expect(page.locator("main")).to_contain_text("via video")
    assert_accessible(page)
    shot("attendance-recorded")
    present = Attendance.objects.filter(part__meeting=meeting, present=True, invitation__person=mother)
    assert present.count() == len(parts) and {a.mode for a in present} == {"in_person"}
    present = Attendance.objects.filter(part__meeting=meeting, present=True, invitation__person=yara)
    assert present.count() == len(parts) and {a.mode for a in present} == {"video"}
    coordinator_parts = Attendance.objects.filter(part__meeting=meeting, present=True, user=fatima)
    assert coordinator_parts.count() == len([p for p in parts if not p.private]) > 0
    log_out(page, live_server)

    trajectory_services.change_status(
        actor(fatima), case.pk, trajectory.pk, "meeting_held", timezone.localdate(), note="Conferentie gehouden."
    )
    plan = write_plan(fatima, world.a.case_worker, case, trajectory, mother, aunt, line)
    digest = family_services.current_digest(plan)

    # --- The mother and Yara agree to the plan version they read, on their links.
    for url, person in ((mother_url, mother), (yara_url, yara)):
        page.goto(url)
        if person == yara:  # her family page speaks to her, not to her parents (decision 277)
            expect(page.locator("h1")).to_have_text("Hoi Yara")
            expect(page.locator("main")).to_contain_text("Jouw mening telt.")
        expect(page.locator("#plan .digest")).to_have_text(digest)
        expect(page.locator("#plan")).to_contain_text("slapen bij Salma")
        # Dutch typed into the plan keeps its own direction on the Arabic page (its full stop where it was put).
        expect(page.locator("#plan p", has_text="Wij willen dat")).to_have_attribute("dir", "ltr")
        agree = page.locator("form[action$='/agree/']")
        agree.locator("[name=typed_name]").fill(person.full_name)
        agree.locator("button[type=submit]").click()
        expect(page.locator("#plan form[action$='/agree/']")).to_have_count(0)
        assert_accessible(page)
        shot(f"{person.first_name.lower()}-agreed")
    signatures = PlanAgreementSignature.objects.filter(plan=plan)
    assert {(s.person_id, s.how, s.digest) for s in signatures} == {
        (mother.pk, "link", digest),
        (yara.pk, "link", digest),
    }

    # --- The case worker accepts the plan.
    plan_url = f"{live_server.url}/cases/{case.pk}/plans/{trajectory.pk}/"
    log_in(page, live_server, world.a.case_worker.email)
    page.goto(plan_url)
    page.locator(f"a[href$='/plans/{trajectory.pk}/decide/']").click()
    page.locator("input[name^=met_][value=met]").check()
    page.locator("textarea[name^=why_], input[name^=why_]").first.fill("Salma biedt een veilige slaapplek.")
    page.locator("input[name=outcome][value=accepted]").check()
    page.fill("[name=reason]", "Het plan van de familie is veilig genoeg.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/plans/{trajectory.pk}/(#decision-\d+)?$"))
    assert Plan.objects.get(pk=plan.pk).status == "accepted"

    # --- The plan shows "agreed by the family", each signature's digest that of this version.
    panel = page.locator("#family-agreement")
    expect(panel.locator("strong")).to_have_text(re.compile("^door de familie ingestemd$", re.I))
    expect(panel.locator("li")).to_have_count(2)
    assert family_services.current_digest(Plan.objects.get(pk=plan.pk)) == digest  # accepting kept the version
    expect(panel.locator("p .digest")).to_have_text(digest)
    for person in (mother, yara):
        row = panel.locator("li", has_text=person.first_name)
        expect(row.locator(".digest")).to_have_text(digest)
        expect(row).to_contain_text("(deze versie)")
    assert_accessible(page)
    shot("plan-agreed-by-the-family")

    # --- Yara's plan page is the one for her age (12 and over): the one-page plan for children, written for her...
    page.locator("#child-voice-link").click()
    with page.expect_download() as download:
        page.locator(f"#children a[href$='?child={yara.pk}']").click()
    text = pdf_text(download.value.path())
    assert "Het plan – voor Yara" in text and "Jouw mening telt" in text and "Kindertelefoon" in text, text
    assert "Voor de volwassene" not in text and "Hoi Yara!" not in text
    page.goto(plan_url)

    # ... and the page of her personal link to the plan.
    page.locator(f"a[href$='/plans/{trajectory.pk}/links/new/']").click()
    page.select_option("[name=person]", str(yara.pk))
    page.locator("main form button[type=submit]").first.click()
    address = page.locator(".secret").first.inner_text().strip()
    token = re.search(r"/l/([\w-]{40,})/$", address).group(1)
    log_out(page, live_server)
    page.goto(f"{live_server.url}/l/{token}/")
    expect(page.locator("h1")).to_contain_text("Hoi Yara")
    expect(page.locator("main")).to_contain_text("Jouw mening telt")
    expect(page.locator("main")).not_to_contain_text("Voor de volwassene")
    assert_accessible(page)
    shot("yara-plan-page-for-her-age")
