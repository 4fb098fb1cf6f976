"""Items 14.4 and 14.8 on the pages: the consents a method needs shown before the first invitation (case page and
invitation page) and the first invitation refused without them unless a reason is given; the next-step hint on the
case page per phase; the plan PDF and the one-page-per-member PDFs linked from the plan page and reachable."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from kring.cases import services as case_services
from kring.meetings import services as meeting_services
from kring.meetings.models import Invitation
from kring.plans import services
from kring.plans.next_step import Facts, step_for
from kring.trajectories import services as trajectory_services
from kring.trajectories.models import TrajectoryEvent
from tests.factories import actor, make_parent
from tests.plans.conftest import accept

D = datetime.date


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def case_page(client, user, case):
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return text_of(response)


@pytest.fixture
def fresh(world):
    """An FNB trajectory in preparation with a coordinator, a planned meeting next week, Oma safe on the map and
    no consent on file (unlike ``mw``, whose first invitation already went out with a reason)."""
    from kring.network import services as network_services

    case, worker = world.a.case, actor(world.a.case_worker)
    t = trajectory_services.offer_trajectory(worker, case.pk, "fnb", D(2026, 2, 1))
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", D(2026, 2, 2))
    t = trajectory_services.allocate_coordinator(actor(world.a.lead), case.pk, t.pk, world.a.coordinator.pk)
    t.refresh_from_db()
    oma = network_services.add_network_person(
        worker,
        case.pk,
        {"first_name": "Oma", "last_name": "Jansen"},
        {"domain": "family", "safety": "safe", "may_invite": True},
    )
    start = (timezone.localtime() + datetime.timedelta(days=7)).replace(hour=19, minute=0, second=0, microsecond=0)
    meeting = meeting_services.schedule_meeting(
        worker,
        case.pk,
        t.pk,
        {
            "kind": "network_meeting",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "place": "Buurthuis",
            "language": "Nederlands",
        },
    )
    t.refresh_from_db()
    return world, case, worker, t, meeting, oma


def test_the_case_page_shows_the_consents_the_method_needs_and_which_are_missing(client, fresh):
    world, case, worker, t, meeting, oma = fresh
    text = case_page(client, world.a.case_worker, case)
    assert "Toestemmingen die de methodiek nodig heeft vóór de eerste uitnodiging" in text
    for label in ("Contact opnemen met het netwerk en het uitnodigen", "Informatie delen met het netwerk"):
        assert f"ontbreekt {label}" in text, label
    mother = make_parent(case)
    case_services.record_consents(
        worker, case.pk, {"person": mother, "purposes": ["contact_network"], "given_on": timezone.localdate()}
    )
    text = case_page(client, world.a.case_worker, case)
    assert "gegeven Contact opnemen met het netwerk en het uitnodigen" in text
    assert "ontbreekt Informatie delen met het netwerk" in text
    # The link to record them ticks exactly the missing purposes.
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "?purpose=share_with_network&amp;purpose=share_with_professionals" in html


def test_the_first_invitation_without_the_consents_needs_a_reason(client, fresh):
    world, case, worker, t, meeting, oma = fresh
    url = reverse("meetings:invite", args=[case.pk, meeting.pk])
    client.force_login(world.a.coordinator)
    page = text_of(client.get(url))
    assert "Toestemmingen die de methodiek nodig heeft vóór de eerste uitnodiging" in page
    assert "ontbreekt" in page
    refused = client.post(url, {"person": [oma.pk]})
    assert refused.status_code == 400
    assert "Informatie delen met het netwerk" in text_of(refused)
    assert not Invitation.objects.filter(meeting=meeting).exists()
    done = client.post(
        url, {"person": [oma.pk], "consent_reason": "Moeder gaf mondeling toestemming; formulier volgt."}
    )
    assert done.status_code == 302
    assert Invitation.objects.filter(meeting=meeting, person=oma).exists()
    event = TrajectoryEvent.objects.get(trajectory=t, kind="consents")
    assert (event.by, event.note) == (world.a.coordinator, "Moeder gaf mondeling toestemming; formulier volgt.")
    assert event.to_value == "contact_network,share_with_network,share_with_professionals"
    # The timeline says so in words; the invitation page and the case page say who let it go and why.
    timeline = text_of(client.get(reverse("trajectories:detail", args=[case.pk, t.pk])))
    assert "eerste uitnodiging zonder de toestemmingen: contact opnemen met het netwerk en het uitnodigen" in timeline
    assert "Moeder gaf mondeling toestemming" in case_page(client, world.a.coordinator, case)


def test_with_the_consents_on_file_the_first_invitation_goes_out_without_asking(fresh):
    world, case, worker, t, meeting, oma = fresh
    case_services.record_consents(
        worker,
        case.pk,
        {
            "person": make_parent(case),
            "purposes": ["contact_network", "share_with_network", "share_with_professionals"],
            "given_on": timezone.localdate(),
        },
    )
    assert meeting_services.invite_from_map(actor(world.a.coordinator), case.pk, meeting.pk, [oma.pk])
    assert not TrajectoryEvent.objects.filter(trajectory=t, kind="consents").exists()


def test_the_service_refuses_the_first_invitation_without_consents_or_reason(fresh):
    world, case, worker, t, meeting, oma = fresh
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        meeting_services.invite_from_map(actor(world.a.coordinator), case.pk, meeting.pk, [oma.pk])
    assert "consent_reason" in caught.value.message_dict
    assert not Invitation.objects.filter(meeting=meeting).exists()
    # After the first one went out (with a reason), later invitations do not ask again.
    meeting_services.invite_from_map(actor(world.a.coordinator), case.pk, meeting.pk, [oma.pk], consent_reason="x")
    juf = case.persons.exclude(pk=oma.pk).get(is_central=False)
    meeting_services.invite_from_map(
        actor(world.a.coordinator), case.pk, meeting.pk, [juf.pk], overrides={juf.pk: "De juf kent het kind."}
    )
    assert Invitation.objects.filter(meeting=meeting).count() == 2


# ---- the next step, per phase -------------------------------------------------------------------------------


def hint(client, user, case) -> str:
    client.force_login(user)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    found = re.search(r'<p class="next-step-text">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def test_the_next_step_follows_the_trajectory_through_its_phases(client, mw):
    world, case, worker = mw.world, mw.case, mw.worker
    user = world.a.case_worker
    # Preparation of an FNB: the method asks for bottom lines first.
    assert hint(client, user, case) == "Leg de bodemeisen vast waaraan het plan moet voldoen."
    line = services.add_bottom_line(
        worker, case.pk, mw.trajectory.pk, {"text": "Sam slaapt veilig.", "reason": "Ruzies.", "kind": "wish"}
    )
    assert line.pk
    assert hint(client, user, case) == "Nodig het netwerk uit vanaf de netwerkkaart."
    meeting_services.invite_from_map(worker, case.pk, mw.meeting.pk)
    # The meeting began two days ago and nobody recorded it yet.
    assert hint(client, user, case) == "Registreer wie deelnam aan de bijeenkomst, deel per deel."


def test_the_next_step_after_the_meeting_is_the_plan_and_its_decision(client, pw):
    case, user = pw.case, pw.world.a.case_worker
    assert hint(client, user, case) == "Het plan wacht op het besluit van de hulpverlener."
    accept(pw)
    pw.plan.refresh_from_db()
    review = pw.plan.reviews.order_by("planned_on").first()
    with translation.override("nl"):
        day = date_format(review.planned_on, "SHORT_DATE_FORMAT")
    assert hint(client, user, case) == f"Volg het plan op; de volgende evaluatie is op {day}."


def test_the_next_step_links_to_the_page_where_it_is_taken(client, pw):
    client.force_login(pw.world.a.case_worker)
    html = client.get(reverse("cases:detail", args=[pw.case.pk])).content.decode()
    plan_url = reverse("plans:plan", args=[pw.case.pk, pw.trajectory.pk])
    assert f'<p class="next-step-text"><a href="{plan_url}">' in html


@pytest.mark.parametrize(
    "facts, expected",
    [
        (Facts(status="offered"), "The offer awaits the family's answer: record it on the trajectory."),
        (Facts(status="accepted", needs_coordinator=True), "Allocate a coordinator (the team lead does this)."),
        (Facts(status="accepted", needs_coordinator=True, has_coordinator=True), "Plan the meeting."),
        (
            Facts(status="preparing", needs_bottom_lines=True, next_meeting=timezone.now()),
            "Set the bottom lines the plan must meet.",
        ),
        (
            Facts(status="preparing", next_meeting=timezone.now(), missing_consents=["share information"]),
            "Record the family's consent before the first invitation: share information.",
        ),
        (
            Facts(
                status="preparing", next_meeting=timezone.now(), missing_consents=["x"], invited_without_consent=True
            ),
            "Invite the network from the map.",
        ),
        (
            Facts(status="preparing", invited=True, meeting_to_record=True),
            "Record who took part in the meeting, part by part.",
        ),
        (Facts(status="meeting_held"), "Write down the plan as the family presented it."),
        (Facts(status="meeting_held", plan_status="draft"), "Complete the plan and submit it for a decision."),
        (
            Facts(status="meeting_held", plan_status="sent_back"),
            "The plan was sent back: adjust it with the family and submit it again.",
        ),
        (Facts(status="meeting_held", plan_status="submitted"), "The plan awaits the decision of the case worker."),
        (Facts(status="plan_made", plan_status="accepted"), "Follow the plan and plan its review."),
        (Facts(status="closed"), ""),
    ],
)
def test_step_for_each_status_and_what_is_on_file(facts, expected):
    with translation.override("en"):
        assert step_for(facts).text == expected


# ---- documents ----------------------------------------------------------------------------------------------


def test_the_plan_page_links_the_plan_and_each_members_page_and_they_download(client, accepted):
    p = accepted
    client.force_login(p.world.a.case_worker)
    html = client.get(reverse("plans:plan", args=[p.case.pk, p.trajectory.pk])).content.decode()
    links = re.findall(r'href="([^"]+\.pdf)"', html)
    plan_pdf = reverse("plans:document_plan", args=[p.case.pk, p.trajectory.pk])
    members = {
        reverse("plans:document_member", args=[p.case.pk, p.trajectory.pk, person.pk])
        for person in (p.mw.oma, p.mw.piet)
    }
    assert plan_pdf in links
    assert members <= set(links)
    assert reverse("plans:document_bottom_lines", args=[p.case.pk, p.trajectory.pk]) in links
    for url in [plan_pdf, *members]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response).startswith(b"%PDF")
    assert "Oma Jansen" in text_of(client.get(reverse("plans:plan", args=[p.case.pk, p.trajectory.pk])))


def test_the_api_refuses_the_first_invitation_without_consents_and_takes_a_reason(fresh):
    from rest_framework.test import APIClient

    world, case, worker, t, meeting, oma = fresh
    client = APIClient()
    client.force_authenticate(world.a.coordinator)
    url = f"/api/v1/cases/{case.pk}/meetings/{meeting.pk}/invitations/"
    refused = client.post(url, {"persons": [oma.pk]}, format="json")
    assert refused.status_code == 400 and "consent_reason" in refused.json()
    assert not Invitation.objects.filter(meeting=meeting).exists()
    done = client.post(url, {"persons": [oma.pk], "consent_reason": "Mondeling toegestemd."}, format="json")
    assert done.status_code == 201, done.json()
    assert TrajectoryEvent.objects.get(trajectory=t, kind="consents").note == "Mondeling toegestemd."
