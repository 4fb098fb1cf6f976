"""Plan fixtures on top of the meetings fixture ``mw``: the meeting was held, the case worker set two bottom
lines, the coordinator wrote a plan with two agreements (a safety one for Oma, one for Piet)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail

from kring.plans import services
from kring.trajectories import services as trajectory_services
from tests.factories import actor
from tests.meetings.conftest import mw  # noqa: F401  (the fixture this one builds on)

D = datetime.date


def submitted_plan(mw):
    world, case = mw.world, mw.case
    worker, coordinator = mw.worker, actor(world.a.coordinator)
    must = services.add_bottom_line(
        worker,
        case.pk,
        mw.trajectory.pk,
        {
            "text": "De kinderen slapen elke nacht op een veilige plek.",
            "reason": "Zorg over nachtelijke ruzies.",
            "legal_basis": "OTS, art. 1:255 BW",
            "kind": "non_negotiable",
        },
    )
    wish = services.add_bottom_line(
        worker,
        case.pk,
        mw.trajectory.pk,
        {"text": "School wordt op de hoogte gehouden.", "reason": "Veel verzuim.", "kind": "wish"},
    )
    trajectory = trajectory_services.change_status(
        worker, case.pk, mw.trajectory.pk, "meeting_held", datetime.date.today(), note="Aanwezigheid op papier."
    )
    plan = services.start_plan(coordinator, case.pk, trajectory.pk)
    plan = services.update_plan(
        coordinator,
        case.pk,
        plan.pk,
        {
            "concerns": "We willen dat Sam rustig kan slapen en naar school gaat.",
            "if_it_goes_wrong": "Dan belt mama oma en gaat Sam bij oma slapen.",
            "child_view": "Sam wil bij oma kunnen logeren.",
            "presented_on": datetime.date.today(),
        },
        plan.version,
    )
    sleep = services.add_agreement(
        coordinator,
        case.pk,
        plan.pk,
        {
            "what": "Sam slaapt bij oma als het thuis onrustig is.",
            "owner_person": mw.oma.pk,
            "backup_person": mw.piet.pk,
            "checker_user": world.a.case_worker.pk,
            "is_safety": True,
            "due_on": datetime.date.today() + datetime.timedelta(days=7),
            "bottom_lines": [must.pk],
        },
    )
    school = services.add_agreement(
        coordinator,
        case.pk,
        plan.pk,
        {
            "what": "Piet brengt Sam op maandag naar school.",
            "owner_person": mw.piet.pk,
            "checker_person": mw.oma.pk,
            "frequency": "elke maandag",
            "due_on": datetime.date.today() + datetime.timedelta(days=14),
            "bottom_lines": [wish.pk],
        },
    )
    plan.refresh_from_db()
    plan = services.submit_plan(coordinator, case.pk, plan.pk, plan.version)
    return SimpleNamespace(
        mw=mw,
        world=world,
        case=case,
        worker=worker,
        coordinator=coordinator,
        must=must,
        wish=wish,
        plan=plan,
        sleep=sleep,
        school=school,
        trajectory=trajectory,
    )


def accept(p):
    p.plan.refresh_from_db()
    return services.decide_plan(
        p.worker,
        p.case.pk,
        p.plan.pk,
        "accepted",
        "Het plan is veilig genoeg.",
        {p.must.pk: (True, "Oma biedt een slaapplek."), p.wish.pk: (False, "School is nog niet betrokken.")},
        p.plan.version,
    )


@pytest.fixture
def pw(mw):  # noqa: F811
    return submitted_plan(mw)


@pytest.fixture
def accepted(pw):
    accept(pw)
    mail.outbox.clear()  # the hand-off e-mails of making the plan (tests/inbox) are counted there
    pw.plan.refresh_from_db()
    for agreement in (pw.sleep, pw.school):
        agreement.refresh_from_db()
    return pw
