"""A trajectory in preparation on world.a.case, with a coordinator and a network map of five persons."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from kring.meetings import services
from kring.network import services as network_services
from kring.trajectories import consents
from kring.trajectories import services as trajectory_services
from tests.factories import actor

D = datetime.date


def _person(world, first, last, **member):
    return network_services.add_network_person(
        actor(world.a.case_worker), world.a.case.pk, {"first_name": first, "last_name": last}, member
    )


@pytest.fixture
def mw(world):
    """world plus: trajectory (fnb, preparing, world.a.coordinator), persons on the map and a planned meeting
    two days ago (so attendance can be recorded)."""
    case = world.a.case
    worker = actor(world.a.case_worker)
    t = trajectory_services.offer_trajectory(worker, case.pk, "fnb", D(2026, 2, 1))
    t = trajectory_services.change_status(worker, case.pk, t.pk, "accepted", D(2026, 2, 2))
    t = trajectory_services.allocate_coordinator(
        actor(world.a.lead), case.pk, t.pk, world.a.coordinator.pk, on=D(2026, 2, 3)
    )
    t = trajectory_services.change_status(worker, case.pk, t.pk, "preparing", D(2026, 2, 3))
    persons = case.persons.order_by("pk")
    child, sibling = persons[0], persons[1]  # the central child; a person the map knows nothing about
    oma = _person(world, "Oma", "Jansen", domain="family", safety="safe", may_invite=True)
    piet = _person(world, "Piet", "de Buurman", domain="neighbourhood_clubs", safety="safe", may_invite=True)
    kees = _person(world, "Kees", "Onveilig", domain="family", safety="unsafe", may_invite=False)
    juf = _person(world, "Anna", "Juf", domain="professional", safety="safe", may_invite=True)
    start = timezone.localtime() - datetime.timedelta(days=2)
    start = start.replace(hour=19, minute=0, second=0, microsecond=0)
    meeting = services.schedule_meeting(
        worker,
        case.pk,
        t.pk,
        {
            "kind": "network_meeting",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=3),
            "place": "Buurthuis De Kring, Utrecht",
            "language": "Nederlands",
            "interpreter_needed": True,
            "interpreter_language": "Arabisch",
        },
    )
    # No consent is recorded in this world: the first invitation goes out with a reason, kept in the timeline.
    missing = [need.purpose for need in consents.missing_consents(t)]
    consents.record_invited_without_consent(worker, t, missing, "Mondeling toegestemd, het formulier volgt.")
    mail.outbox.clear()  # the hand-off e-mails of the offer and the allocation (tests/inbox) are counted there
    return SimpleNamespace(
        world=world,
        case=case,
        trajectory=t,
        meeting=meeting,
        child=child,
        sibling=sibling,
        oma=oma,
        piet=piet,
        kees=kees,
        juf=juf,
        worker=worker,
    )
