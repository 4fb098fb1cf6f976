"""The trajectory pages: selector in a case (answers, ranking, choice), offering, the status steps, the
coordinator warning, the legal record, the organisation's durations; who sees what."""

import datetime

import pytest

from kring.audit.models import AccessLogEntry
from kring.trajectories import services
from kring.trajectories.models import DurationOverride, FamilyPlanRight, SelectorRun, Trajectory
from tests.factories import actor

D = datetime.date


def url(case, rest=""):
    return f"/cases/{case.pk}/trajectories/{rest}"


SELECTOR_ANSWERS = {
    "safety_concern": "acute",
    "legal_context": "nl_supervision",
    "central": "child",
    "setting": "family",
    "motivation": "some",
    "conflicts": ["fighting_divorce"],
}


def test_selector_stores_answers_ranking_and_choice(world, client):
    case = world.a.case
    client.force_login(world.a.case_worker)
    page = client.get(url(case, "selector/"))
    assert page.status_code == 200
    assert page.context["form"].initial["legal_context"] == case.legal_context
    response = client.post(url(case, "selector/"), SELECTOR_ANSWERS)
    assert response.status_code == 302
    run = SelectorRun.objects.get(case=case)
    assert run.answers["safety_concern"] == "acute" and run.answers["conflicts"] == ["fighting_divorce"]
    assert run.top_method == "signs_of_safety"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200 and "Signs of Safety" in text
    ekc = next(row for row in page.context["rows"] if row["method"] == "ekc")
    assert ekc["warnings"]  # acute danger under a supervision order: EKC carries a warning
    # Choosing another method than the top suggestion needs a reason.
    refused = client.post(response["Location"], {"chosen_method": "fnb", "version": run.version})
    assert refused.status_code == 200 and refused.context["form"].errors["choice_reason"]
    assert SelectorRun.objects.get(pk=run.pk).chosen_method == ""
    done = client.post(
        response["Location"],
        {"chosen_method": "fnb", "choice_reason": "Het gezin kent FNB al.", "version": run.version},
    )
    assert done.status_code == 302
    run.refresh_from_db()
    assert (run.chosen_method, run.chosen_by, run.differs_from_top) == ("fnb", world.a.case_worker, True)


def test_selector_refuses_bad_answers_and_saves_nothing(world, client):
    client.force_login(world.a.case_worker)
    response = client.post(url(world.a.case, "selector/"), {**SELECTOR_ANSWERS, "safety_concern": "extreme"})
    assert response.status_code == 200 and response.context["form"].errors["safety_concern"]
    assert not SelectorRun.objects.exists()


def test_offer_then_illegal_step_is_explained(world, client):
    case = world.a.case
    client.force_login(world.a.case_worker)
    response = client.post(url(case, "offer/"), {"method_code": "fnb", "offered_on": "2026-02-01"})
    assert response.status_code == 302
    trajectory = Trajectory.objects.get(case=case)
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and detail.context["clocks"].running
    refused = client.post(
        url(case, f"{trajectory.pk}/status/"),
        {"status": "plan_made", "on": "2026-02-02", "version": trajectory.version},
    )
    assert refused.status_code == 400
    assert "aanvaard" in refused.content.decode()  # the Dutch message names what is possible: accepted
    trajectory.refresh_from_db()
    assert trajectory.status == "offered"
    accepted = client.post(
        url(case, f"{trajectory.pk}/status/"), {"status": "accepted", "on": "2026-02-03", "version": trajectory.version}
    )
    assert accepted.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.status == "accepted" and trajectory.current_phase == "preparation"


def test_stale_step_is_refused_with_409(world, client):
    t = services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, "fnb", D(2026, 2, 1))
    services.change_status(actor(world.a.lead), world.a.case.pk, t.pk, "accepted", D(2026, 2, 2))
    client.force_login(world.a.case_worker)
    response = client.post(
        url(world.a.case, f"{t.pk}/status/"), {"status": "declined", "on": "2026-02-03", "version": 1}
    )
    assert response.status_code == 409
    assert Trajectory.objects.get(pk=t.pk).status == "accepted"


def test_coordinator_warning_then_confirmed(world, client):
    from kring.accounts.models import Membership

    Membership.objects.create(user=world.a.case_worker, organisation=world.a.org, role="coordinator")
    t = services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, "fnb", D(2026, 2, 1))
    client.force_login(world.a.lead)
    warned = client.post(
        url(world.a.case, f"{t.pk}/coordinator/"), {"coordinator": world.a.case_worker.pk, "version": t.version}
    )
    assert warned.status_code == 400 and warned.context["coordinator_warning"]
    assert Trajectory.objects.get(pk=t.pk).coordinator is None
    confirmed = client.post(
        url(world.a.case, f"{t.pk}/coordinator/"),
        {"coordinator": world.a.case_worker.pk, "accept_case_worker": "on", "version": t.version},
    )
    assert confirmed.status_code == 302
    assert Trajectory.objects.get(pk=t.pk).coordinator_is_case_worker


def test_case_worker_cannot_allocate(world, client):
    t = services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, "fnb", D(2026, 2, 1))
    client.force_login(world.a.case_worker)
    response = client.post(
        url(world.a.case, f"{t.pk}/coordinator/"), {"coordinator": world.a.coordinator.pk, "version": t.version}
    )
    assert response.status_code == 403
    assert Trajectory.objects.get(pk=t.pk).coordinator is None


@pytest.mark.parametrize("who", ["other_worker", "researcher", "administrator"])
def test_outsiders_get_404_and_it_is_logged(world, client, who):
    t = services.offer_trajectory(actor(world.a.case_worker), world.a.case.pk, "fnb", D(2026, 2, 1))
    client.force_login(getattr(world.a, who))
    for path in ("", "selector/", f"{t.pk}/", "law/"):
        assert client.get(url(world.a.case, path)).status_code == 404
    client.force_login(world.b.lead)
    assert client.get(url(world.a.case, f"{t.pk}/")).status_code == 404
    assert AccessLogEntry.objects.filter(user=world.b.lead, action="denied", record_id=str(world.a.case.pk)).exists()


def test_trajectory_of_another_case_is_not_found(world, client):
    from tests.factories import make_case

    other = make_case(world.a.team, case_worker=world.a.case_worker)
    t = services.offer_trajectory(actor(world.a.case_worker), other.pk, "fnb", D(2026, 2, 1))
    client.force_login(world.a.case_worker)
    assert client.get(url(world.a.case, f"{t.pk}/")).status_code == 404


def test_jeugdwet_form_in_a_dutch_case(world, client):
    client.force_login(world.a.case_worker)
    page = client.get(url(world.a.case, "law/"))
    assert page.status_code == 200 and "4.1.2" in page.content.decode()
    bad = client.post(url(world.a.case, "law/"), {"offered_on": "2026-02-01", "dropped_on": "2026-02-05"})
    assert bad.status_code == 400 and bad.context["form"].errors["drop_ground"]
    assert not FamilyPlanRight.objects.exists()
    good = client.post(
        url(world.a.case, "law/"),
        {"offered_on": "2026-02-01", "offered_by_party": "provider", "reasonable_term_until": "2026-03-01"},
    )
    assert good.status_code == 302
    overview = client.get(url(world.a.case))
    assert overview.context["legal_deadlines"][0][1].due_on == D(2026, 3, 1)


def test_strengths_form_in_a_flemish_case(world, client):
    client.force_login(world.b.case_worker)
    page = client.get(url(world.b.case, "law/"))
    assert page.status_code == 200 and "toegangspoort" in page.content.decode()
    saved = client.post(
        url(world.b.case, "law/"),
        {"explored_on": "2026-02-01", "how_explored": "Netwerkcirkel.", "methods_used": ["fnb"]},
    )
    assert saved.status_code == 302
    assert world.b.case.strengths_exploration.methods_used == ["fnb"]


def test_durations_page_for_leads_only(world, client):
    client.force_login(world.a.case_worker)
    assert client.get("/organisation/durations/").status_code == 403
    client.force_login(world.a.lead)
    assert client.get("/organisation/durations/").status_code == 200
    bad = client.post(
        "/organisation/durations/",
        {
            "organisation": world.a.org.pk,
            "method": "fnb",
            "phase": "preparation",
            "default_weeks": "9",
            "max_weeks": "6",
        },
    )
    assert bad.status_code == 400 and not DurationOverride.objects.exists()
    good = client.post(
        "/organisation/durations/",
        {
            "organisation": world.a.org.pk,
            "method": "fnb",
            "phase": "preparation",
            "default_weeks": "5,5",
            "max_weeks": "6",
        },
    )
    assert good.status_code == 302
    assert float(DurationOverride.objects.get().default_weeks) == 5.5
    # Another organisation cannot be chosen.
    assert client.get(f"/organisation/durations/?organisation={world.b.org.pk}").status_code == 404


def test_selector_starts_from_the_map(world, client):
    from kring.network import services as network_services

    for first, safety in (("Oma", "safe"), ("Kees", "unsafe")):
        network_services.add_network_person(
            actor(world.a.case_worker),
            world.a.case.pk,
            {"first_name": first, "last_name": "Jansen"},
            {"domain": "family", "safety": safety},
        )
    client.force_login(world.a.case_worker)
    page = client.get(url(world.a.case, "selector/"))
    form = page.context["form"]
    assert form.initial["network_size"] == 3  # the sibling already on the case, Oma and Kees
    assert "Kees Jansen" in str(form.fields["network_unsafe"].help_text)
    assert "Oma Jansen" not in str(form.fields["network_unsafe"].help_text)


def test_ranking_and_answers_read_as_words_in_both_languages(world, client):
    from django.utils import translation

    client.force_login(world.a.case_worker)
    response = client.post(url(world.a.case, "selector/"), {**SELECTOR_ANSWERS, "setting": "school"})
    run = SelectorRun.objects.get(case=world.a.case)
    texts = [r["text"] for item in run.suggestion for r in item["reasons_against"] + item["reasons_for"]]
    assert texts and not any("school" == t["nl"] for t in texts)
    with translation.override("nl"):
        school_nl = str(translation.gettext("School")).lower()
    assert any(f"({school_nl})" in t["nl"] for t in texts)  # the setting as a word, not a code
    assert not any("nl_supervision" in t["nl"] or "nl_supervision" in t["en"] for t in texts)
    with translation.override("en"):
        supervision_en = str(translation.gettext("supervision order (OTS)")).lower()
    assert any(supervision_en in t["en"] for t in texts)  # e.g. a method not used under a supervision order
    page = client.get(response["Location"])
    answers = dict(page.context["answers"])
    assert "nl_supervision" not in answers.values()
