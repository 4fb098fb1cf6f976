"""The plans' REST API: the same permissions, validation, stale-edit refusal and access log as the services; bad
input is refused with 400 and changes nothing; outsiders get 404 (logged); the endpoints are in the OpenAPI
document."""

import datetime

import pytest
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry
from kring.plans import services
from kring.plans.links import services as link_services
from kring.plans.models import Agreement, AgreementReport, BottomLine, Plan, PlanDecision, Review
from kring.trajectories import services as trajectory_services
from tests.factories import actor, make_api_token

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def api_client(user):
    key = make_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def base(case):
    return f"/api/v1/cases/{case.pk}/"


def other_trajectory_line(p):
    """A bottom line of another trajectory of the same case."""
    worker = actor(p.world.a.case_worker)
    other = trajectory_services.offer_trajectory(worker, p.case.pk, "ekc", datetime.date(2026, 3, 1))
    return services.add_bottom_line(worker, p.case.pk, other.pk, {"text": "Elders.", "reason": "Elders."})


def denied(user):
    return AccessLogEntry.objects.filter(user=user, action="denied").count()


# ---- bottom lines ------------------------------------------------------------------------------------------


def test_bottom_lines(mw):
    worker = api_client(mw.world.a.case_worker)
    lines = base(mw.case) + f"trajectories/{mw.trajectory.pk}/bottom-lines/"
    response = worker.post(
        lines,
        {
            "text": "Sam slaapt thuis veilig.",
            "reason": "Ruzies 's nachts.",
            "legal_basis": "Jeugdwet",
            "kind": "non_negotiable",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    line = response.json()
    assert line["kind"] == "non_negotiable" and line["version"] == 1 and line["order"] == 1
    response = worker.post(
        lines, {"text": "Oma helpt mee.", "reason": "Zij is dichtbij.", "kind": "wish"}, format="json"
    )
    assert response.status_code == 201 and response.json()["order"] == 2
    listed = worker.get(lines).json()
    assert [item["text"] for item in listed] == ["Sam slaapt thuis veilig.", "Oma helpt mee."]
    assert AccessLogEntry.objects.filter(record_type="bottom_line", action="list").count() == 2

    detail = base(mw.case) + f"bottom-lines/{line['id']}/"
    assert worker.get(detail).json()["text"] == "Sam slaapt thuis veilig."
    response = worker.patch(detail, {"reason": "Politie kwam twee keer.", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = worker.patch(detail, {"reason": "Iets anders.", "version": 1}, format="json")
    assert response.status_code == 409
    assert any(c["now"] == "Politie kwam twee keer." for c in response.json()["changes"])
    assert BottomLine.objects.get(pk=line["id"]).reason == "Politie kwam twee keer."

    response = worker.post(detail + "withdraw/", {"reason": "", "version": 2}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = worker.post(detail + "withdraw/", {"reason": "Niet meer nodig.", "version": 1}, format="json")
    assert response.status_code == 409 and BottomLine.objects.get(pk=line["id"]).withdrawn_on is None
    response = worker.post(detail + "withdraw/", {"reason": "Niet meer nodig.", "version": 2}, format="json")
    assert response.status_code == 200
    assert response.json()["withdrawn_on"] == TODAY.isoformat()
    assert response.json()["withdrawal_reason"] == "Niet meer nodig."
    # Withdrawn ones are listed after the ones in force.
    assert [item["text"] for item in worker.get(lines).json()] == ["Oma helpt mee.", "Sam slaapt thuis veilig."]


def test_the_coordinator_cannot_set_bottom_lines(mw):
    line = services.add_bottom_line(mw.worker, mw.case.pk, mw.trajectory.pk, {"text": "A.", "reason": "B."})
    coordinator = mw.world.a.coordinator
    client = api_client(coordinator)
    lines = base(mw.case) + f"trajectories/{mw.trajectory.pk}/bottom-lines/"
    detail = base(mw.case) + f"bottom-lines/{line.pk}/"
    assert client.get(lines).status_code == 200 and client.get(detail).status_code == 200
    before = denied(coordinator)
    assert client.post(lines, {"text": "C.", "reason": "D."}, format="json").status_code == 403
    assert client.patch(detail, {"text": "E.", "version": 1}, format="json").status_code == 403
    assert client.post(detail + "withdraw/", {"reason": "F.", "version": 1}, format="json").status_code == 403
    assert denied(coordinator) == before + 3
    line.refresh_from_db()
    assert BottomLine.objects.count() == 1 and line.text == "A." and line.withdrawn_on is None and line.version == 1


def test_bottom_line_garbage_is_refused(mw):
    line = services.add_bottom_line(mw.worker, mw.case.pk, mw.trajectory.pk, {"text": "A.", "reason": "B."})
    client = api_client(mw.world.a.case_worker)
    lines = base(mw.case) + f"trajectories/{mw.trajectory.pk}/bottom-lines/"
    detail = base(mw.case) + f"bottom-lines/{line.pk}/"
    for body, field in (
        ({"text": "X", "reason": "Y", "colour": "red"}, "colour"),
        ({"text": "X", "reason": "Y", "kind": "maybe"}, "kind"),
        ({"text": {"nl": "X"}, "reason": "Y"}, "text"),
        ({"text": "X", "reason": "Y", "order": "first"}, "order"),
        ({"text": "X", "reason": "Y", "order": 0}, "order"),
        ({"text": "X"}, "reason"),
        ({"text": "X" * 4001, "reason": "Y"}, "text"),
        ({"text": "X", "reason": "Y", "set_by": 1}, "set_by"),
    ):
        response = client.post(lines, body, format="json")
        assert response.status_code == 400 and field in response.json(), body
    for body, field in (
        ({"text": "X"}, "version"),
        ({"text": "X", "version": "one"}, "version"),
        ({"text": "", "version": 1}, "text"),
        ({"withdrawn_on": "2026-01-01", "version": 1}, "withdrawn_on"),
    ):
        response = client.patch(detail, body, format="json")
        assert response.status_code == 400 and field in response.json(), body
    response = client.post(lines, data="{not json", content_type="application/json")
    assert response.status_code == 400
    response = client.post(lines, [{"text": "X", "reason": "Y"}], format="json")
    assert response.status_code == 400
    line.refresh_from_db()
    assert BottomLine.objects.count() == 1 and line.text == "A." and line.version == 1


# ---- the plan, its agreements, submission and decision -----------------------------------------------------


def test_start_and_write_the_plan(mw):
    must = services.add_bottom_line(mw.worker, mw.case.pk, mw.trajectory.pk, {"text": "A.", "reason": "B."})
    client = api_client(mw.world.a.coordinator)
    plan_url = base(mw.case) + f"trajectories/{mw.trajectory.pk}/plan/"
    assert client.get(plan_url).status_code == 404
    assert client.post(plan_url, {"plan_type": "care_plan"}, format="json").status_code == 400
    response = client.post(plan_url, {}, format="json")
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["plan_type"] == "family_group_plan" and plan["status"] == "draft"
    assert client.post(plan_url, {}, format="json").status_code == 400
    assert Plan.objects.count() == 1

    response = client.patch(
        plan_url,
        {"concerns": "Sam moet rustig slapen.", "child_view": "Ik wil naar oma.", "version": plan["version"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    version = response.json()["version"]
    response = client.patch(plan_url, {"concerns": "Iets anders.", "version": plan["version"]}, format="json")
    assert response.status_code == 409
    for body, field in (
        ({"deliberation_kept": "maybe", "version": version}, "deliberation_kept"),
        ({"presented_on": "yesterday", "version": version}, "presented_on"),
        ({"status": "accepted", "version": version}, "status"),
        ({"deliberation_notes": "Geheim.", "version": version}, "deliberation_kept"),
        ({"presented_on": (TODAY + datetime.timedelta(days=3)).isoformat(), "version": version}, "presented_on"),
    ):
        response = client.patch(plan_url, body, format="json")
        assert response.status_code == 400 and field in response.json(), body
    stored = Plan.objects.get()
    assert stored.concerns == "Sam moet rustig slapen." and stored.version == version
    assert stored.deliberation_notes == "" and stored.status == "draft"

    detail = client.get(plan_url).json()
    assert detail["concerns"] == "Sam moet rustig slapen."
    assert [line["id"] for line in detail["bottom_lines"]] == [must.pk]
    assert detail["agreements"] == [] and detail["decisions"] == [] and detail["reviews"] == []


def test_agreements(pw):
    p = pw
    services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "sent_back",
        "Graag ook school.",
        {p.must.pk: (True, "Ja."), p.wish.pk: (False, "Nee.")},
        Plan.objects.get(pk=p.plan.pk).version,
    )
    plan = Plan.objects.get(pk=p.plan.pk)
    client = api_client(p.world.a.coordinator)
    agreements = base(p.case) + f"plans/{plan.pk}/agreements/"
    listed = client.get(agreements).json()
    assert [a["what"] for a in listed] == [p.sleep.what, p.school.what]
    assert listed[0]["owner"] == "Oma Jansen" and listed[0]["bottom_lines"] == [p.must.pk]

    stranger = p.world.b.case.persons.first()
    elsewhere = other_trajectory_line(p)
    count = Agreement.objects.count()
    for body, field in (
        ({"what": "X", "owner_person": stranger.pk, "checker_person": p.mw.oma.pk}, "owner_person"),
        (
            {"what": "X", "owner_person": p.mw.oma.pk, "checker_person": p.mw.piet.pk, "bottom_lines": [elsewhere.pk]},
            "bottom_lines",
        ),
        (
            {"what": "X", "owner_person": p.mw.oma.pk, "backup_person": p.mw.oma.pk, "checker_person": p.mw.piet.pk},
            "backup_person",
        ),
        ({"what": "X", "owner_person": p.mw.oma.pk, "checker_user": p.world.b.case_worker.pk}, "checker_user"),
        ({"what": "X", "owner_person": "Oma"}, "owner_person"),
        (
            {"what": "X", "owner_person": p.mw.oma.pk, "checker_person": p.mw.piet.pk, "bottom_lines": "all"},
            "bottom_lines",
        ),
        ({"what": "X", "owner_person": p.mw.oma.pk, "checker_person": p.mw.piet.pk, "due_on": "soon"}, "due_on"),
        ({"what": "X", "owner_person": p.mw.oma.pk, "checker_person": p.mw.piet.pk, "in_force": True}, "in_force"),
        ({"what": "X", "owner_person": p.mw.oma.pk}, "checker_person"),
    ):
        response = client.post(agreements, body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    response = client.post(
        agreements,
        {"what": "X", "owner_professional": "Juf", "checker_person": p.mw.oma.pk, "plan_version": plan.version - 1},
        format="json",
    )
    assert response.status_code == 409
    assert Agreement.objects.count() == count and Plan.objects.get(pk=plan.pk).version == plan.version

    response = client.post(
        agreements,
        {
            "what": "Juf Anna belt mama elke vrijdag.",
            "owner_professional": "Juf Anna",
            "checker_person": p.mw.oma.pk,
            "frequency": "elke vrijdag",
            "bottom_lines": [p.wish.pk],
            "plan_version": plan.version,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["owner"] == "Juf Anna" and created["bottom_lines"] == [p.wish.pk] and created["version"] == 1

    detail = base(p.case) + f"agreements/{created['id']}/"
    assert client.get(detail).json()["frequency"] == "elke vrijdag"
    response = client.patch(detail, {"frequency": "elke woensdag", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.patch(detail, {"frequency": "nooit", "version": 1}, format="json")
    assert response.status_code == 409
    response = client.patch(
        detail, {"owner_person": stranger.pk, "owner_professional": "", "version": 2}, format="json"
    )
    assert response.status_code == 400
    response = client.patch(detail, {"frequency": "X"}, format="json")
    assert response.status_code == 400 and "version" in response.json()
    stored = Agreement.objects.get(pk=created["id"])
    assert stored.frequency == "elke woensdag" and stored.owner_professional == "Juf Anna" and stored.version == 2

    assert client.delete(detail).status_code == 400
    assert client.delete(detail + "?version=abc").status_code == 400
    assert client.delete(detail + "?version=1").status_code == 409
    assert Agreement.objects.filter(pk=created["id"]).exists()
    assert client.delete(detail + "?version=2").status_code == 204
    assert not Agreement.objects.filter(pk=created["id"]).exists()
    assert client.get(detail).status_code == 404


def test_submit_decide_and_new_version(pw):
    p = pw
    services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "sent_back",
        "Nog eens.",
        {p.must.pk: (True, "Ja."), p.wish.pk: (True, "Ja.")},
        Plan.objects.get(pk=p.plan.pk).version,
    )
    plan = Plan.objects.get(pk=p.plan.pk)
    coordinator = api_client(p.world.a.coordinator)
    url = base(p.case) + f"plans/{plan.pk}/"
    assert coordinator.post(url + "submit/", {"version": plan.version - 1}, format="json").status_code == 409
    assert coordinator.post(url + "submit/", {}, format="json").status_code == 400
    assert Plan.objects.get(pk=plan.pk).status == "sent_back"
    response = coordinator.post(url + "submit/", {"version": plan.version}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    version = response.json()["version"]

    checks = [
        {"bottom_line": p.must.pk, "met": True, "explanation": "Oma biedt een slaapplek."},
        {"bottom_line": p.wish.pk, "met": False, "explanation": "School nog niet betrokken."},
    ]
    body = {"outcome": "accepted", "reason": "Veilig genoeg.", "checks": checks, "version": version}
    # The coordinator does not decide.
    before = denied(p.world.a.coordinator)
    assert coordinator.post(url + "decision/", body, format="json").status_code == 403
    assert denied(p.world.a.coordinator) == before + 1

    worker = api_client(p.world.a.case_worker)
    elsewhere = other_trajectory_line(p)
    decisions = PlanDecision.objects.count()
    for changes, field in (
        ({"checks": [{**checks[0], "met": "yes"}, checks[1]]}, "checks"),
        ({"checks": [{**checks[0], "met": 1}, checks[1]]}, "checks"),
        ({"checks": [{**checks[0], "met": None}, checks[1]]}, "checks"),
        ({"checks": [{**checks[0], "colour": "red"}, checks[1]]}, "checks"),
        ({"checks": checks + [{"bottom_line": elsewhere.pk, "met": True, "explanation": "X"}]}, "checks"),
        ({"checks": [checks[0], checks[0], checks[1]]}, "checks"),
        ({"checks": [checks[0]]}, "checks"),
        ({"checks": "all met"}, "checks"),
        ({"checks": [{**checks[0], "met": False}, checks[1]]}, "outcome"),
        ({"outcome": "maybe"}, "outcome"),
        ({"reason": ""}, "reason"),
        ({"version": "latest"}, "version"),
        ({"approved": True}, "approved"),
    ):
        response = worker.post(url + "decision/", {**body, **changes}, format="json")
        assert response.status_code == 400 and field in response.json(), (changes, response.json())
    response = worker.post(url + "decision/", data='{"outcome": "accepted",', content_type="application/json")
    assert response.status_code == 400
    assert worker.post(url + "decision/", {**body, "version": version - 1}, format="json").status_code == 409
    stored = Plan.objects.get(pk=plan.pk)
    assert PlanDecision.objects.count() == decisions and stored.status == "submitted" and stored.version == version

    response = worker.post(url + "decision/", body, format="json")
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert decision["outcome"] == "accepted" and decision["decided_by"] == p.world.a.case_worker.pk
    assert {(c["bottom_line"], c["met"]) for c in decision["checks"]} == {(p.must.pk, True), (p.wish.pk, False)}
    detail = worker.get(base(p.case) + f"trajectories/{p.trajectory.pk}/plan/").json()
    assert detail["status"] == "accepted" and detail["accepted_on"] == TODAY.isoformat()
    assert detail["decisions"][0]["id"] == decision["id"] and len(detail["decisions"][0]["checks"]) == 2
    assert {a["in_force"] for a in detail["agreements"]} == {True}
    assert [r["code"] for r in detail["reviews"]] == ["review", "second_review"]

    version = detail["version"]
    assert worker.post(url + "new-version/", {"version": version - 1}, format="json").status_code == 409
    response = worker.post(url + "new-version/", {"version": version}, format="json")
    # Version 1 was sent back, version 2 accepted: the new version is the third.
    assert response.status_code == 200 and response.json()["edition"] == 3 and response.json()["status"] == "draft"


def test_reports_and_reviews(accepted):
    p = accepted
    client = api_client(p.world.a.coordinator)
    report_url = base(p.case) + f"agreements/{p.school.pk}/reports/"
    for body in ({"outcome": "fine"}, {"outcome": "done", "note": ["a"]}, {"outcome": "done", "by": "Piet"}, {}):
        assert client.post(report_url, body, format="json").status_code == 400, body
    assert not AgreementReport.objects.exists()
    response = client.post(report_url, {"outcome": "help_needed", "note": "Piet is ziek."}, format="json")
    assert response.status_code == 201 and response.json()["outcome"] == "help_needed"
    assert response.json()["via_personal_link"] is False
    agreement = client.get(base(p.case) + f"agreements/{p.school.pk}/").json()
    assert agreement["status"] == "help_needed" and agreement["reports"][0]["note"] == "Piet is ziek."

    reviews = base(p.case) + f"plans/{p.plan.pk}/reviews/"
    listed = client.get(reviews).json()
    assert [r["code"] for r in listed] == ["review", "second_review"] and listed[0]["decision"] == ""
    assert client.post(reviews, {"name": "Extra", "planned_on": "next week"}, format="json").status_code == 400
    response = client.post(
        reviews,
        {"name": "Na de vakantie", "planned_on": (TODAY + datetime.timedelta(days=40)).isoformat()},
        format="json",
    )
    assert response.status_code == 201 and response.json()["code"] == "extra"

    review = Review.objects.get(pk=listed[0]["id"])
    hold = base(p.case) + f"reviews/{review.pk}/hold/"
    items = [
        {"agreement": p.sleep.pk, "keeping": "kept", "note": "Goed."},
        {"agreement": p.school.pk, "keeping": "partly"},
    ]
    body = {"items": items, "decision": "continue", "note": "Het gaat beter.", "version": review.version}
    for changes, field in (
        ({"items": [items[0]]}, "items"),
        ({"items": [items[0], {**items[1], "keeping": "sometimes"}]}, "items"),
        ({"items": items + [{"agreement": 999999, "keeping": "kept"}]}, "items"),
        ({"items": [items[0], items[0], items[1]]}, "items"),
        ({"decision": "stop"}, "decision"),
        ({"held_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "held_on"),
        ({"held_on": "gisteren"}, "held_on"),
        ({"ratings": [{"rater_user": p.world.a.case_worker.pk, "score": 11}]}, "ratings"),
        ({"ratings": [{"person": p.mw.oma.pk, "rater_user": p.world.a.case_worker.pk, "score": 5}]}, "ratings"),
    ):
        response = client.post(hold, {**body, **changes}, format="json")
        assert response.status_code == 400 and field in response.json(), (changes, response.json())
    assert client.post(hold, {**body, "version": review.version + 1}, format="json").status_code == 409
    review.refresh_from_db()
    assert review.held_on is None and not review.items.exists()
    response = client.post(hold, {**body, "ratings": [{"person": p.mw.oma.pk, "score": 7}]}, format="json")
    assert response.status_code == 200, response.json()
    assert list(review.ratings.values_list("person_id", "score")) == [(p.mw.oma.pk, 7)]
    held = response.json()
    assert held["decision"] == "continue" and held["held_on"] == TODAY.isoformat()
    assert {(i["agreement"], i["keeping"]) for i in held["items"]} == {(p.sleep.pk, "kept"), (p.school.pk, "partly")}
    assert client.post(hold, {**body, "version": held["version"]}, format="json").status_code == 400


def test_links_are_listed_without_their_secret(accepted):
    p = accepted
    link, token = link_services.create_link(p.coordinator, p.case.pk, p.plan.pk, p.mw.oma.pk)
    response = api_client(p.world.a.case_worker).get(base(p.case) + f"plans/{p.plan.pk}/links/")
    assert response.status_code == 200
    [listed] = response.json()
    assert listed["person_name"] == "Oma Jansen" and listed["active"] is True and listed["id"] == link.pk
    assert token not in response.content.decode() and link.token_digest not in response.content.decode()
    assert not any("token" in key for key in listed)


# ---- who may ----------------------------------------------------------------------------------------------


def test_outsiders_get_404_and_change_nothing(accepted):
    p = accepted
    review = p.plan.reviews.first()
    c = base(p.case)
    t = f"{c}trajectories/{p.trajectory.pk}/"
    reads = [
        t + "bottom-lines/",
        f"{c}bottom-lines/{p.must.pk}/",
        t + "plan/",
        f"{c}plans/{p.plan.pk}/agreements/",
        f"{c}agreements/{p.sleep.pk}/",
        f"{c}plans/{p.plan.pk}/reviews/",
        f"{c}plans/{p.plan.pk}/links/",
    ]
    writes = [
        ("post", t + "bottom-lines/", {"text": "X", "reason": "Y"}),
        ("patch", f"{c}bottom-lines/{p.must.pk}/", {"text": "X", "version": p.must.version}),
        ("post", f"{c}bottom-lines/{p.must.pk}/withdraw/", {"reason": "X", "version": p.must.version}),
        ("post", t + "plan/", {}),
        ("patch", t + "plan/", {"concerns": "X", "version": p.plan.version}),
        ("post", f"{c}plans/{p.plan.pk}/submit/", {"version": p.plan.version}),
        (
            "post",
            f"{c}plans/{p.plan.pk}/decision/",
            {"outcome": "accepted", "reason": "X", "checks": [], "version": p.plan.version},
        ),
        ("post", f"{c}plans/{p.plan.pk}/new-version/", {"version": p.plan.version}),
        ("post", f"{c}plans/{p.plan.pk}/agreements/", {"what": "X"}),
        ("patch", f"{c}agreements/{p.sleep.pk}/", {"what": "X", "version": p.sleep.version}),
        ("delete", f"{c}agreements/{p.sleep.pk}/?version={p.sleep.version}", None),
        ("post", f"{c}agreements/{p.sleep.pk}/reports/", {"outcome": "done"}),
        ("post", f"{c}plans/{p.plan.pk}/reviews/", {"name": "X", "planned_on": "2027-01-01"}),
        ("post", f"{c}reviews/{review.pk}/hold/", {"items": [], "decision": "close", "version": review.version}),
    ]
    for user in (p.world.b.case_worker, p.world.b.lead, p.world.a.other_worker):
        client = api_client(user)
        for url in reads:
            assert client.get(url).status_code == 404, (user, url)
        for method, url, body in writes:
            assert getattr(client, method)(url, body, format="json").status_code == 404, (user, url)
        assert denied(user) == len(reads) + len(writes)
    # Even garbage from an outsider is answered 404, not 400.
    client = api_client(p.world.b.case_worker)
    assert client.post(t + "bottom-lines/", data="{bad", content_type="application/json").status_code == 404
    assert client.post(t + "bottom-lines/", {"colour": "red"}, format="json").status_code == 404
    # Nothing changed.
    p.plan.refresh_from_db()
    p.must.refresh_from_db()
    assert p.plan.status == "accepted" and p.plan.edition == 1 and p.must.withdrawn_on is None
    assert BottomLine.objects.count() == 2 and Agreement.objects.count() == 2 and Review.objects.count() == 2
    assert not AgreementReport.objects.exists()
    # A record of another case under this case's id is not found either.
    other_case = api_client(p.world.b.case_worker)
    assert other_case.get(f"{base(p.world.b.case)}agreements/{p.sleep.pk}/").status_code == 404
    assert other_case.get(f"{base(p.world.b.case)}bottom-lines/{p.must.pk}/").status_code == 404


def test_the_team_lead_may_decide_and_reads_are_logged(pw):
    p = pw
    lead = api_client(p.world.a.lead)
    plan = Plan.objects.get(pk=p.plan.pk)
    response = lead.get(base(p.case) + f"trajectories/{p.trajectory.pk}/plan/")
    assert response.status_code == 200
    logged = AccessLogEntry.objects.filter(user=p.world.a.lead, action="view")
    assert logged.filter(record_type="plan", record_id=str(plan.pk)).exists()
    assert {e.record_id for e in logged.filter(record_type="agreement")} == {str(p.sleep.pk), str(p.school.pk)}
    assert logged.filter(record_type="person", record_id=str(p.mw.oma.pk)).exists()
    response = lead.post(
        base(p.case) + f"plans/{plan.pk}/decision/",
        {
            "outcome": "sent_back",
            "reason": "Wie helpt op woensdag?",
            "version": plan.version,
            "checks": [
                {"bottom_line": p.must.pk, "met": True, "explanation": "Ja."},
                {"bottom_line": p.wish.pk, "met": True, "explanation": "Ja."},
            ],
        },
        format="json",
    )
    assert response.status_code == 201 and Plan.objects.get(pk=plan.pk).status == "sent_back"


def test_openapi_document_lists_the_plan_endpoints(mw):
    client = api_client(mw.world.a.case_worker)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].endswith("json") else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    prefix = "/api/v1/cases/{case_id}/"
    for path, methods in {
        "trajectories/{trajectory_id}/bottom-lines/": {"get", "post"},
        "bottom-lines/{bottom_line_id}/": {"get", "patch"},
        "bottom-lines/{bottom_line_id}/withdraw/": {"post"},
        "trajectories/{trajectory_id}/plan/": {"get", "post", "patch"},
        "plans/{plan_id}/agreements/": {"get", "post"},
        "agreements/{agreement_id}/": {"get", "patch", "delete"},
        "agreements/{agreement_id}/reports/": {"post"},
        "plans/{plan_id}/submit/": {"post"},
        "plans/{plan_id}/decision/": {"post"},
        "plans/{plan_id}/new-version/": {"post"},
        "plans/{plan_id}/reviews/": {"get", "post"},
        "reviews/{review_id}/hold/": {"post"},
        "plans/{plan_id}/links/": {"get"},
    }.items():
        assert prefix + path in paths, path
        assert methods <= set(paths[prefix + path]), path
    assert "409" in paths[prefix + "bottom-lines/{bottom_line_id}/"]["patch"]["responses"]
    assert "403" in paths[prefix + "plans/{plan_id}/decision/"]["post"]["responses"]
    links = schema["components"]["schemas"]["PersonalLink"]["properties"]
    assert not any("token" in name for name in links)
