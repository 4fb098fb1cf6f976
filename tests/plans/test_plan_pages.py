"""The professionals' plan pages with the Django test client: every page opens for the case worker, the
coordinator writes the plan but cannot set bottom lines or decide, outsiders get 404 (logged), bad input and stale
forms change nothing, the decision refuses a plan that fails a non-negotiable bottom line, a personal link is shown
once, and the plan page costs the same number of queries whatever the plan's size."""

import datetime
import hashlib
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from kring.audit.models import AccessLogEntry
from kring.plans import follow_up as plan_follow_up
from kring.plans import services
from kring.plans.links import services as link_services
from kring.plans.models import (
    Agreement,
    AgreementReport,
    BottomLine,
    PersonalLink,
    Plan,
    PlanDecision,
    Review,
    ReviewItem,
)
from tests.factories import actor
from tests.plans.conftest import accept

pytestmark = pytest.mark.django_db


def url(name, p, **kwargs):
    if name == "list":
        return reverse("plans:list", kwargs={"pk": p.case.pk})
    return reverse(f"plans:{name}", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk, **kwargs})


def login(client, user):
    client.force_login(user)
    return client


def refresh(p):
    p.plan.refresh_from_db()
    for record in (p.must, p.wish, p.sleep, p.school):
        record.refresh_from_db()
    return p


def send_back(p):
    """The case worker sends the submitted plan back: it is a draft again that the coordinator can change."""
    refresh(p)
    services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "sent_back",
        "Nog niet concreet genoeg.",
        {p.must.pk: (False, "Niet duidelijk waar Sam slaapt."), p.wish.pk: (False, "School ontbreekt.")},
        p.plan.version,
    )
    return refresh(p)


def state():
    """Everything the plan pages can write, to show that a refused form changed nothing."""
    return (
        list(
            Plan.objects.order_by("pk").values_list(
                "pk", "version", "status", "edition", "concerns", "presented_on", "deliberation_notes"
            )
        ),
        list(BottomLine.objects.order_by("pk").values_list("pk", "version", "text", "reason", "kind", "withdrawn_on")),
        list(Agreement.objects.order_by("pk").values_list("pk", "version", "what", "status", "ends_on")),
        list(Review.objects.order_by("pk").values_list("pk", "version", "name", "planned_on", "held_on")),
        list(PersonalLink.objects.order_by("pk").values_list("pk", "revoked_at")),
        AgreementReport.objects.count(),
        PlanDecision.objects.count(),
        ReviewItem.objects.count(),
    )


def shows_errors(response):
    page = response.content.decode()
    return response.status_code == 200 and ("errorlist" in page or 'class="alert"' in page)


def make_link(p, person=None):
    link, token = link_services.create_link(
        actor(p.world.a.coordinator), p.case.pk, p.plan.pk, (person or p.mw.oma).pk, [], 30
    )
    return link, token


def every_url(p, link, review):
    line, agreement = p.must.pk, p.sleep.pk
    return [
        url("list", p),
        url("plan", p),
        url("start", p),
        url("edit", p),
        url("bottom_line_add", p),
        url("bottom_line_edit", p, line_id=line),
        url("bottom_line_withdraw", p, line_id=line),
        url("bottom_line_history", p, line_id=line),
        url("agreement_add", p),
        url("agreement_edit", p, agreement_id=agreement),
        url("agreement_remove", p, agreement_id=agreement),
        url("agreement_report", p, agreement_id=agreement),
        url("submit", p),
        url("decide", p),
        url("new_version", p),
        url("link_add", p),
        url("link_revoke", p, link_id=link.pk),
        url("review_add", p),
        url("review_hold", p, review_id=review.pk),
    ]


# ---- every page opens -----------------------------------------------------------------------------------------


def test_every_page_renders_for_the_case_worker(client, accepted):
    p = accepted
    link, _token = make_link(p)
    review = Review.objects.filter(plan=p.plan).first()
    login(client, p.world.a.case_worker)
    for target in every_url(p, link, review):
        response = client.get(target)
        assert response.status_code == 200, target
    page = client.get(url("plan", p)).content.decode()
    for text in (
        p.must.text,
        p.wish.text,
        p.sleep.what,
        p.school.what,
        p.plan.concerns,
        p.mw.oma.full_name,
        review.name,
    ):
        assert escape(text) in page
    # Controls for what the case worker may do: bottom lines, reports, links, reviews, a new version.
    for target in (
        url("bottom_line_add", p),
        url("agreement_report", p, agreement_id=p.sleep.pk),
        url("link_add", p),
        url("review_hold", p, review_id=review.pk),
        url("new_version", p),
        url("bottom_line_history", p, line_id=p.must.pk),
        url("link_revoke", p, link_id=link.pk),
    ):
        assert target in page
    # The plan is accepted: it is not edited in place.
    assert url("edit", p) not in page and url("agreement_add", p) not in page


def test_the_case_links_to_its_plans(client, accepted):
    p = accepted
    login(client, p.world.a.case_worker)
    assert url("list", p) in client.get(reverse("cases:detail", kwargs={"pk": p.case.pk})).content.decode()
    trajectory_page = client.get(
        reverse("trajectories:detail", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk})
    )
    assert url("plan", p) in trajectory_page.content.decode()
    page = client.get(url("list", p)).content.decode()
    assert url("plan", p) in page and f'id="trajectory-{p.trajectory.pk}"' in page


def test_start_the_plan(client, mw):
    login(client, mw.world.a.coordinator)
    p = SimpleNamespace(case=mw.case, trajectory=mw.trajectory)
    page = client.get(url("plan", p)).content.decode()
    assert url("start", p) in page and url("edit", p) not in page
    response = client.post(url("start", p))
    assert response.status_code == 302 and response.url == url("plan", p)
    plan = Plan.objects.get(trajectory=mw.trajectory)
    assert plan.plan_type == "family_group_plan" and plan.written_by == mw.world.a.coordinator
    # A second start is refused with a message, and changes nothing.
    response = client.post(url("start", p))
    assert shows_errors(response) and Plan.objects.count() == 1
    page = client.get(url("plan", p)).content.decode()
    assert url("edit", p) in page and url("start", p) not in page


# ---- who may do what --------------------------------------------------------------------------------------------


def test_coordinator_writes_the_plan_but_cannot_decide_or_set_bottom_lines(client, pw):
    p = send_back(pw)
    coordinator = p.world.a.coordinator
    login(client, coordinator)
    page = client.get(url("plan", p)).content.decode()
    assert url("edit", p) in page and url("bottom_line_add", p) not in page
    assert f'href="{url("bottom_line_edit", p, line_id=p.must.pk)}"' not in page
    response = client.post(
        url("edit", p),
        {
            "concerns": "Sam slaapt rustig en gaat elke dag naar school.",
            "if_it_goes_wrong": p.plan.if_it_goes_wrong,
            "child_view": p.plan.child_view,
            "presented_on": datetime.date.today().isoformat(),
            "version": p.plan.version,
        },
    )
    assert response.status_code == 302
    assert Plan.objects.get(pk=p.plan.pk).concerns == "Sam slaapt rustig en gaat elke dag naar school."
    refresh(p)
    assert client.post(url("submit", p), {"version": p.plan.version}).status_code == 302
    refresh(p)
    assert p.plan.status == "submitted"
    before = state()
    denied = AccessLogEntry.objects.filter(user=coordinator, action="denied", case_id=p.case.pk).count()
    # The decision: neither the form nor a post.
    assert client.get(url("decide", p)).status_code == 403
    response = client.post(
        url("decide", p),
        {
            f"met_{p.must.pk}": "met",
            f"why_{p.must.pk}": "Oma biedt een slaapplek.",
            f"met_{p.wish.pk}": "met",
            f"why_{p.wish.pk}": "School is ingelicht.",
            "outcome": "accepted",
            "reason": "Goed plan.",
            "version": p.plan.version,
        },
    )
    assert response.status_code == 403
    # Bottom lines: neither adding, changing nor withdrawing.
    assert client.get(url("bottom_line_add", p)).status_code == 403
    assert (
        client.post(url("bottom_line_add", p), {"text": "Nieuw", "reason": "Omdat", "kind": "wish"}).status_code == 403
    )
    assert (
        client.post(
            url("bottom_line_edit", p, line_id=p.must.pk),
            {"text": "Anders", "reason": "Omdat", "kind": "wish", "version": p.must.version},
        ).status_code
        == 403
    )
    assert (
        client.post(
            url("bottom_line_withdraw", p, line_id=p.must.pk),
            {"withdrawal_reason": "Niet meer nodig", "version": p.must.version},
        ).status_code
        == 403
    )
    assert state() == before
    assert AccessLogEntry.objects.filter(user=coordinator, action="denied", case_id=p.case.pk).count() >= denied + 4


def test_outsiders_get_404_on_every_page_and_the_refusal_is_logged(client, accepted):
    p = accepted
    link, _token = make_link(p)
    review = Review.objects.filter(plan=p.plan).first()
    targets = every_url(p, link, review)
    before = state()
    for user in (p.world.b.case_worker, p.world.b.lead, p.world.a.other_worker, p.world.a.researcher):
        login(client, user)
        for target in targets:
            assert client.get(target).status_code == 404, (user, target)
            assert (
                client.post(
                    target,
                    {
                        "version": 1,
                        "text": "x",
                        "reason": "x",
                        "kind": "wish",
                        "withdrawal_reason": "x",
                        "outcome": "done",
                    },
                ).status_code
                == 404
            ), (user, target)
        denied = AccessLogEntry.objects.filter(user=user, action="denied", case_id=p.case.pk).count()
        assert denied >= 2 * len(targets), user
    assert state() == before
    # The same answer as for a case that does not exist.
    login(client, p.world.b.case_worker)
    missing = reverse("plans:plan", kwargs={"pk": p.case.pk + 1000, "trajectory_id": p.trajectory.pk})
    assert client.get(missing).status_code == 404


# ---- bad input ------------------------------------------------------------------------------------------------


def test_garbage_in_the_draft_forms_changes_nothing(client, pw):
    p = send_back(pw)
    p.mw.oma.refresh_from_db()
    login(client, p.world.a.case_worker)
    v = p.plan.version
    attempts = [
        (url("edit", p), {"concerns": "x", "presented_on": "gisteren", "version": v}),
        (url("edit", p), {"concerns": "x", "deliberation_notes": "Wat we bespraken", "version": v}),
        (url("edit", p), {"concerns": "x", "presented_on": "2999-01-01", "version": v}),
        (url("edit", p), {"concerns": "x" * 5000, "version": v}),
        (url("edit", p), {"concerns": "x", "version": "kapot"}),
        (url("bottom_line_add", p), {"text": "", "reason": "", "kind": "misschien"}),
        (
            url("bottom_line_edit", p, line_id=p.must.pk),
            {"text": "x", "reason": "", "kind": "wish", "version": p.must.version},
        ),
        (url("bottom_line_edit", p, line_id=p.must.pk), {"text": "x", "reason": "y", "kind": "wish"}),
        (url("bottom_line_withdraw", p, line_id=p.must.pk), {"withdrawal_reason": "", "version": p.must.version}),
        (url("agreement_add", p), {"what": "", "owner_person": "999999", "due_on": "morgen", "version": v}),
        (url("agreement_add", p), {"what": "Iets doen", "version": v}),  # nobody carries it out or checks it
        (
            url("agreement_add", p),
            {
                "what": "Iets doen",
                "owner_person": p.mw.oma.pk,
                "backup_person": p.mw.oma.pk,
                "checker_user": p.world.a.case_worker.pk,
                "version": v,
            },
        ),
        (
            url("agreement_edit", p, agreement_id=p.sleep.pk),
            {
                "what": "Sam slaapt bij oma.",
                "owner_person": p.mw.oma.pk,
                "checker_user": p.world.a.case_worker.pk,
                "starts_on": "2026-05-10",
                "ends_on": "2026-05-01",
                "version": p.sleep.version,
            },
        ),
        (
            url("agreement_edit", p, agreement_id=p.sleep.pk),
            {
                "what": "Sam slaapt bij oma.",
                "owner_person": p.mw.oma.pk,
                "checker_user": p.world.b.case_worker.pk,
                "version": p.sleep.version,
            },
        ),
        (url("agreement_remove", p, agreement_id=p.sleep.pk), {"version": "abc"}),
        (url("submit", p), {"version": "abc"}),
        (url("link_add", p), {"person": "abc", "valid_days": "0"}),
        (url("link_add", p), {"person": p.mw.oma.pk, "valid_days": "9999"}),
        (url("link_add", p), {"person": p.mw.oma.pk, "shared_parts": ["concerns"], "valid_days": "30"}),
        (url("link_add", p), {"person": p.mw.oma.pk, "shared_parts": ["everything"], "valid_days": "30"}),
        (url("review_add", p), {"name": "", "planned_on": "ooit"}),
        (url("new_version", p), {"version": v}),  # only an accepted plan gets a new version
    ]
    before = state()
    for target, data in attempts:
        response = client.post(target, data)
        assert shows_errors(response), (target, data, response.status_code)
        assert state() == before, (target, data)


def test_garbage_in_the_decision_and_follow_up_forms_changes_nothing(client, pw):
    p = refresh(pw)
    login(client, p.world.a.case_worker)
    attempts = [
        (url("decide", p), {"outcome": "accepted", "reason": "", "version": p.plan.version}),
        (
            url("decide", p),
            {
                f"met_{p.must.pk}": "ja",
                f"why_{p.must.pk}": "x",
                "outcome": "misschien",
                "reason": "x",
                "version": p.plan.version,
            },
        ),
        (
            url("decide", p),
            {
                f"met_{p.must.pk}": "met",
                f"why_{p.must.pk}": "x",
                f"met_{p.wish.pk}": "met",
                f"why_{p.wish.pk}": "y",
                "outcome": "accepted",
                "reason": "x",
                "version": "x",
            },
        ),
        (url("agreement_report", p, agreement_id=p.sleep.pk), {"outcome": "done"}),  # not in force yet
    ]
    before = state()
    for target, data in attempts:
        assert shows_errors(client.post(target, data)), (target, data)
        assert state() == before, (target, data)
    accept(p)
    refresh(p)
    review = Review.objects.filter(plan=p.plan).first()
    keeping = {f"keeping_{p.sleep.pk}": "kept", f"keeping_{p.school.pk}": "partly"}
    attempts = [
        (url("agreement_report", p, agreement_id=p.sleep.pk), {"outcome": "misschien"}),
        (url("agreement_report", p, agreement_id=p.sleep.pk), {"outcome": "done", "note": "x" * 5000}),
        (url("new_version", p), {"version": "abc"}),
        (
            url("review_hold", p, review_id=review.pk),
            {"held_on": datetime.date.today().isoformat(), "decision": "continue", "version": review.version},
        ),
        (
            url("review_hold", p, review_id=review.pk),
            dict(keeping, held_on="2999-01-01", decision="continue", version=review.version),
        ),
        (
            url("review_hold", p, review_id=review.pk),
            dict(keeping, held_on="2000-01-01", decision="continue", version=review.version),
        ),
        (
            url("review_hold", p, review_id=review.pk),
            dict(keeping, held_on=datetime.date.today().isoformat(), decision="stoppen", version=review.version),
        ),
    ]
    before = state()
    for target, data in attempts:
        assert shows_errors(client.post(target, data)), (target, data)
        assert state() == before, (target, data)


# ---- stale edits ------------------------------------------------------------------------------------------------


def test_stale_forms_answer_409_and_keep_the_other_persons_work(client, pw):
    p = send_back(pw)
    login(client, p.world.a.case_worker)
    # The coordinator saved the plan after the case worker opened it.
    opened = p.plan.version
    services.update_plan(
        actor(p.world.a.coordinator), p.case.pk, p.plan.pk, {"concerns": "Door de coördinator aangepast."}, opened
    )
    response = client.post(url("edit", p), {"concerns": "Mijn versie.", "version": opened})
    assert response.status_code == 409
    assert "Door de coördinator aangepast." in response.content.decode()
    assert Plan.objects.get(pk=p.plan.pk).concerns == "Door de coördinator aangepast."
    # A bottom line changed in between.
    services.update_bottom_line(p.worker, p.case.pk, p.must.pk, {"text": "Tweede versie."}, p.must.version)
    response = client.post(
        url("bottom_line_edit", p, line_id=p.must.pk),
        {"text": "Mijn versie.", "reason": "x", "kind": "wish", "version": p.must.version},
    )
    assert response.status_code == 409 and BottomLine.objects.get(pk=p.must.pk).text == "Tweede versie."
    response = client.post(
        url("bottom_line_withdraw", p, line_id=p.must.pk),
        {"withdrawal_reason": "Niet meer nodig.", "version": p.must.version},
    )
    assert response.status_code == 409 and BottomLine.objects.get(pk=p.must.pk).withdrawn_on is None
    # An agreement changed in between.
    refresh(p)
    services.update_agreement(
        actor(p.world.a.coordinator), p.case.pk, p.sleep.pk, {"frequency": "elke nacht"}, p.sleep.version
    )
    data = {
        "what": "Mijn versie.",
        "owner_person": p.mw.oma.pk,
        "checker_user": p.world.a.case_worker.pk,
        "version": p.sleep.version,
    }
    response = client.post(url("agreement_edit", p, agreement_id=p.sleep.pk), data)
    assert response.status_code == 409 and Agreement.objects.get(pk=p.sleep.pk).what != "Mijn versie."
    response = client.post(url("agreement_remove", p, agreement_id=p.sleep.pk), {"version": p.sleep.version})
    assert response.status_code == 409 and Agreement.objects.filter(pk=p.sleep.pk).exists()
    # A new agreement on a plan that changed since the form was opened.
    response = client.post(url("agreement_add", p), dict(data, version=p.plan.version))
    assert response.status_code == 409 and Agreement.objects.count() == 2
    response = client.post(url("submit", p), {"version": p.plan.version})
    assert response.status_code == 409 and Plan.objects.get(pk=p.plan.pk).status == "sent_back"


def test_a_stale_decision_is_refused(client, pw):
    p = refresh(pw)
    login(client, p.world.a.case_worker)
    opened = p.plan.version
    Plan.objects.filter(pk=p.plan.pk).update(version=opened + 1)  # someone saved the plan meanwhile
    response = client.post(
        url("decide", p),
        {
            f"met_{p.must.pk}": "met",
            f"why_{p.must.pk}": "Oma.",
            f"met_{p.wish.pk}": "met",
            f"why_{p.wish.pk}": "Ja.",
            "outcome": "accepted",
            "reason": "Goed.",
            "version": opened,
        },
    )
    assert response.status_code == 409
    assert Plan.objects.get(pk=p.plan.pk).status == "submitted" and not PlanDecision.objects.exists()


# ---- the decision -----------------------------------------------------------------------------------------------


def test_the_decision_refuses_a_failed_non_negotiable_line_and_accepts_when_met(client, pw):
    p = refresh(pw)
    login(client, p.world.a.case_worker)
    page = client.get(url("decide", p)).content.decode()
    for line in (p.must, p.wish):
        assert f'name="met_{line.pk}"' in page and f'name="why_{line.pk}"' in page
    data = {
        f"met_{p.must.pk}": "not_met",
        f"why_{p.must.pk}": "Er is geen slaapplek.",
        f"met_{p.wish.pk}": "not_met",
        f"why_{p.wish.pk}": "School weet van niets.",
        "outcome": "accepted",
        "reason": "Toch maar doen.",
        "version": p.plan.version,
    }
    response = client.post(url("decide", p), data)
    page = response.content.decode()
    assert response.status_code == 200
    outcome_errors = page.split('id="id_outcome_error"')[1].split("</ul>")[0]
    assert escape(p.must.text[:40]) in outcome_errors
    assert Plan.objects.get(pk=p.plan.pk).status == "submitted" and not PlanDecision.objects.exists()
    # A failed wish does not stop acceptance; the non-negotiable line met does.
    response = client.post(
        url("decide", p),
        dict(
            data,
            **{
                f"met_{p.must.pk}": "met",
                f"why_{p.must.pk}": "Oma biedt elke nacht een slaapplek.",
                "reason": "Het plan is veilig genoeg.",
            },
        ),
    )
    decision = PlanDecision.objects.get()
    assert response.status_code == 302 and response.url == url("plan", p) + f"#decision-{decision.pk}"
    assert (decision.outcome, decision.decided_by) == ("accepted", p.world.a.case_worker)
    assert {c.bottom_line_id: c.met for c in decision.checks.all()} == {p.must.pk: True, p.wish.pk: False}
    assert Plan.objects.get(pk=p.plan.pk).status == "accepted"
    assert decision.formal_basis
    page = client.get(url("plan", p)).content.decode()
    section = page.split(f'id="decision-{decision.pk}"')[1].split("</li>\n  </ol>")[0]
    for text in (
        decision.formal_basis,
        "Het plan is veilig genoeg.",
        "Oma biedt elke nacht een slaapplek.",
        "School weet van niets.",
        str(p.world.a.case_worker),
    ):
        assert escape(text) in section


def test_send_back_and_the_bottom_line_history(client, pw):
    p = refresh(pw)
    login(client, p.world.a.case_worker)
    response = client.post(
        url("decide", p),
        {
            f"met_{p.must.pk}": "not_met",
            f"why_{p.must.pk}": "Geen slaapplek.",
            f"met_{p.wish.pk}": "met",
            f"why_{p.wish.pk}": "Ja.",
            "outcome": "sent_back",
            "reason": "Eerst een slaapplek.",
            "version": p.plan.version,
        },
    )
    assert response.status_code == 302 and Plan.objects.get(pk=p.plan.pk).status == "sent_back"
    response = client.post(
        url("bottom_line_edit", p, line_id=p.must.pk),
        {
            "text": "Sam slaapt elke nacht bij oma of thuis.",
            "reason": p.must.reason,
            "legal_basis": "",
            "kind": "non_negotiable",
            "version": p.must.version,
        },
    )
    assert response.status_code == 302
    page = client.get(url("bottom_line_history", p, line_id=p.must.pk)).content.decode()
    assert escape(p.must.text) in page and escape("Sam slaapt elke nacht bij oma of thuis.") in page
    response = client.post(
        url("bottom_line_withdraw", p, line_id=p.wish.pk),
        {"withdrawal_reason": "School is al betrokken.", "version": p.wish.version},
    )
    assert response.status_code == 302
    page = client.get(url("plan", p)).content.decode()
    assert 'class="withdrawn"' in page and "School is al betrokken." in page
    # A bottom line added by the case worker shows up with its kind.
    response = client.post(
        url("bottom_line_add", p),
        {"text": "Geen alcohol in huis.", "reason": "Veiligheid.", "legal_basis": "", "kind": "non_negotiable"},
    )
    assert response.status_code == 302 and BottomLine.objects.filter(text="Geen alcohol in huis.").exists()


# ---- agreements, reports, reviews -------------------------------------------------------------------------------


def test_agreements_reports_and_a_review(client, pw):
    p = send_back(pw)
    login(client, p.world.a.coordinator)
    response = client.post(
        url("agreement_add", p),
        {
            "what": "Oma belt elke zondag.",
            "owner_person": p.mw.oma.pk,
            "checker_person": p.mw.piet.pk,
            "frequency": "wekelijks",
            "due_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
            "bottom_lines": [p.wish.pk],
            "version": p.plan.version,
        },
    )
    assert response.status_code == 302
    added = Agreement.objects.get(what="Oma belt elke zondag.")
    assert list(added.bottom_lines.all()) == [p.wish]
    refresh(p)
    response = client.post(url("agreement_remove", p, agreement_id=added.pk), {"version": added.version})
    assert response.status_code == 302 and not Agreement.objects.filter(pk=added.pk).exists()
    refresh(p)
    assert client.post(url("submit", p), {"version": p.plan.version}).status_code == 302
    accept(p)
    refresh(p)
    response = client.post(url("agreement_report", p, agreement_id=p.school.pk), {"outcome": "done", "note": "Gelukt."})
    assert response.status_code == 302
    report = AgreementReport.objects.get()
    assert (report.outcome, report.reported_by) == ("done", p.world.a.coordinator)
    page = client.get(url("plan", p)).content.decode()
    row = page.split(f'id="agreement-{p.school.pk}"')[1].split("</tr>")[0]
    with translation.override(settings.LANGUAGE_CODE):  # the pages speak the default language
        outcome = report.get_outcome_display()
    assert escape(outcome) in row and escape(str(p.world.a.coordinator)) in row
    review = Review.objects.filter(plan=p.plan).first()
    response = client.post(
        url("review_hold", p, review_id=review.pk),
        {
            f"keeping_{p.sleep.pk}": "kept",
            f"keeping_{p.school.pk}": "partly",
            f"note_{p.school.pk}": "Soms vergeten.",
            "held_on": datetime.date.today().isoformat(),
            "decision": "continue",
            "note": "Het gaat goed.",
            "version": review.version,
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.held_on == datetime.date.today() and review.items.count() == 2
    page = client.get(url("plan", p)).content.decode()
    keeping = page.split('id="keeping"')[1].split("</section>")[0]
    assert "<svg" in keeping and "75%" in keeping  # kept + partly kept = (1 + 0.5) / 2
    assert "Soms vergeten." in page
    # An extra review moment.
    response = client.post(url("review_add", p), {"name": "Na de zomer", "planned_on": "2027-09-01"})
    assert response.status_code == 302 and Review.objects.filter(name="Na de zomer").exists()
    # Overdue agreements are highlighted.
    Agreement.objects.filter(pk=p.sleep.pk).update(due_on=datetime.date.today() - datetime.timedelta(days=2))
    page = client.get(url("plan", p)).content.decode()
    assert f'id="agreement-{p.sleep.pk}" class="overdue"' in page
    assert f'id="agreement-{p.school.pk}" class="overdue"' not in page


# ---- personal links ---------------------------------------------------------------------------------------------


def test_a_personal_link_is_shown_once_and_then_only_listed(client, accepted):
    p = accepted
    login(client, p.world.a.case_worker)
    response = client.post(url("link_add", p), {"person": p.mw.oma.pk, "valid_days": "30"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    address = re.search(r'id="personal-link"><a href="([^"]+)"', response.content.decode()).group(1)
    assert address.startswith("http://testserver/l/")
    token = address.rstrip("/").rsplit("/", 1)[1]
    link = PersonalLink.objects.get()
    assert link.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert link.expires_on == datetime.date.today() + datetime.timedelta(days=30) and link.person == p.mw.oma
    page = client.get(url("plan", p)).content.decode()
    assert token not in page
    row = page.split(f'id="link-{link.pk}"')[1].split("</tr>")[0]
    assert escape(p.mw.oma.full_name) in row and url("link_revoke", p, link_id=link.pk) in row
    assert token not in client.get(url("link_add", p)).content.decode()
    # Revoking.
    response = client.post(url("link_revoke", p, link_id=link.pk))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == p.world.a.case_worker
    page = client.get(url("plan", p)).content.decode()
    assert url("link_revoke", p, link_id=link.pk) not in page


# ---- private family time ----------------------------------------------------------------------------------------


def test_notes_of_private_family_time_only_when_the_family_chose_to_keep_them(client, pw):
    p = send_back(pw)
    login(client, p.world.a.coordinator)
    page = client.get(url("plan", p)).content.decode()
    assert 'id="deliberation-notes"' not in page
    response = client.post(
        url("edit", p),
        {
            "concerns": p.plan.concerns,
            "if_it_goes_wrong": p.plan.if_it_goes_wrong,
            "child_view": p.plan.child_view,
            "presented_on": p.plan.presented_on.isoformat(),
            "deliberation_kept": "on",
            "deliberation_notes": "Mama en oma spraken af elkaar vaker te bellen.",
            "deliberation_chosen_by": "Mama",
            "version": p.plan.version,
        },
    )
    assert response.status_code == 302
    page = client.get(url("plan", p)).content.decode()
    assert 'id="deliberation-notes"' in page and "Mama en oma spraken af elkaar vaker te bellen." in page
    # Notes left behind without the family's choice (e.g. the choice was taken back) are not shown.
    Plan.objects.filter(pk=p.plan.pk).update(deliberation_kept=False)
    page = client.get(url("plan", p)).content.decode()
    assert "Mama en oma spraken af elkaar vaker te bellen." not in page and 'id="deliberation-notes"' not in page


# ---- cost of the plan page --------------------------------------------------------------------------------------


def _follow_up(p, review, coordinator):
    """Reports on every agreement in force, a personal link, and the review held: every part of the page filled."""
    agreements = list(Agreement.objects.filter(plan=p.plan, in_force=True))
    for agreement in agreements:
        plan_follow_up.record_report(coordinator, p.case.pk, agreement.pk, "done", "Gedaan.")
    make_link(p)
    plan_follow_up.hold_review(
        coordinator,
        p.case.pk,
        review.pk,
        {a.pk: ("kept", "") for a in agreements},
        "continue",
        "",
        datetime.date.today(),
        review.version,
    )


def _page_queries(client, p):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("plan", p))
    assert response.status_code == 200
    return len(queries)


def test_the_plan_page_costs_the_same_with_2_and_12_agreements(client, accepted):
    p = accepted
    coordinator = actor(p.world.a.coordinator)
    first, second = Review.objects.filter(plan=p.plan).order_by("planned_on")[:2]
    _follow_up(p, first, coordinator)
    login(client, p.world.a.case_worker)
    client.get(url("plan", p))  # warm up: session, caches
    small = _page_queries(client, p)
    # A new version with ten more agreements, accepted again, reported on and reviewed.
    refresh(p)
    services.start_new_edition(coordinator, p.case.pk, p.plan.pk, p.plan.version)
    for n in range(10):
        services.add_agreement(
            coordinator,
            p.case.pk,
            p.plan.pk,
            {
                "what": f"Afspraak {n}",
                "owner_person": p.mw.piet.pk,
                "backup_person": p.mw.oma.pk,
                "checker_user": p.world.a.case_worker.pk,
                "due_on": datetime.date.today() + datetime.timedelta(days=n),
                "bottom_lines": [p.must.pk, p.wish.pk],
                "is_safety": n % 2 == 0,
            },
        )
    refresh(p)
    services.submit_plan(coordinator, p.case.pk, p.plan.pk, p.plan.version)
    accept(p)
    refresh(p)
    second.refresh_from_db()
    _follow_up(p, second, coordinator)
    assert Agreement.objects.filter(plan=p.plan).count() == 12
    assert PlanDecision.objects.count() == 2 and ReviewItem.objects.count() == 14
    large = _page_queries(client, p)
    assert large == small
    # The architecture document names the count; it stays true.
    assert small == _documented_plan_page_queries()


def _documented_plan_page_queries():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "architecture.md").read_text(encoding="utf-8")
    return int(re.search(r"in (\d+) queries whatever the plan's length", " ".join(text.split())).group(1))


def test_a_safety_plan_links_to_its_signs_of_safety_pages(client, accepted):
    p = accepted
    login(client, p.world.a.case_worker)
    safety = reverse("plans:safety", kwargs={"pk": p.case.pk, "trajectory_id": p.trajectory.pk})
    assert safety not in client.get(url("plan", p)).content.decode()
    Plan.objects.filter(pk=p.plan.pk).update(plan_type="safety_plan")  # as a Signs of Safety trajectory makes it
    assert safety in client.get(url("plan", p)).content.decode()
