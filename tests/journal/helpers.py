"""Shared builders of the journal tests."""

import datetime

from django.utils import timezone

from kring.journal import services
from tests.factories import actor, make_parent


def when(days_ago=1, hour=10):
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def family(case):
    """The case's child, and a mother and father of it."""
    child = case.persons.filter(is_central=True).first()
    mother = make_parent(case, "Mira", "moeder")
    father = make_parent(case, "Frank", "vader")
    return child, mother, father


def write(user, case, **fields):
    data = {
        "occurred_at": when(),
        "category": "home_visit",
        "text": "Huisbezoek: moeder en kind thuis, sfeer rustig.",
        "visibility": "team_only",
    }
    data.update(fields)
    return services.write_entry(actor(user), case.pk, data)
