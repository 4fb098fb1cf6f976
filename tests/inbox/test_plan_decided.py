"""A plan submitted for decision waits in the case worker's inbox until it is decided, then no longer: sending it
back or accepting it settles the submission for everyone told of it; the plan handed in again is told anew."""

from kring.inbox import kinds
from kring.inbox.models import Notification
from kring.plans import services as plan_services
from tests.meetings.conftest import mw  # noqa: F401
from tests.plans.conftest import pw  # noqa: F401


def _unread_submissions():
    return list(
        Notification.objects.filter(kind=kinds.PLAN_SUBMITTED, read_at__isnull=True).values_list("recipient", flat=True)
    )


def _decide(pw, outcome, met):  # noqa: F811
    pw.plan.refresh_from_db()
    plan_services.decide_plan(
        pw.worker,
        pw.case.pk,
        pw.plan.pk,
        outcome,
        "Zo beslist.",
        {pw.must.pk: (met, "Uitgelegd."), pw.wish.pk: (met, "Uitgelegd.")},
        pw.plan.version,
    )


def test_the_decision_settles_the_submission_and_a_new_one_is_told_again(pw):  # noqa: F811
    worker = pw.world.a.case_worker
    assert _unread_submissions() == [worker.pk]
    _decide(pw, "sent_back", False)
    assert _unread_submissions() == []
    pw.plan.refresh_from_db()
    plan_services.submit_plan(pw.coordinator, pw.case.pk, pw.plan.pk, pw.plan.version)
    assert _unread_submissions() == [worker.pk]
    _decide(pw, "accepted", True)
    assert _unread_submissions() == []
    assert Notification.objects.filter(kind=kinds.PLAN_SUBMITTED, recipient=worker).count() == 2
