"""What each role sees of a plan: the case team sees the whole plan with the tools of its role; anyone else,
whatever their role at the organisation or elsewhere, gets the same 404 on every plan address and the refusal is
logged; a network member sees only their own part through their link; the family's private deliberation shows
nowhere unless the family chose to keep it."""

import pytest
from django.urls import reverse

from kring.audit.models import AccessLogEntry
from kring.plans import services
from kring.plans.links import services as link_services

pytestmark = pytest.mark.django_db

DECIDE, EDIT, BOTTOM_LINE, LINK = "/decide/", "/edit/", "/bottom-lines/new/", "/links/new/"


def plan_page(client, user, p):
    client.force_login(user)
    return client.get(reverse("plans:plan", args=[p.case.pk, p.trajectory.pk]))


@pytest.mark.parametrize(
    "who, tools",
    [
        ("case_worker", {DECIDE, BOTTOM_LINE, LINK}),
        ("lead", {DECIDE, BOTTOM_LINE, LINK}),
        ("coordinator", {LINK}),
    ],
)
def test_the_case_team_sees_the_plan_with_the_tools_of_its_role(client, pw, who, tools):
    response = plan_page(client, getattr(pw.world.a, who), pw)
    assert response.status_code == 200
    html = response.content.decode()
    assert pw.sleep.what in html and pw.must.text in html
    shown = {tool for tool in (DECIDE, BOTTOM_LINE, LINK) if f"/plans/{pw.trajectory.pk}{tool}" in html}
    assert shown == tools
    # The rows' links, built from one reverse(), are the agreement pages' real addresses.
    if who == "coordinator":
        pw.plan.refresh_from_db()
        services.decide_plan(
            pw.worker,
            pw.case.pk,
            pw.plan.pk,
            "sent_back",
            "nog niet",
            {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
            pw.plan.version,
        )
        html = plan_page(client, pw.world.a.coordinator, pw).content.decode()
        for name in ("agreement_edit", "agreement_remove"):
            assert reverse(f"plans:{name}", args=[pw.case.pk, pw.trajectory.pk, pw.sleep.pk]) in html


@pytest.mark.parametrize(
    "who", [("a", "other_worker"), ("a", "researcher"), ("b", "case_worker"), ("b", "lead"), ("b", "coordinator")]
)
def test_anyone_outside_the_case_team_gets_not_found_and_is_logged(client, pw, who):
    user = getattr(getattr(pw.world, who[0]), who[1])
    before = AccessLogEntry.objects.filter(user=user, action="denied").count()
    addresses = [
        reverse("plans:plan", args=[pw.case.pk, pw.trajectory.pk]),
        reverse("plans:list", args=[pw.case.pk]),
        reverse("plans:document_plan", args=[pw.case.pk, pw.trajectory.pk]),
        reverse("plans:safety", args=[pw.case.pk, pw.trajectory.pk]),
        f"/api/v1/cases/{pw.case.pk}/trajectories/{pw.trajectory.pk}/plan/",
    ]
    client.force_login(user)
    for address in addresses:
        response = client.get(address)
        assert response.status_code == 404, address
        assert pw.sleep.what.encode() not in response.content
    assert AccessLogEntry.objects.filter(user=user, action="denied").count() >= before + len(addresses)


def test_a_network_member_sees_only_their_own_part(client, accepted):
    p = accepted
    _link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.piet.pk)
    html = client.get(reverse("plan_links:home", args=[token])).content.decode()
    assert p.school.what in html  # Piet's own agreement
    assert p.sleep.what in html  # Piet stands in for Oma's: he is its backup
    for hidden in (
        p.must.text,
        p.plan.concerns,
        p.plan.if_it_goes_wrong,
        p.case.number,
        p.mw.kees.last_name,
        p.mw.juf.last_name,
    ):
        assert hidden not in html


def test_the_deliberation_is_shown_to_nobody_unless_the_family_chose_to_keep_it(client, pw):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "nog niet",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    pw.plan.refresh_from_db()
    note = "Oom Jan wilde eerst niet meedoen."
    pw.plan.deliberation_notes = note  # as if written around the rules: still not shown
    pw.plan.save()
    for user in (pw.world.a.case_worker, pw.world.a.coordinator, pw.world.a.lead):
        assert note not in plan_page(client, user, pw).content.decode()
    pw.plan.refresh_from_db()
    services.update_plan(
        pw.coordinator,
        pw.case.pk,
        pw.plan.pk,
        {"deliberation_kept": True, "deliberation_notes": note, "deliberation_chosen_by": "mama"},
        pw.plan.version,
    )
    assert note in plan_page(client, pw.world.a.case_worker, pw).content.decode()


def test_every_decision_keeps_its_checks_on_the_decisions_page(client, pw):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "Slaapplek ontbreekt.",
        {pw.must.pk: (False, "Niemand vangt 's nachts op."), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    pw.plan.refresh_from_db()
    services.submit_plan(pw.coordinator, pw.case.pk, pw.plan.pk, pw.plan.version)
    pw.plan.refresh_from_db()
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "accepted",
        "Nu goed.",
        {pw.must.pk: (True, "Oma vangt op."), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    address = reverse("plans:decisions", args=[pw.case.pk, pw.trajectory.pk])
    client.force_login(pw.world.a.case_worker)
    html = client.get(address).content.decode()
    assert "Niemand vangt" in html and "Oma vangt op." in html
    page = plan_page(client, pw.world.a.case_worker, pw).content.decode()
    assert "Oma vangt op." in page and "Niemand vangt" not in page  # the page shows the latest checks
    assert "Slaapplek ontbreekt." in page  # and the earlier decision's reason
    client.force_login(pw.world.b.case_worker)
    assert client.get(address).status_code == 404


def test_the_history_page_shows_every_change_but_not_private_notes(client, pw):
    services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        "sent_back",
        "nog niet",
        {pw.must.pk: (False, "nee"), pw.wish.pk: (True, "ja")},
        pw.plan.version,
    )
    pw.plan.refresh_from_db()
    plan = services.update_plan(
        pw.coordinator,
        pw.case.pk,
        pw.plan.pk,
        {
            "concerns": "Nieuwe zorgen in eigen woorden.",
            "deliberation_kept": True,
            "deliberation_notes": "Tante Els huilde.",
            "deliberation_chosen_by": "mama",
        },
        pw.plan.version,
    )
    services.update_plan(
        pw.coordinator,
        pw.case.pk,
        plan.pk,
        {"deliberation_kept": False, "deliberation_notes": "", "deliberation_chosen_by": ""},
        plan.version,
    )
    client.force_login(pw.world.a.case_worker)
    html = client.get(reverse("plans:history", args=[pw.case.pk, pw.trajectory.pk])).content.decode()
    assert "Nieuwe zorgen in eigen woorden." in html and pw.sleep.what[:40] in html
    assert pw.world.a.coordinator.email in html  # who made the change
    assert "Tante Els" not in html  # the family took its choice back: the notes are gone everywhere
    assert not any("Tante Els" in str(vars(h)) for h in pw.plan.history.all())
    client.force_login(pw.world.b.case_worker)
    assert client.get(reverse("plans:history", args=[pw.case.pk, pw.trajectory.pk])).status_code == 404
