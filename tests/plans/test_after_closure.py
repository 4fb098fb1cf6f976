"""After the trajectory closed (a review closed the plan), found by the Hergo journey in a real browser
(tests/browser/test_one_flow_hergo.py):

- the plan page and the meetings list no longer offer the steps the services refuse on an ended trajectory (a new
  version, a bottom line added or changed, an extra review, a personal link, a meeting); what stays possible
  stays offered (withdrawing a bottom line, recording how an agreement went, revoking a link);
- the trajectory's timeline says in correct Dutch why the work moved it ("…, want het gezin heeft het aanbod
  aanvaard": the event names a main clause, which "omdat" would have put in the wrong order), and so does the
  refusal of a step that skips one.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kring.plans import follow_up
from kring.plans.models import Review
from kring.trajectories import services as trajectory_services
from kring.trajectories.core import flow
from tests.factories import actor

pytestmark = pytest.mark.django_db


def _refused_when_ended(p):
    """The plan page's links to steps the services refuse on an ended trajectory."""
    return ("new-version/", "bottom-lines/new/", "reviews/new/", "links/new/", f"bottom-lines/{p.must.pk}/")


def _close_by_review(p):
    review = Review.objects.filter(plan=p.plan, held_on__isnull=True).order_by("planned_on").first()
    items = {a.pk: ("kept", "") for a in p.plan.agreements.filter(in_force=True)}
    follow_up.hold_review(p.coordinator, p.case.pk, review.pk, items, "close", note="Het plan is uitgevoerd.")
    p.trajectory.refresh_from_db()
    assert p.trajectory.status == "closed"


def _plan_page(client, p, user):
    client.force_login(user)
    response = client.get(reverse("plans:plan", args=[p.case.pk, p.trajectory.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    return response.content.decode()


def _plans_meeting(client, p):
    page = client.get(reverse("meetings:list", args=[p.case.pk])).content.decode()
    return reverse("meetings:create", args=[p.case.pk, p.trajectory.pk]) in page


def test_a_closed_trajectory_offers_no_step_its_services_refuse(client, accepted):
    p = accepted
    worker, coordinator = p.world.a.case_worker, p.world.a.coordinator
    base = reverse("plans:plan", args=[p.case.pk, p.trajectory.pk])
    # Under way: the case worker may add and change bottom lines, both may adjust the plan, plan an extra review,
    # make a link and plan a meeting.
    page = _plan_page(client, p, worker)
    for tail in _refused_when_ended(p):
        assert f'href="{base}{tail}"' in page, tail
    assert 'id="plan-ended"' not in page and _plans_meeting(client, p)
    _close_by_review(p)
    for user in (worker, coordinator):
        page = _plan_page(client, p, user)
        for tail in _refused_when_ended(p):
            assert f'href="{base}{tail}"' not in page, (user, tail)
        assert "Dit traject is afgelopen; het plan kan niet meer worden gewijzigd." in page
        assert not _plans_meeting(client, p), user
        # Still possible: recording how an agreement went (and, for the case worker, withdrawing a bottom line).
        assert f'href="{base}agreements/{p.school.pk}/report/"' in page
    assert f'href="{base}bottom-lines/{p.must.pk}/withdraw/"' in _plan_page(client, p, worker)
    # And the services do refuse what the page no longer offers.
    with pytest.raises(ValidationError):
        follow_up.add_review(
            p.coordinator, p.case.pk, p.plan.pk, {"name": "Nog een", "planned_on": datetime.date.today()}
        )


def test_the_timeline_says_in_dutch_why_the_work_moved_the_trajectory(client, accepted):
    p = accepted
    _close_by_review(p)
    client.force_login(p.world.a.case_worker)
    url = reverse("trajectories:detail", args=[p.case.pk, p.trajectory.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    timeline = page.split('class="timeline"')[1].split("</ol>")[0]
    for reason in (
        "want het gezin heeft het aanbod aanvaard",
        "want er werd een coördinator toegewezen",
        "want het plan werd aanvaard",
        "want een evaluatie sloot het plan af",
    ):
        assert reason in timeline, reason
    assert "omdat" not in timeline


def test_a_step_that_skips_one_is_refused_in_correct_dutch(world):
    worker = actor(world.a.case_worker)
    case = world.a.case
    t = trajectory_services.offer_trajectory(worker, case.pk, "fnb", datetime.date.today())
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", datetime.date.today())
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        trajectory_services.advance_on(flow.PLAN_ACCEPTED, t, worker)
    [message] = error.value.message_dict["__all__"]
    assert message.startswith("Dit kan niet worden vastgelegd: het plan werd aanvaard, en dat zou het traject van "), (
        message
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        trajectory_services.advance_on(flow.PLAN_ACCEPTED, t, worker)
    [message] = error.value.message_dict["__all__"]
    assert message.startswith("This cannot be recorded: the plan was accepted, and that would take the trajectory"), (
        message
    )
