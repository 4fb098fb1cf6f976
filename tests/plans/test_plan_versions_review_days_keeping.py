"""Issue 14, item 12 in the plan stage: the plan's version moves when it is sent back and handed in again; reviews
land on working days of the case's jurisdiction (no weekend, no public holiday of the Netherlands or Belgium);
and "agreements kept" is one figure, the same on the plan page and in the evaluation."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kring.core.public_holidays import public_holidays
from kring.evaluation import indicators
from kring.plans import core, services
from kring.plans import follow_up as plan_follow_up
from kring.plans.models import PlanDecision, Review
from tests.plans.conftest import accept

D = datetime.date
FNB_WEEKS = [core.Moment("review", 13), core.Moment("second_review", 26)]


# ---- (a) the version moves when the plan is sent back and handed in again -------------------------------------


def send_back(p):
    p.plan.refresh_from_db()
    return services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "sent_back",
        "De slaapplek ontbreekt.",
        {p.must.pk: (False, "Geen slaapplek."), p.wish.pk: (True, "ok")},
        p.plan.version,
    )


def test_a_plan_sent_back_and_handed_in_again_is_the_next_version(pw, client):
    assert pw.plan.edition == 1
    decision = send_back(pw)
    pw.plan.refresh_from_db()
    assert (decision.edition, decision.snapshot["edition"]) == (1, 1)
    assert pw.plan.edition == 2 and pw.plan.status == "sent_back"
    services.update_plan(
        pw.coordinator, pw.case.pk, pw.plan.pk, {"concerns": "Met slaapplek bij oma."}, pw.plan.version
    )
    pw.plan.refresh_from_db()
    services.submit_plan(pw.coordinator, pw.case.pk, pw.plan.pk, pw.plan.version)
    accepted = accept(pw)
    pw.plan.refresh_from_db()
    assert accepted.edition == 2 and accepted.snapshot["edition"] == 2 and pw.plan.edition == 2
    assert list(PlanDecision.objects.filter(plan=pw.plan).values_list("outcome", "edition")) == [
        ("accepted", 2),
        ("sent_back", 1),
    ]
    # The reviews belong to the version that was accepted; the page shows both versions' decisions.
    assert set(Review.objects.filter(plan=pw.plan).values_list("plan_edition", flat=True)) == {2}
    client.force_login(pw.world.a.case_worker)
    url = reverse("plans:plan", args=[pw.case.pk, pw.trajectory.pk])
    page = client.get(url).content.decode()
    assert re.search(r'id="plan-edition">\s*2\s*<', page)
    assert page.count("versie 1 van het plan") == 1 and page.count("versie 2 van het plan") == 1


def test_a_second_send_back_moves_the_version_again(pw):
    send_back(pw)
    pw.plan.refresh_from_db()
    services.submit_plan(pw.coordinator, pw.case.pk, pw.plan.pk, pw.plan.version)
    send_back(pw)
    pw.plan.refresh_from_db()
    assert pw.plan.edition == 3
    assert sorted(PlanDecision.objects.filter(plan=pw.plan).values_list("edition", flat=True)) == [1, 2]


# ---- (b) reviews on working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, holidays, expected",
    [
        (D(2026, 12, 9), frozenset(), D(2026, 12, 9)),  # a Wednesday stays
        (D(2026, 12, 12), frozenset(), D(2026, 12, 14)),  # Saturday -> Monday
        (D(2026, 12, 13), frozenset(), D(2026, 12, 14)),  # Sunday -> Monday
        (D(2026, 12, 14), frozenset({D(2026, 12, 14)}), D(2026, 12, 15)),  # a holiday on Monday -> Tuesday
        (D(2026, 12, 25), frozenset({D(2026, 12, 25), D(2026, 12, 28)}), D(2026, 12, 29)),  # over a weekend
    ],
)
def test_a_day_moves_to_the_next_working_day(day, holidays, expected):
    assert core.working_day(day, holidays) == expected


def test_the_holidays_are_those_of_the_jurisdiction():
    netherlands, flanders = public_holidays("NL", [2026, 2027]), public_holidays("VL", [2026, 2027])
    assert D(2026, 4, 27) in netherlands and D(2026, 4, 27) not in flanders  # Koningsdag
    assert D(2026, 7, 21) in flanders and D(2026, 7, 21) not in netherlands  # Belgian national day
    assert D(2026, 11, 11) in flanders and D(2027, 5, 5) not in flanders  # Wapenstilstand; 5 May is Dutch
    assert {D(2026, 12, 25), D(2027, 3, 29), D(2027, 5, 6)} <= netherlands & flanders  # Christmas, Easter, Ascension
    assert public_holidays("XX", [2026]) == frozenset()


def test_review_dates_skip_weekends_and_the_jurisdictions_holidays():
    # Accepted on Friday 25 September 2026: 13 weeks is Christmas Day, 26 weeks is Good Friday 2027.
    accepted_on = D(2026, 9, 25)
    years = core.review_years(accepted_on, FNB_WEEKS)
    assert list(years) == [2026, 2027]
    assert core.review_dates(accepted_on, FNB_WEEKS, frozenset()) == [
        ("review", D(2026, 12, 25)),
        ("second_review", D(2027, 3, 26)),
    ]
    # The Netherlands: Christmas, Boxing Day (Saturday), Sunday -> Monday 28; Good Friday, the Easter weekend and
    # Easter Monday -> Tuesday 30 March.
    assert core.review_dates(accepted_on, FNB_WEEKS, public_holidays("NL", years)) == [
        ("review", D(2026, 12, 28)),
        ("second_review", D(2027, 3, 30)),
    ]
    # Flanders: Good Friday is no public holiday in Belgium.
    assert core.review_dates(accepted_on, FNB_WEEKS, public_holidays("VL", years)) == [
        ("review", D(2026, 12, 28)),
        ("second_review", D(2027, 3, 26)),
    ]


@pytest.mark.parametrize("jurisdiction, first, second", [("NL", D(2026, 12, 28), D(2027, 3, 30))])
def test_an_accepted_plan_has_its_reviews_on_working_days(pw, monkeypatch, jurisdiction, first, second):
    """The plan is accepted on the day the clock says; here the clock says Friday 25 September 2026."""
    assert pw.case.organisation.jurisdiction == jurisdiction
    monkeypatch.setattr(timezone, "localdate", lambda *args: D(2026, 9, 25))
    accept(pw)
    planned = dict(Review.objects.filter(plan=pw.plan).values_list("code", "planned_on"))
    assert planned == {"review": first, "second_review": second}


def test_reviews_scheduled_today_are_never_on_a_weekend_or_holiday(pw):
    accept(pw)
    holidays = public_holidays(pw.case.organisation.jurisdiction, range(2026, 2030))
    for planned_on in Review.objects.filter(plan=pw.plan).values_list("planned_on", flat=True):
        assert planned_on.weekday() < 5 and planned_on not in holidays


# ---- (c) "agreements kept": one definition --------------------------------------------------------------------


def test_keeping_counts_partly_as_half_and_leaves_out_what_is_no_longer_needed():
    keeping = core.keeping_of(["kept", "kept", "partly", "not_kept", "stopped", "unknown"])
    assert (keeping.kept, keeping.partly, keeping.not_kept, keeping.judged) == (2, 1, 1, 4)
    assert keeping.share == pytest.approx(0.625)  # the walk's plan: 62 % on the plan page
    assert core.keeping_of(["stopped"]).share is None
    assert (core.Keeping(1) + core.Keeping(0, 1, 1)).share == pytest.approx(0.5)


def test_the_plan_page_and_the_evaluation_show_the_same_share_kept(accepted, client):
    p = accepted
    first = Review.objects.filter(plan=p.plan).order_by("planned_on").first()
    plan_follow_up.hold_review(
        p.coordinator, p.case.pk, first.pk, {p.sleep.pk: ("kept", ""), p.school.pk: ("partly", "")}, "continue"
    )
    client.force_login(p.world.a.case_worker)
    plan_page = client.get(reverse("plans:plan", args=[p.case.pk, p.trajectory.pk])).content.decode()
    kept_on_plan = plan_page.split('id="keeping"')[1].split("</section>")[0]
    assert "75%" in kept_on_plan  # (1 + 0.5) / 2
    client.force_login(p.world.a.lead)
    dashboard = client.get(reverse("evaluation:dashboard")).content.decode()
    table = dashboard.split('id="indicators"')[1].split("</table>")[0]
    assert re.findall(r"(\d+) % \((\d+)\)</td>", table) == [("75", "2")]
    groups = indicators.compute([p.case.organisation_id], "all", today=datetime.date.today())
    kept = groups[0].agreements["kept_rate"]
    assert kept["estimate"] == pytest.approx(0.75) and kept["low"] <= 0.5 and kept["high"] == 1.0
