"""Registration fixtures: the meetings fixture ``mw`` (an FNB trajectory offered on 1 February 2026, with five
persons on the map) plus a second case's trajectory at the other organisation."""

import datetime
from types import SimpleNamespace

import pytest

from kring.cases import services as case_services
from tests.factories import actor
from tests.meetings.conftest import mw  # noqa: F401  (the fixture this one builds on)

D = datetime.date


@pytest.fixture
def rw(mw):  # noqa: F811
    world = mw.world
    child = mw.child
    child.is_central = True
    child.birth_date = D(2016, 5, 1)
    child.save()
    # A co-worker on the case team sees the case but may not change it.
    case_services.add_team_member(mw.worker, mw.case.pk, world.a.other_worker.pk, "co_worker")
    return SimpleNamespace(
        mw=mw,
        world=world,
        case=mw.case,
        trajectory=mw.trajectory,
        worker=mw.worker,
        coordinator=actor(world.a.coordinator),
        lead=actor(world.a.lead),
        co_worker=actor(world.a.other_worker),
        stranger=actor(world.b.case_worker),
        researcher=actor(world.a.researcher),
    )
