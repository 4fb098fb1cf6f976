"""The REST API of methods, the selector and trajectories: the same services and queries as the pages, so the
same permissions, validation, stale refusal and access log.

``world`` (tests/conftest.py): a.case_worker is on the case team of a.case (Dutch); a.lead leads its team;
a.coordinator is a coordinator at A; b.* is the Flemish organisation with b.case.
"""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kring.audit.models import AccessLogEntry, Action
from kring.cases.models import CaseTeamMember
from kring.methods.catalogue import catalogue
from kring.trajectories import services
from kring.trajectories.models import FamilyPlanRight, SelectorRun, StrengthsExploration, Trajectory, TrajectoryEvent
from tests.factories import actor, make_api_token


def api(user, language="en"):
    key = make_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def days_ago(days):
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def last_log_id():
    return AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def log_since(log_id):
    return list(AccessLogEntry.objects.filter(id__gt=log_id).order_by("id"))


def url(world, tail=""):
    return f"/api/v1/cases/{world.a.case.pk}/{tail}"


def offer(world, method="fnb", on=None, user=None, **extra):
    response = api(user or world.a.case_worker).post(
        url(world, "trajectories/"), {"method": method, "offered_on": on or days_ago(30), **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def step(world, trajectory, status, on, user=None, **extra):
    return api(user or world.a.case_worker).post(
        url(world, f"trajectories/{trajectory['id']}/transitions/"),
        {"status": status, "on": on, "version": trajectory["version"], **extra},
        format="json",
    )


@pytest.fixture
def co_worker(world):
    CaseTeamMember.objects.create(
        case=world.a.case, organisation=world.a.org, user=world.a.other_worker, role="co_worker"
    )
    return world.a.other_worker


# --- The method catalogue ---------------------------------------------------------------------------------


def test_methods_are_listed_for_any_logged_in_user(world):
    response = api(world.b.researcher).get("/api/v1/methods/")
    assert response.status_code == 200
    methods = {m["code"]: m for m in response.json()}
    assert set(methods) == set(catalogue())
    fnb = methods["fnb"]
    assert fnb["version"] == catalogue()["fnb"].version
    assert fnb["name"]["nl"] and fnb["name"]["en"]
    assert [v["code"] for v in fnb["variants"]] == ["sonestra"]
    assert fnb["leader"] == "independent_coordinator"
    assert set(fnb["continua"]) == {"family_lead", "network_breadth", "source"}
    assert fnb["max_safety_concern"] in {"none", "some", "serious", "acute"}
    assert fnb["phases"][0] == {**fnb["phases"][0], "code": "preparation", "default_weeks": 8.0, "max_weeks": 8.0}
    assert "duration_source" in fnb["phases"][0] and fnb["sources"][0]["citation"]
    assert fnb["durations_of"] is None


def test_methods_need_a_login(db):
    assert APIClient().get("/api/v1/methods/").status_code == 401
    assert APIClient().get("/api/v1/methods/fnb/").status_code == 401


def test_one_method_and_an_unknown_one(world):
    client = api(world.a.case_worker)
    response = client.get("/api/v1/methods/ekc/")
    assert response.status_code == 200
    assert response.json()["code"] == "ekc"
    assert [c["code"] for c in response.json()["contra_indications"]] == [
        c.code for c in catalogue()["ekc"].contra_indications
    ]
    assert client.get("/api/v1/methods/nonsense/").status_code == 404


def test_methods_show_the_durations_of_an_organisation_of_the_user(world):
    services.save_duration_override(actor(world.a.lead), world.a.org, "fnb", "preparation", 4, 6)
    client = api(world.a.case_worker)
    own = client.get("/api/v1/methods/fnb/", {"organisation": world.a.org.pk}).json()
    assert own["durations_of"] == world.a.org.pk
    assert own["phases"][0]["default_weeks"] == 4 and own["phases"][0]["max_weeks"] == 6
    assert own["phases"][0]["duration_source"] == "default"
    listed = {m["code"]: m for m in client.get("/api/v1/methods/", {"organisation": world.a.org.pk}).json()}
    assert listed["fnb"]["phases"][0]["default_weeks"] == 4
    assert client.get("/api/v1/methods/fnb/").json()["phases"][0]["default_weeks"] == 8
    # Another organisation's durations are not for this user to read.
    refused = client.get("/api/v1/methods/fnb/", {"organisation": world.b.org.pk})
    assert refused.status_code == 400 and "organisation" in refused.json()
    assert client.get("/api/v1/methods/", {"organisation": "x"}).status_code == 400


# --- The selector -----------------------------------------------------------------------------------------

ANSWERS = {
    "safety_concern": "some",
    "setting": "family",
    "request": "parenting",
    "network_size": 6,
    "motivation": "high",
    "conflicts": ["loyalty_conflict"],
}


def run_selector(world, answers=None, user=None):
    return api(user or world.a.case_worker).post(url(world, "selector-runs/"), answers or ANSWERS, format="json")


def test_a_selector_run_ranks_the_methods_and_is_kept_and_logged(world):
    start = last_log_id()
    response = run_selector(world)
    assert response.status_code == 201, response.content
    body = response.json()
    run = SelectorRun.objects.get(pk=body["id"])
    assert response["Location"].endswith(url(world, f"selector-runs/{run.pk}/"))
    assert body["answers"]["conflicts"] == ["loyalty_conflict"] and body["answers"]["network_size"] == 6
    assert [s["method"] for s in body["suggestion"]] == [s["method"] for s in run.suggestion]
    assert {s["method"] for s in body["suggestion"]} == set(catalogue())
    first = body["suggestion"][0]
    assert {"score", "excluded", "reasons_for", "reasons_against", "warnings", "continua"} <= set(first)
    assert all({"code", "text", "source", "points"} <= set(r) for s in body["suggestion"] for r in s["reasons_for"])
    assert body["top_method"] == run.top_method
    assert body["version"] == 1 and body["chosen_method"] == ""
    assert [(e.action, e.record_type) for e in log_since(start)] == [(Action.CREATE, "selector_run")]


def test_selector_runs_are_listed_and_read_with_a_log_entry(world):
    first = run_selector(world).json()
    second = run_selector(world, {"safety_concern": "acute"}).json()
    client = api(world.a.lead)
    start = last_log_id()
    listed = client.get(url(world, "selector-runs/"))
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [second["id"], first["id"]]
    entries = log_since(start)
    assert sorted((e.record_type, e.record_id) for e in entries if e.record_type == "selector_run") == sorted(
        [("selector_run", str(first["id"])), ("selector_run", str(second["id"]))]
    )
    start = last_log_id()
    one = client.get(url(world, f"selector-runs/{first['id']}/"))
    assert one.status_code == 200 and one.json()["answers"]["safety_concern"] == "some"
    assert [(e.action, e.record_type, e.record_id) for e in log_since(start)] == [
        (Action.VIEW, "selector_run", str(first["id"]))
    ]
    assert client.get(url(world, "selector-runs/999999/")).status_code == 404


@pytest.mark.parametrize(
    "answers, field",
    [
        ({"safety_concern": "extreme"}, "safety_concern"),
        ({"conflicts": ["war"]}, "conflicts"),
        ({"earlier_attempts": ["astrology"]}, "earlier_attempts"),
        ({"network_size": -1}, "network_size"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"score": 99}, "score"),
    ],
)
def test_bad_or_unknown_answers_are_refused_and_nothing_is_kept(world, answers, field):
    response = run_selector(world, answers)
    assert response.status_code == 400
    assert field in response.json()
    assert not SelectorRun.objects.exists()


def test_the_top_method_is_chosen_without_a_reason(world):
    run = run_selector(world).json()
    response = api(world.a.case_worker).post(
        url(world, f"selector-runs/{run['id']}/choice/"), {"method": run["top_method"], "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["chosen_method"] == run["top_method"] and response.json()["version"] == 2
    assert response.json()["chosen_by"] == str(world.a.case_worker)


def test_another_method_needs_a_reason_and_a_stale_choice_is_refused(world):
    run = run_selector(world).json()
    other = next(s["method"] for s in run["suggestion"] if s["method"] != run["top_method"])
    client = api(world.a.case_worker)
    choice = url(world, f"selector-runs/{run['id']}/choice/")
    refused = client.post(choice, {"method": other, "version": 1}, format="json")
    assert refused.status_code == 400
    assert refused.json()["reason"] == ["Say why you choose another method than the top suggestion."]
    assert client.post(choice, {"method": "astrology", "version": 1}, format="json").json()["method"] == [
        "Choose a method from the list."
    ]
    assert client.post(choice, {"method": other, "version": 1, "why": "x"}, format="json").status_code == 400
    chosen = client.post(choice, {"method": other, "reason": "The family asked for it.", "version": 1}, format="json")
    assert chosen.status_code == 200 and chosen.json()["choice_reason"] == "The family asked for it."
    stale = client.post(choice, {"method": run["top_method"], "version": 1}, format="json")
    assert stale.status_code == 409
    assert SelectorRun.objects.get(pk=run["id"]).chosen_method == other


# --- Trajectories -----------------------------------------------------------------------------------------


def test_a_method_is_offered_listed_and_read_with_phases_clocks_and_options(world):
    run = run_selector(world).json()
    start = last_log_id()
    created = offer(world, variant="sonestra", selector_run=run["id"], note="Besproken met moeder.")
    trajectory = Trajectory.objects.get(pk=created["id"])
    assert [(e.action, e.record_type) for e in log_since(start)] == [(Action.CREATE, "trajectory")]
    assert created["method_code"] == "fnb" and created["variant_code"] == "sonestra"
    assert created["method_version"] == catalogue()["fnb"].version
    assert created["status"] == "offered" and created["allowed_next"] == ["accepted", "declined", "abandoned"]
    assert created["selector_run"] == run["id"] and created["offered_by"]["id"] == world.a.case_worker.pk
    assert [p["code"] for p in created["phases"]] == ["preparation", "meeting", "execution", "evaluation"]
    assert created["phases"][0]["name"]["en"] and created["phases"][0]["planned_start"] is None
    assert created["clocks"] == {
        "weeks_since_offer": round(30 / 7, 1),
        "weeks_to_plan": None,
        "weeks_to_abandonment": None,
        "running": True,
    }
    assert created["events"][0]["to_value"] == "offered" and created["events"][0]["note"] == "Besproken met moeder."
    client = api(world.a.lead)
    start = last_log_id()
    listed = client.get(url(world, "trajectories/"))
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [trajectory.pk]
    assert "events" not in listed.json()[0]
    assert ("trajectory", str(trajectory.pk)) in [(e.record_type, e.record_id) for e in log_since(start)]
    start = last_log_id()
    detail = client.get(url(world, f"trajectories/{trajectory.pk}/"))
    assert detail.status_code == 200 and detail.json()["version"] == trajectory.version
    assert sorted(e.record_type for e in log_since(start)) == ["case", "trajectory"]
    assert client.get(url(world, "trajectories/999999/")).status_code == 404


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"method": "astrology"}, "method"),
        ({"variant": "nope"}, "variant"),
        ({"offered_on": "2099-01-01"}, "offered_on"),
        ({"offered_on": "tomorrow"}, "offered_on"),
        ({"status": "accepted"}, "status"),
        ({"selector_run": 999999}, "selector_run"),
    ],
)
def test_a_bad_offer_is_refused_on_its_field(world, payload, field):
    body = {"method": "fnb", "offered_on": days_ago(3), **payload}
    response = api(world.a.case_worker).post(url(world, "trajectories/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Trajectory.objects.exists()


def test_the_trajectory_walks_its_statuses_and_phases(world):
    t = offer(world)
    accepted = step(world, t, "accepted", days_ago(28))
    assert accepted.status_code == 200, accepted.content
    t = accepted.json()
    assert t["status"] == "accepted" and t["current_phase"] == "preparation"
    preparation = t["phases"][0]
    assert preparation["started_on"] == days_ago(28) and preparation["is_current"]
    assert preparation["planned_end"] == in_days(28)
    assert t["allowed_next"] == ["preparing", "abandoned"]
    assert [d["kind"] for d in t["deadlines"]] == ["phase_end"] and t["deadlines"][0]["state"] == "upcoming"
    lead = api(world.a.lead)
    allocated = lead.post(
        url(world, f"trajectories/{t['id']}/coordinator/"),
        {"user": world.a.coordinator.pk, "version": t["version"], "on": days_ago(25)},
        format="json",
    )
    assert allocated.status_code == 200, allocated.content
    t = allocated.json()
    assert t["coordinator"] == {"id": world.a.coordinator.pk, "name": str(world.a.coordinator)}
    assert t["coordinator_is_case_worker"] is False
    # The allocation started the preparation (the method's table); the same step by hand changes nothing.
    assert t["status"] == "preparing"
    assert [e["cause"] for e in t["events"] if e["kind"] == "status"] == ["", "", "coordinator_allocated"]
    assert step(world, t, "preparing", days_ago(25), user=world.a.coordinator).json()["version"] == t["version"]
    advanced = api(world.a.coordinator).post(
        url(world, f"trajectories/{t['id']}/advance-phase/"),
        {"on": days_ago(10), "version": t["version"]},
        format="json",
    )
    assert advanced.status_code == 200, advanced.content
    t = advanced.json()
    assert t["current_phase"] == "meeting"
    assert t["phases"][0]["ended_on"] == days_ago(10) and t["phases"][1]["started_on"] == days_ago(10)
    # Accepting moved the case from referred to active; the allocation moved the status.
    assert [e["kind"] for e in t["events"]] == ["status", "status", "case", "coordinator", "status", "phase"]
    # A step the table takes on an event, taken by hand, needs a note saying why.
    refused = step(world, t, "meeting_held", days_ago(9))
    assert refused.status_code == 400 and "note" in refused.json()
    t = step(world, t, "meeting_held", days_ago(9), note="Beraad gehouden voor Kring in gebruik was.").json()
    t = step(world, t, "plan_made", days_ago(8), note="Plan op papier aanvaard.").json()
    assert t["clocks"]["weeks_to_plan"] == round(22 / 7, 1) and t["clocks"]["running"] is False


def test_an_illegal_step_is_refused_with_the_possible_steps(world):
    t = offer(world)
    response = step(world, t, "plan_made", days_ago(1))
    assert response.status_code == 400
    assert response.json()["status"] == [
        "A trajectory that is offered cannot become plan made. Possible next steps: accepted, declined, abandoned."
    ]
    unknown = step(world, t, "flying", days_ago(1))
    assert unknown.status_code == 400 and "status" in unknown.json()
    assert Trajectory.objects.get(pk=t["id"]).status == "offered"


def test_abandoning_needs_a_reason_from_the_list(world):
    t = offer(world)
    missing = step(world, t, "abandoned", days_ago(2))
    assert missing.status_code == 400
    assert missing.json()["reason"] == ["Choose a reason from the list."]
    assert step(world, t, "abandoned", days_ago(2), reason="bored").json()["reason"] == [
        "Choose a reason from the list."
    ]
    done = step(world, t, "abandoned", days_ago(2), reason="family_withdrew", note="Moeder trok zich terug.")
    assert done.status_code == 200
    body = done.json()
    assert body["abandonment_reason"] == "family_withdrew" and body["abandoned_on"] == days_ago(2)
    assert body["clocks"]["weeks_to_abandonment"] == round(28 / 7, 1)
    assert body["allowed_next"] == ["closed"]


def test_bad_transition_input_is_refused(world):
    t = offer(world)
    client = api(world.a.case_worker)
    target = url(world, f"trajectories/{t['id']}/transitions/")
    for body, field in [
        ({"status": "accepted", "on": days_ago(1), "version": 1, "colour": "red"}, "colour"),
        ({"status": "accepted", "on": days_ago(1)}, "version"),
        ({"status": "accepted", "on": in_days(3), "version": 1}, "on"),
        ({"status": "accepted", "on": days_ago(40), "version": 1}, "on"),
        ({"status": "accepted", "version": 1}, "on"),
    ]:
        response = client.post(target, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), body
    assert Trajectory.objects.get(pk=t["id"]).version == 1


def test_a_stale_transition_is_refused_with_409_and_the_other_change_stays(world):
    t = offer(world)
    assert step(world, t, "accepted", days_ago(20)).status_code == 200
    stale = step(world, t, "declined", days_ago(19), user=world.a.lead)
    assert stale.status_code == 409
    assert "status" in {c["field"] for c in stale.json()["changes"]}
    assert Trajectory.objects.get(pk=t["id"]).status == "accepted"
    advance = api(world.a.case_worker).post(
        url(world, f"trajectories/{t['id']}/advance-phase/"), {"on": days_ago(1), "version": 1}, format="json"
    )
    assert advance.status_code == 409


def test_advancing_before_acceptance_is_refused(world):
    t = offer(world)
    response = api(world.a.case_worker).post(
        url(world, f"trajectories/{t['id']}/advance-phase/"),
        {"on": days_ago(1), "version": t["version"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["current_phase"] == ["Phases move only while the trajectory is under way."]


def test_the_case_worker_as_coordinator_needs_a_confirmation(world):
    CaseTeamMember.objects.create(
        case=world.a.case, organisation=world.a.org, user=world.a.coordinator, role="case_worker"
    )
    t = offer(world)
    client = api(world.a.lead)
    target = url(world, f"trajectories/{t['id']}/coordinator/")
    warned = client.post(target, {"user": world.a.coordinator.pk, "version": t["version"]}, format="json")
    assert warned.status_code == 400
    body = warned.json()
    assert body["code"] == "coordinator_is_case_worker"
    assert body["confirm_with"] == "accept_case_worker"
    assert str(world.a.coordinator) in body["detail"] and body["user"] == [body["detail"]]
    assert Trajectory.objects.get(pk=t["id"]).coordinator is None
    confirmed = client.post(
        target, {"user": world.a.coordinator.pk, "accept_case_worker": True, "version": t["version"]}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["coordinator_is_case_worker"] is True
    assert confirmed.json()["coordinator"]["id"] == world.a.coordinator.pk


def test_only_a_coordinator_of_the_organisation_and_only_by_the_lead(world):
    t = offer(world)
    target = url(world, f"trajectories/{t['id']}/coordinator/")
    not_a_coordinator = api(world.a.lead).post(target, {"user": world.a.other_worker.pk, "version": 1}, format="json")
    assert not_a_coordinator.status_code == 400
    assert not_a_coordinator.json()["user"] == ["Choose a coordinator of this organisation."]
    assert "code" not in not_a_coordinator.json()
    other_org = api(world.a.lead).post(target, {"user": world.b.coordinator.pk, "version": 1}, format="json")
    assert other_org.status_code == 400
    by_worker = api(world.a.case_worker).post(target, {"user": world.a.coordinator.pk, "version": 1}, format="json")
    assert by_worker.status_code == 403
    assert by_worker.json()["detail"] == "Only the team lead allocates a coordinator."
    stale = api(world.a.lead).post(target, {"user": world.a.coordinator.pk, "version": 7}, format="json")
    assert stale.status_code == 409
    assert Trajectory.objects.get(pk=t["id"]).coordinator is None


# --- Who may do what --------------------------------------------------------------------------------------


def _endpoints(world, trajectory_id, run_id):
    version = {"version": 1}
    return [
        ("get", "selector-runs/", None),
        ("post", "selector-runs/", ANSWERS),
        ("get", f"selector-runs/{run_id}/", None),
        ("post", f"selector-runs/{run_id}/choice/", {"method": "fnb", "reason": "x", **version}),
        ("get", "trajectories/", None),
        ("post", "trajectories/", {"method": "ekc", "offered_on": days_ago(3)}),
        ("get", f"trajectories/{trajectory_id}/", None),
        ("post", f"trajectories/{trajectory_id}/transitions/", {"status": "accepted", "on": days_ago(1), **version}),
        ("post", f"trajectories/{trajectory_id}/advance-phase/", {"on": days_ago(1), **version}),
        ("post", f"trajectories/{trajectory_id}/coordinator/", {"user": world.a.coordinator.pk, **version}),
        ("get", "family-plan-right/", None),
        ("put", "family-plan-right/", {"offered_on": days_ago(3), "version": None}),
        ("get", "strengths-exploration/", None),
        ("put", "strengths-exploration/", {"explored_on": days_ago(3), "how_explored": "x"}),
    ]


@pytest.mark.parametrize("who", ["b.case_worker", "b.lead", "a.other_worker", "a.researcher", "a.privacy_officer"])
def test_outsiders_get_404_everywhere_and_the_refusal_is_logged(world, who):
    org, role = who.split(".")
    user = getattr(getattr(world, org), role)
    t = offer(world)
    run = run_selector(world).json()
    client = api(user)
    before = {
        "runs": list(SelectorRun.objects.values()),
        "trajectories": list(Trajectory.objects.values()),
        "events": TrajectoryEvent.objects.count(),
        "plans": FamilyPlanRight.objects.count(),
    }
    for method, tail, body in _endpoints(world, t["id"], run["id"]):
        start = last_log_id()
        response = (
            getattr(client, method)(url(world, tail), body, format="json")
            if body is not None
            else client.get(url(world, tail))
        )
        assert response.status_code == 404, (method, tail, response.content)
        assert response.json() == {"detail": "Not found."}
        assert [e.action for e in log_since(start)] == [Action.DENIED], (method, tail)
    assert before == {
        "runs": list(SelectorRun.objects.values()),
        "trajectories": list(Trajectory.objects.values()),
        "events": TrajectoryEvent.objects.count(),
        "plans": FamilyPlanRight.objects.count(),
    }


def test_a_missing_case_answers_like_a_hidden_one(world):
    response = api(world.a.case_worker).get("/api/v1/cases/999999/trajectories/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_a_co_worker_reads_but_cannot_change_and_the_refusal_is_logged(world, co_worker):
    t = offer(world)
    run = run_selector(world).json()
    client = api(co_worker)
    assert client.get(url(world, "trajectories/")).status_code == 200
    assert client.get(url(world, f"trajectories/{t['id']}/")).status_code == 200
    assert client.get(url(world, f"selector-runs/{run['id']}/")).status_code == 200
    assert client.get(url(world, "family-plan-right/")).status_code == 200
    for method, tail, body in _endpoints(world, t["id"], run["id"]):
        if method == "get" or "strengths" in tail:
            continue
        start = last_log_id()
        response = getattr(client, method)(url(world, tail), body, format="json")
        assert response.status_code == 403, (method, tail, response.content)
        assert [e.action for e in log_since(start)] == [Action.DENIED], (method, tail)
    assert Trajectory.objects.count() == 1 and SelectorRun.objects.count() == 1
    assert Trajectory.objects.get().version == 1 and not FamilyPlanRight.objects.exists()


# --- The law ----------------------------------------------------------------------------------------------


def test_the_family_plan_right_is_recorded_with_its_deadlines(world):
    client = api(world.a.case_worker)
    target = url(world, "family-plan-right/")
    empty = client.get(target)
    assert empty.status_code == 200
    assert empty.json()["recorded"] is False and empty.json()["version"] is None and empty.json()["deadlines"] == []
    start = last_log_id()
    saved = client.put(
        target,
        {
            "offered_on": days_ago(20),
            "offered_by_party": "provider",
            "reasonable_term_until": in_days(3),
            "support_offered": "Een onafhankelijke coördinator.",
            "written_copy_requested_on": days_ago(20),
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["recorded"] is True and body["version"] == 1 and body["offered_by"] == str(world.a.case_worker)
    assert [(d["kind"], d["due_on"], d["state"]) for d in body["deadlines"]] == [
        ("family_plan_term", in_days(3), "due_soon"),
        ("written_copy", days_ago(6), "overdue"),
    ]
    assert body["deadlines"][0]["label"] == "reasonable term for the family group plan"
    assert [(e.action, e.record_type) for e in log_since(start)] == [(Action.CREATE, "family_plan_right")]
    start = last_log_id()
    read = client.get(target).json()
    assert read["support_offered"] == "Een onafhankelijke coördinator." and read["version"] == 1
    assert [(e.action, e.record_type) for e in log_since(start)] == [(Action.VIEW, "family_plan_right")]
    # PUT sets the whole record: what is left out is emptied.
    changed = client.put(
        target,
        {
            "offered_on": days_ago(20),
            "written_copy_requested_on": days_ago(20),
            "written_copy_given_on": days_ago(7),
            "version": 1,
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["support_offered"] == "" and changed.json()["reasonable_term_until"] is None
    assert [(d["kind"], d["state"]) for d in changed.json()["deadlines"]] == [("written_copy", "done")]
    assert changed.json()["version"] == 2


def test_the_family_plan_right_refuses_stale_unknown_and_unlawful_input(world):
    client = api(world.a.case_worker)
    target = url(world, "family-plan-right/")
    assert client.put(target, {"offered_on": days_ago(20)}, format="json").status_code == 200
    stale = client.put(target, {"offered_on": days_ago(19), "version": 5}, format="json")
    assert stale.status_code == 409
    # A client that believes there is no record yet does not overwrite the one that is there.
    assert client.put(target, {"offered_on": days_ago(18)}, format="json").status_code == 409
    unlawful = client.put(target, {"dropped_on": days_ago(5), "version": 1}, format="json")
    assert unlawful.status_code == 400 and "drop_ground" in unlawful.json()
    unknown = client.put(target, {"offered_on": days_ago(20), "next_due_on": days_ago(1), "version": 1}, format="json")
    assert unknown.status_code == 400 and "next_due_on" in unknown.json()
    assert FamilyPlanRight.objects.get().offered_on.isoformat() == days_ago(20)


def test_a_co_worker_cannot_record_the_family_plan_right(world, co_worker):
    response = api(co_worker).put(url(world, "family-plan-right/"), {"offered_on": days_ago(2)}, format="json")
    assert response.status_code == 403
    assert not FamilyPlanRight.objects.exists()


def test_the_strengths_exploration_of_a_flemish_case(world):
    client = api(world.b.case_worker)
    target = f"/api/v1/cases/{world.b.case.pk}/strengths-exploration/"
    assert client.get(target).json()["recorded"] is False
    saved = client.put(
        target,
        {"explored_on": days_ago(4), "how_explored": "Gesprek met de ouders.", "methods_used": ["ekc"]},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == 1 and saved.json()["methods_used"] == ["ekc"]
    assert saved.json()["recorded_by"] == str(world.b.case_worker)
    start = last_log_id()
    assert client.get(target).json()["how_explored"] == "Gesprek met de ouders."
    assert [(e.action, e.record_type) for e in log_since(start)] == [(Action.VIEW, "strengths_exploration")]
    assert (
        client.put(target, {"explored_on": days_ago(3), "how_explored": "x", "version": 9}, format="json").status_code
        == 409
    )
    bad = client.put(
        target,
        {"explored_on": days_ago(3), "how_explored": "x", "methods_used": ["astrology"], "version": 1},
        format="json",
    )
    assert bad.status_code == 400 and "methods_used" in bad.json()
    missing = client.put(target, {"explored_on": days_ago(3), "version": 1}, format="json")
    assert missing.status_code == 400 and "how_explored" in missing.json()
    updated = client.put(
        target, {"explored_on": days_ago(3), "how_explored": "Netwerkcirkel.", "version": 1}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["version"] == 2 and updated.json()["methods_used"] == []
    assert StrengthsExploration.objects.get().how_explored == "Netwerkcirkel."


def test_each_legal_record_belongs_to_its_own_jurisdiction(world):
    dutch = api(world.a.case_worker)
    for method in ("get", "put"):
        response = getattr(dutch, method)(
            url(world, "strengths-exploration/"), {"explored_on": days_ago(1), "how_explored": "x"}, format="json"
        )
        assert response.status_code == 404
        assert "Flemish" in response.json()["detail"]
    flemish = api(world.b.case_worker)
    response = flemish.get(f"/api/v1/cases/{world.b.case.pk}/family-plan-right/")
    assert response.status_code == 404 and "Dutch" in response.json()["detail"]
    assert not StrengthsExploration.objects.exists()


# --- The OpenAPI document ---------------------------------------------------------------------------------

PATHS = {
    "/api/v1/methods/": {"get"},
    "/api/v1/methods/{code}/": {"get"},
    "/api/v1/cases/{case_id}/selector-runs/": {"get", "post"},
    "/api/v1/cases/{case_id}/selector-runs/{run_id}/": {"get"},
    "/api/v1/cases/{case_id}/selector-runs/{run_id}/choice/": {"post"},
    "/api/v1/cases/{case_id}/trajectories/": {"get", "post"},
    "/api/v1/cases/{case_id}/trajectories/{trajectory_id}/": {"get"},
    "/api/v1/cases/{case_id}/trajectories/{trajectory_id}/transitions/": {"post"},
    "/api/v1/cases/{case_id}/trajectories/{trajectory_id}/advance-phase/": {"post"},
    "/api/v1/cases/{case_id}/trajectories/{trajectory_id}/coordinator/": {"post"},
    "/api/v1/cases/{case_id}/family-plan-right/": {"get", "put"},
    "/api/v1/cases/{case_id}/strengths-exploration/": {"get", "put"},
}


def test_the_openapi_document_lists_every_path_with_its_answers(db):
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = json.loads(response.content)
    for path, methods in PATHS.items():
        assert path in document["paths"], path
        assert set(document["paths"][path]) - {"parameters"} == methods, path
    transition = document["paths"]["/api/v1/cases/{case_id}/trajectories/{trajectory_id}/transitions/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(transition["responses"])
    schemas = document["components"]["schemas"]
    assert {"status", "on", "version"} <= set(schemas["TrajectoryTransitionRequest"]["required"])
    assert {"phases", "clocks", "events", "allowed_next", "version"} <= set(schemas["TrajectoryDetail"]["properties"])
    assert "version" in schemas["FamilyPlanRightInputRequest"]["properties"]
