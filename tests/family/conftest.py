"""Family fixtures on top of the submitted plan of tests/plans (an FNB trajectory: the adults present at the meeting
and the young persons old enough agree): the mother (present at the meeting), the father (not present), the central
child made 13, and Oma of the network."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from kring.cases.models import Person
from kring.meetings.models import Attendance, Invitation
from tests.factories import make_parent
from tests.meetings.conftest import mw  # noqa: F401
from tests.plans.conftest import submitted_plan


@pytest.fixture(autouse=True)
def clean_cache(db):
    cache.clear()
    yield
    cache.clear()


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=30)


@pytest.fixture
def fw(mw):  # noqa: F811
    p = submitted_plan(mw)
    case = p.case
    mother = make_parent(case, "Fatima", "moeder")
    mother.email = "fatima@example.org"
    mother.phone = "06 12345678"
    mother.save()
    father = make_parent(case, "Karim", "vader")
    child = Person.objects.get(pk=mw.child.pk)
    child.birth_date = years_ago(13)
    child.save()
    invitation = Invitation.objects.create(
        meeting=mw.meeting,
        case=case,
        organisation=case.organisation,
        person=mother,
        role="parent",
        invited_on=timezone.localdate(),
        invited_by=p.world.a.case_worker,
    )
    Attendance.objects.create(
        part=mw.meeting.parts.first(), organisation=case.organisation, invitation=invitation, present=True
    )
    p.mother, p.father, p.child, p.oma = mother, father, child, mw.oma
    return p


def ns(**kw):
    return SimpleNamespace(**kw)
